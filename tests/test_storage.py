"""The SQLite database: schema and migrations, rows written and read back, operator errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.engine import FaqEngine
from bot.engine.types import Candidate, MatchResult, Outcome, SmallTalk
from bot.knowledge.additions import AdditionError, Problem
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.storage import (
    MIGRATIONS,
    Database,
    EntryVotes,
    HumanQuestionRow,
    HumanQuestionStatus,
    OwnerEntryRow,
    PhrasingRow,
    QuestionRow,
    Resolution,
    StorageError,
    UserRow,
    VoteRow,
)
from tests.on_disk import on_disk

SCOPE = Entry("scope", "regions", "Как складывается взаимодействие?", "Ответ.")
GROWTH = Entry("growth", "regions", "В каких областях его наращивать?", "Ответ 2.")
KB = KnowledgeBase(
    sections=(Section("regions", "Регионы"), Section("trade", "Торговля")),
    entries=(SCOPE, GROWTH, Entry("trade", "trade", "Какой товарооборот?", "Большой.")),
)


def at(second: int) -> datetime:
    """The time the test Clock gives on its ``second``-th call."""
    return datetime(2024, 5, 1, 12, 0, second, tzinfo=UTC)


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
    assert await database.schema_version() == len(MIGRATIONS) == 3
    await database.close()
    tables = {row[0] for row in on_disk(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {
        "users",
        "questions",
        "votes",
        "kb_phrasings",
        "kb_entries",
        "human_questions",
        "handled_updates",
    }
    indexes = {row[0] for row in on_disk(path, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {
        "questions_created_at",
        "questions_outcome",
        "votes_entry",
        "human_questions_status",
        "questions_update_id",
        "handled_updates_handled_at",
    } <= indexes
    columns = [row[1] for row in on_disk(path, "PRAGMA table_info(questions)")]
    assert columns[-5:] == [
        "resolution",
        "resolved_entry_id",
        "resolved_by",
        "resolved_at",
        "update_id",
    ]
    assert on_disk(path, "PRAGMA user_version") == [(3,)]


async def test_version_1_database_is_upgraded_keeping_its_rows(path: Path) -> None:
    async with await Database.open(path, migrations=MIGRATIONS[:1], clock=Clock()):
        pass
    # Written the way version 1 of the bot wrote it (today's code writes today's columns).
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "INSERT INTO questions (user_id, chat_id, text, outcome, score, created_at) "
            "VALUES (NULL, 1, 'старый вопрос', 'suggest', 0.5, '2024-05-01T12:00:00.000+00:00')"
        )
    connection.close()
    assert on_disk(path, "PRAGMA user_version") == [(1,)]
    async with await Database.open(path) as database:
        assert await database.schema_version() == len(MIGRATIONS)
        [row] = await database.recent_questions()
    assert row.text == "старый вопрос"
    assert (row.resolution, row.resolved_entry_id, row.resolved_by, row.resolved_at) == (
        None,
        None,
        None,
        None,
    )
    assert row.update_id is None


async def test_wal_mode_is_on(path: Path) -> None:
    async with await Database.open(path) as database:
        assert on_disk(path, "PRAGMA journal_mode") == [("wal",)]
        # NORMAL: in WAL mode a killed process loses no commit (only a power cut may lose the
        # last ones), and a commit does not wait for the disk.
        assert await database._pragma_int("synchronous") == 1


async def test_reopening_keeps_rows_and_version(path: Path) -> None:
    async with await Database.open(path) as database:
        await database.remember_user(7, "ann", "Ann", "ru")
    async with await Database.open(path) as database:
        assert await database.schema_version() == len(MIGRATIONS)
        user = await database.get_user(7)
        assert user is not None
        assert user.first_name == "Ann"


async def test_migration_from_an_older_version(path: Path) -> None:
    async with await Database.open(path) as database:
        await database.remember_user(7, "ann", "Ann", "ru")
    newer = (*MIGRATIONS, ("ALTER TABLE users ADD COLUMN note TEXT", "UPDATE users SET note = 'x'"))
    async with await Database.open(path, migrations=newer) as database:
        assert await database.schema_version() == len(MIGRATIONS) + 1
    assert on_disk(path, "SELECT id, username, note FROM users") == [(7, "ann", "x")]


async def test_failed_migration_changes_nothing(path: Path) -> None:
    async with await Database.open(path):
        pass
    broken = (*MIGRATIONS, ("CREATE TABLE extra (id INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(StorageError) as caught:
        await Database.open(path, migrations=broken)
    assert caught.value.message.startswith(f'database {path}: cannot use it (near "THIS"')
    assert on_disk(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert on_disk(path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []


async def test_database_from_a_newer_bot_is_refused(path: Path) -> None:
    async with await Database.open(path):
        pass
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 9")
    connection.close()
    with pytest.raises(StorageError) as caught:
        await Database.open(path)
    assert caught.value.message == (
        f"database {path} has schema version 9, newer than this bot knows (3): "
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
    assert on_disk(path, "SELECT outcome, entry_id, suggestions, created_at FROM questions") == [
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
    assert on_disk(path, "SELECT created_at FROM questions") == [("2024-05-01T12:00:00.000+00:00",)]


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


async def test_a_commit_cut_short_by_cancellation_still_lands(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shutdown may cancel a writer while its COMMIT runs in the database's thread: the
    cancellation reaches the writer, the row is committed, and no stray ROLLBACK fails."""
    connection = db._connection
    execute = connection.execute
    commits: list[asyncio.Task[object]] = []

    def cancelled_during_commit(sql: str, *args: object) -> object:
        if sql != "COMMIT" or commits:
            return execute(sql, *args)

        async def cut_short() -> object:
            commits.append(asyncio.ensure_future(execute(sql)))  # already in the thread's queue
            raise asyncio.CancelledError

        return cut_short()

    monkeypatch.setattr(connection, "execute", cancelled_during_commit)
    with pytest.raises(asyncio.CancelledError):
        await db.log_question(user_id=1, chat_id=1, text="первый", result=suggest("x"))
    await commits[0]
    await db.log_question(user_id=1, chat_id=1, text="второй", result=suggest("x"))
    assert [row.text for row in await db.recent_questions(limit=10)] == ["второй", "первый"]


async def test_close_is_idempotent(path: Path) -> None:
    database = await Database.open(path)
    await database.close()
    await database.close()


# --- votes ------------------------------------------------------------------------------------


async def test_a_vote_is_stored_and_can_be_changed(db: Database, path: Path) -> None:
    first = await db.record_vote(chat_id=10, message_id=500, user_id=1, entry_id="scope", value=1)
    assert first == VoteRow(10, 500, 1, "scope", 1, created_at=at(1), updated_at=at(1))
    changed = await db.record_vote(
        chat_id=10, message_id=500, user_id=1, entry_id="scope", value=-1
    )
    assert changed == VoteRow(10, 500, 1, "scope", -1, created_at=at(1), updated_at=at(2))
    assert on_disk(path, "SELECT chat_id, message_id, user_id, entry_id, value FROM votes") == [
        (10, 500, 1, "scope", -1)
    ]
    user = await db.get_user(1)  # a voter not seen before gets a user row
    assert user is not None
    assert user.message_count == 0


async def test_one_vote_per_user_per_message(db: Database) -> None:
    await db.record_vote(chat_id=10, message_id=500, user_id=1, entry_id="scope", value=1)
    await db.record_vote(chat_id=10, message_id=500, user_id=2, entry_id="scope", value=1)
    await db.record_vote(chat_id=10, message_id=501, user_id=1, entry_id="scope", value=-1)
    await db.record_vote(chat_id=11, message_id=500, user_id=1, entry_id="growth", value=-1)
    await db.record_vote(chat_id=11, message_id=500, user_id=1, entry_id="growth", value=-1)
    await db.record_vote(chat_id=12, message_id=7, user_id=3, entry_id="trade", value=1)
    assert await db.votes_by_entry() == [
        EntryVotes("scope", up=2, down=1),
        EntryVotes("growth", up=0, down=1),
        EntryVotes("trade", up=1, down=0),
    ]


async def test_a_vote_is_plus_or_minus_one(db: Database, path: Path) -> None:
    for value in (0, 2, -2):
        with pytest.raises(ValueError, match="a vote is"):
            await db.record_vote(chat_id=1, message_id=1, user_id=1, entry_id="x", value=value)
    assert on_disk(path, "SELECT COUNT(*) FROM votes") == [(0,)]
    assert await db.votes_by_entry() == []


# --- owners' additions ------------------------------------------------------------------------


async def test_add_phrasing_is_idempotent_and_one_line(db: Database, path: Path) -> None:
    question_id = await db.log_question(user_id=5, chat_id=5, text="как там", result=nothing("x"))
    first = await db.add_phrasing(
        "scope", "  как там\n регионы  ", added_by=100, question_id=question_id
    )
    assert first == PhrasingRow(1, "scope", "как там регионы", question_id, 100, at(2))
    again = await db.add_phrasing("scope", "как там регионы", added_by=200)
    assert again == first
    await db.add_phrasing("growth", "как там регионы", added_by=100)
    assert on_disk(path, "SELECT entry_id, text, question_id, added_by FROM kb_phrasings") == [
        ("scope", "как там регионы", question_id, 100),
        ("growth", "как там регионы", None, 100),
    ]
    assert [(p.entry_id, p.text) for p in await db.phrasings()] == [
        ("scope", "как там регионы"),
        ("growth", "как там регионы"),
    ]


async def test_add_phrasing_refuses_what_the_file_could_not_hold(db: Database) -> None:
    with pytest.raises(AdditionError) as caught:
        await db.add_phrasing("scope", " \n\t", added_by=1)
    assert caught.value.problem is Problem.EMPTY
    with pytest.raises(AdditionError) as caught:
        await db.add_phrasing("scope", "слово " * 100, added_by=1)
    assert caught.value.problem is Problem.TOO_LONG
    assert await db.phrasings() == []


async def test_add_entry_gets_a_fresh_readable_id(db: Database, path: Path) -> None:
    question_id = await db.log_question(
        user_id=5, chat_id=5, text="Какой товарооборот с Китаем?", result=nothing("x")
    )
    first = await db.add_entry(
        KB,
        section_id="trade",
        question="Какой  товарооборот с Китаем?",
        answer="  Растёт.\r\nБыстро.  ",
        added_by=100,
        question_id=question_id,
    )
    assert first == OwnerEntryRow(
        id="kakoy-tovarooborot-s-fdcaf6",
        section_id="trade",
        question="Какой товарооборот с Китаем?",
        answer="Растёт.\nБыстро.",
        question_id=question_id,
        added_by=100,
        created_at=at(2),
    )
    # Its id is taken in the file: the new entry gets the next free one.
    kb = KnowledgeBase(
        sections=KB.sections,
        entries=(*KB.entries, Entry("kakoy-tovarooborot-s-0e7af8", "trade", "Другой?", "Ответ.")),
    )
    second = await db.add_entry(
        kb, section_id="trade", question="Какой товарооборот с Индией?", answer="Тоже.", added_by=1
    )
    assert second.id == "kakoy-tovarooborot-s-0e7af8-2"
    assert on_disk(path, "SELECT id, section_id, question_id, added_by FROM kb_entries") == [
        ("kakoy-tovarooborot-s-fdcaf6", "trade", question_id, 100),
        ("kakoy-tovarooborot-s-0e7af8-2", "trade", None, 1),
    ]
    assert [e.id for e in await db.owner_entries()] == [first.id, second.id]
    assert first.as_entry() == Entry(first.id, "trade", first.question, first.answer)


@pytest.mark.parametrize(
    ("section_id", "question", "answer", "problem"),
    [
        ("nowhere", "Новый вопрос?", "Ответ.", Problem.UNKNOWN_SECTION),
        ("trade", "  какой ТОВАРООБОРОТ? ", "Ответ.", Problem.DUPLICATE_QUESTION),
        ("trade", "", "Ответ.", Problem.EMPTY),
        ("trade", "Новый вопрос?", " \n ", Problem.EMPTY),
        ("trade", "в" * 501, "Ответ.", Problem.TOO_LONG),
        ("trade", "Новый вопрос?", "о" * 20_001, Problem.TOO_LONG),
    ],
)
async def test_add_entry_refusals(
    db: Database, path: Path, section_id: str, question: str, answer: str, problem: Problem
) -> None:
    with pytest.raises(AdditionError) as caught:
        await db.add_entry(KB, section_id=section_id, question=question, answer=answer, added_by=1)
    assert caught.value.problem is problem
    assert on_disk(path, "SELECT COUNT(*) FROM kb_entries") == [(0,)]


async def test_with_owner_additions_builds_the_effective_knowledge_base(db: Database) -> None:
    entry = await db.add_entry(
        KB, section_id="regions", question="Где граница?", answer="Длинная.", added_by=1
    )
    await db.add_phrasing(entry.id, "где проходит граница", added_by=1)
    await db.add_phrasing("scope", "как дела у регионов", added_by=1)
    await db.add_phrasing("removed-entry", "ничего", added_by=1)
    kb = await db.with_owner_additions(KB)
    assert kb.entry("scope").phrasings == ("как дела у регионов",)
    assert kb.entries[-1] == Entry(
        "gde-granitsa-3a01b3", "regions", "Где граница?", "Длинная.", ("где проходит граница",)
    )
    assert len(kb.entries) == len(KB.entries) + 1
    engine = FaqEngine.build(kb)  # what the bot answers from right after the owner's edit
    for question in ("Где граница?", "где проходит граница"):  # its question and phrasing
        result = engine.match(question)
        assert result.outcome is Outcome.ANSWER
        assert result.best is not None
        assert result.best.entry.id == "gde-granitsa-3a01b3"


# --- unanswered questions ---------------------------------------------------------------------


async def log_mixture(db: Database) -> list[int]:
    """Two unanswered, one answered, one small talk, two more unanswered; returns the ids."""
    return [
        await db.log_question(user_id=1, chat_id=1, text="непонятное 1", result=nothing("x")),
        await db.log_question(user_id=1, chat_id=1, text="похожее 2", result=suggest("x")),
        await db.log_question(user_id=1, chat_id=1, text="отвечено", result=answer("x")),
        await db.log_question(
            user_id=1, chat_id=1, text="привет", result=nothing("x", SmallTalk.GREETING)
        ),
        await db.log_question(user_id=2, chat_id=2, text="непонятное 5", result=nothing("x")),
        await db.log_question(user_id=2, chat_id=2, text="похожее 6", result=suggest("x")),
    ]


async def test_unanswered_lists_none_and_suggest_newest_first(db: Database) -> None:
    await log_mixture(db)
    page = await db.unanswered(page=0, page_size=3)
    assert [row.text for row in page.rows] == ["похожее 6", "непонятное 5", "похожее 2"]
    assert (page.total, page.number, page.size, page.count) == (4, 0, 3, 2)
    assert (page.has_previous, page.has_next) == (False, True)
    second = await db.unanswered(page=1, page_size=3)
    assert [row.text for row in second.rows] == ["непонятное 1"]
    assert (second.has_previous, second.has_next) == (True, False)
    past_the_end = await db.unanswered(page=7, page_size=3)
    assert past_the_end.number == 1
    assert past_the_end.rows == second.rows
    assert (await db.unanswered(page=-1, page_size=3)).number == 0


async def test_unanswered_on_an_empty_log(db: Database) -> None:
    page = await db.unanswered()
    assert (page.rows, page.total, page.number, page.count) == ((), 0, 0, 1)
    assert not page.has_next
    with pytest.raises(ValueError, match="page_size must be at least 1"):
        await db.unanswered(page_size=0)


async def test_resolving_questions(db: Database, path: Path) -> None:
    first, second, *_, fifth, sixth = await log_mixture(db)
    resolved = await db.resolve_question(first, Resolution.PHRASING, "scope", by=100)
    assert resolved is not None
    assert (resolved.resolution, resolved.resolved_entry_id, resolved.resolved_by) == (
        Resolution.PHRASING,
        "scope",
        100,
    )
    assert resolved.resolved_at == at(7)
    await db.resolve_question(second, Resolution.NEW_ENTRY, "novyy", by=100)
    await db.resolve_question(fifth, Resolution.IGNORED, by=200)
    await db.resolve_question(fifth, Resolution.PHRASING, "growth", by=100)  # changed its mind
    assert on_disk(
        path, "SELECT id, resolution, resolved_entry_id, resolved_by FROM questions ORDER BY id"
    ) == [
        (first, "phrasing", "scope", 100),
        (second, "new_entry", "novyy", 100),
        (3, None, None, None),
        (4, None, None, None),
        (fifth, "phrasing", "growth", 100),
        (sixth, None, None, None),
    ]
    shown = await db.unanswered()
    assert [(row.text, row.resolution) for row in shown.rows] == [
        ("похожее 6", None),
        ("непонятное 5", Resolution.PHRASING),
        ("похожее 2", Resolution.NEW_ENTRY),
        ("непонятное 1", Resolution.PHRASING),
    ]
    open_only = await db.unanswered(include_resolved=False)
    assert [row.id for row in open_only.rows] == [sixth]
    assert open_only.total == 1


async def test_resolve_checks_its_arguments(db: Database) -> None:
    [question, *_] = await log_mixture(db)
    with pytest.raises(ValueError, match="disagree"):
        await db.resolve_question(question, Resolution.PHRASING, by=1)
    with pytest.raises(ValueError, match="disagree"):
        await db.resolve_question(question, Resolution.IGNORED, "scope", by=1)
    assert await db.resolve_question(999, Resolution.IGNORED, by=1) is None
    row = await db.get_question(question)
    assert row is not None
    assert row.resolution is None
    assert await db.get_question(999) is None


# --- questions for a person -------------------------------------------------------------------


async def test_human_question_is_queued_and_answered(db: Database, path: Path) -> None:
    asked = await db.create_human_question(
        user_id=7, chat_id=70, text="Можно поговорить с человеком?", language_code="ru"
    )
    assert asked == HumanQuestionRow(
        id=1,
        user_id=7,
        chat_id=70,
        text="Можно поговорить с человеком?",
        language_code="ru",
        status=HumanQuestionStatus.OPEN,
        reply=None,
        answered_by=None,
        created_at=at(1),
        answered_at=None,
    )
    answered = await db.answer_human_question(asked.id, "Да, пишите.", by=100)
    assert answered is not None
    assert (answered.chat_id, answered.status, answered.reply, answered.answered_by) == (
        70,
        HumanQuestionStatus.ANSWERED,
        "Да, пишите.",
        100,
    )
    assert answered.answered_at == at(2)
    # A second owner replying to the same question is told it is no longer open.
    assert await db.answer_human_question(asked.id, "Тоже да.", by=200) is None
    assert await db.answer_human_question(999, "Кому?", by=200) is None
    assert on_disk(path, "SELECT status, reply, answered_by FROM human_questions") == [
        ("answered", "Да, пишите.", 100)
    ]
    assert await db.get_human_question(999) is None
    assert await db.get_user(7) is not None


async def test_human_question_lists(db: Database) -> None:
    ids = [
        (await db.create_human_question(user_id=1, chat_id=1, text=f"вопрос {number}")).id
        for number in range(1, 6)
    ]
    await db.answer_human_question(ids[1], "ответ", by=100)
    await db.answer_human_question(ids[3], "ответ", by=100)
    queue = await db.human_questions(page=0, page_size=2)
    assert [row.text for row in queue.rows] == ["вопрос 1", "вопрос 3"]  # the oldest first
    assert (queue.total, queue.count) == (3, 2)
    assert [row.text for row in (await db.human_questions(page=1, page_size=2)).rows] == [
        "вопрос 5"
    ]
    done = await db.human_questions(HumanQuestionStatus.ANSWERED)
    assert [row.text for row in done.rows] == ["вопрос 4", "вопрос 2"]  # the newest first
    everything = await db.human_questions(None, page_size=10)
    assert [row.id for row in everything.rows] == ids[::-1]


# --- handled updates and batches (what the write-behind journal relies on) --------------------


async def test_a_question_is_logged_with_its_update_and_found_by_it(db: Database) -> None:
    row_id = await db.log_question(
        user_id=1, chat_id=10, text="регионы?", result=answer("x"), update_id=501
    )
    [row] = await db.recent_questions()
    assert (row.id, row.update_id, row.text) == (row_id, 501, "регионы?")
    found = await db.get_question_by_update(501)
    assert found == row
    assert await db.get_question_by_update(502) is None
    # Logged is not handled: the reply may still have been cut short (see mark_handled).
    assert await db.handled_among([501]) == set()


async def test_logging_the_same_update_twice_keeps_the_first_row(db: Database, path: Path) -> None:
    first = await db.log_question(
        user_id=1, chat_id=10, text="первый", result=answer("x"), update_id=7
    )
    again = await db.log_question(
        user_id=1, chat_id=10, text="повтор", result=suggest("x"), update_id=7
    )
    assert again == first
    assert on_disk(path, "SELECT update_id, text, outcome FROM questions") == [
        (7, "первый", "answer")
    ]


async def test_questions_without_an_update_are_never_merged(db: Database) -> None:
    await db.log_question(user_id=1, chat_id=10, text="один", result=answer("x"))
    await db.log_question(user_id=1, chat_id=10, text="два", result=answer("x"))
    assert [row.text for row in await db.recent_questions()] == ["два", "один"]


async def test_mark_handled_and_forget_old_marks(db: Database) -> None:
    await db.mark_handled(11)  # the clock says 12:00:01
    await db.mark_handled(12)  # 12:00:02
    await db.mark_handled(12)  # a second mark of the same update changes nothing
    assert await db.handled_among([10, 11, 12]) == {11, 12}
    assert await db.forget_handled_updates(before=at(2)) == 1
    assert await db.handled_among([11, 12]) == {12}
    assert await db.handled_among([]) == set()


async def test_write_batch_writes_users_questions_and_marks_in_one_go(
    db: Database, path: Path
) -> None:
    from bot.storage import HandledUpdate, QuestionRecord, UserRecord

    await db.write_batch(
        users=[
            UserRecord(5, "ann", "Ann", "ru", at(30)),
            UserRecord(5, "ann", "Ann", "ru", at(31)),
        ],
        questions=[
            QuestionRecord.of(
                user_id=5,
                chat_id=5,
                text="вопрос",
                result=answer("x"),
                created_at=at(30),
                update_id=1,
            )
        ],
        handled=[HandledUpdate(2, at(31))],
    )
    user = await db.get_user(5)
    assert user is not None
    assert (user.message_count, user.first_seen, user.last_seen) == (2, at(30), at(31))
    assert on_disk(path, "SELECT user_id, text, update_id, created_at FROM questions") == [
        (5, "вопрос", 1, "2024-05-01T12:00:30.000+00:00")
    ]
    assert await db.handled_among([1, 2, 3]) == {2}


async def test_write_batch_is_all_or_nothing(db: Database) -> None:
    from bot.storage import QuestionRecord, UserRecord

    question = QuestionRecord.of(
        user_id=5, chat_id=1, text="x", result=answer("x"), created_at=at(1)
    )
    broken = replace(question, chat_id=None)  # fails NOT NULL, after the user's row went in
    with pytest.raises(sqlite3.IntegrityError):
        await db.write_batch(users=[UserRecord(5, "ann", "Ann", "ru", at(1))], questions=[broken])
    assert await db.get_user(5) is None
    await db.remember_user(5, "ann", "Ann", "ru")  # and the connection is usable afterwards
    assert await db.get_user(5) is not None


async def test_write_batch_counts_every_message_of_a_user_in_a_batch(
    db: Database, path: Path
) -> None:
    from bot.storage import QuestionRecord, UserRecord

    await db.remember_user(5, "ann", "Ann", "ru")  # 12:00:01, one message before the batch

    def question(user_id: int | None, update_id: int | None, text: str) -> QuestionRecord:
        return QuestionRecord.of(
            user_id=user_id,
            chat_id=1,
            text=text,
            result=answer("x"),
            created_at=at(40),
            update_id=update_id,
        )

    await db.write_batch(
        users=[
            UserRecord(5, "ann", "Ann", "ru", at(40)),
            UserRecord(6, "bob", "Bob", "en", at(41)),
            UserRecord(5, "anna", "Anna", "en", at(42)),  # renamed between her two messages
            UserRecord(6, "bob", "Bob", "en", at(43)),
            UserRecord(5, "anna", "Anna", "en", at(44)),
        ],
        questions=[
            question(5, 1, "первый"),
            question(8, 2, "без remember_user"),  # a user only known from their question
            question(None, None, "без пользователя"),
            question(5, 1, "повтор первого"),  # the same update again: the first row stands
        ],
    )

    ann, bob, carl = await db.get_user(5), await db.get_user(6), await db.get_user(8)
    assert ann is not None
    assert bob is not None
    assert carl is not None
    assert (ann.username, ann.language_code, ann.message_count) == ("anna", "en", 4)
    assert (ann.first_seen, ann.last_seen) == (at(1), at(44))
    assert (bob.message_count, bob.first_seen, bob.last_seen) == (2, at(41), at(43))
    assert (carl.message_count, carl.first_seen) == (0, at(40))
    assert on_disk(path, "SELECT user_id, update_id, text FROM questions ORDER BY id") == [
        (5, 1, "первый"),
        (8, 2, "без remember_user"),
        (None, None, "без пользователя"),
    ]


async def test_a_batch_with_a_user_several_times_stores_what_row_by_row_writes_store(
    tmp_path: Path,
) -> None:
    """One batch (users first, then questions) leaves the same rows as writing each row on its
    own in the order the journal queued them (a user, then their question)."""
    from bot.storage import QuestionRecord, UserRecord

    queued: list[UserRecord | QuestionRecord] = []
    for second, (user_id, name) in enumerate(
        [(5, "ann"), (6, "bob"), (5, "anna"), (5, "anna"), (None, None), (8, None), (8, None)]
    ):
        if user_id is not None and name is not None:
            queued.append(UserRecord(user_id, name, name.title(), "ru", at(second)))
        queued.append(
            QuestionRecord.of(
                user_id=user_id,
                chat_id=user_id or 1,
                text=f"вопрос {second}",
                result=answer("x") if second % 2 else suggest("x"),
                created_at=at(second),
                update_id=100 + second,
            )
        )
    queued.append(queued[1])  # update 100 again: its first row stands

    async def stored(path: Path, batches: list[list[UserRecord | QuestionRecord]]) -> list:
        async with await Database.open(path, clock=Clock()) as database:
            await database.remember_user(6, "bob", "Bob", "en")  # known before the batch
            for rows in batches:
                await database.write_batch(
                    users=[row for row in rows if isinstance(row, UserRecord)],
                    questions=[row for row in rows if isinstance(row, QuestionRecord)],
                )
        return [
            on_disk(path, f"SELECT * FROM {table} ORDER BY 1") for table in ("users", "questions")
        ]

    at_once = await stored(tmp_path / "batch.sqlite3", [queued])
    row_by_row = await stored(tmp_path / "rows.sqlite3", [[row] for row in queued])
    assert at_once == row_by_row
    users = {row[0]: row for row in at_once[0]}
    assert users[5][1:] == ("anna", "Anna", "ru", _iso_of(0), _iso_of(3), 3)
    assert users[6][-1] == 2  # remember_user's message and the batch's
    assert users[8][1:] == (None, None, None, _iso_of(5), _iso_of(5), 0)  # only asked
    assert [row[-1] for row in at_once[1]] == [100, 101, 102, 103, 104, 105, 106]


def _iso_of(second: int) -> str:
    return at(second).isoformat(timespec="milliseconds")


async def test_write_batch_with_a_broken_row_writes_no_row_of_any_table(
    db: Database, path: Path
) -> None:
    from bot.storage import HandledUpdate, QuestionRecord, UserRecord

    good = [
        QuestionRecord.of(
            user_id=5, chat_id=1, text=f"q{n}", result=answer("x"), created_at=at(1), update_id=n
        )
        for n in range(3)
    ]
    broken = replace(good[0], chat_id=None, update_id=99)  # fails NOT NULL, after two good rows
    with pytest.raises(sqlite3.IntegrityError):
        await db.write_batch(
            users=[UserRecord(5, "ann", "Ann", "ru", at(1))] * 2,
            questions=[good[0], good[1], broken, good[2]],
            handled=[HandledUpdate(n, at(2)) for n in range(3)],
        )
    assert on_disk(path, "SELECT COUNT(*) FROM users") == [(0,)]
    assert on_disk(path, "SELECT COUNT(*) FROM questions") == [(0,)]
    assert await db.handled_among(range(3)) == set()
    assert await db.newest_handled_update() is None


async def test_newest_handled_update(db: Database) -> None:
    from bot.storage import HandledUpdate

    assert await db.newest_handled_update() is None
    await db.write_batch(handled=[HandledUpdate(n, at(1)) for n in (30, 120, 7)])
    await db.mark_handled(90)
    assert await db.newest_handled_update() == 120


async def fill_the_disk(db: Database) -> None:
    """Make the database full: SQLite may not grow it by a single page any more."""
    pages = await db._pragma_int("page_count")
    await db._connection.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_fails_the_write_and_leaves_the_database_usable(
    db: Database, path: Path
) -> None:
    await fill_the_disk(db)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        await db.log_question(
            user_id=1, chat_id=1, text="й" * 4000, result=answer("x"), update_id=1
        )
    assert await db.get_question_by_update(1) is None
    await db._connection.execute("PRAGMA max_page_count = 1073741823")
    await db.log_question(user_id=1, chat_id=1, text="после", result=answer("x"), update_id=2)
    assert on_disk(path, "PRAGMA integrity_check") == [("ok",)]
    assert [row.update_id for row in await db.recent_questions()] == [2]
