"""Inline mode: ``@bot <words>`` lists the best-matching questions and sends the chosen answer."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.config import Settings
from bot.engine.types import Candidate, MatchResult, Outcome
from bot.factory import create_dispatcher
from bot.formatting import MESSAGE_LIMIT, answer_messages, shorten, utf16_length
from bot.keyboards import deep_link
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.local_api import LocalChat
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from handlers import inline
from tests.mocked_bot import MockedBot, make_user


def visible(html: str) -> str:
    """The text Telegram shows for ``html`` (the bot's own markup: tags and entities)."""
    return html_module.unescape(re.sub(r"</?[a-z]+>", "", html))


def answered(exchange: Any) -> dict[str, Any]:
    [call] = [c for c in exchange.calls if c.method == "answerInlineQuery"]
    assert call.error is None
    return call.params


async def test_words_list_the_best_matching_questions_with_their_answers(
    user: LocalChat, service: FaqService
) -> None:
    entry = service.kb.entry("priorities")
    assert entry is not None

    exchange = await user.inline("Байконур")

    params = answered(exchange)
    assert params["is_personal"] is False
    assert params["cache_time"] == inline.CACHE_SECONDS
    [first, *_] = exchange.inline_results
    assert first["type"] == "article"
    assert first["id"] == "priorities"
    assert first["title"] == entry.question
    assert first["description"] == shorten(entry.answer, inline.DESCRIPTION_WIDTH)
    content = first["input_message_content"]
    assert content["message_text"] == answer_messages(entry)[0]
    assert content["parse_mode"] == "HTML"
    [[button]] = first["reply_markup"]["inline_keyboard"]
    assert button == {
        "text": RUSSIAN.inline_open_in_bot,
        "url": deep_link("faq_local_bot", entry.id),
    }
    ranked = [c.entry.id for c in service.match("Байконур").ranked]
    assert [r["id"] for r in exchange.inline_results] == ranked[: inline.MAX_RESULTS]


async def test_an_empty_query_lists_the_most_asked_first_then_each_section(
    user: LocalChat, service: FaqService, db: Database
) -> None:
    integration = service.kb.entry("integration")
    assert integration is not None
    for _ in range(2):
        result = MatchResult("?", Outcome.ANSWER, best=Candidate(integration, 1.0))
        await db.log_question(user_id=1, chat_id=1, text="?", result=result)

    exchange = await user.inline("")

    ids = [r["id"] for r in exchange.inline_results]
    firsts = [service.kb.entries_in(s.id)[0].id for s in service.kb.sections]
    assert ids[0] == "integration"
    assert ids[1:] == [
        *(i for i in firsts if i != "integration"),
        *(e.id for e in service.kb.entries if e.id not in firsts and e.id != "integration"),
    ]


@pytest.mark.parametrize(
    "query",
    ["ыыыы", "@@@ ### !!!", "\u200b\x00\x1f", "байконур " * 60, "😀" * 100, "<b>&amp;"],
    ids=["junk", "punctuation", "control", "long", "emoji", "markup"],
)
async def test_odd_queries_are_answered_without_errors(user: LocalChat, query: str) -> None:
    exchange = await user.inline(query)

    answered(exchange)
    assert exchange.refused == []
    assert len(exchange.inline_results) <= inline.MAX_RESULTS


async def test_a_long_answer_is_cut_to_one_message_with_the_link_to_all_of_it(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    long_answer = "\n\n".join(
        f"{n}. " + "Очень подробный <ответ> & пояснение. " * 40 for n in range(8)
    )
    kb = KnowledgeBase(
        sections=(Section("main", "Главное"),),
        entries=(Entry("long", "main", "Расскажите подробно?", long_answer),),
    )
    dispatcher: Dispatcher = create_dispatcher(
        settings=settings, service=FaqService.from_knowledge_base(kb), db=db
    )
    chat = LocalChat(dispatcher, bot, user=make_user())

    exchange = await chat.inline("подробный ответ")

    [result] = exchange.inline_results
    html = result["input_message_content"]["message_text"]
    assert exchange.refused == []  # valid HTML within Telegram's limit (the fake API checks)
    shown = visible(html)
    assert utf16_length(shown) <= MESSAGE_LIMIT
    cut = RUSSIAN.inline_cut.format(bot="@faq_local_bot").replace("<i>", "").replace("</i>", "")
    assert shown.endswith(f"…\n\n{cut}")
    assert shown.startswith("Расскажите подробно?\n\n0. Очень подробный <ответ> & пояснение.")
    assert html.endswith(f"…\n\n{RUSSIAN.inline_cut.format(bot='@faq_local_bot')}")
    assert "&lt;ответ&gt; &amp;" in html


async def test_a_short_answer_goes_whole_without_a_cut_notice(user: LocalChat) -> None:
    exchange = await user.inline("Байконур")

    html = exchange.inline_results[0]["input_message_content"]["message_text"]
    assert "…" not in html
    assert RUSSIAN.inline_cut.split(":")[0] not in html


async def test_english_users_get_the_link_in_english(english_user: LocalChat) -> None:
    exchange = await english_user.inline("Байконур")

    [[button]] = exchange.inline_results[0]["reply_markup"]["inline_keyboard"]
    assert button["text"] == ENGLISH.inline_open_in_bot
