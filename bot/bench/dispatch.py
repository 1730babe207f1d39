"""Updates per second through the real dispatcher, and how long the event loop stalls.

The FAQ bot is built exactly as it serves Telegram (``bot.runner.open_app``: the real
dispatcher, database in a temporary folder, write-behind journal) and fed the way the polling loop
feeds it (``App.handle_update``, then ``journal.flush()`` after every batch of 100 updates, as
before a batch is confirmed to Telegram). Its yardstick is a bare aiogram dispatcher with one
handler that answers a fixed text. Both talk through ``WireSession``, which serialises requests
and parses replies as the real session does but skips the network, so no network time hides the
bots' own cost; what would be Telegram's work (making up its replies) is timed apart and left out.

Requests go through the session's request middlewares, as every aiogram session sends them
(``BaseSession.__call__``; the bare bot has none). The FAQ bot's are its production ones:
``KeepResponseModels``, without which pydantic rebuilds ``Response[Message]`` (some
milliseconds) whenever the garbage collector has dropped it, and ``bot.session.FloodControl``,
whose limits are raised out of reach: its bookkeeping is the bot's work, but waiting for
Telegram's 30 messages a second would time Telegram's limit instead of the bot.

Updates are parsed before the clock starts: the numbers are the dispatcher's and handlers' work.
Every message comes from a different user, as on a busy bot, so the per-user throttle never
drops one (a dropped message would be cheaper than an answered one).

Reading the two modes: the yardstick's ``F.text`` is a plain (magic) filter, which aiogram runs in
a worker thread, so the bare bot pays a thread hop per message; with many updates in flight the
hops overlap and it gets cheaper per update, while the FAQ bot's filters are all async (no hop)
and it costs the same in both modes. So the FAQ / bare ratio is lower in flight even though the
FAQ bot itself is not slower there.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import Message, Update

from bot.bench.measure import BenchError, median
from bot.bench.wire import WireSession
from bot.config import Settings
from bot.engine import FaqEngine, MatchResult
from bot.factory import LOCAL_TOKEN, bot_defaults
from bot.service import FaqService

BARE_REPLY = "Спасибо, вопрос получен."
FIRST_USER_ID = 100_000
LOOP_TICK = 0.001  # seconds the loop watcher sleeps between looks at the clock
BATCH = 100  # updates per getUpdates batch, after which the polling loop flushes the journal


@dataclass(frozen=True)
class ThroughputResult:
    mode: str  # "sequential" or "N in flight"
    updates: int  # per round
    rounds: int
    faq_per_s: float  # in the FAQ bot's best round
    bare_per_s: float
    faq_cpu_ms: float  # CPU time of this process (all threads) per update, in the best round
    bare_cpu_ms: float
    faq_match_ms: float  # mean CPU time of one engine.match in the FAQ bot, all rounds

    @property
    def ratio(self) -> float:
        return self.faq_per_s / self.bare_per_s


@dataclass(frozen=True)
class LoopResult:
    entries: int  # size of the knowledge base the burst was answered from
    burst: int  # updates fed at once
    bursts: int
    faq_stall_ms: float  # longest the loop went without running the watcher (median of bursts)
    bare_stall_ms: float
    workers: int  # the polling loop's limit on updates handled at once
    faq_workers_stall_ms: float  # the same bursts, at most ``workers`` handled at once
    idle_stall_ms: float  # the same with nothing to do: the timer's own lateness
    longest_match_ms: float  # the longest single engine.match call during the bursts
    total_match_ms: float  # all matching of one burst, which ran on the loop


async def _nothing() -> None:
    pass


@dataclass
class _Harness:
    """A bot, how updates are handed to it, and a supply of fresh text updates for it."""

    name: str
    bot: Bot
    session: WireSession
    handle: Callable[[Update], Awaitable[object]]
    flush: Callable[[], Awaitable[object]] = _nothing  # what the polling loop awaits per batch
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

    async def feed(self, updates: Sequence[Update], in_flight: int) -> tuple[float, float]:
        """Seconds and CPU seconds (this process, all threads, e.g. the database's) to handle
        ``updates``, one by one (``in_flight`` 1) or that many at once."""
        started, started_cpu = time.perf_counter(), time.process_time()
        started_server = self.session.server_seconds
        if in_flight <= 1:
            for number, update in enumerate(updates, start=1):
                await self.handle(update)
                if number % BATCH == 0:
                    await self.flush()
        else:
            for start in range(0, len(updates), in_flight):
                wave = updates[start : start + in_flight]
                await asyncio.gather(*(self.handle(update) for update in wave))
                await self.flush()
        await self.flush()
        server = self.session.server_seconds - started_server  # Telegram's work, not the bot's
        return time.perf_counter() - started - server, time.process_time() - started_cpu - server

    async def feed_through_workers(self, updates: Sequence[Update], workers: int) -> None:
        """Hand over ``updates`` as the polling loop does a batch: all at once, but no more
        than ``workers`` being handled at any moment (each update is from its own chat)."""
        slots = asyncio.Semaphore(workers)

        async def handle(update: Update) -> None:
            async with slots:
                await self.handle(update)

        await asyncio.gather(*(handle(update) for update in updates))
        await self.flush()

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
    """The same engine, remembering how long each ``match`` took (CPU time of the thread, so a
    moment the OS gave the core to another process is not counted as matching)."""

    def __init__(self, engine: FaqEngine) -> None:
        super().__init__(engine.kb, engine.thresholds, engine.index, engine.weights)
        self.timings_ms: list[float] = []

    def match(self, text: str) -> MatchResult:
        started = time.thread_time_ns()
        try:
            return super().match(text)
        finally:
            self.timings_ms.append((time.thread_time_ns() - started) / 1e6)


def _bare_bot() -> _Harness:
    """The yardstick: aiogram with one handler that answers every text with a fixed reply."""
    session = WireSession()
    bot = Bot(LOCAL_TOKEN, session=session, default=bot_defaults())
    dispatcher = _bare_dispatcher()

    async def handle(update: Update) -> object:
        return await dispatcher.feed_update(bot, update)

    return _Harness("bare aiogram bot", bot, session, handle)


@contextlib.asynccontextmanager
async def _faq_bot(
    settings: Settings, engine: FaqEngine, database: Path
) -> AsyncIterator[_Harness]:
    """The FAQ bot as ``python -m bot`` builds it, answering from ``engine``."""
    from bot.runner import open_app

    session = WireSession()
    with_database = dataclasses.replace(settings, database_path=database)
    async with open_app(with_database, session=session) as app:
        session.without_telegram_limits()
        # Handlers find the FAQ in the dispatcher's data: this one answers from ``engine``.
        app.dispatcher["service"] = FaqService(engine)
        yield _Harness("FAQ bot", app.bot, session, app.handle_update, app.journal.flush)


def _bare_dispatcher() -> Dispatcher:
    """The yardstick: aiogram with one handler that answers every text with a fixed reply."""
    router = Router(name="bare")

    @router.message(F.text)
    async def answer(message: Message) -> None:
        await message.answer(BARE_REPLY)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


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
    engine = _TimedEngine(service.engine)
    async with _faq_bot(settings, engine, workdir / "throughput.sqlite3") as faq:
        bare = _bare_bot()
        results = []
        for mode, width in (("sequential", 1), (f"{in_flight} in flight", in_flight)):
            best: dict[str, tuple[float, float]] = {}  # (seconds, CPU seconds)
            for harness in (bare, faq):
                await harness.feed(harness.updates(texts[: width * 2]), width)  # warm up
            engine.timings_ms.clear()
            for _ in range(rounds):
                for harness in (bare, faq):
                    updates = harness.updates(texts)
                    measured = await harness.feed(updates, width)
                    harness.check_answered(updates)
                    best[harness.name] = min(best.get(harness.name, measured), measured)
            results.append(
                ThroughputResult(
                    mode=mode,
                    updates=len(texts),
                    rounds=rounds,
                    faq_per_s=len(texts) / best[faq.name][0],
                    bare_per_s=len(texts) / best[bare.name][0],
                    faq_cpu_ms=best[faq.name][1] / len(texts) * 1000,
                    bare_cpu_ms=best[bare.name][1] / len(texts) * 1000,
                    faq_match_ms=sum(engine.timings_ms) / len(engine.timings_ms),
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
    warmup: Sequence[str],
    bursts: Sequence[Sequence[str]],
    *,
    workdir: Path,
) -> LoopResult:
    """The longest event-loop stall while each burst's messages arrive at once, for the FAQ
    bot on ``engine`` and for the bare bot: the median over the bursts, so that one moment
    another process took the core does not decide it. Each burst brings new messages.

    All of a burst handled at once is what aiogram's own polling does with a batch; the bot's
    polling loop (``bot.polling``) handles at most ``DEFAULT_CONCURRENCY`` at once, measured too.
    """
    from bot.polling import DEFAULT_CONCURRENCY

    timed = _TimedEngine(engine)
    async with _faq_bot(settings, timed, workdir / "event_loop.sqlite3") as faq:
        bare = _bare_bot()
        for harness in (bare, faq):
            await harness.feed(harness.updates(warmup), len(warmup))
        timed.timings_ms.clear()
        async with _LoopWatcher() as idle:
            await asyncio.sleep(0.1)
        stalls: dict[str, list[float]] = {faq.name: [], bare.name: [], "workers": []}
        for texts in bursts:
            for harness in (bare, faq):
                updates = harness.updates(texts)
                async with _LoopWatcher() as watcher:
                    await harness.feed(updates, len(updates))
                harness.check_answered(updates)
                stalls[harness.name].append(watcher.longest)
            match_calls = len(timed.timings_ms)
            updates = faq.updates(texts)
            async with _LoopWatcher() as watcher:
                await faq.feed_through_workers(updates, DEFAULT_CONCURRENCY)
            faq.check_answered(updates)
            stalls["workers"].append(watcher.longest)
            del timed.timings_ms[match_calls:]  # the same texts again: counted once
    return LoopResult(
        entries=len(engine.kb.entries),
        burst=len(bursts[0]),
        bursts=len(bursts),
        faq_stall_ms=median(stalls[faq.name]) * 1000,
        bare_stall_ms=median(stalls[bare.name]) * 1000,
        workers=DEFAULT_CONCURRENCY,
        faq_workers_stall_ms=median(stalls["workers"]) * 1000,
        idle_stall_ms=idle.longest * 1000,
        longest_match_ms=max(timed.timings_ms),
        total_match_ms=sum(timed.timings_ms) / len(bursts),
    )
