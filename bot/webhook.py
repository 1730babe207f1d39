"""Webhook mode: Telegram POSTs each update to an HTTP server the bot runs.

Telegram only delivers to a public https:// URL (ports 443, 80, 88 or 8443), so in production
the bot listens on plain HTTP at WEBHOOK_HOST:WEBHOOK_PORT behind a reverse proxy that holds the
TLS certificate and forwards WEBHOOK_URL's path unchanged. Every request must carry the
``X-Telegram-Bot-Api-Secret-Token`` header with WEBHOOK_SECRET, the value the bot gave Telegram
in setWebhook: anyone can reach the public URL, only Telegram knows the secret. Requests without
it get 403 Forbidden and are not looked at.

Telegram forgets an update once the webhook answers 2xx, so the answer comes only after the
update was handled and its rows written, as the polling loop confirms a batch (bot/polling.py):
an update in hand when the process dies is delivered again, and a delivery of an update handled
before is recognised and not answered twice (``App.handle_update``). That is also why this is not
aiogram's SimpleRequestHandler, which feeds the dispatcher directly (and refuses with 401).

GET /healthz answers 200 while the bot serves and 503 while it is starting or stopping, for
orchestrators and ``python -m bot health``. SIGTERM stops accepting connections, gives updates in
hand a few seconds, then closes everything; the webhook stays set, so Telegram keeps the updates
that come meanwhile for the next instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramNotFound, TelegramUnauthorizedError
from aiogram.types import Update
from aiohttp import web

from bot.config import Settings
from bot.errors import ConfigError
from bot.polling import Backoff, TokenRejected, describe

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handle = Callable[[Update], Awaitable[object]]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# Updates in hand get this long after SIGTERM; with closing the rest, the process exits well
# within the 10 seconds Docker waits before it kills.
SHUTDOWN_GRACE = 3.0

STARTING, SERVING, STOPPING = "starting", "ok", "stopping"


def webhook_path(url: str) -> str:
    """The path the server answers on: WEBHOOK_URL's, which the proxy forwards unchanged."""
    return urlsplit(url).path or "/"


class WebhookServer:
    """The HTTP side of webhook mode, around a bot, its dispatcher and ``handle`` (which feeds
    an update to the dispatcher once) and ``flush`` (which writes the rows handlers queued).

    ``start`` listens (health: starting), ``go_live`` runs the start-up hooks and sets the
    webhook (health: ok), ``stop`` stops listening, waits for the updates in hand and runs the
    shutdown hooks. Closing the bot session and the database is the caller's job.
    """

    def __init__(
        self,
        settings: Settings,
        bot: Bot,
        dispatcher: Dispatcher,
        *,
        handle: Handle,
        flush: Callable[[], Awaitable[object]],
    ) -> None:
        if settings.webhook_url is None or settings.webhook_secret is None:
            raise ConfigError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        self.settings = settings
        self.bot = bot
        self.dispatcher = dispatcher
        self.handle = handle
        self.flush = flush
        self.url = settings.webhook_url
        self.path = webhook_path(settings.webhook_url)
        self.status = STARTING
        # Retries at start-up wait as long as the polling loop's (POLL_RETRY_MAX at most).
        self.backoff = Backoff(cap=settings.poll_retry_max)
        self._secret = settings.webhook_secret.get_secret_value()
        self._runner: web.AppRunner | None = None
        self._started_up = False

    # -- HTTP

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(self.path, self.receive_update)
        app.router.add_get(HEALTH_PATH, self.health)
        return app

    async def receive_update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secrets.compare_digest(given.encode(), self._secret.encode()):
            # The header's value is not logged: it may be a near miss of the real secret.
            logger.warning("refused a webhook request from %s: wrong or no secret", request.remote)
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            update = Update.model_validate(await request.json(), context={"bot": self.bot})
        except ValueError as error:  # not JSON, or not an update (pydantic's ValidationError)
            logger.warning("webhook request from %s is not an update: %s", request.remote, error)
            return web.json_response({"ok": False, "error": "bad request"}, status=400)
        await self.handle(update)
        await self.flush()  # the rows are on disk before Telegram hears the update was handled
        return web.json_response({"ok": True})

    async def health(self, request: web.Request) -> web.Response:
        body = {"status": self.status, "mode": "webhook"}
        return web.json_response(body, status=200 if self.status == SERVING else 503)

    @property
    def port(self) -> int:
        """The port listened on (WEBHOOK_PORT, or the one the system chose for port 0)."""
        if self._runner is None or not self._runner.addresses:
            raise RuntimeError("the webhook server is not listening")
        return int(self._runner.addresses[0][1])

    # -- lifecycle

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
        """Start-up hooks, then setWebhook, retried while Telegram is unreachable or failing.
        False if ``stopping`` was set before the bot went live."""
        if await _until_done("start-up", self._startup, stopping, self.backoff) is None:
            return False
        if await _until_done("setWebhook", self._set_webhook, stopping, self.backoff) is None:
            return False
        self.status = SERVING
        logger.info("serving updates posted to the webhook")
        return True

    async def _startup(self) -> bool:
        await self.dispatcher.emit_startup(**self._hook_arguments())
        self._started_up = True
        return True

    def _hook_arguments(self) -> dict[str, object]:
        # What aiogram's start_polling gives start-up and shutdown hooks.
        return {
            **self.dispatcher.workflow_data,
            "dispatcher": self.dispatcher,
            "bot": self.bot,
            "bots": [self.bot],
        }

    async def _set_webhook(self) -> bool:
        try:
            return await self.bot.set_webhook(
                self.url,
                secret_token=self._secret,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,  # updates that waited for the bot are still wanted
            )
        except TelegramBadRequest as error:
            raise ConfigError(f"Telegram refused WEBHOOK_URL: {error.message}") from None

    async def stop(self) -> None:
        self.status = STOPPING
        if self._runner is not None:
            await self._runner.cleanup()  # stops listening, then waits for updates in hand
            self._runner = None
        if self._started_up:
            await self.dispatcher.emit_shutdown(**self._hook_arguments())
            self._started_up = False
        # The webhook stays set: Telegram holds new updates for the next instance.


async def _until_done(
    what: str, call: Callable[[], Awaitable[T]], stopping: asyncio.Event, backoff: Backoff
) -> T | None:
    """``call()``, retried with growing pauses while Telegram is unreachable or failing;
    None if ``stopping`` is set first. A rejected token or address is the operator's to fix."""
    failures = 0
    while not stopping.is_set():
        try:
            return await call()
        except TelegramUnauthorizedError:
            raise TokenRejected(
                "Telegram refused BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                "revoked; get the current one from @BotFather"
            ) from None
        except TelegramNotFound:
            raise ConfigError(
                "the Bot API answered 404 Not Found; check TELEGRAM_API_BASE"
            ) from None
        except ConfigError:
            raise
        except Exception as error:  # any other failure to reach Telegram is worth a retry
            pause = backoff.delay(failures)
            logger.warning("%s failed: %s; retrying in %.0f s", what, describe(error), pause)
            failures += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), pause)
    return None


def install_stop_signals(stopping: asyncio.Event) -> None:
    """SIGINT (Ctrl-C) and SIGTERM (``docker stop``, systemd) set ``stopping``."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)


async def serve_webhook(settings: Settings) -> None:
    """Webhook mode until SIGTERM or SIGINT."""
    from bot.runner import open_app

    stopping = asyncio.Event()
    install_stop_signals(stopping)
    async with open_app(settings) as app:
        server = WebhookServer(
            settings, app.bot, app.dispatcher, handle=app.handle_update, flush=app.journal.flush
        )
        await server.start()
        try:
            if await server.go_live(stopping):
                await stopping.wait()
            logger.info("stopping: finishing the updates in hand")
        finally:
            await server.stop()
    logger.info("stopped")
