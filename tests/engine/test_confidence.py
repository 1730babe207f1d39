"""The answer decision: the evidence weighed, the probability and the confidence shown."""

from __future__ import annotations

import pytest

from bot.engine import FaqEngine, Outcome
from bot.engine.confidence import (
    ANSWER_CONFIDENCE,
    DEFAULT_MODEL,
    SUGGEST_CONFIDENCE,
    Evidence,
    Model,
)
from bot.engine.query import ReadQuery
from bot.engine.scoring import EntryScore


def evidence(
    score: float,
    words: int = 3,
    runner_up: float = 0.0,
    named: float = 1.0,
    *,
    unasked: float = 0.0,
    unknown_actions: float = 0.0,
    asks: bool = False,
) -> Evidence:
    return Evidence(score, words, runner_up, named, unasked, unknown_actions, asks)


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
    # "когда" is in a phrasing of the Baikonur entry ("Когда юбилей космодрома Байконур?").
    asked = faq_engine.evidence(*_read_and_rank(faq_engine, "когда юбилей космодрома Байконур"))
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
    jubilee = faq_engine.evidence(*_read_and_rank(faq_engine, "когда юбилей космодрома Байконур"))
    assert jubilee is not None
    assert jubilee.unknown_actions == 0.0
    assert faq_engine.model.probability(built) < faq_engine.model.probability(jubilee)


def _read_and_rank(engine: FaqEngine, text: str) -> tuple[ReadQuery, list[EntryScore]]:
    query = engine.read(text)
    return query, engine.rank(query)


def test_engine_reports_the_evidence_of_its_best_entry(faq_engine: FaqEngine) -> None:
    query = faq_engine.read("когда юбилей космодрома Байконур")
    ranked = faq_engine.rank(query)
    found = faq_engine.evidence(query, ranked)
    assert found is not None
    assert found.score == ranked[0].score
    assert found.words == 4  # "когда" counts too: a question word is meaningful
    assert 0.0 <= found.runner_up <= 1.0
    result = faq_engine.match("когда юбилей космодрома Байконур")
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
    text = faq_engine.explain("когда юбилей космодрома Байконур")
    assert "meaningful words" in text
    assert "right-answer probability" in text
    assert "question words no question or phrasing of the entry asks" in text
    assert "actions the base does not know" in text
    assert "no question word" in faq_engine.explain("приоритеты сотрудничества")
