"""The polling loop's sign of life, for ``python -m bot health``.

A process can be alive but stuck (a dead connection nobody notices, a wedged event loop), so in
polling mode health is not "the process exists" but "Telegram answered a getUpdates recently":
the loop touches a file next to the database after each successful poll, and the health check
compares the file's modification time with the clock. Standard library only: the health check
runs every 30 seconds and must start fast.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# A long poll lasts at most this long when nothing happens; beats closer together than this are
# skipped, so a busy bot does not touch the file for every batch of updates.
MIN_BEAT_INTERVAL = 10.0


def heartbeat_path(database_path: Path) -> Path:
    """``var/faq.sqlite3`` -> ``var/faq.sqlite3.heartbeat``: in the volume, next to the data."""
    return database_path.with_name(database_path.name + ".heartbeat")


class Heartbeat:
    """Touches ``path`` on ``beat()``; ``clear()`` on shutdown, as a stopped bot is not healthy."""

    def __init__(self, path: Path, min_interval: float = MIN_BEAT_INTERVAL) -> None:
        self.path = path
        self._min_interval = min_interval
        self._last_beat: float | None = None
        self._failed = False
        # A file left by an earlier run must not vouch for this one before its first poll.
        self.clear()

    def beat(self) -> None:
        now = time.monotonic()
        if self._last_beat is not None and now - self._last_beat < self._min_interval:
            return
        try:
            self.path.touch()
        except OSError as error:
            if not self._failed:  # once: a read-only volume would repeat it every poll
                logger.warning("cannot write the heartbeat file %s: %s", self.path, error.strerror)
            self._failed = True
            return
        self._last_beat = now

    def clear(self) -> None:
        with contextlib.suppress(OSError):  # e.g. a read-only folder: beat() reports it
            self.path.unlink(missing_ok=True)
        self._last_beat = None


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the last beat, or None when there is no heartbeat file."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, time.time() - modified)
