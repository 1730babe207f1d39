"""Serving Telegram: settings, knowledge base, database, then long polling until stopped.

``open_app`` is the set-up every way of serving shares (long polling here, the webhook in
bot/webhook.py): it loads the knowledge base, opens the database and its write-behind journal,
builds the bot and the dispatcher, and closes all of it, in reverse order, on the way out.
``App.handle_update`` feeds one update to the dispatcher at most once per update id, however often
Telegram delivers it.

Without a token on a terminal, a newcomer who just cloned the repository gets the console chat
instead of an error; without a token and without a terminal (a service, a container) a missing
token is an operator's mistake and ends the process with one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings, load_settings
from bot.logging_setup import configure_logging, secrets_of

if TYPE_CHECKING:  # aiogram and the engine load in serve(), so that a config error is quick
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.base import BaseSession
    from aiogram.types import Update

    from bot.journal import Journal
    from bot.service import FaqService
    from bot.storage import Database

logger = logging.getLogger(__name__)

NO_TOKEN_NOTICE = (
    "BOT_TOKEN is not set (in the environment or .env) — starting the console chat instead; "
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


@dataclass(frozen=True)
class App:
    """Everything a running bot is made of; build it with ``open_app``."""

    settings: Settings
    service: FaqService
    db: Database
    journal: Journal
    bot: Bot
    dispatcher: Dispatcher

    async def handle_update(self, update: Update) -> bool:
        """Feed ``update`` to the dispatcher unless it was handled before; True if it was fed.

        Telegram delivers an update again when its receipt was not confirmed (the bot was
        killed, the connection broke), so the first delivery may have been answered already:
        the ids of handled updates are written through the journal, and a repeat is skipped.
        Handled means the handler finished: one cut short by a shutdown is redone after the
        restart. A handler's error counts as handled: retrying would fail again.
        """
        update_id = update.update_id
        if await self.journal.handled_among([update_id]):
            logger.info("update %d was handled before; not answering it again", update_id)
            return False
        with self.journal.recording(update_id):
            try:
                await self.dispatcher.feed_update(self.bot, update)
            except Exception:  # the error handler already apologised to the user if it could
                logger.exception("update %d: a handler failed", update_id)
        self.journal.mark_handled(update_id)
        return True

    async def emit_startup(self) -> None:
        """Run the dispatcher's start-up hooks (the command menu) with the usual arguments."""
        await self.dispatcher.emit_startup(**self._hook_arguments())

    async def emit_shutdown(self) -> None:
        await self.dispatcher.emit_shutdown(**self._hook_arguments())

    def _hook_arguments(self) -> dict[str, object]:
        return {
            **self.dispatcher.workflow_data,
            "dispatcher": self.dispatcher,
            "bot": self.bot,
            "bots": [self.bot],
        }


@contextlib.asynccontextmanager
async def open_app(settings: Settings, *, session: BaseSession | None = None) -> AsyncIterator[App]:
    """Load, open and build everything (no network yet); close it all on the way out.

    The journal is flushed before the database closes, and the HTTP session closes last.
    ``session`` replaces the HTTP session (tests talk to a fake Telegram through it).
    """
    from bot.factory import create_bot, create_dispatcher
    from bot.journal import Journal
    from bot.service import load_faq_service
    from bot.storage import Database

    service = load_faq_service(settings)  # KnowledgeBaseError: one line, before anything opens
    logger.info(
        "knowledge base %s: %d sections, %d questions",
        settings.faq_path,
        len(service.kb.sections),
        len(service.kb.entries),
    )
    async with contextlib.AsyncExitStack() as stack:
        db = await Database.open(settings.database_path)
        stack.push_async_callback(db.close)
        journal = Journal(db)
        await journal.start()
        stack.push_async_callback(journal.close)
        bot = create_bot(settings, session=session)
        stack.push_async_callback(bot.session.close)
        dispatcher = create_dispatcher(settings=settings, service=service, db=db)
        dispatcher["journal"] = journal  # for handlers that name it
        # What is built by now (aiogram's and pydantic's models, the engine) lives as long as
        # the bot: frozen, the garbage collector stops walking it. A full collection of it
        # takes over 100 ms, a stall for every chat each time one runs while serving.
        gc.freeze()
        stack.callback(gc.unfreeze)
        yield App(settings, service, db, journal, bot, dispatcher)


async def serve(settings: Settings) -> None:
    """Long polling until SIGINT or SIGTERM; then what is in flight is finished, its receipt
    confirmed to Telegram, the log written and everything closed (see bot/polling.py)."""
    from bot.heartbeat import Heartbeat, heartbeat_path
    from bot.polling import Backoff, Poller

    heartbeat = Heartbeat(heartbeat_path(settings.database_path))  # for `python -m bot health`
    async with open_app(settings) as app:
        poller = Poller(
            app.bot,
            app.handle_update,
            flush=app.journal.flush,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            poll_timeout=settings.poll_timeout,
            backoff=Backoff(cap=settings.poll_retry_max),
            on_answer=heartbeat.beat,
        )
        with _stopping_on_signals(poller.stop):
            try:
                await poller.run(prepare=lambda: _prepare_polling(app))
            finally:
                heartbeat.clear()
        await app.emit_shutdown()
    logger.info("stopped")


async def _prepare_polling(app: App) -> None:
    # A webhook left from another deployment would make every getUpdates a 409 Conflict.
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.emit_startup()


@contextlib.contextmanager
def _stopping_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM (``docker stop``, systemd) call ``stop`` instead of killing."""
    loop = asyncio.get_running_loop()
    signals = [signal.SIGINT, signal.SIGTERM]
    for number in signals:
        loop.add_signal_handler(number, stop)
    try:
        yield
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
