"""Dictionary forms of Russian words (pymorphy3), cached: one analyzer per process."""

from __future__ import annotations

from functools import cache, lru_cache

import pymorphy3


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


# A second dictionary form is kept when pymorphy gives it at least this much probability,
# so that "основное" (основный or основной) still meets "основные" (основной).
SECOND_LEMMA_SHARE = 0.15


# One parse per word, shared by every question asked about it below: a word new to the
# process (a typo, an off-topic word) is parsed once, not once per question. Small, because
# the answers are cached on their own; this only has to outlive the reading of one message.
_PARSE_CACHE_SIZE = 4_096


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def _parses(word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    return tuple(analyzer().parse(word))


def _best_tag(word: str) -> pymorphy3.tagset.OpencorporaTag:
    return _parses(word)[0].tag


def _is_russian(word: str) -> bool:
    return word.isalpha() and any("а" <= ch <= "я" for ch in word)


def lemma(word: str) -> str:
    """The most likely dictionary form of a lower-case word."""
    return lemmas(word)[0]


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """Likely dictionary forms, most likely first; words pymorphy cannot parse stay as they are."""
    if not _is_russian(word):
        return (word,)
    totals: dict[str, float] = {}
    for parse in _parses(word):
        form = parse.normal_form.replace("ё", "е")
        totals[form] = totals.get(form, 0.0) + parse.score
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    kept = [form for form, share in ranked[1:3] if share >= SECOND_LEMMA_SHARE]
    return (ranked[0][0], *kept)


# Parts of speech that name things; an unknown word of these kinds is probably a topic the
# knowledge base does not cover, while an unknown verb or adverb is often just phrasing.
_CONTENT_TAGS = frozenset({"NOUN", "ADJF", "ADJS", "COMP", "NUMR"})


@lru_cache(maxsize=200_000)
def names_a_thing(word: str) -> bool:
    if not _is_russian(word):
        return True
    pos = _best_tag(word).POS
    return pos is None or str(pos) in _CONTENT_TAGS


@lru_cache(maxsize=200_000)
def part_of_speech(word: str) -> str:
    """pymorphy's most likely part of speech ("NOUN", "ADJF", ...), "" when it has none."""
    if not _is_russian(word):
        return ""
    pos = _best_tag(word).POS
    return str(pos) if pos is not None else ""


# Ordinal, pronominal and superlative adjectives ("второй", "наш", "ближайший") describe
# which one, they do not name a kind of thing the way "социальное такси" does.
_NOT_NAMING = frozenset({"Anum", "Apro", "Supr"})


@lru_cache(maxsize=200_000)
def is_naming_adjective(word: str) -> bool:
    """An adjective that, before a noun, may form a name ("социальное" такси)."""
    if not _is_russian(word):
        return False
    tag = _best_tag(word)
    return tag.POS == "ADJF" and not (_NOT_NAMING & tag.grammemes)


@lru_cache(maxsize=200_000)
def is_choosing_adjective(word: str) -> bool:
    """An ordinal, pronominal or superlative adjective ("ближайшая", "второй"): it says
    which one of something, not what the message is about."""
    if not _is_russian(word):
        return False
    tag = _best_tag(word)
    return tag.POS == "ADJF" and bool(_NOT_NAMING & tag.grammemes)


# (These two are asked about every word of every message: cached themselves, a call costs
# one look-up rather than two calls.)
@lru_cache(maxsize=200_000)
def is_adjective(word: str) -> bool:
    """An adjective or participle as written ("ближайшая", "потерянной")."""
    return part_of_speech(word) in {"ADJF", "PRTF"}


@lru_cache(maxsize=200_000)
def is_noun(word: str) -> bool:
    return part_of_speech(word) == "NOUN"


@lru_cache(maxsize=200_000)
def is_dictionary_word(word: str) -> bool:
    """True when the word is in the Russian dictionary (so it is not a typo of something else)."""
    if not word.isalpha():
        return False
    return analyzer().word_is_known(word)


@lru_cache(maxsize=50_000)
def compound_stem_adjective(part: str) -> str | None:
    """'научно' in 'научно-технический' stands for 'научный': the adjective, when one exists."""
    if len(part) < 4 or part[-1] not in "ое":
        return None
    base = part[:-1]
    for ending in ("ый", "ий", "ой"):
        candidate = base + ending
        if not analyzer().word_is_known(candidate):
            continue
        parse = _parses(candidate)[0]
        if "ADJF" in parse.tag and parse.normal_form == candidate:
            return candidate
    return None


_NAME_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})


@lru_cache(maxsize=200_000)
def is_proper_name(word: str) -> bool:
    """A place, person or organisation the dictionary knows ("китая", "назарбаев")."""
    if not word.isalpha() or not is_dictionary_word(word):
        return False
    return bool(_NAME_TAGS & _best_tag(word).grammemes)


def is_collective_numeral_of_people(word: str) -> bool:
    """'двоих', 'троим': a collective numeral in a form that counts people ("за двоих", "на
    троих"), unlike 'двое'/'трое' that also count things ("двое суток")."""
    tag = _best_tag(word)
    return tag.POS == "NUMR" and "Coll" in tag.grammemes and "nomn" not in tag.grammemes
