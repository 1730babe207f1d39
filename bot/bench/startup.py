"""Seconds and memory from process start to the first ``getUpdates``.

A tiny fake Bot API on 127.0.0.1 answers what a bot asks while starting (``getMe``,
``deleteWebhook``, ``setMyCommands``, ...) and notes when each bot first asks for updates: by
then the bot has loaded everything and is ready to answer. At that moment it reads the bot
process's resident memory from /proc. The FAQ bot (``python -m bot``) is started next to a bare
aiogram bot (a generated script: Bot, Dispatcher, one handler, ``start_polling``), in turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.bench.measure import BenchError, cpu_seconds, median, rss_mib

START_TIMEOUT = 60.0  # seconds a bot may take to reach getUpdates before the bench gives up
STOP_TIMEOUT = 10.0
POLL_HOLD = 0.5  # seconds the fake holds each getUpdates, as Telegram holds a long poll

BARE_BOT = textwrap.dedent(
    """
    import asyncio
    import os

    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    dispatcher = Dispatcher()


    @dispatcher.message(F.text)
    async def answer(message: Message) -> None:
        await message.answer("Спасибо, вопрос получен.")


    async def main() -> None:
        api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"])
        bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
        await dispatcher.start_polling(bot)


    asyncio.run(main())
    """
)


@dataclass(frozen=True)
class StartupResult:
    runs: int
    faq_s: float  # median seconds from spawning the process to its first getUpdates
    bare_s: float
    faq_rss_mib: float  # median resident memory at that moment
    bare_rss_mib: float
    faq_cpu_s: float  # median CPU time the process had used by then (immune to a busy machine)
    bare_cpu_s: float


@dataclass(frozen=True)
class _Start:
    seconds: float
    rss_mib: float
    cpu_s: float


@dataclass
class _FirstPoll:
    pid: int
    seconds: float = 0.0  # perf_counter time of the first getUpdates
    rss_mib: float = 0.0
    cpu_s: float = 0.0
    seen: asyncio.Event = field(default_factory=asyncio.Event)


class FakeBotApi:
    """Answers every Bot API method a starting bot calls; records each token's first poll."""

    def __init__(self) -> None:
        self._expected: dict[str, _FirstPoll] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, token: str, pid: int) -> _FirstPoll:
        self._expected[token] = _FirstPoll(pid)
        return self._expected[token]

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if method == "getMe":
            return _ok(
                {
                    "id": int(token.split(":")[0]),
                    "is_bot": True,
                    "first_name": "Bench",
                    "username": "bench_bot",
                    "can_join_groups": True,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if method != "getUpdates":
            return _ok(True)  # deleteWebhook, setMyCommands, ...: accepted
        poll = self._expected.get(token)
        if poll is not None and not poll.seen.is_set():
            poll.seconds = time.perf_counter()
            poll.rss_mib = rss_mib(poll.pid)
            poll.cpu_s = cpu_seconds(poll.pid)
            poll.seen.set()
        await asyncio.sleep(POLL_HOLD)
        return _ok([])


def _ok(result: object) -> web.Response:
    return web.json_response({"ok": True, "result": result})


async def _start_once(
    api: FakeBotApi, command: list[str], environ: Mapping[str, str], token: str, log: Path
) -> _Start:
    """Start one bot, wait for its first getUpdates, stop it."""
    env = {**environ, "BOT_TOKEN": token, "TELEGRAM_API_BASE": api.base}
    with log.open("wb") as output:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output
        )
    poll = api.expect(token, process.pid)
    try:
        await _wait_for_poll(poll, process, log)
    finally:
        await _stop(process)
    return _Start(poll.seconds - started, poll.rss_mib, poll.cpu_s)


async def _wait_for_poll(poll: _FirstPoll, process: asyncio.subprocess.Process, log: Path) -> None:
    polled = asyncio.create_task(poll.seen.wait())
    exited = asyncio.create_task(process.wait())
    done, _ = await asyncio.wait(
        {polled, exited}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    polled.cancel()
    exited.cancel()
    if polled not in done:
        why = "exited" if exited in done else f"did not poll within {START_TIMEOUT:.0f} s"
        raise BenchError(f"a bot being timed {why}; its last words: {_last_lines(log)}")


def _last_lines(log: Path, count: int = 3) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(lines[-count:]) if lines else "(no output)"


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


def _fake_token(number: int) -> str:
    """Well-formed (digits, a colon, 30+ letters) and obviously not a real token."""
    return f"{100000 + number}:BENCH{'x' * 30}"


async def measure_startup(faq_path: Path, runs: int) -> StartupResult:
    """Start the FAQ bot and the bare bot ``runs`` times each, in turns."""
    api = FakeBotApi()
    await api.start()
    try:
        with tempfile.TemporaryDirectory(prefix="faq-bench-") as workdir:
            folder = Path(workdir)
            bare_script = folder / "bare_bot.py"
            bare_script.write_text(BARE_BOT, encoding="utf-8")
            faq: list[_Start] = []
            bare: list[_Start] = []
            for run in range(runs):
                environ = _faq_environ(faq_path, folder / f"faq-{run}.sqlite3")
                faq.append(
                    await _start_once(
                        api,
                        [sys.executable, "-m", "bot"],
                        environ,
                        _fake_token(2 * run),
                        folder / "faq.log",
                    )
                )
                bare.append(
                    await _start_once(
                        api,
                        [sys.executable, str(bare_script)],
                        os.environ,
                        _fake_token(2 * run + 1),
                        folder / "bare.log",
                    )
                )
    finally:
        await api.stop()
    return StartupResult(
        runs=runs,
        faq_s=median([s.seconds for s in faq]),
        bare_s=median([s.seconds for s in bare]),
        faq_rss_mib=median([s.rss_mib for s in faq]),
        bare_rss_mib=median([s.rss_mib for s in bare]),
        faq_cpu_s=median([s.cpu_s for s in faq]),
        bare_cpu_s=median([s.cpu_s for s in bare]),
    )


def _faq_environ(faq_path: Path, database: Path) -> dict[str, str]:
    """The operator's environment, pointed at a throwaway database and made to poll."""
    environ = dict(os.environ)
    environ.update(
        {"FAQ_PATH": str(faq_path), "DATABASE_PATH": str(database), "BOT_MODE": "polling"}
    )
    with contextlib.suppress(KeyError):
        del environ["WEBHOOK_URL"]
    return environ
