"""The FAQ as the bot uses it: the current knowledge base and the engine built from it.

Handlers reach both through one ``FaqService``. The knowledge base the bot answers from is the
file's (``base``) plus the owners' in-chat additions stored in the database (phrasings, new
entries): ``apply_owner_additions`` lays them over the base, ``reload`` re-reads the file.
Replacing the knowledge base builds a new engine first and then swaps a single reference, so a
message being answered meanwhile sees either the old FAQ or the new one, never a mix. The bot
builds it in a worker thread: at 10,000 entries a build takes seconds, and on the event loop every
chat would wait that long.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine import FaqEngine
from bot.engine.types import MatchResult, Thresholds
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import KnowledgeBase

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.storage import Database

logger = logging.getLogger(__name__)


class FaqService:
    def __init__(
        self, engine: FaqEngine, source: Path | None = None, base: KnowledgeBase | None = None
    ) -> None:
        self._engine = engine
        self.source = source  # the file the knowledge base was loaded from, for reloads
        # The file's knowledge base, without the owners' additions.
        self.base = base if base is not None else engine.kb
        # Rebuilds take turns, so that the last one to finish has seen every addition.
        self._rebuild_lock = asyncio.Lock()
        # Owners' additions the last rebuild could not use (their entry or section is gone
        # from the file, ...), one line each: /reload tells the owner.
        self.skipped_additions: tuple[str, ...] = ()

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
        """The knowledge base the bot answers from (the file's plus owners' additions)."""
        return self._engine.kb

    def match(self, text: str) -> MatchResult:
        return self._engine.match(text)

    def replace(self, kb: KnowledgeBase) -> None:
        """Start answering from ``kb``, with the same thresholds (the base stays as it is)."""
        self._engine = FaqEngine.build(kb, self._engine.thresholds)

    async def _replace_off_the_loop(self, kb: KnowledgeBase) -> None:
        self._engine = await asyncio.to_thread(FaqEngine.build, kb, self._engine.thresholds)

    async def apply_owner_additions(self, db: Database) -> KnowledgeBase:
        """Answer from the base plus every addition stored in ``db`` now; returns that KB."""
        async with self._rebuild_lock:
            effective = await self._with_owner_additions(db, self.base)
            if effective != self.kb:  # nothing new: keep the engine (a rebuild costs time)
                await self._replace_off_the_loop(effective)
            return self.kb

    async def reload(self, db: Database | None = None) -> KnowledgeBase:
        """Re-read the knowledge base file (plus the additions in ``db``); returns the KB now
        in use. On any error (KnowledgeBaseError) the current one stays in use."""
        if self.source is None:
            raise RuntimeError("this FAQ was not loaded from a file")
        async with self._rebuild_lock:
            base = await asyncio.to_thread(load_knowledge_base, self.source)
            self.skipped_additions = ()
            effective = await self._with_owner_additions(db, base) if db is not None else base
            await self._replace_off_the_loop(effective)
            self.base = base
            return self.kb

    async def _with_owner_additions(self, db: Database, base: KnowledgeBase) -> KnowledgeBase:
        overlay = await db.owner_overlay(base)
        for line in overlay.skipped:
            logger.warning("%s", line)
        self.skipped_additions = overlay.skipped
        return overlay.kb


def load_faq_service(settings: Settings) -> FaqService:
    """Load the configured knowledge base (raises KnowledgeBaseError) and build its engine.

    Owners' additions live in the database: ``await service.apply_owner_additions(db)`` once it
    is open (``handlers.admin_reload`` does it when the dispatcher starts).
    """
    kb = load_knowledge_base(settings.faq_path)
    return FaqService.from_knowledge_base(kb, settings.thresholds, source=settings.faq_path)


async def load_effective_faq_service(settings: Settings, db: Database) -> FaqService:
    """``load_faq_service`` with the owners' additions from ``db`` already applied."""
    service = load_faq_service(settings)
    await service.apply_owner_additions(db)
    return service
