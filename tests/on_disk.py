"""Reading a test's SQLite file directly: what is on disk, not what the code under test says."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any


def on_disk(path: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    """The rows ``sql`` reads from the database file at ``path``, on a connection of its own."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql, parameters).fetchall()
