"""The Bot API methods the fake implements, each checked the way Telegram checks it."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot import telegram_rules as rules

from .params import ApiError
from .state import QUERY_TOO_OLD, ChatState, StoredMessage, TelegramState, visible_text

Handler = Callable[["BotApi", dict[str, Any], dict[str, bytes]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}  # lower-case API name -> implementation

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
BOT_BLOCKED = "Forbidden: bot was blocked by the user"
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_POLL_LIMIT = 100
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
DEFAULT_MAX_CONNECTIONS = 40
MAX_CONNECTIONS = 100


def api_method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


class BotApi:
    """Method implementations over one TelegramState. Long polls wait on ``closing``."""

    def __init__(
        self,
        state: TelegramState,
        closing: asyncio.Event,
        on_poll_waiting: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self.closing = closing
        self.on_poll_waiting = on_poll_waiting  # tells waiting tests that a long poll is open

    async def call(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        handler = METHODS.get(method.lower())
        if handler is None:
            raise ApiError("Not Found", status=404)
        return await handler(self, params, files)


def _require(params: dict[str, Any], name: str, description: str | None = None) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(description or f"Bad Request: {name} is empty")
    return value


def _check(error: str | None) -> None:
    if error is not None:
        raise ApiError(error)


def _target_chat(api: BotApi, params: dict[str, Any]) -> ChatState:
    chat = api.state.chat(_require(params, "chat_id"))
    if chat.bot_blocked:
        raise ApiError(BOT_BLOCKED, status=403)
    return chat


def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The markup stored on the message: Telegram keeps only inline keyboards there."""
    markup = params.get("reply_markup")
    _check(rules.check_reply_markup(markup))
    if isinstance(markup, dict) and markup.get("inline_keyboard"):
        return copy.deepcopy(markup)
    return None


def _reply_target(chat: ChatState, params: dict[str, Any]) -> StoredMessage | None:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    allow_missing = reply.get(
        "allow_sending_without_reply", params.get("allow_sending_without_reply")
    )
    if target is None and not allow_missing:
        raise ApiError("Bad Request: message to be replied not found")
    return target


def _with_markup(content: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    if markup is not None:
        content["reply_markup"] = markup
    return content


# --- bot and updates --------------------------------------------------------------------------


@api_method("getMe")
async def get_me(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return {
        **api.state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": True,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("getUpdates")
async def get_updates(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    state = api.state
    if state.webhook.get("url"):
        raise ApiError(
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
            status=409,
        )
    limit = min(max(int(params.get("limit") or MAX_POLL_LIMIT), 1), MAX_POLL_LIMIT)
    timeout = max(int(params.get("timeout") or 0), 0)
    if params.get("allowed_updates") is not None:
        state.allowed_updates = list(params["allowed_updates"])
    state.confirm_updates(params.get("offset"))
    # A newer getUpdates ends an older one still waiting, like two bot instances on one token.
    state.poll_generation += 1
    generation = state.poll_generation
    released_at = state.release_generation
    state.wake_pollers()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        updates = state.deliverable_updates(limit)
        if updates or api.closing.is_set():
            return updates
        remaining = deadline - loop.time()
        if remaining <= 0:
            return []
        state.waiting_pollers += 1
        api.on_poll_waiting()
        try:
            await state.wait_for_update(remaining)
        finally:
            state.waiting_pollers -= 1
        if generation != state.poll_generation:
            raise ApiError(
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
                status=409,
            )
        if released_at != state.release_generation:
            return state.deliverable_updates(limit)


@api_method("setWebhook")
async def set_webhook(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    url = str(params.get("url") or "")
    _check(_webhook_url_problem(url) if url else None)
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise ApiError("Bad Request: secret token contains unallowed characters")
    max_connections = int(params.get("max_connections") or DEFAULT_MAX_CONNECTIONS)
    if not 1 <= max_connections <= MAX_CONNECTIONS:
        raise ApiError("Bad Request: bad webhook: invalid max_connections")
    if params.get("drop_pending_updates"):
        api.state.pending_updates.clear()
    if params.get("allowed_updates") is not None:
        api.state.allowed_updates = list(params["allowed_updates"])
    if url:
        api.state.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": list(api.state.allowed_updates),
            "max_connections": max_connections,
        }
    else:
        api.state.webhook = {}
    api.state.last_webhook_error = None
    api.state.wake_pollers()
    return True


def _webhook_url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    if parts.scheme.lower() != "https":
        return "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    if not parts.hostname:
        return "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
    if port is not None and port not in WEBHOOK_PORTS:
        return "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    return None


@api_method("deleteWebhook")
async def delete_webhook(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    if params.get("drop_pending_updates"):
        api.state.pending_updates.clear()
    api.state.webhook = {}
    api.state.last_webhook_error = None
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    webhook = api.state.webhook
    info: dict[str, Any] = {
        "url": webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(api.state.pending_updates),
    }
    if webhook:
        info["max_connections"] = webhook["max_connections"]
        if webhook["allowed_updates"]:
            info["allowed_updates"] = list(webhook["allowed_updates"])
    if api.state.last_webhook_error is not None:
        info["last_error_date"], info["last_error_message"] = api.state.last_webhook_error
    return info


@api_method("close")
async def close(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    api.state.closed = True
    return True


@api_method("logOut")
async def log_out(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    api.state.closed = True
    return True


# --- commands and bot profile -----------------------------------------------------------------


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise ApiError("Bad Request: can't parse BotCommandScope JSON object")
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise ApiError("Bad Request: invalid language code specified")
    key_parts = [str(scope["type"])]
    key_parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(key_parts), language


@api_method("setMyCommands")
async def set_my_commands(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise ApiError('Bad Request: parameter "commands" is required')
    if len(commands) > MAX_POLL_LIMIT:
        raise ApiError("Bad Request: too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise ApiError("Bad Request: can't parse BotCommand JSON object")
        if not COMMAND_NAME.fullmatch(str(command.get("command", ""))):
            raise ApiError("Bad Request: BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not description.strip() or len(description) > 256:
            raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    api.state.commands[_commands_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@api_method("getMyCommands")
async def get_my_commands(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return copy.deepcopy(api.state.commands.get(_commands_key(params), []))


@api_method("deleteMyCommands")
async def delete_my_commands(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    api.state.commands.pop(_commands_key(params), None)
    return True


def _profile_setter(name: str, field: str, limit: int) -> None:
    async def setter(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        value = str(params.get(field) or "")
        if len(value) > limit:
            raise ApiError(f"Bad Request: {field.replace('_', ' ')} is too long")
        api.state.bot_settings[(field, str(params.get("language_code") or ""))] = value
        return True

    async def getter(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        key = (field, str(params.get("language_code") or ""))
        return {field: api.state.bot_settings.get(key, "")}

    api_method(f"setMy{name}")(setter)
    api_method(f"getMy{name}")(getter)


_profile_setter("Description", "description", 512)
_profile_setter("ShortDescription", "short_description", 120)
_profile_setter("Name", "name", 64)


@api_method("setChatMenuButton")
async def set_chat_menu_button(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    api.state.bot_settings["menu_button"] = params.get("menu_button") or {"type": "default"}
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    return api.state.bot_settings.get("menu_button", {"type": "commands"})


# --- messages ---------------------------------------------------------------------------------


@api_method("sendMessage")
async def send_message(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    chat = _target_chat(api, params)
    text = params.get("text")
    parse_mode = params.get("parse_mode")
    _check(rules.check_text(text, parse_mode))
    markup = _inline_markup(params)
    reply_to = _reply_target(chat, params)
    content = _with_markup({"text": visible_text(text, parse_mode)}, markup)
    message = api.state.store_bot_message(
        chat, content, source=(text, parse_mode), reply_to=reply_to
    )
    return copy.deepcopy(message.api)


@api_method("sendPhoto")
async def send_photo(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    chat = _target_chat(api, params)
    caption = params.get("caption")
    parse_mode = params.get("parse_mode")
    _check(rules.check_caption(caption, parse_mode))
    markup = _inline_markup(params)
    reply_to = _reply_target(chat, params)
    stored = _photo_file(api.state, params, files)
    sizes = [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 320,
            "height": 240,
            "file_size": len(stored.data),
        }
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption:
        content["caption"] = visible_text(caption, parse_mode)
    message = api.state.store_bot_message(
        chat, _with_markup(content, markup), source=(caption, parse_mode), reply_to=reply_to
    )
    return copy.deepcopy(message.api)


def _photo_file(state: TelegramState, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    photo = params.get("photo")
    if isinstance(photo, str) and photo.startswith("attach://"):
        photo = None
        data = files.get(str(params["photo"]).removeprefix("attach://"))
    else:
        data = files.get("photo")
    if data is not None:
        if not data:
            raise ApiError("Bad Request: file must be non-empty")
        return state.store_file(data, "photo", "jpg")
    if isinstance(photo, str) and photo in state.files:
        return state.files[photo]
    if isinstance(photo, str) and photo.lower().startswith(("http://", "https://")):
        # The fake never fetches URLs: it stores the address as the file's content.
        return state.store_file(photo.encode(), "photo", "jpg")
    if not photo:
        raise ApiError("Bad Request: there is no photo in the request")
    raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")


def _editable_message(api: BotApi, params: dict[str, Any]) -> StoredMessage:
    if params.get("inline_message_id"):
        raise ApiError("Bad Request: MESSAGE_ID_INVALID")
    chat = api.state.chat(_require(params, "chat_id"))
    message_id = params.get("message_id")
    if message_id is None:
        raise ApiError("Bad Request: message identifier is not specified")
    message = chat.messages.get(int(message_id))
    if message is None:
        raise ApiError(MESSAGE_TO_EDIT_NOT_FOUND)
    if not message.from_bot:
        raise ApiError("Bad Request: message can't be edited")
    return message


@api_method("editMessageText")
async def edit_message_text(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    text = params.get("text")
    parse_mode = params.get("parse_mode")
    _check(rules.check_text(text, parse_mode))
    markup = _inline_markup(params)
    message = _editable_message(api, params)
    if "text" not in message.api:
        raise ApiError("Bad Request: there is no text in the message to edit")
    new_text = visible_text(text, parse_mode)
    unchanged_source = message.source == (text, parse_mode) or message.source == (None, None)
    if (
        new_text == message.api.get("text")
        and unchanged_source
        and markup == message.api.get("reply_markup")
    ):
        raise ApiError(NOT_MODIFIED)
    message.api["text"] = new_text
    message.source = (text, parse_mode)
    _replace_markup(message, markup)
    return copy.deepcopy(message.api)


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(
    api: BotApi, params: dict[str, Any], files: dict[str, bytes]
) -> Any:
    markup = _inline_markup(params)
    message = _editable_message(api, params)
    if markup == message.api.get("reply_markup"):
        raise ApiError(NOT_MODIFIED)
    _replace_markup(message, markup)
    return copy.deepcopy(message.api)


def _replace_markup(message: StoredMessage, markup: dict[str, Any] | None) -> None:
    # Telegram drops the inline keyboard of an edited message unless the edit repeats it.
    message.api.pop("reply_markup", None)
    if markup is not None:
        message.api["reply_markup"] = markup
    message.api["edit_date"] = max(int(message.api["date"]), int(message.api.get("edit_date", 0)))


@api_method("deleteMessage")
async def delete_message(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    chat = api.state.chat(_require(params, "chat_id"))
    message_id = params.get("message_id")
    if message_id is None or chat.messages.pop(int(message_id), None) is None:
        raise ApiError("Bad Request: message to delete not found")
    return True


@api_method("sendChatAction")
async def send_chat_action(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    _target_chat(api, params)
    if params.get("action") not in CHAT_ACTIONS:
        raise ApiError("Bad Request: wrong parameter action in request")
    return True


@api_method("getChat")
async def get_chat(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    chat = api.state.chat(_require(params, "chat_id"))
    return {**chat.chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11}


@api_method("getFile")
async def get_file(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    stored = api.state.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise ApiError("Bad Request: invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


# --- queries ----------------------------------------------------------------------------------


@api_method("answerCallbackQuery")
async def answer_callback_query(
    api: BotApi, params: dict[str, Any], files: dict[str, bytes]
) -> Any:
    query = api.state.callback_queries.get(str(params.get("callback_query_id") or ""))
    if query is None or query.answered:
        raise ApiError(QUERY_TOO_OLD)
    _check(rules.check_callback_answer_text(params.get("text")))
    url = params.get("url")
    if url and not str(url).startswith(("https://t.me/", "tg://")):
        raise ApiError("Bad Request: URL_INVALID")
    query.answered = True
    query.answer = {
        k: params[k] for k in ("text", "show_alert", "url", "cache_time") if k in params
    }
    return True


@api_method("answerInlineQuery")
async def answer_inline_query(api: BotApi, params: dict[str, Any], files: dict[str, bytes]) -> Any:
    query_id = str(params.get("inline_query_id") or "")
    if query_id not in api.state.inline_queries:
        raise ApiError(QUERY_TOO_OLD)
    results = params.get("results")
    if not isinstance(results, list):
        raise ApiError("Bad Request: can't parse inline query results JSON object")
    if len(results) > 50:
        raise ApiError("Bad Request: RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_inline_result(result, seen)
    api.state.inline_queries.pop(query_id)
    return True


def _check_inline_result(result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict) or "type" not in result:
        raise ApiError("Bad Request: can't parse InlineQueryResult JSON object")
    result_id = str(result.get("id", ""))
    if not 1 <= len(result_id.encode()) <= 64:
        raise ApiError("Bad Request: RESULT_ID_INVALID")
    if result_id in seen:
        raise ApiError("Bad Request: RESULT_ID_DUPLICATE")
    seen.add(result_id)
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        _check(rules.check_text(content["message_text"], content.get("parse_mode")))
    _check(rules.check_reply_markup(result.get("reply_markup")))
