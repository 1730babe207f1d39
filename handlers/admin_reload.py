"""/reload for the owners: re-read the knowledge-base file, with the owners' additions on top.

A broken file leaves the bot answering from the knowledge base it has, and the owner is told
what is wrong and where (the loader's one-line KnowledgeBaseError). When the dispatcher starts,
the owners' additions stored in the database are laid over the file's knowledge base, so what
the owners taught the bot survives restarts.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.errors import KnowledgeBaseError
from bot.formatting import clip, escape
from bot.service import FaqService
from bot.storage import Database
from bot.texts import Texts
from handlers.delivery import reply
from handlers.filters import owners_only

logger = logging.getLogger(__name__)

ADDITIONS_COMMAND = "python -m bot additions"
MAX_SKIPPED_SHOWN = 5  # lines about skipped additions; the command lists them all
SKIPPED_LINE_LIMIT = 300  # a phrasing may be long; five of these fit one message


async def reload_knowledge_base(
    message: Message, service: FaqService, db: Database, state: FSMContext, texts: Texts
) -> None:
    await state.clear()
    if service.source is None:
        await reply(message, texts.owner.reload_unavailable)
        return
    try:
        kb = await service.reload(db)
    except KnowledgeBaseError as error:
        logger.warning("reload refused, keeping the current knowledge base: %s", error)
        await reply(message, texts.owner.reload_failed.format(error=escape(str(error))))
        return
    added = len(kb.entries) - len(service.base.entries)
    logger.info("knowledge base reloaded: %d questions", len(kb.entries))
    text = texts.owner.reloaded.format(
        sections=len(kb.sections), entries=len(kb.entries), added=added
    )
    if service.skipped_additions:
        text += "\n\n" + skipped_report(service.skipped_additions, texts)
    await reply(message, text)


def skipped_report(skipped: tuple[str, ...], texts: Texts) -> str:
    """The owners' additions a reload could not use, so that none is lost unawares."""
    shown = [
        f"• <code>{escape(clip(line.removeprefix('skipped '), SKIPPED_LINE_LIMIT))}</code>"
        for line in skipped[:MAX_SKIPPED_SHOWN]
    ]
    if len(skipped) > MAX_SKIPPED_SHOWN:
        shown.append("• …")
    return texts.owner.reload_skipped.format(
        count=len(skipped), details="\n".join(shown), command=ADDITIONS_COMMAND
    )


async def apply_owner_additions(service: FaqService, db: Database) -> None:
    """At start: answer from the file's knowledge base plus what the owners added in the chat."""
    kb = await service.apply_owner_additions(db)
    added = len(kb.entries) - len(service.base.entries)
    logger.info("owners' additions applied: %d new questions", added)


def create_router() -> Router:
    router = owners_only(Router(name=__name__))
    router.message.register(reload_knowledge_base, Command("reload"))
    router.startup.register(apply_owner_additions)
    return router
