"""Serving Telegram: settings, knowledge base, database, then long polling until stopped.

Without a token on a terminal, a newcomer who just cloned the repository gets the console chat
instead of an error; without a token and without a terminal (a service, a container) a missing
token is an operator's mistake and ends the process with one line.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.config import Settings, load_settings
from bot.logging_setup import configure_logging, secrets_of

logger = logging.getLogger(__name__)

NO_TOKEN_NOTICE = (
    "BOT_TOKEN is not set in .env — starting the console chat instead; "
    "see README to connect Telegram"
)


def main() -> int:
    interactive = sys.stdin.isatty()
    # Without a terminal a missing token is an error: load_settings raises ConfigError (exit 2).
    settings = load_settings(require_token=not interactive)
    configure_logging(settings.log_level, secrets_of(settings))
    if settings.bot_token is None:
        print(NO_TOKEN_NOTICE, flush=True)
        from bot.console import chat

        return chat(settings)
    asyncio.run(serve(settings))
    return 0


async def serve(settings: Settings) -> None:
    """Long polling until SIGINT or SIGTERM; the database and the HTTP session are closed after."""
    from bot.factory import create_bot, create_dispatcher
    from bot.service import load_faq_service
    from bot.storage import Database

    service = load_faq_service(settings)  # KnowledgeBaseError: one line, before anything opens
    logger.info(
        "knowledge base %s: %d sections, %d questions",
        settings.faq_path,
        len(service.kb.sections),
        len(service.kb.entries),
    )
    db = await Database.open(settings.database_path)
    bot = create_bot(settings)
    try:
        dispatcher = create_dispatcher(settings=settings, service=service, db=db)
        await bot.delete_webhook(drop_pending_updates=False)
        await dispatcher.start_polling(
            bot,
            handle_signals=True,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
    finally:
        await db.close()
        await bot.session.close()
