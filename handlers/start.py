"""/start, /faq and /help: the greeting, the topics and how to ask.

``/start <entry id>`` (a deep link such as ``t.me/<bot>?start=scope``, which every answer's
"share" button passes on) opens that entry's answer; an id the knowledge base does not have (the
entry was removed or renamed since the link was shared) says the link is out of date and shows
the topics. A command also ends any dialog the user was in (typing a question for a person, an
owner's reply): the user has moved on, and ``handlers.dialogs`` has told them what was not sent.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.callbacks import Origin
from bot.formatting import answer_messages, escape
from bot.keyboards import answer_keyboard, sections_keyboard
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import bot_username, reply, reply_in_parts
from handlers.filters import AddressedToBot, HasText, LooksLikeCommand
from handlers.records import remember_user


async def start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    service: FaqService,
    db: Database,
    state: FSMContext,
    texts: Texts,
) -> None:
    await state.clear()
    payload = (command.args or "").strip()
    entry = service.kb.entry(payload) if payload else None
    if entry is not None:
        markup = answer_keyboard(
            service.kb, entry, texts, Origin.SEARCH, bot_username=await bot_username(bot)
        )
        await reply_in_parts(message, answer_messages(entry), markup)
    else:
        name = message.from_user.first_name if message.from_user else ""
        greeting = texts.start.format(
            name=escape(name), about=texts.about(escape(service.kb.title))
        )
        if payload:  # a link to an entry removed or renamed since it was shared
            greeting = f"{texts.link_outdated}\n\n{greeting}"
        await reply(message, greeting, sections_keyboard(service.kb))
    await remember_user(db, message.from_user)


async def show_topics(
    message: Message, service: FaqService, state: FSMContext, texts: Texts
) -> None:
    await state.clear()
    await reply(message, texts.choose_topic, sections_keyboard(service.kb))


async def show_help(
    message: Message, bot: Bot, service: FaqService, state: FSMContext, texts: Texts
) -> None:
    await state.clear()
    me = await bot.me()
    about = texts.about(escape(service.kb.title))
    text = texts.help.format(about=about, username=escape(me.username or ""))
    await reply(message, text)


async def nothing_to_cancel(message: Message, texts: Texts) -> None:
    """/cancel outside a dialog (the dialogs handle their own): the reminders advertise it."""
    await reply(message, texts.nothing_to_cancel)


async def unknown_command(message: Message, texts: Texts) -> None:
    """Also what anyone but an owner gets for an owner's command: they are not told it exists."""
    await reply(message, texts.unknown_command)


def create_router() -> Router:
    router = Router(name=__name__)
    # Every handler here is for a command: one cheap check spares a question the parsers.
    router.message.filter(LooksLikeCommand())
    router.message.register(start, CommandStart())
    router.message.register(show_topics, Command("faq", "topics"))
    router.message.register(show_help, Command("help"))
    router.message.register(nothing_to_cancel, Command("cancel", ignore_case=True))
    router.message.register(unknown_command, HasText(), AddressedToBot())
    return router
