"""Escaping and splitting long text into messages Telegram accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import telegram_rules
from bot.formatting import (
    MESSAGE_LIMIT,
    answer_messages,
    clip,
    escape,
    shorten,
    split_text,
    utf16_length,
)
from bot.knowledge.model import Entry


def test_escape_keeps_markup_characters_literal() -> None:
    html = escape('<b>Tom & "Jerry"</b>')

    assert html == '&lt;b&gt;Tom &amp; "Jerry"&lt;/b&gt;'
    assert telegram_rules.html_to_plain(html) == '<b>Tom & "Jerry"</b>'


def test_short_text_is_one_part() -> None:
    assert split_text("  Коротко.  ") == ["Коротко."]


def test_splits_at_paragraphs_first() -> None:
    text = "Первый абзац. Ещё предложение.\n\nВторой абзац."

    assert split_text(text, limit=40) == ["Первый абзац. Ещё предложение.", "Второй абзац."]


def test_then_at_sentences() -> None:
    text = "Первое предложение. Второе предложение. Третье."

    assert split_text(text, limit=42) == ["Первое предложение. Второе предложение.", "Третье."]


def test_then_at_words() -> None:
    assert split_text("один два три четыре", limit=10) == ["один два", "три четыре"]


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_text("абвгдеёжзи", limit=4) == ["абвг", "деёж", "зи"]


def test_emoji_count_as_two_utf16_units_and_are_never_cut_in_half() -> None:
    parts = split_text("😀" * 5, limit=4)

    assert parts == ["😀😀", "😀😀", "😀"]


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("аб в.\n😀&<")),
        min_size=1,
        max_size=400,
    ),
    st.integers(min_value=4, max_value=60),
)
def test_parts_fit_and_keep_every_non_space_character(text: str, limit: int) -> None:
    parts = split_text(text, limit=limit)

    assert all(utf16_length(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_answer_messages_bold_the_question_and_escape_both() -> None:
    entry = Entry("id", "s", "Что такое <b>?", "Это & то.")

    assert answer_messages(entry) == ["<b>Что такое &lt;b&gt;?</b>\n\nЭто &amp; то."]


@pytest.mark.parametrize("answer_length", [4000, 4096, 9000, 20000])
def test_long_answers_become_several_valid_messages(answer_length: int) -> None:
    sentence = "Россия & Казахстан <развивают> сотрудничество. "
    answer = (sentence * (answer_length // len(sentence) + 1))[:answer_length]
    entry = Entry("id", "s", "Вопрос?", answer)

    messages = answer_messages(entry)

    for message in messages:
        assert telegram_rules.check_text(message, "HTML") is None
    plain = [telegram_rules.html_to_plain(m) for m in messages]
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in plain)
    assert "".join("".join(plain).split()) == "".join(f"Вопрос?{answer}".split())


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Как складывается межрегиональное взаимодействие?", 30) == ("Как складывается…")
    assert shorten("Коротко?", 30) == "Коротко?"


def test_answer_messages_are_a_fresh_list_every_time() -> None:
    """The parts are prepared once per entry; a caller changing its list changes no other."""
    entry = Entry("id", "s", "Вопрос?", "Ответ.")
    first = answer_messages(entry)
    first.append("лишнее")

    assert answer_messages(entry) == ["<b>Вопрос?</b>\n\nОтвет."]


def test_clip_counts_utf16_units_and_keeps_line_breaks() -> None:
    assert clip("  строка\nвторая  ", 20) == "строка\nвторая"
    assert clip("абвгд", 4) == "абв…"
    clipped = clip("😀" * 10, 7)  # an emoji is two units: three of them and the ellipsis
    assert clipped == "😀😀😀…"
    assert utf16_length(clipped) <= 7
