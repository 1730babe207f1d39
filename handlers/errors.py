"""The last resort for an error that escaped a handler.

A bug becomes an apology to the user (aiogram alone would log it and leave the user waiting) and
a traceback in the log. A failed Bot API call (Telegram unreachable, a refused request) is logged
as one warning: the user is not told, because the reply may even have arrived (only Telegram's
response was lost), and a message about it would likely fail the same way.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.texts import texts_for

logger = logging.getLogger(__name__)


async def apologise(event: ErrorEvent) -> None:
    error = event.exception
    if isinstance(error, TelegramAPIError):
        logger.warning("update %s: Bot API call failed: %r", event.update.update_id, error)
        return
    logger.error("update %s failed: %r", event.update.update_id, error, exc_info=error)
    try:
        await _tell_user(event)
    except TelegramAPIError as error:
        logger.warning("could not apologise for update %s: %s", event.update.update_id, error)


async def _tell_user(event: ErrorEvent) -> None:
    update = event.update
    if update.callback_query is not None:
        query = update.callback_query
        texts = texts_for(query.from_user.language_code)
        await query.answer(texts.something_went_wrong, show_alert=True)
    elif update.message is not None:
        message = update.message
        texts = texts_for(message.from_user.language_code if message.from_user else None)
        await message.answer(texts.something_went_wrong)
