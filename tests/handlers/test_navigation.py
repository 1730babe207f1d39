"""Inline navigation: topics -> questions -> answer -> back, edited in place."""

from __future__ import annotations

from aiogram.types import InaccessibleMessage, Message

from bot.callbacks import (
    EntryCallback,
    MenuCallback,
    Origin,
    SectionCallback,
    SectionPageCallback,
)
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.formatting import shorten
from bot.keyboards import QUESTION_BUTTON_WIDTH
from bot.local_api import LocalChat, button_texts
from bot.service import FaqService
from bot.storage import Database
from bot.texts import RUSSIAN
from tests.handlers.screens import answer_buttons, long_section_kb
from tests.mocked_bot import MockedBot


async def open_topics(user: LocalChat) -> Message:
    [message] = (await user.send("/faq")).sent
    return message


async def test_section_tap_edits_the_same_message_into_its_questions(
    user: LocalChat, bot: MockedBot, faq_service: FaqService
) -> None:
    topics = await open_topics(user)

    exchange = await user.click(topics, "🗺 Регионы и приграничье")

    assert exchange.callback_answered
    assert exchange.sent == []
    [edited] = exchange.edited
    edit = bot.last_call("editMessageText")
    assert edit.params["chat_id"] == topics.chat.id
    assert edit.params["message_id"] == topics.message_id
    assert edited.message_id == topics.message_id
    assert edited.text == "🗺 Регионы и приграничье\nВыберите вопрос:"
    questions = [
        shorten(e.question, QUESTION_BUTTON_WIDTH) for e in faq_service.kb.entries_in("regions")
    ]
    assert button_texts(edited) == [*questions, RUSSIAN.all_topics]


async def test_question_tap_shows_the_exact_answer_with_back_buttons(
    user: LocalChat, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entry("growth")
    assert entry is not None
    topics = await open_topics(user)
    await user.click(topics, "🗺 Регионы и приграничье")

    exchange = await user.click(topics, entry.question)

    assert exchange.callback_answered
    [answer] = exchange.edited
    assert answer.message_id == topics.message_id
    assert answer.text == f"{entry.question}\n\n{entry.answer}"
    assert button_texts(answer) == answer_buttons(RUSSIAN, Origin.SECTION)


async def test_back_buttons_lead_to_the_section_and_to_all_topics(
    user: LocalChat, faq_service: FaqService
) -> None:
    topics = await open_topics(user)
    await user.click(topics, "🤝 Приоритеты сотрудничества")
    await user.click(topics, "Каковы сегодня приоритеты")

    back = await user.click(topics, RUSSIAN.back_to_questions)
    assert back.last.text.startswith("🤝 Приоритеты сотрудничества")

    home = await user.click(topics, RUSSIAN.all_topics)
    assert home.last.text == RUSSIAN.choose_topic
    assert button_texts(home.last) == [s.title for s in faq_service.kb.sections]
    assert home.last.message_id == topics.message_id


async def test_tapping_the_same_button_twice_is_harmless(user: LocalChat) -> None:
    topics = await open_topics(user)
    await user.click(topics, "🌐 Интеграция")
    stale = topics  # the same button pressed again from the old keyboard
    section = SectionCallback(section_id="integration").pack()

    again = await user.press(section, stale)

    assert again.callback_answered
    assert [call.error for call in again.refused] == [
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    ]
    assert again.sent == []


async def test_every_navigation_step_is_accepted_by_telegram_rules(user: LocalChat) -> None:
    topics = await open_topics(user)
    steps = [
        await user.click(topics, "🗺 Регионы и приграничье"),
        await user.click(topics, "Как складывается"),
        await user.click(topics, RUSSIAN.back_to_questions),
        await user.click(topics, RUSSIAN.all_topics),
    ]
    assert all(step.refused == [] and step.callback_answered for step in steps)


async def test_unknown_section_or_entry_after_an_edit_gets_a_notice(user: LocalChat) -> None:
    topics = await open_topics(user)

    for data in (
        SectionCallback(section_id="removed").pack(),
        EntryCallback(entry_id="removed", origin=Origin.SECTION).pack(),
    ):
        exchange = await user.press(data, topics)
        assert exchange.callback_answered
        assert exchange.notices == [RUSSIAN.stale_button]
        assert exchange.shown == []


async def test_a_button_under_an_inaccessible_message_sends_a_new_message(
    user: LocalChat, faq_service: FaqService
) -> None:
    old = InaccessibleMessage(chat=user.chat, message_id=1, date=0)

    exchange = await user.press(SectionCallback(section_id="integration").pack(), old)

    assert exchange.callback_answered
    assert exchange.edited == []
    [message] = exchange.sent
    assert message.text.startswith("🌐 Интеграция")


async def test_a_message_deleted_meanwhile_gets_a_new_message(user: LocalChat) -> None:
    topics = await open_topics(user)
    await user.bot.delete_message(topics.chat.id, topics.message_id)

    exchange = await user.press(MenuCallback().pack(), topics)

    assert exchange.callback_answered
    assert exchange.sent[0].text == RUSSIAN.choose_topic


async def test_a_suggestion_tap_answers_in_a_new_message(
    user: LocalChat, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entry("scope")
    assert entry is not None
    topics = await open_topics(user)

    exchange = await user.press(
        EntryCallback(entry_id="scope", origin=Origin.SEARCH).pack(), topics
    )

    assert exchange.callback_answered
    assert exchange.edited == []
    [answer] = exchange.sent
    assert answer.text == f"{entry.question}\n\n{entry.answer}"
    assert button_texts(answer) == answer_buttons(RUSSIAN, Origin.SEARCH)


def chat_with_a_long_section(
    settings: Settings, db: Database, bot: MockedBot, count: int = 45
) -> LocalChat:
    """A user of a bot whose only section has ``count`` questions."""
    service = FaqService.from_knowledge_base(long_section_kb(count))
    return LocalChat(create_dispatcher(settings=settings, service=service, db=db), bot)


async def test_a_long_section_is_shown_twenty_questions_to_a_page(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    user = chat_with_a_long_section(settings, db, bot)
    topics = await open_topics(user)

    first = (await user.click(topics, "Вопросы")).last
    assert button_texts(first) == [
        *(f"Вопрос номер {n}?" for n in range(20)),
        RUSSIAN.next_page,
        RUSSIAN.all_topics,
    ]
    second = await user.click(first, RUSSIAN.next_page)
    assert second.sent == []  # edited in place
    assert button_texts(second.last) == [
        *(f"Вопрос номер {n}?" for n in range(20, 40)),
        RUSSIAN.previous_page,
        RUSSIAN.next_page,
        RUSSIAN.all_topics,
    ]
    third = (await user.click(second.last, RUSSIAN.next_page)).last
    assert button_texts(third)[:6] == [*(f"Вопрос номер {n}?" for n in range(40, 45)), "◀️ Назад"]

    # An answer opened from the third page leads back to the third page.
    answer = (await user.click(third, "Вопрос номер 42?")).last
    assert answer.text == "Вопрос номер 42?\n\nОтвет 42."
    back = (await user.click(answer, RUSSIAN.back_to_questions)).last
    assert button_texts(back) == button_texts(third)


async def test_a_section_of_a_hundred_and_twenty_questions_opens(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    # Telegram refuses a keyboard of more than 100 buttons: without pages this tap did nothing.
    user = chat_with_a_long_section(settings, db, bot, count=120)

    opened = await user.click(await open_topics(user), "Вопросы")

    assert opened.refused == []
    assert len(button_texts(opened.last)) == 22
    assert opened.callback_answered


async def test_a_forged_page_number_shows_the_nearest_page(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    user = chat_with_a_long_section(settings, db, bot)
    topics = await open_topics(user)

    beyond = await user.press(SectionPageCallback(section_id="general", page=10**9).pack(), topics)
    before = await user.press(SectionPageCallback(section_id="general", page=-3).pack(), topics)

    assert button_texts(beyond.last)[0] == "Вопрос номер 40?"
    assert button_texts(before.last)[0] == "Вопрос номер 0?"
