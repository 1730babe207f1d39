"""A Bot API session that does the client's half of every request, without the network.

``AiohttpSession`` turns a request into form fields, posts them and parses Telegram's JSON reply
into aiogram objects. ``WireSession`` does the same serialising and parsing (Telegram answers
``sendMessage`` with the message it sent, which the bot parses back) and skips only the HTTP
round trip. Unlike ``bot.local_api.LocalSession`` it does not check the request the way Telegram
would (HTML, keyboards): that is the server's work, and timing it would charge the FAQ bot's
longer, richer answers with the cost of an emulator.

What Telegram's servers would do (make up the sent message, turn the reply into JSON) happens in
this process too, so ``server_seconds`` adds it up: the benchmark takes it off the bots' time.

Requests go through the session's request middlewares, as every aiogram session sends them
(``BaseSession.__call__``). It stands in for Telegram, limits included:
``without_telegram_limits`` raises ``bot.session.FloodControl``'s limits out of reach, so that
its bookkeeping is timed but waiting for Telegram's 30 messages a second is not.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.session import FloodControl, SendLimits

if TYPE_CHECKING:
    from aiogram import Bot

# Sending limits no benchmark reaches (a billion messages a second, in bursts as large).
UNREACHABLE_LIMITS = SendLimits(
    private_per_second=1e9,
    private_burst=10**9,
    group_per_minute=60e9,
    group_burst=10**9,
    overall_per_second=1e9,
    overall_burst=10**9,
)

_SENDS_A_MESSAGE = frozenset({"sendMessage", "editMessageText", "sendPhoto"})


@dataclass(frozen=True)
class SentRequest:
    method: str
    fields: dict[str, Any]  # as the form fields of the HTTP request would carry them


class WireSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[SentRequest] = []
        self.server_seconds = 0.0  # spent standing in for Telegram: not the bot's work
        self._message_ids = itertools.count(1)

    async def __call__(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        middleware = self.middleware.wrap_middlewares(self.make_request, timeout=timeout)
        return cast(TelegramType, await middleware(bot, method))

    def without_telegram_limits(self) -> None:
        """Swap ``FloodControl`` for one that does all its bookkeeping but never has to wait."""
        middlewares = list(self.middleware)
        for middleware in middlewares:
            self.middleware.unregister(middleware)
        for middleware in middlewares:
            if isinstance(middleware, FloodControl):
                middleware = FloodControl(UNREACHABLE_LIMITS)
            self.middleware.register(middleware)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        fields = self._form_fields(bot, method)
        self.requests.append(SentRequest(method.__api_method__, fields))
        content = self._reply(method.__api_method__, fields, bot)
        response = self.check_response(bot=bot, method=method, status_code=200, content=content)
        return response.result  # type: ignore[return-value]

    def _reply(self, method: str, fields: dict[str, Any], bot: Bot) -> str:
        """Telegram's JSON reply to a request (its own work, timed apart)."""
        started = time.perf_counter()
        content = self.json_dumps({"ok": True, "result": self._result(method, fields, bot)})
        self.server_seconds += time.perf_counter() - started
        return content

    def _form_fields(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """What ``AiohttpSession.build_form_data`` puts in the form."""
        files: dict[str, InputFile] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                fields[key] = prepared
        return fields

    def _result(self, method: str, fields: dict[str, Any], bot: Bot) -> Any:
        if method == "getMe":
            return {"id": bot.id, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        if method not in _SENDS_A_MESSAGE:
            return True
        chat_id = int(fields["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {"id": bot.id, "is_bot": True, "first_name": "Bench"},
            "text": fields.get("text", ""),
        }
        if "reply_markup" in fields:
            message["reply_markup"] = json.loads(fields["reply_markup"])
        return message

    async def close(self) -> None:
        pass

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the benchmark sends no files")
        yield b""  # pragma: no cover - makes this an async generator
