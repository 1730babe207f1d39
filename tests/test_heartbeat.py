"""The polling heartbeat: a file whose age says when Telegram last answered."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.heartbeat import Heartbeat, heartbeat_age, heartbeat_path


def test_the_file_lives_next_to_the_database() -> None:
    assert heartbeat_path(Path("/app/var/faq.sqlite3")) == Path("/app/var/faq.sqlite3.heartbeat")


def test_a_beat_makes_the_heartbeat_fresh_and_clear_removes_it(tmp_path: Path) -> None:
    path = tmp_path / "bot.heartbeat"
    heartbeat = Heartbeat(path)
    assert heartbeat_age(path) is None
    heartbeat.beat()
    age = heartbeat_age(path)
    assert age is not None
    assert age < 60
    heartbeat.clear()
    assert not path.exists()


def test_a_file_from_an_earlier_run_does_not_count(tmp_path: Path) -> None:
    path = tmp_path / "bot.heartbeat"
    path.touch()
    Heartbeat(path)
    assert heartbeat_age(path) is None


def test_beats_close_together_touch_the_file_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.heartbeat"
    heartbeat = Heartbeat(path, min_interval=3600)
    heartbeat.beat()
    os.utime(path, (1_000_000, 1_000_000))
    heartbeat.beat()
    assert path.stat().st_mtime == 1_000_000
    Heartbeat(path, min_interval=0).beat()
    assert path.stat().st_mtime > 1_000_000


def test_a_missing_folder_is_one_warning_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gone" / "bot.heartbeat"
    heartbeat = Heartbeat(path, min_interval=0)
    with caplog.at_level(logging.WARNING):
        heartbeat.beat()
        heartbeat.beat()
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot write the heartbeat file {path}: No such file or directory"
    ]
