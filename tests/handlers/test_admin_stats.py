"""/stats: activity, outcomes, the most asked entries and votes, as text and as a PNG chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram import Dispatcher

from bot.config import Settings
from bot.engine.types import Candidate, MatchResult, Outcome
from bot.factory import create_dispatcher
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from handlers import admin_stats
from tests.conftest import OWNER_ID
from tests.mocked_bot import MockedBot, make_user

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_stats_show_activity_outcomes_top_entries_and_votes(
    user: LocalChat, owner: LocalChat, service: FaqService
) -> None:
    [answer] = (await user.send("что с Байконуром?")).sent
    await user.send("как приготовить борщ?")
    await user.send("привет")
    await user.click(answer, RUSSIAN.vote_up)

    exchange = await owner.send("/stats")

    assert exchange.refused == []
    [photo] = exchange.photos
    [png] = photo.files.values()
    assert png.startswith(PNG_SIGNATURE)
    report = photo.result.caption  # short enough to be the chart's caption
    assert exchange.sent_to(owner.chat.id)[-1].photo
    priorities = service.kb.entry("priorities")
    assert priorities is not None
    assert report.splitlines()[:4] == [
        "📊 Статистика",
        "За сутки: 3 сообщ., 1 польз.",
        "За неделю: 3 сообщ., 1 польз.",
        "За всё время: 3 сообщ., 1 польз.",
    ]
    assert "Вопросы за всё время: 2 (ещё 1 — приветствия и т. п.)" in report
    assert "✅ отвечено: 50% (1)" in report
    assert "🤔 предложены варианты: 0% (0)" in report
    assert "❌ не найдено: 50% (1)" in report
    assert f"1. {priorities.question[:40]}" in report
    assert "— 👍 1 / 👎 0" in report


async def test_a_long_report_comes_before_the_chart(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    kb = KnowledgeBase(
        sections=(Section("main", "Главное"),),
        entries=tuple(
            Entry(f"q{n}", "main", f"Вопрос номер {n} о том, как долго и подробно писать?", "Да.")
            for n in range(12)
        ),
    )
    dispatcher = create_dispatcher(
        settings=settings, service=FaqService.from_knowledge_base(kb), db=db
    )
    owner = LocalChat(dispatcher, bot, user=make_user(OWNER_ID))
    for number, entry in enumerate(kb.entries[:12]):
        result = MatchResult(entry.question, Outcome.ANSWER, best=Candidate(entry, 1.0))
        await db.log_question(user_id=1, chat_id=1, text=entry.question, result=result)
        await db.record_vote(chat_id=1, message_id=number, user_id=1, entry_id=entry.id, value=1)

    exchange = await owner.send("/stats")

    report, chart = exchange.sent_to(owner.chat.id)
    assert len(report.text) > admin_stats.CAPTION_LIMIT
    assert report.text.startswith("📊 Статистика")
    assert report.text.count("👍 1 / 👎 0") == admin_stats.MAX_VOTED
    assert chart.photo
    assert chart.caption == RUSSIAN.owner.stats_chart_caption
    assert exchange.refused == []


async def test_without_the_chart_the_text_still_comes(
    user: LocalChat, owner: LocalChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(admin_stats, "render_stats_chart", broken)

    exchange = await owner.send("/stats")

    [report] = exchange.sent
    assert report.text.startswith("📊 Статистика")
    assert "пока нет данных" in report.text
    assert exchange.photos == []


async def test_an_english_owner_gets_english_stats(
    dp: Dispatcher, bot: MockedBot, tmp_path: Path
) -> None:
    owner = LocalChat(dp, bot, user=make_user(OWNER_ID, language_code="en"))

    exchange = await owner.send("/stats")

    [photo] = exchange.photos
    caption = photo.result.caption
    assert caption.startswith("📊 Statistics\nLast 24 hours: 0 messages, 0 users")
    assert ENGLISH.owner.stats_nothing_yet in caption
