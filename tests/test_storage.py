"""The SQLite database: schema and migrations, rows written and read back, operator errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.engine.types import Candidate, MatchResult, Outcome, SmallTalk
from bot.knowledge.model import Entry
from bot.storage import MIGRATIONS, Database, QuestionRow, StorageError, UserRow

SCOPE = Entry("scope", "regions", "Как складывается взаимодействие?", "Ответ.")
GROWTH = Entry("growth", "regions", "В каких областях его наращивать?", "Ответ 2.")


class Clock:
    """A clock the test moves by hand: one second per call."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def answer(text: str, entry: Entry = SCOPE, score: float = 0.91) -> MatchResult:
    best = Candidate(entry, score)
    return MatchResult(text, Outcome.ANSWER, best=best, ranked=(best,))


def suggest(text: str) -> MatchResult:
    candidates = (Candidate(SCOPE, 0.52), Candidate(GROWTH, 0.41))
    return MatchResult(text, Outcome.SUGGEST, suggestions=candidates, ranked=candidates)


def nothing(text: str, small_talk: SmallTalk | None = None) -> MatchResult:
    return MatchResult(text, Outcome.NONE, small_talk=small_talk, ranked=(Candidate(SCOPE, 0.1),))


def raw(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "faq.sqlite3"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[Database]:
    database = await Database.open(path, clock=Clock())
    yield database
    await database.close()


# --- schema -----------------------------------------------------------------------------------


async def test_open_creates_folder_schema_and_version(path: Path) -> None:
    database = await Database.open(path)
    assert await database.schema_version() == len(MIGRATIONS) == 1
    await database.close()
    tables = {row[0] for row in raw(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"users", "questions"}
    indexes = {row[0] for row in raw(path, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"questions_created_at", "questions_outcome"} <= indexes
    assert raw(path, "PRAGMA user_version") == [(1,)]


async def test_wal_mode_is_on(path: Path) -> None:
    async with await Database.open(path):
        assert raw(path, "PRAGMA journal_mode") == [("wal",)]


async def test_reopening_keeps_rows_and_version(path: Path) -> None:
    async with await Database.open(path) as database:
        await database.remember_user(7, "ann", "Ann", "ru")
    async with await Database.open(path) as database:
        assert await database.schema_version() == 1
        user = await database.get_user(7)
        assert user is not None
        assert user.first_name == "Ann"


async def test_migration_from_an_older_version(path: Path) -> None:
    async with await Database.open(path) as database:
        await database.remember_user(7, "ann", "Ann", "ru")
    newer = (*MIGRATIONS, ("ALTER TABLE users ADD COLUMN note TEXT", "UPDATE users SET note = 'x'"))
    async with await Database.open(path, migrations=newer) as database:
        assert await database.schema_version() == 2
    assert raw(path, "SELECT id, username, note FROM users") == [(7, "ann", "x")]


async def test_failed_migration_changes_nothing(path: Path) -> None:
    async with await Database.open(path):
        pass
    broken = (*MIGRATIONS, ("CREATE TABLE extra (id INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(StorageError) as caught:
        await Database.open(path, migrations=broken)
    assert caught.value.message.startswith(f'database {path}: cannot use it (near "THIS"')
    assert raw(path, "PRAGMA user_version") == [(1,)]
    assert raw(path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []


async def test_database_from_a_newer_bot_is_refused(path: Path) -> None:
    async with await Database.open(path):
        pass
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 9")
    connection.close()
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert caught.value.message == (
        f"database {path} has schema version 9, newer than this bot knows (1): "
        "update the bot or use another DATABASE_PATH"
    )
    assert caught.value.exit_code == 4


# --- operator errors --------------------------------------------------------------------------


async def test_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        await Database.open(tmp_path)
    assert caught.value.message == f"database {tmp_path}: is a directory, expected a file path"


async def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text('title = "not a database"\n' * 200, encoding="utf-8")
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert caught.value.message == f"database {path}: cannot use it (file is not a database)"


async def test_folder_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("a file where the folder should be", encoding="utf-8")
    path = tmp_path / "var" / "faq.sqlite3"
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert caught.value.message.startswith(
        f"database {path}: cannot create the folder {tmp_path / 'var'} ("
    )


# --- users ------------------------------------------------------------------------------------


async def test_remember_user_creates_then_refreshes(db: Database) -> None:
    await db.remember_user(42, "ann", "Ann", "ru")
    await db.remember_user(42, None, "Anna", "en")
    assert await db.get_user(42) == UserRow(
        id=42,
        username=None,
        first_name="Anna",
        language_code="en",
        first_seen=datetime(2024, 5, 1, 12, 0, 1, tzinfo=UTC),
        last_seen=datetime(2024, 5, 1, 12, 0, 2, tzinfo=UTC),
        message_count=2,
    )
    assert await db.get_user(43) is None


# --- questions --------------------------------------------------------------------------------


async def test_log_question_stores_each_outcome(db: Database, path: Path) -> None:
    first = await db.log_question(
        user_id=1, chat_id=10, text="как дела у регионов", result=answer("x")
    )
    second = await db.log_question(user_id=1, chat_id=10, text="области?", result=suggest("x"))
    third = await db.log_question(
        user_id=2, chat_id=20, text="привет", result=nothing("x", SmallTalk.GREETING)
    )
    assert (first, second, third) == (1, 2, 3)
    rows = await db.recent_questions(limit=10)
    assert rows == [
        QuestionRow(
            id=3,
            user_id=2,
            chat_id=20,
            text="привет",
            outcome=Outcome.NONE,
            entry_id=None,
            score=0.1,
            suggestions=(),
            small_talk=SmallTalk.GREETING,
            created_at=datetime(2024, 5, 1, 12, 0, 3, tzinfo=UTC),
        ),
        QuestionRow(
            id=2,
            user_id=1,
            chat_id=10,
            text="области?",
            outcome=Outcome.SUGGEST,
            entry_id=None,
            score=0.52,
            suggestions=(("scope", 0.52), ("growth", 0.41)),
            small_talk=None,
            created_at=datetime(2024, 5, 1, 12, 0, 2, tzinfo=UTC),
        ),
        QuestionRow(
            id=1,
            user_id=1,
            chat_id=10,
            text="как дела у регионов",
            outcome=Outcome.ANSWER,
            entry_id="scope",
            score=0.91,
            suggestions=(),
            small_talk=None,
            created_at=datetime(2024, 5, 1, 12, 0, 1, tzinfo=UTC),
        ),
    ]
    assert raw(path, "SELECT outcome, entry_id, suggestions, created_at FROM questions") == [
        ("answer", "scope", "[]", "2024-05-01T12:00:01.000+00:00"),
        (
            "suggest",
            None,
            '[{"id": "scope", "score": 0.52}, {"id": "growth", "score": 0.41}]',
            "2024-05-01T12:00:02.000+00:00",
        ),
        ("none", None, "[]", "2024-05-01T12:00:03.000+00:00"),
    ]


async def test_log_question_creates_an_unknown_user(db: Database) -> None:
    await db.log_question(user_id=99, chat_id=99, text="?", result=nothing("?"))
    user = await db.get_user(99)
    assert user is not None
    assert user.message_count == 0
    await db.log_question(user_id=None, chat_id=-100, text="from a channel", result=nothing("?"))
    assert (await db.recent_questions(limit=1))[0].user_id is None


async def test_recent_questions_filters_and_limits(db: Database) -> None:
    for number in range(5):
        await db.log_question(user_id=1, chat_id=1, text=f"a{number}", result=answer("a"))
        await db.log_question(user_id=1, chat_id=1, text=f"n{number}", result=nothing("n"))
    assert [r.text for r in await db.recent_questions(limit=3)] == ["n4", "a4", "n3"]
    only_none = await db.recent_questions(limit=2, outcomes=[Outcome.NONE])
    assert [r.text for r in only_none] == ["n4", "n3"]
    both = await db.recent_questions(limit=100, outcomes=[Outcome.NONE, Outcome.SUGGEST])
    assert len(both) == 5
    assert await db.recent_questions(limit=0) == []
    assert await db.recent_questions(limit=5, outcomes=[]) == []


async def test_text_is_stored_verbatim_and_bounded(db: Database) -> None:
    tricky = '\'); DROP TABLE questions; -- "<b>" \x00 🙂'
    await db.log_question(user_id=1, chat_id=1, text=tricky, result=nothing(tricky))
    await db.log_question(user_id=1, chat_id=1, text="я" * 10_000, result=nothing("я"))
    newest, oldest = await db.recent_questions(limit=2)
    assert oldest.text == tricky
    assert newest.text == "я" * 4096


async def test_created_at_is_utc_whatever_the_clock_zone(path: Path) -> None:
    moscow = timezone(timedelta(hours=3))
    database = await Database.open(path, clock=lambda: datetime(2024, 5, 1, 15, 0, tzinfo=moscow))
    await database.log_question(user_id=1, chat_id=1, text="x", result=nothing("x"))
    await database.close()
    assert raw(path, "SELECT created_at FROM questions") == [("2024-05-01T12:00:00.000+00:00",)]


async def test_concurrent_writes_all_land(db: Database) -> None:
    async def one(number: int) -> int:
        await db.remember_user(number % 7, None, f"user {number}", None)
        return await db.log_question(
            user_id=number % 7, chat_id=number, text=str(number), result=suggest("x")
        )

    ids = await asyncio.gather(*(one(number) for number in range(60)))
    assert sorted(ids) == list(range(1, 61))
    assert len(await db.recent_questions(limit=100)) == 60
    counts = [(await db.get_user(user)).message_count for user in range(7)]
    assert sum(counts) == 60


async def test_close_is_idempotent(path: Path) -> None:
    database = await Database.open(path)
    await database.close()
    await database.close()
