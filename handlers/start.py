"""/start, /faq and /help: the greeting, the topics and how to ask.

``/start <entry id>`` (a deep link such as ``t.me/<bot>?start=scope``) opens that entry's answer.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.callbacks import Origin
from bot.formatting import answer_messages, escape
from bot.keyboards import answer_keyboard, sections_keyboard
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import reply, reply_in_parts
from handlers.filters import AddressedToBot
from handlers.records import remember_user


async def start(
    message: Message, command: CommandObject, service: FaqService, db: Database, texts: Texts
) -> None:
    entry = service.kb.entry(command.args.strip()) if command.args else None
    if entry is not None:
        await reply_in_parts(
            message, answer_messages(entry), answer_keyboard(entry, texts, Origin.SEARCH)
        )
    else:
        name = message.from_user.first_name if message.from_user else ""
        greeting = texts.start.format(name=escape(name), title=escape(service.kb.title))
        await reply(message, greeting, sections_keyboard(service.kb))
    await remember_user(db, message.from_user)


async def show_topics(message: Message, service: FaqService, texts: Texts) -> None:
    await reply(message, texts.choose_topic, sections_keyboard(service.kb))


async def show_help(message: Message, bot: Bot, service: FaqService, texts: Texts) -> None:
    me = await bot.me()
    text = texts.help.format(title=escape(service.kb.title), username=escape(me.username or ""))
    await reply(message, text)


async def unknown_command(message: Message, texts: Texts) -> None:
    await reply(message, texts.unknown_command)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start, CommandStart())
    router.message.register(show_topics, Command("faq", "topics"))
    router.message.register(show_help, Command("help"))
    router.message.register(unknown_command, F.text.startswith("/"), AddressedToBot())
    return router
