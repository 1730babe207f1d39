"""Sending and editing the bot's messages the way every handler should.

In groups a reply quotes the message it answers (so it is clear whom the bot answers), in private
chats it does not. Navigation edits the message the button is under; when Telegram will not edit
it (too old, deleted, unchanged) the bot sends a new message instead, or nothing if unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import Enum

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters

logger = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"


async def reply(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    if message.chat.type == ChatType.PRIVATE:
        return await message.answer(text, reply_markup=markup)
    quote = ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
    return await message.answer(text, reply_markup=markup, reply_parameters=quote)


async def reply_in_parts(
    message: Message, parts: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a long text as several messages, the keyboard under the last one."""
    for index, part in enumerate(parts):
        is_last = index == len(parts) - 1
        await reply(message, part, markup if is_last else None)


async def show_in_place(
    callback: CallbackQuery,
    bot: Bot,
    parts: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the message under the tapped button with ``parts`` (the first part replaces it,
    any further parts follow as new messages, the keyboard under the last)."""
    first, *rest = parts
    edit = await _edit(callback.message, first, None if rest else markup)
    if edit is _Edit.UNCHANGED:
        return  # a second tap on the same button: the chat already shows all of it
    if edit is _Edit.IMPOSSIBLE:
        await send_in_parts(bot, _chat_id(callback), [first], None if rest else markup)
    if rest:
        await send_in_parts(bot, _chat_id(callback), rest, markup)


async def send_in_parts(
    bot: Bot, chat_id: int, parts: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    for index, part in enumerate(parts):
        is_last = index == len(parts) - 1
        await bot.send_message(chat_id, part, reply_markup=markup if is_last else None)


class _Edit(Enum):
    DONE = "done"
    UNCHANGED = "unchanged"
    IMPOSSIBLE = "impossible"


async def _edit(
    message: Message | object | None, text: str, markup: InlineKeyboardMarkup | None
) -> _Edit:
    if not isinstance(message, Message):  # inaccessible (too old) or not in a chat
        return _Edit.IMPOSSIBLE
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if NOT_MODIFIED in error.message:
            return _Edit.UNCHANGED
        logger.info("cannot edit message %s, sending a new one: %s", message.message_id, error)
        return _Edit.IMPOSSIBLE
    return _Edit.DONE


def _chat_id(callback: CallbackQuery) -> int:
    if callback.message is not None:
        return callback.message.chat.id
    return callback.from_user.id


async def bot_username(bot: Bot) -> str | None:
    """The bot's @username, for links to it (aiogram caches getMe after the first call)."""
    try:
        return (await bot.me()).username
    except TelegramAPIError as error:  # a link is a nicety: the answer goes out without it
        logger.warning("cannot learn the bot's username: %s", error)
        return None


def chat_id_of(callback: CallbackQuery) -> int:
    """The chat a button was tapped in (the user's private chat if Telegram does not say)."""
    return _chat_id(callback)
