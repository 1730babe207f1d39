"""`python -m bot` as an operator meets it: one line for a mistake, a console when there is no
token on a terminal."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.runner import NO_TOKEN_NOTICE
from tests.conftest import FAQ_PATH
from tests.on_disk import on_disk

FAKE_TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghijkl"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment without any of the bot's settings; cwd will be ``tmp_path`` (no .env)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    clean.pop("TELEGRAM_API_BASE", None)
    return clean | {"FAQ_PATH": str(FAQ_PATH), "DATABASE_PATH": str(tmp_path / "db.sqlite3")}


def run_bot(
    env: dict[str, str], cwd: Path, *args: str, stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def test_missing_token_without_a_terminal_is_one_line_and_exit_2(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = run_bot(env, tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: BOT_TOKEN is not set")
    assert "Traceback" not in done.stderr


def test_run_is_the_default_command(env: dict[str, str], tmp_path: Path) -> None:
    assert run_bot(env, tmp_path, "run").returncode == 2


def test_a_broken_knowledge_base_is_one_line_without_the_token(
    env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "faq.toml"
    broken.write_text('title = "x"\n[[sections]]\nid = \n', encoding="utf-8")
    env |= {"BOT_TOKEN": FAKE_TOKEN, "FAQ_PATH": str(broken)}

    done = run_bot(env, tmp_path)

    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ")
    assert "faq.toml" in line
    assert FAKE_TOKEN.split(":")[1] not in done.stderr + done.stdout
    assert not (tmp_path / "db.sqlite3").exists()  # checked before anything is opened


def test_missing_token_on_a_terminal_opens_the_console_chat(
    env: dict[str, str], tmp_path: Path
) -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        os.write(controller, b"/quit\n")
        stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)

    assert process.returncode == 0, stderr
    assert stdout.splitlines()[0] == NO_TOKEN_NOTICE
    assert "bot> Здравствуйте" in stdout


def test_ctrl_c_leaves_the_console_chat_cleanly(env: dict[str, str], tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
        )
        assert process.stdout is not None
        seen = b""
        while b"you> " not in seen:  # the console waits for input
            chunk = process.stdout.read1(4096)
            assert chunk, seen.decode()
            seen += chunk
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)

    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr


# --- serving Telegram: the shared set-up and a clean stop ----------------------------------------


async def test_open_app_builds_everything_and_closes_it_in_order(tmp_path: Path) -> None:
    import gc

    from aiogram.types import Chat, Message, Update, User

    from bot.config import load_settings
    from bot.runner import open_app
    from tests.fake_telegram import FakeTelegram

    async with FakeTelegram() as fake:
        settings = load_settings(
            environ={
                "BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE": fake.base_url,
                "FAQ_PATH": str(FAQ_PATH),
                "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
            },
            env_file=None,
        )
        frozen_before = gc.get_freeze_count()
        async with open_app(settings) as app:
            assert app.dispatcher["journal"] is app.journal
            assert app.dispatcher["db"] is app.db
            # The long-lived objects (the engine among them) are out of the collector's way...
            assert gc.get_freeze_count() > frozen_before
            user = User(id=77, is_bot=False, first_name="Ann", language_code="ru")
            message = Message(
                message_id=1,
                date=0,
                chat=Chat(id=77, type="private"),
                from_user=user,
                text="как приготовить борщ?",
            )
            update = Update(update_id=5, message=message)
            assert await app.handle_update(update) is True
            assert await app.handle_update(update) is False  # the same update again: skipped
            db, session = app.db, app.bot.session
        # Left unflushed on purpose: closing writes the journal before the database closes.
        assert len(fake.calls_to("sendMessage")) == 1
        assert gc.get_freeze_count() == frozen_before  # ...until the bot stops

    rows = on_disk(tmp_path / "db.sqlite3", "SELECT update_id, user_id, outcome FROM questions")
    handled = on_disk(tmp_path / "db.sqlite3", "SELECT update_id FROM handled_updates")
    assert rows == [(5, 77, "none")]
    assert handled == [(5,)]
    assert db._closed
    assert session._session is None or session._session.closed


async def test_a_reply_model_is_not_rebuilt_after_a_garbage_collection(tmp_path: Path) -> None:
    """aiogram parses each reply with a ``Response[...]`` model that pydantic caches only
    weakly: without the bot holding on to it, a collection drops it and the next reply of that
    kind builds it again (milliseconds, on the reply path)."""
    import gc
    import weakref

    from aiogram.methods import Response
    from aiogram.types import User

    from bot.config import load_settings
    from bot.runner import open_app
    from tests.fake_telegram import FakeTelegram

    async with FakeTelegram() as fake:
        settings = load_settings(
            environ={
                "BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE": fake.base_url,
                "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                "FAQ_PATH": str(FAQ_PATH),
            },
            env_file=None,
        )
        async with open_app(settings) as app:
            me = await app.bot.get_me()
            model = weakref.ref(Response[User])
            gc.collect()
            assert model() is Response[User]
    assert me.is_bot


async def test_ctrl_c_stops_polling_cleanly_and_confirms_what_was_handled(tmp_path: Path) -> None:
    """SIGINT, as Ctrl-C in a terminal sends it (SIGTERM mid-flood: tests/e2e/test_durability)."""
    import asyncio
    import time

    from tests.e2e.bot_process import start_bot
    from tests.fake_telegram import FakeTelegram

    async with FakeTelegram() as fake:
        running = await start_bot(fake, tmp_path)
        try:
            await running.wait_until_serving()
            fake.user_sends("как приготовить борщ?")
            [update] = fake.pending_updates
            await running.wait_for("sendMessage")
            signalled = time.monotonic()
            running.process.send_signal(signal.SIGINT)
            code = await asyncio.wait_for(running.process.wait(), 30)
            seconds = time.monotonic() - signalled
        finally:
            await running.kill()
    output = running.output()
    assert code == 0, output
    assert "Traceback" not in output
    assert "bot.runner: stopped" in output
    # Telegram was told the update was handled, so a restart does not get it again.
    assert fake.confirmed_update_ids == [update["update_id"]]
    assert fake.pending_updates == []
    print(f"\nSIGINT: exit 0 after {seconds:.2f} s")
