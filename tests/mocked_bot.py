"""A real aiogram Bot that talks to ``bot.local_api`` instead of Telegram, and sample updates.

Modelled on aiogram's own tests/mocked_bot.py, but instead of replaying canned responses the
session behaves like Telegram: it keeps the chat's messages and refuses what Telegram refuses, so
a test fails when the bot sends something Telegram would reject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.types import Chat, User

from bot.factory import LOCAL_TOKEN, bot_defaults
from bot.local_api import ApiCall, LocalSession


class MockedBot(Bot):
    if TYPE_CHECKING:
        session: LocalSession

    def __init__(self, token: str = LOCAL_TOKEN) -> None:
        super().__init__(token, session=LocalSession(), default=bot_defaults())

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every request so far, or those of one Bot API method ("sendMessage")."""
        return [call for call in self.session.calls if method is None or call.method == method]

    def last_call(self, method: str) -> ApiCall:
        calls = self.calls(method)
        assert calls, f"the bot never called {method}"
        return calls[-1]


def make_user(user_id: int = 1001, *, language_code: str | None = "ru", **fields: Any) -> User:
    fields.setdefault("first_name", "Анна")
    return User(id=user_id, is_bot=False, language_code=language_code, **fields)


def group_chat(chat_id: int = -1001234567890, title: str = "Клуб выпускников") -> Chat:
    return Chat(id=chat_id, type="supergroup", title=title)


# Message content other than text, as the Bot API delivers it.
STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAIBsticker",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
}
PHOTO = {
    "photo": [
        {"file_id": "AgACAgIAAxkBAAIBphoto", "file_unique_id": "AQADphoto", "width": 90,
         "height": 60},
    ]
}  # fmt: skip
VOICE = {
    "voice": {
        "file_id": "AwACAgIAAxkBAAIBvoice",
        "file_unique_id": "AgADvoice",
        "duration": 3,
        "mime_type": "audio/ogg",
    }
}
LOCATION = {"location": {"latitude": 51.17, "longitude": 71.43}}
DOCUMENT = {
    "document": {
        "file_id": "BQACAgIAAxkBAAIBdoc",
        "file_unique_id": "AgADdoc",
        "file_name": "a.pdf",
    },
}
NEW_MEMBER = {"new_chat_members": [{"id": 777, "is_bot": False, "first_name": "Борис"}]}
