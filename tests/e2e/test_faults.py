"""End to end: Telegram failing while ``python -m bot`` long-polls it.

One bot process serves the module, reaching the fake Telegram through a relay on 127.0.0.1 that
a test can switch off (the port then refuses connections, as when Telegram or the network is
down) and on again. Each test makes Telegram fail in one way while users write, then checks
that the bot logged ONE line for the incident (no traceback, no token), recovered, and answered
every message sent meanwhile exactly once. The last test revokes the token: the bot must exit
with one clear line and a non-zero code.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio

from tests.e2e.bot_process import RunningBot, start_bot
from tests.fake_telegram import FakeTelegram, FakeUser, Fault

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals"),
]

QUESTION = "как приготовить борщ?"  # answered with one message
WAIT = 30.0  # an upper bound for a busy 2-core machine, never a measurement
POLL_TIMEOUT = 1  # so that a hung getUpdates is given up after 2 seconds


class Relay:
    """A TCP relay from a fixed port of 127.0.0.1 to the fake Telegram, with an off switch."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def on(self) -> None:
        self._server = await asyncio.start_server(
            self._relay, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def off(self) -> None:
        """Stop listening and cut every open connection: the bot's requests fail at once and
        its next connections are refused."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._connections):
            writer.transport.abort()
        await self._server.wait_closed()
        self._server = None

    async def _relay(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        self._connections.add(client_out)  # off() may come while the upstream is dialled
        try:
            server_in, server_out = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_out.transport.abort()
            return
        if self._server is None:  # switched off meanwhile
            for writer in (client_out, server_out):
                writer.transport.abort()
            return
        self._connections.add(server_out)
        try:
            await asyncio.gather(_pipe(client_in, server_out), _pipe(server_in, client_out))
        finally:
            self._connections -= {client_out, server_out}
            for writer in (client_out, server_out):
                writer.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    sink.transport.abort()


class Bot:
    """The running bot with the relay in front of its Telegram."""

    def __init__(self, running: RunningBot, relay: Relay) -> None:
        self.running = running
        self.relay = relay
        self.fake = running.fake
        self._users = iter(range(80_000, 90_000))

    def new_users(self, count: int) -> list[FakeUser]:
        return [FakeUser(id=next(self._users), first_name="Гость") for _ in range(count)]

    def replies_to(self, user: FakeUser) -> int:
        return sum(
            1
            for call in self.fake.calls_to("sendMessage")
            if call.ok and call.params.get("chat_id") == user.id
        )

    def log(self) -> str:
        return self.running.output()

    async def until(self, condition: Callable[[], bool], description: str) -> None:
        await self.running.unless_exited(self.fake.wait_until(condition, WAIT, description))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Bot]:
    async with FakeTelegram() as fake:
        relay = Relay(int(fake.base_url.rsplit(":", 1)[1]))
        await relay.on()
        running = await start_bot(
            fake,
            tmp_path_factory.mktemp("faults"),
            "polling",
            TELEGRAM_API_BASE=relay.base_url,
            POLL_TIMEOUT=str(POLL_TIMEOUT),
            POLL_RETRY_MAX="0.3",
        )
        try:
            await running.wait_until_serving()
            yield Bot(running, relay)
        finally:
            await running.kill()
            with contextlib.suppress(AssertionError):
                await relay.off()


async def during_incident(
    bot: Bot, start: Callable[[], Awaitable[object]], started: Callable[[], bool]
) -> tuple[list[FakeUser], int]:
    """Starts an incident; once ``started()`` says the bot is in it, five users write. Returns
    them and where the bot's log stood before the incident."""
    await bot.until(lambda: bot.fake.is_polling, "the bot polling")
    logged_before = len(bot.log())
    await start()
    await bot.until(started, "the incident to start")
    users = bot.new_users(5)
    for user in users:
        bot.fake.user_sends(QUESTION, user=user)
    return users, logged_before


async def recovered_answering_once(bot: Bot, users: list[FakeUser], since: int) -> str:
    """Waits until the bot says it recovered and every user is answered; the log since."""
    await bot.until(lambda: "getUpdates works again after" in bot.log()[since:], "recovery")
    await bot.until(lambda: all(bot.replies_to(user) for user in users), "every user answered")
    await bot.until(lambda: not bot.fake.pending_updates, "every update confirmed")
    assert [bot.replies_to(user) for user in users] == [1] * len(users)
    return bot.log()[since:]


def injecting(bot: Bot, fault: Fault) -> Callable[[], Awaitable[None]]:
    """Starts ``fault`` when called: the poll held open ends, the next one meets the fault."""
    bot.fake.faults.remove(fault)  # FakeTelegram applies a fault at once; the test says when

    async def start() -> None:
        bot.fake.faults.append(fault)
        bot.fake.end_long_polls()

    return start


def incident_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " WARNING bot.polling: " in line]


def assert_clean(bot: Bot, log: str) -> None:
    assert "Traceback" not in log
    assert bot.fake.token.split(":")[1] not in log


async def test_server_errors(bot: Bot) -> None:
    outage = bot.fake.fail("getUpdates", times=4, status=502, description="Bad Gateway")
    users, since = await during_incident(bot, injecting(bot, outage), lambda: outage.hits > 0)
    log = await recovered_answering_once(bot, users, since)
    [line] = incident_lines(log)
    assert "getUpdates failed: Telegram answered with a server error (Bad Gateway)" in line
    assert "getUpdates works again after 4 failed attempts" in log
    assert_clean(bot, log)


async def test_a_hung_poll(bot: Bot) -> None:
    hang = bot.fake.hang("getUpdates", times=1)
    users, since = await during_incident(bot, injecting(bot, hang), lambda: hang.hits > 0)
    log = await recovered_answering_once(bot, users, since)
    [line] = incident_lines(log)
    assert "getUpdates failed: cannot reach Telegram (Request timeout error)" in line
    assert_clean(bot, log)


async def test_refused_connections(bot: Bot) -> None:
    since = len(bot.log())

    def noticed() -> bool:
        return bool(incident_lines(bot.log()[since:]))

    users, since = await during_incident(bot, bot.relay.off, noticed)
    await asyncio.sleep(1.0)  # several refused retries (at most 0.3 s apart): one incident
    await bot.relay.on()
    log = await recovered_answering_once(bot, users, since)
    [line] = incident_lines(log)
    assert "getUpdates failed: cannot reach Telegram (" in line
    assert_clean(bot, log)


async def test_a_conflict_with_another_poller(bot: Bot) -> None:
    description = (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    conflict = bot.fake.fail("getUpdates", times=3, status=409, description=description)
    users, since = await during_incident(bot, injecting(bot, conflict), lambda: conflict.hits > 0)
    log = await recovered_answering_once(bot, users, since)
    [line] = incident_lines(log)
    assert "409 Conflict, another bot instance polls with this token or a webhook is set" in line
    assert_clean(bot, log)


async def test_a_revoked_token_ends_the_bot_with_one_line(bot: Bot) -> None:
    """Last: the bot exits."""
    since = len(bot.log())
    bot.fake.fail("getUpdates", times=None, status=401, description="Unauthorized")
    bot.fake.end_long_polls()
    code = await asyncio.wait_for(bot.running.process.wait(), WAIT)
    log = bot.log()[since:]
    assert code == 2, log
    errors = [line for line in log.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: Telegram refused BOT_TOKEN (401 Unauthorized): the token is wrong or was "
        "revoked; get the current one from @BotFather"
    ]
    assert_clean(bot, log)
