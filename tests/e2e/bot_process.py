"""``python -m bot`` in its own process against the fake Telegram, in polling or webhook mode.

    async with FakeTelegram() as fake:
        running = await start_bot(fake, workdir, mode="webhook")
        fake.user_sends("/start")
        await running.wait_for("sendMessage")
        assert await running.terminate() == 0

The process runs in an empty working directory (no developer's .env is read, nothing is written
to the repository) with stdin not a terminal, as under a service manager. In webhook mode it
listens on a free port of 127.0.0.1 and the fake routes the public webhook URL there, as the
operator's reverse proxy does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.fake_telegram import Call, FakeTelegram

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
FAQ_PATH = REPO / "data" / "faq.toml"
MODES = ("polling", "webhook")
START_TIMEOUT = 60.0  # importing aiogram and loading the dictionaries on a busy 2-core machine
REPLY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
PUBLIC_BASE = "https://faq-bot.example.test"
WEBHOOK_URL = f"{PUBLIC_BASE}/telegram/webhook"
WEBHOOK_SECRET = "e2e-Webhook_Secret-4f9c2b7d1a"
# Variables of the developer's shell that would change how the bot runs.
BOT_VARIABLES = (
    "BOT_TOKEN", "TELEGRAM_API_BASE", "DATABASE_PATH", "FAQ_PATH", "ADMIN_IDS", "LOG_LEVEL",
    "ANSWER_THRESHOLD", "SUGGEST_THRESHOLD", "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET",
    "WEBHOOK_HOST", "WEBHOOK_PORT", "THROTTLE_RATE", "THROTTLE_WINDOW", "POLL_TIMEOUT",
    "POLL_RETRY_MAX",
)  # fmt: skip


def free_port() -> int:
    """A port nothing listens on now (the bot binds it a moment later; a clash is unlikely)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(
    fake: FakeTelegram, database: Path, mode: str, **overrides: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    env.update(
        BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE=fake.base_url,
        FAQ_PATH=str(FAQ_PATH),
        DATABASE_PATH=str(database),
        LOG_LEVEL="INFO",
        BOT_MODE=mode,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    if mode == "webhook":
        env.update(
            WEBHOOK_URL=WEBHOOK_URL,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(free_port()),
        )
    env.update(overrides)
    return env


@dataclass
class RunningBot:
    fake: FakeTelegram
    process: asyncio.subprocess.Process
    mode: str
    workdir: Path
    env: dict[str, str]
    stdout: Path
    stderr: Path
    exit_code: int | None = field(default=None)

    @property
    def database(self) -> Path:
        return Path(self.env["DATABASE_PATH"])

    @property
    def webhook_base(self) -> str:
        """The bot's own HTTP server (webhook mode)."""
        return f"http://127.0.0.1:{self.env['WEBHOOK_PORT']}"

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    async def wait_for(self, method: str, predicate: Any = None, **kwargs: Any) -> Call:
        """Like FakeTelegram.wait_for, but fails at once, with the bot's output, if it exits."""
        timeout = kwargs.pop("timeout", REPLY_TIMEOUT)
        return await self.unless_exited(self.fake.wait_for(method, predicate, timeout, **kwargs))

    async def unless_exited(self, wait: Awaitable[T]) -> T:
        waiting = asyncio.ensure_future(wait)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not waiting.done():
            waiting.cancel()
            raise AssertionError(
                f"the bot exited with code {self.process.returncode}:\n{self.output()}"
            )
        return waiting.result()

    async def wait_until_serving(self, timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
        """Until the bot long-polls (polling) or has set its webhook (webhook)."""
        if self.mode == "polling":
            await self.unless_exited(self.fake.wait_for_polling(timeout))
        else:
            ready = self.fake.wait_until(
                lambda: bool(self.fake.webhook.get("url")), timeout, "the bot to set its webhook"
            )
            await self.unless_exited(ready)

    async def health(self) -> tuple[int, str]:
        """``python -m bot health`` in the bot's environment: exit code and output."""
        checker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "health",
            cwd=self.workdir,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(checker.communicate(), STOP_TIMEOUT * 3)
        return int(checker.returncode or 0), out.decode(errors="replace")

    async def terminate(self) -> int:
        """SIGTERM, as ``docker stop`` sends it; the exit code (fails if the bot ignores it)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"the bot ignored SIGTERM:\n{self.output()}") from None
        self.exit_code = code
        return code

    async def kill(self) -> None:
        if self.process.returncode is not None:
            return
        self.process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)


async def start_bot(
    fake: FakeTelegram, workdir: Path, mode: str = "polling", **overrides: str
) -> RunningBot:
    """Starts ``python -m bot`` (not waiting for it to serve: see wait_until_serving)."""
    env = bot_environment(fake, workdir / "var" / "faq.sqlite3", mode, **overrides)
    stdout, stderr = workdir / "stdout.log", workdir / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,  # not a terminal: a service, as in production
            stdout=out,
            stderr=err,
        )
    if mode == "webhook":
        fake.route_webhook(PUBLIC_BASE, f"http://127.0.0.1:{env['WEBHOOK_PORT']}")
    return RunningBot(fake, process, mode, workdir, env, stdout, stderr)
