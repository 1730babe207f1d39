"""/questions for the owners: the questions users sent to a person, oldest first, and replies.

"Reply" (here or under the notification each owner got) asks the owner for the reply; the next
message the owner types goes to the user through the bot, and the question leaves the queue.
If two owners reply to the same question, the first reply is sent and the second owner is told.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import QuestionsPageCallback, ReplyCallback
from bot.formatting import (
    MESSAGE_LIMIT,
    clip,
    escape,
    mention,
    moment,
    person,
    split_text,
)
from bot.keyboards import cancel_dialog_keyboard, human_questions_keyboard
from bot.storage import Database, HumanQuestionRow, HumanQuestionStatus
from bot.texts import Texts, texts_for
from handlers.delivery import chat_id_of, reply, send_in_parts, show_in_place
from handlers.dialog_state import new_dialog_token, start_dialog
from handlers.filters import PlainText, owners_only

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
LIST_QUOTE_LIMIT = 500  # five of them fit one message
PROMPT_QUOTE_LIMIT = 3500
REPLY_QUOTE_LIMIT = 300  # the user's question above the owner's reply
# Room for the header of the first part of a reply (the quoted question and a title).
REPLY_HEADER_ROOM = REPLY_QUOTE_LIMIT + 200


class ReplyDialog(StatesGroup):
    text = State()  # the owner types the reply to ``human_question_id``


async def show_first_page(message: Message, db: Database, state: FSMContext, texts: Texts) -> None:
    await state.clear()
    text, markup = await _page(db, texts, page=0)
    await reply(message, text, markup)


async def show_page(
    callback: CallbackQuery,
    callback_data: QuestionsPageCallback,
    bot: Bot,
    db: Database,
    texts: Texts,
) -> None:
    text, markup = await _page(db, texts, page=callback_data.page)
    await show_in_place(callback, bot, [text], markup)
    await callback.answer()


async def _page(
    db: Database, texts: Texts, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await db.human_questions(HumanQuestionStatus.OPEN, page=page, page_size=PAGE_SIZE)
    if not found.rows:
        return texts.owner.questions_empty, None
    owner = texts.owner
    lines = [owner.questions_header.format(open=found.total)]
    numbered = list(enumerate(found.rows, start=found.number * found.size + 1))
    for number, row in numbered:
        lines.append(
            owner.questions_line.format(
                number=number,
                who=await _who(db, row),
                when=moment(row.created_at),
                text=escape(clip(row.text, LIST_QUOTE_LIMIT)),
            )
        )
    markup = human_questions_keyboard(
        [(number, row.id, row.text) for number, row in numbered],
        texts,
        page=found.number,
        has_previous=found.has_previous,
        has_next=found.has_next,
    )
    return "\n\n".join(lines), markup


async def start_reply(
    callback: CallbackQuery,
    callback_data: ReplyCallback,
    bot: Bot,
    db: Database,
    state: FSMContext,
    texts: Texts,
) -> None:
    row = await db.get_human_question(callback_data.human_question_id)
    if row is None:
        await callback.answer(texts.stale_button)
        return
    if row.status is HumanQuestionStatus.ANSWERED:
        await callback.answer(texts.owner.already_answered, show_alert=True)
        return
    prompt = texts.owner.reply_prompt.format(
        who=await _who(db, row), text=escape(clip(row.text, PROMPT_QUOTE_LIMIT))
    )
    # The prompt first: if Telegram refuses it, the owner's next message must not go to the user.
    token = new_dialog_token()
    markup = cancel_dialog_keyboard(texts, dialog=token)
    await send_in_parts(bot, chat_id_of(callback), [prompt], markup)
    await start_dialog(state, ReplyDialog.text, {"human_question_id": row.id}, token=token)
    await callback.answer()


async def send_reply(
    message: Message, bot: Bot, db: Database, state: FSMContext, texts: Texts
) -> None:
    draft = await state.get_data()
    await state.clear()
    owner_id = message.from_user.id if message.from_user else 0
    row = await db.answer_human_question(
        draft["human_question_id"], message.text or "", by=owner_id
    )
    if row is None:  # another owner was first (or the question is gone)
        await reply(message, texts.owner.already_answered)
        return
    delivered = await deliver(bot, row, db)
    await reply(message, texts.owner.reply_sent if delivered else texts.owner.reply_not_delivered)


async def deliver(bot: Bot, row: HumanQuestionRow, db: Database) -> bool:
    """Send an owner's reply to the user, in the user's language; False if Telegram refused.
    In a group the reply names the asker (a mention): others may have asked meanwhile."""
    texts = texts_for(row.language_code)
    reply_parts = split_text(
        row.reply or "", MESSAGE_LIMIT, first_limit=MESSAGE_LIMIT - REPLY_HEADER_ROOM
    )
    question = escape(clip(row.text, REPLY_QUOTE_LIMIT))
    if row.chat_id == row.user_id:  # a private chat's id is the user's
        first = texts.human_reply.format(question=question, reply=escape(reply_parts[0]))
    else:
        first = texts.human_reply_in_group.format(
            asker=await _asker(db, row), question=question, reply=escape(reply_parts[0])
        )
    try:
        await send_in_parts(bot, row.chat_id, [first, *map(escape, reply_parts[1:])])
    except TelegramAPIError as error:  # the user blocked the bot, deleted the chat, ...
        logger.warning("cannot deliver the reply to question %s: %s", row.id, error)
        return False
    return True


async def cancel_by_command(message: Message, state: FSMContext, texts: Texts) -> None:
    await state.clear()
    await reply(message, texts.owner.dialog_cancelled)


async def _asker(db: Database, row: HumanQuestionRow) -> str:
    try:
        user = await db.get_user(row.user_id)
    except Exception:  # the reply matters more than the name
        logger.exception("cannot read user %s", row.user_id)
        user = None
    if user is None:
        return mention(row.user_id, None, None)
    return mention(user.id, user.first_name, user.username)


async def _who(db: Database, row: HumanQuestionRow) -> str:
    user = await db.get_user(row.user_id)
    if user is None:
        return person(row.user_id, None, None)
    return person(user.id, user.first_name, user.username)


def create_router() -> Router:
    router = owners_only(Router(name=__name__))
    router.message.register(show_first_page, Command("questions"))
    router.message.register(
        cancel_by_command, Command("cancel", ignore_case=True), StateFilter(ReplyDialog)
    )
    router.message.register(send_reply, StateFilter(ReplyDialog.text), PlainText())
    router.callback_query.register(show_page, QuestionsPageCallback.filter())
    router.callback_query.register(start_reply, ReplyCallback.filter())
    return router
