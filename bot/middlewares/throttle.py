"""Per-user flood protection: one person sending a stream of messages cannot slow the bot down
for everybody else.

Each sender may have at most ``rate`` questions (and, separately, ``rate`` button taps) handled
per ``window`` seconds, counted over a sliding window. Extra messages are dropped before any
work is done on them; the sender is told once per window to slow down (a notice for every
dropped message would itself be a flood). Extra button taps still get an answer with that
notice, because Telegram keeps a button spinning until its tap is answered. The bot's owners
(``ADMIN_IDS``) are never throttled.

Only messages the bot would answer count: in groups, the group's own conversation passes
through untouched (the handlers ignore it anyway) and never earns anyone a notice.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.config import Settings
from bot.texts import Texts, texts_for
from handlers.delivery import reply
from handlers.filters import AddressedToBot

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Senders are forgotten once idle for a window; this caps memory even if a huge number of
# different people write within one window (the least recently active are forgotten first).
MAX_TRACKED_SENDERS = 100_000


class Verdict(Enum):
    PASS = "pass"  # handle it
    NOTIFY = "notify"  # drop it, and tell the sender to slow down
    DROP = "drop"  # drop it quietly: the sender was already told in this window


@dataclass(slots=True)
class _Sender:
    accepted: deque[float]  # times of the most recent accepted events, at most ``rate``
    last_seen: float
    quiet_until: float = -math.inf  # no further notice before this time


@dataclass
class RateLimiter:
    """A sliding-window limit per key: at most ``rate`` accepted events in any ``window``
    seconds. Plain Python, no aiogram, so it can be checked with a fake clock."""

    rate: int
    window: float
    clock: Clock = time.monotonic
    max_keys: int = MAX_TRACKED_SENDERS
    _senders: OrderedDict[Hashable, _Sender] = field(
        default_factory=OrderedDict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.rate < 1 or self.window <= 0 or self.max_keys < 1:
            raise ValueError("a rate limiter needs rate >= 1, window > 0 and max_keys >= 1")

    def check(self, key: Hashable) -> Verdict:
        """Count one event of ``key`` now and say what to do with it."""
        now = self.clock()
        sender = self._senders.get(key)
        if sender is None:
            sender = self._senders[key] = _Sender(deque(maxlen=self.rate), now)
        self._senders.move_to_end(key)  # least recently seen first, for eviction
        sender.last_seen = now
        self._forget_idle(now)
        accepted = sender.accepted
        if len(accepted) < self.rate or now - accepted[0] >= self.window:
            accepted.append(now)  # the deque's maxlen drops the oldest
            return Verdict.PASS
        if now >= sender.quiet_until:
            sender.quiet_until = now + self.window
            return Verdict.NOTIFY
        return Verdict.DROP

    def __len__(self) -> int:
        """How many senders are remembered right now."""
        return len(self._senders)

    def _forget_idle(self, now: float) -> None:
        # A sender idle for a whole window has nothing left to remember: all their accepted
        # events and their last notice are older than the window, as for a newcomer.
        senders = self._senders
        while senders:
            oldest = next(iter(senders.values()))
            if now - oldest.last_seen < self.window and len(senders) <= self.max_keys:
                break
            senders.popitem(last=False)


class _Throttle(BaseMiddleware):
    def __init__(self, limiter: RateLimiter, exempt: frozenset[int]) -> None:
        self.limiter = limiter
        self.exempt = exempt


class MessageThrottle(_Throttle):
    """Outer middleware for messages: drops a sender's messages beyond the limit."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or not await self._counts(event, data):
            return await handler(event, data)
        sender = _sender_of(event)
        verdict = self.limiter.check(sender)
        if verdict is Verdict.PASS:
            return await handler(event, data)
        if verdict is Verdict.NOTIFY:
            logger.info("%s writes too fast; dropping their messages for a while", sender)
            await _notify(event, _texts(data, event))
        return None

    async def _counts(self, message: Message, data: dict[str, Any]) -> bool:
        if message.from_user is not None and message.from_user.id in self.exempt:
            return False
        if message.chat.type == ChatType.PRIVATE:
            return True
        # In a group: only what the bot would answer (commands, mentions, replies to it).
        text = message.text or message.caption or ""
        bot: Bot | None = data.get("bot")
        if text.startswith("/") or bot is None:
            return True
        return bool(await AddressedToBot()(message, bot))


class CallbackThrottle(_Throttle):
    """Outer middleware for button taps: taps beyond the limit get only a short notice."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery) or event.from_user.id in self.exempt:
            return await handler(event, data)
        if self.limiter.check(event.from_user.id) is Verdict.PASS:
            return await handler(event, data)
        try:
            await event.answer(_texts(data, event).slow_down)
        except TelegramAPIError as error:
            logger.warning("could not answer a throttled button tap: %s", error)
        return None


def install_throttle(
    dispatcher: Dispatcher, settings: Settings, clock: Clock = time.monotonic
) -> None:
    """Throttle messages and button taps as ``settings`` say (a rate of 0 turns it off)."""
    if settings.throttle_rate <= 0:
        return
    exempt = settings.admin_ids
    for observer, middleware in (
        (dispatcher.message, MessageThrottle),
        (dispatcher.callback_query, CallbackThrottle),
    ):
        limiter = RateLimiter(settings.throttle_rate, settings.throttle_window, clock)
        observer.outer_middleware(middleware(limiter, exempt))


def _sender_of(message: Message) -> int:
    """Who is writing. A message sent on behalf of a channel or an anonymous group admin has a
    placeholder ``from``, shared by everyone doing so; the chat it is sent as tells them apart."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    if message.from_user is not None:
        return message.from_user.id
    return message.chat.id


def _texts(data: dict[str, Any], event: Message | CallbackQuery) -> Texts:
    texts = data.get("texts")
    if isinstance(texts, Texts):
        return texts
    user = event.from_user
    return texts_for(user.language_code if user else None)


async def _notify(message: Message, texts: Texts) -> None:
    try:
        await reply(message, texts.slow_down)
    except TelegramAPIError as error:
        # The notice is a courtesy; failing to send it must not turn into an error.
        logger.warning("could not ask chat %s to slow down: %s", message.chat.id, error)
