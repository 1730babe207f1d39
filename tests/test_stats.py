"""/stats numbers: periods, shares, most asked entries and votes, from a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine.types import Candidate, MatchResult, Outcome, SmallTalk
from bot.knowledge.model import Entry
from bot.stats import collect_stats
from bot.storage import Activity, Database, EntryCount, EntryVotes

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
SCOPE = Entry("scope", "regions", "Как складывается взаимодействие?", "Ответ.")
GROWTH = Entry("growth", "regions", "В каких областях его наращивать?", "Ответ 2.")


class SetClock:
    """A clock the test sets before each write."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def answered(entry: Entry) -> MatchResult:
    best = Candidate(entry, 0.9)
    return MatchResult("q", Outcome.ANSWER, best=best, ranked=(best,))


SUGGESTED = MatchResult("q", Outcome.SUGGEST, suggestions=(Candidate(SCOPE, 0.5),))
NOT_FOUND = MatchResult("q", Outcome.NONE)
GREETING = MatchResult("q", Outcome.NONE, small_talk=SmallTalk.GREETING)


@pytest.fixture
def clock() -> SetClock:
    return SetClock()


@pytest.fixture
async def db(tmp_path: Path, clock: SetClock) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "faq.sqlite3", clock=clock)
    yield database
    await database.close()


async def log(
    db: Database, clock: SetClock, age: timedelta, user_id: int, result: MatchResult
) -> None:
    clock.now = NOW - age
    await db.log_question(user_id=user_id, chat_id=user_id, text="q", result=result)


async def test_empty_database(db: Database) -> None:
    stats = await collect_stats(db, now=NOW)
    empty = Activity(messages=0, users=0, answered=0, suggested=0, not_found=0, small_talk=0)
    assert (stats.day, stats.week, stats.all_time) == (empty, empty, empty)
    assert (stats.top_entries, stats.votes) == ((), ())
    assert empty.answered_share == empty.suggested_share == empty.not_found_share == 0.0
    assert stats.generated_at == NOW


async def test_periods_shares_and_top_entries(db: Database, clock: SetClock) -> None:
    hour, day = timedelta(hours=1), timedelta(days=1)
    await log(db, clock, hour, 1, answered(SCOPE))
    await log(db, clock, hour, 1, answered(GROWTH))
    await log(db, clock, hour, 2, GREETING)
    await log(db, clock, day - timedelta(seconds=1), 2, NOT_FOUND)  # still within the day
    await log(db, clock, day + timedelta(seconds=1), 3, SUGGESTED)  # just outside it
    await log(db, clock, 3 * day, 3, answered(SCOPE))
    await log(db, clock, 6 * day, 4, answered(SCOPE))
    await log(db, clock, 8 * day, 5, NOT_FOUND)  # older than a week
    await log(db, clock, 30 * day, 6, answered(GROWTH))
    await log(db, clock, 30 * day, 6, GREETING)

    stats = await collect_stats(db, now=NOW)
    assert stats.day == Activity(
        messages=4, users=2, answered=2, suggested=0, not_found=1, small_talk=1
    )
    assert stats.week == Activity(
        messages=7, users=4, answered=4, suggested=1, not_found=1, small_talk=1
    )
    assert stats.all_time == Activity(
        messages=10, users=6, answered=5, suggested=1, not_found=2, small_talk=2
    )
    assert stats.all_time.questions == 8  # small talk is not a question
    assert stats.all_time.answered_share == pytest.approx(5 / 8)
    assert stats.all_time.suggested_share == pytest.approx(1 / 8)
    assert stats.all_time.not_found_share == pytest.approx(2 / 8)
    assert stats.top_entries == (EntryCount("scope", 3), EntryCount("growth", 2))


async def test_top_is_limited_and_ties_go_by_id(db: Database, clock: SetClock) -> None:
    for entry_id in ("c", "b", "a"):
        entry = Entry(entry_id, "s", entry_id, "answer")
        await log(db, clock, timedelta(hours=1), 1, answered(entry))
    await log(db, clock, timedelta(hours=1), 1, answered(Entry("c", "s", "c", "answer")))
    stats = await collect_stats(db, now=NOW, top=2)
    assert stats.top_entries == (EntryCount("c", 2), EntryCount("a", 1))


async def test_votes_per_entry(db: Database) -> None:
    await db.record_vote(chat_id=1, message_id=10, user_id=1, entry_id="scope", value=1)
    await db.record_vote(chat_id=2, message_id=11, user_id=2, entry_id="scope", value=-1)
    await db.record_vote(chat_id=2, message_id=11, user_id=2, entry_id="scope", value=1)
    await db.record_vote(chat_id=3, message_id=12, user_id=3, entry_id="growth", value=-1)
    stats = await collect_stats(db, now=NOW)
    assert stats.votes == (EntryVotes("scope", up=2, down=0), EntryVotes("growth", up=0, down=1))
    assert stats.votes_for("growth") == EntryVotes("growth", up=0, down=1)
    assert stats.votes_for("priorities") == EntryVotes("priorities", up=0, down=0)


async def test_now_defaults_to_the_database_clock(db: Database, clock: SetClock) -> None:
    await log(db, clock, timedelta(days=2), 1, NOT_FOUND)
    clock.now = NOW
    stats = await collect_stats(db)
    assert stats.generated_at == NOW
    assert (stats.day.messages, stats.week.messages) == (0, 1)
