"""Request parameters as Telegram reads them: query string, urlencoded or multipart form, JSON.

Bot API clients send every value of a form as a string and nested objects as JSON strings
(aiogram's AiohttpSession does exactly this); JSON bodies carry native values. Both end up
as the same normalized dictionary, so recorded calls are easy to assert on.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import BodyPartReader, web


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional parameters."""

    def __init__(
        self, description: str, status: int = 400, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.parameters = parameters


JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
        "commands", "scope", "allowed_updates", "results", "button", "media", "menu_button",
    }
)  # fmt: skip
INT_FIELDS = frozenset(
    {
        "message_id", "from_chat_id", "offset", "limit", "timeout", "cache_time",
        "message_thread_id", "reply_to_message_id", "user_id", "max_connections",
    }
)  # fmt: skip
BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "is_personal", "has_spoiler",
        "show_caption_above_media", "disable_content_type_detection", "for_channels",
        "allow_paid_broadcast",
    }
)  # fmt: skip


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Raw values and uploaded files of a request, the way the Bot API accepts them."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, bytes] = {}
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.text()
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise ApiError("Bad Request: can't parse JSON encoded request") from None
            if not isinstance(decoded, dict):
                raise ApiError("Bad Request: JSON encoded request must be an Object")
            values.update(decoded)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                files[part.name] = bytes(await part.read())
            else:
                values[part.name] = await part.text()
    elif content_type == "application/x-www-form-urlencoded":
        values.update(await request.post())
    return values, files


def normalize(values: dict[str, Any]) -> dict[str, Any]:
    """Decodes JSON fields and converts numbers and booleans; raises ApiError like Telegram."""
    params: dict[str, Any] = {}
    for name, value in values.items():
        if name in JSON_FIELDS:
            params[name] = _json_value(name, value)
        elif name in INT_FIELDS:
            params[name] = _int_value(name, value)
        elif name in BOOL_FIELDS:
            params[name] = _bool_value(value)
        elif name == "chat_id":
            params[name] = _chat_id(value)
        else:
            params[name] = value
    return params


def _json_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        what = "reply keyboard markup" if name == "reply_markup" else name.replace("_", " ")
        raise ApiError(f"Bad Request: can't parse {what} JSON object") from None


def _int_value(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(f'Bad Request: field "{name}" must be a valid Number') from None


def _bool_value(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _chat_id(value: Any) -> int | str:
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.startswith("@"):
        return text
    try:
        return int(text)
    except ValueError:
        raise ApiError("Bad Request: chat not found") from None
