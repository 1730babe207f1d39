"""What the fake Telegram remembers: chats with their messages, pending updates, queries, files."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bot.telegram_rules import parse_text

from .models import FakeChat, FakeUser
from .params import ApiError

CHAT_NOT_FOUND = "Bad Request: chat not found"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class StoredMessage:
    api: dict[str, Any]  # the Telegram Message object (text already parsed)
    from_bot: bool
    source: tuple[str | None, str | None] = (None, None)  # (text as sent, parse_mode)

    @property
    def message_id(self) -> int:
        return int(self.api["message_id"])


@dataclass
class ChatState:
    chat: FakeChat
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    bot_blocked: bool = False  # the user blocked the bot: sending answers 403

    def add(self, message: StoredMessage) -> StoredMessage:
        self.messages[message.message_id] = message
        return message

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class CallbackQueryState:
    query: dict[str, Any]
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes


class TelegramState:
    def __init__(self, bot: FakeUser) -> None:
        self.bot = bot
        self.chats: dict[int, ChatState] = {}
        self.pending_updates: list[dict[str, Any]] = []
        self.next_update_id = 100_000_001
        self.confirmed_update_ids: list[int] = []  # in the order the bot confirmed them
        self.allowed_updates: list[str] = []
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.inline_queries: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] = {}  # url, secret_token, allowed_updates, max_connections
        self.last_webhook_error: tuple[int, str] | None = None  # (unix time, message)
        self.bot_settings: dict[str, Any] = {}
        self.closed = False
        self.poll_generation = 0
        self.waiting_pollers = 0  # getUpdates requests being held open right now
        self.release_generation = 0  # bumped to make held getUpdates answer at once
        self._ids = itertools.count(1)
        self._update_arrived = asyncio.Event()
        # The webhook deliverer waits on its own event: clearing a shared one could swallow a
        # wake-up meant for a long poll.
        self._webhook_work = asyncio.Event()

    # --- chats and messages -------------------------------------------------------------------

    def ensure_chat(self, chat: FakeChat) -> ChatState:
        state = self.chats.get(chat.id)
        if state is None:
            state = self.chats[chat.id] = ChatState(chat)
        return state

    def chat(self, chat_id: int | str) -> ChatState:
        if isinstance(chat_id, str):
            username = chat_id.removeprefix("@").lower()
            for state in self.chats.values():
                if (state.chat.username or "").lower() == username:
                    return state
            raise ApiError(CHAT_NOT_FOUND)
        state = self.chats.get(chat_id)
        if state is None:
            raise ApiError(CHAT_NOT_FOUND)
        return state

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        state = self.chats.get(chat_id)
        return state.messages.get(message_id) if state else None

    def store_bot_message(
        self,
        chat: ChatState,
        content: dict[str, Any],
        *,
        source: tuple[str | None, str | None] = (None, None),
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        api: dict[str, Any] = {
            "message_id": chat.new_message_id(),
            "from": self.bot.to_api(),
            "chat": chat.chat.to_api(),
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            api["reply_to_message"] = copy.deepcopy(reply_to.api)
        return chat.add(StoredMessage(api=api, from_bot=True, source=source))

    # --- updates ------------------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.pending_updates.append(update)
        self._update_arrived.set()
        self._webhook_work.set()
        return update

    def confirm_updates(self, offset: int | None) -> None:
        """Forgets updates the bot confirmed; a negative offset keeps only the last -offset."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            kept = self.pending_updates[offset:]
        else:
            kept = [u for u in self.pending_updates if u["update_id"] >= offset]
        kept_ids = {u["update_id"] for u in kept}
        self.confirmed_update_ids.extend(
            u["update_id"] for u in self.pending_updates if u["update_id"] not in kept_ids
        )
        self.pending_updates = kept

    def deliverable_updates(self, limit: int) -> list[dict[str, Any]]:
        if self.allowed_updates:
            self.pending_updates = [
                u for u in self.pending_updates if _update_kind(u) in self.allowed_updates
            ]
        return copy.deepcopy(self.pending_updates[:limit])

    async def wait_for_update(self, seconds: float) -> None:
        """Returns when an update is queued (or wake_pollers is called), or after ``seconds``."""
        self._update_arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._update_arrived.wait(), seconds)

    def wake_pollers(self) -> None:
        self._update_arrived.set()
        self._webhook_work.set()

    def forget_update(self, update_id: int) -> None:
        """Drops one update, once the webhook accepted it."""
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] != update_id]

    async def wait_for_webhook_work(self) -> None:
        """Returns when an update is queued, the webhook changes or the fake stops."""
        self._webhook_work.clear()
        await self._webhook_work.wait()

    # --- ids ----------------------------------------------------------------------------------

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids):06d}"

    def store_file(self, data: bytes, kind: str, extension: str) -> StoredFile:
        number = next(self._ids)
        stored = StoredFile(
            file_id=f"AgAC{kind}{number:08d}",
            file_unique_id=f"AQAD{number:06d}",
            file_path=f"{kind}s/file_{number}.{extension}",
            data=data,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the user reads; the rules have already accepted ``text``."""
    return parse_text(text, parse_mode).strip()


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")
