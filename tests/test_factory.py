"""The factory wires settings, the FAQ and the database into the bot and the dispatcher."""

from __future__ import annotations

import dataclasses

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ContentType, ParseMode

from bot.config import Secret, Settings
from bot.errors import ConfigError
from bot.factory import create_bot, create_dispatcher
from bot.local_api import LocalSession
from bot.middlewares.throttle import CallbackThrottle, MessageThrottle
from bot.service import FaqService
from bot.session import FloodControl, SendLimits
from bot.storage import Database
from handlers.filters import ContentTypeIn
from tests.mocked_bot import MockedBot

TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghijkl"


async def test_the_bot_sends_html_by_default() -> None:
    bot = create_bot(Settings(bot_token=Secret(TOKEN)))
    try:
        assert bot.token == TOKEN
        assert bot.default.parse_mode == ParseMode.HTML
        assert isinstance(bot.session, AiohttpSession)
        assert bot.session.api.base == "https://api.telegram.org/bot{token}/{method}"
    finally:
        await bot.session.close()
    # The tests' bot has the same defaults.
    assert MockedBot().default.parse_mode == bot.default.parse_mode


async def test_a_self_hosted_api_server_is_used_when_configured() -> None:
    settings = Settings(bot_token=Secret(TOKEN), telegram_api_base="http://127.0.0.1:8081")
    bot = create_bot(settings)
    try:
        assert bot.session.api.api_url(TOKEN, "getMe") == (
            f"http://127.0.0.1:8081/bot{TOKEN}/getMe"
        )
    finally:
        await bot.session.close()


def test_without_a_token_only_a_local_session_will_do() -> None:
    bot = create_bot(Settings(), session=LocalSession())
    assert isinstance(bot.session, LocalSession)
    with pytest.raises(ConfigError, match="BOT_TOKEN"):
        create_bot(Settings())


def test_dependencies_reach_handlers_as_workflow_data(
    settings: Settings, faq_service: FaqService, db: Database
) -> None:
    dispatcher = create_dispatcher(settings=settings, service=faq_service, db=db)

    assert dispatcher["settings"] is settings
    assert dispatcher["service"] is faq_service
    assert dispatcher["db"] is db
    names = [router.name for router in dispatcher.sub_routers]
    assert names[-1] == "handlers.fallback"


def test_no_router_after_the_questions_takes_a_text_message(
    settings: Settings, faq_service: FaqService, db: Database
) -> None:
    """The catch-all for questions is the last router a text can reach; the routers after it
    (put there so that a question is not offered to them first) take other things only."""
    dispatcher = create_dispatcher(settings=settings, service=faq_service, db=db)
    names = [router.name for router in dispatcher.sub_routers]
    after = dispatcher.sub_routers[names.index("handlers.questions") + 1 :]

    assert names.index("handlers.before_questions") < names.index("handlers.questions")
    assert "handlers.start" in [r.name for r in dispatcher.sub_routers[0].sub_routers]
    for router in after:
        for handler in router.message.handlers:
            content_filters = [
                f.callback for f in handler.filters or [] if isinstance(f.callback, ContentTypeIn)
            ]
            assert content_filters, f"{router.name} could take a text message"
            assert all(ContentType.TEXT not in f.content_types for f in content_filters)


def test_each_dispatcher_gets_its_own_routers(
    settings: Settings, faq_service: FaqService, db: Database
) -> None:
    first = create_dispatcher(settings=settings, service=faq_service, db=db)
    second = create_dispatcher(settings=settings, service=faq_service, db=db)

    assert {id(r) for r in first.sub_routers}.isdisjoint(id(r) for r in second.sub_routers)


async def test_requests_to_telegram_keep_to_its_limits() -> None:
    limits = SendLimits(private_burst=9)
    bot = create_bot(Settings(bot_token=Secret(TOKEN)), limits=limits)
    try:
        [flood_control] = [m for m in bot.session.middleware if isinstance(m, FloodControl)]
        assert flood_control.limits is limits
    finally:
        await bot.session.close()
    # The in-process Bot API has no limits to keep.
    local = create_bot(Settings(), session=LocalSession())
    assert not [m for m in local.session.middleware if isinstance(m, FloodControl)]


@pytest.mark.parametrize(("rate", "throttled"), [(5, True), (0, False)])
def test_messages_and_button_taps_are_throttled_unless_turned_off(
    settings: Settings, faq_service: FaqService, db: Database, rate: int, throttled: bool
) -> None:
    settings = dataclasses.replace(settings, throttle_rate=rate)
    dispatcher = create_dispatcher(settings=settings, service=faq_service, db=db)

    messages = [type(m) for m in dispatcher.message.outer_middleware]
    taps = [type(m) for m in dispatcher.callback_query.outer_middleware]
    assert (MessageThrottle in messages, CallbackThrottle in taps) == (throttled, throttled)
