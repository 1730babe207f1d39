"""Webhook mode in-process: the app as ``open_app`` builds it behind bot.webhook's server, the
fake Telegram delivering updates to it through a route that stands in for the reverse proxy."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.config import Secret, Settings, load_settings
from bot.errors import ConfigError
from bot.polling import Backoff
from bot.runner import App, open_app
from bot.service import FaqService
from bot.texts import RUSSIAN
from bot.webhook import SECRET_HEADER, WebhookServer, webhook_path
from tests.conftest import FAQ_PATH
from tests.fake_telegram import FakeTelegram, render

PUBLIC = "https://bot.example.test"
WEBHOOK_URL = f"{PUBLIC}/tg/webhook"
SECRET = "hook-secret_0123456789"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def settings(fake: FakeTelegram, tmp_path: Path) -> Settings:
    """Webhook mode against the fake, on any free port of 127.0.0.1."""
    environ = {
        "BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE": fake.base_url,
        "FAQ_PATH": str(FAQ_PATH),
        "DATABASE_PATH": str(tmp_path / "faq.sqlite3"),
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
    }
    loaded = load_settings(environ=environ, env_file=None)
    return dataclasses.replace(loaded, webhook_port=0)  # any free port


@pytest.fixture
async def app(settings: Settings, faq_service: FaqService) -> AsyncIterator[App]:
    """As in production; ``faq_service`` first, so that the dictionaries are loaded once."""
    async with open_app(settings) as app:
        yield app


def server_for(app: App, settings: Settings | None = None) -> WebhookServer:
    return WebhookServer(
        settings or app.settings,
        app.bot,
        app.dispatcher,
        handle=app.handle_update,
        flush=app.journal.flush,
    )


@pytest.fixture
async def server(app: App, fake: FakeTelegram) -> AsyncIterator[WebhookServer]:
    server = server_for(app)
    await server.start()
    fake.route_webhook(PUBLIC, f"http://127.0.0.1:{server.port}")
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def never() -> asyncio.Event:
    """A stop signal that never comes."""
    return asyncio.Event()


async def get_health(http: aiohttp.ClientSession, server: WebhookServer) -> tuple[int, Any]:
    async with http.get(f"http://127.0.0.1:{server.port}/healthz") as response:
        return response.status, await response.json()


async def post_update(
    http: aiohttp.ClientSession, server: WebhookServer, update: dict[str, Any], **headers: str
) -> int:
    url = f"http://127.0.0.1:{server.port}{server.path}"
    async with http.post(url, json=update, headers=headers) as response:
        return response.status


def test_the_path_is_the_webhook_urls_path() -> None:
    assert webhook_path("https://bot.example.test/tg/webhook") == "/tg/webhook"
    assert webhook_path("https://bot.example.test") == "/"


async def test_health_says_starting_until_the_webhook_is_set(
    server: WebhookServer, fake: FakeTelegram, http: aiohttp.ClientSession, never: asyncio.Event
) -> None:
    assert await get_health(http, server) == (503, {"status": "starting", "mode": "webhook"})

    assert await server.go_live(never) is True

    assert await get_health(http, server) == (200, {"status": "ok", "mode": "webhook"})
    [call] = fake.calls_to("setWebhook")
    assert call.ok
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET
    assert call.params["drop_pending_updates"] is False
    assert call.params["allowed_updates"] == server.dispatcher.resolve_used_update_types()
    assert {"message", "callback_query"} <= set(call.params["allowed_updates"])
    assert [c["command"] for c in fake.commands()] == ["start", "faq", "help"]  # start-up ran


async def test_telegrams_updates_are_answered(
    server: WebhookServer, app: App, fake: FakeTelegram, never: asyncio.Event
) -> None:
    await server.go_live(never)
    fake.user_sends("/start")
    await fake.wait_for("sendMessage")
    menu = fake.last_bot_message()
    kb = app.service.kb
    greeting = RUSSIAN.start.format(
        name=fake.default_user.first_name, about=RUSSIAN.about(html.escape(kb.title))
    )
    assert menu.text == render(greeting)
    assert menu.keyboard == [[section.title] for section in kb.sections]

    fake.user_sends("что с Байконуром?")
    await fake.wait_for("sendMessage")
    assert "Байконур" in fake.last_bot_message().text
    # Telegram gets its 200 once the update is handled, the question logged included.
    await fake.wait_until(lambda: len(fake.webhook_deliveries) == 2)
    assert all(d.status == 200 and d.secret_sent for d in fake.webhook_deliveries)
    assert fake.errors() == []
    [question] = await app.db.recent_questions(limit=5)
    assert question.text == "что с Байконуром?"


async def test_an_update_delivered_again_is_answered_once(
    server: WebhookServer, app: App, fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    """Telegram delivers again when it missed the 200 (a broken connection, a restart)."""
    fake.user_sends("что с Байконуром?")
    update = fake.pending_updates[-1]
    secret = {SECRET_HEADER: SECRET}

    assert await post_update(http, server, update, **secret) == 200
    assert await post_update(http, server, update, **secret) == 200

    assert len(fake.calls_to("sendMessage")) == 1
    assert len(await app.db.recent_questions(limit=5)) == 1


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x"}'])
async def test_a_body_that_is_no_update_is_a_bad_request(
    server: WebhookServer, http: aiohttp.ClientSession, fake: FakeTelegram, body: bytes
) -> None:
    url = f"http://127.0.0.1:{server.port}{server.path}"
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with http.post(url, data=body, headers=headers) as response:
        assert response.status == 400
    assert fake.calls_to("sendMessage") == []


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}, {SECRET_HEADER: ""}],
    ids=["missing", "wrong", "near-miss", "empty"],
)
async def test_requests_without_the_secret_are_forbidden_and_ignored(
    server: WebhookServer,
    app: App,
    fake: FakeTelegram,
    http: aiohttp.ClientSession,
    never: asyncio.Event,
    headers: dict[str, str],
) -> None:
    await server.go_live(never)
    fake.route_webhook(PUBLIC, "http://127.0.0.1:9")  # keep the fake's own deliveries away
    fake.user_sends("что с Байконуром?")
    forged = fake.pending_updates[-1]

    assert await post_update(http, server, forged, **headers) == 403

    assert fake.calls_to("sendMessage") == []
    assert await app.db.recent_questions(limit=5) == []
    assert await post_update(http, server, forged, **{SECRET_HEADER: SECRET}) == 200
    assert "Байконур" in fake.last_bot_message().text


async def test_aiogram_alone_would_answer_401(app: App, http: aiohttp.ClientSession) -> None:
    """aiogram's own handler refuses with 401 (and would bypass the journal's once-only check),
    hence bot.webhook's own."""
    web_app = web.Application()
    handler = SimpleRequestHandler(app.dispatcher, app.bot, secret_token=SECRET)
    web_app.router.add_post("/hook", handler.handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        async with http.post(url, json={"update_id": 1}) as response:
            assert response.status == 401
    finally:
        await runner.cleanup()


async def test_stop_finishes_the_update_in_hand_and_keeps_the_webhook(
    server: WebhookServer,
    app: App,
    fake: FakeTelegram,
    http: aiohttp.ClientSession,
    never: asyncio.Event,
) -> None:
    await server.go_live(never)
    port = server.port
    slow_reply = fake.delay("sendMessage", seconds=1.0)
    fake.user_sends("что с Байконуром?")
    await fake.wait_until(lambda: slow_reply.hits == 1, description="the reply to be under way")

    await server.stop()

    reply = fake.calls_to("sendMessage")[-1]
    assert reply.ok
    assert "Байконур" in render(reply.text)
    assert [d.status for d in fake.webhook_deliveries] == [200]  # Telegram got its 200
    assert [q.text for q in await app.db.recent_questions(limit=5)] == ["что с Байконуром?"]
    assert fake.webhook["url"] == WEBHOOK_URL  # not deleted: the next instance gets the updates
    assert fake.calls_to("deleteWebhook") == []
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(f"http://127.0.0.1:{port}/healthz")  # no longer listening


async def test_telegram_failing_at_start_is_retried(
    server: WebhookServer,
    fake: FakeTelegram,
    http: aiohttp.ClientSession,
    never: asyncio.Event,
) -> None:
    server.backoff = Backoff(first=0.01, cap=0.01)
    fake.fail("setWebhook", status=502, description="Bad Gateway")
    fake.drop_connection("setWebhook")

    assert await server.go_live(never) is True

    assert [c.status for c in fake.calls_to("setWebhook")] == [502, 0, 200]
    assert (await get_health(http, server))[0] == 200


async def test_a_stop_while_telegram_is_down_ends_the_start(
    server: WebhookServer, fake: FakeTelegram, http: aiohttp.ClientSession
) -> None:
    fake.fail("setWebhook", times=None, status=502, description="Bad Gateway")
    stopping = asyncio.Event()
    going = asyncio.create_task(server.go_live(stopping))
    await fake.wait_until(lambda: len(fake.calls_to("setWebhook")) >= 1)
    assert (await get_health(http, server))[1]["status"] == "starting"
    stopping.set()
    assert await going is False


async def test_a_webhook_url_telegram_refuses_is_one_config_error(
    app: App, never: asyncio.Event
) -> None:
    bad = dataclasses.replace(app.settings, webhook_url="https://bot.example.test:8080/webhook")
    server = server_for(app, bad)
    await server.start()
    try:
        with pytest.raises(ConfigError) as error:
            await server.go_live(never)
    finally:
        await server.stop()
    assert error.value.message == (
        "Telegram refused WEBHOOK_URL: "
        "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    )


async def test_a_rejected_token_is_one_config_error(
    settings: Settings, faq_service: FaqService, never: asyncio.Event
) -> None:
    wrong = dataclasses.replace(settings, bot_token=Secret("42:" + "A" * 35))
    async with open_app(wrong) as app:
        server = server_for(app)
        with pytest.raises(ConfigError, match=r"^Telegram refused BOT_TOKEN \(401 Unauthorized\)"):
            await server.go_live(never)
        await server.stop()


async def test_a_busy_port_is_one_config_error(app: App) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = server_for(app, dataclasses.replace(app.settings, webhook_port=port))
        with pytest.raises(ConfigError) as error:
            await server.start()
    assert error.value.message.startswith(f"cannot listen on 127.0.0.1:{port} (WEBHOOK_HOST")
