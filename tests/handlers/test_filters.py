"""In groups the bot speaks only when spoken to: commands, mentions, replies to its messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.types import Message, MessageEntity

from bot.config import Settings
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from bot.texts import RUSSIAN
from handlers.filters import NotAPlainQuestion
from tests.mocked_bot import STICKER, MockedBot


async def test_plain_group_chatter_is_ignored(group: LocalChat, db: Database) -> None:
    for text in ("привет всем", "что с Байконуром?", "как приготовить борщ?", "@someone_else hi"):
        exchange = await group.send(text)
        assert exchange.shown == []
    assert (await group.send_message(**STICKER)).shown == []
    assert await db.recent_questions() == []


async def test_a_mention_is_answered_without_the_mention(
    group: LocalChat, faq_service: FaqService, db: Database
) -> None:
    entry = faq_service.kb.entry("priorities")
    assert entry is not None

    exchange = await group.send("@faq_local_bot что с Байконуром?")

    [answer] = exchange.sent
    assert answer.text == f"{entry.question}\n\n{entry.answer}"
    [row] = await db.recent_questions()
    assert row.text == "что с Байконуром?"
    assert row.chat_id == group.chat.id


async def test_the_mention_may_be_anywhere_and_in_any_case(group: LocalChat) -> None:
    [answer] = (await group.send("Подскажите, что с Байконуром, @FAQ_Local_Bot?")).sent

    assert answer.text.startswith("Каковы сегодня приоритеты")


async def test_a_text_mention_of_the_bot_counts(group: LocalChat, bot: MockedBot) -> None:
    me = await bot.me()
    text = "Бот, что с Байконуром?"
    mention = MessageEntity(type="text_mention", offset=0, length=3, user=me)

    [answer] = (
        await group.send_message(text=text, entities=[mention.model_dump(exclude_none=True)])
    ).sent

    assert answer.text.startswith("Каковы сегодня приоритеты")


async def test_a_reply_to_the_bots_message_is_answered(group: LocalChat) -> None:
    [topics] = (await group.send("/faq")).sent

    [answer] = (await group.send("а что с Байконуром?", reply_to=topics)).sent

    assert answer.text.startswith("Каковы сегодня приоритеты")


async def test_a_reply_to_someone_else_is_ignored(group: LocalChat) -> None:
    [first] = (await group.send("/faq")).sent
    other = first.model_copy(update={"from_user": group.user})

    exchange = await group.send("что с Байконуром?", reply_to=other)

    assert exchange.shown == []


async def test_commands_work_in_groups_and_replies_quote_the_asker(
    group: LocalChat, faq_service: FaqService
) -> None:
    for command in ("/faq", "/faq@faq_local_bot"):
        exchange = await group.send(command)
        [topics] = exchange.sent
        assert topics.text == RUSSIAN.choose_topic
        assert topics.reply_to_message is not None
        assert topics.reply_to_message.from_user.id == group.user.id


async def test_commands_for_other_bots_are_ignored(group: LocalChat) -> None:
    for command in ("/faq@another_bot", "/weather@another_bot", "/weather"):
        exchange = await group.send(command)
        assert exchange.shown == [], command


async def test_an_unknown_command_addressed_to_the_bot_gets_a_hint(group: LocalChat) -> None:
    [reply] = (await group.send("/weather@faq_local_bot")).sent

    assert reply.text == RUSSIAN.unknown_command


async def test_navigation_works_in_groups(group: LocalChat) -> None:
    [topics] = (await group.send("/faq")).sent

    exchange = await group.click(topics, "🌐 Интеграция")

    assert exchange.callback_answered
    assert exchange.edited[0].text.startswith("🌐 Интеграция")


async def test_a_bare_mention_asks_for_the_question(group: LocalChat) -> None:
    [reply] = (await group.send("@faq_local_bot")).sent

    assert reply.text == RUSSIAN.empty_question


async def test_private_chats_answer_everything(user: LocalChat) -> None:
    [answer] = (await user.send("что с Байконуром?")).sent

    assert answer.reply_to_message is None  # no need to quote in a one-to-one chat


def _callables(router: Router) -> Iterator[tuple[str, CallableObject]]:
    for update_type, observer in router.observers.items():
        where = f"{router.name} {update_type}"
        for root_filter in observer._handler.filters or []:
            yield f"{where} router filter {root_filter.callback}", root_filter
        for handler in observer.handlers:
            yield f"{where} {handler.callback}", handler
            for each in handler.filters or []:
                yield f"{where} filter {each.callback}", each
    for child in router.sub_routers:
        yield from _callables(child)


def test_no_filter_or_handler_runs_in_a_worker_thread(dp: Dispatcher) -> None:
    """aiogram runs plain functions (``F.text`` and other magic filters included) in a thread:
    a thread hop for every message that passes them. The bot's are all async."""
    in_threads = [name for name, callable_ in _callables(dp) if not callable_.awaitable]

    assert in_threads == []


async def test_only_commands_dialogs_and_owners_are_offered_to_the_routers_before_questions(
    settings: Settings,
) -> None:
    """A plain question skips the owners', dialogs' and commands' routers with one check."""
    owner_id = 77
    with_owner = dataclasses.replace(settings, admin_ids=frozenset({owner_id}))
    first_look = NotAPlainQuestion()

    def message(text: str | None = None, *, sender: int = 5, caption: str | None = None) -> Message:
        return Message.model_validate(
            {
                "message_id": 1,
                "date": 0,
                "chat": {"id": sender, "type": "private"},
                "from": {"id": sender, "is_bot": False, "first_name": "A"},
                "text": text,
                "caption": caption,
            }
        )

    async def offered(msg: Message, raw_state: str | None = None) -> bool:
        return await first_look(msg, with_owner, raw_state=raw_state, event_from_user=msg.from_user)

    assert not await offered(message("что с Байконуром?"))
    assert not await offered(message(caption="подпись к фото"))
    assert await offered(message("/help"))
    assert await offered(message(caption="/start"))
    assert await offered(message("мой вопрос человеку"), raw_state="AskHuman:typing")
    assert await offered(message("что с Байконуром?", sender=owner_id))
