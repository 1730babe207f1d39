"""Staying within Telegram's sending limits, so that a busy moment slows replies down instead of
losing them.

Telegram allows a bot about one message per second in a private chat (short bursts are fine),
twenty per minute in a group and about thirty per second overall; beyond that it answers
``429 Too Many Requests`` with ``retry_after`` seconds to wait. ``FloodControl`` is a session
middleware (it sees every Bot API request the bot makes) that

* paces requests that send or edit messages with token buckets per chat and one for the whole
  bot, so the bot rarely hits the limits at all, and
* when Telegram still answers 429, waits as told and sends the same request again, a few times
  at most, so the reply is delivered late rather than dropped. A wait longer than
  ``max_retry_wait`` is not worth holding a reply for: the error is passed on instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]

# Requests that put a message in a chat or change one; the limits are about these.
MESSAGE_METHOD_PREFIXES = ("send", "edit", "copy", "forward")
NOT_MESSAGES = frozenset({"sendChatAction"})
# The polling loop retries getUpdates with its own back-off.
NOT_RETRIED = frozenset({"getUpdates"})
ROUNDING = 1e-9  # seconds; a "wait" this small is an artefact of float arithmetic
# Buckets that are full again are forgotten; the table is swept when it grows past this.
SWEEP_THRESHOLD = 1_000


@dataclass(frozen=True)
class SendLimits:
    """Rates are sustained rates; a burst of that many requests may go out at once."""

    private_per_second: float = 1.0
    private_burst: int = 3  # an answer in a few parts goes out without a pause
    group_per_minute: float = 20.0
    group_burst: int = 3
    overall_per_second: float = 30.0
    overall_burst: int = 30
    max_retries: int = 3  # how many times one request is repeated after a 429
    max_retry_wait: float = 60.0  # longer waits are not waited out


class TokenBucket:
    """Schedules events at a sustained ``rate`` per second with bursts of ``burst``.

    It hands out send times rather than refusing: ``reserve`` says how long the caller must
    wait for its turn. Turns are taken in the order ``reserve`` is called, and since
    ``reserve`` does not await, concurrent callers cannot take the same turn. (This is the
    "generic cell rate algorithm": ``_full_at`` is when the bucket would be full again.)
    """

    def __init__(self, rate: float, burst: int, now: float) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.interval = 1.0 / rate
        self.burst = burst
        self._full_at = now

    def reserve(self, now: float) -> float:
        """Take the next turn; the seconds to wait for it (0: go now)."""
        self._full_at = max(self._full_at, now) + self.interval
        wait = self._full_at - self.burst * self.interval - now
        return wait if wait > ROUNDING else 0.0

    def pause(self, now: float, seconds: float) -> None:
        """No turn before ``now + seconds``, and no burst right after (Telegram said stop)."""
        self._full_at = max(self._full_at, now + seconds + (self.burst - 1) * self.interval)

    def is_full(self, now: float) -> bool:
        """True when the bucket is as good as new, so it can be forgotten."""
        return self._full_at <= now


class FloodControl(BaseRequestMiddleware):
    """Paces message requests and repeats requests Telegram refused with 429 (see module)."""

    def __init__(
        self,
        limits: SendLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or SendLimits()
        self._clock = clock
        self._sleep = sleep
        self._overall = TokenBucket(
            self.limits.overall_per_second, self.limits.overall_burst, clock()
        )
        self._chats: dict[Hashable, TokenBucket] = {}
        self._sweep_at = SWEEP_THRESHOLD

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        paced = _is_message_method(name)
        chat = _chat_of(method) if paced else None
        repeats = 0
        while True:
            if paced:
                await self._wait_for_turn(chat)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                wait = error.retry_after
                if not self._worth_repeating(name, wait, repeats):
                    raise
            repeats += 1
            logger.warning("%s: flood control, repeating in %s s (%d)", name, wait, repeats)
            if chat is not None:  # others writing to this chat wait as well
                self._bucket(chat).pause(self._clock(), wait)
            await self._sleep(wait)

    def _worth_repeating(self, name: str, wait: float, repeats: int) -> bool:
        if name in NOT_RETRIED or repeats >= self.limits.max_retries:
            return False
        if wait > self.limits.max_retry_wait:
            logger.warning("%s: Telegram asks to wait %s s, too long to hold a reply", name, wait)
            return False
        return True

    async def _wait_for_turn(self, chat: Hashable | None) -> None:
        # The chat's turn first, then the bot's: waiting for the chat must not waste a turn of
        # the shared bucket that another chat could use.
        if chat is not None:
            await self._pause(self._bucket(chat).reserve(self._clock()))
        await self._pause(self._overall.reserve(self._clock()))

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)

    def _bucket(self, chat: Hashable) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            self._forget_full_buckets()
            bucket = self._chats[chat] = self._new_bucket(chat)
        return bucket

    def _new_bucket(self, chat: Hashable) -> TokenBucket:
        limits, now = self.limits, self._clock()
        if isinstance(chat, int) and chat > 0:  # a private chat has the user's (positive) id
            return TokenBucket(limits.private_per_second, limits.private_burst, now)
        return TokenBucket(limits.group_per_minute / 60.0, limits.group_burst, now)

    def _forget_full_buckets(self) -> None:
        if len(self._chats) < self._sweep_at:
            return
        now = self._clock()
        self._chats = {chat: b for chat, b in self._chats.items() if not b.is_full(now)}
        self._sweep_at = max(SWEEP_THRESHOLD, 2 * len(self._chats))

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)


def _is_message_method(name: str) -> bool:
    return name.startswith(MESSAGE_METHOD_PREFIXES) and name not in NOT_MESSAGES


def _chat_of(method: TelegramMethod[Any]) -> Hashable | None:
    """The chat a request writes to: an id, an ``@channel`` name, or None (inline messages)."""
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int | str) else None
