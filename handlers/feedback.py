"""👍 / 👎 under answers.

A tap is stored (one vote per user per answer message; tapping the other one changes it), the
keyboard shows the chosen one and a notice thanks the user. A 👎 also offers the questions
closest to the answered one (what the engine ranks next for the user's message and for the
entry's own question, then the other questions of its section) and, when there are owners to
answer, "ask a person".

In a group everyone sees one keyboard: it shows the latest vote, while each member's own vote
is stored apart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

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
from handlers.human import find_logged_question

if TYPE_CHECKING:
    from bot.journal import Journal

logger = logging.getLogger(__name__)


async def vote(
    callback: CallbackQuery,
    callback_data: VoteCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    settings: Settings,
    texts: Texts,
    journal: Journal | None = None,
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
        logged = await find_logged_question(db, callback_data.update_id, journal)
        alternatives = _alternatives(service, entry, logged.text if logged else None)
        can_ask = bool(settings.admin_ids)
        keyboard = not_helpful_keyboard(
            alternatives, texts, update_id=callback_data.update_id, can_ask=can_ask
        )
        offer = texts.not_helpful if can_ask else texts.not_helpful_no_person
        await send_in_parts(bot, message.chat.id, [offer], keyboard)


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


def _alternatives(service: FaqService, entry: Entry, asked: str | None) -> list[Entry]:
    """Up to three entries other than ``entry``: the engine's next best for the user's message
    (``asked``) and for the entry's own question, then the rest of the entry's section; the rest
    of the base only when that finds nothing (a 👎 must not leave the user with nothing to try)."""
    found: dict[str, Entry] = {}
    for text in (asked, entry.question):
        if text:
            for candidate in service.match(text).ranked:
                found.setdefault(candidate.entry.id, candidate.entry)
    for sibling in service.kb.entries_in(entry.section_id):
        found.setdefault(sibling.id, sibling)
    found.pop(entry.id, None)
    if not found:
        found = {other.id: other for other in service.kb.entries if other.id != entry.id}
    return list(found.values())[:MAX_SUGGESTIONS]


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(vote, VoteCallback.filter())
    return router
