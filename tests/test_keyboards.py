"""Keyboards are pure functions of the knowledge base and the texts."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot import telegram_rules
from bot.callbacks import EntryCallback, MenuCallback, Origin, SectionCallback
from bot.keyboards import (
    MAX_SUGGESTIONS,
    QUESTION_BUTTON_WIDTH,
    answer_keyboard,
    section_keyboard,
    sections_keyboard,
    suggestions_keyboard,
)
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.texts import ENGLISH, RUSSIAN


@pytest.fixture
def kb() -> KnowledgeBase:
    long_question = "Как " + "очень " * 30 + "длинный вопрос?"
    return KnowledgeBase(
        sections=(Section("a" * 32, "Первая тема"), Section("second", "Вторая")),
        entries=(
            Entry("x" * 32, "a" * 32, long_question, "Ответ."),
            Entry("short", "a" * 32, "Коротко?", "Да."),
            Entry("other", "second", "Другой?", "Нет."),
        ),
    )


def rows(markup: InlineKeyboardMarkup) -> list[list[tuple[str, str | None]]]:
    return [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]


def test_sections_keyboard_has_one_button_per_section_in_order(kb: KnowledgeBase) -> None:
    assert rows(sections_keyboard(kb)) == [
        [("Первая тема", SectionCallback(section_id="a" * 32).pack())],
        [("Вторая", "s:second")],
    ]


def test_section_keyboard_lists_its_questions_then_all_topics(kb: KnowledgeBase) -> None:
    markup = section_keyboard(kb, "a" * 32, RUSSIAN)

    texts = [row[0][0] for row in rows(markup)]
    data = [row[0][1] for row in rows(markup)]
    assert texts[1:] == ["Коротко?", RUSSIAN.all_topics]
    assert data == [
        EntryCallback(entry_id="x" * 32, origin=Origin.SECTION).pack(),
        "e:short:s",
        MenuCallback().pack(),
    ]


def test_long_questions_are_cut_at_a_word_with_an_ellipsis(kb: KnowledgeBase) -> None:
    label = rows(section_keyboard(kb, "a" * 32, RUSSIAN))[0][0][0]

    assert len(label) <= QUESTION_BUTTON_WIDTH
    assert label.endswith("очень…")
    assert label.startswith("Как очень очень")


def test_answer_keyboard_depends_on_where_the_answer_was_opened(kb: KnowledgeBase) -> None:
    entry = kb.entries[2]

    from_section = rows(answer_keyboard(entry, RUSSIAN, Origin.SECTION))
    from_search = rows(answer_keyboard(entry, ENGLISH, Origin.SEARCH))

    assert from_section == [[(RUSSIAN.back_to_questions, "s:second")], [(RUSSIAN.all_topics, "m")]]
    assert from_search == [[(ENGLISH.more_on_topic, "s:second")], [(ENGLISH.all_topics, "m")]]


def test_suggestions_keyboard_offers_at_most_three(kb: KnowledgeBase) -> None:
    many = [*kb.entries, *kb.entries]

    markup = suggestions_keyboard(many, RUSSIAN)

    data = [row[0][1] for row in rows(markup)]
    assert len(data) == MAX_SUGGESTIONS + 1
    assert data[0] == EntryCallback(entry_id="x" * 32, origin=Origin.SEARCH).pack()
    assert data[-1] == "m"


def test_every_keyboard_is_accepted_by_telegram(kb: KnowledgeBase) -> None:
    markups = [
        sections_keyboard(kb),
        *(section_keyboard(kb, s.id, texts) for s in kb.sections for texts in (RUSSIAN, ENGLISH)),
        *(answer_keyboard(e, RUSSIAN, origin) for e in kb.entries for origin in Origin),
        suggestions_keyboard(kb.entries, ENGLISH),
    ]
    for markup in markups:
        assert telegram_rules.check_reply_markup(markup.model_dump(exclude_none=True)) is None
