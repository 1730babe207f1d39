"""Fixtures that build the bot exactly as production does (bot.factory), on the real knowledge
base and a real database in a temporary folder, with ``MockedBot`` in place of Telegram.

ADMIN_IDS holds ``OWNER_ID`` (the ``owner`` chat) and ``ABSENT_OWNER_ID``, an owner who never
started the bot (Telegram refuses to write to them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.config import Settings, load_settings
from bot.factory import create_dispatcher
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from tests.mocked_bot import MockedBot, group_chat, make_user

ROOT = Path(__file__).resolve().parent.parent
FAQ_PATH = ROOT / "data" / "faq.toml"
OWNER_ID = 9001
ABSENT_OWNER_ID = 9002


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    environ = {
        "FAQ_PATH": str(FAQ_PATH),
        "DATABASE_PATH": str(tmp_path / "faq.sqlite3"),
        "ADMIN_IDS": f"{OWNER_ID},{ABSENT_OWNER_ID}",
        # Tests tap and type faster than any person; tests/test_throttle.py covers the limit.
        "THROTTLE_RATE": "0",
    }
    return load_settings(environ=environ, env_file=None, require_token=False)


@pytest.fixture(scope="session")
def faq_service() -> FaqService:
    """The FAQ of data/faq.toml. Shared by all tests: do not ``replace`` its knowledge base
    (build your own FaqService for that)."""
    return FaqService.from_knowledge_base(load_knowledge_base(FAQ_PATH), source=FAQ_PATH)


@pytest.fixture
def service(faq_service: FaqService) -> FaqService:
    """The FAQ of data/faq.toml for one test, which may change it (owners' additions, reload)."""
    return FaqService.from_knowledge_base(faq_service.kb, source=FAQ_PATH)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.open(settings.database_path)
    yield database
    await database.close()


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(settings: Settings, service: FaqService, db: Database) -> Dispatcher:
    return create_dispatcher(settings=settings, service=service, db=db)


@pytest.fixture
def user(dp: Dispatcher, bot: MockedBot) -> LocalChat:
    """A Russian-speaking user in a private chat with the bot."""
    return LocalChat(dp, bot, user=make_user())


@pytest.fixture
def english_user(dp: Dispatcher, bot: MockedBot) -> LocalChat:
    return LocalChat(dp, bot, user=make_user(2002, language_code="en-US", first_name="Alice"))


@pytest.fixture
def owner(dp: Dispatcher, bot: MockedBot) -> LocalChat:
    """An owner of the knowledge base (in ADMIN_IDS), in a private chat with the bot."""
    return LocalChat(dp, bot, user=make_user(OWNER_ID, first_name="Ольга", username="olga"))


# A small knowledge base whose outcomes do not hang on the engine's tuning: "как оплатить" fits
# two questions equally well (so the bot asks "did you mean"), "паспорт" one.
PAYMENTS_KB = KnowledgeBase(
    sections=(Section("pay", "💳 Оплата"), Section("docs", "📄 Документы")),
    entries=(
        Entry("card", "pay", "Как оплатить картой?", "Картой — на сайте, в разделе «Оплата»."),
        Entry("cash", "pay", "Как оплатить наличными?", "Наличными — в кассе, с 9 до 18."),
        Entry("passport", "docs", "Какие документы нужны?", "Паспорт и заявление."),
    ),
    title="Тестовый FAQ",
)
TIED_QUERY = "как оплатить"


@pytest.fixture
def payments_service() -> FaqService:
    return FaqService.from_knowledge_base(PAYMENTS_KB)


@pytest.fixture
def payments_dp(settings: Settings, payments_service: FaqService, db: Database) -> Dispatcher:
    return create_dispatcher(settings=settings, service=payments_service, db=db)


@pytest.fixture
def payments_user(payments_dp: Dispatcher, bot: MockedBot) -> LocalChat:
    """A user of the bot with ``PAYMENTS_KB``."""
    return LocalChat(payments_dp, bot, user=make_user())


@pytest.fixture
def group(dp: Dispatcher, bot: MockedBot) -> LocalChat:
    """A user writing in a supergroup the bot is a member of."""
    return LocalChat(dp, bot, user=make_user(3003, first_name="Ольга"), chat=group_chat())
