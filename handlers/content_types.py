"""Stickers, photos, voice messages and the like: the bot reads only text, and says so kindly."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ContentType
from aiogram.types import Message

from bot.texts import Texts
from handlers.delivery import reply
from handlers.filters import AddressedToBot, ContentTypeIn

# Things a person sends instead of text. Service messages (someone joined, a pin, ...) are not
# here: nobody expects a reply to those.
NON_TEXT_CONTENT = frozenset(
    {
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.DOCUMENT,
        ContentType.GAME,
        ContentType.LOCATION,
        ContentType.PAID_MEDIA,
        ContentType.PHOTO,
        ContentType.POLL,
        ContentType.STICKER,
        ContentType.STORY,
        ContentType.VENUE,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.VOICE,
    }
)


async def text_only(message: Message, texts: Texts) -> None:
    await reply(message, texts.text_only)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(AddressedToBot())
    router.message.register(text_only, ContentTypeIn(NON_TEXT_CONTENT))
    return router
