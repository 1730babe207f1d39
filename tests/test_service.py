"""FaqService: the current knowledge base and engine, swapped as one."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.engine import FaqEngine
from bot.engine.types import Outcome
from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry
from bot.service import FaqService, load_effective_faq_service, load_faq_service
from bot.storage import Database


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


SMALL_FAQ = (
    'title = "Тест"\n[[sections]]\nid = "a"\ntitle = "А"\n'
    '[[entries]]\nid = "q"\nsection = "a"\nquestion = "Вопрос?"\nanswer = "Ответ."\n'
)


async def test_reload_keeps_the_current_faq_when_the_file_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "faq.toml"
    path.write_text(SMALL_FAQ, encoding="utf-8")
    service = FaqService.from_knowledge_base(load_knowledge_base(path), source=path)
    path.write_text("this is [not toml", encoding="utf-8")

    with pytest.raises(KnowledgeBaseError):
        await service.reload()

    assert service.kb.entry("q") is not None


async def test_owner_additions_are_laid_over_the_file_and_survive_a_reload(
    tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "faq.toml"
    path.write_text(SMALL_FAQ, encoding="utf-8")
    service = FaqService.from_knowledge_base(load_knowledge_base(path), source=path)
    await db.add_phrasing("q", "как приготовить борщ", added_by=1)
    await db.add_entry(service.kb, section_id="a", question="Где касса?", answer="Тут.", added_by=1)

    kb = await service.apply_owner_additions(db)

    assert service.kb is kb
    assert kb.entry("q").phrasings == ("как приготовить борщ",)
    assert [e.question for e in kb.entries] == ["Вопрос?", "Где касса?"]
    assert service.base.entries == load_knowledge_base(path).entries  # the file's, untouched
    assert service.match("как приготовить борщ").best.entry.id == "q"

    path.write_text(SMALL_FAQ.replace("Ответ.", "Новый ответ."), encoding="utf-8")
    reloaded = await service.reload(db)

    assert reloaded.entry("q").answer == "Новый ответ."
    assert reloaded.entry("q").phrasings == ("как приготовить борщ",)
    assert len(reloaded.entries) == 2
    assert len(service.base.entries) == 1


async def test_no_additions_keep_the_engine_as_it_is(service: FaqService, db: Database) -> None:
    engine = service.engine

    await service.apply_owner_additions(db)

    assert service.engine is engine


async def test_load_effective_faq_service_applies_the_stored_additions(
    settings: Settings, db: Database
) -> None:
    await db.add_phrasing("priorities", "как приготовить борщ", added_by=1)

    service = await load_effective_faq_service(settings, db)

    assert service.match("как приготовить борщ").best.entry.id == "priorities"
    assert service.base.entry("priorities").phrasings != service.kb.entry("priorities").phrasings


async def test_rebuilds_run_off_the_event_loop(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 10,000 entries a build takes seconds: on the loop's thread every chat would wait.
    path = tmp_path / "faq.toml"
    path.write_text(SMALL_FAQ, encoding="utf-8")
    service = FaqService.from_knowledge_base(load_knowledge_base(path), source=path)
    threads: list[int] = []
    build = FaqEngine.build.__func__  # type: ignore[attr-defined]

    def recording_build(cls: type[FaqEngine], *args: object, **kwargs: object) -> FaqEngine:
        threads.append(threading.get_ident())
        return build(cls, *args, **kwargs)

    monkeypatch.setattr(FaqEngine, "build", classmethod(recording_build))
    await db.add_phrasing("q", "Другой вопрос?", added_by=1)

    await service.apply_owner_additions(db)
    await service.reload(db)

    assert len(threads) == 2
    assert threading.get_ident() not in threads
    assert service.match("другой вопрос").best.entry.id == "q"
