"""Owners' commands and buttons are invisible to everyone else.

A non-owner typing /stats gets exactly what /foo gets; an owner's button data forged by a
non-owner gets exactly the stale-button notice; neither changes anything in the database or
starts a dialog.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.callbacks import (
    AddPhrasingCallback,
    CancelDialogCallback,
    ChooseEntryCallback,
    ChooseSectionCallback,
    ConfirmNewEntryCallback,
    IgnoreCallback,
    NewEntryCallback,
    NewEntrySectionCallback,
    QuestionsPageCallback,
    ReplyCallback,
    UnansweredCallback,
)
from bot.config import Settings
from bot.local_api import Exchange, LocalChat, button_texts
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import OWNER_ID
from tests.mocked_bot import MockedBot, group_chat, make_user
from tests.on_disk import on_disk

# (/cancel is everyone's: a user cancels a question for a person with it, and anyone else is
# told there is nothing to cancel, which says nothing about the owners.)
OWNER_COMMANDS = ["/stats", "/unanswered", "/questions", "/reload"]
TABLES = ["users", "questions", "votes", "kb_phrasings", "kb_entries", "human_questions"]


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    return {table: on_disk(path, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES}


def seen(exchange: Exchange) -> list[tuple[str, list[str]]]:
    """What the person saw: each message's text and buttons."""
    return [(message.text or "", button_texts(message)) for message in exchange.shown]


@pytest.fixture
async def intruder(dp: Dispatcher, bot: MockedBot, user: LocalChat) -> LocalChat:
    """A user who is not an owner, after another user left work for the owners: an unanswered
    question and a question for a person."""
    [message] = (await user.send("как приготовить борщ?")).sent
    await user.click(message, RUSSIAN.ask_human)
    return LocalChat(dp, bot, user=make_user(5005, first_name="Мэллори", language_code="ru"))


@pytest.mark.parametrize("command", OWNER_COMMANDS)
async def test_an_owners_command_is_an_unknown_command_for_anyone_else(
    intruder: LocalChat, settings: Settings, command: str
) -> None:
    unknown = await intruder.send("/foo")
    before = snapshot(settings.database_path)

    exchange = await intruder.send(command)

    assert seen(exchange) == seen(unknown) == [(RUSSIAN.unknown_command, [])]
    assert [call.method for call in exchange.calls] == [call.method for call in unknown.calls]
    assert snapshot(settings.database_path) == before


async def test_cancel_is_the_same_for_anyone_with_no_dialog(
    intruder: LocalChat, settings: Settings
) -> None:
    before = snapshot(settings.database_path)

    exchange = await intruder.send("/cancel")

    assert seen(exchange) == [(RUSSIAN.nothing_to_cancel, [])]
    assert snapshot(settings.database_path) == before


async def test_in_english_too(dp: Dispatcher, bot: MockedBot) -> None:
    stranger = LocalChat(dp, bot, user=make_user(5006, language_code="en"))

    for command in OWNER_COMMANDS:
        assert seen(await stranger.send(command)) == [(ENGLISH.unknown_command, [])]


@pytest.mark.parametrize("command", ["/stats", "/unanswered"])
async def test_in_a_group_owners_commands_are_unknown_even_to_owners(
    dp: Dispatcher, bot: MockedBot, settings: Settings, command: str
) -> None:
    for user_id in (5005, OWNER_ID):
        chat = LocalChat(dp, bot, user=make_user(user_id), chat=group_chat())
        unknown = await chat.send("/foo@faq_local_bot")

        exchange = await chat.send(f"{command}@faq_local_bot")

        assert seen(exchange) == seen(unknown) == [(RUSSIAN.unknown_command, [])]


async def forged_payloads(db: Database) -> list[str]:
    """Every owner's button, with ids that exist, so only the sender's identity is wrong."""
    [question] = (await db.unanswered()).rows
    [human] = (await db.human_questions()).rows
    q = question.id
    return [
        UnansweredCallback(page=0).pack(),
        AddPhrasingCallback(question_id=q, entry_id="priorities").pack(),
        ChooseSectionCallback(question_id=q).pack(),
        ChooseEntryCallback(question_id=q, section_id="bilateral").pack(),
        NewEntryCallback(question_id=q).pack(),
        NewEntrySectionCallback(question_id=q, section_id="bilateral").pack(),
        IgnoreCallback(question_id=q).pack(),
        QuestionsPageCallback(page=0).pack(),
        ReplyCallback(human_question_id=human.id).pack(),
        ConfirmNewEntryCallback().pack(),
        CancelDialogCallback().pack(),
    ]


async def test_forged_owners_buttons_are_stale_buttons_for_anyone_else(
    intruder: LocalChat, db: Database, settings: Settings
) -> None:
    [topics] = (await intruder.send("/faq")).sent
    payloads = await forged_payloads(db)
    before = snapshot(settings.database_path)

    for data in payloads:
        exchange = await intruder.press(data, topics)

        assert exchange.callback_answered, data
        assert exchange.notices == [RUSSIAN.stale_button], data
        assert exchange.shown == [], data
        assert [call.method for call in exchange.calls] == ["answerCallbackQuery"], data

    assert snapshot(settings.database_path) == before
    # No dialog was started: the next message is an ordinary question, and is logged as one.
    [reply] = (await intruder.send("что с Байконуром?")).sent
    assert reply.text.startswith("Каковы сегодня приоритеты")


async def test_the_same_buttons_work_for_an_owner(
    intruder: LocalChat, owner: LocalChat, db: Database
) -> None:
    [page] = (await owner.send("/unanswered")).sent

    for data in (await forged_payloads(db))[:3]:
        exchange = await owner.press(data, owner.current(page))
        assert exchange.notices != [RUSSIAN.stale_button], data
