"""Runtime state in SQLite: who wrote to the bot, and every question with what the bot did.

One ``Database`` owns one aiosqlite connection. The schema is versioned with
``PRAGMA user_version``: ``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``, and
``Database.open`` applies the missing ones in a single transaction. To change the schema,
append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from bot.engine.types import MatchResult, Outcome, SmallTalk
from bot.errors import OperatorError

Migration = Sequence[str]

MIGRATIONS: tuple[Migration, ...] = (
    (  # 0 -> 1: users and the question log
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,  -- the Telegram user id
            username TEXT,
            first_name TEXT,
            language_code TEXT,
            first_seen TEXT NOT NULL,  -- ISO 8601, UTC
            last_seen TEXT NOT NULL,
            message_count INTEGER NOT NULL DEFAULT 0
        )
        """,
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users (id),
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'suggest', 'none')),
            entry_id TEXT,  -- the answered entry, for outcome 'answer'
            score REAL NOT NULL,
            suggestions TEXT NOT NULL DEFAULT '[]',  -- JSON list of {"id": ..., "score": ...}
            small_talk TEXT,  -- 'greeting', 'thanks', ... when the message was not a question
            created_at TEXT NOT NULL  -- ISO 8601, UTC
        )
        """,
        "CREATE INDEX questions_created_at ON questions (created_at)",
        "CREATE INDEX questions_outcome ON questions (outcome)",
    ),
)

MAX_STORED_TEXT = 4096  # Telegram's message limit; longer console input is cut, not refused
BUSY_TIMEOUT_MS = 5000


class StorageError(OperatorError):
    """The database file cannot be opened or has an unknown schema; one line, exit code 4."""

    exit_code = 4


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str | None
    first_name: str | None
    language_code: str | None
    first_seen: datetime
    last_seen: datetime
    message_count: int


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: int
    user_id: int | None
    chat_id: int
    text: str
    outcome: Outcome
    entry_id: str | None
    score: float
    suggestions: tuple[tuple[str, float], ...]  # (entry id, score), best first
    small_talk: SmallTalk | None
    created_at: datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


class Database:
    """The bot's SQLite database. Create with ``await Database.open(path)``; ``await close()``."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, clock: Callable[[], datetime]
    ) -> None:
        self._connection = connection
        self._path = path
        self._clock = clock
        # One connection is shared by all handlers: writes take turns so that one handler's
        # statements never land inside another handler's transaction.
        self._write_lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], datetime] = utc_now,
    ) -> Database:
        """Open (creating the file and its folder if needed) and bring the schema up to date."""
        connection = await _connect(path)
        database = cls(connection, path, clock)
        try:
            await database._configure()
            await database._migrate(migrations)
        except sqlite3.Error as error:
            await connection.close()
            raise StorageError(f"database {path}: cannot use it ({error})") from None
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._connection.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- schema

    async def schema_version(self) -> int:
        return await self._pragma_int("user_version")

    async def _configure(self) -> None:
        await self._connection.execute("PRAGMA journal_mode=WAL")
        await self._connection.execute("PRAGMA synchronous=NORMAL")
        await self._connection.execute("PRAGMA foreign_keys=ON")
        await self._connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        version = await self.schema_version()
        if version > len(migrations):
            raise StorageError(
                f"database {self._path} has schema version {version}, newer than this bot "
                f"knows ({len(migrations)}): update the bot or use another DATABASE_PATH"
            )
        if version == len(migrations):
            return
        async with self._transaction():
            for number in range(version, len(migrations)):
                for statement in migrations[number]:
                    await self._connection.execute(statement)
            # PRAGMA takes no parameters; the value is an int we computed.
            await self._connection.execute(f"PRAGMA user_version = {len(migrations)}")

    async def _pragma_int(self, name: str) -> int:
        async with self._connection.execute(f"PRAGMA {name}") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._write_lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    # -- writes

    async def remember_user(
        self,
        user_id: int,
        username: str | None,
        first_name: str | None,
        language_code: str | None,
    ) -> None:
        """Record that the user sent a message: create or refresh the row and count it."""
        now = self._now()
        async with self._transaction():
            await self._connection.execute(
                """
                INSERT INTO users
                    (id, username, first_name, language_code, first_seen, last_seen, message_count)
                VALUES (?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (id) DO UPDATE SET
                    username = excluded.username,
                    first_name = excluded.first_name,
                    language_code = excluded.language_code,
                    last_seen = excluded.last_seen,
                    message_count = message_count + 1
                """,
                (user_id, username, first_name, language_code, now, now),
            )

    async def log_question(
        self, *, user_id: int | None, chat_id: int, text: str, result: MatchResult
    ) -> int:
        """Store a question and what the bot did with it; returns the new row's id."""
        now = self._now()
        best = result.best if result.outcome is Outcome.ANSWER else None
        suggestions = [
            {"id": candidate.entry.id, "score": round(candidate.score, 4)}
            for candidate in result.suggestions
        ]
        async with self._transaction():
            if user_id is not None:  # a question may arrive before remember_user, or without it
                await self._connection.execute(
                    "INSERT OR IGNORE INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)",
                    (user_id, now, now),
                )
            cursor = await self._connection.execute(
                """
                INSERT INTO questions
                    (user_id, chat_id, text, outcome, entry_id, score, suggestions, small_talk,
                     created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    user_id,
                    chat_id,
                    text[:MAX_STORED_TEXT],
                    result.outcome.value,
                    best.entry.id if best else None,
                    best.score if best else result.score,
                    json.dumps(suggestions, ensure_ascii=False),
                    result.small_talk.value if result.small_talk else None,
                    now,
                ),
            )
            row_id = cursor.lastrowid
            await cursor.close()
        assert row_id is not None  # an INSERT always sets it
        return row_id

    # -- reads

    async def get_user(self, user_id: int) -> UserRow | None:
        async with self._connection.execute(
            """
            SELECT id, username, first_name, language_code, first_seen, last_seen, message_count
            FROM users WHERE id = ?
            """,
            (user_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return UserRow(
            id=row[0],
            username=row[1],
            first_name=row[2],
            language_code=row[3],
            first_seen=datetime.fromisoformat(row[4]),
            last_seen=datetime.fromisoformat(row[5]),
            message_count=row[6],
        )

    async def recent_questions(
        self, limit: int = 20, outcomes: Iterable[Outcome] | None = None
    ) -> list[QuestionRow]:
        """The newest questions first, optionally only those with the given outcomes."""
        if limit <= 0:
            return []
        where, parameters = "", []
        if outcomes is not None:
            wanted = [Outcome(outcome).value for outcome in outcomes]
            if not wanted:
                return []
            where = f"WHERE outcome IN ({', '.join('?' for _ in wanted)})"
            parameters.extend(wanted)
        query = f"""
            SELECT id, user_id, chat_id, text, outcome, entry_id, score, suggestions, small_talk,
                   created_at
            FROM questions {where}
            ORDER BY created_at DESC, id DESC
            LIMIT ?
        """
        async with self._connection.execute(query, (*parameters, limit)) as cursor:
            rows = await cursor.fetchall()
        return [_question_row(row) for row in rows]

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")


async def _connect(path: Path) -> aiosqlite.Connection:
    _prepare_location(path)
    try:
        # Autocommit mode: transactions are explicit (see Database._transaction).
        return await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise StorageError(f"database {path}: cannot open it ({error})") from None


def _prepare_location(path: Path) -> None:
    """Create the database's folder; a quick check at start-up, so blocking is fine."""
    if path.is_dir():
        raise StorageError(f"database {path}: is a directory, expected a file path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(
            f"database {path}: cannot create the folder {path.parent} ({error.strerror})"
        ) from None


def _question_row(row: Sequence[Any]) -> QuestionRow:
    suggestions = tuple((item["id"], float(item["score"])) for item in json.loads(row[7]))
    return QuestionRow(
        id=row[0],
        user_id=row[1],
        chat_id=row[2],
        text=row[3],
        outcome=Outcome(row[4]),
        entry_id=row[5],
        score=row[6],
        suggestions=suggestions,
        small_talk=SmallTalk(row[8]) if row[8] else None,
        created_at=datetime.fromisoformat(row[9]),
    )
