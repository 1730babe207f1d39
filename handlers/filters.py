"""Filters shared by the handler modules.

All of them are async on purpose: aiogram runs a plain function (a magic filter such as
``F.text`` included) in a worker thread, which costs a thread hop per check on every message.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Router
from aiogram.enums import ChatType, MessageEntityType
from aiogram.filters import Filter
from aiogram.types import Message, MessageEntity, TelegramObject, User
from aiogram.utils.text_decorations import add_surrogates, remove_surrogates

from bot.config import Settings


class AddressedToBot(Filter):
    """Is this message for the bot? In a private chat, always. In a group, only commands
    addressed to it (``/cmd@bot``), messages that mention it and replies to its messages, so
    that it stays quiet in the group's own conversation.

    Passes the message's text, without the mention of the bot, to the handler as ``question``.
    """

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        text = message.text or message.caption or ""
        if message.chat.type == ChatType.PRIVATE:
            return {"question": text}
        me = await bot.me()  # cached by aiogram after the first call
        entities = message.entities or message.caption_entities or []
        mentions = [entity for entity in entities if _mentions(entity, text, me)]
        if mentions:
            return {"question": _without(text, mentions).strip()}
        if _is_reply_to(message, me) or _is_command_for(text, me):
            return {"question": text}
        return False


def _mentions(entity: MessageEntity, text: str, me: User) -> bool:
    if entity.type == MessageEntityType.TEXT_MENTION:
        return entity.user is not None and entity.user.id == me.id
    if entity.type == MessageEntityType.MENTION and me.username:
        return entity.extract_from(text).lower() == f"@{me.username.lower()}"
    return False


def _without(text: str, entities: list[MessageEntity]) -> str:
    """``text`` with the entities' spans removed (offsets are in UTF-16 code units)."""
    encoded = add_surrogates(text)
    for entity in sorted(entities, key=lambda e: e.offset, reverse=True):
        encoded = encoded[: entity.offset * 2] + encoded[(entity.offset + entity.length) * 2 :]
    return remove_surrogates(encoded)


def _is_reply_to(message: Message, me: User) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == me.id


def _is_command_for(text: str, me: User) -> bool:
    """``/cmd@this_bot``. A bare ``/cmd`` the bot does not know may be for another bot in the
    group (the bot's own commands are matched before this filter is asked)."""
    if not text.startswith("/"):
        return False
    _, _, addressee = text.split(maxsplit=1)[0].partition("@")
    return bool(addressee) and (me.username or "").lower() == addressee.lower()


class HasText(Filter):
    """A text message (not a photo, a sticker, ...); the async ``F.text``."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text)


class LooksLikeCommand(Filter):
    """Text (or a caption, as aiogram's ``Command`` reads it) starting with ``/``: a command,
    known to the bot or not. One cheap check that spares other messages every command parser."""

    async def __call__(self, message: Message) -> bool:
        return (message.text or message.caption or "").startswith("/")


class PlainText(Filter):
    """Text that is not a command: what a dialog waiting for typed text accepts."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or ""
        return bool(text) and not text.startswith("/")


class ContentTypeIn(Filter):
    """The message is one of ``content_types``; the async ``F.content_type.in_(...)``."""

    def __init__(self, content_types: frozenset[str]) -> None:
        self.content_types = content_types

    async def __call__(self, message: Message) -> bool:
        return message.content_type in self.content_types


class NotAPlainQuestion(Filter):
    """A message that may be something other than a question for the FAQ: a command, a message
    from someone in the middle of a dialog (any FSM state), or anything from an owner.

    A superset of what the routers before the catch-all for questions take (see
    handlers/__init__.py): everything else, a plain question, goes past them with this check.
    """

    async def __call__(
        self,
        message: Message,
        settings: Settings,
        raw_state: str | None = None,
        event_from_user: User | None = None,
    ) -> bool:
        if raw_state is not None or (message.text or message.caption or "").startswith("/"):
            return True
        return event_from_user is not None and event_from_user.id in settings.admin_ids


class IsAdmin(Filter):
    """Is the update from one of the knowledge base's owners (ADMIN_IDS)?

    Owners' routers filter on this at router level: for anyone else an owner's command is
    exactly an unknown command and an owner's button exactly a stale one.
    """

    async def __call__(self, event: TelegramObject, settings: Settings, **data: Any) -> bool:
        user: User | None = data.get("event_from_user")
        return user is not None and user.id in settings.admin_ids


class InPrivateChat(Filter):
    """Owners' commands work only in a private chat: their replies (statistics, users'
    questions) are not for a group's eyes."""

    async def __call__(self, message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE


def owners_only(router: Router) -> Router:
    """Make ``router`` answer only the owners: their private-chat messages and their taps."""
    # IsAdmin first: it turns away everyone else's messages, nearly all of them, in one check.
    router.message.filter(IsAdmin(), InPrivateChat())
    router.callback_query.filter(IsAdmin())
    return router
