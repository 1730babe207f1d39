"""Inline mode: ``@bot <words>`` in any chat lists the best-matching questions; choosing one
sends its answer into that chat, with a link to open it in the bot.

The same engine as for messages ranks the entries (its ranked candidates, not only a confident
answer, so a few words already list something). An empty query lists the most asked entries,
then the first question of each section. Results are the same for everyone (not personal) and
are cached by Telegram only briefly, so an owner's edit shows up soon. Inline mode must be
switched on for the bot in @BotFather (/setinline).
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.types import InlineQuery, InlineQueryResultArticle, InputTextMessageContent

from bot.formatting import MESSAGE_LIMIT, answer_messages, escape, shorten, utf16_length
from bot.keyboards import open_in_bot_keyboard
from bot.knowledge.model import Entry, KnowledgeBase
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import bot_username

logger = logging.getLogger(__name__)

MAX_RESULTS = 10
CACHE_SECONDS = 30
MAX_QUERY_CHARS = 512  # Telegram sends at most 256; anything longer is not a real query
TITLE_WIDTH = 150
DESCRIPTION_WIDTH = 120


async def inline_answers(
    inline_query: InlineQuery, bot: Bot, service: FaqService, db: Database, texts: Texts
) -> None:
    engine = service.engine  # one knowledge base for the whole answer
    query = inline_query.query[:MAX_QUERY_CHARS]
    if query.strip():
        entries = [candidate.entry for candidate in engine.match(query).ranked]
    else:
        entries = await _popular(db, engine.kb)
    username = await bot_username(bot)
    results = [_article(entry, texts, username) for entry in entries[:MAX_RESULTS]]
    await inline_query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)


async def _popular(db: Database, kb: KnowledgeBase) -> list[Entry]:
    """The most asked entries, then the first one of each section, then the rest in order."""
    try:
        asked = [kb.entry(item.entry_id) for item in await db.most_answered(limit=MAX_RESULTS)]
    except Exception:  # the list without the counts still helps
        logger.exception("cannot read the most asked entries")
        asked = []
    firsts = [kb.entries_in(section.id)[:1] for section in kb.sections]
    ordered: dict[str, Entry] = {}  # keeps the first place of each entry
    for entry in [*asked, *(e for first in firsts for e in first), *kb.entries]:
        if entry is not None:
            ordered.setdefault(entry.id, entry)
    return list(ordered.values())[:MAX_RESULTS]


def _article(entry: Entry, texts: Texts, username: str | None) -> InlineQueryResultArticle:
    """The entry as a result: its question as the title, its answer as the message sent (the
    first part of a long one: the link opens the whole answer in the bot)."""
    return InlineQueryResultArticle(
        id=entry.id,
        title=shorten(entry.question, TITLE_WIDTH),
        description=shorten(entry.answer, DESCRIPTION_WIDTH),
        input_message_content=InputTextMessageContent(
            message_text=inline_message(entry, texts, username)
        ),
        reply_markup=open_in_bot_keyboard(username, entry, texts) if username else None,
    )


def inline_message(entry: Entry, texts: Texts, username: str | None) -> str:
    """The message an inline result sends: the whole answer if it fits one message, else its
    first part, visibly cut ("…"), and where to read the rest."""
    parts = answer_messages(entry)
    if len(parts) == 1:
        return parts[0]
    cut = (
        texts.inline_cut.format(bot=f"@{escape(username)}")
        if username
        else texts.inline_cut_no_username
    )
    tail = f"…\n\n{cut}"
    # Room for the tail's HTML, which is never shorter than the text it shows.
    first = answer_messages(entry, MESSAGE_LIMIT - utf16_length(tail))[0]
    return first.rstrip() + tail


def create_router() -> Router:
    router = Router(name=__name__)
    router.inline_query.register(inline_answers)
    return router
