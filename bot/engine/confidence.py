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
  which an entry holds less often than it explains a topic.

The coefficients were fitted on the labelled development sets of both knowledge bases by
``python -m tests.tools.fit_confidence`` (which prints them and the cross-validated figures);
nothing here knows about either base. The probability is shown as a confidence in [0, 1]
on the same scale as before: 0.6 is where answering starts, 0.3 where suggesting starts.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

# Meaningful words beyond this many add no further evidence.
WORDS_CAP = 8

# Fitted by tests/tools/fit_confidence.py; re-run it after changing the scorer.
INTERCEPT = -11.914
SCORE = 14.226
WORDS = 5.755
# Positive: the scorer's ambiguity discount already lowered the score for a close runner-up,
# and on the development sets it lowers it somewhat more than needed.
RUNNER_UP = 0.470
NAMED = 2.560
UNASKED = -12.871
UNKNOWN_ACTIONS = -4.677
ASKS = -1.405
# The probability at which answering pays off on the development sets (at most ~2 % of
# the messages the base cannot answer get an answer).
ANSWER_PROBABILITY = 0.558

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

    def features(self) -> tuple[float, ...]:
        return (
            self.score,
            min(self.words, WORDS_CAP) / WORDS_CAP,
            self.runner_up,
            self.named,
            self.unasked,
            self.unknown_actions,
            1.0 if self.asks else 0.0,
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
