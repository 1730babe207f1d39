"""The FAQ as the bot uses it: the current knowledge base and the engine built from it.

Handlers reach both through one ``FaqService``. Replacing the knowledge base (``/reload``, an
owner's in-chat edit) builds a new engine first and then swaps a single reference, so a message
being answered meanwhile sees either the old FAQ or the new one, never a mix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine import FaqEngine
from bot.engine.types import MatchResult, Thresholds
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import KnowledgeBase

if TYPE_CHECKING:
    from bot.config import Settings


class FaqService:
    def __init__(self, engine: FaqEngine, source: Path | None = None) -> None:
        self._engine = engine
        self.source = source  # the file the knowledge base was loaded from, for reloads

    @classmethod
    def from_knowledge_base(
        cls, kb: KnowledgeBase, thresholds: Thresholds | None = None, source: Path | None = None
    ) -> FaqService:
        return cls(FaqEngine.build(kb, thresholds or Thresholds()), source)

    @property
    def engine(self) -> FaqEngine:
        return self._engine

    @property
    def kb(self) -> KnowledgeBase:
        return self._engine.kb

    def match(self, text: str) -> MatchResult:
        return self._engine.match(text)

    def replace(self, kb: KnowledgeBase) -> None:
        """Start answering from ``kb``, with the same thresholds."""
        self._engine = FaqEngine.build(kb, self._engine.thresholds)

    def reload(self) -> KnowledgeBase:
        """Re-read the knowledge base file; on any error the current one stays in use."""
        if self.source is None:
            raise RuntimeError("this FAQ was not loaded from a file")
        kb = load_knowledge_base(self.source)
        self.replace(kb)
        return kb


def load_faq_service(settings: Settings) -> FaqService:
    """Load the configured knowledge base (raises KnowledgeBaseError) and build its engine."""
    kb = load_knowledge_base(settings.faq_path)
    return FaqService.from_knowledge_base(kb, settings.thresholds, source=settings.faq_path)
