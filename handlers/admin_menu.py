"""The owners' command menu: /stats, /unanswered, /questions and /reload appear in the menu of
the owners' private chats only (a chat-scoped menu); everyone else sees the public commands.

An owner who never started the bot has no chat with it yet: Telegram refuses the menu, which is
logged and skipped; the commands work anyway.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.config import Settings
from bot.storage import Database
from bot.texts import Texts, texts_for
from handlers.human import owner_language

logger = logging.getLogger(__name__)


def owner_commands(texts: Texts) -> list[BotCommand]:
    owner = texts.owner
    return [
        BotCommand(command="stats", description=owner.command_stats),
        BotCommand(command="unanswered", description=owner.command_unanswered),
        BotCommand(command="questions", description=owner.command_questions),
        BotCommand(command="reload", description=owner.command_reload),
    ]


async def set_owner_menus(bot: Bot, settings: Settings, db: Database) -> None:
    # Imported here: bot.factory imports the handlers (and so this module) itself.
    from bot.factory import command_menu

    for owner_id in sorted(settings.admin_ids):
        texts = texts_for(await owner_language(db, owner_id))
        commands = [*command_menu(texts), *owner_commands(texts)]
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=owner_id))
        except TelegramAPIError as error:
            logger.info("no owner's command menu for %s: %s", owner_id, error)


def create_router() -> Router:
    router = Router(name=__name__)
    router.startup.register(set_owner_menus)
    return router
