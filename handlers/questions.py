"""The catch-all: any text addressed to the bot is a question for the FAQ engine.

The engine decides; this module only turns its decision into a reply: the answer (with 👍/👎 and
"share"), "did you mean" buttons, a friendly word for small talk, or an honest "I don't know"
with the topics and, when there are owners to answer, "ask a person".

The buttons refer to the logged question by the update it came in (a 👎 or "ask a person"
forwards the user's own words to the owners, not a retyped version).
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import Message, Update

from bot.callbacks import Origin
from bot.config import Settings
from bot.engine.types import MatchResult, Outcome
from bot.formatting import answer_messages, has_words, is_blank
from bot.keyboards import (
    answer_keyboard,
    not_found_keyboard,
    sections_keyboard,
    suggestions_keyboard,
)
from bot.knowledge.model import KnowledgeBase
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import bot_username, reply, reply_in_parts
from handlers.filters import AddressedToBot, HasText
from handlers.records import log_question


async def answer_question(
    message: Message,
    question: str,
    event_update: Update,
    bot: Bot,
    service: FaqService,
    db: Database,
    settings: Settings,
    texts: Texts,
) -> None:
    if is_blank(question):
        await reply(message, texts.empty_question)
        return
    if not has_words(question):  # emoji, punctuation: nothing to look up, nothing to log
        await reply(message, texts.no_words)
        return
    engine = service.engine  # one knowledge base for the whole reply, even if replaced meanwhile
    result = engine.match(question)
    update_id = event_update.update_id
    try:
        await _reply_with(
            message, bot, result, engine.kb, texts, update_id, can_ask=bool(settings.admin_ids)
        )
    finally:  # a question is worth logging even when Telegram could not take the reply
        await log_question(db, message, question, result, update_id=update_id)


async def _reply_with(
    message: Message,
    bot: Bot,
    result: MatchResult,
    kb: KnowledgeBase,
    texts: Texts,
    update_id: int,
    *,
    can_ask: bool,
) -> None:
    if result.outcome is Outcome.ANSWER and result.best is not None:
        entry = result.best.entry
        markup = answer_keyboard(
            kb,
            entry,
            texts,
            Origin.SEARCH,
            bot_username=await bot_username(bot),
            update_id=update_id,
        )
        await reply_in_parts(message, answer_messages(entry), markup)
    elif result.small_talk is not None:
        await reply(message, texts.small_talk(result.small_talk), sections_keyboard(kb))
    elif result.outcome is Outcome.SUGGEST and result.suggestions:
        entries = [candidate.entry for candidate in result.suggestions]
        markup = suggestions_keyboard(entries, texts, update_id=update_id)
        await reply(message, texts.did_you_mean, markup)
    else:
        markup = not_found_keyboard(kb, texts, update_id=update_id if can_ask else None)
        await reply(message, texts.not_found, markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(AddressedToBot())
    router.message.register(answer_question, HasText())
    return router
