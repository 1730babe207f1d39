"""Flood protection: one user sending a stream of messages or taps gets a few answers and one
polite notice, everyone else is served as usual, and the bot's memory stays bounded."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from aiogram import Dispatcher
from aiogram.types import Chat, Message

from bot.config import Settings
from bot.factory import create_dispatcher
from bot.local_api import ApiCall, LocalChat, buttons
from bot.middlewares.flood_bench import measure_flood_latency
from bot.middlewares.throttle import RateLimiter, Verdict
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.mocked_bot import MockedBot, group_chat, make_user

RATE = 5
WINDOW = 60.0
FLOOD = 300
QUESTION = "что с Байконуром?"  # answered from data/faq.toml (entry "priorities")
OWNER_ID = 4242


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttled(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, throttle_rate=RATE, throttle_window=WINDOW, admin_ids=frozenset({OWNER_ID})
    )


@pytest.fixture
def throttled_dp(
    throttled: Settings, faq_service: FaqService, db: Database, clock: FakeClock
) -> Dispatcher:
    return create_dispatcher(settings=throttled, service=faq_service, db=db, clock=clock)


def chat_with(dp: Dispatcher, bot: MockedBot, user_id: int, **fields: object) -> LocalChat:
    return LocalChat(dp, bot, user=make_user(user_id, **fields))


def sent_to(bot: MockedBot, chat_id: int) -> list[ApiCall]:
    return [
        call
        for call in bot.calls("sendMessage")
        if call.params["chat_id"] == chat_id and call.error is None
    ]


def texts_of(calls: list[ApiCall]) -> list[str]:
    return [call.result.text for call in calls]


def first_button_data(message: Message) -> str:
    [first, *_] = buttons(message)
    assert first.callback_data is not None
    return first.callback_data


# --- the limiter itself, on a fake clock ---------------------------------------------------------


def test_the_limit_is_a_sliding_window(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=3, window=10.0, clock=clock)
    verdicts = []
    for moment in (0, 1, 2, 3, 4, 9.9, 10, 10.5, 11, 12):
        clock.now = 1000.0 + moment
        verdicts.append(limiter.check("anna"))

    assert verdicts == [
        Verdict.PASS, Verdict.PASS, Verdict.PASS,  # three in the window
        Verdict.NOTIFY,  # the fourth: dropped, and she is told
        Verdict.DROP, Verdict.DROP,  # told once per window only
        Verdict.PASS,  # 10 s after the first accepted one, a place is free again
        Verdict.DROP,  # 10.5: the window (0.5..10.5] still holds 1, 2 and 10; notice is quiet
        Verdict.PASS,  # 11: 1 left the window
        Verdict.PASS,  # 12: 2 left the window
    ]  # fmt: skip


def test_the_next_window_brings_one_more_notice(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=1, window=5.0, clock=clock)
    first = [limiter.check(7) for _ in range(4)]
    clock.now += 5.0
    second = [limiter.check(7) for _ in range(4)]

    expected = [Verdict.PASS, Verdict.NOTIFY, Verdict.DROP, Verdict.DROP]
    assert first == second == expected


def test_people_are_limited_separately(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=2, window=10.0, clock=clock)
    assert [limiter.check("anna") for _ in range(3)][-1] is Verdict.NOTIFY
    assert [limiter.check("boris") for _ in range(2)] == [Verdict.PASS, Verdict.PASS]


def test_idle_senders_are_forgotten(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=5, window=10.0, clock=clock)
    for sender in range(10_000):
        limiter.check(sender)
        clock.now += 0.01  # 10,000 people over 100 seconds
    # Only those seen within the last window are remembered: about 1,000.
    assert 990 <= len(limiter) <= 1_001

    clock.now += 10.0
    limiter.check("late")
    assert len(limiter) == 1


def test_memory_is_capped_even_within_one_window(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=5, window=10.0, clock=clock, max_keys=100)
    for sender in range(1_000):
        limiter.check(sender)

    assert len(limiter) == 100
    assert limiter.check(999) is Verdict.PASS  # the most recent ones are kept


@pytest.mark.parametrize(("rate", "window"), [(0, 1.0), (1, 0.0)])
def test_a_limiter_needs_a_positive_rate_and_window(rate: int, window: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=rate, window=window)


# --- through the dispatcher ----------------------------------------------------------------------


async def test_a_flood_gets_a_few_answers_and_one_notice_while_others_are_served(
    throttled_dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    flooder = chat_with(throttled_dp, bot, 1001)
    other = chat_with(throttled_dp, bot, 1002)

    floods = [flooder.send(f"{QUESTION} {n}") for n in range(FLOOD)]
    *_, exchange = await asyncio.gather(*floods, other.send(QUESTION))

    replies = texts_of(sent_to(bot, flooder.chat.id))
    assert len(replies) == RATE + 1
    assert replies.count(RUSSIAN.slow_down) == 1
    assert "Байконур" in texts_of(sent_to(bot, other.chat.id))[0]  # the other user's answer
    assert [call for call in bot.calls() if call.error] == []  # nothing refused by "Telegram"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # nothing crashed
    assert exchange.handled


async def test_each_window_brings_at_most_one_notice(
    throttled_dp: Dispatcher, bot: MockedBot, clock: FakeClock
) -> None:
    flooder = chat_with(throttled_dp, bot, 1001, language_code="en")

    await asyncio.gather(*(flooder.send(QUESTION) for _ in range(50)))
    clock.now += WINDOW / 2
    await asyncio.gather(*(flooder.send(QUESTION) for _ in range(50)))
    assert texts_of(sent_to(bot, flooder.chat.id)).count(ENGLISH.slow_down) == 1

    clock.now += WINDOW / 2  # a new window: a few answers again, and at most one more notice
    await asyncio.gather(*(flooder.send(QUESTION) for _ in range(50)))
    replies = texts_of(sent_to(bot, flooder.chat.id))
    assert replies.count(ENGLISH.slow_down) == 2
    assert len(replies) == 2 * (RATE + 1)


async def test_after_a_pause_the_flooder_is_answered_again(
    throttled_dp: Dispatcher, bot: MockedBot, clock: FakeClock
) -> None:
    flooder = chat_with(throttled_dp, bot, 1001)
    await asyncio.gather(*(flooder.send(QUESTION) for _ in range(20)))

    clock.now += WINDOW
    exchange = await flooder.send(QUESTION)

    [answer] = exchange.sent
    assert "Байконур" in answer.text


async def test_owners_are_never_throttled(throttled_dp: Dispatcher, bot: MockedBot) -> None:
    owner = chat_with(throttled_dp, bot, OWNER_ID)

    await asyncio.gather(*(owner.send(QUESTION) for _ in range(20)))

    replies = texts_of(sent_to(bot, owner.chat.id))
    assert len(replies) == 20
    assert RUSSIAN.slow_down not in replies


async def test_button_taps_beyond_the_limit_are_still_answered_with_a_notice(
    throttled_dp: Dispatcher, bot: MockedBot
) -> None:
    user = chat_with(throttled_dp, bot, 1001)
    topics = (await user.send("/faq")).last
    section = first_button_data(topics)

    exchanges = [await user.press(section, topics) for _ in range(RATE + 3)]

    assert all(exchange.callback_answered for exchange in exchanges)  # no spinner left
    served = [e for e in exchanges if e.notices != [RUSSIAN.slow_down]]
    assert len(served) == RATE
    assert served[0].edited  # the first tap opened the section
    throttled = exchanges[RATE:]
    assert all(e.notices == [RUSSIAN.slow_down] and e.shown == [] for e in throttled)


async def test_taps_and_questions_have_separate_allowances(
    throttled_dp: Dispatcher, bot: MockedBot
) -> None:
    user = chat_with(throttled_dp, bot, 1001)
    topics = (await user.send("/faq")).last
    for _ in range(RATE):
        await user.press(first_button_data(topics), topics)

    exchange = await user.send(QUESTION)

    assert "Байконур" in exchange.sent[0].text


async def test_the_groups_own_conversation_is_not_counted(
    throttled_dp: Dispatcher, bot: MockedBot
) -> None:
    member = LocalChat(throttled_dp, bot, user=make_user(3003), chat=group_chat())

    for n in range(20):
        exchange = await member.send(f"обсуждаем своё, сообщение {n}")
        assert exchange.sent == []  # the bot stays quiet, and sends no notice either
    exchange = await member.send(f"@{member.session.bot_username} {QUESTION}")

    assert "Байконур" in exchange.sent[0].text


async def test_a_flood_in_a_group_gets_one_notice_quoting_the_flooder(
    throttled_dp: Dispatcher, bot: MockedBot
) -> None:
    member = LocalChat(throttled_dp, bot, user=make_user(3003), chat=group_chat())
    mention = f"@{member.session.bot_username} {QUESTION}"

    exchanges = [await member.send(mention) for _ in range(RATE + 5)]

    [notice] = [m for e in exchanges for m in e.sent if m.text == RUSSIAN.slow_down]
    assert notice.reply_to_message is not None
    assert notice.reply_to_message.from_user is not None
    assert notice.reply_to_message.from_user.id == 3003


async def test_people_posting_as_different_channels_are_limited_separately(
    throttled_dp: Dispatcher, bot: MockedBot
) -> None:
    # Telegram puts the same placeholder user in ``from`` for everyone posting as a channel.
    member = LocalChat(throttled_dp, bot, user=make_user(136817688), chat=group_chat())
    mention = f"@{member.session.bot_username} {QUESTION}"

    async def post_as(channel_id: int) -> list[Message]:
        channel = Chat(id=channel_id, type="channel", title=f"Channel {channel_id}")
        sent = []
        for _ in range(RATE):
            exchange = await member.send_message(
                text=mention,
                entities=[{"type": "mention", "offset": 0, "length": len(mention.split()[0])}],
                sender_chat=channel.model_dump(exclude_none=True),
            )
            sent.extend(exchange.sent)
        return sent

    first, second = await post_as(-1001), await post_as(-1002)

    assert len(first) == len(second) == RATE
    assert all(m.text != RUSSIAN.slow_down for m in first + second)


async def test_a_rate_of_zero_turns_throttling_off(
    throttled: Settings, faq_service: FaqService, db: Database, bot: MockedBot
) -> None:
    settings = dataclasses.replace(throttled, throttle_rate=0)
    dp = create_dispatcher(settings=settings, service=faq_service, db=db)
    user = chat_with(dp, bot, 1001)

    await asyncio.gather(*(user.send(QUESTION) for _ in range(30)))

    replies = texts_of(sent_to(bot, user.chat.id))
    assert len(replies) == 30
    assert RUSSIAN.slow_down not in replies


async def test_a_failed_notice_is_not_an_error(
    throttled_dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    flooder = chat_with(throttled_dp, bot, 1001)
    for _ in range(RATE):
        await flooder.send(QUESTION)
    bot.session.remove_chat(flooder.chat.id)  # the notice will be refused

    exchange = await flooder.send(QUESTION)

    assert [call.error for call in exchange.refused] == ["Bad Request: chat not found"]
    assert any("slow down" in message for message in caplog.messages)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


# --- what a flood costs everyone else ------------------------------------------------------------


async def test_flood_latency_for_other_users(
    throttled: Settings, faq_service: FaqService, tmp_path: Path
) -> None:
    """Prints how much a 300-message flood slows another user's answer (run with -s);
    a benchmark, so nothing about the times is asserted."""
    result = await measure_flood_latency(throttled, faq_service, tmp_path, flood=FLOOD, rounds=3)

    assert result.replies_to_flooder == RATE + 1  # the flood really was throttled
    print(
        f"\nanother user's answer: {result.quiet * 1000:.1f} ms without a flood, "
        f"{result.flooded * 1000:.1f} ms during a {FLOOD}-message flood "
        f"(x{result.ratio:.1f}); without the throttle "
        f"{result.flooded_unthrottled * 1000:.1f} ms (x{result.ratio_unthrottled:.1f})"
    )
