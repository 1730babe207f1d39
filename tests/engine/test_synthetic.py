from bot.engine import FaqEngine, Outcome
from bot.engine.synthetic import generate_knowledge_base, sample_queries


def test_generated_base_has_the_requested_size_and_valid_structure() -> None:
    kb = generate_knowledge_base(300, seed=3)
    assert len(kb.entries) == 300
    assert len({e.id for e in kb.entries}) == 300
    assert len({e.question for e in kb.entries}) == 300
    section_ids = {s.id for s in kb.sections}
    assert len(section_ids) >= 5
    assert {e.section_id for e in kb.entries} == section_ids
    assert all(e.phrasings and e.answer for e in kb.entries)


def test_generation_is_deterministic_per_seed() -> None:
    assert generate_knowledge_base(50, seed=1) == generate_knowledge_base(50, seed=1)
    assert generate_knowledge_base(50, seed=1) != generate_knowledge_base(50, seed=2)


def test_generated_text_is_inflected_russian() -> None:
    kb = generate_knowledge_base(200, seed=0)
    text = " ".join(e.question for e in kb.entries)
    # Objects are in the accusative after verbs: "оформить электронную карту", not "карта".
    assert "ую карту" in text or "ую подписку" in text or "ую справку" in text


def test_engine_finds_generated_entries_by_their_own_questions() -> None:
    kb = generate_knowledge_base(500, seed=5)
    engine = FaqEngine.build(kb)
    for entry in kb.entries[:50]:
        result = engine.match(entry.question)
        assert result.ranked[0].entry.id == entry.id
    outcomes = {engine.match(q).outcome for q in sample_queries(kb, 100, seed=1)}
    assert Outcome.ANSWER in outcomes
    assert Outcome.NONE in outcomes
