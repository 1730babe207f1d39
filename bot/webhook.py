"""Webhook mode: Telegram POSTs each update to an HTTP server the bot runs.

Telegram only delivers to a public https:// URL (ports 443, 80, 88 or 8443), so in production
the bot listens on plain HTTP at WEBHOOK_HOST:WEBHOOK_PORT behind a reverse proxy that holds the
TLS certificate and forwards WEBHOOK_URL's path unchanged. Every request must carry the
``X-Telegram-Bot-Api-Secret-Token`` header with WEBHOOK_SECRET, the value the bot gave Telegram
in setWebhook: anyone can reach the public URL, only Telegram knows the secret.

An update is answered with 200 only after it has been handled, so an update in hand when the
process dies is delivered again instead of lost. GET /healthz answers 200 while the bot serves
and 503 while it is starting or stopping, for orchestrators and ``python -m bot health``.
SIGTERM stops accepting connections, lets updates in hand finish, then closes everything; the
webhook stays set, so Telegram keeps the updates that come meanwhile for the next instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.config import Settings
from bot.errors import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# Updates in hand get this long after SIGTERM; with closing the rest, the process exits well
# within the 10 seconds Docker waits before it kills.
SHUTDOWN_GRACE = 3.0
FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 30.0

STARTING, SERVING, STOPPING = "starting", "ok", "stopping"


def webhook_path(url: str) -> str:
    """The path the server answers on: WEBHOOK_URL's, which the proxy forwards unchanged."""
    return urlsplit(url).path or "/"


class SecretCheckingHandler(SimpleRequestHandler):
    """aiogram's webhook handler, refusing requests without the secret token with 403 Forbidden
    (aiogram itself answers 401, which promises an authentication scheme there is none of)."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            # The header's value is not logged: it may be a near miss of the real secret.
            logger.warning(
                "refused a webhook request from %s: no or wrong secret token", request.remote
            )
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        return await super().handle(request)


class WebhookServer:
    """The HTTP side of webhook mode, around a bot and dispatcher built elsewhere.

    ``start`` listens (health: starting), ``go_live`` runs the dispatcher's start-up and sets the
    webhook (health: ok), ``stop`` stops listening, waits for updates in hand and runs the
    dispatcher's shutdown. Closing the bot session and the database is the caller's job.
    """

    def __init__(self, settings: Settings, bot: Bot, dispatcher: Dispatcher) -> None:
        if settings.webhook_url is None or settings.webhook_secret is None:
            raise ConfigError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        self.settings = settings
        self.bot = bot
        self.dispatcher = dispatcher
        self.url = settings.webhook_url
        self.path = webhook_path(settings.webhook_url)
        self.status = STARTING
        self._secret = settings.webhook_secret.get_secret_value()
        self._runner: web.AppRunner | None = None
        self._started_up = False

    def build_app(self) -> web.Application:
        app = web.Application()
        handler = SecretCheckingHandler(
            self.dispatcher, self.bot, handle_in_background=False, secret_token=self._secret
        )
        # Not handler.register(): that would close the bot's session on shutdown, before the
        # updates still in hand have sent their replies.
        app.router.add_post(self.path, handler.handle)
        app.router.add_get(HEALTH_PATH, self.health)
        return app

    async def health(self, request: web.Request) -> web.Response:
        body = {"status": self.status, "mode": "webhook"}
        return web.json_response(body, status=200 if self.status == SERVING else 503)

    @property
    def port(self) -> int:
        """The port listened on (WEBHOOK_PORT, or the one the system chose for port 0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the webhook server is not listening")
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        host, port = self.settings.webhook_host, self.settings.webhook_port
        runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            await runner.cleanup()
            reason = error.strerror or str(error)
            raise ConfigError(
                f"cannot listen on {host}:{port} (WEBHOOK_HOST, WEBHOOK_PORT): {reason}"
            ) from None
        self._runner = runner
        logger.info("webhook server listening on %s:%s, path %s", host, self.port, self.path)

    async def go_live(self, stopping: asyncio.Event) -> bool:
        """Start-up handlers, then setWebhook, retrying while Telegram is unreachable.
        False if ``stopping`` was set before the bot went live."""
        started = await _until_done("start-up", self._startup, stopping)
        if not started:
            return False
        self._started_up = True
        if not await _until_done("setWebhook", self._set_webhook, stopping):
            return False
        self.status = SERVING
        logger.info("serving updates posted to the webhook")
        return True

    async def _startup(self) -> bool:
        await self.dispatcher.emit_startup(**self._event_data())
        return True

    def _event_data(self) -> dict[str, object]:
        # What aiogram's start_polling gives start-up and shutdown handlers.
        return {"bot": self.bot, "dispatcher": self.dispatcher, **self.dispatcher.workflow_data}

    async def _set_webhook(self) -> bool:
        try:
            return await self.bot.set_webhook(
                self.url,
                secret_token=self._secret,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
        except TelegramBadRequest as error:
            raise ConfigError(f"Telegram refused WEBHOOK_URL: {error.message}") from None

    async def stop(self) -> None:
        self.status = STOPPING
        if self._runner is not None:
            await self._runner.cleanup()  # stops listening, then waits for updates in hand
            self._runner = None
        if self._started_up:
            await self.dispatcher.emit_shutdown(**self._event_data())
            self._started_up = False
        # The webhook stays set: Telegram holds new updates for the next instance.


async def _until_done(
    what: str, call: Callable[[], Awaitable[T]], stopping: asyncio.Event
) -> T | None:
    """``call()``, retried with growing pauses while Telegram is unreachable or failing;
    None if ``stopping`` is set first. A rejected token is the operator's to fix."""
    delay = FIRST_RETRY_DELAY
    while not stopping.is_set():
        try:
            return await call()
        except TelegramUnauthorizedError:
            raise ConfigError("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
        except TelegramNotFound:
            raise ConfigError(
                "the Bot API answered 404 Not Found: check TELEGRAM_API_BASE"
            ) from None
        except TelegramRetryAfter as error:
            pause = float(error.retry_after)
            logger.warning("%s: Telegram asks to wait %.0f s", what, pause)
        except (TelegramNetworkError, TelegramServerError) as error:
            pause = delay
            delay = min(delay * 2, MAX_RETRY_DELAY)
            logger.warning("%s failed (%s); retrying in %.0f s", what, error, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), pause)
    return None


def install_stop_signals(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still interrupts
            loop.add_signal_handler(signum, stopping.set)


async def serve_webhook(settings: Settings) -> None:
    """Webhook mode until SIGTERM or SIGINT."""
    stopping = asyncio.Event()
    install_stop_signals(stopping)
    async with _open_app(settings) as (bot, dispatcher):
        server = WebhookServer(settings, bot, dispatcher)
        await server.start()
        try:
            if await server.go_live(stopping):
                await stopping.wait()
            logger.info("stopping: finishing the updates in hand")
        finally:
            await server.stop()


@contextlib.asynccontextmanager
async def _open_app(settings: Settings):  # type: ignore[no-untyped-def]  # TEMPORARY until runner.open_app
    from bot.factory import create_bot, create_dispatcher
    from bot.service import load_faq_service
    from bot.storage import Database

    service = load_faq_service(settings)
    db = await Database.open(settings.database_path)
    bot = create_bot(settings)
    try:
        yield bot, create_dispatcher(settings=settings, service=service, db=db)
    finally:
        await db.close()
        await bot.session.close()
