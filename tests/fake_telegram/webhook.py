"""Webhook delivery: while a webhook is set, the fake POSTs each pending update to it.

Telegram sends an update as a JSON POST to the webhook URL, with the secret token (when one was
set) in the ``X-Telegram-Bot-Api-Secret-Token`` header, keeps the update until the webhook answers
2xx and retries otherwise. The fake delivers one update at a time, in order (Telegram with
``max_connections=1``), and records every attempt as a ``WebhookDelivery``. A webhook may answer
with a Bot API call in its body (JSON or a multipart form with a ``method`` field); Telegram
performs it, and so does the fake, recording it like any other call.

Telegram only talks to https:// URLs on public hosts, and tests never leave 127.0.0.1; so a test
routes the public URL to the bot's local port, as the operator's reverse proxy does in production:

    fake.route_webhook("https://bot.example.test", "http://127.0.0.1:8443")

A webhook URL that no route covers is never connected to: its deliveries fail.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import BodyPartReader

from .models import WebhookDelivery
from .state import TelegramState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DELIVERY_TIMEOUT = 10.0  # Telegram waits longer; a test would rather fail sooner
RETRY_DELAY = 0.2  # Telegram backs off for seconds to minutes; tests cannot wait that long
NOT_ROUTED = "not routed: tests only deliver to 127.0.0.1 through FakeTelegram.route_webhook"

Reply = tuple[str, dict[str, Any], dict[str, bytes]]  # a Bot API call: method, params, files


class WebhookDeliverer:
    def __init__(
        self,
        state: TelegramState,
        closing: asyncio.Event,
        *,
        on_delivery: Callable[[WebhookDelivery], None],
        on_reply: Callable[[Reply], Awaitable[None]],
    ) -> None:
        self.state = state
        self.closing = closing
        self.on_delivery = on_delivery
        self.on_reply = on_reply
        self.routes: dict[str, str] = {}  # public URL prefix -> local base URL
        self.retry_delay = RETRY_DELAY

    def route(self, public_base: str, local_base: str) -> None:
        self.routes[public_base.rstrip("/")] = local_base.rstrip("/")

    def local_url(self, url: str) -> str | None:
        for public, local in self.routes.items():
            if url == public or url.startswith(public + "/"):
                return local + url[len(public) :]
        return None

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while not self.closing.is_set():
                update = self._next_update()
                if update is None:
                    await self.state.wait_for_webhook_work()
                    continue
                delivery = await self._deliver(http, update)
                self.on_delivery(delivery)
                if delivery.ok:
                    self.state.forget_update(update["update_id"])
                else:
                    await self._pause()

    def _next_update(self) -> dict[str, Any] | None:
        if not self.state.webhook.get("url"):
            return None
        updates = self.state.deliverable_updates(1)
        return updates[0] if updates else None

    async def _deliver(
        self, http: aiohttp.ClientSession, update: dict[str, Any]
    ) -> WebhookDelivery:
        url = str(self.state.webhook["url"])
        secret = self.state.webhook.get("secret_token")
        headers = {SECRET_HEADER: str(secret)} if secret else {}

        def attempt(status: int, error: str | None = None) -> WebhookDelivery:
            return WebhookDelivery(update["update_id"], url, status, error, bool(secret))

        target = self.local_url(url)
        if target is None:
            return attempt(0, NOT_ROUTED)
        reply: Reply | None = None
        try:
            async with http.post(target, json=update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    wrong = f"Wrong response from the webhook: {response.status} {response.reason}"
                    return attempt(response.status, wrong)
                reply = await _read_reply(response)
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            return attempt(0, f"Connection failed: {type(error).__name__}")
        if reply is not None:
            await self.on_reply(reply)
        return attempt(status)

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), self.retry_delay)


async def _read_reply(response: aiohttp.ClientResponse) -> Reply | None:
    """The Bot API call in a webhook's answer, if any (aiogram answers ``{}`` when none)."""
    values: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if response.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = await response.json()
            if isinstance(body, dict):
                values = body
    elif response.content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader.from_response(response)
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                files[part.name] = bytes(await part.read())
            else:
                values[part.name] = await part.text()
    method = values.pop("method", None)
    if not method:
        return None
    return str(method), values, files
