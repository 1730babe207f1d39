"""/start, /faq, /help and unknown commands."""

from __future__ import annotations

import logging
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from aiogram import Dispatcher

from bot.callbacks import SectionCallback
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.keyboards import share_url
from bot.local_api import LocalChat, button_texts, buttons
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import PAYMENTS_KB
from tests.handlers.screens import answer_buttons
from tests.mocked_bot import MockedBot, make_user


async def test_start_greets_by_name_and_shows_one_button_per_section(
    user: LocalChat, faq_service: FaqService
) -> None:
    exchange = await user.send("/start")

    [message] = exchange.sent
    assert message.text.startswith("Здравствуйте, Анна!")
    assert faq_service.kb.title in message.text
    assert button_texts(message) == [section.title for section in faq_service.kb.sections]
    assert [b.callback_data for b in buttons(message)] == [
        SectionCallback(section_id=section.id).pack() for section in faq_service.kb.sections
    ]


async def test_faq_shows_the_topics(user: LocalChat, faq_service: FaqService) -> None:
    [message] = (await user.send("/faq")).sent

    assert message.text == "Выберите тему 👇"
    assert button_texts(message) == [section.title for section in faq_service.kb.sections]


async def test_help_explains_how_to_ask(user: LocalChat, faq_service: FaqService) -> None:
    [message] = (await user.send("/help")).sent

    assert faq_service.kb.title in message.text
    assert "своими словами" in message.text
    assert "/faq" in message.text
    assert "@faq_local_bot" in message.text


async def test_start_with_an_entry_id_opens_its_answer(
    user: LocalChat, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entry("integration")
    assert entry is not None

    [message] = (await user.send("/start integration")).sent

    assert message.text == f"{entry.question}\n\n{entry.answer}"
    assert button_texts(message) == answer_buttons(RUSSIAN)


async def test_start_with_an_unknown_payload_says_the_link_is_outdated_and_greets(
    user: LocalChat, english_user: LocalChat
) -> None:
    [message] = (await user.send("/start no-such-entry")).sent
    [english] = (await english_user.send("/start no-such-entry")).sent

    assert message.text.startswith(f"{RUSSIAN.link_outdated}\n\nЗдравствуйте, Анна!")
    assert english.text.startswith(f"{ENGLISH.link_outdated}\n\nHello, Alice!")


async def test_start_without_a_payload_does_not_mention_links(user: LocalChat) -> None:
    [message] = (await user.send("/start")).sent

    assert message.text.startswith("Здравствуйте, Анна!")


async def test_a_hostile_first_name_is_shown_literally(dp: Dispatcher, bot: MockedBot) -> None:
    chat = LocalChat(dp, bot, user=make_user(first_name="<script>&amp;</b>"))

    exchange = await chat.send("/start")

    assert exchange.refused == []
    assert exchange.sent[0].text.startswith("Здравствуйте, <script>&amp;</b>!")


async def test_unknown_command_points_to_the_known_ones(user: LocalChat) -> None:
    [message] = (await user.send("/weather")).sent

    assert message.text == RUSSIAN.unknown_command


async def test_english_interface_for_english_users(
    english_user: LocalChat, faq_service: FaqService
) -> None:
    [greeting] = (await english_user.send("/start")).sent
    [topics] = (await english_user.send("/faq")).sent

    assert greeting.text.startswith("Hello, Alice!")
    assert topics.text == ENGLISH.choose_topic
    # The knowledge base itself is not translated: its section titles stay as written.
    assert button_texts(topics) == [section.title for section in faq_service.kb.sections]


async def test_startup_sets_the_command_menu_in_both_languages(
    dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.factory"):
        await dp.emit_startup(bot=bot, **dp.workflow_data)

    public = [call for call in bot.calls("setMyCommands") if "scope" not in call.params]
    menus = {call.params.get("language_code"): call.params for call in public}
    assert set(menus) == {None, "en"}
    assert [c["command"] for c in menus[None]["commands"]] == ["start", "faq", "help"]
    assert menus[None]["commands"][1]["description"] == RUSSIAN.command_faq
    assert menus["en"]["commands"][1]["description"] == ENGLISH.command_faq
    assert all(call.error is None for call in public)
    assert "bot @faq_local_bot started" in caplog.messages


async def test_every_answer_has_a_share_button_with_its_deep_link(
    user: LocalChat, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entry("integration")
    assert entry is not None
    [answer] = (await user.send("/start integration")).sent

    share = next(b for b in buttons(answer) if b.text == RUSSIAN.share)

    assert share.url == share_url("faq_local_bot", entry)
    assert parse_qs(urlsplit(share.url).query)["url"] == [
        "https://t.me/faq_local_bot?start=integration"
    ]


async def test_a_shared_link_opened_by_someone_else_shows_the_same_answer(
    dp: Dispatcher, bot: MockedBot, user: LocalChat
) -> None:
    [answer] = (await user.send("что с Байконуром?")).sent
    link = next(b for b in buttons(answer) if b.text == RUSSIAN.share).url or ""
    payload = parse_qs(urlsplit(parse_qs(urlsplit(link).query)["url"][0]).query)["start"][0]
    friend = LocalChat(dp, bot, user=make_user(4004, language_code="en", first_name="Bob"))

    [opened] = (await friend.send(f"/start {payload}")).sent

    assert opened.text == answer.text
    assert button_texts(opened) == answer_buttons(ENGLISH)


@pytest.mark.parametrize("payload", ["no-such-entry", "x" * 64, "PRIORITIES", "%20", "-"])
async def test_start_with_an_unknown_payload_falls_back_to_the_topics(
    user: LocalChat, faq_service: FaqService, payload: str
) -> None:
    [message] = (await user.send(f"/start {payload}")).sent

    assert message.text.startswith(f"{RUSSIAN.link_outdated}\n\nЗдравствуйте, Анна!")
    assert button_texts(message) == [section.title for section in faq_service.kb.sections]


async def test_a_base_without_a_title_is_greeted_without_an_empty_topic(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    untitled = replace(PAYMENTS_KB, title="")
    service = FaqService.from_knowledge_base(untitled)
    user = LocalChat(create_dispatcher(settings=settings, service=service, db=db), bot)

    [greeting] = (await user.send("/start")).sent
    [help_text] = (await user.send("/help")).sent

    assert "Я отвечаю на частые вопросы." in greeting.text
    assert help_text.text.startswith("Я отвечаю на частые вопросы.")
    assert "«»" not in greeting.text + help_text.text
