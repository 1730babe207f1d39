"""Buttons nobody understands: answered with a notice, never an exception."""

from __future__ import annotations

import pytest

from bot.local_api import LocalChat
from bot.texts import ENGLISH, RUSSIAN


@pytest.mark.parametrize(
    "data",
    [
        "garbage",
        "e",  # a known prefix without its fields
        "e:scope",  # a field missing
        "e:scope:z",  # an origin that does not exist
        "s:regions:extra",  # a field too many
        "m:1",
        "x" * 64,
        "e:" + "я" * 40,  # longer than Telegram would ever deliver
        "<b>&amp;</b>",
        "",
    ],
)
async def test_forged_callback_data_gets_the_stale_button_notice(
    user: LocalChat, data: str
) -> None:
    [topics] = (await user.send("/faq")).sent

    exchange = await user.press(data, topics)

    assert exchange.handled
    assert exchange.callback_answered
    assert exchange.notices == [RUSSIAN.stale_button]
    assert exchange.shown == []


async def test_the_notice_is_in_the_users_language(english_user: LocalChat) -> None:
    exchange = await english_user.press("forged", None)

    assert exchange.callback_answered
    assert exchange.notices == [ENGLISH.stale_button]
