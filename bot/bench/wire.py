"""A Bot API session that does the client's half of every request, without the network.

``AiohttpSession`` turns a request into form fields, posts them and parses Telegram's JSON reply
into aiogram objects. ``WireSession`` does the same serialising and parsing (Telegram answers
``sendMessage`` with the message it sent, which the bot parses back) and skips only the HTTP
round trip. Unlike ``bot.local_api.LocalSession`` it does not check the request the way Telegram
would (HTML, keyboards): that is the server's work, and timing it would charge the FAQ bot's
longer, richer answers with the cost of an emulator.

It stands in for Telegram, limits included: session middlewares (``bot.session.FloodControl``,
which paces replies to Telegram's 30 messages a second) are skipped, or the benchmark would
measure Telegram's limit instead of the bot.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

if TYPE_CHECKING:
    from aiogram import Bot

_SENDS_A_MESSAGE = frozenset({"sendMessage", "editMessageText", "sendPhoto"})


@dataclass(frozen=True)
class SentRequest:
    method: str
    fields: dict[str, Any]  # as the form fields of the HTTP request would carry them


class WireSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[SentRequest] = []
        self._message_ids = itertools.count(1)

    async def __call__(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        return await self.make_request(bot, method, timeout)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        fields = self._form_fields(bot, method)
        self.requests.append(SentRequest(method.__api_method__, fields))
        reply = {"ok": True, "result": self._result(method.__api_method__, fields, bot)}
        response = self.check_response(
            bot=bot, method=method, status_code=200, content=self.json_dumps(reply)
        )
        return response.result  # type: ignore[return-value]

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
