"""Secrets never reach the output: the bot token (and its secret part after the colon) and the
webhook secret, in everything the bot process prints, at DEBUG, while Telegram fails in every
way it can; and in the one line a settings mistake prints.

The dangerous failures are the ones whose error text quotes the request URL, which carries the
token (a malformed HTTP answer: aiohttp's ClientResponseError says ``url='.../bot<token>/...'``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.bot_process import (
    REPLY_TIMEOUT,
    REPO,
    WEBHOOK_SECRET,
    RunningBot,
    start_bot,
)
from tests.fake_telegram import FakeTelegram, FakeUser

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals")

# Distinctive, so that a hit cannot be a coincidence; shaped as @BotFather's.
TOKEN = "7345120987:AAGsecretPartOfTheTokenXyZ_12345abcd"
TOKEN_TAIL = TOKEN.split(":", 1)[1]
SECRETS = {"the bot token": TOKEN, "the token's secret part": TOKEN_TAIL}
USER = FakeUser(id=5005, first_name="Ардак", language_code="ru")


def leaks(output: str, secrets: dict[str, str]) -> list[str]:
    """The lines that show a secret, with the secret masked (the report must not leak it)."""
    found = []
    for number, line in enumerate(output.splitlines(), 1):
        for name, value in secrets.items():
            if value in line:
                found.append(f"line {number} shows {name}: {line.replace(value, '<SECRET>')}")
    return found


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as fake:
        yield fake


async def until(bot: RunningBot, condition: object, what: str) -> None:
    assert callable(condition)
    await bot.unless_exited(bot.fake.wait_until(condition, REPLY_TIMEOUT, what))


async def stop(bot: RunningBot) -> str:
    if bot.process.returncode is None:
        await bot.terminate()
    return bot.output()


async def test_polling_at_debug_with_telegram_failing_never_prints_the_token(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    garbage_at_start = fake.garble(times=2)  # deleteWebhook, retried, and the next call
    bot = await start_bot(fake, tmp_path, "polling", LOG_LEVEL="DEBUG", POLL_RETRY_MAX="0.5")
    try:
        await bot.wait_until_serving()
        assert garbage_at_start.exhausted
        faults = [
            fake.fail("getUpdates", status=500, description="Internal Server Error"),
            fake.garble("getUpdates"),
            fake.drop_connection("getUpdates"),
        ]
        fake.end_long_polls()
        await until(bot, lambda: all(f.exhausted for f in faults), "the failed polls")

        garbled_reply = fake.garble("sendMessage")
        fake.user_sends("что с Байконуром?", user=USER)
        await until(bot, lambda: garbled_reply.exhausted, "the garbled reply")
        fake.user_sends("/start", user=USER)
        await bot.wait_for("sendMessage", lambda c: c.ok)

        rejected = fake.fail(times=None, status=401, description="Unauthorized")
        fake.end_long_polls()
        await until(bot, lambda: rejected.hits >= 1, "a rejected token")
        output = await stop(bot)
    finally:
        await bot.kill()

    assert leaks(output, SECRETS) == []
    assert " DEBUG " in output  # the test read a debug log, not an empty one
    assert "ClientResponseError" in output  # the error that quotes the URL was logged...
    assert "/bot***/" in output  # ...with the token blanked out


async def test_webhook_at_debug_with_telegram_failing_never_prints_the_secrets(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    secrets = {**SECRETS, "the webhook secret": WEBHOOK_SECRET}
    faults_at_start = [
        fake.garble("getMe"),  # in the start-up hooks
        fake.fail("setWebhook", status=502, description="Bad Gateway"),
        fake.garble("setWebhook"),
    ]
    bot = await start_bot(fake, tmp_path, "webhook", LOG_LEVEL="DEBUG", POLL_RETRY_MAX="0.5")
    try:
        await bot.wait_until_serving()
        assert all(fault.exhausted for fault in faults_at_start)
        garbled_reply = fake.garble("sendMessage")
        fake.user_sends("что с Байконуром?", user=USER)
        await until(bot, lambda: garbled_reply.exhausted, "the garbled reply")
        fake.user_sends("/start", user=USER)
        await bot.wait_for("sendMessage", lambda c: c.ok)

        async with aiohttp.ClientSession() as http:
            url = f"{bot.webhook_base}/telegram/webhook"
            near_miss = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET[:-1]}
            async with http.post(url, json={"update_id": 1}, headers=near_miss) as response:
                assert response.status == 403
        output = await stop(bot)
    finally:
        await bot.kill()

    assert leaks(output, secrets) == []
    assert " DEBUG " in output
    assert "ClientResponseError" in output
    assert "refused" in output  # the forbidden request was logged, without the header


def run_cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def clean_environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.pop("TELEGRAM_API_BASE", None)
    return env | {
        "PYTHONPATH": str(REPO),
        "DATABASE_PATH": str(database),
        "FAQ_PATH": str(REPO / "data" / "faq.toml"),
        "LOG_LEVEL": "DEBUG",
    }


@pytest.mark.parametrize(
    ("settings", "secret"),
    [
        ({"BOT_TOKEN": TOKEN[:-20]}, TOKEN[:-20].split(":")[1]),  # too short
        ({"BOT_TOKEN": TOKEN + " extra"}, TOKEN_TAIL),
        ({"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": f"ftp://x/bot{TOKEN}"}, TOKEN_TAIL),
        (
            {
                "BOT_TOKEN": TOKEN,
                "BOT_MODE": "webhook",
                "WEBHOOK_URL": f"http://bot.example.test/{TOKEN_TAIL}",
                "WEBHOOK_SECRET": "s",
            },
            TOKEN_TAIL,
        ),
        (
            {
                "BOT_TOKEN": TOKEN,
                "BOT_MODE": "webhook",
                "WEBHOOK_URL": "https://bot.example.test/hook",
                "WEBHOOK_SECRET": "has spaces and $ymbols but is secret",
            },
            "has spaces and $ymbols but is secret",
        ),
    ],
    ids=["short-token", "token-with-junk", "token-in-api-base", "token-in-url", "bad-secret"],
)
@pytest.mark.parametrize("command", ["run", "health"])
def test_settings_mistakes_are_one_line_without_the_secret(
    tmp_path: Path, settings: dict[str, str], secret: str, command: str
) -> None:
    done = run_cli(clean_environment(tmp_path / "faq.sqlite3") | settings, tmp_path, command)
    output = done.stdout + done.stderr

    assert done.returncode == (2 if command == "run" else 1)
    assert len(output.strip().splitlines()) == 1, output
    assert re.match(r"^(error|unhealthy): [A-Z_]+ ", output)
    assert leaks(output, {"the secret": secret}) == []


def test_uncaught_exceptions_and_warnings_are_redacted_too(tmp_path: Path) -> None:
    """Python prints these itself, outside logging; configure_logging routes them through the
    redaction as well (a network error's text can quote the URL, token included)."""
    script = f"""
import threading, warnings
from bot.logging_setup import configure_logging
configure_logging("INFO", [{TOKEN!r}, {WEBHOOK_SECRET!r}])
warnings.warn("a warning about {TOKEN}")
thread = threading.Thread(target=lambda: 1 / 0 if "{TOKEN_TAIL}" else None)
thread.start(); thread.join()
raise RuntimeError("url='http://127.0.0.1/bot{TOKEN}/getMe' secret={WEBHOOK_SECRET}")
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert leaks(output, {**SECRETS, "the webhook secret": WEBHOOK_SECRET}) == []
    assert "UserWarning: a warning about ***" in output
    assert "ZeroDivisionError" in output
    assert "RuntimeError: url='http://127.0.0.1/bot***/getMe' secret=***" in output
