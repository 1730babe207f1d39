"""Building the Bot and the Dispatcher: the one place where the bot's parts are wired together.

The runner, the console chat and the tests all build the bot here, so what the tests exercise is
what runs in production. Dependencies reach handlers as keyword arguments (aiogram passes the
dispatcher's workflow data to every handler that names them), never through globals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BotCommand, TelegramObject, User

from bot.config import Settings
from bot.errors import ConfigError
from bot.local_api import LocalSession
from bot.middlewares.throttle import install_throttle
from bot.service import FaqService
from bot.session import FloodControl, SendLimits
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN, Texts, texts_for
from handlers import get_routers
from handlers.errors import apologise

logger = logging.getLogger(__name__)

# Without a token (the console chat, tests) the bot talks to bot.local_api, which needs none;
# aiogram still wants something shaped like a token.
LOCAL_TOKEN = "1:local"


def bot_defaults() -> DefaultBotProperties:
    return DefaultBotProperties(parse_mode=ParseMode.HTML)


def create_bot(
    settings: Settings, *, session: BaseSession | None = None, limits: SendLimits | None = None
) -> Bot:
    """A Bot for ``settings``; pass ``session`` to talk to something other than Telegram.

    Requests to a Bot API server keep to Telegram's sending limits (``limits``, Telegram's own
    by default) and are repeated after a "too many requests" answer (see bot.session). The
    in-process ``LocalSession`` has no limits to keep.
    """
    if session is None:
        if settings.bot_token is None:
            raise ConfigError("BOT_TOKEN is not set")
        api = (
            TelegramAPIServer.from_base(settings.telegram_api_base)
            if settings.telegram_api_base
            else None
        )
        session = AiohttpSession(api=api) if api else AiohttpSession()
    if not isinstance(session, LocalSession):
        session.middleware(FloodControl(limits))
    session.middleware(KeepResponseModels())
    token = settings.bot_token.get_secret_value() if settings.bot_token else LOCAL_TOKEN
    return Bot(token, session=session, default=bot_defaults())


class KeepResponseModels(BaseRequestMiddleware):
    """Holds on to the ``Response[...]`` model aiogram parses each kind of reply with.

    pydantic caches a parametrised generic model such as ``Response[Message]`` only weakly, so
    the garbage collector drops it between two replies and the next reply builds it anew: a few
    milliseconds each time, several times a minute on a busy bot. One model per API method.
    """

    def __init__(self) -> None:
        self._models: dict[type[TelegramMethod[Any]], type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        kind = type(method)
        if kind not in self._models:
            self._models[kind] = Response[method.__returning__]
        return await make_request(bot, method)


def create_dispatcher(
    *,
    settings: Settings,
    service: FaqService,
    db: Database,
    clock: Callable[[], float] = time.monotonic,
) -> Dispatcher:
    """The dispatcher with every handler; ``clock`` is the flood protection's (for tests)."""
    dispatcher = Dispatcher(settings=settings, service=service, db=db)
    dispatcher.update.outer_middleware(add_texts)
    install_throttle(dispatcher, settings, clock)
    dispatcher.include_routers(*get_routers())
    dispatcher.errors.register(apologise)
    dispatcher.startup.register(on_startup)
    return dispatcher


async def add_texts(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Give handlers ``texts`` in the language of the user who sent the update."""
    user: User | None = data.get("event_from_user")
    data["texts"] = texts_for(user.language_code if user else None)
    return await handler(event, data)


async def on_startup(bot: Bot) -> None:
    await set_commands(bot)
    me = await bot.me()
    logger.info("bot @%s started", me.username)


async def set_commands(bot: Bot) -> None:
    """The command menu: Russian for everyone, English for English-speaking users."""
    languages: list[tuple[Texts, str | None]] = [(RUSSIAN, None), (ENGLISH, "en")]
    try:
        for texts, language_code in languages:
            await bot.set_my_commands(command_menu(texts), language_code=language_code)
    except TelegramAPIError as error:
        # The menu is a convenience; the bot works without it.
        logger.warning("could not set the command menu: %s", error)


def command_menu(texts: Texts) -> list[BotCommand]:
    return [
        BotCommand(command="start", description=texts.command_start),
        BotCommand(command="faq", description=texts.command_faq),
        BotCommand(command="help", description=texts.command_help),
    ]
