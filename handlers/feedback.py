"""👍 / 👎 under answers.

A tap is stored (one vote per user per answer message; tapping the other one changes it), the
keyboard shows the chosen one and a notice thanks the user. A 👎 also offers the questions
closest to the answered one and, when there are owners to answer, "ask a person".

In a group everyone sees one keyboard: it shows the latest vote, while each member's own vote
is stored apart.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import Vote, VoteCallback
from bot.config import Settings
from bot.keyboards import MAX_SUGGESTIONS, chosen_vote, not_helpful_keyboard, with_vote
from bot.knowledge.model import Entry
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import send_in_parts

logger = logging.getLogger(__name__)


async def vote(
    callback: CallbackQuery,
    callback_data: VoteCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    settings: Settings,
    texts: Texts,
) -> None:
    entry = service.kb.entry(callback_data.entry_id)
    message = callback.message
    if entry is None or message is None:
        await callback.answer(texts.stale_button)
        return
    markup = message.reply_markup if isinstance(message, Message) else None
    repeated = chosen_vote(markup, texts) is callback_data.vote
    await _store(db, callback, entry, callback_data.vote)
    if repeated:
        await callback.answer(texts.vote_already)
        return
    if markup is not None:
        await _show_chosen(message, with_vote(markup, callback_data.vote, texts))
    thanks = texts.vote_thanks if callback_data.vote is Vote.UP else texts.vote_sorry
    await callback.answer(thanks)
    if callback_data.vote is Vote.DOWN:
        ask_id = callback_data.question_id if settings.admin_ids else None
        keyboard = not_helpful_keyboard(_alternatives(service, entry), texts, question_id=ask_id)
        await send_in_parts(bot, message.chat.id, [texts.not_helpful], keyboard)


async def _store(db: Database, callback: CallbackQuery, entry: Entry, choice: Vote) -> None:
    assert callback.message is not None
    try:
        await db.record_vote(
            chat_id=callback.message.chat.id,
            message_id=callback.message.message_id,
            user_id=callback.from_user.id,
            entry_id=entry.id,
            value=choice.value_for_db,
        )
    except Exception:  # a lost vote must not cost the user the acknowledgement
        logger.exception("could not store a vote on entry %s", entry.id)


async def _show_chosen(message: Message, markup: InlineKeyboardMarkup) -> None:
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:  # too old to edit, or already showing it
        logger.info("cannot mark the vote on message %s: %s", message.message_id, error)


def _alternatives(service: FaqService, entry: Entry) -> list[Entry]:
    """The entries the engine finds closest to ``entry``'s own question, ``entry`` left out."""
    ranked = service.match(entry.question).ranked
    others = [candidate.entry for candidate in ranked if candidate.entry.id != entry.id]
    return others[:MAX_SUGGESTIONS]


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(vote, VoteCallback.filter())
    return router
