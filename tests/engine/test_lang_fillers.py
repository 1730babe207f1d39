"""Everyday words people wrap a question in (discourse words, hedges, when-words, politeness)
change nothing: the message is answered as it would be without them, on any knowledge base."""

from __future__ import annotations

import pytest

from bot.engine import FaqEngine
from bot.engine.lang import russian
from bot.engine.types import Outcome
from tests.engine.conftest import small_kb


@pytest.fixture(scope="module")
def library() -> FaqEngine:
    """A small base far from both shipped ones: a city library."""
    kb = small_kb(
        (
            "card",
            "Как записаться в библиотеку?",
            "Возьмите паспорт и приходите на абонемент: читательский билет выдают бесплатно.",
            ("Как получить читательский билет?",),
        ),
        (
            "renew",
            "Как продлить книгу?",
            "Срок можно продлить на две недели на сайте или по телефону абонемента.",
            ("Можно ли продлить срок возврата книги?",),
        ),
        (
            "hours",
            "Когда работает библиотека?",
            "Со вторника по субботу с 10 до 20, воскресенье и понедельник выходные.",
            ("Часы работы библиотеки",),
        ),
        (
            "lost",
            "Что делать, если я потерял книгу?",
            "Принесите такую же книгу или возместите её стоимость на абонементе.",
            ("Потерял библиотечную книгу",),
        ),
    )
    return FaqEngine.build(kb)


def _answer(engine: FaqEngine, message: str) -> str | None:
    result = engine.match(message)
    assert result.outcome is Outcome.ANSWER, engine.explain(message)
    assert result.best is not None
    return result.best.entry.id


@pytest.mark.parametrize(
    ("plain", "wrapped"),
    [
        ("как продлить книгу", "а теперь опять как продлить книгу"),
        ("как продлить книгу", "в принципе, как продлить книгу"),
        ("как продлить книгу", "люди добрые, ну типа как продлить книгу"),
        ("как продлить книгу", "ммм, ok, в смысле как продлить книгу"),
        ("как записаться в библиотеку", "глупый вопрос, но как записаться в библиотеку"),
        ("как записаться в библиотеку", "товарищи, подскажите, как записаться в библиотеку"),
        ("когда работает библиотека", "кто в курсе, когда работает библиотека"),
        ("когда работает библиотека", "а вы в курсе, когда работает библиотека"),
        ("когда работает библиотека", "ладно, а когда работает библиотека"),
        ("когда работает библиотека", "в последнее время когда работает библиотека"),
        ("потерял книгу что делать", "жесть, потерял книгу, что делать"),
    ],
)
def test_filler_words_do_not_change_the_answer(
    library: FaqEngine, plain: str, wrapped: str
) -> None:
    assert _answer(library, wrapped) == _answer(library, plain)


@pytest.mark.parametrize(
    "message",
    [
        "ну и что теперь",
        "опять ты не понимаешь",
        "честно говоря мне скучно",
        "слушай, расскажи анекдот",
    ],
)
def test_a_message_of_filler_alone_is_not_answered(library: FaqEngine, message: str) -> None:
    assert library.match(message).outcome is not Outcome.ANSWER


def test_everyday_words_are_stop_words_and_topics_are_not() -> None:
    language = russian()
    for word in ("теперь", "опять", "потом", "конечно", "наверное", "извинить", "спасибо"):
        assert word in language.stop_words
    # words that are the topic of some knowledge base keep (at least) a reduced weight
    for word in ("время", "карта", "деньги", "документ", "сегодня", "вопрос", "искать", "забыть"):
        assert word not in language.stop_words
