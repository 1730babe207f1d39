"""Dialogs that wait for typed text, and their ✖️ buttons.

A dialog (an owner typing a reply or a new answer, a user typing a question for a person) is an
FSM state plus a token kept in the state's data. Its ✖️ buttons carry the token, so a ✖️ left in
the chat from a dialog that has ended (sent, cancelled, ended by a command, replaced by a newer
dialog) says so instead of cancelling whatever the person is doing now.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.callbacks import DIALOG_TOKEN_LENGTH
from bot.texts import Texts

logger = logging.getLogger(__name__)

TOKEN_KEY = "dialog"


def new_dialog_token() -> str:
    return secrets.token_hex(DIALOG_TOKEN_LENGTH // 2)


async def start_dialog(
    state: FSMContext, dialog: State, data: dict[str, Any], *, token: str | None = None
) -> str:
    """Enter ``dialog`` with ``data``; returns the dialog's token (``token``, or a new one) for
    its ✖️ buttons."""
    token = token or new_dialog_token()
    await state.set_state(dialog)
    await state.set_data({**data, TOKEN_KEY: token})
    return token


async def dialog_token(state: FSMContext) -> str:
    """The token of the dialog in progress ("" if none)."""
    return str((await state.get_data()).get(TOKEN_KEY, ""))


async def is_current_dialog(state: FSMContext, token: str) -> bool:
    """Is a button with ``token`` one of the dialog in progress?"""
    return await state.get_state() is not None and token == await dialog_token(state)


async def ended_dialog_button(callback: CallbackQuery, texts: Texts) -> None:
    """A ✖️ of a dialog that has ended: say so and take the buttons away."""
    message = callback.message
    if isinstance(message, Message) and message.reply_markup is not None:
        try:
            await message.edit_reply_markup(reply_markup=None)
        except TelegramAPIError as error:  # the notice says it all anyway
            logger.info("cannot remove the buttons of %s: %s", message.message_id, error)
    await callback.answer(texts.dialog_ended)
