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
