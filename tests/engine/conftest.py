"""Engines on the project's knowledge base and on the second (transport) test base, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import FaqEngine
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry, KnowledgeBase, Section

ROOT = Path(__file__).resolve().parents[2]
FAQ_PATH = ROOT / "data" / "faq.toml"
TRANSPORT_PATH = ROOT / "tests" / "data" / "kb" / "transport.toml"


@pytest.fixture(scope="session")
def faq_engine() -> FaqEngine:
    return FaqEngine.build(load_knowledge_base(FAQ_PATH))


@pytest.fixture(scope="session")
def transport_engine() -> FaqEngine:
    return FaqEngine.build(load_knowledge_base(TRANSPORT_PATH))


def small_kb(
    *entries: tuple[str, str, str, tuple[str, ...]],
    synonyms: tuple[tuple[str, ...], ...] = (),
    abbreviations: tuple[tuple[str, str], ...] = (),
) -> KnowledgeBase:
    """A knowledge base from (id, question, answer, phrasings) tuples, in one section."""
    return KnowledgeBase(
        sections=(Section("main", "Main"),),
        entries=tuple(Entry(i, "main", q, a, p) for i, q, a, p in entries),
        synonyms=synonyms,
        abbreviations=abbreviations,
    )
