"""FaqService: the current knowledge base and engine, swapped as one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine.types import Outcome
from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry
from bot.service import FaqService, load_faq_service


def test_load_faq_service_uses_the_configured_file_and_thresholds(settings: Settings) -> None:
    service = load_faq_service(settings)

    assert service.source == settings.faq_path
    assert service.engine.thresholds == settings.thresholds
    assert service.kb is service.engine.kb
    assert [s.id for s in service.kb.sections] == ["regions", "bilateral", "integration"]
    assert service.match("что с Байконуром?").best.entry.id == "priorities"


def test_replace_swaps_knowledge_base_and_engine_together(settings: Settings) -> None:
    service = load_faq_service(settings)
    kb = service.kb
    borscht = Entry("borscht", "regions", "Как приготовить борщ?", "Сварите свёклу.")

    service.replace(replace(kb, entries=(*kb.entries, borscht)))

    assert service.kb.entry("borscht") == borscht
    result = service.match("как приготовить борщ?")
    assert result.outcome is Outcome.ANSWER
    assert result.best.entry.id == "borscht"
    assert service.engine.thresholds == settings.thresholds


def test_reload_keeps_the_current_faq_when_the_file_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text(
        'title = "Тест"\n[[sections]]\nid = "a"\ntitle = "А"\n'
        '[[entries]]\nid = "q"\nsection = "a"\nquestion = "Вопрос?"\nanswer = "Ответ."\n',
        encoding="utf-8",
    )
    service = FaqService.from_knowledge_base(load_knowledge_base(path), source=path)
    path.write_text("this is [not toml", encoding="utf-8")

    with pytest.raises(KnowledgeBaseError):
        service.reload()

    assert service.kb.entry("q") is not None
