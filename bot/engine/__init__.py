"""The matching engine: plain Python, no Telegram. See ``FaqEngine``."""

from bot.engine.engine import FaqEngine
from bot.engine.types import Candidate, MatchResult, Outcome, SmallTalk, Thresholds

__all__ = ["Candidate", "FaqEngine", "MatchResult", "Outcome", "SmallTalk", "Thresholds"]
