"""A strict fake Telegram Bot API server on 127.0.0.1, with a user simulation for tests.

    async with FakeTelegram() as fake:
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        fake.user_sends("/start")
        call = await fake.wait_for("sendMessage")
        assert fake.last_bot_message().buttons == [...]

It speaks the real HTTP protocol (``/bot<token>/<method>``, ``/file/bot<token>/<path>``), keeps
chats, messages, updates and callback queries the way Telegram does, refuses what Telegram
refuses with Telegram's error descriptions (see bot/telegram_rules.py) and records every call.
Updates reach the bot by long polling (getUpdates) or, once the bot sets a webhook, by POSTs to
it (see webhook.py; ``route_webhook`` says where the public URL leads on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import re
import socket
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.telegram_rules import html_to_plain, utf16_length

from .faults import Fault, FaultKind
from .methods import BotApi
from .models import (
    DEFAULT_USER,
    Call,
    FakeChat,
    FakeUser,
    MessageView,
    WebhookDelivery,
    keyboard_data,
    keyboard_texts,
)
from .params import ApiError, normalize, read_params
from .state import CallbackQueryState, StoredMessage, TelegramState
from .webhook import Reply, WebhookDeliverer

# Shaped like a real token (bot id, colon, 35 characters), so nothing rejects it for its form.
DEFAULT_TOKEN = "123456:AAEfakeTokenForTestsOnlyXXXXXXXXXXX"
DEFAULT_TIMEOUT = 10.0
HANG_LIMIT = 300.0  # a hung request gives up by itself after this long
log = logging.getLogger(__name__)

MessageRef = MessageView | StoredMessage | dict[str, Any] | int


class FakeTelegram:
    """The fake server plus the test-side API: user actions, waits, views and faults."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "faq_test_bot",
        bot_name: str = "FAQ Test Bot",
        user: FakeUser = DEFAULT_USER,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot_user = FakeUser(
            id=bot_id, first_name=bot_name, username=bot_username, language_code=None, is_bot=True
        )
        self.default_user = user
        self.state = TelegramState(self.bot_user)
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self._closing = asyncio.Event()
        self._call_recorded = asyncio.Event()
        self._api = BotApi(self.state, self._closing, on_poll_waiting=self._call_recorded.set)
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._deliverer = WebhookDeliverer(
            self.state,
            self._closing,
            on_delivery=self._record_delivery,
            on_reply=self._perform_webhook_reply,
        )
        self._delivering: asyncio.Task[None] | None = None
        self._cursor = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, shutdown_timeout=1.0, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._delivering = asyncio.create_task(self._deliverer.run())

    async def stop(self) -> None:
        self._closing.set()
        self.state.wake_pollers()
        if self._delivering is not None:
            self._delivering.cancel()  # it may be waiting for a webhook that hangs
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivering
            self._delivering = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake Telegram server is not started")
        return f"http://127.0.0.1:{self._port}"

    def method_url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}/bot{token or self.token}/{method}"

    # --- HTTP ---------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._record_error(method, {}, {}, ApiError("Unauthorized", status=401))
        try:
            raw, files = await read_params(request)
            params = normalize(raw)
        except ApiError as error:
            return self._record_error(method, {}, {}, error)
        fault = self._take_fault(method)
        if fault is not None and fault.kind is FaultKind.DELAY:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.seconds)
        elif fault is not None:
            return await self._apply_fault(request, fault, method, params, files)
        return await self._perform(method, params, files)

    async def _perform(
        self, method: str, params: dict[str, Any], files: dict[str, bytes]
    ) -> web.Response:
        try:
            result = await self._api.call(method, params, files)
        except ApiError as error:
            return self._record_error(method, params, files, error)
        self._record(Call(len(self.calls), method, params, files, 200, copy.deepcopy(result)))
        return web.json_response({"ok": True, "result": result})

    async def _perform_webhook_reply(self, reply: Reply) -> None:
        """A call the bot made in its answer to a webhook delivery; the bot never sees the
        result, but the call is recorded (and refusals show in ``errors()``) as usual."""
        method, raw, files = reply
        try:
            params = normalize(raw)
        except ApiError as error:
            self._record_error(method, {}, files, error)
            return
        await self._perform(method, params, files)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(_error_body(401, "Unauthorized"), status=401)
        stored = self.state.file_by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(_error_body(404, "Not Found"), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    def _record_error(
        self, method: str, params: dict[str, Any], files: dict[str, bytes], error: ApiError
    ) -> web.Response:
        call = Call(len(self.calls), method, params, files, error.status, error=error.description)
        self._record(call)
        log.info("fake Telegram refused %s", call)
        body = _error_body(error.status, error.description, error.parameters)
        return web.json_response(body, status=error.status)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._call_recorded.set()

    # --- faults -------------------------------------------------------------------------------

    def fail(
        self,
        method: str | None = None,
        *,
        times: int | None = 1,
        status: int = 500,
        description: str = "Internal Server Error",
        body: str | None = None,
    ) -> Fault:
        """The next ``times`` calls (None: all) of ``method`` (None: any) get an HTTP error."""
        return self._add_fault(
            Fault(FaultKind.ERROR, method, times, status=status, description=description, body=body)
        )

    def flood(
        self, method: str | None = None, *, retry_after: int = 1, times: int | None = 1
    ) -> Fault:
        """429 Too Many Requests with ``parameters.retry_after``, like Telegram's flood control."""
        description = f"Too Many Requests: retry after {retry_after}"
        fault = Fault(FaultKind.FLOOD, method, times, 429, description, retry_after=retry_after)
        return self._add_fault(fault)

    def hang(self, method: str | None = None, *, times: int | None = 1) -> Fault:
        """Never answer: the client's own timeout has to save it."""
        return self._add_fault(Fault(FaultKind.HANG, method, times, status=0, description="hang"))

    def drop_connection(self, method: str | None = None, *, times: int | None = 1) -> Fault:
        """Close the TCP connection without an HTTP response."""
        return self._add_fault(Fault(FaultKind.DROP, method, times, status=0, description="drop"))

    def delay(self, method: str | None = None, *, seconds: float, times: int | None = 1) -> Fault:
        """Answer normally, but only after ``seconds``: a slow Telegram, or a request that is
        still in flight when a test does something else (``fault.hits`` says it started)."""
        fault = Fault(FaultKind.DELAY, method, times, status=200, description="delay")
        fault.seconds = seconds
        return self._add_fault(fault)

    def garble(self, method: str | None = None, *, times: int | None = 1) -> Fault:
        """Answer with a malformed HTTP status line: the client's error message then quotes
        the request URL, token included (a test that secrets stay out of the logs needs it)."""
        return self._add_fault(
            Fault(FaultKind.GARBLE, method, times, status=0, description="garble")
        )

    def end_long_polls(self) -> None:
        """Makes getUpdates requests being held open answer now, so that the bot's next poll,
        and any fault injected for it, comes without waiting out the poll's timeout."""
        self.state.release_generation += 1
        self.state.wake_pollers()

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- the webhook --------------------------------------------------------------------------

    def route_webhook(self, public_base: str, local_base: str) -> None:
        """Deliver webhook updates for URLs under ``public_base`` (the https:// address the bot
        gives setWebhook) to ``local_base`` (e.g. ``http://127.0.0.1:8443``) instead, as the
        operator's reverse proxy does. Unrouted webhook URLs are never connected to."""
        self._deliverer.route(public_base, local_base)

    @property
    def webhook(self) -> dict[str, Any]:
        """The webhook as set: url, secret_token, allowed_updates; empty when none is set."""
        return copy.deepcopy(self.state.webhook)

    def _record_delivery(self, delivery: WebhookDelivery) -> None:
        self.webhook_deliveries.append(delivery)
        if not delivery.ok:
            self.state.last_webhook_error = (int(time.time()), delivery.error or "")
            log.info("fake Telegram could not deliver update %s: %s", delivery.update_id, delivery)
        self._call_recorded.set()  # wakes wait_until

    def _add_fault(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method):
                fault.hits += 1
                return fault
        return None

    async def _apply_fault(
        self,
        request: web.Request,
        fault: Fault,
        method: str,
        params: dict[str, Any],
        files: dict[str, bytes],
    ) -> web.StreamResponse:
        call = Call(len(self.calls), method, params, files, fault.status, injected=True)
        call.error = fault.description
        self._record(call)
        if fault.kind is FaultKind.HANG:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), HANG_LIMIT)
            return _drop(request)
        if fault.kind is FaultKind.DROP:
            return _drop(request)
        if fault.kind is FaultKind.GARBLE:
            return _garble(request)
        if fault.body is not None:
            return web.Response(status=fault.status, text=fault.body, content_type="text/html")
        parameters = {"retry_after": fault.retry_after} if fault.kind is FaultKind.FLOOD else None
        body = _error_body(fault.status, fault.description, parameters)
        return web.json_response(body, status=fault.status)

    # --- a user's actions ---------------------------------------------------------------------

    def user_sends(
        self,
        text: str | None = None,
        *,
        user: FakeUser | None = None,
        chat: FakeChat | None = None,
        sticker: str | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
        entities: Sequence[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queues a ``message`` update as if ``user`` wrote in ``chat`` (their private chat by
        default). ``sticker`` is the sticker's emoji; ``photo`` the image bytes; ``extra`` merges
        any other Message fields (voice, location, ...). Commands and @mentions get entities
        automatically, as Telegram adds them. Returns the Message object."""
        user = user or self.default_user
        chat_state = self.state.ensure_chat(chat or FakeChat.private(user))
        message: dict[str, Any] = {
            "message_id": chat_state.new_message_id(),
            "from": user.to_api(),
            "chat": chat_state.chat.to_api(),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            found = list(entities) if entities is not None else _detect_entities(text)
            if found:
                message["entities"] = found
        if sticker is not None:
            message["sticker"] = self._sticker(sticker)
        if photo is not None:
            message["photo"] = self._photo_sizes(photo)
        if caption is not None:
            message["caption"] = caption
        if reply_to is not None:
            message["reply_to_message"] = copy.deepcopy(
                self._stored(reply_to, chat_state.chat.id).api
            )
        message.update(extra or {})
        chat_state.add(StoredMessage(api=message, from_bot=False))
        self._push("message", message)
        return copy.deepcopy(message)

    def user_edits(self, message: MessageRef, new_text: str) -> dict[str, Any]:
        """Queues an ``edited_message`` update for a message the user sent earlier."""
        stored = self._stored(message)
        if stored.from_bot:
            raise ValueError("a user can only edit their own messages")
        stored.api["text"] = new_text
        stored.api["edit_date"] = int(time.time())
        self._push("edited_message", stored.api)
        return copy.deepcopy(stored.api)

    def user_clicks(
        self,
        message: MessageRef | None = None,
        button: str | None = None,
        *,
        data: str | None = None,
        user: FakeUser | None = None,
    ) -> str:
        """Queues a ``callback_query`` for a button of a bot message (the last one by default).

        ``button`` is the button's text or its callback_data; ``data`` sends any data at all
        (a forged or stale button). Returns the callback query id."""
        user = user or self.default_user
        stored = self._stored(message) if message is not None else self._last_bot_stored(user)
        if data is None:
            data = self._button_data(stored, button)
        query_id = self.state.new_id(prefix=f"{user.id}")
        query = {
            "id": query_id,
            "from": user.to_api(),
            "message": copy.deepcopy(stored.api),
            "chat_instance": f"-{abs(stored.api['chat']['id']) * 7919}",
            "data": data,
        }
        self.state.callback_queries[query_id] = CallbackQueryState(query)
        self._push("callback_query", query)
        return query_id

    def user_inline_query(self, query: str, *, user: FakeUser | None = None) -> str:
        """Queues an ``inline_query`` (``@bot query`` typed in any chat). Returns its id."""
        user = user or self.default_user
        query_id = self.state.new_id(prefix="iq")
        payload = {"id": query_id, "from": user.to_api(), "query": query, "offset": ""}
        payload["chat_type"] = "sender"
        self.state.inline_queries[query_id] = payload
        self._push("inline_query", payload)
        return query_id

    def block_bot(self, user: FakeUser | None = None) -> None:
        """The user blocks the bot: messages to their private chat answer 403."""
        user = user or self.default_user
        self.state.ensure_chat(FakeChat.private(user)).bot_blocked = True

    def _push(self, kind: str, payload: dict[str, Any]) -> None:
        self._cursor = len(self.calls)
        self.state.push_update(kind, copy.deepcopy(payload))

    def _sticker(self, emoji: str) -> dict[str, Any]:
        stored = self.state.store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "sticker", "webp")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "TestStickers",
        }

    def _photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        sizes = []
        for width, height in ((90, 67), (320, 240)):
            stored = self.state.store_file(data, "photo", "jpg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(data),
                }
            )
        return sizes

    # --- waiting for the bot ------------------------------------------------------------------

    def mark(self) -> int:
        """Starts a new waiting window: wait_for then ignores calls made before now."""
        self._cursor = len(self.calls)
        return self._cursor

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a plain bound on the wait
        *,
        since: int | None = None,
    ) -> Call:
        """The first call of ``method`` (matching ``predicate``) made since the last user action
        (or ``since``), waiting up to ``timeout`` seconds; fails with the calls seen so far."""
        calls = await self.wait_for_calls(method, 1, predicate, timeout, since=since)
        return calls[0]

    async def wait_for_calls(
        self,
        method: str,
        count: int,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a plain bound on the wait
        *,
        since: int | None = None,
    ) -> list[Call]:
        start = self._cursor if since is None else since
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [
                call
                for call in self.calls[start:]
                if call.method.lower() == method.lower() and (predicate is None or predicate(call))
            ]
            if len(found) >= count:
                return found[:count]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._describe_wait_failure(method, count, len(found), start))
            self._call_recorded.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_recorded.wait(), remaining)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a plain bound on the wait
        description: str = "condition",
    ) -> None:
        """Waits until ``condition()`` holds, re-checking after every call the fake answers."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {description}; {self._recent_calls()}")
            self._call_recorded.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_recorded.wait(), min(remaining, 0.2))

    @property
    def is_polling(self) -> bool:
        """True while the bot holds a getUpdates long poll open, i.e. it is ready for updates."""
        return self.state.waiting_pollers > 0

    async def wait_for_polling(
        self,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a plain bound on the wait
    ) -> None:
        """Waits until the bot is long polling (it has started and waits for updates)."""
        await self.wait_until(lambda: self.is_polling, timeout, "the bot to long-poll getUpdates")

    def _describe_wait_failure(self, method: str, count: int, found: int, start: int) -> str:
        return (
            f"expected {count} {method} call(s) since call #{start}, got {found}; "
            f"{self._recent_calls(start)}"
        )

    def _recent_calls(self, start: int | None = None) -> str:
        calls = [c for c in self.calls[start or 0 :] if c.method.lower() != "getupdates"]
        shown = "\n  ".join(str(c) for c in calls[-15:]) or "(none besides getUpdates)"
        return f"calls:\n  {shown}"

    # --- assertions helpers -------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def errors(self) -> list[Call]:
        """Calls Telegram would have refused (injected faults excluded)."""
        return [call for call in self.calls if not call.ok and not call.injected]

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """answerCallbackQuery's parameters for that query, or None if not answered yet."""
        query = self.state.callback_queries.get(query_id)
        return query.answer if query else None

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.state.pending_updates)

    @property
    def confirmed_update_ids(self) -> list[int]:
        """Ids of the updates the bot confirmed (a getUpdates with a higher offset), in order."""
        return list(self.state.confirmed_update_ids)

    def commands(self, scope: str = "default", language_code: str = "") -> list[dict[str, str]]:
        return copy.deepcopy(self.state.commands.get((scope, language_code), []))

    def file_bytes(self, file_id: str) -> bytes:
        return self.state.files[file_id].data

    # --- what the user sees -------------------------------------------------------------------

    def chat_messages(self, chat: FakeChat | int | None = None) -> list[MessageView]:
        """Every message of the chat as it looks now (edits applied, deletions gone)."""
        state = self.state.chats.get(self._chat_id(chat))
        if state is None:
            return []
        return [_view(message) for message in state.messages.values()]

    def bot_messages(self, chat: FakeChat | int | None = None) -> list[MessageView]:
        return [view for view in self.chat_messages(chat) if view.from_bot]

    def last_bot_message(self, chat: FakeChat | int | None = None) -> MessageView:
        messages = self.bot_messages(chat)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to chat {self._chat_id(chat)}")
        return messages[-1]

    def message(self, message_id: int, chat: FakeChat | int | None = None) -> MessageView:
        stored = self.state.message(self._chat_id(chat), message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {self._chat_id(chat)}")
        return _view(stored)

    def _chat_id(self, chat: FakeChat | int | None) -> int:
        if chat is None:
            return self.default_user.id
        return chat if isinstance(chat, int) else chat.id

    def _stored(self, ref: MessageRef, chat_id: int | None = None) -> StoredMessage:
        if isinstance(ref, StoredMessage):
            return ref
        if isinstance(ref, MessageView):
            chat_id, message_id = ref.chat_id, ref.message_id
        elif isinstance(ref, dict):
            chat_id, message_id = ref["chat"]["id"], ref["message_id"]
        else:
            message_id = ref
        stored = self.state.message(self._chat_id(chat_id), message_id)
        if stored is None:
            raise KeyError(f"no message {message_id} in chat {self._chat_id(chat_id)}")
        return stored

    def _last_bot_stored(self, user: FakeUser) -> StoredMessage:
        state = self.state.chats.get(user.id)
        bot_messages = [m for m in state.messages.values() if m.from_bot] if state else []
        if not bot_messages:
            raise AssertionError(f"the bot has sent nothing to {user.first_name} to click on")
        return bot_messages[-1]

    @staticmethod
    def _button_data(stored: StoredMessage, button: str | None) -> str:
        rows = stored.api.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row]
        if button is None:
            raise ValueError("say which button to click (its text or callback_data) or pass data=")
        for candidate in buttons:
            if button in (candidate.get("text"), candidate.get("callback_data")):
                if "callback_data" not in candidate:
                    raise ValueError(f"button {button!r} is not a callback button")
                return str(candidate["callback_data"])
        texts = [b.get("text") for b in buttons]
        raise AssertionError(f"no button {button!r} on message {stored.message_id}; it has {texts}")


def _view(message: StoredMessage) -> MessageView:
    api = message.api
    markup = api.get("reply_markup")
    return MessageView(
        chat_id=api["chat"]["id"],
        message_id=api["message_id"],
        from_bot=message.from_bot,
        text=str(api.get("text", api.get("caption", ""))),
        keyboard=keyboard_texts(markup),
        callback_data=keyboard_data(markup),
        raw=copy.deepcopy(api),
    )


_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{3,32}")),
)


def _detect_entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, the ones Telegram adds to what a user types."""
    found = []
    for kind, pattern in _AUTO_ENTITIES:
        for match in pattern.finditer(text):
            offset = utf16_length(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_length(match.group())})
    return sorted(found, key=lambda entity: entity["offset"])


def _error_body(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _drop(request: web.Request) -> web.StreamResponse:
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


def _garble(request: web.Request) -> web.StreamResponse:
    if request.transport is not None:
        request.transport.write(b"HTTP/1.1 2x0 Garbled\r\nContent-Length: 0\r\n\r\n")
        request.transport.close()
    return web.Response(status=500)


def render(text: str | None) -> str:
    """Visible text of an HTML string (what a user would read), for assertions."""
    return html_to_plain(text or "").strip()
