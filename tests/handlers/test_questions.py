"""Free-text questions: answers, "did you mean", small talk, honest "not found", and the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.callbacks import Origin, SuggestionCallback
from bot.config import Settings
from bot.engine.types import Outcome, SmallTalk
from bot.factory import create_dispatcher
from bot.formatting import MESSAGE_LIMIT, shorten, utf16_length
from bot.keyboards import QUESTION_BUTTON_WIDTH
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.local_api import LocalChat, button_texts, buttons
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import TIED_QUERY
from tests.handlers.screens import answer_buttons, not_found_buttons
from tests.mocked_bot import MockedBot, make_user


async def test_a_question_in_own_words_gets_the_answer(
    user: LocalChat, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entry("priorities")
    assert entry is not None

    exchange = await user.send("что с Байконуром?")

    [answer] = exchange.sent
    assert answer.text == f"{entry.question}\n\n{entry.answer}"
    assert button_texts(answer) == answer_buttons(RUSSIAN)
    assert exchange.refused == []


async def test_the_answer_is_sent_as_escaped_html(user: LocalChat, bot: MockedBot) -> None:
    await user.send("что с Байконуром?")

    sent = bot.last_call("sendMessage").params
    assert sent["parse_mode"] == "HTML"
    assert sent["text"].startswith("<b>Каковы сегодня приоритеты")


async def test_an_ambiguous_question_offers_did_you_mean_buttons(
    payments_user: LocalChat, payments_service: FaqService, db: Database
) -> None:
    result = payments_service.match(TIED_QUERY)
    assert result.outcome is Outcome.SUGGEST  # the engine's call; this test checks the reply

    [message] = (await payments_user.send(TIED_QUERY)).sent

    assert message.text == RUSSIAN.did_you_mean
    suggested = [candidate.entry for candidate in result.suggestions][:3]
    assert button_texts(message) == [
        *(shorten(entry.question, QUESTION_BUTTON_WIDTH) for entry in suggested),
        RUSSIAN.all_topics,
    ]
    [logged] = await db.recent_questions(limit=1)
    assert [b.callback_data for b in buttons(message)][: len(suggested)] == [
        SuggestionCallback(entry_id=entry.id, update_id=logged.update_id).pack()
        for entry in suggested
    ]


async def test_a_suggestion_answers_and_keeps_the_other_suggestions(
    payments_user: LocalChat, payments_service: FaqService
) -> None:
    [suggestions] = (await payments_user.send(TIED_QUERY)).sent
    first = payments_service.match(TIED_QUERY).suggestions[0].entry

    exchange = await payments_user.click(
        suggestions, shorten(first.question, QUESTION_BUTTON_WIDTH)
    )

    assert exchange.callback_answered
    [answer] = exchange.sent
    assert answer.text == f"{first.question}\n\n{first.answer}"
    assert button_texts(answer) == answer_buttons(RUSSIAN)
    current = payments_user.session.message(suggestions.chat.id, suggestions.message_id)
    assert current is not None
    assert current["text"] == RUSSIAN.did_you_mean


async def test_an_off_topic_question_is_told_honestly_with_the_topics(
    user: LocalChat, faq_service: FaqService
) -> None:
    [message] = (await user.send("как приготовить борщ?")).sent

    assert message.text == RUSSIAN.not_found
    assert button_texts(message) == not_found_buttons(faq_service.kb, RUSSIAN)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("привет", RUSSIAN.greeting),
        ("спасибо!", RUSSIAN.thanks),
        ("до свидания", RUSSIAN.goodbye),
    ],
    ids=["greeting", "thanks", "goodbye"],
)
async def test_small_talk_gets_a_friendly_reply_and_the_topics(
    user: LocalChat, faq_service: FaqService, text: str, reply: str
) -> None:
    [message] = (await user.send(text)).sent

    assert message.text == reply
    assert button_texts(message) == [section.title for section in faq_service.kb.sections]


async def test_english_users_get_english_replies(english_user: LocalChat) -> None:
    [message] = (await english_user.send("как приготовить борщ?")).sent

    assert message.text == ENGLISH.not_found


@pytest.mark.parametrize(
    "text",
    [
        "<b>что с Байконуром?</b>",
        "<script>alert(1)</script> & co",
        "&amp; &lt; </i> <a href='x'>",
        "😀🙏🏽👨‍👩‍👧‍👦",
        "\u200b\u2060\ufeff",
        "ы" * 4096,
        "Байконур " * 455,
        "@" * 4096,
    ],
)
async def test_odd_text_gets_a_reply_telegram_accepts(user: LocalChat, text: str) -> None:
    exchange = await user.send(text)

    assert exchange.refused == []
    assert len(exchange.sent) >= 1


async def test_user_text_is_never_read_as_markup(user: LocalChat, bot: MockedBot) -> None:
    await user.send("<b>борщ</b> & <script>")

    # The reply does not quote the user, and whatever it sends parses as valid HTML.
    assert all(call.error is None for call in bot.calls())
    assert "<script>" not in bot.last_call("sendMessage").params["text"]


async def test_questions_are_logged_with_their_outcome(
    payments_user: LocalChat, db: Database
) -> None:
    await payments_user.send("как оплатить картой")
    await payments_user.send("как приготовить борщ?")
    await payments_user.send(TIED_QUERY)

    rows = await db.recent_questions(limit=10)

    by_text = {row.text: row for row in rows}
    assert by_text["как оплатить картой"].outcome is Outcome.ANSWER
    assert by_text["как оплатить картой"].entry_id == "card"
    assert by_text["как оплатить картой"].chat_id == payments_user.chat.id
    assert by_text["как оплатить картой"].user_id == payments_user.user.id
    assert by_text["как приготовить борщ?"].outcome is Outcome.NONE
    assert by_text["как приготовить борщ?"].entry_id is None
    assert by_text[TIED_QUERY].outcome is Outcome.SUGGEST
    assert {entry_id for entry_id, _ in by_text[TIED_QUERY].suggestions} == {"card", "cash"}


async def test_small_talk_is_logged_as_such(user: LocalChat, db: Database) -> None:
    await user.send("привет")

    [row] = await db.recent_questions(limit=10)
    assert row.small_talk is SmallTalk.GREETING


async def test_the_user_is_remembered(user: LocalChat, db: Database) -> None:
    await user.send("что с Байконуром?")

    row = await db.get_user(user.user.id)
    assert row is not None
    assert row.first_name == "Анна"
    assert row.language_code == "ru"


async def test_a_database_failure_does_not_cost_the_user_the_answer(
    user: LocalChat, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    await db.close()

    exchange = await user.send("что с Байконуром?")

    assert exchange.sent[0].text.startswith("Каковы сегодня приоритеты")
    assert any("could not" in message for message in caplog.messages)


def _long_answer() -> str:
    paragraph = ("Стороны обсуждают <сотрудничество> & взаимодействие регионов. " * 12).strip()
    return "\n\n".join(f"{n}. {paragraph}" for n in range(1, 13))


@pytest.fixture
def long_kb() -> KnowledgeBase:
    return KnowledgeBase(
        sections=(Section("main", "Главное"),),
        entries=(
            Entry("long", "main", "Расскажите всё подробно?", _long_answer()),
            Entry("short", "main", "Коротко?", "Да."),
        ),
        title="Тест",
    )


async def test_a_long_answer_is_split_with_the_keyboard_under_the_last_part(
    long_kb: KnowledgeBase, settings: Settings, db: Database, tmp_path: Path
) -> None:
    bot = MockedBot()
    service = FaqService.from_knowledge_base(long_kb)
    dispatcher: Dispatcher = create_dispatcher(settings=settings, service=service, db=db)
    chat = LocalChat(dispatcher, bot, user=make_user())

    exchange = await chat.send("/start long")

    parts = exchange.sent
    assert len(parts) >= 2
    assert exchange.refused == []
    assert all(utf16_length(part.text) <= MESSAGE_LIMIT for part in parts)
    assert [bool(buttons(part)) for part in parts] == [False] * (len(parts) - 1) + [True]
    joined = "\n\n".join(part.text for part in parts)
    assert joined == f"Расскажите всё подробно?\n\n{_long_answer()}"
    assert all(part.text[0].isdigit() for part in parts[1:])  # cut between paragraphs


async def test_a_long_answer_from_the_menu_edits_then_continues(
    long_kb: KnowledgeBase, settings: Settings, db: Database
) -> None:
    bot = MockedBot()
    service = FaqService.from_knowledge_base(long_kb)
    dispatcher = create_dispatcher(settings=settings, service=service, db=db)
    chat = LocalChat(dispatcher, bot, user=make_user())
    [topics] = (await chat.send("/faq")).sent
    await chat.click(topics, "Главное")

    exchange = await chat.click(topics, "Расскажите всё подробно?")

    assert exchange.callback_answered
    assert exchange.refused == []
    [edited] = exchange.edited
    assert edited.message_id == topics.message_id
    assert buttons(edited) == []
    assert len(exchange.sent) >= 1
    assert button_texts(exchange.sent[-1]) == answer_buttons(RUSSIAN, Origin.SECTION)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b \u200d\u2060", "\ufeff\n\u200e"])
async def test_a_message_of_invisible_characters_is_asked_for_a_question(
    user: LocalChat, db: Database, invisible: str
) -> None:
    [reply] = (await user.send(invisible)).sent

    assert reply.text == RUSSIAN.empty_question
    assert await db.recent_questions(limit=5) == []


@pytest.mark.parametrize("wordless", ["😀😀😀", "...", "¯\\_(ツ)_/¯", "❤️", "?!", ":)"])
async def test_a_message_without_words_is_asked_for_words_and_not_logged(
    user: LocalChat, english_user: LocalChat, db: Database, wordless: str
) -> None:
    [reply] = (await user.send(wordless)).sent
    [english] = (await english_user.send(wordless)).sent

    assert reply.text == RUSSIAN.no_words
    assert button_texts(reply) == []
    assert english.text == ENGLISH.no_words
    assert await db.recent_questions(limit=5) == []
    assert (await db.unanswered(page_size=1, include_resolved=False)).total == 0


@pytest.mark.parametrize("short", ["ж/д", "4", "2026"])
async def test_short_messages_with_letters_or_digits_still_go_to_the_engine(
    user: LocalChat, db: Database, short: str
) -> None:
    [reply] = (await user.send(short)).sent

    assert reply.text != RUSSIAN.no_words
    assert len(await db.recent_questions(limit=5)) == 1
