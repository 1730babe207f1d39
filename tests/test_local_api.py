"""The in-process Bot API refuses what Telegram refuses, with Telegram's own errors."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
    User,
)

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


async def test_a_chat_scoped_command_menu_is_kept_apart_and_needs_a_known_chat(
    bot: MockedBot,
) -> None:
    await bot.set_my_commands([BotCommand(command="faq", description="Темы")])
    await bot.set_my_commands(
        [BotCommand(command="stats", description="Статистика")],
        scope=BotCommandScopeChat(chat_id=CHAT_ID),
    )

    assert [c.command for c in await bot.get_my_commands()] == ["faq"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=CHAT_ID))
    assert [c.command for c in scoped] == ["stats"]
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands(
            [BotCommand(command="stats", description="x")], scope=BotCommandScopeChat(chat_id=7)
        )


async def test_an_uploaded_photo_is_kept_with_its_bytes_and_caption(bot: MockedBot) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

    sent = await bot.send_photo(
        CHAT_ID, BufferedInputFile(png, filename="chart.png"), caption="<b>Итог</b>"
    )

    assert sent.photo
    assert sent.caption == "Итог"
    call = bot.last_call("sendPhoto")
    assert list(call.files.values()) == [png]
    assert call.params["photo"].startswith("attach://")


@pytest.mark.parametrize(
    ("data", "caption", "error"),
    [
        (b"not an image", None, "IMAGE_PROCESS_FAILED"),
        (b"\x89PNG\r\n\x1a\n", "я" * 1025, "caption is too long"),
    ],
)
async def test_photos_telegram_refuses(
    bot: MockedBot, data: bytes, caption: str | None, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_photo(CHAT_ID, BufferedInputFile(data, "x.png"), caption=caption)


def article(
    result_id: str, text: str = "Ответ", title: str = "Вопрос?"
) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        input_message_content=InputTextMessageContent(message_text=text),
    )


async def test_an_inline_query_is_answered_once(bot: MockedBot) -> None:
    bot.session.open_callback_query("iq1")

    assert await bot.answer_inline_query("iq1", [article("a"), article("b")], cache_time=5)
    call = bot.last_call("answerInlineQuery")
    assert [r["id"] for r in call.params["results"]] == ["a", "b"]
    assert call.params["results"][0]["input_message_content"]["parse_mode"] == "HTML"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_inline_query("iq1", [])


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([article("same"), article("same")], "RESULT_ID_DUPLICATE"),
        ([article("x" * 65)], "RESULT_ID_INVALID"),
        ([article(str(n)) for n in range(51)], "RESULTS_TOO_MUCH"),
        ([article("a", text="я" * 4097)], "message is too long"),
        ([article("a", text="<b>не закрыт")], "can't parse entities"),
        ([article("a", title=" ")], "title"),
    ],
    ids=["duplicate", "long-id", "too-many", "long-text", "bad-html", "no-title"],
)
async def test_inline_results_telegram_refuses(
    bot: MockedBot, results: list[InlineQueryResultArticle], error: str
) -> None:
    bot.session.open_callback_query("iq2")

    with pytest.raises(TelegramBadRequest, match=error):
        await bot.answer_inline_query("iq2", results)


async def test_update_ids_grow_across_all_chats_of_a_bot(bot: MockedBot) -> None:
    dispatcher = Dispatcher()
    first = LocalChat(dispatcher, bot, user=User(id=1, is_bot=False, first_name="А"))
    second = LocalChat(dispatcher, bot, user=User(id=2, is_bot=False, first_name="Б"))
    seen: list[int] = []

    @dispatcher.update.outer_middleware()
    async def remember(handler: Any, update: Update, data: dict[str, Any]) -> Any:
        seen.append(update.update_id)
        return await handler(update, data)

    await first.send("раз")
    await second.send("два")
    await first.inline("три")

    assert seen == sorted(set(seen))
    assert len(seen) == 3


async def test_a_chat_shows_what_the_bot_wrote_in_it(bot: MockedBot) -> None:
    chat = LocalChat(Dispatcher(), bot, user=User(id=CHAT_ID, is_bot=False, first_name="Анна"))
    first = await bot.send_message(CHAT_ID, "первое", reply_markup=keyboard("a"))
    await bot.send_message(CHAT_ID, "второе")
    await bot.edit_message_text(
        "первое, исправленное", chat_id=CHAT_ID, message_id=first.message_id
    )

    assert [m.text for m in chat.received()] == ["первое, исправленное", "второе"]
