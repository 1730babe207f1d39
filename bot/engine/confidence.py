"""How sure the engine is that its best entry is the answer.

The lexical score says how well the best entry explains the message. On unseen messages it
alone separates right answers from off-topic ones poorly near the answer threshold, so the
decision also weighs a few general signals, combined by a small logistic model:

- the lexical score of the best entry (after the ambiguity discount);
- how many meaningful words the message has: one or two words that happen to be in the
  base ("сколько стоит такси") are weaker evidence than a whole question explained as well;
- how close the runner-up comes (its rank over the best's);
- the share of the things the message names that the best entry explains;
- the share of the message's weight in question words ("когда", "сколько", "где") that no
  question or phrasing of the best entry contains: "сколько нефти добывают" asks for a
  number, and an entry that never asks "сколько" is likely about the topic, not the number;
- the share in actions the whole base does not know ("когда построили ..."): what the
  message asks to be done or told is something no entry talks about;
- whether the message asks with a question word at all: such questions ask for one fact,
  which an entry holds less often than it explains a topic;
- whether the message asks for a kind of information (a date, a list of names, an address,
  a phone number, a price, a time of day, a number; the cues are in lang_ru.toml) that the
  entry does not give: its answer holds nothing of that kind and no question or phrasing of
  it asks for it. "В каком году основан Байконур?" asks for a year; an entry that only
  mentions Байконур is about the topic, not the year ("сколько нефти добывают на Каспии":
  an answer without a number is about the Caspian, not the amount). Set phrases that ask
  nothing ("когда речь идёт о") are left out first;
- whether the message asks which one of something ("какие остановки у ночного маршрута")
  that the entry mentions but none of its questions or phrasings asks which one of, unless
  the kind of information asked (a phone number, an address...) is one the entry gives: the
  entry names the thing, it probably does not list or name its instances;
- the share of the message's weight in things the base knows that the entry lacks
  ("сезонный абонемент на велопрокат": passes are another entry's, not the bike hire's),
  each counted by how weakly the entry holds it: the message is about something else, or
  about two things at once.

The coefficients were fitted on the labelled development sets of both knowledge bases (36
sets) by ``python -m tests.tools.fit_confidence`` (which prints them, the answer probability
and the figures of each set left out of the fit);
nothing here knows about either base. The probability is shown as a confidence in [0, 1]
on the same scale as before: 0.6 is where answering starts, 0.3 where suggesting starts.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.engine.lang import InformationKind, SetPhrases

# Meaningful words beyond this many add no further evidence.
WORDS_CAP = 8

# Fitted by tests/tools/fit_confidence.py; re-run it after changing the scorer.
# These come from the fit on 36 sets (up to holdout16; wave 9, 2026-11-25), with
# KNOWN_ELSEWHERE and word pairs counting against entries that lack them (scoring.py).
# Leave-one-set-out over 36 sets: 97.2 % answered right, 97.2 % declined (the model before
# wave 9 with the bases of its start, refitted on the same 36 sets: 96.8 % / 96.9 %).
# KNOWN_ELSEWHERE alone, with the scorer unchanged, cross-validated at 3 in-scope messages
# more right and 6 more declined. Wave 9c refitted on 40 sets (with holdout17-20): LOSO
# 0.976 / 0.975, but on the sets themselves one message fewer right than these, so these stay.
INTERCEPT = -13.601
SCORE = 14.150
WORDS = 6.922
# Near zero: the scorer's ambiguity discount already lowered the score for a close runner-up,
# about as much as the development sets call for (a fit on 22 sets gave +0.36, on 24: -0.05,
# on 26: -0.53, on 28: -0.45, on 32: -0.24, on 36 in wave 9: +0.02).
RUNNER_UP = -0.009
NAMED = 4.372
UNASKED = -8.701
UNKNOWN_ACTIONS = -8.855
ASKS = -1.255
UNPROVIDED = -6.033
WHICH_UNASKED = -2.266
KNOWN_ELSEWHERE = -1.827
# The probability at which answering pays off most on the development sets: the share of
# in-scope messages answered right plus 1.5 times the share of the messages the base cannot
# answer that get no answer is highest there.
ANSWER_PROBABILITY = 0.482

# The shown confidence: suggesting starts where the lexical score reaches this...
SUGGEST_CONFIDENCE = 0.3
# ...and answering where the probability reaches ANSWER_PROBABILITY.
ANSWER_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the decision weighs about the best entry for one message."""

    score: float  # the best entry's lexical score, in [0, 1]
    words: int  # meaningful words of the message (known or not)
    runner_up: float  # the runner-up's rank over the best's, in [0, 1]; 0 without one
    named: float  # the share of the things the message names that the entry explains
    # The shares below are of the message's weight (its meaningful words).
    unasked: float = 0.0  # question words no question or phrasing of the entry contains
    unknown_actions: float = 0.0  # verbs and adverbs the whole base does not know
    asks: bool = False  # the message has a question word ("когда", "сколько", ...)
    unprovided: bool = False  # asks for a kind of information the entry does not give
    # "Какие остановки у ...": the entry has the word the message asks which one of, but
    # no question or phrasing of it asks that (none has "какие остановки").
    which_unasked: bool = False
    # Things the base knows (other entries hold them) that this entry lacks, each by how
    # weakly it holds them: "сезонный абонемент на велопрокат" names a pass, which the
    # bike-hire entry never mentions; the message is about something else, or two things.
    known_elsewhere: float = 0.0

    def features(self) -> tuple[float, ...]:
        return (
            self.score,
            min(self.words, WORDS_CAP) / WORDS_CAP,
            self.runner_up,
            self.named,
            self.unasked,
            self.unknown_actions,
            1.0 if self.asks else 0.0,
            1.0 if self.unprovided else 0.0,
            1.0 if self.which_unasked else 0.0,
            self.known_elsewhere,
        )


@dataclass(frozen=True, slots=True)
class Model:
    intercept: float = INTERCEPT
    coefficients: tuple[float, ...] = (
        SCORE,
        WORDS,
        RUNNER_UP,
        NAMED,
        UNASKED,
        UNKNOWN_ACTIONS,
        ASKS,
        UNPROVIDED,
        WHICH_UNASKED,
        KNOWN_ELSEWHERE,
    )
    answer_probability: float = ANSWER_PROBABILITY

    def logit(self, evidence: Evidence) -> float:
        features = evidence.features()
        if len(features) != len(self.coefficients):
            raise ValueError("one coefficient per feature")
        return self.intercept + sum(map(operator.mul, self.coefficients, features))

    def probability(self, evidence: Evidence) -> float:
        z = max(-40.0, min(40.0, self.logit(evidence)))
        return 1.0 / (1.0 + math.exp(-z))

    def confidence(self, evidence: Evidence) -> float:
        """The confidence shown and compared with the thresholds.

        Below the suggesting point the lexical score is shown as it is (nothing worth
        offering); above it, the probability is stretched so that ANSWER_PROBABILITY lands
        on ANSWER_CONFIDENCE. The result is in [0, 1].
        """
        if evidence.score < SUGGEST_CONFIDENCE:
            return max(0.0, evidence.score)
        p = self.probability(evidence)
        knee = self.answer_probability
        if p < knee:
            return SUGGEST_CONFIDENCE + (ANSWER_CONFIDENCE - SUGGEST_CONFIDENCE) * p / knee
        return ANSWER_CONFIDENCE + (1.0 - ANSWER_CONFIDENCE) * (p - knee) / (1.0 - knee)


DEFAULT_MODEL = Model()


# Words, and line breaks: a phrase never spans two lines (or two questions of an entry).
_WORD = re.compile(r"\w+(?:-\w+)*|\n")


class InformationKinds:
    """Which kinds of information a text asks for, and which an entry gives.

    Both sides are a few dictionary look-ups per word; the entry side also runs a handful
    of regular expressions over the answer, once per entry when the engine is built.
    """

    def __init__(
        self, kinds: Sequence[InformationKind], fillers: Iterable[tuple[str, ...]] = ()
    ) -> None:
        self.kinds = tuple(kinds)
        self._asks = _Phrases((p, k.name) for k in self.kinds for p in k.asks)
        self._gives = _Phrases((p, k.name) for k in self.kinds for p in k.gives_words)
        # Set phrases that ask nothing ("когда речь идёт о", "в данный момент").
        self._fillers = SetPhrases(fillers)

    def asked(self, text: str) -> frozenset[str]:
        """The kinds of information the text asks for (set phrases that ask nothing aside)."""
        words = _words(text)
        return frozenset(self._asks.found(self._fillers.without(words, words)))

    def given(self, answer: str, questions: Iterable[str]) -> frozenset[str]:
        """The kinds an entry gives: found in its answer, or asked by its question or a
        phrasing (the editor declared the answer gives them)."""
        found = self._gives.found(_words(answer))
        answer = answer.lower()
        found.update(
            k.name
            for k in self.kinds
            if k.name not in found and any(p.search(answer) for p in k.gives)
        )
        found.update(self._asks.found(_words("\n".join(questions))))
        return frozenset(found)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


class _Phrases:
    """Finds phrases (word by word; a word ending in "*" matches any ending) in a text."""

    def __init__(self, phrases: Iterable[tuple[tuple[str, ...], str]]) -> None:
        # A phrase's first word, whole or (ending in "*") its beginning -> (the rest of the
        # phrase, label); the rest as (word or beginning, whether the word is whole).
        self._whole: dict[str, list[tuple[_Rest, str]]] = {}
        self._beginning: dict[str, list[tuple[_Rest, str]]] = {}
        # Phrases of one whole word ("когда"), the most common kind: word -> labels.
        self._word: dict[str, set[str]] = {}
        for phrase, label in phrases:
            first = phrase[0]
            rest = tuple((p.removesuffix("*"), not p.endswith("*")) for p in phrase[1:])
            if first.endswith("*"):
                self._beginning.setdefault(first[:-1], []).append((rest, label))
            elif len(phrase) == 1:
                self._word.setdefault(first, set()).add(label)
            else:
                self._whole.setdefault(first, []).append((rest, label))
        self._lengths = sorted({len(b) for b in self._beginning})
        # Most words begin no phrase: one look-up of their first letters rules them out.
        self._shortest = self._lengths[0] if self._lengths else 0
        self._starts = {b[: self._shortest] for b in self._beginning}

    def found(self, words: Sequence[str]) -> set[str]:
        """The labels of the phrases the words contain."""
        labels: set[str] = set()
        single, whole, starts, shortest = self._word, self._whole, self._starts, self._shortest
        for at, word in enumerate(words):
            if word in single:
                labels.update(single[word])
            if word in whole:
                labels.update(label for rest, label in whole[word] if _follows(rest, words, at))
            if starts and word[:shortest] in starts:
                labels.update(self._begun(words, at))
        return labels

    def _begun(self, words: Sequence[str], at: int) -> Iterator[str]:
        """The labels of the phrases whose first word begins the word at ``at``."""
        word = words[at]
        for length in self._lengths:
            if length > len(word):
                break
            for rest, label in self._beginning.get(word[:length], ()):
                if _follows(rest, words, at):
                    yield label


# The words of a phrase after its first: (word, True) or (beginning of a word, False).
_Rest = tuple[tuple[str, bool], ...]


def _follows(rest: _Rest, words: Sequence[str], at: int) -> bool:
    """Whether the words after the one at ``at`` (which begins the phrase) go on as ``rest``."""
    if at + len(rest) >= len(words):
        return False
    for part, whole in rest:
        at += 1
        word = words[at]
        if word != part if whole else not word.startswith(part):
            return False
    return True
