"""Runtime state in SQLite: who wrote to the bot, every question with what the bot did, the
users' votes on answers, the owners' in-chat additions to the knowledge base and the questions
users sent to a person.

One ``Database`` owns one aiosqlite connection. The schema is versioned with
``PRAGMA user_version``: ``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``, and
``Database.open`` applies the missing ones in a single transaction. To change the schema,
append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import aiosqlite

from bot.engine.types import MatchResult, Outcome, SmallTalk
from bot.errors import OperatorError
from bot.knowledge.additions import (
    Overlay,
    apply_owner_additions,
    check_new_entry,
    clean_question,
    new_entry_id,
    overlay_owner_additions,
)
from bot.knowledge.model import Entry, KnowledgeBase

Migration = Sequence[str]
RowT = TypeVar("RowT")

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
    (  # 1 -> 2: votes, owners' additions to the knowledge base, questions for a person
        """
        CREATE TABLE votes (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,  -- the bot's answer message
            user_id INTEGER NOT NULL REFERENCES users (id),
            entry_id TEXT NOT NULL,  -- the entry that message answered with
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, message_id, user_id)
        )
        """,
        "CREATE INDEX votes_entry ON votes (entry_id)",
        """
        CREATE TABLE kb_phrasings (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,  -- of the file or of kb_entries; unknown ones are skipped
            text TEXT NOT NULL,  -- one line, as the knowledge-base file keeps phrasings
            question_id INTEGER REFERENCES questions (id),  -- the user's message it came from
            added_by INTEGER NOT NULL,  -- the owner's Telegram user id
            created_at TEXT NOT NULL,
            UNIQUE (entry_id, text)
        )
        """,
        """
        CREATE TABLE kb_entries (
            id TEXT PRIMARY KEY,  -- an entry id, unused by the knowledge base when created
            section_id TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            question_id INTEGER REFERENCES questions (id),
            added_by INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        """
        ALTER TABLE questions ADD COLUMN resolution TEXT
            CHECK (resolution IN ('phrasing', 'new_entry', 'ignored'))
        """,
        "ALTER TABLE questions ADD COLUMN resolved_entry_id TEXT",
        "ALTER TABLE questions ADD COLUMN resolved_by INTEGER",
        "ALTER TABLE questions ADD COLUMN resolved_at TEXT",
        """
        CREATE TABLE human_questions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            chat_id INTEGER NOT NULL,  -- where the reply goes
            text TEXT NOT NULL,
            language_code TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
            reply TEXT,
            answered_by INTEGER,
            created_at TEXT NOT NULL,
            answered_at TEXT
        )
        """,
        "CREATE INDEX human_questions_status ON human_questions (status, created_at)",
    ),
    (  # 2 -> 3: which Telegram updates were handled, so that a redelivered one is not redone
        # SQLite cannot ADD COLUMN ... UNIQUE; the unique index does the same (NULLs may repeat).
        "ALTER TABLE questions ADD COLUMN update_id INTEGER",
        "CREATE UNIQUE INDEX questions_update_id ON questions (update_id)",
        """
        CREATE TABLE handled_updates (
            update_id INTEGER PRIMARY KEY,  -- Telegram's update_id
            handled_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX handled_updates_handled_at ON handled_updates (handled_at)",
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


class Resolution(StrEnum):
    """What an owner did with a question the bot could not answer."""

    PHRASING = "phrasing"  # added as a phrasing of an entry
    NEW_ENTRY = "new_entry"  # made into a new entry
    IGNORED = "ignored"


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
    resolution: Resolution | None = None  # None: not resolved (yet)
    resolved_entry_id: str | None = None  # the entry it became a phrasing of, or the new entry
    resolved_by: int | None = None
    resolved_at: datetime | None = None
    update_id: int | None = None  # the Telegram update the question came in, when known


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user's message to count, as queued for writing (see Database.write_batch)."""

    user_id: int
    username: str | None
    first_name: str | None
    language_code: str | None
    seen_at: datetime  # when the message came, not when the row is written


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question and what the bot did with it, as queued for writing."""

    user_id: int | None
    chat_id: int
    text: str
    outcome: Outcome
    entry_id: str | None  # the answered entry, for outcome 'answer'
    score: float
    suggestions: str  # JSON list of {"id": ..., "score": ...}
    small_talk: SmallTalk | None
    created_at: datetime
    update_id: int | None = None  # the Telegram update it came in

    @classmethod
    def of(
        cls,
        *,
        user_id: int | None,
        chat_id: int,
        text: str,
        result: MatchResult,
        created_at: datetime,
        update_id: int | None = None,
    ) -> QuestionRecord:
        best = result.best if result.outcome is Outcome.ANSWER else None
        suggestions = [
            {"id": candidate.entry.id, "score": round(candidate.score, 4)}
            for candidate in result.suggestions
        ]
        return cls(
            user_id=user_id,
            chat_id=chat_id,
            text=text[:MAX_STORED_TEXT],
            outcome=result.outcome,
            entry_id=best.entry.id if best else None,
            score=best.score if best else result.score,
            suggestions=json.dumps(suggestions, ensure_ascii=False),
            small_talk=result.small_talk,
            created_at=created_at,
            update_id=update_id,
        )


@dataclass(frozen=True, slots=True)
class HandledUpdate:
    update_id: int
    handled_at: datetime


@dataclass(frozen=True, slots=True)
class VoteRow:
    chat_id: int
    message_id: int
    user_id: int
    entry_id: str
    value: int  # +1 helpful, -1 not helpful
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EntryVotes:
    entry_id: str
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class EntryCount:
    entry_id: str
    count: int


@dataclass(frozen=True, slots=True)
class Activity:
    """Messages in a period and what the bot did with them.

    Small talk (greetings, thanks) is counted apart: it is neither answered nor unanswered.
    """

    messages: int  # everything logged, small talk included
    users: int  # distinct users who wrote
    answered: int
    suggested: int
    not_found: int
    small_talk: int

    @property
    def questions(self) -> int:
        """Messages that were questions: the base of the shares."""
        return self.answered + self.suggested + self.not_found

    @property
    def answered_share(self) -> float:
        return self._share(self.answered)

    @property
    def suggested_share(self) -> float:
        return self._share(self.suggested)

    @property
    def not_found_share(self) -> float:
        return self._share(self.not_found)

    def _share(self, count: int) -> float:
        return count / self.questions if self.questions else 0.0


@dataclass(frozen=True, slots=True)
class PhrasingRow:
    id: int
    entry_id: str
    text: str
    question_id: int | None
    added_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OwnerEntryRow:
    id: str
    section_id: str
    question: str
    answer: str
    question_id: int | None
    added_by: int
    created_at: datetime

    def as_entry(self) -> Entry:
        return Entry(self.id, self.section_id, self.question, self.answer)


class HumanQuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class HumanQuestionRow:
    """A question a user sent to a person (the owners), and the owner's reply."""

    id: int
    user_id: int
    chat_id: int  # where the reply goes
    text: str
    language_code: str | None
    status: HumanQuestionStatus
    reply: str | None
    answered_by: int | None
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page(Generic[RowT]):
    """One page of a list, newest or oldest first as the query says.

    ``number`` counts from 0 and is already clamped to the pages that exist, so asking for a
    page past the end (say, after the last item on it was answered) gives the last page.
    """

    rows: tuple[RowT, ...]
    total: int
    number: int
    size: int

    @property
    def count(self) -> int:
        """How many pages there are; at least 1, so "page 1 of 1" reads right when empty."""
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


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
            read_only = _read_only_problem(path)
            if read_only:
                raise StorageError(f"database {path}: {read_only}") from None
            raise StorageError(f"database {path}: cannot use it ({error})") from None
        except BaseException:
            await connection.close()
            raise
        return database

    @classmethod
    async def open_for_reading(
        cls,
        path: Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        clock: Callable[[], datetime] = utc_now,
    ) -> Database:
        """``open`` for commands that only read (listing, export), which also works when the
        file or its disk is read-only, as long as its schema is up to date."""
        try:
            return await cls.open(path, migrations=migrations, clock=clock)
        except StorageError:
            if not _is_read_only_file(path):
                raise
        connection = await _connect_read_only(path)
        database = cls(connection, path, clock)
        try:
            version = await database.schema_version()
        except sqlite3.Error as error:
            await connection.close()
            raise StorageError(f"database {path}: cannot use it ({error})") from None
        if version != len(migrations):
            await connection.close()
            update = "update the bot" if version > len(migrations) else "let the bot update it"
            raise StorageError(
                f"database {path} is read-only and has schema version {version}, this bot "
                f"reads version {len(migrations)}: {update} (with write access)"
            )
        return database

    @property
    def path(self) -> Path:
        return self._path

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
                await self._roll_back_if_open()
                raise
            try:
                await self._connection.execute("COMMIT")
            except asyncio.CancelledError:
                # The COMMIT was handed to the database's thread and runs there anyway: a
                # ROLLBACK queued behind it would find no transaction and hide the cancellation.
                raise
            except BaseException:
                await self._roll_back_if_open()
                raise

    async def _roll_back_if_open(self) -> None:
        # A full disk or an I/O error may have rolled the transaction back already.
        if self._connection.in_transaction:
            await self._connection.execute("ROLLBACK")

    # -- users and the question log

    async def remember_user(
        self,
        user_id: int,
        username: str | None,
        first_name: str | None,
        language_code: str | None,
    ) -> None:
        """Record that the user sent a message: create or refresh the row and count it."""
        record = UserRecord(user_id, username, first_name, language_code, seen_at=self.now())
        await self.write_batch(users=[record])

    async def log_question(
        self,
        *,
        user_id: int | None,
        chat_id: int,
        text: str,
        result: MatchResult,
        update_id: int | None = None,
    ) -> int:
        """Store a question and what the bot did with it; returns the row's id.

        ``update_id`` is the Telegram update the question came in: logging the same update again
        stores nothing new and returns the row stored the first time. (It does not mark the
        update handled: a reply may still fail or be cut short; see ``mark_handled``.)
        """
        record = QuestionRecord.of(
            user_id=user_id,
            chat_id=chat_id,
            text=text,
            result=result,
            created_at=self.now(),
            update_id=update_id,
        )
        async with self._transaction():
            return await self._insert_question(record)

    async def write_batch(
        self,
        *,
        users: Sequence[UserRecord] = (),
        questions: Sequence[QuestionRecord] = (),
        handled: Sequence[HandledUpdate] = (),
    ) -> None:
        """Write users, then questions, then handled updates, all in one transaction.

        The write-behind journal (bot/journal.py) commits its queue this way: one commit for
        many rows. Raises sqlite3.Error with nothing written if any of them cannot be written.
        One statement per table: each await is a trip to aiosqlite's thread, and SQLite runs
        the rows in order, so two rows of one user count two messages as two awaits would.
        """
        async with self._transaction():
            if users:
                await self._connection.executemany(_UPSERT_USER, map(_user_parameters, users))
            if questions:
                # A question may arrive before remember_user, or without it: references hold.
                if unknown := _users_only_asking(users, questions):
                    await self._connection.executemany(_ENSURE_USER, unknown)
                await self._connection.executemany(
                    _INSERT_QUESTION, map(_question_parameters, questions)
                )
            if handled:
                await self._connection.executemany(
                    _MARK_HANDLED,
                    ((update.update_id, _iso(update.handled_at)) for update in handled),
                )

    async def handled_among(self, update_ids: Iterable[int]) -> set[int]:
        """Those of ``update_ids`` that a previous run already handled (see mark_handled)."""
        wanted = list(update_ids)
        if not wanted:
            return set()
        marks = ", ".join("?" for _ in wanted)
        rows = await self._fetch_all(
            f"SELECT update_id FROM handled_updates WHERE update_id IN ({marks})", wanted
        )
        return {int(row[0]) for row in rows}

    async def newest_handled_update(self) -> int | None:
        """The highest update id marked handled, or None when there is no mark."""
        row = await self._fetch_one("SELECT MAX(update_id) FROM handled_updates")
        return int(row[0]) if row and row[0] is not None else None

    async def mark_handled(self, update_id: int) -> None:
        """Remember that a Telegram update was handled, so that a redelivery is skipped."""
        async with self._transaction():
            await self._mark_handled(update_id, self._now())

    async def forget_handled_updates(self, before: datetime) -> int:
        """Drop handled-update marks older than ``before``; returns how many went.

        Telegram keeps an unconfirmed update for 24 hours, so older marks guard nothing.
        """
        async with self._transaction():
            cursor = await self._connection.execute(
                "DELETE FROM handled_updates WHERE handled_at < ?", (_iso(before),)
            )
            removed = cursor.rowcount
            await cursor.close()
        return removed

    async def _insert_question(self, record: QuestionRecord) -> int:
        """Insert the question (inside a transaction); an update's second row is not stored."""
        # An update's question is logged again when the update comes again: after a crash
        # between the log and the handled mark, or when a shutdown cut its handling short.
        if record.user_id is not None:  # a question may arrive before remember_user, or without it
            await self._ensure_user(record.user_id, _iso(record.created_at))
        cursor = await self._connection.execute(_INSERT_QUESTION, _question_parameters(record))
        row_id = cursor.lastrowid if cursor.rowcount else None
        await cursor.close()
        if row_id is None:  # the update was logged before: its first row stands
            row = await self._fetch_one(
                "SELECT id FROM questions WHERE update_id = ?", (record.update_id,)
            )
            assert row is not None
            row_id = int(row[0])
        return row_id

    async def _mark_handled(self, update_id: int, at: str) -> None:
        await self._connection.execute(_MARK_HANDLED, (update_id, at))

    async def get_user(self, user_id: int) -> UserRow | None:
        row = await self._fetch_one(
            """
            SELECT id, username, first_name, language_code, first_seen, last_seen, message_count
            FROM users WHERE id = ?
            """,
            (user_id,),
        )
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
            SELECT {_QUESTION_COLUMNS} FROM questions {where}
            ORDER BY created_at DESC, id DESC
            LIMIT ?
        """
        rows = await self._fetch_all(query, (*parameters, limit))
        return [_question_row(row) for row in rows]

    async def get_question(self, question_id: int) -> QuestionRow | None:
        row = await self._fetch_one(
            f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE id = ?", (question_id,)
        )
        return _question_row(row) if row else None

    async def get_question_by_update(self, update_id: int) -> QuestionRow | None:
        """The question that came in Telegram update ``update_id`` (buttons refer to it so:
        the row id is not known yet when the write-behind journal holds the row)."""
        row = await self._fetch_one(
            f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE update_id = ?", (update_id,)
        )
        return _question_row(row) if row else None

    # -- unanswered questions, for the owners

    async def unanswered(
        self, page: int = 0, page_size: int = 10, *, include_resolved: bool = True
    ) -> Page[QuestionRow]:
        """Questions the bot only guessed at (suggest) or did not know (none), newest first.

        Small talk is left out: a "hi" needs no answer. Resolved questions stay in the list
        (their ``resolution`` says how) unless ``include_resolved`` is false.
        """
        where = "outcome IN ('none', 'suggest') AND small_talk IS NULL"
        if not include_resolved:
            where += " AND resolution IS NULL"
        return await self._page(
            f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE {where}",
            f"SELECT COUNT(*) FROM questions WHERE {where}",
            (),
            order="created_at DESC, id DESC",
            page=page,
            page_size=page_size,
            make_row=_question_row,
        )

    async def resolve_question(
        self,
        question_id: int,
        resolution: Resolution,
        entry_id: str | None = None,
        *,
        by: int,
    ) -> QuestionRow | None:
        """Mark a question as dealt with; None if there is no such question.

        ``entry_id`` names the entry for PHRASING and NEW_ENTRY and must be None for IGNORED.
        A resolved question can be resolved again (an ignored one added after all).
        """
        resolution = Resolution(resolution)
        if (entry_id is None) != (resolution is Resolution.IGNORED):
            raise ValueError(f"resolution {resolution.value!r} and entry_id {entry_id!r} disagree")
        async with self._transaction():
            cursor = await self._connection.execute(
                """
                UPDATE questions
                SET resolution = ?, resolved_entry_id = ?, resolved_by = ?, resolved_at = ?
                WHERE id = ?
                """,
                (resolution.value, entry_id, by, self._now(), question_id),
            )
            changed = cursor.rowcount
            await cursor.close()
        return await self.get_question(question_id) if changed else None

    # -- votes on answers

    async def record_vote(
        self, *, chat_id: int, message_id: int, user_id: int, entry_id: str, value: int
    ) -> VoteRow:
        """Store a 👍 (+1) or 👎 (-1) on an answer message; a user's second tap replaces the first.

        Returns the user's current vote on that message.
        """
        if value not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, not {value!r}")
        now = self._now()
        async with self._transaction():
            await self._ensure_user(user_id, now)
            await self._connection.execute(
                """
                INSERT INTO votes
                    (chat_id, message_id, user_id, entry_id, value, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (chat_id, message_id, user_id) DO UPDATE SET
                    entry_id = excluded.entry_id,
                    value = excluded.value,
                    updated_at = excluded.updated_at
                """,
                (chat_id, message_id, user_id, entry_id, value, now, now),
            )
            row = await self._fetch_one(
                """
                SELECT chat_id, message_id, user_id, entry_id, value, created_at, updated_at
                FROM votes WHERE chat_id = ? AND message_id = ? AND user_id = ?
                """,
                (chat_id, message_id, user_id),
            )
        assert row is not None  # written just above, in the same transaction
        return VoteRow(
            chat_id=row[0],
            message_id=row[1],
            user_id=row[2],
            entry_id=row[3],
            value=row[4],
            created_at=datetime.fromisoformat(row[5]),
            updated_at=datetime.fromisoformat(row[6]),
        )

    async def votes_by_entry(self) -> list[EntryVotes]:
        """👍 and 👎 per entry, the most voted first."""
        rows = await self._fetch_all(
            """
            SELECT entry_id,
                   COALESCE(SUM(value = 1), 0) AS up,
                   COALESCE(SUM(value = -1), 0) AS down
            FROM votes
            GROUP BY entry_id
            ORDER BY up + down DESC, entry_id
            """
        )
        return [EntryVotes(entry_id=row[0], up=row[1], down=row[2]) for row in rows]

    # -- statistics

    async def activity(self, since: datetime | None = None) -> Activity:
        """Messages and distinct users since ``since`` (all time when None), by outcome."""
        where, parameters = "", ()
        if since is not None:
            where, parameters = "WHERE created_at >= ?", (_iso(since),)
        row = await self._fetch_one(
            f"""
            SELECT COUNT(*),
                   COUNT(DISTINCT user_id),
                   COALESCE(SUM(small_talk IS NULL AND outcome = 'answer'), 0),
                   COALESCE(SUM(small_talk IS NULL AND outcome = 'suggest'), 0),
                   COALESCE(SUM(small_talk IS NULL AND outcome = 'none'), 0),
                   COALESCE(SUM(small_talk IS NOT NULL), 0)
            FROM questions {where}
            """,
            parameters,
        )
        assert row is not None  # an aggregate always returns one row
        return Activity(*row)

    async def most_answered(self, limit: int = 10) -> list[EntryCount]:
        """The entries the bot answered with most often, all time."""
        rows = await self._fetch_all(
            """
            SELECT entry_id, COUNT(*) AS asked FROM questions
            WHERE outcome = 'answer' AND entry_id IS NOT NULL
            GROUP BY entry_id
            ORDER BY asked DESC, entry_id
            LIMIT ?
            """,
            (max(limit, 0),),
        )
        return [EntryCount(entry_id=row[0], count=row[1]) for row in rows]

    # -- owners' additions to the knowledge base

    async def add_phrasing(
        self, entry_id: str, text: str, *, added_by: int, question_id: int | None = None
    ) -> PhrasingRow:
        """Store a phrasing of an entry; adding the same one again returns the stored row.

        The text is made one line (raises AdditionError if empty or over 500 characters).
        """
        text = clean_question(text)
        async with self._transaction():
            await self._connection.execute(
                """
                INSERT INTO kb_phrasings (entry_id, text, question_id, added_by, created_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (entry_id, text) DO NOTHING
                """,
                (entry_id, text, question_id, added_by, self._now()),
            )
            row = await self._fetch_one(
                f"SELECT {_PHRASING_COLUMNS} FROM kb_phrasings WHERE entry_id = ? AND text = ?",
                (entry_id, text),
            )
        assert row is not None  # inserted or already there
        return _phrasing_row(row)

    async def phrasings(self) -> list[PhrasingRow]:
        """All stored phrasings, oldest first (the order they are appended in)."""
        rows = await self._fetch_all(f"SELECT {_PHRASING_COLUMNS} FROM kb_phrasings ORDER BY id")
        return [_phrasing_row(row) for row in rows]

    async def add_entry(
        self,
        kb: KnowledgeBase,
        *,
        section_id: str,
        question: str,
        answer: str,
        added_by: int,
        question_id: int | None = None,
    ) -> OwnerEntryRow:
        """Store a new entry for ``kb`` (the knowledge base the bot uses now) with a fresh id.

        Raises AdditionError when the section does not exist, the question or answer is empty or
        too long, or another entry already has this question.
        """
        question, answer = check_new_entry(kb, section_id, question, answer)
        async with self._transaction():
            stored = {row[0] for row in await self._fetch_all("SELECT id FROM kb_entries")}
            entry_id = new_entry_id(question, stored | {entry.id for entry in kb.entries})
            await self._connection.execute(
                """
                INSERT INTO kb_entries
                    (id, section_id, question, answer, question_id, added_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                (entry_id, section_id, question, answer, question_id, added_by, self._now()),
            )
            row = await self._fetch_one(
                f"SELECT {_ENTRY_COLUMNS} FROM kb_entries WHERE id = ?", (entry_id,)
            )
        assert row is not None
        return _owner_entry_row(row)

    async def owner_entries(self) -> list[OwnerEntryRow]:
        """Entries owners created in the chat, oldest first (the order they are appended in)."""
        rows = await self._fetch_all(
            f"SELECT {_ENTRY_COLUMNS} FROM kb_entries ORDER BY created_at, rowid"
        )
        return [_owner_entry_row(row) for row in rows]

    async def remove_phrasing(self, phrasing_id: int) -> bool:
        """Forget an owner's phrasing (a mistaken tap); False if there is no such one."""
        async with self._transaction():
            cursor = await self._connection.execute(
                "DELETE FROM kb_phrasings WHERE id = ?", (phrasing_id,)
            )
        return cursor.rowcount > 0

    async def remove_owner_entry(self, entry_id: str) -> bool:
        """Forget an entry an owner created, with the phrasings added to it; False if there is
        no such entry."""
        async with self._transaction():
            cursor = await self._connection.execute(
                "DELETE FROM kb_entries WHERE id = ?", (entry_id,)
            )
            if cursor.rowcount:
                await self._connection.execute(
                    "DELETE FROM kb_phrasings WHERE entry_id = ?", (entry_id,)
                )
        return cursor.rowcount > 0

    async def with_owner_additions(self, kb: KnowledgeBase) -> KnowledgeBase:
        """``kb`` (read from the file) plus the stored additions: what to build the engine from."""
        return apply_owner_additions(kb, await self.phrasings(), await self.owner_entries())

    async def owner_overlay(self, kb: KnowledgeBase) -> Overlay:
        """``with_owner_additions`` with a report of what was added and what could not be."""
        return overlay_owner_additions(kb, await self.phrasings(), await self.owner_entries())

    # -- questions for a person

    async def create_human_question(
        self, *, user_id: int, chat_id: int, text: str, language_code: str | None = None
    ) -> HumanQuestionRow:
        now = self._now()
        async with self._transaction():
            await self._ensure_user(user_id, now)
            cursor = await self._connection.execute(
                """
                INSERT INTO human_questions (user_id, chat_id, text, language_code, created_at)
                VALUES (?, ?, ?, ?, ?)
                """,
                (user_id, chat_id, text[:MAX_STORED_TEXT], language_code, now),
            )
            row_id = cursor.lastrowid
            await cursor.close()
        assert row_id is not None
        row = await self.get_human_question(row_id)
        assert row is not None
        return row

    async def get_human_question(self, question_id: int) -> HumanQuestionRow | None:
        row = await self._fetch_one(
            f"SELECT {_HUMAN_COLUMNS} FROM human_questions WHERE id = ?", (question_id,)
        )
        return _human_question_row(row) if row else None

    async def human_questions(
        self,
        status: HumanQuestionStatus | None = HumanQuestionStatus.OPEN,
        page: int = 0,
        page_size: int = 10,
    ) -> Page[HumanQuestionRow]:
        """Open questions oldest first (a queue); answered ones, or all (None), newest first."""
        where, parameters = "", ()
        if status is not None:
            where, parameters = "WHERE status = ?", (HumanQuestionStatus(status).value,)
        oldest_first = status is HumanQuestionStatus.OPEN
        return await self._page(
            f"SELECT {_HUMAN_COLUMNS} FROM human_questions {where}",
            f"SELECT COUNT(*) FROM human_questions {where}",
            parameters,
            order="created_at, id" if oldest_first else "created_at DESC, id DESC",
            page=page,
            page_size=page_size,
            make_row=_human_question_row,
        )

    async def answer_human_question(
        self, question_id: int, reply: str, *, by: int
    ) -> HumanQuestionRow | None:
        """Store an owner's reply to an open question; the row says where to send it.

        Returns None when there is no open question with this id: it does not exist, or another
        owner answered it first (``get_human_question`` tells which). So a reply is sent once.
        """
        async with self._transaction():
            cursor = await self._connection.execute(
                """
                UPDATE human_questions
                SET status = 'answered', reply = ?, answered_by = ?, answered_at = ?
                WHERE id = ? AND status = 'open'
                """,
                (reply[:MAX_STORED_TEXT], by, self._now(), question_id),
            )
            changed = cursor.rowcount
            await cursor.close()
        return await self.get_human_question(question_id) if changed else None

    # -- helpers

    def now(self) -> datetime:
        """The database's clock (UTC); tests give ``open`` a clock they control."""
        return self._clock().astimezone(UTC)

    def _now(self) -> str:
        return _iso(self._clock())

    async def _ensure_user(self, user_id: int, now: str) -> None:
        """A row for a user not seen through remember_user yet, so that references hold."""
        await self._connection.execute(_ENSURE_USER, (user_id, now, now))

    async def _fetch_one(self, query: str, parameters: Sequence[Any] = ()) -> Sequence[Any] | None:
        async with self._connection.execute(query, parameters) as cursor:
            return await cursor.fetchone()

    async def _fetch_all(self, query: str, parameters: Sequence[Any] = ()) -> list[Sequence[Any]]:
        async with self._connection.execute(query, parameters) as cursor:
            return list(await cursor.fetchall())

    async def _page(
        self,
        select: str,
        count: str,
        parameters: Sequence[Any],
        *,
        order: str,
        page: int,
        page_size: int,
        make_row: Callable[[Sequence[Any]], RowT],
    ) -> Page[RowT]:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        counted = await self._fetch_one(count, parameters)
        total = int(counted[0]) if counted else 0
        last = max(0, (total - 1) // page_size)
        number = min(max(page, 0), last)
        rows = await self._fetch_all(
            f"{select} ORDER BY {order} LIMIT ? OFFSET ?",
            (*parameters, page_size, number * page_size),
        )
        return Page(
            rows=tuple(make_row(row) for row in rows), total=total, number=number, size=page_size
        )


def _iso(moment: datetime) -> str:
    """How times are stored: UTC, ISO 8601 with milliseconds, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def _connect(path: Path) -> aiosqlite.Connection:
    _prepare_location(path)
    try:
        # Autocommit mode: transactions are explicit (see Database._transaction).
        return await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        read_only = _read_only_problem(path)
        if read_only:
            raise StorageError(f"database {path}: {read_only}") from None
        raise StorageError(f"database {path}: cannot open it ({error})") from None


async def _connect_read_only(path: Path) -> aiosqlite.Connection:
    """A read-only connection. On a read-only disk SQLite cannot create the files a database
    in WAL mode reads through; ``immutable`` tells it nobody writes the file meanwhile, which
    nobody can there."""
    uri = _file_uri(path)
    problem: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            connection = await aiosqlite.connect(f"{uri}?{options}", uri=True, isolation_level=None)
        except sqlite3.Error as error:
            problem = error
            continue
        try:
            await connection.execute("SELECT count(*) FROM sqlite_master")
        except sqlite3.Error as error:
            problem = error
            await connection.close()
            continue
        return connection
    raise StorageError(f"database {path}: cannot read it ({problem})")


def _file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def _is_read_only_file(path: Path) -> bool:
    return path.is_file() and _read_only_problem(path) is not None


def _read_only_problem(path: Path) -> str | None:
    """Why SQLite cannot write ``path``, if the reason is a read-only file, folder or disk."""
    if path.exists() and not os.access(path, os.W_OK):
        return (
            "the file is read-only; the bot needs to write to it "
            "(check its permissions, and that the disk is not mounted read-only)"
        )
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        return (
            f"its folder {path.parent} is read-only; SQLite needs to create "
            "its journal files next to the database"
        )
    return None


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


# A message from a user: create the row or refresh it, and count the message.
_UPSERT_USER = """
    INSERT INTO users
        (id, username, first_name, language_code, first_seen, last_seen, message_count)
    VALUES (?, ?, ?, ?, ?, ?, 1)
    ON CONFLICT (id) DO UPDATE SET
        username = excluded.username,
        first_name = excluded.first_name,
        language_code = excluded.language_code,
        last_seen = MAX(last_seen, excluded.last_seen),
        message_count = message_count + 1
"""
_ENSURE_USER = "INSERT OR IGNORE INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)"
# An update's second question row is not stored (see Database._insert_question).
_INSERT_QUESTION = """
    INSERT INTO questions
        (user_id, chat_id, text, outcome, entry_id, score, suggestions, small_talk,
         created_at, update_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (update_id) DO NOTHING
"""
_MARK_HANDLED = "INSERT OR IGNORE INTO handled_updates (update_id, handled_at) VALUES (?, ?)"


def _user_parameters(user: UserRecord) -> tuple[Any, ...]:
    seen_at = _iso(user.seen_at)
    return (user.user_id, user.username, user.first_name, user.language_code, seen_at, seen_at)


def _users_only_asking(
    users: Sequence[UserRecord], questions: Sequence[QuestionRecord]
) -> list[tuple[int, str, str]]:
    """``_ENSURE_USER`` rows for the users the questions name and ``users`` does not: one row
    per user, as of their first question. The others' rows exist by then (the upsert made
    them), so a statement for them would change nothing and cost a step per question."""
    known = {user.user_id for user in users}
    rows: dict[int, tuple[int, str, str]] = {}
    for question in questions:
        user_id = question.user_id
        if user_id is not None and user_id not in known and user_id not in rows:
            seen_at = _iso(question.created_at)
            rows[user_id] = (user_id, seen_at, seen_at)
    return list(rows.values())


def _question_parameters(record: QuestionRecord) -> tuple[Any, ...]:
    return (
        record.user_id,
        record.chat_id,
        record.text[:MAX_STORED_TEXT],
        record.outcome.value,
        record.entry_id,
        record.score,
        record.suggestions,
        record.small_talk.value if record.small_talk else None,
        _iso(record.created_at),
        record.update_id,
    )


_QUESTION_COLUMNS = """
    id, user_id, chat_id, text, outcome, entry_id, score, suggestions, small_talk, created_at,
    resolution, resolved_entry_id, resolved_by, resolved_at, update_id
"""
_PHRASING_COLUMNS = "id, entry_id, text, question_id, added_by, created_at"
_ENTRY_COLUMNS = "id, section_id, question, answer, question_id, added_by, created_at"
_HUMAN_COLUMNS = """
    id, user_id, chat_id, text, language_code, status, reply, answered_by, created_at,
    answered_at
"""


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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
        resolution=Resolution(row[10]) if row[10] else None,
        resolved_entry_id=row[11],
        resolved_by=row[12],
        resolved_at=_time(row[13]),
        update_id=row[14],
    )


def _phrasing_row(row: Sequence[Any]) -> PhrasingRow:
    return PhrasingRow(
        id=row[0],
        entry_id=row[1],
        text=row[2],
        question_id=row[3],
        added_by=row[4],
        created_at=datetime.fromisoformat(row[5]),
    )


def _owner_entry_row(row: Sequence[Any]) -> OwnerEntryRow:
    return OwnerEntryRow(
        id=row[0],
        section_id=row[1],
        question=row[2],
        answer=row[3],
        question_id=row[4],
        added_by=row[5],
        created_at=datetime.fromisoformat(row[6]),
    )


def _human_question_row(row: Sequence[Any]) -> HumanQuestionRow:
    return HumanQuestionRow(
        id=row[0],
        user_id=row[1],
        chat_id=row[2],
        text=row[3],
        language_code=row[4],
        status=HumanQuestionStatus(row[5]),
        reply=row[6],
        answered_by=row[7],
        created_at=datetime.fromisoformat(row[8]),
        answered_at=_time(row[9]),
    )
