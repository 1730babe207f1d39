"""The Bot API emulated in-process, for the console chat and the tests.

``LocalSession`` is an aiogram session that, instead of sending requests to Telegram, records
them and answers the way Telegram would: it keeps each chat's messages, so a sent message can
later be edited, numbers messages per chat, and refuses what Telegram refuses (over-long or
malformed HTML text, bad keyboards and button data via ``bot.telegram_rules``; edits of unknown
messages; edits that change nothing; answering a button tap twice) with Telegram's own error
descriptions, which aiogram turns into the same ``TelegramBadRequest`` a real 400 would raise.

``LocalChat`` plays the person on the other side: it sends text, stickers, button taps and
inline queries to a dispatcher as updates, the way Telegram delivers them.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    Chat,
    FSInputFile,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
    User,
)

from bot import telegram_rules

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

LOCAL_BOT_USERNAME = "faq_local_bot"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
REPLIED_MESSAGE_NOT_FOUND = "Bad Request: message to be replied not found"
CHAT_NOT_FOUND = "Bad Request: chat not found"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BOT_COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
BOT_COMMAND_DESCRIPTION_INVALID = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
IMAGE_PROCESS_FAILED = "Bad Request: IMAGE_PROCESS_FAILED"
RESULTS_TOO_MUCH = "Bad Request: RESULTS_TOO_MUCH"
RESULT_ID_INVALID = "Bad Request: RESULT_ID_INVALID"
RESULT_ID_DUPLICATE = "Bad Request: RESULT_ID_DUPLICATE"
MESSAGE_EMPTY = "Bad Request: MESSAGE_EMPTY"
MAX_INLINE_RESULTS = 50
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass
class ApiCall:
    """One Bot API request and what came of it."""

    method: str  # the Bot API name, e.g. "sendMessage"
    params: dict[str, Any]  # as Telegram receives them (defaults such as parse_mode filled in)
    result: Any = None  # what the bot got back (a Message, True, ...), None if refused
    error: str | None = None  # Telegram's description when the request was refused
    files: dict[str, bytes] = field(default_factory=dict)  # uploads, by their attach:// name


class _Refused(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


class LocalSession(BaseSession):
    def __init__(self, *, bot_username: str = LOCAL_BOT_USERNAME, first_update_id: int = 1) -> None:
        super().__init__()
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        # The command menus, by scope ("default", "chat:<id>", ...) and language code.
        self.commands: dict[tuple[str, str | None], list[dict[str, str]]] = {}
        self._bot_user: dict[str, Any] | None = None
        self._chats: dict[int, dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sources: dict[tuple[int, int], tuple[str, str | None]] = {}  # text as sent, mode
        self._open_queries: set[str] = set()
        self._last_update_id = first_update_id - 1
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, bytes]], Any]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "deleteWebhook": lambda params, files: True,
            "sendChatAction": self._send_chat_action,
            "close": lambda params, files: True,
        }

    # -- what a chat client tells the "server" -------------------------------------------------

    def add_chat(self, chat: Chat) -> None:
        self._chats[chat.id] = chat.model_dump(exclude_none=True)

    def remove_chat(self, chat_id: int) -> None:
        """Forget a chat (deleted, or the bot was removed): sending to it fails from now on."""
        self._chats.pop(chat_id, None)

    def next_message_id(self, chat_id: int) -> int:
        """Message ids grow per chat, shared by the user's and the bot's messages."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def add_incoming(self, message: dict[str, Any]) -> None:
        """Keep a user's message, so the bot can reply to it."""
        self._messages[(message["chat"]["id"], message["message_id"])] = message

    def next_update_id(self) -> int:
        """Update ids grow per bot, whoever the update comes from."""
        self._last_update_id += 1
        return self._last_update_id

    def open_callback_query(self, query_id: str) -> None:
        """Telegram accepts one answer per button tap (and per inline query)."""
        self._open_queries.add(query_id)

    def is_open(self, query_id: str) -> bool:
        return query_id in self._open_queries

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current version of a message, as Telegram would deliver it in an update."""
        return self._messages.get((chat_id, message_id))

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they are now (edited, not deleted), oldest first."""
        return [
            message
            for (chat, _), message in sorted(self._messages.items())
            if chat == chat_id and message.get("from") == self._bot_user
        ]

    # -- BaseSession -----------------------------------------------------------------------------

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        name = method.__api_method__
        files: dict[str, InputFile] = {}
        params = self._params(bot, method, files)
        call = ApiCall(name, params, files={key: _file_bytes(f) for key, f in files.items()})
        self.calls.append(call)
        if self._bot_user is None:
            self._bot_user = _bot_user(bot.id, self.bot_username)
        handler = self._methods.get(name)
        try:
            if handler is None:
                raise _Refused(f"Not Found: {name} is not emulated by bot.local_api", 404)
            content = {"ok": True, "result": handler(params, call.files)}
            status = 200
        except _Refused as refusal:
            status = refusal.status
            content = {"ok": False, "error_code": status, "description": refusal.description}
        try:
            response = self.check_response(
                bot=bot, method=method, status_code=status, content=self.json_dumps(content)
            )
        except TelegramAPIError as error:
            call.error = error.message
            raise
        call.result = response.result
        return response.result  # type: ignore[return-value]

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
        raise NotImplementedError("files are not emulated")
        yield b""  # pragma: no cover - makes this an async generator

    def _params(
        self, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile]
    ) -> dict[str, Any]:
        """The request's fields as JSON-like values, defaults (parse_mode) resolved; uploads
        become ``attach://<name>`` and land in ``files``."""
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                params[key] = prepared
        return params

    # -- the Bot API methods -------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        assert self._bot_user is not None
        return self._bot_user

    def _send_message(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        text, parse_mode = params.get("text"), params.get("parse_mode")
        _refuse_if(telegram_rules.check_text(text, parse_mode))
        _refuse_if(telegram_rules.check_reply_markup(params.get("reply_markup")))
        message = self._new_message(params)
        message["text"] = _plain(text, parse_mode)
        return self._store(message, (text or "", parse_mode))

    def _send_photo(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        caption, parse_mode = params.get("caption"), params.get("parse_mode")
        _refuse_if(telegram_rules.check_caption(caption, parse_mode))
        _refuse_if(telegram_rules.check_reply_markup(params.get("reply_markup")))
        photo = params.get("photo")
        if not isinstance(photo, str):
            raise _Refused('Bad Request: parameter "photo" is required')
        if photo.startswith("attach://"):
            _refuse_if(_check_image(files.get(photo.removeprefix("attach://"))))
            file_id = f"local-photo-{uuid.uuid4().hex}"
        else:
            file_id = photo
        message = self._new_message(params)
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": file_id[:16], "width": 640, "height": 480}
        ]
        if caption:
            message["caption"] = _plain(caption, parse_mode)
        return self._store(message, (caption or "", parse_mode))

    def _edit_message_text(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        key, message = self._message_to_edit(params)
        text, parse_mode = params.get("text"), params.get("parse_mode")
        _refuse_if(telegram_rules.check_text(text, parse_mode))
        markup = params.get("reply_markup")
        _refuse_if(telegram_rules.check_reply_markup(markup))
        if "text" not in message:
            raise _Refused(NO_TEXT_TO_EDIT)
        source = (text or "", parse_mode)
        if self._sources.get(key) == source and message.get("reply_markup") == markup:
            raise _Refused(NOT_MODIFIED)
        edited = {**message, "text": _plain(text, parse_mode), "edit_date": _now()}
        return self._store(_with_markup(edited, markup), source)

    def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        key, message = self._message_to_edit(params)
        markup = params.get("reply_markup")
        _refuse_if(telegram_rules.check_reply_markup(markup))
        if message.get("reply_markup") == markup:
            raise _Refused(NOT_MODIFIED)
        edited = _with_markup({**message, "edit_date": _now()}, markup)
        return self._store(edited, self._sources[key])

    def _delete_message(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        key = (params["chat_id"], params["message_id"])
        if self._messages.pop(key, None) is None:
            raise _Refused(MESSAGE_TO_DELETE_NOT_FOUND)
        self._sources.pop(key, None)
        return True

    def _answer_callback_query(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self._open_queries:
            raise _Refused(QUERY_TOO_OLD)
        _refuse_if(telegram_rules.check_callback_answer_text(params.get("text")))
        self._open_queries.discard(query_id)
        return True

    def _set_my_commands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not _COMMAND_RE.match(command.get("command", "")):
                raise _Refused(BOT_COMMAND_INVALID)
            if not 1 <= len(command.get("description", "").strip()) <= 256:
                raise _Refused(BOT_COMMAND_DESCRIPTION_INVALID)
        self.commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str | None]:
        """A menu's scope and language; a chat's menu needs a chat the bot knows."""
        scope = params.get("scope") or {"type": "default"}
        if scope["type"] in {"chat", "chat_administrators", "chat_member"}:
            self._chat(scope.get("chat_id"))
        parts = [scope["type"], *(str(scope[k]) for k in ("chat_id", "user_id") if k in scope)]
        return ":".join(parts), params.get("language_code")

    def _answer_inline_query(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        query_id = params["inline_query_id"]
        if query_id not in self._open_queries:
            raise _Refused(QUERY_TOO_OLD)
        results = params.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise _Refused(RESULTS_TOO_MUCH)
        ids = [result.get("id") for result in results]
        if any(not isinstance(i, str) or not 1 <= len(i.encode()) <= 64 for i in ids):
            raise _Refused(RESULT_ID_INVALID)
        if len(set(ids)) != len(ids):
            raise _Refused(RESULT_ID_DUPLICATE)
        for result in results:
            _refuse_if(_check_inline_result(result))
        self._open_queries.discard(query_id)
        return True

    def _send_chat_action(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self._chat(params["chat_id"])
        return True

    # -- keeping messages --------------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _Refused(CHAT_NOT_FOUND)
        return chat

    def _new_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        message: dict[str, Any] = {
            "message_id": self.next_message_id(chat["id"]),
            "date": _now(),
            "chat": chat,
            "from": self._bot_user,
        }
        reply = params.get("reply_parameters")
        if reply:
            replied = self._messages.get((chat["id"], reply["message_id"]))
            if replied is not None:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise _Refused(REPLIED_MESSAGE_NOT_FOUND)
        return _with_markup(message, params.get("reply_markup"))

    def _store(self, message: dict[str, Any], source: tuple[str, str | None]) -> dict[str, Any]:
        key = (message["chat"]["id"], message["message_id"])
        self._messages[key] = message
        self._sources[key] = source
        return message

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[tuple[int, int], dict[str, Any]]:
        if "inline_message_id" in params:
            raise _Refused("Bad Request: inline messages are not emulated")
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._messages.get(key)  # type: ignore[arg-type]
        if message is None or message.get("from") != self._bot_user:
            raise _Refused(MESSAGE_TO_EDIT_NOT_FOUND)
        return key, message  # type: ignore[return-value]


def _refuse_if(description: str | None) -> None:
    if description is not None:
        raise _Refused(description)


def _check_inline_result(result: dict[str, Any]) -> str | None:
    if result.get("type") == "article" and not str(result.get("title", "")).strip():
        return 'Bad Request: field "title" must be non-empty'
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        if not content["message_text"].strip():
            return MESSAGE_EMPTY
        error = telegram_rules.check_text(content["message_text"], content.get("parse_mode"))
        if error:
            return error
    return telegram_rules.check_reply_markup(result.get("reply_markup"))


def _check_image(data: bytes | None) -> str | None:
    if not data:
        return 'Bad Request: parameter "photo" is required'
    if len(data) > MAX_PHOTO_BYTES or not data.startswith(_IMAGE_SIGNATURES):
        return IMAGE_PROCESS_FAILED
    return None


def _file_bytes(file: InputFile) -> bytes:
    if isinstance(file, BufferedInputFile):
        return file.data
    if isinstance(file, FSInputFile):
        return Path(file.path).read_bytes()
    return b""


def _plain(text: str | None, parse_mode: str | None) -> str:
    """What the user sees: Telegram delivers the text with the markup parsed out."""
    if not text:
        return ""
    return telegram_rules.parse_text(text, parse_mode).strip()


def _with_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    """Telegram drops a message's keyboard when an edit does not repeat it."""
    message = {k: v for k, v in message.items() if k != "reply_markup"}
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def _now() -> int:
    return int(time.time())


def _bot_user(bot_id: int, username: str) -> dict[str, Any]:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "FAQ bot",
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
    }


# -- the other side of the chat ------------------------------------------------------------------


@dataclass
class Exchange:
    """What the bot did in response to one update."""

    calls: list[ApiCall]
    handled: bool
    callback_answered: bool | None = None  # for button taps: did the bot answer the query?

    @property
    def sent(self) -> list[Message]:
        """New messages, in order."""
        return self._messages("send")

    def sent_to(self, chat_id: int) -> list[Message]:
        """New messages in one chat (the bot may also have written to others, e.g. owners)."""
        return [message for message in self.sent if message.chat.id == chat_id]

    @property
    def edited(self) -> list[Message]:
        return self._messages("edit")

    @property
    def shown(self) -> list[Message]:
        """New and edited messages, in the order they appeared."""
        return self._messages(("send", "edit"))

    @property
    def last(self) -> Message:
        return self.shown[-1]

    @property
    def notices(self) -> list[str]:
        """Texts of answerCallbackQuery (the small pop-ups over the chat)."""
        return [
            c.params.get("text", "")
            for c in self._ok()
            if c.method == "answerCallbackQuery" and c.params.get("text")
        ]

    @property
    def inline_results(self) -> list[dict[str, Any]]:
        """The results of the answered inline query (answerInlineQuery), as Telegram got them."""
        answers = [c for c in self._ok() if c.method == "answerInlineQuery"]
        return list(answers[-1].params.get("results", [])) if answers else []

    @property
    def photos(self) -> list[ApiCall]:
        """sendPhoto requests Telegram accepted (``call.files`` holds the uploaded bytes)."""
        return [c for c in self._ok() if c.method == "sendPhoto"]

    @property
    def refused(self) -> list[ApiCall]:
        return [c for c in self.calls if c.error is not None]

    def _ok(self) -> list[ApiCall]:
        return [c for c in self.calls if c.error is None]

    def _messages(self, method_prefix: str | tuple[str, ...]) -> list[Message]:
        return [
            c.result
            for c in self._ok()
            if c.method.startswith(method_prefix) and isinstance(c.result, Message)
        ]


def buttons(message: Message) -> list[InlineKeyboardButton]:
    """The message's inline buttons, row by row."""
    markup = message.reply_markup
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [button for row in markup.inline_keyboard for button in row]


def button_texts(message: Message) -> list[str]:
    return [button.text for button in buttons(message)]


_MENTION_RE = re.compile(r"@[A-Za-z0-9_]{5,32}\b")


class LocalChat:
    """A person talking to the bot in one chat, through ``dispatcher.feed_update``."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        user: User | None = None,
        chat: Chat | None = None,
    ) -> None:
        if not isinstance(bot.session, LocalSession):
            raise TypeError("LocalChat needs a bot whose session is a LocalSession")
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: LocalSession = bot.session
        self.user = user or User(id=1001, is_bot=False, first_name="Анна", language_code="ru")
        self.chat = chat or Chat(id=self.user.id, type="private", first_name=self.user.first_name)
        self.session.add_chat(self.chat)

    async def send(self, text: str, *, reply_to: Message | None = None) -> Exchange:
        """Send a text message, with the entities a Telegram app would mark in it."""
        fields: dict[str, Any] = {"text": text}
        entities = _entities(text)
        if entities:
            fields["entities"] = entities
        return await self.send_message(reply_to=reply_to, **fields)

    async def send_message(self, *, reply_to: Message | None = None, **content: Any) -> Exchange:
        """Send a message with any content, e.g. ``sticker={...}`` as in the Bot API."""
        message: dict[str, Any] = {
            "message_id": self.session.next_message_id(self.chat.id),
            "date": _now(),
            "chat": self.chat.model_dump(exclude_none=True),
            "from": self.user.model_dump(exclude_none=True),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to.model_dump(exclude_none=True, by_alias=True)
        self.session.add_incoming(message)
        return await self._feed({"message": message})

    async def click(self, message: Message, text: str) -> Exchange:
        """Tap the button labelled ``text`` (or, if none is, the one whose label starts with it)
        under the current version of ``message``."""
        current = self.current(message)
        candidates = buttons(current)
        matching = [b for b in candidates if b.text == text] or [
            b for b in candidates if b.text.startswith(text)
        ]
        if len(matching) != 1:
            raise LookupError(f"{len(matching)} buttons match {text!r}: {button_texts(current)}")
        if matching[0].callback_data is None:
            raise LookupError(f"button {text!r} has no callback data")
        return await self.press(matching[0].callback_data, current)

    async def press(self, data: str, message: Message | InaccessibleMessage | None) -> Exchange:
        """Deliver a button tap with any ``data``, as if from a button under ``message``."""
        query_id = uuid.uuid4().hex
        self.session.open_callback_query(query_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": self.user.model_dump(exclude_none=True),
            "chat_instance": f"local-{self.chat.id}",
            "data": data,
        }
        if message is not None:
            query["message"] = message.model_dump(exclude_none=True, by_alias=True)
        exchange = await self._feed({"callback_query": query})
        exchange.callback_answered = not self.session.is_open(query_id)
        return exchange

    async def inline(self, query: str, *, chat_type: str | None = "sender") -> Exchange:
        """Type ``@bot <query>`` in a chat's message field (an inline query)."""
        query_id = uuid.uuid4().hex
        self.session.open_callback_query(query_id)
        inline_query: dict[str, Any] = {
            "id": query_id,
            "from": self.user.model_dump(exclude_none=True),
            "query": query,
            "offset": "",
        }
        if chat_type is not None:
            inline_query["chat_type"] = chat_type
        return await self._feed({"inline_query": inline_query})

    def received(self) -> list[Message]:
        """Everything the bot has written in this chat, as the person sees it now."""
        return [
            Message.model_validate(message, context={"bot": self.bot})
            for message in self.session.bot_messages(self.chat.id)
        ]

    def current(self, message: Message) -> Message:
        """The message as it is now (after any edits), as the person sees it."""
        stored = self.session.message(message.chat.id, message.message_id)
        if stored is None:
            return message
        return Message.model_validate(stored, context={"bot": self.bot})

    async def _feed(self, payload: dict[str, Any]) -> Exchange:
        first_call = len(self.session.calls)
        update = Update.model_validate(
            {"update_id": self.session.next_update_id(), **payload}, context={"bot": self.bot}
        )
        result = await self.dispatcher.feed_update(self.bot, update)
        return Exchange(self.session.calls[first_call:], handled=result is not UNHANDLED)


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram apps mark automatically: a leading /command and @mentions."""
    entities = []
    command_end = 0
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        command_end = len(command)
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command)})
    for match in _MENTION_RE.finditer(text, command_end):
        entities.append(
            {
                "type": "mention",
                "offset": _utf16(text[: match.start()]),
                "length": _utf16(match.group()),
            }
        )
    return entities


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
