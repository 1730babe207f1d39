"""Typo tolerance against the knowledge base's own words.

Only words the knowledge base does not know are corrected, and only towards words it does know,
so a correct word is never "corrected" and an unknown real word ("борщ") stays unknown.
A one-deletion index finds one-typo neighbours in constant time; words of eight letters and
more may carry two typos, found by scanning the few known words of similar length that begin
with the same letter (rapidfuzz's bit-parallel Levenshtein keeps that cheap).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.memo import remember

MIN_LENGTH = 4
_CACHE_LIMIT = 100_000


def max_typos(word: str) -> int:
    """How many typos a word of this length may carry and still be recognised."""
    if len(word) < MIN_LENGTH:
        return 0
    return 1 if len(word) < 8 else 2


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class FuzzyVocabulary:
    """Known words, searchable by edit distance."""

    def __init__(self, frequency: Mapping[str, int]) -> None:
        self._frequency = dict(frequency)
        self._by_deletion: dict[str, list[str]] = {}
        self._by_start: dict[tuple[str, int], list[str]] = {}
        for word in self._frequency:
            if len(word) < MIN_LENGTH - 1:
                continue
            for key in {word, *_deletions(word)}:
                self._by_deletion.setdefault(key, []).append(word)
            self._by_start.setdefault((word[0], len(word)), []).append(word)
        self._cache: dict[str, tuple[str, int] | None] = {}

    def __contains__(self, word: str) -> bool:
        return word in self._frequency

    def closest(self, word: str) -> tuple[str, int] | None:
        """The most likely intended known word and the number of typos, or None."""
        if word in self._cache:
            return self._cache[word]
        return remember(self._cache, word, self._closest(word), _CACHE_LIMIT)

    def has_neighbour(self, word: str) -> bool:
        """Whether a known word is at most one typo away: ``closest(word)`` would find one
        with at most one typo. Cheaper, as it never scans for words two typos away."""
        found = self._cache.get(word, False)
        if found is not False:
            return found is not None and found[1] <= 1
        if max_typos(word) == 0 or len(word) > 40:
            return False
        candidates: set[str] = set()
        for key in {word, *_deletions(word)}:
            candidates.update(self._by_deletion.get(key, ()))
        # Every word one typo away shares a one-deletion key with this one.
        return any(OSA.distance(word, c, score_cutoff=1) <= 1 for c in candidates)

    def _closest(self, word: str) -> tuple[str, int] | None:
        limit = max_typos(word)
        if limit == 0 or len(word) > 40:
            return None
        candidates: set[str] = set()
        for key in {word, *_deletions(word)}:
            candidates.update(self._by_deletion.get(key, ()))
        best = self._best(word, candidates, limit)
        if best is None and limit >= 2:
            best = self._best(word, self._same_start(word), limit)
        return best

    def _same_start(self, word: str) -> Iterable[str]:
        for length in range(len(word) - 2, len(word) + 3):
            yield from self._by_start.get((word[0], length), ())

    def _best(self, word: str, candidates: Iterable[str], limit: int) -> tuple[str, int] | None:
        choices = list(candidates)
        if not choices:
            return None
        scored = process.extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not scored:
            return None
        # Ties: the same first letter, the word the base uses most, then the same length (a
        # letter swapped or mistyped rather than one left out or added: "штарф" is "штраф"
        # with two letters swapped more likely than "шарф" with one added).
        best_choice, distance, _ = min(
            scored,
            key=lambda item: (
                item[1],
                item[0][0] != word[0],
                -self._frequency.get(item[0], 0),
                abs(len(word) - len(item[0])),
                item[0],
            ),
        )
        return best_choice, int(distance)
