"""/unanswered: the owners turn what the bot could not answer into answers, in the chat."""

from __future__ import annotations

import pytest
from aiogram import Dispatcher
from aiogram.types import Message

from bot.callbacks import AddPhrasingCallback, ConfirmNewEntryCallback
from bot.config import Settings
from bot.engine.types import Outcome
from bot.factory import create_dispatcher
from bot.formatting import shorten
from bot.keyboards import QUESTION_BUTTON_WIDTH
from bot.knowledge.additions import Problem
from bot.knowledge.loader import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from bot.local_api import LocalChat, button_texts
from bot.service import FaqService
from bot.storage import Database, Resolution
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import OWNER_ID
from tests.handlers.screens import answer_buttons, long_section_kb
from tests.mocked_bot import MockedBot, make_user
from tests.on_disk import on_disk

OWNER = RUSSIAN.owner
BORSCHT = "как приготовить борщ?"
BOTH_WAYS = "платить картой или наличными"  # fits two payment questions equally
TOO_LONG = OWNER.problems[Problem.TOO_LONG].format(
    question_limit=MAX_QUESTION_CHARS, answer_limit=MAX_ANSWER_CHARS
)


def phrase(text: str) -> str:
    return OWNER.add_as_phrasing.format(question=shorten(text, QUESTION_BUTTON_WIDTH))


async def open_unanswered(owner: LocalChat) -> Message:
    [page] = (await owner.send("/unanswered")).sent
    return page


async def test_the_owner_loop_a_not_found_question_becomes_a_phrasing_and_is_answered(
    user: LocalChat,
    owner: LocalChat,
    service: FaqService,
    db: Database,
    settings: Settings,
) -> None:
    """User asks, the bot has no answer; the owner files it under the right question in four
    taps; the same message now gets that answer, for everyone, at once."""
    priorities = service.kb.entry("priorities")
    assert priorities is not None
    assert (await user.send(BORSCHT)).sent[0].text == RUSSIAN.not_found

    page = await open_unanswered(owner)  # 1: /unanswered
    assert page.text.startswith("Без ответа: 1 из 1\n❌ не найдено · ")
    assert page.text.endswith(f"«{BORSCHT}»")
    assert button_texts(page)[-3:] == [OWNER.choose_entry, OWNER.new_entry, OWNER.ignore]

    sections = await owner.click(page, OWNER.choose_entry)  # 2
    assert button_texts(sections.last) == [
        *(section.title for section in service.kb.sections),
        OWNER.back,
    ]
    entries = await owner.click(page, "🤝 Приоритеты сотрудничества")  # 3
    assert button_texts(entries.last) == [
        *(shorten(e.question, QUESTION_BUTTON_WIDTH) for e in service.kb.entries_in("bilateral")),
        OWNER.back,
    ]
    added = await owner.click(page, shorten(priorities.question, QUESTION_BUTTON_WIDTH))  # 4

    assert added.notices == [OWNER.phrasing_added_notice]
    assert added.last.message_id == page.message_id  # all of it in one message
    assert added.last.text == OWNER.phrasing_added.format(
        text=BORSCHT, question=priorities.question
    )
    assert button_texts(added.last) == []  # nothing else is waiting
    [(entry_id, text, question_id, added_by)] = on_disk(
        settings.database_path, "SELECT entry_id, text, question_id, added_by FROM kb_phrasings"
    )
    [logged] = await db.recent_questions(limit=1)
    assert (entry_id, text, question_id, added_by) == ("priorities", BORSCHT, logged.id, OWNER_ID)
    resolved = await db.get_question(logged.id)
    assert resolved is not None
    assert (resolved.resolution, resolved.resolved_entry_id) == (Resolution.PHRASING, "priorities")
    assert (resolved.resolved_by) == OWNER_ID

    # The same message from the same user now gets the answer.
    [answer] = (await user.send(BORSCHT)).sent
    assert answer.text == f"{priorities.question}\n\n{priorities.answer}"
    assert button_texts(answer) == answer_buttons(RUSSIAN)
    assert (await open_unanswered(owner)).text == OWNER.unanswered_empty


async def test_a_word_every_entry_has_filed_as_a_phrasing_is_answered_from_then_on(
    user: LocalChat, owner: LocalChat, service: FaqService
) -> None:
    """The word «Казахстан» alone is in every entry, so the bot does not answer it; once an
    owner files it under a question, the confirmation's "the bot already answers" must be
    true."""
    scope = service.kb.entry("scope")
    assert scope is not None
    assert (await user.send("Казахстан")).sent[0].text != f"{scope.question}\n\n{scope.answer}"

    page = await open_unanswered(owner)
    await owner.click(page, OWNER.choose_entry)
    await owner.click(page, service.kb.sections[0].title)
    added = await owner.click(page, shorten(scope.question, QUESTION_BUTTON_WIDTH))
    assert added.last.text == OWNER.phrasing_added.format(text="Казахстан", question=scope.question)

    [answer] = (await user.send("Казахстан")).sent
    assert answer.text == f"{scope.question}\n\n{scope.answer}"
    assert (await open_unanswered(owner)).text == OWNER.unanswered_empty


async def test_a_text_filed_under_two_questions_is_offered_and_the_owner_told_so(
    user: LocalChat, owner: LocalChat, service: FaqService
) -> None:
    scope, priorities = service.kb.entry("scope"), service.kb.entry("priorities")
    assert scope is not None
    assert priorities is not None
    titles = {section.id: section.title for section in service.kb.sections}
    for _ in range(2):
        await user.send("Казахстан")

    async def file_under(entry_question: str, section_title: str) -> str:
        page = await open_unanswered(owner)
        await owner.click(page, OWNER.choose_entry)
        await owner.click(page, section_title)
        added = await owner.click(page, shorten(entry_question, QUESTION_BUTTON_WIDTH))
        return added.last.text or ""

    first = await file_under(scope.question, titles[scope.section_id])
    second = await file_under(priorities.question, titles[priorities.section_id])

    assert first == OWNER.phrasing_added.format(text="Казахстан", question=scope.question)
    assert second == OWNER.phrasing_added_offered.format(
        text="Казахстан", question=priorities.question
    )
    [offer] = (await user.send("Казахстан")).sent
    assert offer.text == RUSSIAN.did_you_mean
    assert set(button_texts(offer)) >= {
        shorten(scope.question, QUESTION_BUTTON_WIDTH),
        shorten(priorities.question, QUESTION_BUTTON_WIDTH),
    }


async def test_the_question_the_bot_offered_is_one_tap_away(
    payments_user: LocalChat,
    payments_dp: Dispatcher,
    payments_service: FaqService,
    bot: MockedBot,
    db: Database,
) -> None:
    owner = LocalChat(payments_dp, bot, user=make_user(OWNER_ID, first_name="Ольга"))
    await payments_user.send(BOTH_WAYS)
    [logged] = await db.recent_questions(limit=1)
    assert logged.outcome in {Outcome.SUGGEST, Outcome.NONE}

    page = await open_unanswered(owner)
    assert button_texts(page)[:2] == [
        phrase("Как оплатить картой?"),
        phrase("Как оплатить наличными?"),
    ]
    await owner.click(page, phrase("Как оплатить наличными?"))

    [answer] = (await payments_user.send(BOTH_WAYS)).sent
    assert answer.text.startswith("Как оплатить наличными?")
    assert payments_service.kb.entry("cash").phrasings == (BOTH_WAYS,)
    assert payments_service.base.entry("cash").phrasings == ()  # the file's KB is untouched


async def test_a_new_entry_from_an_unanswered_question(
    user: LocalChat, owner: LocalChat, service: FaqService, db: Database, settings: Settings
) -> None:
    question = "Когда следующее заседание форума?"
    await user.send(question)
    page = await open_unanswered(owner)

    sections = await owner.click(page, OWNER.new_entry)
    assert sections.last.text == OWNER.new_entry_choose_section.format(text=question)
    typing = await owner.click(page, "🌐 Интеграция")
    assert "Напишите ответ одним сообщением." in typing.last.text
    assert button_texts(typing.last) == [OWNER.cancel]

    preview = await owner.send("Следующее заседание — осенью, <в Астане> & онлайн.")
    *shown, confirm = preview.sent
    assert [m.text for m in shown] == [
        f"{question}\n\nСледующее заседание — осенью, <в Астане> & онлайн."
    ]
    assert confirm.text == OWNER.new_entry_confirm.format(section="🌐 Интеграция")
    assert button_texts(confirm) == [OWNER.create, OWNER.cancel]

    created = await owner.click(confirm, OWNER.create)

    assert created.notices == [OWNER.entry_created_notice]
    [(entry_id, section_id, stored_question, answer, added_by)] = on_disk(
        settings.database_path,
        "SELECT id, section_id, question, answer, added_by FROM kb_entries",
    )
    assert (section_id, stored_question, added_by) == ("integration", question, OWNER_ID)
    assert answer == "Следующее заседание — осенью, <в Астане> & онлайн."
    assert created.last.text.startswith(f"✅ Создан вопрос «{question}» (id {entry_id})")
    [logged] = await db.recent_questions(limit=1)
    assert (logged.resolution, logged.resolved_entry_id) == (Resolution.NEW_ENTRY, entry_id)
    # Users get it at once, by message and in the menu.
    [reply] = (await user.send(question)).sent
    assert reply.text == f"{question}\n\n{answer}"
    assert service.kb.entries_in("integration")[-1].id == entry_id


async def test_a_wrong_answer_can_be_retyped_or_the_dialog_cancelled(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.send("Когда следующее заседание?")
    page = await open_unanswered(owner)
    await owner.click(page, OWNER.new_entry)
    await owner.click(page, "🌐 Интеграция")

    too_long = await owner.send("я" * 20_001)

    assert [m.text for m in too_long.sent] == [TOO_LONG]
    cancelled = await owner.send("/cancel")
    assert [m.text for m in cancelled.sent] == [OWNER.dialog_cancelled]
    assert (await db.owner_entries()) == []
    # A stale "create" is refused politely.
    late = await owner.press(ConfirmNewEntryCallback().pack(), None)
    assert late.notices == [OWNER.dialog_expired]
    assert (await db.owner_entries()) == []


async def test_skipping_moves_on_and_pages_go_both_ways(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    for text in ("первый непонятный вопрос", "второй непонятный вопрос", "третий о борще"):
        await user.send(text)
    page = await open_unanswered(owner)  # newest first
    assert page.text.startswith("Без ответа: 1 из 3")
    assert "«третий о борще»" in page.text
    assert button_texts(page)[-1] == RUSSIAN.next_page

    second = await owner.click(page, RUSSIAN.next_page)
    assert "Без ответа: 2 из 3" in second.last.text
    assert button_texts(second.last)[-2:] == [RUSSIAN.previous_page, RUSSIAN.next_page]

    skipped = await owner.click(page, OWNER.ignore)
    assert skipped.notices == [OWNER.ignored_notice]
    assert skipped.last.text == OWNER.ignored.format(text="второй непонятный вопрос")
    assert button_texts(skipped.last) == [RUSSIAN.previous_page, RUSSIAN.next_page]

    # The next one took the skipped one's place.
    following = await owner.click(page, RUSSIAN.next_page)
    assert following.last.text.startswith("Без ответа: 2 из 2")
    assert "«первый непонятный вопрос»" in following.last.text
    rows = {row.text: row.resolution for row in await db.recent_questions(limit=5)}
    assert rows["второй непонятный вопрос"] is Resolution.IGNORED
    assert rows["первый непонятный вопрос"] is None


async def test_a_question_too_long_for_a_phrasing_is_only_offered_to_be_skipped(
    user: LocalChat, owner: LocalChat, service: FaqService, db: Database
) -> None:
    await user.send("борщ " * 150)

    page = await open_unanswered(owner)

    # Said before the owner types an answer for it, not after.
    assert page.text.endswith(OWNER.unanswered_too_long.format(limit=500))
    assert button_texts(page) == [OWNER.ignore]
    [logged] = await db.recent_questions(limit=1)
    # A button for it all the same (an old screen, forged data) is refused with the reason.
    refused = await owner.press(
        AddPhrasingCallback(question_id=logged.id, entry_id="integration").pack(), page
    )
    assert refused.notices == [TOO_LONG]
    assert await db.phrasings() == []
    assert service.kb == service.base


async def test_small_talk_and_answered_questions_are_not_listed(
    user: LocalChat, owner: LocalChat
) -> None:
    await user.send("привет")
    await user.send("что с Байконуром?")

    assert (await open_unanswered(owner)).text == OWNER.unanswered_empty


@pytest.mark.parametrize("language", ["en", "en-GB"])
async def test_an_english_owner_sees_the_list_in_english(
    dp: Dispatcher, bot: MockedBot, user: LocalChat, language: str
) -> None:
    owner = LocalChat(dp, bot, user=make_user(OWNER_ID, language_code=language))
    await user.send(BORSCHT)

    page = await open_unanswered(owner)

    assert page.text.startswith("Unanswered: 1 of 1\n❌ not found · ")
    assert button_texts(page)[-3:] == [
        ENGLISH.owner.choose_entry,
        ENGLISH.owner.new_entry,
        ENGLISH.owner.ignore,
    ]


async def test_an_owner_pages_through_a_long_section_to_file_a_question(
    settings: Settings, db: Database, bot: MockedBot
) -> None:
    service = FaqService.from_knowledge_base(long_section_kb(45))
    dispatcher = create_dispatcher(settings=settings, service=service, db=db)
    user = LocalChat(dispatcher, bot, user=make_user())
    owner = LocalChat(dispatcher, bot, user=make_user(OWNER_ID, first_name="Ольга"))
    await user.send(BORSCHT)
    page = await open_unanswered(owner)

    await owner.click(page, OWNER.choose_entry)
    entries = (await owner.click(page, "Вопросы")).last
    assert button_texts(entries)[-2:] == [RUSSIAN.next_page, OWNER.back]
    second = (await owner.click(entries, RUSSIAN.next_page)).last
    assert button_texts(second)[0] == "Вопрос номер 20?"
    assert button_texts(second)[-3:] == [RUSSIAN.previous_page, RUSSIAN.next_page, OWNER.back]
    added = await owner.click(second, "Вопрос номер 27?")

    assert added.notices == [OWNER.phrasing_added_notice]
    assert [p.text for p in await db.phrasings()] == [BORSCHT]
    assert service.match(BORSCHT).best.entry.id == "q27"
