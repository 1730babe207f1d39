"""Recognising greetings, thanks and goodbyes: messages that are not questions."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from bot.engine import morph
from bot.engine.lang import Language
from bot.engine.memo import remember
from bot.engine.types import SmallTalk

_PRIORITY = (SmallTalk.THANKS, SmallTalk.GOODBYE, SmallTalk.GREETING)
_CACHE_LIMIT = 50_000


class SmallTalkDetector:
    def __init__(self, language: Language) -> None:
        self._phrases = language.small_talk
        self._companions = language.small_talk_companions
        self._longest = max((len(p) for p in self._phrases), default=1)
        self._single_words = {p[0]: kind for p, kind in self._phrases.items() if len(p) == 1}
        # Most words begin or end no phrase: one set look-up settles them.
        self._starts = frozenset(p[0] for p in self._phrases if p)
        self._closings = frozenset(
            p
            for p, kind in self._phrases.items()
            if kind is not SmallTalk.GREETING or _can_close(p)
        )
        self._closing_ends = frozenset(p[-1] for p in self._closings if p)
        self._misspelt_cache: dict[str, SmallTalk | None] = {}

    def is_small_talk_word(self, word: str) -> bool:
        return word in self._single_words or word in self._companions

    def detect(self, words: list[str]) -> SmallTalk | None:
        """The kind of small talk when every word is a greeting, thanks, goodbye or a companion."""
        if not words or len(words) > 12:
            return None
        kinds: set[SmallTalk] = set()
        i = 0
        while i < len(words):
            step, kind = self._phrase_at(words, i)
            if kind is not None:
                kinds.add(kind)
                i += step
            elif words[i] in self._companions:
                i += 1
            else:
                kind = self._misspelt(words[i])
                if kind is None:
                    return None
                kinds.add(kind)
                i += 1
        return next((k for k in _PRIORITY if k in kinds), None)

    def opening_length(self, words: list[str]) -> int:
        """How many leading words are a greeting or thanks ("добрый день, подскажите ...")."""
        position = 0
        while position < len(words):
            step, kind = self._phrase_at(words, position)
            if kind is None:
                break
            position += step
        return position

    def closing_length(self, words: list[str]) -> int:
        """How many trailing words are thanks, a goodbye or a greeting ("... заранее спасибо",
        "... добрый день": people greet at the end of a message too)."""
        end = len(words)
        while end > 0 and words[end - 1] in self._closing_ends:
            for start in range(max(0, end - self._longest), end):
                if tuple(words[start:end]) in self._closings:
                    end = start
                    break
            else:
                break
        return len(words) - end

    def _phrase_at(self, words: list[str], start: int) -> tuple[int, SmallTalk | None]:
        if words[start] not in self._starts:
            return 1, None
        for length in range(min(self._longest, len(words) - start), 0, -1):
            kind = self._phrases.get(tuple(words[start : start + length]))
            if kind is not None:
                return length, kind
        return 1, None

    def _misspelt(self, word: str) -> SmallTalk | None:
        """'здраствуйте', 'спосибо': one slip in a long greeting word is still a greeting."""
        if len(word) < 6:
            return None
        # Every message's first long word is compared with every greeting: remember the verdict.
        if word in self._misspelt_cache:
            return self._misspelt_cache[word]
        return remember(
            self._misspelt_cache, word, self._compare_with_greetings(word), _CACHE_LIMIT
        )

    def _compare_with_greetings(self, word: str) -> SmallTalk | None:
        limit = 1 if len(word) < 10 else 2
        for known, kind in self._single_words.items():
            close_in_length = abs(len(known) - len(word)) <= limit and len(known) >= 6
            if close_in_length and Levenshtein.distance(word, known, score_cutoff=limit) <= limit:
                return kind
        return None


def _can_close(greeting: tuple[str, ...]) -> bool:
    """A greeting may end a message unless it is one word that can only be a noun: in
    "где посмотреть салют" the fireworks are what is asked about."""
    if len(greeting) > 1:
        return True
    return not all(parse.tag.POS == "NOUN" for parse in morph.analyzer().parse(greeting[0]))
