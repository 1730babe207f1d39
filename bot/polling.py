"""Long polling that confirms an update to Telegram only after it has been handled and logged.

Telegram forgets an update once a getUpdates call asks for a higher ``offset``. aiogram's own
polling asks for the next batch while the handlers of the last one still run, so a crash loses
their work. This loop instead, batch after batch:

1. fetches up to 100 updates with getUpdates(offset, timeout, allowed_updates);
2. handles them concurrently (bounded), one chat's updates in order, so replies keep their order;
3. waits until all are handled and their rows are written (``flush``);
4. only then asks for the next batch, whose ``offset`` confirms this one.

On ``stop()`` (SIGTERM, Ctrl-C) it stops fetching, gives the updates in flight a few seconds to
finish, writes the log and confirms what was handled with one last getUpdates(offset, timeout=0):
without it Telegram would deliver those updates again after a restart.

Telegram being unreachable, answering 5xx or 409 Conflict is an incident: one log line when it
starts, retries with exponential backoff and jitter, one line when it is over. 401 Unauthorized
(a wrong or revoked token) will not get better by waiting: it raises TokenRejected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aiogram import Bot
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.errors import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handle = Callable[[Update], Awaitable[object]]

MAX_BATCH = 100  # Telegram's limit for one getUpdates
DEFAULT_CONCURRENCY = 16  # chats handled at once
SHUTDOWN_GRACE = 3.0  # seconds in-flight updates get after stop(); exit must take under 5
CONFIRM_TIMEOUT = 1.0  # seconds for the last getUpdates that confirms the handled updates


class TokenRejected(ConfigError):
    """Telegram answered 401 Unauthorized: the token is wrong or was revoked (exit code 2)."""


@dataclass(frozen=True)
class Backoff:
    """Waits between retries: ``first``, doubling up to ``cap``, each spread by ±``jitter`` so
    that many bots recovering from one outage do not knock on Telegram's door all at once."""

    first: float = 0.5
    cap: float = 10.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
        base = min(self.cap, min(self.first, self.cap) * 2 ** min(attempt, 32))
        return min(self.cap, base * random.uniform(1 - self.jitter, 1 + self.jitter))


class Poller:
    """Long polling for one bot. ``await run()`` until ``stop()``; see the module's docstring."""

    def __init__(
        self,
        bot: Bot,
        handle: Handle,
        *,
        flush: Callable[[], Awaitable[object]],
        allowed_updates: Sequence[str] | None = None,
        poll_timeout: int = 30,
        backoff: Backoff = Backoff(),
        concurrency: int = DEFAULT_CONCURRENCY,
        shutdown_grace: float = SHUTDOWN_GRACE,
        on_answer: Callable[[], object] = lambda: None,
    ) -> None:
        self.bot = bot
        self.handle = handle
        self.flush = flush
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.poll_timeout = poll_timeout
        self.backoff = backoff
        self.shutdown_grace = shutdown_grace
        # Called whenever Telegram answered (start-up, each getUpdates): the health heartbeat.
        self.on_answer = on_answer
        self._slots = asyncio.Semaphore(concurrency)
        self._stopping = asyncio.Event()
        self._offset: int | None = None  # the next update wanted: confirms every earlier one
        self._confirmed: int | None = None  # the offset Telegram has last been told

    def stop(self) -> None:
        """Finish what is in flight and return from ``run()``. Safe to call from a signal."""
        if not self._stopping.is_set():
            logger.info("stopping: finishing the updates in flight")
            self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self, prepare: Callable[[], Awaitable[object]] | None = None) -> None:
        """Poll until ``stop()``. ``prepare`` runs first, retried like a poll (delete the
        webhook, set the command menu). Raises TokenRejected on 401 Unauthorized."""
        with contextlib.suppress(_Stopped):
            if prepare is not None:
                await self._retrying("start-up", prepare)
                self.on_answer()
            logger.info("polling for updates")
            while not self.stopping:
                updates = await self._retrying("getUpdates", self._fetch)
                self.on_answer()
                self._confirmed = self._offset  # that getUpdates carried the offset
                if updates:
                    await self._handle_batch(updates)
        await self._confirm_handled()

    # -- fetching

    async def _fetch(self) -> list[Update]:
        request = GetUpdates(
            offset=self._offset,
            limit=MAX_BATCH,
            timeout=self.poll_timeout,
            allowed_updates=self.allowed_updates,
        )
        return await self.bot(request, request_timeout=_request_timeout(self.poll_timeout))

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """``call()`` until it succeeds (raises _Stopped if stopped first). One line per
        incident: when it starts and when it is over."""
        failures = 0
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not self.stopping:
            try:
                result = await self._unless_stopped(call())
            except _Stopped:
                raise
            except TelegramUnauthorizedError:
                raise TokenRejected(
                    "Telegram refused BOT_TOKEN (401 Unauthorized): the token is wrong or was "
                    "revoked; get the current one from @BotFather"
                ) from None
            except Exception as error:  # any failure to reach Telegram is worth a retry
                delay = self._retry_delay(error, failures)
                if failures == 0:
                    logger.warning(
                        "%s failed: %s; retrying with backoff (at most %g s apart)",
                        what,
                        describe(error),
                        self.backoff.cap,
                    )
                else:
                    logger.debug("%s failed again: %s", what, describe(error))
                failures += 1
                await self._sleep(delay)
                continue
            if failures:
                logger.info(
                    "%s works again after %d failed %s in %.1f s",
                    what,
                    failures,
                    "attempt" if failures == 1 else "attempts",
                    loop.time() - started,
                )
            return result
        raise _Stopped

    def _retry_delay(self, error: Exception, failures: int) -> float:
        if isinstance(error, TelegramRetryAfter):  # flood control says how long to wait
            return float(error.retry_after)
        return self.backoff.delay(failures)

    async def _unless_stopped(self, work: Awaitable[T]) -> T:
        """The result of ``work``; raises _Stopped (with ``work`` cancelled) if stop() comes
        first."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        raise _Stopped

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # -- handling

    async def _handle_batch(self, updates: list[Update]) -> None:
        handled: set[int] = set()
        chats = [
            asyncio.create_task(self._handle_in_order(queue, handled))
            for queue in _by_chat(updates)
        ]
        everything = asyncio.gather(*chats)
        with contextlib.suppress(_Stopped):
            await self._unless_stopped(asyncio.shield(everything))
        if not everything.done():  # stopping: what is in flight gets a few seconds more
            await asyncio.wait({everything}, timeout=self.shutdown_grace)
        if not everything.done():
            everything.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await everything
            unfinished = len(updates) - len(handled)
            logger.warning(
                "%d updates were still being handled at shutdown; Telegram will send them again",
                unfinished,
            )
        await self.flush()  # the rows of what was handled are on disk before it is confirmed
        self._offset = _next_offset(updates, handled)

    async def _handle_in_order(self, queue: list[Update], handled: set[int]) -> None:
        async with self._slots:
            for update in queue:
                if self.stopping:  # not started: left for Telegram to send again
                    return
                try:
                    await self.handle(update)
                except Exception:  # one broken update must not stop the others
                    logger.exception("update %d could not be handled", update.update_id)
                handled.add(update.update_id)

    async def _confirm_handled(self) -> None:
        """Tell Telegram which updates were handled, so that a restart does not get them again."""
        if self._offset is None or self._offset == self._confirmed:
            return
        request = GetUpdates(offset=self._offset, limit=1, timeout=0)
        try:
            await self.bot(request, request_timeout=CONFIRM_TIMEOUT)
        except Exception as error:  # the next start skips them: they are marked handled
            logger.warning("could not confirm the handled updates to Telegram: %s", describe(error))
        else:
            self._confirmed = self._offset


class _Stopped(Exception):
    """stop() was called while waiting for Telegram."""


def _request_timeout(poll_timeout: int) -> float:
    """How long a poll may take before it counts as hung: longer than Telegram holds it."""
    return poll_timeout + min(5.0, max(1.0, float(poll_timeout)))


def _by_chat(updates: list[Update]) -> list[list[Update]]:
    """The updates grouped by chat (or user), each group in Telegram's order."""
    groups: dict[object, list[Update]] = {}
    for update in updates:
        context = UserContextMiddleware.resolve_event_context(update)
        key: object = (
            ("chat", context.chat.id)
            if context.chat
            else ("user", context.user.id)
            if context.user
            else ("update", update.update_id)
        )
        groups.setdefault(key, []).append(update)
    return list(groups.values())


def _next_offset(updates: list[Update], handled: set[int]) -> int:
    """The offset that confirms every handled update and no unhandled one."""
    unfinished = [update.update_id for update in updates if update.update_id not in handled]
    if unfinished:
        return min(unfinished)
    return max(update.update_id for update in updates) + 1


def describe(error: BaseException) -> str:
    """One line about a failed request, for the operator."""
    if isinstance(error, TelegramConflictError):
        return (
            f"409 Conflict, another bot instance polls with this token or a webhook is set "
            f"({error.message})"
        )
    if isinstance(error, TelegramServerError):
        return f"Telegram answered with a server error ({error.message})"
    if isinstance(error, TelegramRetryAfter):
        return f"flood control, Telegram asks to wait {error.retry_after} s"
    if isinstance(error, TelegramNetworkError):
        return f"cannot reach Telegram ({error.message})"
    return f"{type(error).__name__}: {error}"
