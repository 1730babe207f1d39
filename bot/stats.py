"""Usage statistics for the knowledge base's owners (/stats): plain data, read from the database.

Wording and layout are the bot's business (bot/texts.py); the picture is bot/chart.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage import Activity, Database, EntryCount, EntryVotes

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
TOP_ENTRIES = 5


@dataclass(frozen=True, slots=True)
class Stats:
    """What /stats shows. Periods end at ``generated_at`` (UTC)."""

    generated_at: datetime
    day: Activity  # the last 24 hours
    week: Activity  # the last 7 days
    all_time: Activity
    top_entries: tuple[EntryCount, ...]  # most often answered entries, all time, most first
    votes: tuple[EntryVotes, ...]  # 👍/👎 per entry, all time, most voted first

    def votes_for(self, entry_id: str) -> EntryVotes:
        """The votes on one entry (zero if none)."""
        return next(
            (votes for votes in self.votes if votes.entry_id == entry_id),
            EntryVotes(entry_id, up=0, down=0),
        )


async def collect_stats(db: Database, now: datetime | None = None, top: int = TOP_ENTRIES) -> Stats:
    """Read everything /stats needs; ``now`` defaults to the database's clock."""
    now = now if now is not None else db.now()
    return Stats(
        generated_at=now,
        day=await db.activity(since=now - DAY),
        week=await db.activity(since=now - WEEK),
        all_time=await db.activity(),
        top_entries=tuple(await db.most_answered(limit=top)),
        votes=tuple(await db.votes_by_entry()),
    )
