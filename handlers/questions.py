"""The catch-all: any text addressed to the bot is a question for the FAQ engine.

The engine decides; this module only turns its decision into a reply: the answer, "did you mean"
buttons, a friendly word for small talk, or an honest "I don't know" with the topics.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.callbacks import Origin
from bot.engine.types import MatchResult, Outcome
from bot.formatting import answer_messages
from bot.keyboards import answer_keyboard, sections_keyboard, suggestions_keyboard
from bot.knowledge.model import KnowledgeBase
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import reply, reply_in_parts
from handlers.filters import AddressedToBot
from handlers.records import log_question


async def answer_question(
    message: Message, question: str, service: FaqService, db: Database, texts: Texts
) -> None:
    engine = service.engine  # one knowledge base for the whole reply, even if replaced meanwhile
    result = engine.match(question) if question.strip() else None
    if result is None:
        await reply(message, texts.empty_question)
        return
    try:
        await _reply_with(message, result, engine.kb, texts)
    finally:  # a question is worth logging even when Telegram could not take the reply
        await log_question(db, message, question, result)


async def _reply_with(
    message: Message, result: MatchResult, kb: KnowledgeBase, texts: Texts
) -> None:
    if result.outcome is Outcome.ANSWER and result.best is not None:
        entry = result.best.entry
        markup = answer_keyboard(entry, texts, Origin.SEARCH)
        await reply_in_parts(message, answer_messages(entry), markup)
    elif result.small_talk is not None:
        await reply(message, texts.small_talk(result.small_talk), sections_keyboard(kb))
    elif result.outcome is Outcome.SUGGEST and result.suggestions:
        entries = [candidate.entry for candidate in result.suggestions]
        await reply(message, texts.did_you_mean, suggestions_keyboard(entries, texts))
    else:
        await reply(message, texts.not_found, sections_keyboard(kb))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(AddressedToBot())
    router.message.register(answer_question, F.text)
    return router
