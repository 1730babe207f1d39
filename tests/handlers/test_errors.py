"""An unexpected failure in a handler: the user gets an apology, the log gets the traceback."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.engine import FaqEngine
from bot.factory import create_dispatcher
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from bot.texts import RUSSIAN
from tests.mocked_bot import MockedBot, make_user


class BrokenService(FaqService):
    """A FAQ whose engine fails, standing in for any bug that escapes a handler."""

    @property
    def engine(self) -> FaqEngine:
        raise RuntimeError("engine exploded")


@pytest.fixture
def broken_chat(settings: Settings, db: Database, faq_service: FaqService) -> LocalChat:
    service = BrokenService(faq_service.engine)
    dispatcher = create_dispatcher(settings=settings, service=service, db=db)
    return LocalChat(dispatcher, MockedBot(), user=make_user())


async def test_a_failing_message_handler_apologises(
    broken_chat: LocalChat, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        exchange = await broken_chat.send("что с Байконуром?")

    assert exchange.handled
    [apology] = exchange.sent
    assert apology.text == RUSSIAN.something_went_wrong
    assert any("engine exploded" in record.getMessage() for record in caplog.records)


async def test_a_failed_bot_api_call_is_logged_without_an_apology(
    user: LocalChat, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    user.session.remove_chat(user.chat.id)  # every message to the chat is refused from now on

    with caplog.at_level(logging.WARNING):
        exchange = await user.send("что с Байконуром?")

    assert exchange.handled
    assert exchange.sent == []
    assert [call.method for call in exchange.refused] == ["sendMessage"]  # no second attempt
    assert any("chat not found" in message for message in caplog.messages)
    assert not any(record.exc_info for record in caplog.records)
    [row] = await db.recent_questions()
    assert row.entry_id == "priorities"  # the question is still logged
