"""How much one flooding user slows the bot down for everyone else, with and without the
per-user throttle. A measurement for the benchmarks (bot/bench) and tests; it prints nothing.

In every round one new user sends ``flood`` messages at once and, right behind them, another
user asks a question; the round's figure is how long that question took to answer. The same
is measured without a flood ("quiet"). Everything runs through ``create_dispatcher`` and the
in-process Bot API, as in production; only the throttle setting differs between the runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Update

from bot.config import Settings
from bot.factory import LOCAL_TOKEN, bot_defaults, create_dispatcher
from bot.local_api import LocalSession
from bot.service import FaqService
from bot.storage import Database

# New users for every round, so that no one exceeds the throttle's limit across rounds.
FLOODER_IDS = itertools.count(500_000)
ASKER_IDS = itertools.count(400_000)
FLOOD_TEXT = "как получить справку"


@dataclass(frozen=True)
class FloodLatency:
    """Median seconds until another user's question is answered."""

    quiet: float
    flooded: float  # with a flood going on, throttle on
    flooded_unthrottled: float  # with a flood going on, throttle off
    replies_to_flooder: int  # to one flood of the throttled bot: answers plus one notice

    @property
    def ratio(self) -> float:
        """Flooded over quiet latency, throttle on: 1.0 means the flood costs others nothing."""
        return self.flooded / self.quiet

    @property
    def ratio_unthrottled(self) -> float:
        return self.flooded_unthrottled / self.quiet


class _Bot:
    """A dispatcher and an in-process Bot API, and updates from any user to them."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.session = LocalSession()
        self.bot = Bot(LOCAL_TOKEN, session=self.session, default=bot_defaults())
        self.dispatcher = dispatcher
        self._update_ids = itertools.count(1)

    def message(self, user_id: int, text: str) -> Update:
        chat = Chat(id=user_id, type="private", first_name="Bench")
        self.session.add_chat(chat)
        message: dict[str, Any] = {
            "message_id": self.session.next_message_id(user_id),
            "date": int(time.time()),
            "chat": chat.model_dump(exclude_none=True),
            "from": {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "ru"},
            "text": text,
        }
        self.session.add_incoming(message)
        update = {"update_id": next(self._update_ids), "message": message}
        return Update.model_validate(update, context={"bot": self.bot})

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    def replies_to(self, user_id: int) -> int:
        return sum(
            1
            for call in self.session.calls
            if call.method == "sendMessage" and call.params.get("chat_id") == user_id
        )


async def _question_latency(target: _Bot, question: str, flood: int) -> float:
    """Seconds to answer ``question`` sent right after ``flood`` messages from a new user."""
    flooder = next(FLOODER_IDS)
    flood_updates = [target.message(flooder, f"{FLOOD_TEXT} {n}") for n in range(flood)]
    asker = next(ASKER_IDS)
    asked = target.message(asker, question)
    flood_tasks = [asyncio.create_task(target.feed(update)) for update in flood_updates]
    started = time.perf_counter()
    await target.feed(asked)  # the flood's tasks were scheduled first and run meanwhile
    elapsed = time.perf_counter() - started
    await asyncio.gather(*flood_tasks)
    if target.replies_to(asker) == 0:
        raise RuntimeError("the question was not answered: the measurement is void")
    return elapsed


async def _median_latency(target: _Bot, question: str, flood: int, rounds: int) -> float:
    await _question_latency(target, question, flood)  # warm-up
    timings = [await _question_latency(target, question, flood) for _ in range(rounds)]
    return statistics.median(timings)


async def measure_flood_latency(
    settings: Settings,
    service: FaqService,
    workdir: Path,
    *,
    flood: int = 300,
    rounds: int = 5,
    question: str = "сколько длится обучение",
) -> FloodLatency:
    """Run the three situations ``rounds`` times each (the medians count)."""
    throttled = dataclasses.replace(
        settings, throttle_rate=max(settings.throttle_rate, 1), database_path=workdir / "a.db"
    )
    unthrottled = dataclasses.replace(settings, throttle_rate=0, database_path=workdir / "b.db")
    async with await Database.open(throttled.database_path) as db:
        target = _Bot(create_dispatcher(settings=throttled, service=service, db=db))
        quiet = await _median_latency(target, question, 0, rounds)
        flooded = await _median_latency(target, question, flood, rounds)
        replies = target.replies_to(next(FLOODER_IDS) - 1)
    async with await Database.open(unthrottled.database_path) as db:
        target = _Bot(create_dispatcher(settings=unthrottled, service=service, db=db))
        flooded_unthrottled = await _median_latency(target, question, flood, rounds)
    return FloodLatency(quiet, flooded, flooded_unthrottled, replies)
