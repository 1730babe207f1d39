"""Buttons no other handler understood: forged, from an older version of the bot, or garbled.

Telegram keeps showing a spinner on a button until its callback is answered, so these still get
an answer, with a hint to open a fresh menu.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.texts import Texts


async def stale_button(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer(texts.stale_button)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(stale_button)
    return router
