"""Telegram's sending limits: replies are paced per chat and overall, and a "429 Too Many
Requests" delays a reply instead of losing it.

Pacing is checked on a frozen clock with a sleep that only records how long it was asked to
wait, so the schedule is exact and the tests take no time. The 429 handling is checked against
the fake Bot API over real HTTP.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, GetUpdates, SendMessage, TelegramMethod
from aiogram.types import Chat, Update

from bot.config import Secret, Settings
from bot.factory import bot_defaults, create_bot, create_dispatcher
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.session import FloodControl, SendLimits, TokenBucket
from bot.storage import Database
from tests.fake_telegram import FakeTelegram, render
from tests.mocked_bot import MockedBot, make_user

QUESTION = "что с Байконуром?"  # answered from data/faq.toml with one message


class FakeTime:
    """A clock and a sleep that only notes how long it was asked to wait. The clock stands
    still (many requests made at the same moment), or ``ticking`` moves on by each sleep
    (one request waiting again and again)."""

    def __init__(self, *, ticking: bool = False) -> None:
        self.now = 500.0
        self.ticking = ticking
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        if self.ticking:
            self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def frozen() -> FakeTime:
    return FakeTime()


@pytest.fixture
def ticking() -> FakeTime:
    return FakeTime(ticking=True)


class Telegram429:
    """Stands in for the next middleware: answers 429 ``times`` times, then succeeds."""

    def __init__(self, times: int, retry_after: int = 2) -> None:
        self.times = times
        self.retry_after = retry_after
        self.requests: list[str] = []

    async def __call__(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        self.requests.append(method.__api_method__)
        if len(self.requests) <= self.times:
            message = f"Too Many Requests: retry after {self.retry_after}"
            raise TelegramRetryAfter(method, message, self.retry_after)
        return True


def paced_bot(frozen: FakeTime, limits: SendLimits | None = None) -> MockedBot:
    bot = MockedBot()
    bot.session.middleware(FloodControl(limits, clock=frozen.clock, sleep=frozen.sleep))
    return bot


def open_chat(bot: MockedBot, chat_id: int) -> None:
    kind = "private" if chat_id > 0 else "supergroup"
    bot.session.add_chat(Chat(id=chat_id, type=kind, first_name="A", title="G"))


# --- token buckets -------------------------------------------------------------------------------


def test_a_bucket_allows_a_burst_then_one_turn_per_interval() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=0.0)

    assert [bucket.reserve(0.0) for _ in range(6)] == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5]


def test_a_bucket_refills_while_idle() -> None:
    bucket = TokenBucket(rate=1.0, burst=2, now=0.0)
    assert [bucket.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert not bucket.is_full(2.5)

    assert bucket.is_full(3.0)
    assert [bucket.reserve(3.0) for _ in range(2)] == [0.0, 0.0]


def test_a_paused_bucket_gives_no_turn_before_the_pause_ends_and_no_burst_after() -> None:
    bucket = TokenBucket(rate=1.0, burst=3, now=0.0)

    bucket.pause(0.0, 5.0)

    assert [bucket.reserve(0.0) for _ in range(3)] == [5.0, 6.0, 7.0]


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (1.0, 0)])
def test_a_bucket_needs_a_positive_rate_and_burst(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=rate, burst=burst, now=0.0)


# --- pacing --------------------------------------------------------------------------------------


async def send_at_once(bot: Bot, chat_ids: list[int]) -> None:
    await asyncio.gather(
        *(bot.send_message(chat_id, f"n{n}") for n, chat_id in enumerate(chat_ids))
    )


async def test_a_private_chat_gets_a_short_burst_then_one_message_a_second(
    frozen: FakeTime,
) -> None:
    bot = paced_bot(frozen)
    open_chat(bot, 1001)

    await send_at_once(bot, [1001] * 6)

    assert frozen.sleeps == [1.0, 2.0, 3.0]  # 3 at once, then one a second
    assert [call.params["text"] for call in bot.calls("sendMessage")] == [f"n{n}" for n in range(6)]


async def test_a_group_gets_at_most_twenty_messages_a_minute(frozen: FakeTime) -> None:
    bot = paced_bot(frozen)
    open_chat(bot, -1001)

    await send_at_once(bot, [-1001] * 5)

    assert frozen.sleeps == [3.0, 6.0]  # after the burst of 3, one every 3 s = 20 a minute


async def test_all_chats_together_get_at_most_thirty_messages_a_second(
    frozen: FakeTime,
) -> None:
    bot = paced_bot(frozen)
    chats = list(range(2001, 2041))
    for chat_id in chats:
        open_chat(bot, chat_id)

    await send_at_once(bot, chats)  # one message to each of 40 chats

    assert frozen.sleeps == [pytest.approx(n / 30, abs=1e-6) for n in range(1, 11)]
    assert len(bot.calls("sendMessage")) == 40


async def test_chats_do_not_wait_for_each_other(frozen: FakeTime) -> None:
    bot = paced_bot(frozen)
    for chat_id in (1001, 1002):
        open_chat(bot, chat_id)

    await send_at_once(bot, [1001, 1001, 1001, 1002, 1002, 1002])

    assert frozen.sleeps == []


async def test_only_messages_are_paced(frozen: FakeTime) -> None:
    bot = paced_bot(frozen, SendLimits(private_burst=1, overall_burst=1))
    open_chat(bot, 1001)

    for _ in range(5):
        await bot.send_chat_action(1001, "typing")
        await bot.get_me()

    assert frozen.sleeps == []


async def test_edits_are_paced_like_new_messages(frozen: FakeTime) -> None:
    bot = paced_bot(frozen, SendLimits(private_burst=1))
    open_chat(bot, 1001)

    message = await bot.send_message(1001, "first")
    await bot.edit_message_text("second", chat_id=1001, message_id=message.message_id)

    assert frozen.sleeps == [1.0]


async def test_the_limits_are_configurable(frozen: FakeTime) -> None:
    bot = paced_bot(frozen, SendLimits(private_per_second=4.0, private_burst=1))
    open_chat(bot, 1001)

    await send_at_once(bot, [1001] * 3)

    assert frozen.sleeps == [0.25, 0.5]


async def test_idle_chats_are_forgotten(frozen: FakeTime) -> None:
    control = FloodControl(clock=frozen.clock, sleep=frozen.sleep)
    telegram, bot = Telegram429(times=0), MockedBot()

    for chat_id in range(1, 5_001):  # 5,000 chats, one message a second in all
        await control(telegram, bot, SendMessage(chat_id=chat_id, text="hi"))
        frozen.now += 1.0

    assert control.tracked_chats <= 1_000
    assert frozen.sleeps == []


async def test_answers_to_a_burst_of_questions_are_paced_and_all_delivered(
    frozen: FakeTime, settings: Settings, faq_service: FaqService, db: Database
) -> None:
    bot = paced_bot(frozen)
    dp = create_dispatcher(settings=settings, service=faq_service, db=db)
    user = LocalChat(dp, bot, user=make_user())

    await asyncio.gather(*(user.send(QUESTION) for _ in range(5)))

    answers = [call.result.text for call in bot.calls("sendMessage") if call.error is None]
    assert len(answers) == 5
    assert all("Байконур" in answer for answer in answers)
    assert frozen.sleeps == [1.0, 2.0]


# --- 429: wait and repeat ------------------------------------------------------------------------


async def test_a_429_is_waited_out_and_the_request_repeated(ticking: FakeTime) -> None:
    control = FloodControl(clock=ticking.clock, sleep=ticking.sleep)
    telegram = Telegram429(times=2, retry_after=2)

    result = await control(telegram, MockedBot(), SendMessage(chat_id=1001, text="hi"))

    assert result is True
    assert telegram.requests == ["sendMessage"] * 3
    # Each wait as Telegram asked; the chat's own pacing adds nothing on top of it.
    assert ticking.sleeps == [2.0, 2.0]


async def test_other_messages_to_a_chat_wait_while_it_is_flood_limited(
    frozen: FakeTime,
) -> None:
    control = FloodControl(clock=frozen.clock, sleep=frozen.sleep)

    flooded = Telegram429(times=1, retry_after=10)
    await control(flooded, MockedBot(), SendMessage(chat_id=7, text="a"))
    frozen.sleeps.clear()
    # Made at the moment "a" was refused: "b" goes a second after "a" is repeated, 10 s later.
    await control(Telegram429(times=0), MockedBot(), SendMessage(chat_id=7, text="b"))
    await control(Telegram429(times=0), MockedBot(), SendMessage(chat_id=8, text="c"))

    assert frozen.sleeps == [11.0]  # for "b"; "c", to another chat, does not wait


async def test_repeating_stops_after_the_configured_number_of_times(frozen: FakeTime) -> None:
    control = FloodControl(SendLimits(max_retries=2), clock=frozen.clock, sleep=frozen.sleep)
    telegram = Telegram429(times=10)

    with pytest.raises(TelegramRetryAfter):
        await control(telegram, MockedBot(), SendMessage(chat_id=1001, text="hi"))

    assert len(telegram.requests) == 3  # the first try and two repeats


async def test_a_wait_longer_than_the_cap_is_not_waited(
    frozen: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    control = FloodControl(SendLimits(max_retry_wait=60), clock=frozen.clock, sleep=frozen.sleep)
    telegram = Telegram429(times=1, retry_after=3600)

    with pytest.raises(TelegramRetryAfter), caplog.at_level(logging.WARNING):
        await control(telegram, MockedBot(), SendMessage(chat_id=1001, text="hi"))

    assert telegram.requests == ["sendMessage"]
    assert frozen.sleeps == []
    assert any("3600" in message for message in caplog.messages)


@pytest.mark.parametrize(
    "method",
    [AnswerCallbackQuery(callback_query_id="1"), SendMessage(chat_id="@channel", text="hi")],
)
async def test_other_requests_are_repeated_after_a_429_too(
    frozen: FakeTime, method: TelegramMethod[Any]
) -> None:
    control = FloodControl(clock=frozen.clock, sleep=frozen.sleep)
    telegram = Telegram429(times=1, retry_after=1)

    assert await control(telegram, MockedBot(), method) is True
    assert len(telegram.requests) == 2


async def test_get_updates_is_left_to_the_polling_loop(frozen: FakeTime) -> None:
    control = FloodControl(clock=frozen.clock, sleep=frozen.sleep)
    telegram = Telegram429(times=1)

    with pytest.raises(TelegramRetryAfter):
        await control(telegram, MockedBot(), GetUpdates())

    assert telegram.requests == ["getUpdates"]


# --- 429 from the fake Bot API, through the dispatcher -------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def fake_settings(fake: FakeTelegram, settings: Settings) -> Settings:
    return Settings(
        bot_token=Secret(fake.token),
        telegram_api_base=fake.base_url,
        database_path=settings.database_path,
        faq_path=settings.faq_path,
    )


async def deliver(dp: Dispatcher, bot: Bot, fake: FakeTelegram, text: str) -> None:
    """What polling would do with the message the user just sent to the fake."""
    message = fake.user_sends(text)
    update = Update.model_validate({"update_id": 1, "message": message}, context={"bot": bot})
    await dp.feed_update(bot, update)


async def test_a_reply_refused_with_429_arrives_once_after_the_wait(
    fake: FakeTelegram, settings: Settings, faq_service: FaqService, db: Database
) -> None:
    settings = fake_settings(fake, settings)
    bot = create_bot(settings)  # flood control as in production
    dp = create_dispatcher(settings=settings, service=faq_service, db=db)
    fake.flood("sendMessage", retry_after=1)
    try:
        await deliver(dp, bot, fake, QUESTION)
    finally:
        await bot.session.close()

    attempts = fake.calls_to("sendMessage")
    assert [(call.status, call.injected) for call in attempts] == [(429, True), (200, False)]
    assert attempts[0].params == attempts[1].params  # the very same reply, repeated
    [reply] = fake.bot_messages()
    assert "Байконур" in reply.text
    assert fake.errors() == []


async def test_a_persistent_flood_gives_up_and_is_logged_without_an_apology(
    fake: FakeTelegram,
    settings: Settings,
    faq_service: FaqService,
    db: Database,
    ticking: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = fake_settings(fake, settings)
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    limits = SendLimits(max_retries=2)
    session.middleware(FloodControl(limits, clock=ticking.clock, sleep=ticking.sleep))
    bot = Bot(fake.token, session=session, default=bot_defaults())
    dp = create_dispatcher(settings=settings, service=faq_service, db=db)
    fake.flood("sendMessage", retry_after=1, times=None)
    try:
        with caplog.at_level(logging.WARNING):
            await deliver(dp, bot, fake, QUESTION)
    finally:
        await bot.session.close()

    assert len(fake.calls_to("sendMessage")) == 3  # the first try and two repeats
    assert ticking.sleeps == [1.0, 1.0]
    assert fake.bot_messages() == []
    assert any("Too Many Requests" in message for message in caplog.messages)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_flooded_button_answer_is_repeated_too(
    fake: FakeTelegram, settings: Settings, faq_service: FaqService, db: Database
) -> None:
    settings = fake_settings(fake, settings)
    bot = create_bot(settings)
    dp = create_dispatcher(settings=settings, service=faq_service, db=db)
    try:
        await deliver(dp, bot, fake, "/faq")
        topics = fake.last_bot_message()
        fake.flood("answerCallbackQuery", retry_after=1)
        query_id = fake.user_clicks(topics, topics.buttons[0])
        [update] = [u for u in fake.pending_updates if "callback_query" in u]
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))
    finally:
        await bot.session.close()

    assert fake.callback_answer(query_id) is not None
    assert render(fake.last_bot_message().text) != render(topics.text)  # the section opened
