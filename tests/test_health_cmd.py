"""`python -m bot health`: one line and exit 0 or 1, in both modes, whatever goes wrong."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from bot.commands import health_cmd
from bot.commands.health_cmd import health_url
from bot.heartbeat import Heartbeat, heartbeat_path

REPO = Path(__file__).resolve().parent.parent
SETTINGS_PREFIXES = ("BOT_", "WEBHOOK_", "TELEGRAM_", "DATABASE_", "FAQ_", "LOG_")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bot's settings in a clean environment and a folder without a .env; the database path."""
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "var" / "faq.sqlite3"
    database.parent.mkdir()
    monkeypatch.setenv("DATABASE_PATH", str(database))
    return database


def health(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["health", *args])
    out, err = capsys.readouterr()
    assert err == ""
    [line] = out.splitlines()
    return code, line


# --- polling mode: the heartbeat --------------------------------------------------------------


def test_polling_without_a_heartbeat_is_unhealthy(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = health(capsys)
    assert code == 1
    assert line == (
        f"unhealthy: no heartbeat at {heartbeat_path(database)} yet: "
        "the bot has not polled Telegram"
    )


def test_polling_with_a_fresh_heartbeat_is_healthy(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Heartbeat(heartbeat_path(database)).beat()
    code, line = health(capsys)
    assert code == 0
    assert line.startswith("ok: Telegram answered ")


def test_polling_with_a_stale_heartbeat_is_unhealthy(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = heartbeat_path(database)
    path.touch()
    two_hundred_seconds_ago = time.time() - 200
    os.utime(path, (two_hundred_seconds_ago, two_hundred_seconds_ago))

    code, line = health(capsys)
    assert code == 1
    assert line.startswith("unhealthy: Telegram last answered 20")
    assert line.endswith("s ago (limit 90 s)")
    assert health(capsys, "--max-age", "600")[0] == 0


def test_a_settings_mistake_is_unhealthy_not_exit_2(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Docker reserves exit code 2; and the malformed token is not printed."""
    monkeypatch.setenv("BOT_TOKEN", "12345:tooShortSecretPart")
    code, line = health(capsys)
    assert code == 1
    assert line.startswith("unhealthy: BOT_TOKEN in the environment looks malformed")
    assert "tooShortSecretPart" not in line


# --- webhook mode: /healthz -------------------------------------------------------------------


class HealthServer:
    """A stand-in for the webhook server's /healthz, answering ``status`` (or holding)."""

    def __init__(self) -> None:
        self.status = 200
        self.hold = False
        self.release = asyncio.Event()
        self.port = 0

    async def healthz(self, request: web.Request) -> web.Response:
        if self.hold:
            await self.release.wait()
        return web.json_response({"status": "x"}, status=self.status)


@pytest.fixture
async def health_server(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[HealthServer]:
    server = HealthServer()
    app = web.Application()
    app.router.add_get("/healthz", server.healthz)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    server.port = runner.addresses[0][1]
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.test/webhook")
    monkeypatch.setenv("WEBHOOK_SECRET", "secret")
    monkeypatch.setenv("WEBHOOK_PORT", str(server.port))
    yield server
    server.release.set()
    await runner.cleanup()


async def health_in_thread(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    # The check blocks (urllib); the server it asks runs on this test's event loop.
    return await asyncio.to_thread(health, capsys)


async def test_webhook_answering_200_is_healthy(
    health_server: HealthServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = await health_in_thread(capsys)
    assert code == 0
    url = f"http://127.0.0.1:{health_server.port}/healthz"
    assert line == f"ok: the webhook server answers at {url}"


async def test_webhook_answering_503_is_unhealthy(
    health_server: HealthServer, capsys: pytest.CaptureFixture[str]
) -> None:
    health_server.status = 503
    code, line = await health_in_thread(capsys)
    assert code == 1
    assert line.endswith("answered 503 (starting or stopping)")


async def test_webhook_not_answering_in_time_is_unhealthy(
    health_server: HealthServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(health_cmd, "HTTP_TIMEOUT", 0.2)
    health_server.hold = True
    code, line = await health_in_thread(capsys)
    assert code == 1
    assert line.startswith(f"unhealthy: no answer from http://127.0.0.1:{health_server.port}/")


async def test_webhook_not_listening_is_unhealthy(
    health_server: HealthServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_PORT", "9")  # discard: nothing listens there
    code, line = await health_in_thread(capsys)
    assert code == 1
    assert line.startswith("unhealthy: no answer from http://127.0.0.1:9/healthz: ")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080/healthz"),
        ("::", "http://[::1]:8080/healthz"),
        ("127.0.0.1", "http://127.0.0.1:8080/healthz"),
        ("10.1.2.3", "http://10.1.2.3:8080/healthz"),
        ("fd00::5", "http://[fd00::5]:8080/healthz"),
    ],
)
def test_health_asks_where_the_server_listens(host: str, url: str) -> None:
    assert health_url(host, 8080) == url


def test_the_command_line_prints_one_line_and_exits_1(database: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith("unhealthy: no heartbeat at ")
    assert len(done.stdout.splitlines()) == 1
