"""/stats for the owners: activity over the last day, week and all time, what the bot did with
the questions, the most asked entries and the votes, as text and as a chart.

The chart is drawn in a worker thread (matplotlib takes a moment of CPU). A short report goes
as the chart's caption; a longer one (over Telegram's 1024-character caption limit) as a
message of its own before the chart. If the chart cannot be drawn, the text alone is sent.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, Message

from bot.chart import render_stats_chart
from bot.formatting import escape, shorten, utf16_length
from bot.knowledge.model import KnowledgeBase
from bot.service import FaqService
from bot.stats import Stats, collect_stats
from bot.storage import Activity, Database
from bot.texts import Texts
from handlers.delivery import reply
from handlers.filters import owners_only

logger = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption
TITLE_WIDTH = 60
MAX_VOTED = 10  # entries listed with their votes


async def show_stats(
    message: Message, service: FaqService, db: Database, state: FSMContext, texts: Texts
) -> None:
    await state.clear()
    stats = await collect_stats(db)
    kb = service.kb
    report = stats_report(stats, kb, texts)
    chart = await _chart(stats, kb, texts)
    if chart is None:
        await reply(message, report)
        return
    photo = BufferedInputFile(chart, filename="stats.png")
    if utf16_length(report) <= CAPTION_LIMIT:  # the HTML is never shorter than what is shown
        await message.answer_photo(photo, caption=report)
        return
    await reply(message, report)
    await message.answer_photo(photo, caption=texts.owner.stats_chart_caption)


async def _chart(stats: Stats, kb: KnowledgeBase, texts: Texts) -> bytes | None:
    titles = {entry.id: entry.question for entry in kb.entries}
    try:
        return await asyncio.to_thread(render_stats_chart, stats, titles, texts.owner.chart)
    except Exception:  # the numbers matter more than the picture
        logger.exception("could not draw the statistics chart")
        return None


def stats_report(stats: Stats, kb: KnowledgeBase, texts: Texts) -> str:
    """The /stats text (HTML). Entry titles are cut short and the lists are capped, so it stays
    well within one message (about 2,500 characters at most)."""
    owner = texts.owner
    periods = [
        (owner.stats_day, stats.day),
        (owner.stats_week, stats.week),
        (owner.stats_all_time, stats.all_time),
    ]
    lines = [owner.stats_title]
    lines += [
        owner.stats_period.format(period=name, messages=a.messages, users=a.users)
        for name, a in periods
    ]
    lines += ["", *_outcome_lines(stats.all_time, texts)]
    lines += ["", owner.stats_top]
    lines += [
        owner.stats_top_line.format(number=n, question=_title(kb, item.entry_id), count=item.count)
        for n, item in enumerate(stats.top_entries, start=1)
    ] or [owner.stats_nothing_yet]
    lines += ["", owner.stats_votes]
    lines += [
        owner.stats_votes_line.format(question=_title(kb, v.entry_id), up=v.up, down=v.down)
        for v in stats.votes[:MAX_VOTED]
    ] or [owner.stats_nothing_yet]
    return "\n".join(lines)


def _outcome_lines(activity: Activity, texts: Texts) -> list[str]:
    owner = texts.owner
    return [
        owner.stats_outcomes.format(questions=activity.questions, small_talk=activity.small_talk),
        owner.stats_answered.format(
            percent=f"{activity.answered_share:.0%}", count=activity.answered
        ),
        owner.stats_suggested.format(
            percent=f"{activity.suggested_share:.0%}", count=activity.suggested
        ),
        owner.stats_not_found.format(
            percent=f"{activity.not_found_share:.0%}", count=activity.not_found
        ),
    ]


def _title(kb: KnowledgeBase, entry_id: str) -> str:
    """An entry's question, short; its id if the knowledge base no longer has it."""
    entry = kb.entry(entry_id)
    return escape(shorten(entry.question, TITLE_WIDTH) if entry else entry_id)


def create_router() -> Router:
    router = owners_only(Router(name=__name__))
    router.message.register(show_stats, Command("stats"))
    return router
