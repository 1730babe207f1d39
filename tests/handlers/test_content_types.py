"""Stickers, photos, voice and other non-text messages get a polite "I read text" reply."""

from __future__ import annotations

from typing import Any

import pytest

from bot.local_api import LocalChat
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.mocked_bot import DOCUMENT, LOCATION, NEW_MEMBER, PHOTO, STICKER, VOICE


@pytest.mark.parametrize(
    "content",
    [STICKER, PHOTO, VOICE, LOCATION, DOCUMENT],
    ids=["sticker", "photo", "voice", "location", "document"],
)
async def test_non_text_gets_the_reads_text_reply(
    user: LocalChat, db: Database, content: dict[str, Any]
) -> None:
    exchange = await user.send_message(**content)

    [reply] = exchange.sent
    assert reply.text == RUSSIAN.text_only
    assert exchange.refused == []
    assert await db.recent_questions() == []  # nothing to log: there was no question


async def test_a_photo_with_a_caption_also_gets_the_reply(user: LocalChat) -> None:
    [reply] = (await user.send_message(caption="что с Байконуром?", **PHOTO)).sent

    assert reply.text == RUSSIAN.text_only


async def test_the_reply_is_in_the_users_language(english_user: LocalChat) -> None:
    [reply] = (await english_user.send_message(**STICKER)).sent

    assert reply.text == ENGLISH.text_only


async def test_service_messages_get_no_reply(user: LocalChat) -> None:
    exchange = await user.send_message(**NEW_MEMBER)

    assert exchange.sent == []
