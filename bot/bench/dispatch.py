"""Updates per second through the real dispatcher, and how long the event loop stalls.

The FAQ bot is built exactly as production builds it (``create_dispatcher`` with a real
``FaqService`` and a real ``Database`` in a temporary folder); its yardstick is a bare aiogram
dispatcher with one handler that answers a fixed text. Both talk through ``WireSession``, which
serialises requests and parses replies as the real session does but skips the network, so no
network time hides the bots' own cost.

Updates are parsed before the clock starts: the numbers are the dispatcher's and handlers' work.
Every message comes from a different user, as on a busy bot, so the per-user throttle never
drops one (a dropped message would be cheaper than an answered one).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import Message, Update

from bot.bench.measure import BenchError
from bot.bench.wire import WireSession
from bot.config import Settings
from bot.engine import FaqEngine, MatchResult
from bot.factory import LOCAL_TOKEN, bot_defaults, create_dispatcher
from bot.service import FaqService
from bot.storage import Database

BARE_REPLY = "Спасибо, вопрос получен."
FIRST_USER_ID = 100_000
LOOP_TICK = 0.001  # seconds the loop watcher sleeps between looks at the clock


@dataclass(frozen=True)
class ThroughputResult:
    mode: str  # "sequential" or "N in flight"
    updates: int  # per round
    rounds: int
    faq_per_s: float  # in the FAQ bot's best round
    bare_per_s: float
    faq_match_ms: float  # mean time of one engine.match in the FAQ bot, all rounds

    @property
    def ratio(self) -> float:
        return self.faq_per_s / self.bare_per_s


@dataclass(frozen=True)
class LoopResult:
    entries: int  # size of the knowledge base the burst was answered from
    burst: int  # updates fed at once
    bursts: int
    faq_stall_ms: float  # longest the event loop went without running the watcher
    bare_stall_ms: float
    idle_stall_ms: float  # the same with nothing to do: the timer's own lateness
    longest_match_ms: float  # the longest single engine.match call during the bursts
    total_match_ms: float  # all matching of one burst, which ran on the loop


@dataclass
class _Harness:
    """A dispatcher, its bot and a supply of fresh text updates addressed to it."""

    name: str
    dispatcher: Dispatcher
    bot: Bot
    session: WireSession
    next_user: int = FIRST_USER_ID

    def updates(self, texts: Sequence[str]) -> list[Update]:
        """One private-chat message per text, each from a user the bot has not seen yet."""
        updates = []
        for text in texts:
            self.next_user += 1
            updates.append(self._update(self.next_user, text))
        return updates

    def _update(self, user_id: int, text: str) -> Update:
        message: dict[str, Any] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Bench", "language_code": "ru"},
            "text": text,
        }
        return Update.model_validate(
            {"update_id": user_id, "message": message}, context={"bot": self.bot}
        )

    async def feed(self, updates: Sequence[Update], in_flight: int) -> float:
        """Seconds to handle ``updates``, one by one (``in_flight`` 1) or that many at once."""
        started = time.perf_counter()
        if in_flight <= 1:
            for update in updates:
                await self.dispatcher.feed_update(self.bot, update)
        else:
            for start in range(0, len(updates), in_flight):
                wave = updates[start : start + in_flight]
                await asyncio.gather(*(self.dispatcher.feed_update(self.bot, u) for u in wave))
        return time.perf_counter() - started

    def check_answered(self, updates: Sequence[Update]) -> None:
        """Every message got a reply, without error: else the bench timed a failure path."""
        chats = {u.message.chat.id for u in updates if u.message is not None}
        answered = {
            int(r.fields["chat_id"]) for r in self.session.requests if r.method == "sendMessage"
        }
        if not chats <= answered:
            missing = len(chats - answered)
            raise BenchError(f"the {self.name} left {missing} of {len(chats)} messages unanswered")


class _TimedEngine(FaqEngine):
    """The same engine, remembering how long each ``match`` took."""

    def __init__(self, engine: FaqEngine) -> None:
        super().__init__(engine.kb, engine.thresholds, engine.index, engine.weights)
        self.timings_ms: list[float] = []

    def match(self, text: str) -> MatchResult:
        started = time.perf_counter_ns()
        try:
            return super().match(text)
        finally:
            self.timings_ms.append((time.perf_counter_ns() - started) / 1e6)


def _bare_dispatcher() -> Dispatcher:
    """The yardstick: aiogram with one handler that answers every text with a fixed reply."""
    router = Router(name="bare")

    @router.message(F.text)
    async def answer(message: Message) -> None:
        await message.answer(BARE_REPLY)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


def _local_bot() -> tuple[Bot, WireSession]:
    session = WireSession()
    return Bot(LOCAL_TOKEN, session=session, default=bot_defaults()), session


async def _faq_harness(settings: Settings, service: FaqService, db: Database) -> _Harness:
    bot, session = _local_bot()
    dispatcher = create_dispatcher(settings=settings, service=service, db=db)
    return _Harness("FAQ bot", dispatcher, bot, session)


def _bare_harness() -> _Harness:
    bot, session = _local_bot()
    return _Harness("bare aiogram bot", _bare_dispatcher(), bot, session)


async def measure_throughput(
    settings: Settings,
    service: FaqService,
    texts: Sequence[str],
    *,
    in_flight: int,
    rounds: int,
    workdir: Path,
) -> list[ThroughputResult]:
    """Updates per second of the FAQ bot and the bare bot, one by one and ``in_flight`` at once.

    The two bots take turns, ``rounds`` times, and each one's best round counts: on a shared
    machine the best round is the one least disturbed by others.
    """
    db_settings = dataclasses.replace(settings, database_path=workdir / "throughput.sqlite3")
    engine = _TimedEngine(service.engine)
    async with await Database.open(db_settings.database_path) as db:
        faq = await _faq_harness(db_settings, FaqService(engine), db)
        bare = _bare_harness()
        results = []
        for mode, width in (("sequential", 1), (f"{in_flight} in flight", in_flight)):
            best: dict[str, float] = {}
            for harness in (bare, faq):
                await harness.feed(harness.updates(texts[: width * 2]), width)  # warm up
            engine.timings_ms.clear()
            for _ in range(rounds):
                for harness in (bare, faq):
                    updates = harness.updates(texts)
                    seconds = await harness.feed(updates, width)
                    harness.check_answered(updates)
                    best[harness.name] = max(best.get(harness.name, 0.0), len(texts) / seconds)
            match_ms = sum(engine.timings_ms) / len(engine.timings_ms)
            results.append(
                ThroughputResult(
                    mode, len(texts), rounds, best[faq.name], best[bare.name], match_ms
                )
            )
    return results


class _LoopWatcher:
    """Sleeps ``LOOP_TICK`` in a loop and remembers the longest it overslept: the longest time
    the event loop was busy with something else and could not run any other task."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _LoopWatcher:
        self._task = asyncio.create_task(self._watch())
        await asyncio.sleep(LOOP_TICK * 5)  # let it start ticking
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.sleep(LOOP_TICK * 5)  # catch the stall the last task ended with
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(LOOP_TICK)
            self.longest = max(self.longest, time.perf_counter() - started - LOOP_TICK)


async def measure_event_loop(
    settings: Settings,
    engine: FaqEngine,
    texts: Sequence[str],
    *,
    bursts: int,
    workdir: Path,
) -> LoopResult:
    """The longest event-loop stall while ``len(texts)`` messages arrive at once, ``bursts``
    times, for the FAQ bot on ``engine`` and for the bare bot."""
    timed = _TimedEngine(engine)
    db_settings = dataclasses.replace(settings, database_path=workdir / "event_loop.sqlite3")
    async with await Database.open(db_settings.database_path) as db:
        faq = await _faq_harness(db_settings, FaqService(timed), db)
        bare = _bare_harness()
        for harness in (bare, faq):
            await harness.feed(harness.updates(texts), len(texts))  # warm up
        timed.timings_ms.clear()
        async with _LoopWatcher() as idle:
            await asyncio.sleep(0.1)
        stalls: dict[str, float] = {}
        for _ in range(bursts):
            for harness in (bare, faq):
                updates = harness.updates(texts)
                async with _LoopWatcher() as watcher:
                    await harness.feed(updates, len(updates))
                harness.check_answered(updates)
                stalls[harness.name] = max(stalls.get(harness.name, 0.0), watcher.longest)
    return LoopResult(
        entries=len(engine.kb.entries),
        burst=len(texts),
        bursts=bursts,
        faq_stall_ms=stalls[faq.name] * 1000,
        bare_stall_ms=stalls[bare.name] * 1000,
        idle_stall_ms=idle.longest * 1000,
        longest_match_ms=max(timed.timings_ms),
        total_match_ms=sum(timed.timings_ms) / bursts,
    )
