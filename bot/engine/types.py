"""What the matching engine returns. Plain data, shared by the bot, the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.knowledge.model import Entry


class Outcome(StrEnum):
    ANSWER = "answer"  # confident: reply with the entry's answer
    SUGGEST = "suggest"  # unsure: offer up to three questions as buttons
    NONE = "none"  # off-topic or empty: say so honestly and show the topics


class SmallTalk(StrEnum):
    """Messages that are not questions at all; they get a friendly reply, never an answer."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores are in [0, 1]. At or above ``answer`` the bot answers; at or above ``suggest``
    it offers suggestions; below, it says it does not know."""

    answer: float = 0.6
    suggest: float = 0.3

    def __post_init__(self) -> None:
        if not 0.0 <= self.suggest <= self.answer <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= suggest <= answer <= 1")


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    query: str
    outcome: Outcome
    best: Candidate | None = None  # set only when outcome is ANSWER
    suggestions: tuple[Candidate, ...] = ()  # up to three, best first, for SUGGEST
    small_talk: SmallTalk | None = None  # set when the message is a greeting, thanks, ...
    ranked: tuple[Candidate, ...] = field(default=(), repr=False)  # top candidates, any outcome

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0
