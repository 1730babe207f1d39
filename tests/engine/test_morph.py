"""Parts of speech of message words, asked about every word of every message, are cached."""

from bot.engine import morph


def test_adjectives_and_nouns_are_told_apart() -> None:
    assert morph.is_adjective("ближайшая")
    assert morph.is_adjective("потерянной")  # a participle describes as an adjective does
    assert not morph.is_adjective("аптека")
    assert morph.is_noun("аптека")
    assert not morph.is_noun("ближайшая")
    assert not morph.is_adjective("hello")
    assert not morph.is_noun("hello")


def test_the_caches_are_bounded_and_answer_the_same_again() -> None:
    # A user can send any words: the caches must have a size limit.
    for cached in (morph.is_adjective, morph.is_noun, morph.lemmas, morph.part_of_speech):
        assert cached.cache_info().maxsize is not None
    first = [morph.is_adjective(w) for w in ("ближайшая", "аптека", "такси")]
    morph.is_adjective.cache_clear()
    assert [morph.is_adjective(w) for w in ("ближайшая", "аптека", "такси")] == first
