"""Inline keyboards: pure functions from the knowledge base and texts to markup."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import EntryCallback, MenuCallback, Origin, SectionCallback
from bot.formatting import shorten
from bot.knowledge.model import Entry, KnowledgeBase
from bot.texts import Texts

# Telegram clients cut long button labels with an ellipsis of their own, mid-word; cutting at a
# word boundary first keeps questions readable.
QUESTION_BUTTON_WIDTH = 60
MAX_SUGGESTIONS = 3


def _button(text: str, callback_data: str) -> list[InlineKeyboardButton]:
    """A row with one button: questions are long, so every button gets its own row."""
    return [InlineKeyboardButton(text=text, callback_data=callback_data)]


def _all_topics(texts: Texts) -> list[InlineKeyboardButton]:
    return _button(texts.all_topics, MenuCallback().pack())


def sections_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """One button per section, in the knowledge base's order."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(section.title, SectionCallback(section_id=section.id).pack())
            for section in kb.sections
        ]
    )


def _entry_buttons(entries: Iterable[Entry], origin: Origin) -> list[list[InlineKeyboardButton]]:
    return [
        _button(
            shorten(entry.question, QUESTION_BUTTON_WIDTH),
            EntryCallback(entry_id=entry.id, origin=origin).pack(),
        )
        for entry in entries
    ]


def section_keyboard(kb: KnowledgeBase, section_id: str, texts: Texts) -> InlineKeyboardMarkup:
    """The section's questions, then a way back to all topics."""
    rows = _entry_buttons(kb.entries_in(section_id), Origin.SECTION)
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _all_topics(texts)])


def answer_keyboard(entry: Entry, texts: Texts, origin: Origin) -> InlineKeyboardMarkup:
    """Under an answer: the other questions of its section, and all topics."""
    to_section = texts.back_to_questions if origin is Origin.SECTION else texts.more_on_topic
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(to_section, SectionCallback(section_id=entry.section_id).pack()),
            _all_topics(texts),
        ]
    )


def suggestions_keyboard(entries: Iterable[Entry], texts: Texts) -> InlineKeyboardMarkup:
    """Up to three "did you mean" questions, then all topics."""
    rows = _entry_buttons(list(entries)[:MAX_SUGGESTIONS], Origin.SEARCH)
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _all_topics(texts)])
