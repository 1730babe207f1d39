"""What the tests expect people to see: the buttons of the bot's standard screens, and a
knowledge base whose screens need more than one page."""

from __future__ import annotations

from bot.callbacks import Origin
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.texts import Texts


def answer_buttons(texts: Texts, origin: Origin = Origin.SEARCH) -> list[str]:
    """Under an answer: 👍 👎 "share", then the way to its section, then all topics."""
    to_section = texts.back_to_questions if origin is Origin.SECTION else texts.more_on_topic
    return [texts.vote_up, texts.vote_down, texts.share, to_section, texts.all_topics]


def not_found_buttons(kb: KnowledgeBase, texts: Texts) -> list[str]:
    """Under "no answer": the topics, then "ask a person" (the tests' bot has owners)."""
    return [*(section.title for section in kb.sections), texts.ask_human]


def long_section_kb(count: int = 45) -> KnowledgeBase:
    """One section of ``count`` questions, as a plain-text knowledge base or an import gives."""
    return KnowledgeBase(
        sections=(Section("general", "Вопросы"),),
        entries=tuple(
            Entry(f"q{n}", "general", f"Вопрос номер {n}?", f"Ответ {n}.") for n in range(count)
        ),
    )
