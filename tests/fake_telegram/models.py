"""Plain data of the fake Telegram: users, chats, recorded calls and what a user sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "ru"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            value = getattr(self, name)
            if value is not None:
                user[name] = value
        return user


@dataclass(frozen=True)
class FakeChat:
    """A chat. Private chats share the user's id; groups have negative ids."""

    id: int
    type: str = "private"  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        return cls(id=user.id, type="private", username=user.username, first_name=user.first_name)

    @classmethod
    def group(cls, id: int = -1001234567890, title: str = "Test group") -> FakeChat:
        return cls(id=id, type="supergroup" if id < -1_000_000_000_000 else "group", title=title)

    def to_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "username", "first_name"):
            value = getattr(self, name)
            if value is not None:
                chat[name] = value
        return chat


DEFAULT_USER = FakeUser(id=1001, first_name="Иван", username="ivan_petrov", language_code="ru")


@dataclass
class Call:
    """One Bot API request as the fake received and answered it."""

    index: int
    method: str  # as the client spelled it, e.g. "sendMessage"
    params: dict[str, Any]  # JSON fields decoded, numbers and booleans converted
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    result: Any = None
    error: str | None = None  # Telegram's description when the call failed
    injected: bool = False  # failed because a test injected a fault, not because of a rule

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str | None:
        """The text or caption the bot sent, as given (markup included)."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def button_texts(self) -> list[str]:
        return [text for row in keyboard_texts(self.params.get("reply_markup")) for text in row]

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        shown = {k: v for k, v in self.params.items() if k not in {"reply_markup"}}
        if "reply_markup" in self.params:
            shown["buttons"] = self.button_texts
        return f"#{self.index} {self.method}({_short(shown)}) -> {outcome}"


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt of the fake Telegram to POST an update to the bot's webhook."""

    update_id: int
    url: str  # the webhook URL the bot set (the public one, before any test routing)
    status: int  # the bot's HTTP status; 0 when no HTTP answer came (refused, dropped, timed out)
    error: str | None = None  # why the delivery failed, as getWebhookInfo's last_error_message
    secret_sent: bool = False  # whether the X-Telegram-Bot-Api-Secret-Token header was sent

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class MessageView:
    """A message as the user sees it right now: visible text and keyboard."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str  # visible text (caption for media), markup already rendered away
    keyboard: list[list[str]]  # button texts, row by row
    callback_data: list[list[str | None]]
    raw: dict[str, Any]  # the Telegram Message object

    @property
    def buttons(self) -> list[str]:
        return [text for row in self.keyboard for text in row]

    @property
    def kind(self) -> str:
        for kind in ("text", "photo", "sticker", "document", "voice", "video", "location"):
            if kind in self.raw:
                return kind
        return "other"


def keyboard_texts(markup: Any) -> list[list[str]]:
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [[str(button.get("text", "")) for button in row] for row in rows]


def keyboard_data(markup: Any) -> list[list[str | None]]:
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [[button.get("callback_data") for button in row] for row in rows]


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
