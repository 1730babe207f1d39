"""The answer decision: the evidence weighed, the probability and the confidence shown."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine import FaqEngine, Outcome
from bot.engine.confidence import (
    ANSWER_CONFIDENCE,
    DEFAULT_MODEL,
    SUGGEST_CONFIDENCE,
    Evidence,
    InformationKinds,
    Model,
)
from bot.engine.lang import russian
from bot.engine.query import ReadQuery
from bot.engine.scoring import EntryScore
from tests.engine.conftest import small_kb


def evidence(
    score: float,
    words: int = 3,
    runner_up: float = 0.0,
    named: float = 1.0,
    *,
    unasked: float = 0.0,
    unknown_actions: float = 0.0,
    asks: bool = False,
    unprovided: bool = False,
) -> Evidence:
    return Evidence(score, words, runner_up, named, unasked, unknown_actions, asks, unprovided)


@pytest.mark.parametrize("score", [0.0, 0.1, 0.29, 0.3, 0.45, 0.6, 0.8, 1.0])
@pytest.mark.parametrize("words", [1, 3, 20])
def test_confidence_stays_in_the_unit_interval(score: float, words: int) -> None:
    shown = DEFAULT_MODEL.confidence(evidence(score, words, runner_up=0.5, named=0.3))
    assert 0.0 <= shown <= 1.0


def test_below_the_suggesting_point_the_lexical_score_is_shown() -> None:
    assert DEFAULT_MODEL.confidence(evidence(0.2)) == 0.2


def test_above_it_the_message_is_at_least_a_suggestion() -> None:
    assert DEFAULT_MODEL.confidence(evidence(SUGGEST_CONFIDENCE, words=1)) >= SUGGEST_CONFIDENCE


def test_the_answer_probability_lands_on_the_answer_confidence() -> None:
    # A model whose probability is exactly its answer probability for this evidence.
    model = Model(0.0, (0.0,) * len(evidence(0.5).features()), 0.5)
    assert model.confidence(evidence(0.5)) == pytest.approx(ANSWER_CONFIDENCE)


def test_confidence_grows_with_the_lexical_score_and_the_words_explained() -> None:
    scores = [DEFAULT_MODEL.confidence(evidence(s)) for s in (0.35, 0.5, 0.65, 0.8, 0.95)]
    assert scores == sorted(scores)
    assert DEFAULT_MODEL.confidence(evidence(0.55, words=5)) > DEFAULT_MODEL.confidence(
        evidence(0.55, words=1)
    )


def test_a_lone_generic_match_is_weaker_than_a_whole_question_explained() -> None:
    """The same lexical score from one matched word is a suggestion; from a question of
    several words all explained, an answer."""
    one_word = DEFAULT_MODEL.confidence(evidence(0.58, words=1, named=0.5))
    question = DEFAULT_MODEL.confidence(evidence(0.58, words=6, named=1.0))
    assert one_word < ANSWER_CONFIDENCE <= question


def test_a_question_word_no_phrasing_asks_lowers_the_confidence() -> None:
    """A message asking "сколько" of an entry none of whose questions asks "сколько" is
    likely about the entry's topic, not the number it asks for."""
    asked = DEFAULT_MODEL.confidence(evidence(0.76, words=4, asks=True))
    unasked = DEFAULT_MODEL.confidence(evidence(0.76, words=4, asks=True, unasked=0.15))
    assert unasked < asked


def test_an_action_the_base_does_not_know_lowers_the_confidence() -> None:
    known = DEFAULT_MODEL.confidence(evidence(0.74, words=3))
    unknown = DEFAULT_MODEL.confidence(evidence(0.74, words=3, unknown_actions=0.3))
    assert unknown < known


def test_engine_weighs_the_question_words_the_entry_asks(faq_engine: FaqEngine) -> None:
    # "сколько" is in a phrasing of the regions entry ("Сколько российских областей ...?").
    asked = faq_engine.evidence(
        *_read_and_rank(faq_engine, "сколько областей граничит с Казахстаном")
    )
    assert asked is not None
    assert asked.asks
    assert asked.unasked == 0.0
    # No question or phrasing of the oil entry asks "сколько".
    oil = faq_engine.evidence(*_read_and_rank(faq_engine, "сколько нефти добывают на каспии"))
    assert oil is not None
    assert oil.asks
    assert 0.0 < oil.unasked < 0.5
    plain = faq_engine.evidence(*_read_and_rank(faq_engine, "приоритеты сотрудничества"))
    assert plain is not None
    assert not plain.asks
    assert plain.unasked == 0.0


def test_engine_weighs_the_actions_the_base_does_not_know(faq_engine: FaqEngine) -> None:
    built = faq_engine.evidence(*_read_and_rank(faq_engine, "когда построили байконур"))
    assert built is not None
    assert built.unknown_actions > 0.2  # "построили": no entry talks about building
    borders = faq_engine.evidence(
        *_read_and_rank(faq_engine, "сколько областей граничит с Казахстаном")
    )
    assert borders is not None
    assert borders.unknown_actions == 0.0
    assert faq_engine.model.probability(built) < faq_engine.model.probability(borders)


def _read_and_rank(engine: FaqEngine, text: str) -> tuple[ReadQuery, list[EntryScore]]:
    query = engine.read(text)
    return query, engine.rank(query)


def test_engine_reports_the_evidence_of_its_best_entry(faq_engine: FaqEngine) -> None:
    query = faq_engine.read("сколько областей граничит с Казахстаном")
    ranked = faq_engine.rank(query)
    found = faq_engine.evidence(query, ranked)
    assert found is not None
    assert found.score == ranked[0].score
    assert found.words == 4  # "сколько" counts too: a question word is meaningful
    assert 0.0 <= found.runner_up <= 1.0
    result = faq_engine.match("сколько областей граничит с Казахстаном")
    assert result.outcome is Outcome.ANSWER
    assert result.score == pytest.approx(DEFAULT_MODEL.confidence(found), abs=1e-4)


def test_suggestions_keep_the_best_first_order(transport_engine: FaqEngine) -> None:
    result = transport_engine.match("потерял банковскую карту в автобусе")
    scores = [c.score for c in result.ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_no_evidence_without_a_match(faq_engine: FaqEngine) -> None:
    query = faq_engine.read("как приготовить борщ")
    assert faq_engine.evidence(query, []) is None


def test_explain_shows_the_decision(faq_engine: FaqEngine) -> None:
    text = faq_engine.explain("сколько областей граничит с Казахстаном")
    assert "meaningful words" in text
    assert "right-answer probability" in text
    assert "question words no question or phrasing of the entry asks" in text
    assert "actions the base does not know" in text
    assert "asks for no kind of information the entry lacks" in text
    assert "is things the base knows that the entry lacks" in text
    assert "the entry does not give" in faq_engine.explain(
        "В каком году был основан космодром Байконур?"
    )
    assert "no question word" in faq_engine.explain("приоритеты сотрудничества")


@pytest.fixture(scope="module")
def kinds() -> InformationKinds:
    return InformationKinds(russian().information_kinds)


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("В каком году был основан космодром?", {"year"}),
        ("когда откроют станцию", {"moment"}),
        ("Перечислите области, какие именно?", {"listing"}),
        ("адрес депо", {"address"}),
        ("где находится офис", {"address"}),
        ("как позвонить в диспетчерскую", {"phone"}),
        ("сколько стоит билет", {"money", "quantity"}),
        ("товарооборот в долларах", {"money"}),
        ("маршрутка до скольки ходит?", {"clock"}),
        ("ВО СКОЛЬКО первый трамвай", {"clock", "quantity"}),
        ("сколько нефти добывают", {"quantity"}),
        ("приоритеты сотрудничества", set()),
        ("какая часть пути", set()),  # "час" only as a whole word of a time
        ("какую годовщину отмечают", set()),  # an event, not a year ("год" as a whole word)
        ("в какие годы строили", {"year"}),
        ("", set()),
    ],
)
def test_the_kind_of_information_a_message_asks_for(
    kinds: InformationKinds, message: str, asked: set[str]
) -> None:
    assert kinds.asked(message) == asked


def test_the_kinds_an_answer_gives(kinds: InformationKinds) -> None:
    assert kinds.given("Основан в 1955 году.", ()) >= {"year", "moment"}
    assert "year" not in kinds.given("Проездной стоит 1500 рублей.", ())
    assert "money" in kinds.given("Проездной стоит 1500 рублей.", ())
    assert "clock" in kinds.given("Ходит с 6:00 до 23:30.", ())
    assert "phone" in kinds.given("Звоните: 8 800 100-45-45.", ())
    assert "address" in kinds.given("Бюро находок: ул. Вокзальная, 12.", ())
    assert "listing" in kinds.given("Работают в Омской, Курганской и Тюменской областях.", ())
    assert "quantity" in kinds.given("На 12 областей приходится 55 процентов.", ())
    assert "quantity" in kinds.given("Провоз бесплатный.", ())
    assert "quantity" not in kinds.given("Готовятся к 50-летию космодрома.", ())
    assert kinds.given("Стороны обсуждают широкий круг вопросов.", ()) == frozenset()
    # A question or phrasing asking for a kind declares that the answer gives it.
    assert kinds.given("Стороны обсуждают широкий круг вопросов.", ("Когда юбилей?",)) == {"moment"}


def test_engine_weighs_a_kind_of_information_the_entry_does_not_give(
    faq_engine: FaqEngine, transport_engine: FaqEngine
) -> None:
    def weighed(engine: FaqEngine, text: str) -> Evidence:
        found = engine.evidence(*_read_and_rank(engine, text), text)
        assert found is not None
        return found

    # The Baikonur entry mentions the jubilee, gives no year and no date.
    year = weighed(faq_engine, "В каком году был основан космодром Байконур?")
    assert year.unprovided
    assert weighed(faq_engine, "когда юбилей космодрома Байконур").unprovided
    assert not weighed(faq_engine, "сколько областей граничит с Казахстаном").unprovided
    assert not weighed(faq_engine, "приоритеты сотрудничества").unprovided
    # The lost-documents answer names a police department but no phone number.
    police = weighed(transport_engine, "как позвонить в отдел полиции Центрального района")
    assert police.unprovided
    assert faq_engine.model.probability(year) < faq_engine.model.probability(
        replace(year, unprovided=False)
    )


def test_a_detail_the_answer_only_mentions_is_not_answered(
    faq_engine: FaqEngine, transport_engine: FaqEngine
) -> None:
    assert faq_engine.match("В каком году был основан космодром Байконур?").outcome is not (
        Outcome.ANSWER
    )
    assert transport_engine.match("маршрутка 12к до скольки ходит?").outcome is not (Outcome.ANSWER)
    assert faq_engine.match("когда юбилей космодрома Байконур").outcome is not Outcome.ANSWER
    # The same topics asked about what the entries do give are still answered.
    jubilee = faq_engine.match("будут ли вместе отмечать юбилей байконура")
    assert jubilee.outcome is Outcome.ANSWER
    assert transport_engine.match("сколько стоит проезд в маршрутке").outcome is Outcome.ANSWER


def test_engine_weighs_a_which_question_no_question_of_the_entry_asks() -> None:
    engine = FaqEngine.build(
        small_kb(
            (
                "night",
                "Ходит ли транспорт ночью?",
                "Ночные маршруты Н1 и Н2 отходят от вокзала, остановки по требованию.",
                ("Есть ли ночные автобусы?",),
            ),
            (
                "fare",
                "Сколько стоит проезд?",
                "Проезд стоит 46 рублей, остановки не влияют на цену.",
                ("Какие тарифы на проезд?",),
            ),
            ("hotline", "Как связаться со справочной?", "Телефон 8 800 100-45-45.", ()),
        )
    )

    def weighed(text: str) -> Evidence:
        found = engine.evidence(*_read_and_rank(engine, text), text)
        assert found is not None
        return found

    # The night entry mentions its stops, but none of its questions asks which ones.
    stops = weighed("Какие остановки у ночного маршрута Н2?")
    assert stops.which_unasked
    assert engine.model.probability(stops) < engine.model.probability(
        replace(stops, which_unasked=False)
    )
    assert "none of its questions asks which one of" in engine.explain(
        "Какие остановки у ночного маршрута Н2?"
    )
    # The fare entry asks which fares; "где" asks no which-question.
    assert not weighed("какие тарифы на проезд в автобусе").which_unasked
    assert not weighed("ночные маршруты где остановки").which_unasked
    # The phone number the answer gives tells which number to call.
    assert not weighed("по какому телефону связаться со справочной").which_unasked


def test_a_set_phrase_with_a_question_word_asks_for_nothing() -> None:
    language = russian()
    kinds = InformationKinds(language.information_kinds, language.filler_phrases)
    assert kinds.asked("Какие темы поднимают, когда речь идёт об интеграции?") == frozenset()
    assert kinds.asked("когда говорят о сотрудничестве, что имеют в виду") == frozenset()
    assert kinds.asked("когда откроют станцию") == {"moment"}


def test_a_thing_the_base_knows_elsewhere_lowers_the_confidence() -> None:
    """A message naming something other entries hold and the best one lacks ("сезонный
    абонемент на велопрокат" for the bike-hire entry) is about something else, or two things."""
    whole = DEFAULT_MODEL.probability(evidence(0.7, words=3, named=0.7))
    lacking = DEFAULT_MODEL.probability(
        replace(evidence(0.7, words=3, named=0.7), known_elsewhere=0.4)
    )
    assert lacking < whole


def test_engine_weighs_the_things_the_base_knows_that_the_entry_lacks() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("hire", "Как взять велосипед в прокат?", "Через приложение, 100 рублей в час.", ()),
            ("pass", "Сколько стоит проездной?", "Проездной на месяц стоит 2000 рублей.", ()),
            ("night", "Ходят ли ночные автобусы?", "Да, с полуночи до пяти утра.", ()),
        )
    )

    def known_elsewhere(message: str) -> float:
        query = engine.read(message)
        ranked = engine.rank(query)
        assert engine.kb.entries[ranked[0].entry].id == "hire"
        found = engine.evidence(query, ranked, message)
        assert found is not None
        return found.known_elsewhere

    assert known_elsewhere("как взять велосипед в прокат") == 0.0
    # "проездной" is the pass entry's: the hire entry explains only the rest of the message.
    assert known_elsewhere("проездной на прокат велосипеда") > 0.1
