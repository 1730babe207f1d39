"""The write-behind journal: rows are queued without waiting, committed in batches, and kept in
memory (bounded) and retried while the database refuses writes, with one log line per incident."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.types import Chat, Message, User

from bot.engine.types import Candidate, MatchResult, Outcome
from bot.journal import Journal, current_recording, recording
from bot.knowledge.model import Entry
from bot.storage import Database
from handlers.records import log_question
from tests.on_disk import on_disk

SCOPE = Entry("scope", "regions", "Как складывается взаимодействие?", "Ответ.")
WAIT = 10.0  # an upper bound for things that happen in the background, never a measurement


def answer(text: str = "вопрос") -> MatchResult:
    best = Candidate(SCOPE, 0.9)
    return MatchResult(text, Outcome.ANSWER, best=best, ranked=(best,))


def question_texts(path: Path) -> list[str]:
    return [row[0] for row in on_disk(path, "SELECT text FROM questions ORDER BY id")]


async def refuse_writes(db: Database, *, full: bool) -> None:
    """What a read-only file or a full disk does to every write, on the bot's own connection."""
    connection = db._connection
    if full:
        pages = await db._pragma_int("page_count")
        await connection.execute(f"PRAGMA max_page_count = {pages}")
    else:
        await connection.execute("PRAGMA query_only = ON")


async def accept_writes(db: Database) -> None:
    await db._connection.execute("PRAGMA query_only = OFF")
    await db._connection.execute("PRAGMA max_page_count = 1073741823")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "faq.sqlite3"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[Database]:
    database = await Database.open(path)
    yield database
    await database.close()


@pytest.fixture
async def journal(db: Database) -> AsyncIterator[Journal]:
    # A long interval: only flush() writes, so tests decide when rows reach the disk.
    journal = Journal(db, interval=3600, retry_interval=3600)
    await journal.start()
    yield journal
    await journal.close()


def ask(journal: Journal, text: str, update_id: int | None = None, user_id: int = 7) -> None:
    """What handling one message queues: the user, the question, then the handled mark."""
    journal.add_user(user_id, "ann", "Ann", "ru")
    journal.add_question(
        user_id=user_id, chat_id=user_id, text=text, result=answer(text), update_id=update_id
    )
    if update_id is not None:
        journal.mark_handled(update_id)


async def test_rows_wait_in_memory_until_flushed(
    journal: Journal, db: Database, path: Path
) -> None:
    ask(journal, "первый", update_id=1)
    journal.mark_handled(2)  # an update without a question (/start, a button)
    assert question_texts(path) == []
    assert journal.pending == 4
    # Queued updates already count as handled: the polling loop must not feed them again.
    assert await journal.handled_among([1, 2, 3]) == {1, 2}

    assert await journal.flush() is True

    assert journal.pending == 0
    assert question_texts(path) == ["первый"]
    assert await db.handled_among([1, 2, 3]) == {1, 2}
    user = await db.get_user(7)
    assert user is not None
    assert user.message_count == 1


async def test_the_background_task_commits_without_being_asked(db: Database, path: Path) -> None:
    journal = Journal(db, interval=0.01)
    await journal.start()
    try:
        ask(journal, "сам запишется", update_id=5)
        for _ in range(int(WAIT / 0.01)):
            if journal.pending == 0:
                break
            await asyncio.sleep(0.01)
        assert question_texts(path) == ["сам запишется"]
    finally:
        await journal.close()


async def test_rows_are_committed_in_batches_of_batch_size(
    db: Database, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(db, interval=3600, batch_size=40)
    batches: list[int] = []
    write_batch = db.write_batch

    async def counting(**rows: list[object]) -> None:
        batches.append(sum(len(kind) for kind in rows.values()))
        await write_batch(**rows)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "write_batch", counting)
    for number in range(50):
        ask(journal, f"вопрос {number}", update_id=number)  # 3 rows each

    assert await journal.flush() is True

    assert batches == [40, 40, 40, 30]
    assert question_texts(path) == [f"вопрос {number}" for number in range(50)]
    assert await db.handled_among(range(50)) == set(range(50))


async def test_rows_queued_while_a_batch_is_being_written_are_kept(
    journal: Journal, db: Database, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch = db.write_batch
    calls = 0

    async def meanwhile(**rows: list[object]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # another handler logs its question while the first batch is written
            ask(journal, "пока пишется", update_id=2)
        await write_batch(**rows)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "write_batch", meanwhile)
    ask(journal, "первый", update_id=1)
    assert await journal.flush() is True
    assert question_texts(path) == ["первый", "пока пишется"]
    assert await db.handled_among([1, 2]) == {1, 2}


@pytest.mark.parametrize(
    ("full", "message"),
    [(False, "attempt to write a readonly database"), (True, "database or disk is full")],
    ids=["read-only", "disk-full"],
)
async def test_a_database_refusing_writes_keeps_the_rows_and_logs_once(
    journal: Journal,
    db: Database,
    path: Path,
    caplog: pytest.LogCaptureFixture,
    full: bool,
    message: str,
) -> None:
    ask(journal, "до сбоя", update_id=1)
    assert await journal.flush() is True
    await refuse_writes(db, full=full)
    caplog.set_level(logging.INFO, logger="bot.journal")

    for number in range(2, 6):  # many rows and many attempts, one incident
        ask(journal, "й" * 3000 + f" {number}", update_id=number)
        assert await journal.flush() is False
    assert journal.refusing
    assert journal.pending == 12
    assert await journal.handled_among([2, 5]) == {2, 5}  # still known as handled, in memory
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert message in errors[0].getMessage()
    assert str(path) in errors[0].getMessage()
    assert errors[0].exc_info is None  # a line, not a traceback

    await accept_writes(db)
    assert await journal.flush() is True

    assert not journal.refusing
    assert [text[-1] for text in question_texts(path)] == ["я", "2", "3", "4", "5"]
    assert on_disk(path, "PRAGMA integrity_check") == [("ok",)]
    recovered = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert recovered == [f"database {path} accepts writes again"]


async def test_rows_beyond_the_bound_drop_the_oldest(
    db: Database, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(db, interval=3600, retry_interval=3600, max_pending=4)
    await journal.start()
    await refuse_writes(db, full=False)
    for number in range(6):
        journal.add_question(user_id=None, chat_id=1, text=f"q{number}", result=answer())
        journal.mark_handled(number)
    assert await journal.flush() is False
    assert journal.pending == 4
    assert await journal.handled_among(range(6)) == {4, 5}

    await accept_writes(db)
    caplog.clear()
    await journal.close()

    assert question_texts(path) == ["q4", "q5"]
    assert await db.handled_among(range(6)) == {4, 5}
    assert [r.getMessage() for r in caplog.records] == [
        f"database {path} accepts writes again; 8 oldest rows were dropped"
    ]


async def test_close_writes_what_is_left(db: Database, path: Path) -> None:
    journal = Journal(db, interval=3600)
    await journal.start()
    ask(journal, "последний", update_id=9)
    await journal.close()
    assert question_texts(path) == ["последний"]
    assert await db.handled_among([9]) == {9}


async def test_close_lets_the_batch_being_written_finish_and_writes_it_once(
    db: Database, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_batch = db.write_batch
    writing, may_finish = asyncio.Event(), asyncio.Event()
    writes: list[str] = []

    async def slow(**rows: list[object]) -> None:
        writing.set()
        try:
            await may_finish.wait()
        except asyncio.CancelledError:
            writes.append("cut short")
            raise
        await write_batch(**rows)  # type: ignore[arg-type]
        writes.append("written")

    monkeypatch.setattr(db, "write_batch", slow)
    journal = Journal(db, interval=0)
    await journal.start()
    ask(journal, "на выходе", update_id=5)
    await asyncio.wait_for(writing.wait(), WAIT)  # the background task is mid-write
    closing = asyncio.create_task(journal.close())
    await asyncio.sleep(0)
    may_finish.set()
    await asyncio.wait_for(closing, WAIT)
    assert writes == ["written"]  # one write, not cut short and not repeated
    assert question_texts(path) == ["на выходе"]
    assert on_disk(path, "SELECT id, message_count FROM users") == [(7, 1)]
    assert journal.pending == 0


async def test_close_says_how_many_rows_are_lost_when_the_disk_stays_full(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal(db, interval=3600)
    await journal.start()
    await refuse_writes(db, full=True)
    for number in range(3):
        journal.add_question(
            user_id=None, chat_id=1, text="й" * 3000, result=answer(), update_id=number
        )
    await journal.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR][-1] == (
        f"database {db.path}: 3 log rows could not be written before exit and are lost"
    )


async def test_a_broken_row_is_dropped_with_its_batch_and_the_queue_moves_on(
    journal: Journal, db: Database, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal.add_question(user_id=None, chat_id=None, text="сломан", result=answer())  # type: ignore[arg-type]
    assert await journal.flush() is True
    assert "dropped 1 log rows" in caplog.text
    ask(journal, "следующий", update_id=3)
    assert await journal.flush() is True
    assert question_texts(path) == ["следующий"]


async def test_start_forgets_handled_marks_older_than_two_days(path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
    async with await Database.open(path, clock=lambda: now - timedelta(days=3)) as old:
        await old.mark_handled(1)
    async with await Database.open(path, clock=lambda: now - timedelta(hours=1)) as recent:
        await recent.mark_handled(2)
    async with await Database.open(path, clock=lambda: now) as database:
        journal = Journal(database)
        await journal.start()
        await journal.close()
        assert await database.handled_among([1, 2]) == {2}


# --- handlers/records.py: the journal when an update is being recorded, the database otherwise


def message(update_chat: int = 42) -> Message:
    user = User(id=update_chat, is_bot=False, first_name="Ann", username="ann", language_code="ru")
    chat = Chat(id=update_chat, type="private")
    return Message(message_id=1, date=0, chat=chat, from_user=user, text="регионы?")


async def test_records_go_to_the_journal_of_the_update_being_handled(
    journal: Journal, db: Database, path: Path
) -> None:
    assert current_recording() is None
    with recording(journal, 777):
        await log_question(db, message(), "регионы?", answer("регионы?"))
        assert current_recording() is not None
    assert current_recording() is None
    assert question_texts(path) == []  # queued: nothing waited for the disk

    await journal.flush()

    [row] = await db.recent_questions()
    assert (row.text, row.update_id, row.user_id, row.entry_id) == ("регионы?", 777, 42, "scope")
    user = await db.get_user(42)
    assert user is not None
    assert (user.username, user.message_count) == ("ann", 1)


async def test_records_without_an_update_are_written_at_once(db: Database, path: Path) -> None:
    await log_question(db, message(), "регионы?", answer("регионы?"))
    [row] = await db.recent_questions()
    assert (row.text, row.update_id) == ("регионы?", None)


async def test_a_direct_write_that_fails_is_logged_and_swallowed(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await refuse_writes(db, full=False)
    await log_question(db, message(), "регионы?", answer("регионы?"))  # must not raise
    assert "could not remember user 42" in caplog.text
    assert "could not log a question from chat 42" in caplog.text


# --- which updates were handled: the newest stored mark spares a query per update


async def test_after_a_restart_marks_at_or_below_the_newest_are_still_found(path: Path) -> None:
    async with await Database.open(path) as database:
        journal = Journal(database, interval=3600)
        await journal.start()
        for update_id in (3, 5, 9):
            journal.mark_handled(update_id)
        await journal.close()

    async with await Database.open(path) as database:
        journal = Journal(database, interval=3600)
        await journal.start()
        try:
            # 9 is the newest mark itself, 3 and 5 lie below it, 4 and 8 below it but unmarked.
            assert await journal.handled_among([3, 4, 5, 8, 9, 10, 11]) == {3, 5, 9}
        finally:
            await journal.close()


async def queries_of(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """Records what ``db.handled_among`` is asked, and still answers from the database."""
    asked: list[set[int]] = []
    handled_among = db.handled_among

    async def recording_query(update_ids: set[int]) -> set[int]:
        asked.append(set(update_ids))
        return await handled_among(update_ids)

    monkeypatch.setattr(db, "handled_among", recording_query)
    return asked


async def test_only_ids_up_to_the_newest_mark_are_looked_up(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await db.mark_handled(100)  # an earlier run
    journal = Journal(db, interval=3600)
    await journal.start()
    asked = await queries_of(db, monkeypatch)
    try:
        assert await journal.handled_among([101]) == set()  # a new update: no query
        assert await journal.handled_among([100, 99, 150]) == {100}
        assert asked == [{100, 99}]
    finally:
        await journal.close()


async def test_marks_of_this_run_are_found_once_written(journal: Journal) -> None:
    journal.mark_handled(7)
    journal.mark_handled(12)
    assert await journal.flush() is True  # no longer queued: only the database knows them now
    assert await journal.handled_among([7, 10, 12, 13]) == {7, 12}


async def test_an_empty_database_needs_no_query_until_something_is_marked(
    journal: Journal, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = await queries_of(db, monkeypatch)
    assert await journal.handled_among([1, 2]) == set()
    assert asked == []
    journal.mark_handled(2)
    await journal.flush()
    assert await journal.handled_among([1, 2, 3]) == {2}
    assert asked == [{1, 2}]  # written, no longer queued: the database is asked; 3 is new


async def test_when_the_newest_mark_cannot_be_read_every_id_is_looked_up(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await db.mark_handled(50)

    async def unreadable() -> int | None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db, "newest_handled_update", unreadable)
    journal = Journal(db, interval=3600)
    await journal.start()
    try:
        assert "cannot read handled updates (disk I/O error)" in caplog.text
        assert await journal.handled_among([50, 51]) == {50}
    finally:
        await journal.close()


async def test_a_journal_not_started_asks_the_database(db: Database) -> None:
    await db.mark_handled(8)
    journal = Journal(db)
    assert await journal.handled_among([8, 9]) == {8}
