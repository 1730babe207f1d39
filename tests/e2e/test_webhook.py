"""End to end, webhook mode only: ``python -m bot`` with BOT_MODE=webhook behind the fake
Telegram, which delivers to it through a route standing in for the reverse proxy.

What only a webhook has: the secret token on every request, the health endpoint, the webhook
Telegram is given, and a deploy (SIGTERM, then a new process) that loses no update: the update
in hand is finished, the webhook stays set, and updates sent while no bot runs reach the next one.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.e2e.bot_process import WEBHOOK_SECRET, WEBHOOK_URL, RunningBot, start_bot
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.on_disk import on_disk

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals"),
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
QUESTION = "что с Байконуром?"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def running_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    async with FakeTelegram() as fake:
        running = await start_bot(fake, tmp_path_factory.mktemp("webhook-bot"), "webhook")
        try:
            await running.wait_until_serving()
            yield running
        finally:
            await running.kill()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def questions_of(database: Path, user_id: int) -> list[str]:
    rows = on_disk(database, "SELECT text FROM questions WHERE user_id = ? ORDER BY id", user_id)
    return [text for (text,) in rows]


def is_to(user: FakeUser) -> Any:
    return lambda call: call.params.get("chat_id") == user.id


async def test_telegram_is_given_the_public_url_the_secret_and_the_update_types(
    running_bot: RunningBot,
) -> None:
    [call] = running_bot.fake.calls_to("setWebhook")
    assert call.ok
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert call.params["drop_pending_updates"] is False  # updates waiting for us are wanted
    assert {"message", "callback_query"} <= set(call.params["allowed_updates"])


async def test_healthz_says_ok_for_orchestrators(
    running_bot: RunningBot, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{running_bot.webhook_base}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "mode": "webhook"}
    code, output = await running_bot.health()
    assert code == 0
    assert output == f"ok: the webhook server answers at {running_bot.webhook_base}/healthz\n"


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: "guessed"}, {SECRET_HEADER: WEBHOOK_SECRET.upper()}],
    ids=["no-secret", "wrong-secret", "wrong-case"],
)
async def test_requests_without_the_secret_are_refused_with_403_and_ignored(
    running_bot: RunningBot, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    fake, user = running_bot.fake, FakeUser(id=4001, first_name="Мурат")
    forged_update = {
        "update_id": 999_000_001,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.to_api(),
            "text": QUESTION,
        },
    }
    async with http.post(
        f"{running_bot.webhook_base}/telegram/webhook", json=forged_update, headers=headers
    ) as response:
        assert response.status == 403

    # Nothing was done with it: no reply, no question logged (checked after a real update from
    # another user has gone all the way through, so the forged one had time to do harm).
    other = FakeUser(id=4002, first_name="Асель")
    asked_before = len(questions_of(running_bot.database, other.id))
    fake.user_sends(QUESTION, user=other)
    await running_bot.wait_for("sendMessage", is_to(other))
    await fake.wait_until(
        lambda: len(questions_of(running_bot.database, other.id)) == asked_before + 1
    )
    assert [c for c in fake.calls if c.params.get("chat_id") == user.id] == []
    assert questions_of(running_bot.database, user.id) == []
    assert "refused" in running_bot.output()


async def test_every_delivery_carried_the_secret_and_was_accepted(running_bot: RunningBot) -> None:
    deliveries = running_bot.fake.webhook_deliveries
    assert deliveries
    assert all(d.secret_sent and d.status == 200 for d in deliveries)


async def test_a_deploy_finishes_the_update_in_hand_and_loses_nothing(
    running_bot: RunningBot, tmp_path_factory: pytest.TempPathFactory
) -> None:
    fake, user = running_bot.fake, FakeUser(id=4010, first_name="Жанна")
    slow_reply = fake.delay("sendMessage", seconds=1.5)
    fake.user_sends(QUESTION, user=user)
    await running_bot.unless_exited(
        fake.wait_until(lambda: slow_reply.hits == 1, 15, "the reply to be under way")
    )

    assert await running_bot.terminate() == 0  # while the reply is still on its way

    reply = fake.calls_to("sendMessage")[-1]
    assert (reply.ok, reply.params["chat_id"]) == (True, user.id)
    assert fake.webhook_deliveries[-1].status == 200  # Telegram heard it was handled
    assert fake.webhook["url"] == WEBHOOK_URL  # still set: Telegram keeps what comes next

    # Between the old process and the new one, the user writes again; delivery fails...
    fake.user_sends("как приготовить борщ?", user=user)
    await fake.wait_until(lambda: not fake.webhook_deliveries[-1].ok, 15, "a failed delivery")

    # ...until the next instance listens on the same port, and gets the update.
    successor = await start_bot(
        fake,
        tmp_path_factory.mktemp("webhook-successor"),
        "webhook",
        DATABASE_PATH=str(running_bot.database),
        WEBHOOK_PORT=running_bot.env["WEBHOOK_PORT"],
    )
    try:
        await successor.wait_for("sendMessage", lambda c: c.ok and is_to(user)(c), timeout=60)
        await fake.wait_until(lambda: fake.webhook_deliveries[-1].ok, 15, "the 200")
        assert questions_of(running_bot.database, user.id) == [QUESTION, "как приготовить борщ?"]
        assert await successor.terminate() == 0
    finally:
        await successor.kill()
    assert [str(call) for call in fake.errors()] == []
