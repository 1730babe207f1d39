"""The fake Telegram server behaves like Telegram: protocol, state, strictness and faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fake_telegram import DEFAULT_TOKEN, FakeChat, FakeTelegram, FakeUser

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def keyboard(*texts: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": t, "callback_data": f"cb:{t}"}] for t in texts]}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.base_url))
    bot = Bot(
        fake_telegram.token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    yield bot
    await bot.session.close()


async def call(
    http: aiohttp.ClientSession, fake: FakeTelegram, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """A Bot API call with a JSON body, like many non-aiogram clients send."""
    async with http.post(fake.method_url(method), json=params) as response:
        return response.status, await response.json()


# --- protocol ---------------------------------------------------------------------------------


async def test_get_me_describes_the_bot(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake_telegram, "getMe")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "faq_test_bot"
    assert body["result"]["id"] == int(fake_telegram.token.split(":")[0])


def test_default_token_is_shaped_like_a_real_one() -> None:
    assert re.fullmatch(r"\d+:[A-Za-z0-9_-]{35}", DEFAULT_TOKEN)


async def test_wrong_token_is_unauthorized(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    async with http.post(fake_telegram.method_url("getMe", token="42:" + "x" * 35)) as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_unknown_method_is_not_found(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake_telegram, "sendTelepathy", chat_id=1)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_method_names_are_case_insensitive_like_telegram(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake_telegram, "getme")
    assert status == 200
    assert body["result"]["is_bot"] is True


async def test_form_query_string_and_json_bodies_are_all_understood(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    chat_id = fake_telegram.default_user.id
    markup = json.dumps(keyboard("A"))
    form = {"chat_id": str(chat_id), "text": "form", "reply_markup": markup}
    async with http.post(fake_telegram.method_url("sendMessage"), data=form) as response:
        assert response.status == 200
    query = {"chat_id": str(chat_id), "text": "query"}
    async with http.get(fake_telegram.method_url("sendMessage"), params=query) as response:
        assert response.status == 200
    status, _ = await call(http, fake_telegram, "sendMessage", chat_id=chat_id, text="json")
    assert status == 200
    assert [m.text for m in fake_telegram.bot_messages()] == ["form", "query", "json"]
    assert fake_telegram.bot_messages()[0].keyboard == [["A"]]
    first = fake_telegram.calls_to("sendMessage")[0]
    assert first.params["chat_id"] == chat_id
    assert first.params["reply_markup"] == keyboard("A")


# --- updates ----------------------------------------------------------------------------------


async def test_get_updates_returns_queued_updates_with_increasing_ids(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("первый")
    fake_telegram.user_sends("второй")
    _, body = await call(http, fake_telegram, "getUpdates")
    updates = body["result"]
    assert [u["message"]["text"] for u in updates] == ["первый", "второй"]
    assert updates[1]["update_id"] == updates[0]["update_id"] + 1
    assert updates[0]["message"]["chat"] == {
        "id": 1001,
        "type": "private",
        "username": "ivan_petrov",
        "first_name": "Иван",
    }
    # Unconfirmed updates come again; an offset confirms everything before it.
    _, again = await call(http, fake_telegram, "getUpdates")
    assert again["result"] == updates
    _, after = await call(http, fake_telegram, "getUpdates", offset=updates[1]["update_id"])
    assert [u["update_id"] for u in after["result"]] == [updates[1]["update_id"]]
    _, empty = await call(http, fake_telegram, "getUpdates", offset=updates[1]["update_id"] + 1)
    assert empty["result"] == []
    assert fake_telegram.pending_updates == []


async def test_long_poll_answers_as_soon_as_an_update_arrives(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, fake_telegram, "getUpdates", timeout=30))
    await asyncio.sleep(0.2)
    assert not poll.done()  # it is waiting, not answering empty
    fake_telegram.user_sends("ау")
    status, body = await asyncio.wait_for(poll, 5)
    assert status == 200
    assert [u["message"]["text"] for u in body["result"]] == ["ау"]


async def test_long_poll_without_updates_answers_empty_after_its_timeout(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await asyncio.wait_for(call(http, fake_telegram, "getUpdates", timeout=1), 5)
    assert (status, body) == (200, {"ok": True, "result": []})


async def test_end_long_polls_answers_a_held_poll_at_once(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    poll = asyncio.create_task(call(http, fake_telegram, "getUpdates", timeout=30))
    await fake_telegram.wait_for_polling(5)
    fake_telegram.fail("getUpdates")
    fake_telegram.end_long_polls()
    assert await asyncio.wait_for(poll, 5) == (200, {"ok": True, "result": []})
    status, _ = await call(http, fake_telegram, "getUpdates")
    assert status == 500


async def test_second_poller_terminates_the_first_with_conflict(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(call(http, fake_telegram, "getUpdates", timeout=30))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(call(http, fake_telegram, "getUpdates", timeout=30))
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    fake_telegram.user_sends("x")
    status, body = await asyncio.wait_for(second, 5)
    assert status == 200
    assert len(body["result"]) == 1


async def test_get_updates_is_refused_while_a_webhook_is_set(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake_telegram, "setWebhook", url="http://example.org/hook")
    assert status == 400
    assert (
        body["description"] == "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    await call(http, fake_telegram, "setWebhook", url="https://example.org/hook")
    _, info = await call(http, fake_telegram, "getWebhookInfo")
    assert info["result"]["url"] == "https://example.org/hook"
    status, body = await call(http, fake_telegram, "getUpdates")
    assert status == 409
    await call(http, fake_telegram, "deleteWebhook")
    status, _ = await call(http, fake_telegram, "getUpdates")
    assert status == 200


async def test_allowed_updates_filters_what_is_delivered(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    fake_telegram.user_inline_query("байконур")
    _, body = await call(http, fake_telegram, "getUpdates", allowed_updates=["message"])
    assert [next(k for k in u if k != "update_id") for u in body["result"]] == ["message"]


async def test_user_messages_carry_the_entities_telegram_adds(fake_telegram: FakeTelegram) -> None:
    message = fake_telegram.user_sends("/start@faq_test_bot привет @someone")
    assert message["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 19},
        {"type": "mention", "offset": 27, "length": 8},
    ]
    # Offsets count UTF-16 code units, and punctuation is not part of a mention.
    message = fake_telegram.user_sends("😀 @faq_test_bot, что с /faq?")
    assert message["entities"] == [
        {"type": "mention", "offset": 3, "length": 13},
        {"type": "bot_command", "offset": 24, "length": 4},
    ]
    assert "entities" not in fake_telegram.user_sends("почта a@b.kz и 1/2")


async def test_group_chats_stickers_photos_and_replies(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    group = FakeChat.group()
    other = FakeUser(id=2002, first_name="Айгерим", username=None, language_code="kk")
    question = fake_telegram.user_sends("вопрос", user=other, chat=group)
    fake_telegram.user_sends(sticker="😀", chat=group)
    fake_telegram.user_sends(photo=b"\xff\xd8jpeg", caption="смотри", reply_to=question, chat=group)
    _, body = await call(http, fake_telegram, "getUpdates")
    messages = [u["message"] for u in body["result"]]
    assert messages[0]["chat"]["type"] == "supergroup"
    assert messages[0]["from"]["id"] == 2002
    assert messages[1]["sticker"]["emoji"] == "😀"
    assert "text" not in messages[1]
    assert messages[2]["caption"] == "смотри"
    assert messages[2]["reply_to_message"]["text"] == "вопрос"
    _, file_info = await call(
        http, fake_telegram, "getFile", file_id=messages[2]["photo"][-1]["file_id"]
    )
    path = file_info["result"]["file_path"]
    async with http.get(f"{fake_telegram.base_url}/file/bot{fake_telegram.token}/{path}") as got:
        assert await got.read() == b"\xff\xd8jpeg"


# --- sending and editing ----------------------------------------------------------------------


async def test_sending_to_an_unknown_chat_fails(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, fake_telegram, "sendMessage", chat_id=777, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    assert [c.error for c in fake_telegram.errors()] == ["Bad Request: chat not found"]


async def test_text_and_keyboard_rules_are_enforced(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    chat_id = fake_telegram.default_user.id
    cases = [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        (
            {"text": "<b>bold", "parse_mode": "HTML"},
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            {
                "text": "ok",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "й" * 33}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ]
    for params, description in cases:
        status, body = await call(http, fake_telegram, "sendMessage", chat_id=chat_id, **params)
        assert (status, body["description"]) == (400, description)
    assert fake_telegram.bot_messages() == []


async def test_html_is_stored_as_the_visible_text(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    html = "<b>Ответ</b> &lt;Байконур&gt; &amp; Каспий"
    _, body = await call(
        http, fake_telegram, "sendMessage", chat_id=1001, text=html, parse_mode="HTML"
    )
    assert body["result"]["text"] == "Ответ <Байконур> & Каспий"
    assert fake_telegram.last_bot_message().text == "Ответ <Байконур> & Каспий"


async def test_edits_change_the_message_in_place(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    _, sent = await call(
        http,
        fake_telegram,
        "sendMessage",
        chat_id=1001,
        text="Разделы",
        reply_markup=keyboard("A", "B"),
    )
    message_id = sent["result"]["message_id"]
    status, _ = await call(
        http,
        fake_telegram,
        "editMessageText",
        chat_id=1001,
        message_id=message_id,
        text="Вопросы",
        reply_markup=keyboard("Q1", "Назад"),
    )
    assert status == 200
    view = fake_telegram.message(message_id)
    assert (view.text, view.keyboard) == ("Вопросы", [["Q1"], ["Назад"]])
    assert len(fake_telegram.bot_messages()) == 1


async def test_identical_edit_is_not_modified(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    _, sent = await call(
        http, fake_telegram, "sendMessage", chat_id=1001, text="Текст", reply_markup=keyboard("A")
    )
    message_id = sent["result"]["message_id"]
    edit = {
        "chat_id": 1001,
        "message_id": message_id,
        "text": "Текст",
        "reply_markup": keyboard("A"),
    }
    status, body = await call(http, fake_telegram, "editMessageText", **edit)
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    markup_edit = {"chat_id": 1001, "message_id": message_id, "reply_markup": keyboard("A")}
    status, body = await call(http, fake_telegram, "editMessageReplyMarkup", **markup_edit)
    assert (status, body["description"]) == (400, NOT_MODIFIED)


async def test_edit_without_markup_removes_the_keyboard(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    _, sent = await call(
        http, fake_telegram, "sendMessage", chat_id=1001, text="Текст", reply_markup=keyboard("A")
    )
    message_id = sent["result"]["message_id"]
    await call(
        http, fake_telegram, "editMessageText", chat_id=1001, message_id=message_id, text="Новый"
    )
    assert fake_telegram.message(message_id).keyboard == []


async def test_editing_unknown_or_foreign_messages_fails(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    user_message = fake_telegram.user_sends("hi")
    status, body = await call(
        http, fake_telegram, "editMessageText", chat_id=1001, message_id=999, text="x"
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await call(
        http,
        fake_telegram,
        "editMessageText",
        chat_id=1001,
        message_id=user_message["message_id"],
        text="x",
    )
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")


async def test_callback_queries_can_be_answered_once(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    await call(
        http,
        fake_telegram,
        "sendMessage",
        chat_id=1001,
        text="Меню",
        reply_markup=keyboard("A", "B"),
    )
    query_id = fake_telegram.user_clicks(button="B")
    _, body = await call(http, fake_telegram, "getUpdates")
    query = body["result"][-1]["callback_query"]
    assert (query["id"], query["data"], query["message"]["text"]) == (query_id, "cb:B", "Меню")
    status, _ = await call(
        http, fake_telegram, "answerCallbackQuery", callback_query_id=query_id, text="ok"
    )
    assert status == 200
    assert fake_telegram.callback_answer(query_id) == {"text": "ok"}
    status, body = await call(
        http, fake_telegram, "answerCallbackQuery", callback_query_id=query_id
    )
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)
    status, body = await call(http, fake_telegram, "answerCallbackQuery", callback_query_id="nope")
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)


async def test_clicking_a_missing_button_is_a_test_error(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    await call(
        http, fake_telegram, "sendMessage", chat_id=1001, text="Меню", reply_markup=keyboard("A")
    )
    with pytest.raises(AssertionError, match="no button 'Z'"):
        fake_telegram.user_clicks(button="Z")
    forged = fake_telegram.user_clicks(data="forged:💥")
    assert fake_telegram.pending_updates[-1]["callback_query"]["id"] == forged


async def test_commands_chat_actions_and_blocked_users(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    commands = [
        {"command": "start", "description": "Начать"},
        {"command": "faq", "description": "Темы"},
    ]
    status, _ = await call(http, fake_telegram, "setMyCommands", commands=commands)
    assert status == 200
    _, body = await call(http, fake_telegram, "getMyCommands")
    assert body["result"] == commands
    assert fake_telegram.commands() == commands
    status, body = await call(
        http, fake_telegram, "setMyCommands", commands=[{"command": "/Start", "description": "x"}]
    )
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    await call(http, fake_telegram, "deleteMyCommands")
    assert fake_telegram.commands() == []

    fake_telegram.user_sends("hi")
    status, _ = await call(http, fake_telegram, "sendChatAction", chat_id=1001, action="typing")
    assert status == 200
    status, body = await call(http, fake_telegram, "sendChatAction", chat_id=1001, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")
    fake_telegram.block_bot()
    status, body = await call(http, fake_telegram, "sendMessage", chat_id=1001, text="hi")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


async def test_inline_queries_are_answered_once_with_valid_results(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    query_id = fake_telegram.user_inline_query("байконур")
    article = {
        "type": "article",
        "id": "priorities",
        "title": "Приоритеты",
        "input_message_content": {"message_text": "Ответ"},
    }
    status, body = await call(
        http,
        fake_telegram,
        "answerInlineQuery",
        inline_query_id=query_id,
        results=[article, article],
    )
    assert (status, body["description"]) == (400, "Bad Request: RESULT_ID_DUPLICATE")
    status, _ = await call(
        http, fake_telegram, "answerInlineQuery", inline_query_id=query_id, results=[article]
    )
    assert status == 200
    status, body = await call(
        http, fake_telegram, "answerInlineQuery", inline_query_id=query_id, results=[]
    )
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)


async def test_photos_are_uploaded_as_multipart_and_downloadable(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    form = aiohttp.FormData()
    form.add_field("chat_id", "1001")
    form.add_field("caption", "<i>карта</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", b"\x89PNG fake image", filename="map.png")
    async with http.post(fake_telegram.method_url("sendPhoto"), data=form) as response:
        body = await response.json()
    assert body["ok"] is True
    assert body["result"]["caption"] == "карта"
    file_id = body["result"]["photo"][0]["file_id"]
    assert fake_telegram.calls_to("sendPhoto")[0].files == {"photo": b"\x89PNG fake image"}
    _, file_info = await call(http, fake_telegram, "getFile", file_id=file_id)
    url = (
        f"{fake_telegram.base_url}/file/bot{fake_telegram.token}/{file_info['result']['file_path']}"
    )
    async with http.get(url) as response:
        assert await response.read() == b"\x89PNG fake image"


# --- faults -----------------------------------------------------------------------------------


async def test_injected_server_errors_and_flood_waits(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.fail("getMe", status=502, description="Bad Gateway")
    fake_telegram.flood("getMe", retry_after=7)
    status, body = await call(http, fake_telegram, "getMe")
    assert (status, body) == (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    status, body = await call(http, fake_telegram, "getMe")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    status, _ = await call(http, fake_telegram, "getMe")
    assert status == 200
    assert fake_telegram.errors() == []  # injected failures are not the bot's mistakes
    assert [c.status for c in fake_telegram.calls_to("getMe")] == [502, 429, 200]


async def test_dropped_and_hung_requests(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.drop_connection("getMe")
    with pytest.raises(aiohttp.ClientError):
        await call(http, fake_telegram, "getMe")
    fake_telegram.hang("getMe")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(call(http, fake_telegram, "getMe"), 0.5)
    fake_telegram.garble("getMe")
    with pytest.raises(aiohttp.ClientResponseError) as garbled:
        await call(http, fake_telegram, "getMe")
    assert fake_telegram.token in str(garbled.value)  # the URL: why logs must be redacted
    status, _ = await call(http, fake_telegram, "getMe")
    assert status == 200


async def test_a_delayed_call_is_answered_normally(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fault = fake_telegram.delay("getMe", seconds=0.1)
    status, body = await call(http, fake_telegram, "getMe")
    assert (status, body["result"]["username"]) == (200, "faq_test_bot")
    assert fault.exhausted
    [recorded] = fake_telegram.calls_to("getMe")
    assert (recorded.ok, recorded.injected) == (True, False)


async def test_faults_for_every_method_until_cleared(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fault = fake_telegram.fail(times=None)
    for method in ("getMe", "getUpdates", "sendMessage"):
        status, _ = await call(http, fake_telegram, method)
        assert status == 500
    assert fault.hits == 3
    fake_telegram.clear_faults()
    status, _ = await call(http, fake_telegram, "getMe")
    assert status == 200


async def test_wait_for_reports_what_happened_when_nothing_matches(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake_telegram.user_sends("hi")
    await call(http, fake_telegram, "sendMessage", chat_id=1001, text="<b>", parse_mode="HTML")
    with pytest.raises(AssertionError, match=r"Can't find end tag corresponding to start tag"):
        await fake_telegram.wait_for("sendMessage", lambda c: c.ok, timeout=0.3)


# --- with a real aiogram Bot ------------------------------------------------------------------


async def test_aiogram_bot_talks_to_the_fake(fake_telegram: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "faq_test_bot"
    fake_telegram.user_sends("/start")
    updates = await bot.get_updates(timeout=1)
    message = updates[0].message
    assert message is not None
    assert message.text == "/start"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="🗺 Регионы", callback_data="s:regions")]]
    )
    sent = await bot.send_message(message.chat.id, "<b>Темы</b>", reply_markup=markup)
    assert sent.text == "Темы"
    assert fake_telegram.last_bot_message().keyboard == [["🗺 Регионы"]]
    assert fake_telegram.calls_to("sendMessage")[0].params["parse_mode"] == "HTML"

    query_id = fake_telegram.user_clicks(sent.model_dump(), "🗺 Регионы")
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
    callback = updates[0].callback_query
    assert callback is not None
    assert (callback.id, callback.data) == (query_id, "s:regions")
    assert await bot.answer_callback_query(callback.id) is True
    edited = await bot.edit_message_text(
        "Вопросы", chat_id=sent.chat.id, message_id=sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, Message)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Вопросы", chat_id=sent.chat.id, message_id=sent.message_id, reply_markup=markup
        )


async def test_aiogram_sees_telegrams_errors(fake_telegram: FakeTelegram, bot: Bot) -> None:
    fake_telegram.user_sends("hi")
    with pytest.raises(TelegramBadRequest) as bad:
        await bot.send_message(1001, "1 < 2")
    assert bad.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2'
    )
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(5, "hi")
    fake_telegram.flood("sendMessage", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(1001, "hi")
    assert flood.value.retry_after == 3
    fake_telegram.fail("sendMessage", status=500)
    with pytest.raises(TelegramServerError):
        await bot.send_message(1001, "hi")
    fake_telegram.drop_connection("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(1001, "hi")
    with pytest.raises(TelegramNotFound):
        await bot.session.make_request(bot, _UnknownMethod())


async def test_aiogram_with_a_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake_telegram.base_url))
    bot = Bot("42:" + "A" * 35, session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await bot.get_me()
    finally:
        await bot.session.close()


async def test_aiogram_photo_upload_is_stored(fake_telegram: FakeTelegram, bot: Bot) -> None:
    from aiogram.types import BufferedInputFile

    fake_telegram.user_sends("hi")
    sent = await bot.send_photo(1001, BufferedInputFile(b"GIF89a", "a.gif"), caption="<b>Фото</b>")
    assert sent.caption == "Фото"
    assert fake_telegram.file_bytes(sent.photo[0].file_id) == b"GIF89a"
    assert fake_telegram.last_bot_message().kind == "photo"


async def test_aiogram_polling_loop_against_the_fake(fake_telegram: FakeTelegram, bot: Bot) -> None:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(
            f"эхо: {message.text}",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="ещё", callback_data="more")]]
            ),
        )

    @router.callback_query(F.data == "more")
    async def more(callback: CallbackQuery) -> None:
        await callback.answer("ещё не готово")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=1, handle_signals=False, close_bot_session=False
        )
    )
    try:
        fake_telegram.user_sends("Байконур")
        reply = await fake_telegram.wait_for("sendMessage")
        assert reply.params["text"] == "эхо: Байконур"
        query_id = fake_telegram.user_clicks(button="ещё")
        await fake_telegram.wait_for("answerCallbackQuery")
        assert fake_telegram.callback_answer(query_id) == {"text": "ещё не готово"}
        assert fake_telegram.errors() == []
    finally:
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, 10)


class _UnknownMethod:
    """Stands in for a method Telegram does not have (aiogram builds URLs from this name)."""

    __api_method__ = "sendTelepathy"
    __returning__ = bool

    def model_dump(self, warnings: bool = False) -> dict[str, Any]:
        return {}


# --- webhook delivery -------------------------------------------------------------------------

PUBLIC_URL = "https://bot.example.test/webhook"


class WebhookReceiver:
    """A stand-in for the bot's webhook on 127.0.0.1: records requests, answers as told."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], Any]] = []
        self.statuses: list[int] = []  # answers for the next requests; then 200
        self.reply: dict[str, Any] = {}
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response(self.reply if status == 200 else {}, status=status)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


async def test_updates_are_posted_to_the_webhook_with_the_secret_token(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, receiver: WebhookReceiver
) -> None:
    fake_telegram.route_webhook("https://bot.example.test", receiver.base_url)
    status, _ = await call(
        http, fake_telegram, "setWebhook", url=PUBLIC_URL, secret_token="s3cret_-token"
    )
    assert status == 200
    sent = fake_telegram.user_sends("привет")
    await fake_telegram.wait_until(lambda: len(fake_telegram.webhook_deliveries) == 1)

    [(headers, update)] = receiver.requests
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_-token"
    assert headers["Content-Type"].startswith("application/json")
    assert update["message"] == sent
    [delivery] = fake_telegram.webhook_deliveries
    assert (delivery.update_id, delivery.url, delivery.status) == (
        update["update_id"],
        PUBLIC_URL,
        200,
    )
    assert (delivery.ok, delivery.secret_sent) == (True, True)
    assert fake_telegram.pending_updates == []  # accepted updates are not delivered again


async def test_a_failed_delivery_is_retried_until_the_webhook_accepts_it(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, receiver: WebhookReceiver
) -> None:
    fake_telegram.route_webhook("https://bot.example.test", receiver.base_url)
    receiver.statuses = [500, 403]
    await call(http, fake_telegram, "setWebhook", url=PUBLIC_URL)
    fake_telegram.user_sends("раз")
    fake_telegram.user_sends("два")
    await fake_telegram.wait_until(lambda: len(fake_telegram.webhook_deliveries) == 4)

    assert [d.status for d in fake_telegram.webhook_deliveries] == [500, 403, 200, 200]
    assert [u["message"]["text"] for _, u in receiver.requests] == ["раз", "раз", "раз", "два"]
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.requests[0][0]  # none was set
    assert fake_telegram.webhook_deliveries[1].error == (
        "Wrong response from the webhook: 403 Forbidden"
    )
    _, info = await call(http, fake_telegram, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    # Like Telegram, the last error stays on show after later deliveries succeed.
    assert info["result"]["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"


async def test_an_unrouted_webhook_is_never_connected_to(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    await call(http, fake_telegram, "setWebhook", url="https://elsewhere.example.test/hook")
    fake_telegram.user_sends("привет")
    await fake_telegram.wait_until(lambda: len(fake_telegram.webhook_deliveries) >= 1)
    delivery = fake_telegram.webhook_deliveries[0]
    assert (delivery.status, delivery.ok) == (0, False)
    assert "not routed" in str(delivery.error)
    assert len(fake_telegram.pending_updates) == 1  # kept for a later delivery
    _, info = await call(http, fake_telegram, "getWebhookInfo")
    assert info["result"]["last_error_message"] == delivery.error
    await call(http, fake_telegram, "deleteWebhook")
    status, body = await call(http, fake_telegram, "getUpdates")
    assert (status, len(body["result"])) == (200, 1)


async def test_a_closed_port_is_a_failed_delivery(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, receiver: WebhookReceiver
) -> None:
    fake_telegram.route_webhook("https://bot.example.test", receiver.base_url)
    await receiver.stop()
    await call(http, fake_telegram, "setWebhook", url=PUBLIC_URL)
    fake_telegram.user_sends("привет")
    await fake_telegram.wait_until(lambda: len(fake_telegram.webhook_deliveries) >= 2)
    assert {d.status for d in fake_telegram.webhook_deliveries} == {0}
    assert fake_telegram.webhook_deliveries[0].error == "Connection failed: ClientConnectorError"


async def test_set_webhook_checks_the_url_like_telegram(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    refusals = {
        "http://bot.example.test/webhook": "An HTTPS URL must be provided for webhook",
        "https://bot.example.test:8080/webhook": (
            "Webhook can be set up only on ports 80, 88, 443 or 8443"
        ),
    }
    for url, problem in refusals.items():
        status, body = await call(http, fake_telegram, "setWebhook", url=url)
        assert (status, body["description"]) == (400, f"Bad Request: bad webhook: {problem}")
    status, body = await call(
        http, fake_telegram, "setWebhook", url=PUBLIC_URL, secret_token="no spaces"
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: secret token contains unallowed characters",
    )
    assert fake_telegram.webhook == {}
    status, _ = await call(
        http,
        fake_telegram,
        "setWebhook",
        url="https://bot.example.test:8443/webhook",
        allowed_updates=["message", "callback_query"],
    )
    assert status == 200
    _, info = await call(http, fake_telegram, "getWebhookInfo")
    assert info["result"]["allowed_updates"] == ["message", "callback_query"]
    fake_telegram.user_inline_query("не доставится")
    assert fake_telegram.state.deliverable_updates(10) == []


async def test_a_call_in_the_webhook_answer_is_performed(
    fake_telegram: FakeTelegram, http: aiohttp.ClientSession, receiver: WebhookReceiver
) -> None:
    fake_telegram.route_webhook("https://bot.example.test", receiver.base_url)
    receiver.reply = {"method": "sendMessage", "chat_id": 1001, "text": "<b>ответ</b>"}
    receiver.reply["parse_mode"] = "HTML"
    await call(http, fake_telegram, "setWebhook", url=PUBLIC_URL)
    fake_telegram.user_sends("привет")
    reply = await fake_telegram.wait_for("sendMessage")
    assert reply.ok
    assert fake_telegram.last_bot_message().text == "ответ"


async def test_aiogram_webhook_handler_answers_through_the_fake(
    fake_telegram: FakeTelegram, bot: Bot
) -> None:
    """aiogram's own webhook handler, answering in the webhook reply (a multipart form)."""
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> Any:
        return message.answer(f"эхо: <i>{message.text}</i>")  # not awaited: a reply call

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(
        dispatcher, bot, handle_in_background=False, secret_token="hook_secret"
    ).register(app, path="/webhook")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        fake_telegram.route_webhook("https://bot.example.test", f"http://127.0.0.1:{port}")
        await bot.set_webhook(PUBLIC_URL, secret_token="hook_secret")
        fake_telegram.user_sends("Байконур")
        await fake_telegram.wait_for("sendMessage")
        assert fake_telegram.last_bot_message().text == "эхо: Байконур"
        assert [d.status for d in fake_telegram.webhook_deliveries] == [200]
        assert fake_telegram.errors() == []
    finally:
        await runner.cleanup()
