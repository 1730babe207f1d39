"""The in-process Bot API refuses what Telegram refuses, with Telegram's own errors."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
from aiogram.types import BotCommand, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.local_api import (
    MESSAGE_TO_EDIT_NOT_FOUND,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    LocalChat,
    button_texts,
)
from tests.mocked_bot import MockedBot

CHAT_ID = 1001


@pytest.fixture
def bot() -> MockedBot:
    """A bot with one private chat, as if its user had pressed Start."""
    bot = MockedBot()
    bot.session.add_chat(Chat(id=CHAT_ID, type="private", first_name="Анна"))
    return bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=t)] for t in labels]
    )


async def test_send_message_returns_a_message_with_the_text_as_users_see_it(
    bot: MockedBot,
) -> None:
    message = await bot.send_message(
        CHAT_ID, "<b>Жирный</b> &amp; обычный", reply_markup=keyboard("a")
    )

    assert isinstance(message, Message)
    assert message.text == "Жирный & обычный"
    assert message.chat.id == CHAT_ID
    assert message.from_user is not None
    assert message.from_user.is_bot
    assert button_texts(message) == ["a"]
    assert bot.last_call("sendMessage").params["parse_mode"] == "HTML"


async def test_message_ids_grow_per_chat(bot: MockedBot) -> None:
    first = await bot.send_message(CHAT_ID, "раз")
    second = await bot.send_message(CHAT_ID, "два")

    assert second.message_id == first.message_id + 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
        ("<b>не закрыт", "Bad Request: can't parse entities: "),
        ("<script>alert(1)</script>", "Bad Request: can't parse entities: "),
    ],
)
async def test_text_telegram_refuses_raises_bad_request(
    bot: MockedBot, text: str, error: str
) -> None:
    with pytest.raises(TelegramBadRequest) as raised:
        await bot.send_message(CHAT_ID, text)

    assert raised.value.message.startswith(error)
    assert bot.last_call("sendMessage").error == raised.value.message


async def test_oversized_callback_data_is_refused(bot: MockedBot) -> None:
    button = InlineKeyboardButton(text="x", callback_data="x" * 65)

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            CHAT_ID, "текст", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
        )


async def test_unknown_chats_are_refused(bot: MockedBot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "кому?")


async def test_edits_change_the_stored_message(bot: MockedBot) -> None:
    sent = await bot.send_message(CHAT_ID, "было", reply_markup=keyboard("a"))

    edited = await bot.edit_message_text(
        "стало", chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=keyboard("b")
    )

    assert isinstance(edited, Message)
    assert edited.message_id == sent.message_id
    assert edited.text == "стало"
    assert edited.edit_date is not None
    stored = bot.session.message(CHAT_ID, sent.message_id)
    assert stored is not None
    assert stored["text"] == "стало"


async def test_an_edit_without_a_keyboard_removes_it(bot: MockedBot) -> None:
    sent = await bot.send_message(CHAT_ID, "было", reply_markup=keyboard("a"))

    edited = await bot.edit_message_text("стало", chat_id=CHAT_ID, message_id=sent.message_id)

    assert isinstance(edited, Message)
    assert edited.reply_markup is None


async def test_an_edit_that_changes_nothing_is_refused(bot: MockedBot) -> None:
    sent = await bot.send_message(CHAT_ID, "текст", reply_markup=keyboard("a"))

    with pytest.raises(TelegramBadRequest) as raised:
        await bot.edit_message_text(
            "текст", chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=keyboard("a")
        )

    assert raised.value.message == NOT_MODIFIED
    # The same text with another keyboard is a change.
    await bot.edit_message_text(
        "текст", chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=keyboard("b")
    )


async def test_editing_an_unknown_message_is_refused(bot: MockedBot) -> None:
    with pytest.raises(TelegramBadRequest) as raised:
        await bot.edit_message_text("текст", chat_id=CHAT_ID, message_id=999)

    assert raised.value.message == MESSAGE_TO_EDIT_NOT_FOUND


async def test_edit_reply_markup(bot: MockedBot) -> None:
    sent = await bot.send_message(CHAT_ID, "текст", reply_markup=keyboard("a"))

    edited = await bot.edit_message_reply_markup(
        chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=keyboard("b")
    )
    assert isinstance(edited, Message)
    assert button_texts(edited) == ["b"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=CHAT_ID, message_id=sent.message_id, reply_markup=keyboard("b")
        )


async def test_a_callback_query_can_be_answered_once(bot: MockedBot) -> None:
    bot.session.open_callback_query("q1")

    assert await bot.answer_callback_query("q1", text="Готово") is True
    with pytest.raises(TelegramBadRequest) as raised:
        await bot.answer_callback_query("q1")
    assert raised.value.message == QUERY_TOO_OLD


async def test_callback_answers_longer_than_200_characters_are_refused(bot: MockedBot) -> None:
    bot.session.open_callback_query("q2")

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("q2", text="я" * 201)


async def test_get_me_set_my_commands_and_delete_webhook(bot: MockedBot) -> None:
    me = await bot.me()
    assert me.username == "faq_local_bot"
    assert me.id == bot.id
    assert await bot.set_my_commands([BotCommand(command="faq", description="Темы")])
    assert [c.command for c in await bot.get_my_commands()] == ["faq"]
    assert await bot.delete_webhook()
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Не команда", description="x")])


async def test_methods_it_does_not_emulate_are_refused_loudly(bot: MockedBot) -> None:
    with pytest.raises(TelegramNotFound):
        await bot.get_chat(CHAT_ID)


async def test_local_chat_refuses_other_sessions() -> None:
    with pytest.raises(TypeError):
        LocalChat(Dispatcher(), Bot("1:x"))
