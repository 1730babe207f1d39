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

Two things must hold for every update: the dispatcher's error handler is never reached (it
would mean an exception escaped a handler), and every Bot API call the bot made was accepted,
except edits Telegram refuses in the normal course of things and the bot expects (a button
under a message that is gone, or a second tap on the same button).
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

import pytest
from aiogram import Dispatcher
from aiogram.types import ErrorEvent, TelegramObject, Update
from hypothesis import HealthCheck, given, settings
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
BATCH = 50  # updates per example: EXAMPLES * BATCH >= 5,000
MIN_UPDATES = 5_000
SECONDS_PER_UPDATE = 0.2  # the throttle's clock: fast enough that some senders are throttled

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

# --- what people write -----------------------------------------------------------------------------

INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2069"
)
CONTROL = "".join(chr(code) for code in [*range(0, 32), 127, *range(0x80, 0xA0)])
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


TEXTS = st.one_of(
    st.text(max_size=200),  # any Unicode, control characters included
    repeated(INVISIBLE, max_size=30),
    repeated(CONTROL, max_size=30),
    repeated(EMOJI, max_size=40),
    repeated(string.punctuation, max_size=60),
    st.sampled_from(HOSTILE),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(1, 4100)),
    st.tuples(st.sampled_from(HOSTILE), st.text(max_size=50)).map("".join),
    st.tuples(st.text(max_size=20), repeated(INVISIBLE + EMOJI, max_size=10)).map("".join),
)
COMMANDS = st.sampled_from(
    ["/start", "/faq", "/help", "/topics", "/stats", "/nope", "/start@" + LOCAL_BOT_USERNAME,
     "/faq@other_bot", "/START", "/", "//", "/start@"]
)  # fmt: skip

# --- button data -------------------------------------------------------------------------------------


def _packed(faq: FaqService) -> list[str]:
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
    return st.one_of(
        st.sampled_from(packed),  # real buttons
        st.none(),  # a game button has no data
        st.text(max_size=64),
        st.text(min_size=65, max_size=300),  # over the 64-byte limit
        st.tuples(
            st.sampled_from(["m", "s", "e", "s:", "e:", "m:", "e:x:"]), st.text(max_size=70)
        ).map("".join),  # fmt: skip
        st.tuples(st.sampled_from(packed), st.sampled_from([":", ":q", ":zz", "::", "\x00"])).map(
            "".join
        ),  # fmt: skip
    )


# --- updates, described first and built when fed (button taps need the chat's state) --------


@dataclasses.dataclass(frozen=True)
class Spec:
    kind: str
    user: int = 0
    text: str = ""
    variant: str = ""
    data: str | None = None


def specs(packed: list[str]) -> st.SearchStrategy[Spec]:
    users = st.integers(0, len(USERS) - 1)
    return st.one_of(
        st.builds(Spec, st.just("private"), users, TEXTS),
        st.builds(
            Spec,
            st.just("command"),
            users,
            st.tuples(COMMANDS, st.sampled_from(["", " "]), TEXTS).map("".join),
        ),  # fmt: skip
        st.builds(
            Spec,
            st.just("group"),
            users,
            TEXTS,
            st.sampled_from(["mention", "reply", "chatter", "command"]),
        ),  # fmt: skip
        st.builds(Spec, st.just("no_from"), users, TEXTS, st.sampled_from(["channel", "auto"])),
        st.builds(Spec, st.just("forwarded"), users, TEXTS, st.sampled_from(["user", "hidden"])),
        st.builds(Spec, st.just("edited"), users, TEXTS, st.sampled_from(["private", "group"])),
        st.builds(Spec, st.just("channel_post"), users, TEXTS, st.sampled_from(["new", "edited"])),
        st.builds(Spec, st.just("service"), users, st.just(""), st.sampled_from(list(SERVICE))),
        st.builds(
            Spec,
            st.just("media"),
            users,
            TEXTS,
            st.sampled_from(list(MEDIA)),
            st.sampled_from(["private", "group"]),
        ),  # fmt: skip
        st.builds(
            Spec,
            st.just("tap"),
            users,
            st.just(""),
            st.sampled_from(TAP_TARGETS),
            button_data(packed),
        ),  # fmt: skip
    )


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


class World:
    """Turns specs into updates the way Telegram would deliver them, and feeds them."""

    def __init__(self, dispatcher: Dispatcher, bot: MockedBot) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: LocalSession = bot.session
        self.update_ids = itertools.count(1)
        self.query_ids = itertools.count(1)
        self.fed = 0
        for user in USERS:
            self.session.add_chat(self._chat(user))
        for chat in (GROUP, CHANNEL):
            self.session.add_chat(_chat_model(chat))

    async def feed(self, spec: Spec) -> None:
        payload = self._payload(spec)
        update = Update.model_validate(
            {"update_id": next(self.update_ids), **payload}, context={"bot": self.bot}
        )
        await self.dispatcher.feed_update(self.bot, update)
        self.fed += 1

    # -- building updates

    def _payload(self, spec: Spec) -> dict[str, Any]:
        user = USERS[spec.user]
        private = self._chat(user)
        if spec.kind == "private":
            return {"message": self._message(private, user, spec.text)}
        if spec.kind == "command":
            return {"message": self._message(private, user, spec.text)}
        if spec.kind == "group":
            return {"message": self._group_message(user, spec)}
        if spec.kind == "no_from":
            return {"message": self._without_sender(spec)}
        if spec.kind == "forwarded":
            return {"message": self._forwarded(private, user, spec)}
        if spec.kind == "edited":
            chat = private if spec.variant == "private" else GROUP
            message = self._message(chat, user, spec.text)
            return {"edited_message": {**message, "edit_date": int(time.time())}}
        if spec.kind == "channel_post":
            post = self._message(CHANNEL, None, spec.text, sender_chat=CHANNEL)
            if spec.variant == "edited":
                return {"edited_channel_post": {**post, "edit_date": int(time.time())}}
            return {"channel_post": post}
        if spec.kind == "service":
            message = self._message(GROUP, user, None)
            return {"message": {**message, **SERVICE[spec.variant]}}
        if spec.kind == "media":
            chat = private if spec.data == "private" else GROUP
            message = self._message(chat, user, None)
            return {"message": {**message, **MEDIA[spec.variant], "caption": spec.text[:1024]}}
        assert spec.kind == "tap", spec.kind
        return {"callback_query": self._tap(user, spec)}

    def _message(
        self,
        chat: dict[str, Any],
        user: dict[str, Any] | None,
        text: str | None,
        **fields: Any,
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
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0] if text.strip() else text
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
        self.session.add_incoming(message)
        return message

    def _group_message(self, user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        if spec.variant == "mention":
            mention = f"@{LOCAL_BOT_USERNAME}"
            head, tail = spec.text[:10], spec.text[10:]
            text = f"{head}{mention} {tail}"
            entity = {"type": "mention", "offset": utf16_length(head), "length": len(mention)}
            message = self._message(GROUP, user, text)
            message["entities"] = [*message.get("entities", []), entity]
            return message
        if spec.variant == "reply":
            replied = self._last_bot_message(GROUP["id"]) or self._fake_bot_message(GROUP)
            return self._message(GROUP, user, spec.text, reply_to_message=replied)
        if spec.variant == "command":
            return self._message(GROUP, user, f"/faq@{LOCAL_BOT_USERNAME} {spec.text}")
        return self._message(GROUP, user, spec.text)

    def _without_sender(self, spec: Spec) -> dict[str, Any]:
        text = f"@{LOCAL_BOT_USERNAME} {spec.text}"
        entity = {"type": "mention", "offset": 0, "length": len(LOCAL_BOT_USERNAME) + 1}
        if spec.variant == "auto":  # a channel post copied into its discussion group
            return self._message(
                GROUP, TELEGRAM_SERVICE_USER, text, sender_chat=CHANNEL,
                is_automatic_forward=True, entities=[entity],
            )  # fmt: skip
        return self._message(GROUP, None, text, sender_chat=CHANNEL, entities=[entity])

    def _forwarded(self, chat: dict[str, Any], user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        if spec.variant == "user":
            origin = {"type": "user", "sender_user": USERS[0], "date": 1_700_000_000}
        else:
            origin = {"type": "hidden_user", "sender_user_name": spec.text[:64] or "?",
                      "date": 1_700_000_000}  # fmt: skip
        return self._message(chat, user, spec.text, forward_origin=origin)

    def _tap(self, user: dict[str, Any], spec: Spec) -> dict[str, Any]:
        query_id = f"q{next(self.query_ids)}"
        self.session.open_callback_query(query_id)
        query: dict[str, Any] = {"id": query_id, "from": user, "chat_instance": "fuzz"}
        if spec.data is not None:
            query["data"] = spec.data
        chat = GROUP if spec.variant == "group" else self._chat(user)
        if spec.variant == "inline":
            query["inline_message_id"] = "AgAAAFuzz"
        elif spec.variant == "inaccessible":
            query["message"] = {"chat": chat, "message_id": 1, "date": 0}
        elif spec.variant == "gone":
            query["message"] = self._fake_bot_message(chat)
        else:
            query["message"] = self._last_bot_message(chat["id"]) or self._fake_bot_message(chat)
        return query

    def _last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        last = self.session._last_message_id.get(chat_id, 0)
        for message_id in range(last, max(0, last - 20), -1):
            message = self.session.message(chat_id, message_id)
            if message is not None and message.get("from", {}).get("is_bot"):
                return message
        return None

    def _fake_bot_message(self, chat: dict[str, Any]) -> dict[str, Any]:
        """A message of the bot's that this chat no longer has (deleted, or never seen)."""
        return {
            "message_id": 10_000_000 + next(self.query_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": self.bot.id, "is_bot": True, "first_name": "FAQ bot"},
            "text": "старое сообщение",
        }

    @staticmethod
    def _chat(user: dict[str, Any]) -> dict[str, Any]:
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def _chat_model(chat: dict[str, Any]) -> Any:
    from aiogram.types import Chat

    return Chat.model_validate(chat)


class ErrorRecorder:
    """An outer middleware on the dispatcher's error handler: what reached it, with the update."""

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


def test_thousands_of_generated_updates_never_break_the_bot(
    settings: Settings, faq_service: FaqService, tmp_path: Path
) -> None:
    runner = asyncio.Runner()
    db = runner.run(Database.open(tmp_path / "fuzz.sqlite3"))
    fed = 0
    throttled = dataclasses.replace(settings, throttle_rate=5, throttle_window=5.0)

    @settings_for_ci
    @given(st.lists(specs(_packed(faq_service)), min_size=BATCH, max_size=BATCH + 10))
    def feed_batch(batch: list[Spec]) -> None:
        nonlocal fed
        clock = FakeClock()
        dispatcher = create_dispatcher(settings=throttled, service=faq_service, db=db, clock=clock)
        recorder = ErrorRecorder()
        dispatcher.errors.outer_middleware(recorder)
        bot = MockedBot()
        world = World(dispatcher, bot)

        async def run() -> None:
            for spec in batch:
                clock.now += SECONDS_PER_UPDATE
                await world.feed(spec)

        runner.run(run())
        fed += world.fed
        assert recorder.errors == [], recorder.errors[0]
        refused = unexpected_refusals(bot.session.calls)
        assert refused == [], refused[0]
        unanswered = [q for q in bot.session._open_queries]
        assert unanswered == [], f"{len(unanswered)} button taps left unanswered"

    try:
        feed_batch()
    finally:
        runner.run(db.close())
        runner.close()
    assert fed >= MIN_UPDATES


settings_for_ci = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same updates on every run, so CI results are stable
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.mark.parametrize("spec_kind", ["private", "group", "tap"])
def test_the_generator_covers_each_kind(spec_kind: str, faq_service: FaqService) -> None:
    """A guard against a generator that silently stops producing some kind of update."""
    examples = [specs(_packed(faq_service)).example() for _ in range(200)]
    assert any(spec.kind == spec_kind for spec in examples)
