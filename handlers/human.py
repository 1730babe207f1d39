"""Asking a person: a user's question goes to the owners, and their reply comes back.

The button carries the update id of the user's logged message, so the owners get the user's own
words with no retyping; where there is no such message (an answer opened from the menu, or a log
that could not be written) the bot asks the user to type the question. Every owner gets a
notification with a "reply" button (an owner who never started the bot cannot be written to:
that is logged and skipped); the question also waits in /questions
(handlers/admin_questions.py), which sends the reply.

The dialog state lives in aiogram's FSM storage (MemoryStorage by default): after a restart a
user who was about to type is simply asked again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User

from bot.callbacks import AskHumanCallback, CancelAskCallback
from bot.config import Settings
from bot.formatting import clip, escape, is_blank, person
from bot.keyboards import cancel_ask_keyboard, reply_keyboard, without_ask_human
from bot.storage import Database, HumanQuestionRow, QuestionRow
from bot.texts import Texts, texts_for
from handlers.delivery import chat_id_of, reply, send_in_parts, show_in_place
from handlers.dialog_state import ended_dialog_button, is_current_dialog, start_dialog
from handlers.filters import AddressedToBot, PlainText

if TYPE_CHECKING:
    from bot.journal import Journal

logger = logging.getLogger(__name__)

QUOTE_LIMIT = 3500  # of a question in the owners' notification, which must fit one message


class AskHuman(StatesGroup):
    typing = State()  # the next message is the question for a person


async def ask_human(
    callback: CallbackQuery,
    callback_data: AskHumanCallback,
    bot: Bot,
    db: Database,
    settings: Settings,
    state: FSMContext,
    texts: Texts,
    journal: Journal | None = None,
) -> None:
    if not settings.admin_ids:  # nobody to ask (the button is not shown then)
        await callback.answer(texts.stale_button)
        return
    logged = await find_logged_question(db, callback_data.update_id, journal)
    if logged is None:  # nothing to forward: the user types the question
        token = await start_dialog(state, AskHuman.typing, {})
        prompt_markup = cancel_ask_keyboard(texts, dialog=token)
        await send_in_parts(bot, chat_id_of(callback), [texts.ask_prompt], prompt_markup)
        await callback.answer()
        return
    if logged.user_id != callback.from_user.id:  # in a group: under someone else's question
        await callback.answer(texts.ask_not_yours, show_alert=True)
        return
    await _remove_ask_button(callback)
    if await state.get_state() == AskHuman.typing.state:
        await state.clear()  # a question the user was about to type is not awaited any more
    await _send_to_owners(
        bot, db, settings, callback.from_user, chat_id=logged.chat_id, text=logged.text
    )
    await callback.answer(texts.ask_sent_notice)
    await send_in_parts(bot, chat_id_of(callback), [texts.ask_sent])


async def receive_typed_question(
    message: Message,
    question: str,
    bot: Bot,
    db: Database,
    settings: Settings,
    state: FSMContext,
    texts: Texts,
) -> None:
    if is_blank(question) or message.from_user is None:
        await reply(message, texts.empty_question)
        return
    await state.clear()
    await _send_to_owners(
        bot, db, settings, message.from_user, chat_id=message.chat.id, text=question.strip()
    )
    await reply(message, texts.ask_sent)


async def cancel_by_button(
    callback: CallbackQuery,
    callback_data: CancelAskCallback,
    bot: Bot,
    state: FSMContext,
    texts: Texts,
) -> None:
    if not await is_current_dialog(state, callback_data.dialog):
        await ended_dialog_button(callback, texts)
        return
    await state.clear()
    await show_in_place(callback, bot, [texts.ask_cancelled])
    await callback.answer()


async def cancel_by_command(message: Message, state: FSMContext, texts: Texts) -> None:
    await state.clear()
    await reply(message, texts.ask_cancelled)


async def find_logged_question(
    db: Database, update_id: int, journal: Journal | None = None
) -> QuestionRow | None:
    """The user's message logged from update ``update_id`` (0: none). The log is written behind
    the replies; the journal, when there is one, is flushed first."""
    if not update_id:
        return None
    try:
        if journal is not None:
            await journal.flush()
        return await db.get_question_by_update(update_id)
    except Exception:  # without it the user is asked to type the question
        logger.exception("cannot read the question of update %s", update_id)
        return None


async def _remove_ask_button(callback: CallbackQuery) -> None:
    """Once sent, the question is not offered for sending again."""
    message = callback.message
    if not isinstance(message, Message) or not isinstance(
        message.reply_markup, InlineKeyboardMarkup
    ):
        return
    try:
        await message.edit_reply_markup(reply_markup=without_ask_human(message.reply_markup))
    except TelegramAPIError as error:
        logger.info("cannot remove the ask button from %s: %s", message.message_id, error)


async def _send_to_owners(
    bot: Bot, db: Database, settings: Settings, user: User, *, chat_id: int, text: str
) -> HumanQuestionRow:
    question = await db.create_human_question(
        user_id=user.id, chat_id=chat_id, text=text, language_code=user.language_code
    )
    await notify_owners(bot, db, settings, question, user)
    return question


async def notify_owners(
    bot: Bot, db: Database, settings: Settings, question: HumanQuestionRow, user: User
) -> None:
    """Tell every owner, each in their language, about a new question for a person."""
    who = person(user.id, user.full_name, user.username)
    for owner_id in sorted(settings.admin_ids):
        texts = texts_for(await owner_language(db, owner_id))
        text = texts.owner.new_human_question.format(
            who=who, text=escape(clip(question.text, QUOTE_LIMIT))
        )
        try:
            await bot.send_message(owner_id, text, reply_markup=reply_keyboard(question.id, texts))
        except TelegramAPIError as error:  # e.g. the owner never started the bot
            logger.warning(
                "cannot notify owner %s of question %s: %s", owner_id, question.id, error
            )


async def owner_language(db: Database, owner_id: int) -> str | None:
    """An owner's Telegram language, as last seen (None if they never wrote to the bot)."""
    try:
        row = await db.get_user(owner_id)
    except Exception:  # a notification in Russian beats none
        logger.exception("cannot read owner %s", owner_id)
        return None
    return row.language_code if row else None


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(ask_human, AskHumanCallback.filter())
    router.callback_query.register(cancel_by_button, CancelAskCallback.filter())
    # Only someone typing a question for a person: checked first, so that every other message
    # (nearly all of them) passes this router with one look at the user's state.
    router.message.filter(StateFilter(AskHuman.typing), AddressedToBot())
    router.message.register(cancel_by_command, Command("cancel", ignore_case=True))
    router.message.register(receive_typed_question, PlainText())
    return router
