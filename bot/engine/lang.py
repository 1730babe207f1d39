"""General language knowledge (stop words, small talk, transliteration) read from lang_ru.toml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TypeVar

from bot.engine.types import SmallTalk

_Item = TypeVar("_Item")


class SetPhrases:
    """Set phrases of two words or more ("в настоящее время"), found in a sequence of words,
    the longest first where several begin at one word."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self._phrases = frozenset(p for p in phrases if len(p) > 1)
        # A phrase's first word -> the words that may follow it: most words begin no phrase,
        # and one look-up settles them.
        self._seconds: dict[str, set[str]] = {}
        for phrase in self._phrases:
            self._seconds.setdefault(phrase[0], set()).add(phrase[1])
        self._longest = max((len(p) for p in self._phrases), default=0)

    def without(self, items: list[_Item], words: list[str]) -> list[_Item]:
        """``items`` (one for each of ``words``) but those of the words in a set phrase."""
        seconds = self._seconds
        if seconds.keys().isdisjoint(words):  # (most messages)
            return items
        kept: list[_Item] = []
        at = 0
        last = len(words) - 1
        while at < len(words):
            if at == last or words[at + 1] not in seconds.get(words[at], ()):
                kept.append(items[at])
                at += 1
                continue
            for length in range(min(self._longest, len(words) - at), 1, -1):
                if tuple(words[at : at + length]) in self._phrases:
                    at += length
                    break
            else:
                kept.append(items[at])
                at += 1
        return kept


@dataclass(frozen=True, slots=True)
class InformationKind:
    """A kind of information a message may ask for (a date, a phone number, a price...)."""

    name: str
    asks: tuple[tuple[str, ...], ...]  # cue phrases as words; "*" at a word's end: any ending
    gives_words: tuple[tuple[str, ...], ...]  # phrases (the same way) of an answer giving it
    gives: tuple[re.Pattern[str], ...]  # forms in an answer giving it (in lower case)


@dataclass(frozen=True, slots=True)
class Language:
    stop_words: frozenset[str]
    weak_words: frozenset[str]
    weak_weight: float
    common_words: frozenset[str]
    common_weight: float
    small_talk: dict[tuple[str, ...], SmallTalk]  # phrase (as words) -> kind
    small_talk_companions: frozenset[str]
    numerals: dict[str, int]
    symbols: dict[str, str]
    translit: tuple[tuple[str, str], ...]  # longest Latin group first
    keyboard_layout: dict[str, str]
    colloquial: dict[str, str]
    compound_prefixes: dict[str, tuple[str, ...]]  # first half -> the adjectives it may be
    derivational_endings: frozenset[str]
    filler_phrases: frozenset[tuple[str, ...]] = frozenset()  # set phrases that ask nothing
    introductions: frozenset[tuple[str, ...]] = frozenset()  # "я из ...": where one is from
    information_kinds: tuple[InformationKind, ...] = ()
    # General synonym groups ("отрасль", "сфера"): applied to a base that uses a member.
    synonyms: tuple[tuple[str, ...], ...] = ()
    # Chat spellings of endings -> the standard ending ("ца" -> "тся"), longest first.
    colloquial_endings: tuple[tuple[str, str], ...] = ()
    # Words that ask which one ("какой", "который"), as lemmas.
    which_words: frozenset[str] = frozenset()
    # Words that set aside what follows ("кроме", "помимо"), as typed.
    excluding_words: frozenset[str] = frozenset()
    # The second half of a number compound ("30-дневный") -> the noun it counts ("день").
    number_compounds: dict[str, str] = field(default_factory=dict)
    # A number as the first half of such a compound written as one word ("трех" in
    # "трехдневный"), longest first.
    numeral_stems: tuple[tuple[str, int], ...] = ()
    # Case endings written after a number ("101-м", "5-й", "2-го"): the number is the word.
    ordinal_endings: frozenset[str] = frozenset()


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.lower().replace("ё", "е").split())


@cache
def russian() -> Language:
    """The Russian language pack shipped with the engine (read once per process)."""
    text = resources.files("bot.engine").joinpath("lang_ru.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    small_talk: dict[tuple[str, ...], SmallTalk] = {}
    for kind in (SmallTalk.GREETING, SmallTalk.GOODBYE, SmallTalk.THANKS):
        for phrase in data[kind.value]:
            small_talk[_words(phrase)] = kind
    # Each Latin group's other readings come after its usual one (a stable sort).
    translit = sorted(
        [*data["translit"].items(), *data.get("translit_other_readings", {}).items()],
        key=lambda pair: -len(pair[0]),
    )
    return Language(
        stop_words=frozenset(w for value in data["stop_words"] for w in _words(value)),
        weak_words=frozenset(w for value in data["weak_words"] for w in _words(value)),
        weak_weight=float(data["weak_weight"]),
        common_words=frozenset(w for value in data["common_words"] for w in _words(value)),
        common_weight=float(data["common_weight"]),
        small_talk=small_talk,
        small_talk_companions=frozenset(
            w for value in data["small_talk_companions"] for w in _words(value)
        ),
        numerals={k.replace("ё", "е"): int(v) for k, v in data["numerals"].items()},
        symbols=dict(data["symbols"]),
        translit=tuple(translit),
        keyboard_layout=dict(data["keyboard_layout"]),
        colloquial={k.replace("ё", "е"): v for k, v in data["colloquial"].items()},
        compound_prefixes={
            prefix: (adjectives,) if isinstance(adjectives, str) else tuple(adjectives)
            for prefix, adjectives in data["compound_prefixes"].items()
        },
        derivational_endings=frozenset(data["derivational_endings"]),
        filler_phrases=frozenset(_words(value) for value in data.get("filler_phrases", [])),
        introductions=frozenset(_words(value) for value in data.get("introductions", [])),
        information_kinds=tuple(
            InformationKind(
                name,
                tuple(_words(cue) for cue in kind["asks"]),
                tuple(_words(phrase) for phrase in kind.get("gives_words", [])),
                tuple(re.compile(pattern) for pattern in kind["gives"]),
            )
            for name, kind in data.get("information_kinds", {}).items()
        ),
        synonyms=tuple(tuple(group) for group in data.get("synonyms", [])),
        which_words=frozenset(w for value in data.get("which_words", []) for w in _words(value)),
        number_compounds=dict(data.get("number_compounds", {})),
        numeral_stems=tuple(
            sorted(
                ((k.replace("ё", "е"), int(v)) for k, v in data.get("numeral_stems", {}).items()),
                key=lambda pair: -len(pair[0]),
            )
        ),
        excluding_words=frozenset(
            w for value in data.get("excluding_words", []) for w in _words(value)
        ),
        ordinal_endings=frozenset(data.get("ordinal_endings", [])),
        colloquial_endings=tuple(
            sorted(data.get("colloquial_endings", {}).items(), key=lambda pair: -len(pair[0]))
        ),
    )
