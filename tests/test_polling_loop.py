"""The polling loop (bot/polling.py) in this process, against the fake Telegram on 127.0.0.1.

The first tests drive ``Poller`` with a small handler that echoes each message, to pin down the
loop itself: a batch is confirmed only after it is handled and flushed, one chat's updates keep
their order, stop() finishes what is in flight and confirms it, failures of Telegram are one log
line each and retried. The last ones run the real bot (``open_app``) under the loop: a repeated
update is not answered twice, and a database that refuses writes does not stop the answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update

from bot.config import Settings, load_settings
from bot.polling import Backoff, Poller, TokenRejected
from bot.runner import App, open_app
from bot.texts import RUSSIAN
from tests.fake_telegram import FakeTelegram, FakeUser, render

REPO = Path(__file__).resolve().parents[1]
WAIT = 10.0  # upper bound on waits, never a measurement
QUICK = Backoff(first=0.01, cap=0.05)  # retries without making the tests slow


def person(number: int) -> FakeUser:
    return FakeUser(id=7000 + number, first_name=f"User{number}", language_code="ru")


def bot_for(fake: FakeTelegram) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(fake.token, session=session)


class Echo:
    """A handler that answers each message with ``echo: <text>`` and records what it saw."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.seen: list[int] = []
        self.gate: asyncio.Event | None = None  # when set up, handlers wait for it
        self.running = 0
        self.most_at_once = 0

    async def __call__(self, update: Update) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            if self.gate is not None:
                await self.gate.wait()
            assert update.message is not None
            await self.bot.send_message(update.message.chat.id, f"echo: {update.message.text}")
            self.seen.append(update.update_id)
        finally:
            self.running -= 1


class Flushes:
    """A stand-in for the journal's flush that remembers what Telegram had confirmed then."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.confirmed_at_flush: list[list[int]] = []

    async def __call__(self) -> bool:
        self.confirmed_at_flush.append(self.fake.confirmed_update_ids)
        return True


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = bot_for(fake)
    yield bot
    await bot.session.close()


async def polling(poller: Poller) -> asyncio.Task[None]:
    task = asyncio.create_task(poller.run())
    return task


async def stop(poller: Poller, task: asyncio.Task[None]) -> None:
    poller.stop()
    await asyncio.wait_for(task, WAIT)


def echoes(fake: FakeTelegram, user: FakeUser) -> list[str]:
    return [message.text for message in fake.bot_messages(user.id)]


def update_ids(sent: list[dict[str, object]], fake: FakeTelegram) -> list[int]:
    """The update ids the fake gave to the messages a test sent (in order)."""
    ids = []
    for update in fake.state.pending_updates:
        if update["message"]["message_id"] in {m["message_id"] for m in sent}:
            ids.append(update["update_id"])
    return ids


# --- the loop ---------------------------------------------------------------------------------


async def test_a_batch_is_confirmed_only_after_it_is_handled_and_flushed(
    fake: FakeTelegram, bot: Bot
) -> None:
    echo, flushes = Echo(bot), Flushes(fake)
    echo.gate = asyncio.Event()
    poller = Poller(bot, echo, flush=flushes, poll_timeout=1, backoff=QUICK)
    users = [person(n) for n in range(3)]
    for user in users:
        fake.user_sends(f"привет от {user.first_name}", user=user)
    expected = [update["update_id"] for update in fake.pending_updates]
    task = await polling(poller)

    await fake.wait_until(lambda: echo.running == 3, WAIT, "all three in the handler at once")
    assert fake.confirmed_update_ids == []  # handled by nobody yet: nothing confirmed
    polls_before = len(fake.calls_to("getUpdates"))
    await asyncio.sleep(0.05)
    assert len(fake.calls_to("getUpdates")) == polls_before  # no next batch asked for meanwhile

    echo.gate.set()
    await fake.wait_until(lambda: fake.confirmed_update_ids == expected, WAIT, "confirmation")
    await stop(poller, task)

    assert flushes.confirmed_at_flush[0] == []  # flushed before the confirming getUpdates
    assert sorted(echo.seen) == expected
    for user in users:
        assert echoes(fake, user) == [f"echo: привет от {user.first_name}"]


async def test_one_chats_updates_keep_their_order_while_chats_run_at_once(
    fake: FakeTelegram, bot: Bot
) -> None:
    echo = Echo(bot)
    poller = Poller(bot, echo, flush=Flushes(fake), poll_timeout=1, backoff=QUICK)
    ann, bob = person(1), person(2)
    for number in range(5):
        fake.user_sends(f"ann {number}", user=ann)
        fake.user_sends(f"bob {number}", user=bob)
    task = await polling(poller)
    await fake.wait_until(lambda: len(echo.seen) == 10, WAIT, "ten echoes")
    await stop(poller, task)

    assert echoes(fake, ann) == [f"echo: ann {n}" for n in range(5)]
    assert echoes(fake, bob) == [f"echo: bob {n}" for n in range(5)]
    assert echo.most_at_once == 2  # the two chats at once, never two of one chat


async def test_stop_while_idle_returns_and_updates_later_wait_for_the_next_run(
    fake: FakeTelegram, bot: Bot
) -> None:
    echo = Echo(bot)
    poller = Poller(bot, echo, flush=Flushes(fake), poll_timeout=30, backoff=QUICK)
    task = await polling(poller)
    await fake.wait_for_polling(WAIT)
    await stop(poller, task)  # does not wait out the 30-second long poll

    fake.user_sends("после остановки", user=person(1))
    assert fake.confirmed_update_ids == []
    assert len(fake.pending_updates) == 1


async def test_stop_finishes_the_updates_in_flight_and_confirms_them(
    fake: FakeTelegram, bot: Bot
) -> None:
    echo = Echo(bot)
    echo.gate = asyncio.Event()
    poller = Poller(bot, echo, flush=Flushes(fake), poll_timeout=30, backoff=QUICK)
    user = person(1)
    fake.user_sends("в полёте", user=user)
    [update_id] = [update["update_id"] for update in fake.pending_updates]
    task = await polling(poller)
    await fake.wait_until(lambda: echo.running == 1, WAIT, "the update in the handler")

    poller.stop()
    await asyncio.sleep(0)
    echo.gate.set()
    await asyncio.wait_for(task, WAIT)

    assert echoes(fake, user) == ["echo: в полёте"]
    assert fake.confirmed_update_ids == [update_id]
    last_poll = fake.calls_to("getUpdates")[-1]
    assert last_poll.params["offset"] == update_id + 1
    assert last_poll.params.get("timeout", 0) == 0  # a confirmation, not a wait


async def test_an_update_stuck_at_shutdown_is_left_for_telegram_to_send_again(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    stuck_chat = person(2)

    async def handle(update: Update) -> None:
        assert update.message is not None
        if update.message.chat.id == stuck_chat.id:
            await asyncio.Event().wait()  # never finishes
        await bot.send_message(update.message.chat.id, "ok")

    poller = Poller(
        bot, handle, flush=Flushes(fake), poll_timeout=30, backoff=QUICK, shutdown_grace=0.2
    )
    for number in (1, 2, 3):
        fake.user_sends("вопрос", user=person(number))
    first, second, third = (update["update_id"] for update in fake.pending_updates)
    task = await polling(poller)
    await fake.wait_for_calls("sendMessage", 2, timeout=WAIT)
    await stop(poller, task)

    # Everything before the stuck update is confirmed; from it on, Telegram keeps them (the third
    # was answered: a restart skips it as handled, see the App tests below).
    assert fake.confirmed_update_ids == [first]
    assert [update["update_id"] for update in fake.pending_updates] == [second, third]
    assert "1 updates were still being handled at shutdown" in caplog.text


async def test_a_failing_handler_does_not_stop_the_others(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    echo = Echo(bot)

    async def handle(update: Update) -> None:
        assert update.message is not None
        if update.message.text == "сломай":
            raise RuntimeError("a bug in a handler")
        await echo(update)

    poller = Poller(bot, handle, flush=Flushes(fake), poll_timeout=1, backoff=QUICK)
    user = person(1)
    fake.user_sends("сломай", user=user)
    fake.user_sends("дальше", user=user)
    expected = [update["update_id"] for update in fake.pending_updates]
    task = await polling(poller)
    await fake.wait_until(lambda: fake.confirmed_update_ids == expected, WAIT, "both confirmed")
    await stop(poller, task)

    assert echoes(fake, user) == ["echo: дальше"]
    assert f"update {expected[0]} could not be handled" in caplog.text


# --- Telegram failing -------------------------------------------------------------------------


def incident_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "bot.polling" and record.levelno >= logging.WARNING
    ]


async def outage_then_recovery(
    fake: FakeTelegram,
    bot: Bot,
    caplog: pytest.LogCaptureFixture,
    inject: Callable[[], object],
    *,
    poll_timeout: int = 1,
) -> list[FakeUser]:
    """Polls, injects a failure, sends messages during it; returns once all are echoed."""
    caplog.set_level(logging.DEBUG, logger="bot.polling")
    echo = Echo(bot)
    poller = Poller(bot, echo, flush=Flushes(fake), poll_timeout=poll_timeout, backoff=QUICK)
    task = await polling(poller)
    await fake.wait_for_polling(WAIT)
    inject()
    fake.end_long_polls()
    users = [person(n) for n in range(4)]
    for user in users:
        fake.user_sends(f"во время сбоя {user.id}", user=user)
    expected = [update["update_id"] for update in fake.pending_updates]
    await fake.wait_until(lambda: fake.confirmed_update_ids == expected, 3 * WAIT, "recovery")
    await stop(poller, task)
    for user in users:  # exactly once each
        assert echoes(fake, user) == [f"echo: во время сбоя {user.id}"]
    assert sorted(echo.seen) == expected
    return users


async def test_server_errors_are_one_line_and_retried(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    outage = fake.fail("getUpdates", times=4, status=502, description="Bad Gateway")
    await outage_then_recovery(fake, bot, caplog, lambda: fake.faults.append(outage))
    [line] = incident_lines(caplog)
    assert line.startswith("getUpdates failed: Telegram answered with a server error (")
    assert "Bad Gateway" in line
    assert "getUpdates works again after 4 failed attempts" in caplog.text
    assert "Traceback" not in caplog.text
    assert fake.token.split(":")[1] not in caplog.text


async def test_a_hung_poll_times_out_and_polling_goes_on(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fault = fake.hang("getUpdates", times=1)
    fake.faults.remove(fault)
    await outage_then_recovery(fake, bot, caplog, lambda: fake.faults.append(fault))
    [line] = incident_lines(caplog)
    assert line.startswith("getUpdates failed: cannot reach Telegram (")
    assert fault.exhausted


async def test_dropped_connections_are_one_line_and_retried(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fault = fake.drop_connection("getUpdates", times=3)
    fake.faults.remove(fault)
    await outage_then_recovery(fake, bot, caplog, lambda: fake.faults.append(fault))
    [line] = incident_lines(caplog)
    assert line.startswith("getUpdates failed: cannot reach Telegram (")


async def test_a_conflict_is_named_clearly_and_retried(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    description = (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    fault = fake.fail("getUpdates", times=3, status=409, description=description)
    fake.faults.remove(fault)
    await outage_then_recovery(fake, bot, caplog, lambda: fake.faults.append(fault))
    [line] = incident_lines(caplog)
    assert "409 Conflict, another bot instance polls with this token or a webhook is set" in line


async def test_flood_control_waits_as_long_as_telegram_asks(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fault = fake.flood("getUpdates", retry_after=1, times=1)
    fake.faults.remove(fault)
    await outage_then_recovery(fake, bot, caplog, lambda: fake.faults.append(fault))
    [line] = incident_lines(caplog)
    assert "flood control, Telegram asks to wait 1 s" in line


async def test_a_revoked_token_stops_polling_with_one_clear_error(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("getUpdates", times=None, status=401, description="Unauthorized")
    poller = Poller(bot, Echo(bot), flush=Flushes(fake), poll_timeout=1, backoff=QUICK)
    with pytest.raises(TokenRejected) as caught:
        await asyncio.wait_for(poller.run(), WAIT)
    assert caught.value.exit_code == 2
    assert caught.value.message == (
        "Telegram refused BOT_TOKEN (401 Unauthorized): the token is wrong or was revoked; "
        "get the current one from @BotFather"
    )
    assert len(fake.calls_to("getUpdates")) == 1  # no retrying a token Telegram refused


async def test_start_up_calls_are_retried_like_polls(
    fake: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("deleteWebhook", times=2, status=500)
    poller = Poller(bot, Echo(bot), flush=Flushes(fake), poll_timeout=1, backoff=QUICK)
    task = asyncio.create_task(poller.run(prepare=lambda: bot.delete_webhook()))
    await fake.wait_for_polling(WAIT)
    await stop(poller, task)
    assert [call.status for call in fake.calls_to("deleteWebhook")] == [500, 500, 200]
    [line] = incident_lines(caplog)
    assert line.startswith("start-up failed: Telegram answered with a server error")


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    backoff = Backoff(first=0.5, cap=10.0, jitter=0.2)
    for attempt, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]):
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(0.8 * base <= delay <= min(10.0, 1.2 * base) for delay in delays), attempt
        assert len(set(delays)) > 1  # spread, so that many bots do not retry in step
    assert backoff.delay(10_000) <= 10.0
    assert Backoff(first=0.5, cap=0.2).delay(0) <= 0.2


# --- the real bot under the loop --------------------------------------------------------------


def settings_for(fake: FakeTelegram, tmp_path: Path) -> Settings:
    environ = {
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE": fake.base_url,
        "FAQ_PATH": str(REPO / "data" / "faq.toml"),
        "DATABASE_PATH": str(tmp_path / "faq.sqlite3"),
    }
    return load_settings(environ=environ, env_file=None)


async def serving(app: App, body: Callable[[Poller], Awaitable[None]]) -> None:
    poller = Poller(
        app.bot,
        app.handle_update,
        flush=app.journal.flush,
        allowed_updates=app.dispatcher.resolve_used_update_types(),
        poll_timeout=1,
        backoff=QUICK,
    )
    task = asyncio.create_task(poller.run())
    try:
        await body(poller)
    finally:
        poller.stop()
        await asyncio.wait_for(task, WAIT)


async def test_an_update_handled_before_a_restart_is_not_answered_again(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_for(fake, tmp_path)
    first, second = person(1), person(2)
    fake.user_sends("как приготовить борщ?", user=first)
    fake.user_sends("как приготовить борщ?", user=second)
    handled_id, new_id = (update["update_id"] for update in fake.pending_updates)
    # A previous run answered the first and wrote its row, then died before confirming it.
    async with open_app(settings) as app:
        await app.db.mark_handled(handled_id)

    async def both_confirmed(poller: Poller) -> None:
        await fake.wait_until(
            lambda: fake.confirmed_update_ids == [handled_id, new_id], WAIT, "confirmation"
        )

    async with open_app(settings) as app:
        await serving(app, both_confirmed)
        assert await app.db.handled_among([handled_id, new_id]) == {handled_id, new_id}

    assert fake.bot_messages(first.id) == []
    assert [m.text for m in fake.bot_messages(second.id)] == [render(RUSSIAN.not_found)]
    assert f"update {handled_id} was handled before; not answering it again" in caplog.text


async def test_questions_are_logged_with_their_update_before_being_confirmed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path)
    users = [person(n) for n in range(5)]
    for user in users:
        fake.user_sends("что с Байконуром?", user=user)
    expected = [update["update_id"] for update in fake.pending_updates]

    async with open_app(settings) as app:

        async def all_confirmed(poller: Poller) -> None:
            await fake.wait_until(
                lambda: fake.confirmed_update_ids == expected, WAIT, "confirmation"
            )

        await serving(app, all_confirmed)
        rows = await app.db.recent_questions(limit=10)

    assert sorted(row.update_id for row in rows if row.update_id) == expected
    assert {row.entry_id for row in rows} == {"priorities"}
    for user in users:
        assert len(fake.bot_messages(user.id)) >= 1


async def test_the_bot_keeps_answering_while_the_database_refuses_writes(
    fake: FakeTelegram, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(fake, tmp_path)
    users = [person(n) for n in range(3)]

    async with open_app(settings) as app:

        async def while_read_only(poller: Poller) -> None:
            await fake.wait_for_polling(WAIT)
            await app.db._connection.execute("PRAGMA query_only = ON")  # as a read-only file
            for user in users:
                fake.user_sends("как приготовить борщ?", user=user)
            await fake.wait_until(
                lambda: all(fake.bot_messages(user.id) for user in users), WAIT, "answers"
            )
            await fake.wait_until(lambda: app.journal.refusing, WAIT, "the journal to give up")
            await app.db._connection.execute("PRAGMA query_only = OFF")
            assert await app.journal.flush()

        await serving(app, while_read_only)
        rows = await app.db.recent_questions(limit=10)

    for user in users:
        assert [m.text for m in fake.bot_messages(user.id)] == [render(RUSSIAN.not_found)]
    assert sorted(row.user_id for row in rows) == [user.id for user in users]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "refuses writes (attempt to write a readonly database)" in errors[0].getMessage()
