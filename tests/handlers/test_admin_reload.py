"""/reload and start-up: the file's knowledge base with the owners' additions on top."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.config import Settings, load_settings
from bot.factory import create_dispatcher
from bot.knowledge.loader import load_knowledge_base
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from bot.texts import RUSSIAN
from tests.conftest import ABSENT_OWNER_ID, FAQ_PATH, OWNER_ID
from tests.mocked_bot import MockedBot, make_user

OWNER = RUSSIAN.owner
BORSCHT = "как приготовить борщ?"


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit the knowledge-base file as its editor would."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def faq_copy(tmp_path: Path) -> Path:
    path = tmp_path / "faq.toml"
    shutil.copy(FAQ_PATH, path)
    return path


@pytest.fixture
def file_service(faq_copy: Path) -> FaqService:
    return FaqService.from_knowledge_base(load_knowledge_base(faq_copy), source=faq_copy)


@pytest.fixture
def file_dp(settings: Settings, file_service: FaqService, db: Database) -> Dispatcher:
    return create_dispatcher(settings=settings, service=file_service, db=db)


@pytest.fixture
def owner_chat(file_dp: Dispatcher, bot: MockedBot) -> LocalChat:
    return LocalChat(file_dp, bot, user=make_user(OWNER_ID, first_name="Ольга"))


@pytest.fixture
def user_chat(file_dp: Dispatcher, bot: MockedBot) -> LocalChat:
    return LocalChat(file_dp, bot, user=make_user())


async def test_reload_reads_the_edited_file_and_keeps_the_owners_additions(
    owner_chat: LocalChat, user_chat: LocalChat, faq_copy: Path, db: Database
) -> None:
    await db.add_phrasing("priorities", BORSCHT, added_by=OWNER_ID)
    old_answer = load_knowledge_base(faq_copy).entry("integration").answer
    replace_in(faq_copy, old_answer, "Обновлённый ответ.")

    [reply] = (await owner_chat.send("/reload")).sent

    assert reply.text == OWNER.reloaded.format(sections=3, entries=4, added=0)
    [answer] = (await user_chat.send("/start integration")).sent
    assert answer.text.endswith("Обновлённый ответ.")
    [borscht] = (await user_chat.send(BORSCHT)).sent
    assert borscht.text.startswith("Каковы сегодня приоритеты")


async def test_a_broken_file_is_reported_with_its_line_and_the_old_base_stays(
    owner_chat: LocalChat, user_chat: LocalChat, faq_copy: Path, file_service: FaqService
) -> None:
    before = file_service.kb
    replace_in(faq_copy, 'id = "growth"', 'id = "scope"')  # two entries with one id

    [reply] = (await owner_chat.send("/reload")).sent

    assert reply.text.startswith("⚠️ Не удалось перечитать базу знаний: ")
    assert f"{faq_copy}:" in reply.text  # the file and the line
    assert "scope" in reply.text
    assert reply.text.endswith("Бот продолжает отвечать по прежней версии.")
    assert file_service.kb is before
    [answer] = (await user_chat.send("/start growth")).sent
    assert answer.text.startswith("В каких областях")


async def test_without_a_file_there_is_nothing_to_reload(owner: LocalChat) -> None:
    # The tests' shared FAQ service knows its file; one built from data alone does not.
    service = FaqService.from_knowledge_base(load_knowledge_base(FAQ_PATH))
    dispatcher = create_dispatcher(
        settings=load_settings(
            environ={"ADMIN_IDS": str(OWNER_ID), "DATABASE_PATH": "unused"},
            env_file=None,
            require_token=False,
        ),
        service=service,
        db=owner.dispatcher["db"],
    )
    chat = LocalChat(dispatcher, owner.bot, user=owner.user)

    [reply] = (await chat.send("/reload")).sent

    assert reply.text == OWNER.reload_unavailable


async def test_at_start_the_owners_additions_are_applied_and_their_menu_is_set(
    dp: Dispatcher,
    bot: MockedBot,
    owner: LocalChat,
    user: LocalChat,
    service: FaqService,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await db.add_phrasing("priorities", BORSCHT, added_by=OWNER_ID)
    assert user.dispatcher is dp

    with caplog.at_level(logging.INFO):
        await dp.emit_startup(bot=bot, **dp.workflow_data)

    [answer] = (await user.send(BORSCHT)).sent
    assert answer.text.startswith("Каковы сегодня приоритеты")
    assert service.base.entry("priorities").phrasings != service.kb.entry("priorities").phrasings
    menu = bot.session.commands[(f"chat:{OWNER_ID}", None)]
    assert [c["command"] for c in menu] == [
        "start", "faq", "help", "stats", "unanswered", "questions", "reload",
    ]  # fmt: skip
    assert menu[3]["description"] == OWNER.command_stats
    # The default menu stays public; an owner who never started the bot has no menu.
    assert [c["command"] for c in bot.session.commands[("default", None)]] == [
        "start", "faq", "help",
    ]  # fmt: skip
    assert (f"chat:{ABSENT_OWNER_ID}", None) not in bot.session.commands
    assert any(str(ABSENT_OWNER_ID) in message for message in caplog.messages)


async def test_reload_tells_the_owner_which_additions_no_longer_apply(
    owner_chat: LocalChat, user_chat: LocalChat, faq_copy: Path, db: Database
) -> None:
    await db.add_phrasing("scope", "где оставить машину", added_by=OWNER_ID)
    await db.add_phrasing("priorities", BORSCHT, added_by=OWNER_ID)
    replace_in(faq_copy, 'id = "scope"', 'id = "scope_renamed"')

    [reply] = (await owner_chat.send("/reload")).sent

    reloaded = OWNER.reloaded.format(sections=3, entries=4, added=0)
    details = "• phrasing 'где оставить машину' added in the chat: entry 'scope' no longer exists"
    skipped = OWNER.reload_skipped.format(
        count=1, details=details, command="python -m bot additions"
    )
    assert reply.text == f"{reloaded}\n\n{skipped}".replace("<code>", "").replace("</code>", "")
    assert "больше не применяются: 1" in reply.text
    # The addition that still fits is kept.
    [borscht] = (await user_chat.send(BORSCHT)).sent
    assert borscht.text.startswith("Каковы сегодня приоритеты")


async def test_reload_with_every_addition_applied_says_nothing_about_skipping(
    owner_chat: LocalChat, db: Database
) -> None:
    await db.add_phrasing("priorities", BORSCHT, added_by=OWNER_ID)

    [reply] = (await owner_chat.send("/reload")).sent

    assert reply.text == OWNER.reloaded.format(sections=3, entries=4, added=0)
