"""Thousands of generated updates through the real dispatcher: whatever people (or a broken or
malicious client) send, the bot never fails and never sends Telegram anything it would refuse.

Hypothesis writes the updates: any Unicode text (control characters, right-to-left marks,
zero-width characters, only emoji, only punctuation, 4,096 characters and more), HTML,
Markdown and SQL, commands with odd arguments, forged, over-long and missing button data, taps
on messages that no longer exist or are no longer accessible, edited messages, channel posts,
messages without a sender, forwarded messages, group service messages, stickers and photos,
in private chats and in a group. The bot is built by ``create_dispatcher`` exactly as in
production (flood protection included, on a clock that moves a little with every update) and
talks to ``bot.local_api``, which refuses what Telegram refuses.

For every update: the dispatcher's error handler is never reached (that would mean an exception
escaped a handler), every Bot API call the bot made was accepted, except edits Telegram refuses
in the normal course of things and the bot expects (a button under a message that is gone, a
second tap on the same button), and every button tap was answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import string
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Dispatcher
from aiogram.types import Chat, ErrorEvent, Message, TelegramObject, Update
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.callbacks import EntryCallback, MenuCallback, Origin, SectionCallback
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.local_api import (
    LOCAL_BOT_USERNAME,
    MESSAGE_TO_EDIT_NOT_FOUND,
    NOT_MODIFIED,
    ApiCall,
    LocalSession,
)
from bot.service import FaqService
from bot.storage import Database
from bot.telegram_rules import utf16_length
from tests.mocked_bot import DOCUMENT, LOCATION, PHOTO, STICKER, VOICE, MockedBot

EXAMPLES = 100
BATCH = 50  # updates per example, so EXAMPLES * BATCH >= MIN_UPDATES
MIN_UPDATES = 5_000
SECONDS_PER_UPDATE = 0.2  # the throttle's clock: fast enough that some senders get throttled

GROUP = {"id": -1001234567890, "type": "supergroup", "title": "Клуб выпускников"}
CHANNEL = {"id": -1009876543210, "type": "channel", "title": "Новости"}
TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
USERS = [
    {"id": 1001, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
    {"id": 1002, "is_bot": False, "first_name": "Alice", "language_code": "en-US"},
    {"id": 1003, "is_bot": False, "first_name": "\u202eevil\u200b", "username": "x_y_z"},
    {"id": 1004, "is_bot": False, "first_name": "<b>&amp;</b>", "language_code": "zz"},
    {"id": 1005, "is_bot": False, "first_name": "😀" * 20, "language_code": "uk"},
]
# Edits Telegram refuses that the bot expects and handles (see handlers.delivery).
EXPECTED_REFUSALS = {
    ("editMessageText", MESSAGE_TO_EDIT_NOT_FOUND),
    ("editMessageText", NOT_MODIFIED),
}

# --- what people write ------------------------------------------------------------------------

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2069"
CONTROL = "".join(chr(code) for code in [*range(32), 127, *range(0x80, 0xA0)])
EMOJI = "😀🙂👍🔥❤️🇷🇺🇰🇿👨‍👩‍👧‍👦🏳️‍🌈✅⬅️🏠📂🤖\u20e3"
HOSTILE = [
    "<b>жирный</b> <i>курсив</i> <a href='javascript:alert(1)'>ссылка</a>",
    "<script>alert(1)</script>",
    "&lt;b&gt; &amp; &#x3C; &nbsp; <<>> </b></i></a>",
    "*жирный* _курсив_ `код` ```блок``` [ссылка](http://example.com) ~~зачёркнуто~~ ||спойлер||",
    "'; DROP TABLE questions; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    "%s %d {0} {name} {{}} ${HOME} $(reboot) `id`",
    "\\x00 \\n \\u0000",
    "../../etc/passwd",
    "null",
    "   ",
    "\n\n\n",
    "ё" * 4096,
    "a" * 4096,
    "😀" * 2048,  # 4,096 UTF-16 code units
    "я " * 5000,  # longer than Telegram allows
    "что с Байконуром?",
    "ckjdj ufhfynbz",
]


def repeated(alphabet: str, *, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size)


def joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


TEXTS = st.one_of(
    st.text(max_size=200),  # any Unicode, control characters included
    repeated(INVISIBLE, max_size=30),
    repeated(CONTROL, max_size=30),
    repeated(EMOJI, max_size=40),
    repeated(string.punctuation, max_size=60),
    st.sampled_from(HOSTILE),
    st.builds(lambda char, times: char * times, st.characters(), st.integers(1, 4100)),
    joined(st.sampled_from(HOSTILE), st.text(max_size=50)),
    joined(st.text(max_size=20), repeated(INVISIBLE + EMOJI, max_size=10)),
)
COMMANDS = st.sampled_from(
    ["/start", "/faq", "/help", "/topics", "/stats", "/nope", f"/start@{LOCAL_BOT_USERNAME}",
     "/faq@other_bot", "/START", "/", "//", "/start@"]
)  # fmt: skip


# --- button data ------------------------------------------------------------------------------


def packed_buttons(faq: FaqService) -> list[str]:
    kb = faq.kb
    return [
        MenuCallback().pack(),
        *(SectionCallback(section_id=section.id).pack() for section in kb.sections),
        *(
            EntryCallback(entry_id=entry.id, origin=origin).pack()
            for entry in kb.entries[:6]
            for origin in Origin
        ),
    ]


def button_data(packed: list[str]) -> st.SearchStrategy[str | None]:
    prefixes = ["m", "s", "e", "s:", "e:", "m:", "e:x:"]
    suffixes = [":", ":q", ":zz", "::", "\x00"]
    return st.one_of(
        st.sampled_from(packed),  # real buttons
        st.none(),  # a game's button has no data
        st.text(max_size=64),
        st.text(min_size=65, max_size=300),  # over Telegram's 64-byte limit
        joined(st.sampled_from(prefixes), st.text(max_size=70)),
        joined(st.sampled_from(packed), st.sampled_from(suffixes)),
    )


# --- updates: described by Hypothesis, built when fed (a tap needs the chat's state) ----------


@dataclasses.dataclass(frozen=True)
class Spec:
    kind: str
    user: int = 0  # index into USERS
    text: str = ""
    variant: str = ""
    data: str | None = None


SERVICE: dict[str, dict[str, Any]] = {
    "joined": {"new_chat_members": [{"id": 777, "is_bot": False, "first_name": "Борис"}]},
    "bot_joined": {"new_chat_members": [{"id": 1, "is_bot": True, "first_name": "FAQ bot",
                                         "username": LOCAL_BOT_USERNAME}]},
    "left": {"left_chat_member": {"id": 777, "is_bot": False, "first_name": "Борис"}},
    "pinned": {"pinned_message": {"message_id": 1, "date": 0, "chat": GROUP}},
    "title": {"new_chat_title": "<b>новое</b> название"},
    "photo_deleted": {"delete_chat_photo": True},
    "created": {"group_chat_created": True},
}  # fmt: skip
MEDIA: dict[str, dict[str, Any]] = {
    "sticker": STICKER, "photo": PHOTO, "voice": VOICE, "location": LOCATION, "document": DOCUMENT,
}  # fmt: skip
TAP_TARGETS = ["last", "gone", "inaccessible", "inline", "group"]
KINDS = (
    "private", "command", "group", "no_from", "forwarded", "edited", "channel_post", "service",
    "media", "tap",
)  # fmt: skip


def specs(packed: list[str]) -> st.SearchStrategy[Spec]:
    users = st.integers(0, len(USERS) - 1)

    def spec(kind: str, text: st.SearchStrategy[str], *variants: str) -> st.SearchStrategy[Spec]:
        variant = st.sampled_from(variants) if variants else st.just("")
        return st.builds(Spec, st.just(kind), users, text, variant)

    return st.one_of(
        spec("private", TEXTS),
        spec("command", joined(COMMANDS, st.sampled_from(["", " "]), TEXTS)),
        spec("group", TEXTS, "mention", "reply", "chatter", "command"),
        spec("no_from", TEXTS, "channel", "auto"),
        spec("forwarded", TEXTS, "user", "hidden"),
        spec("edited", TEXTS, "private", "group"),
        spec("channel_post", TEXTS, "new", "edited"),
        spec("service", st.just(""), *SERVICE),
        st.builds(
            Spec,
            st.just("media"),
            users,
            TEXTS,
            st.sampled_from(list(MEDIA)),
            st.sampled_from(["private", "group"]),
        ),
        st.builds(
            Spec,
            st.just("tap"),
            users,
            st.just(""),
            st.sampled_from(TAP_TARGETS),
            button_data(packed),
        ),
    )


class World:
    """Turns specs into updates the way Telegram would deliver them, and feeds them."""

    def __init__(self, dispatcher: Dispatcher, bot: MockedBot) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: LocalSession = bot.session
        self.fed: list[str] = []  # the kind of each update fed
        self.taps: list[str] = []  # callback query ids
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._last_bot_message_id: dict[int, int] = {}
        self._calls_seen = 0
        for user in USERS:
            self.session.add_chat(Chat.model_validate(_private_chat(user)))
        for chat in (GROUP, CHANNEL):
            self.session.add_chat(Chat.model_validate(chat))

    async def feed(self, spec: Spec) -> None:
        payload = self._payload(spec)
        update = Update.model_validate(
            {"update_id": next(self._update_ids), **payload}, context={"bot": self.bot}
        )
        await self.dispatcher.feed_update(self.bot, update)
        self.fed.append(spec.kind)
        self._note_bot_messages()

    def unanswered_taps(self) -> list[str]:
        return [query_id for query_id in self.taps if self.session.is_open(query_id)]

    def _note_bot_messages(self) -> None:
        for call in self.session.calls[self._calls_seen :]:
            if isinstance(call.result, Message):
                self._last_bot_message_id[call.result.chat.id] = call.result.message_id
        self._calls_seen = len(self.session.calls)

    # -- building updates

    def _payload(self, spec: Spec) -> dict[str, Any]:
        user = USERS[spec.user]
        private = _private_chat(user)
        match spec.kind:
            case "private" | "command":
                return {"message": self._message(private, user, spec.text)}
            case "group":
                return {"message": self._group_message(user, spec)}
            case "no_from":
                return {"message": self._without_sender(spec)}
            case "forwarded":
                return {"message": self._forwarded(private, user, spec)}
            case "edited":
                chat = private if spec.variant == "private" else GROUP
                message = self._message(chat, user, spec.text)
                return {"edited_message": {**message, "edit_date": int(time.time())}}
            case "channel_post":
                post = self._message(CHANNEL, None, spec.text, sender_chat=CHANNEL)
                if spec.variant == "edited":
                    return {"edited_channel_post": {**post, "edit_date": int(time.time())}}
                return {"channel_post": post}
            case "service":
                return {"message": self._message(GROUP, user, None, **SERVICE[spec.variant])}
            case "media":
                chat = private if spec.data == "private" else GROUP
                caption = {"caption": spec.text[:1024]} if spec.text else {}
                return {
                    "message": self._message(chat, user, None, **MEDIA[spec.variant], **caption)
                }
            case "tap":
                return {"callback_query": self._tap(user, spec)}
        raise AssertionError(f"unknown kind {spec.kind}")

    def _message(
        self, chat: dict[str, Any], user: dict[str, Any] | None, text: str | None, **fields: Any
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.session.next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            **fields,
        }
        if user is not None:
            message["from"] = user
        if text:  # Telegram never delivers an empty text
            message["text"] = text
            if text.startswith("/") and "entities" not in message:
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
        self.session.add_incoming(message)
        return message

    def _group_message(self, user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        if spec.variant == "mention":
            mention = f"@{LOCAL_BOT_USERNAME}"
            head, tail = spec.text[:10], spec.text[10:]
            entity = {"type": "mention", "offset": utf16_length(head), "length": len(mention)}
            return self._message(GROUP, user, f"{head}{mention} {tail}", entities=[entity])
        if spec.variant == "reply":
            replied = self._last_bot_message(GROUP["id"]) or self._gone_bot_message(GROUP)
            return self._message(GROUP, user, spec.text, reply_to_message=replied)
        if spec.variant == "command":
            return self._message(GROUP, user, f"/faq@{LOCAL_BOT_USERNAME} {spec.text}")
        return self._message(GROUP, user, spec.text)  # the group's own conversation

    def _without_sender(self, spec: Spec) -> dict[str, Any]:
        mention = f"@{LOCAL_BOT_USERNAME}"
        entities = [{"type": "mention", "offset": 0, "length": len(mention)}]
        text = f"{mention} {spec.text}"
        if spec.variant == "auto":  # a channel's post copied into its discussion group
            return self._message(
                GROUP, TELEGRAM_SERVICE_USER, text, sender_chat=CHANNEL,
                is_automatic_forward=True, entities=entities,
            )  # fmt: skip
        return self._message(GROUP, None, text, sender_chat=CHANNEL, entities=entities)

    def _forwarded(self, chat: dict[str, Any], user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        date = 1_700_000_000
        if spec.variant == "user":
            origin = {"type": "user", "sender_user": USERS[0], "date": date}
        else:
            origin = {
                "type": "hidden_user",
                "sender_user_name": spec.text[:64] or "?",
                "date": date,
            }
        return self._message(chat, user, spec.text, forward_origin=origin)

    def _tap(self, user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        query_id = f"q{next(self._ids)}"
        self.session.open_callback_query(query_id)
        self.taps.append(query_id)
        query: dict[str, Any] = {"id": query_id, "from": user, "chat_instance": "fuzz"}
        if spec.data is not None:
            query["data"] = spec.data
        chat = GROUP if spec.variant == "group" else _private_chat(user)
        if spec.variant == "inline":  # a button under a message sent via inline mode
            query["inline_message_id"] = "AgAAAFuzz"
        elif spec.variant == "inaccessible":  # too old: Telegram sends only its id
            query["message"] = {"chat": chat, "message_id": 1, "date": 0}
        elif spec.variant == "gone":
            query["message"] = self._gone_bot_message(chat)
        else:
            query["message"] = self._last_bot_message(chat["id"]) or self._gone_bot_message(chat)
        return query

    def _last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        message_id = self._last_bot_message_id.get(chat_id)
        return None if message_id is None else self.session.message(chat_id, message_id)

    def _gone_bot_message(self, chat: dict[str, Any]) -> dict[str, Any]:
        """A message of the bot's that the chat no longer has (deleted, or from before)."""
        return {
            "message_id": 10_000_000 + next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "FAQ bot"},
            "text": "старое сообщение",
        }


def _private_chat(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


class ErrorRecorder:
    """An outer middleware of the dispatcher's error handler: every error that reached it."""

    def __init__(self) -> None:
        self.errors: list[tuple[Update, BaseException]] = []

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, ErrorEvent)
        self.errors.append((event.update, event.exception))
        return await handler(event, data)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def unexpected_refusals(calls: list[ApiCall]) -> list[ApiCall]:
    return [
        call
        for call in calls
        if call.error is not None and (call.method, call.error) not in EXPECTED_REFUSALS
    ]


def describe(update: Update) -> str:
    return update.model_dump_json(exclude_none=True, exclude_defaults=True)[:500]


SETTINGS_FOR_CI = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same updates on every run, so results are stable
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def test_thousands_of_generated_updates_never_break_the_bot(
    settings: Settings, faq_service: FaqService, tmp_path: Path
) -> None:
    # One event loop and one database for all examples; a fresh bot and dispatcher for each.
    runner = asyncio.Runner()
    db = runner.run(Database.open(tmp_path / "fuzz.sqlite3"))
    fed: list[str] = []
    throttled = dataclasses.replace(settings, throttle_rate=5, throttle_window=5.0)

    @SETTINGS_FOR_CI
    @given(st.lists(specs(packed_buttons(faq_service)), min_size=BATCH, max_size=BATCH + 10))
    def feed_batch(batch: list[Spec]) -> None:
        clock = FakeClock()
        dispatcher = create_dispatcher(settings=throttled, service=faq_service, db=db, clock=clock)
        recorder = ErrorRecorder()
        dispatcher.errors.outer_middleware(recorder)
        world = World(dispatcher, MockedBot())

        async def run() -> None:
            for spec in batch:
                clock.now += SECONDS_PER_UPDATE
                await world.feed(spec)

        runner.run(run())
        fed.extend(world.fed)
        for update, error in recorder.errors:
            raise AssertionError(f"{error!r} escaped a handler on {describe(update)}")
        for call in unexpected_refusals(world.session.calls):
            raise AssertionError(
                f"Telegram would refuse {call.method}: {call.error}; {call.params}"
            )
        assert world.unanswered_taps() == [], "button taps were left unanswered"

    try:
        feed_batch()
    finally:
        runner.run(db.close())
        runner.close()
    assert len(fed) >= MIN_UPDATES
    assert set(fed) == set(KINDS)  # the generator did produce every kind of update
