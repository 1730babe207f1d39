"""👍 / 👎 under answers: stored, changeable, acknowledged; a 👎 offers other questions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aiogram import Dispatcher
from aiogram.types import Message

from bot.callbacks import AskHumanCallback, SuggestionCallback, Vote, VoteCallback
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.local_api import LocalChat, button_texts, buttons
from bot.service import FaqService
from bot.storage import Database, EntryVotes
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import TIED_QUERY
from tests.mocked_bot import MockedBot, group_chat, make_user
from tests.on_disk import on_disk


def vote_rows(path: Path) -> list[tuple[int, int, int, str, int]]:
    return on_disk(
        path, "SELECT chat_id, message_id, user_id, entry_id, value FROM votes ORDER BY user_id"
    )


def first_row(message: Message) -> list[str]:
    markup = message.reply_markup
    assert markup is not None
    return [button.text for button in markup.inline_keyboard[0]]


async def ask_about_card(chat: LocalChat) -> Message:
    [answer] = (await chat.send("как оплатить картой")).sent
    assert answer.text.startswith("Как оплатить картой?")
    return answer


async def test_a_thumbs_up_is_stored_acknowledged_and_shown(
    payments_user: LocalChat, db: Database, settings: Settings
) -> None:
    answer = await ask_about_card(payments_user)

    exchange = await payments_user.click(answer, RUSSIAN.vote_up)

    assert exchange.callback_answered
    assert exchange.notices == [RUSSIAN.vote_thanks]
    assert exchange.sent == []
    [edited] = exchange.edited
    assert first_row(edited) == ["👍 ✓", "👎", RUSSIAN.share]
    assert button_texts(edited)[3:] == [RUSSIAN.more_on_topic, RUSSIAN.all_topics]
    assert vote_rows(settings.database_path) == [
        (payments_user.chat.id, answer.message_id, payments_user.user.id, "card", 1)
    ]
    assert await db.votes_by_entry() == [EntryVotes("card", up=1, down=0)]


async def test_changing_the_vote_replaces_it_and_a_thumbs_down_offers_other_questions(
    payments_user: LocalChat, payments_service: FaqService, db: Database, settings: Settings
) -> None:
    answer = await ask_about_card(payments_user)
    [logged] = await db.recent_questions(limit=1)
    await payments_user.click(answer, RUSSIAN.vote_up)

    exchange = await payments_user.click(answer, RUSSIAN.vote_down)

    assert exchange.notices == [RUSSIAN.vote_sorry]
    assert first_row(exchange.edited[0]) == ["👍", "👎 ✓", RUSSIAN.share]
    assert await db.votes_by_entry() == [EntryVotes("card", up=0, down=1)]
    assert len(vote_rows(settings.database_path)) == 1
    [offer] = exchange.sent
    assert offer.text == RUSSIAN.not_helpful
    # The engine finds nothing else for "картой"; the rest of the section stands in.
    assert button_texts(offer) == [
        "Как оплатить наличными?",
        RUSSIAN.ask_human,
        RUSSIAN.all_topics,
    ]
    assert [button.callback_data for button in buttons(offer)][:2] == [
        SuggestionCallback(entry_id="cash", update_id=logged.update_id).pack(),
        # "Ask a person" forwards the user's own message, by the id it was logged with.
        AskHumanCallback(update_id=logged.update_id).pack(),
    ]


async def test_after_did_you_mean_a_thumbs_down_still_refers_to_the_users_message(
    payments_user: LocalChat, payments_service: FaqService, db: Database
) -> None:
    [suggestions] = (await payments_user.send(TIED_QUERY)).sent
    [logged] = await db.recent_questions(limit=1)
    [answer] = (await payments_user.click(suggestions, "Как оплатить картой?")).sent

    [offer] = (await payments_user.click(answer, RUSSIAN.vote_down)).sent

    assert "cash" in [c.entry.id for c in payments_service.match(TIED_QUERY).ranked]
    assert button_texts(offer) == [
        "Как оплатить наличными?",
        RUSSIAN.ask_human,
        RUSSIAN.all_topics,
    ]
    assert buttons(offer)[1].callback_data == AskHumanCallback(update_id=logged.update_id).pack()


async def test_an_alternative_from_the_thumbs_down_offer_opens_its_answer(
    payments_user: LocalChat,
) -> None:
    answer = await ask_about_card(payments_user)
    [offer] = (await payments_user.click(answer, RUSSIAN.vote_down)).sent

    exchange = await payments_user.click(offer, "Как оплатить наличными?")

    [cash] = exchange.sent
    assert cash.text.startswith("Как оплатить наличными?")
    assert first_row(cash) == ["👍", "👎", RUSSIAN.share]


async def test_the_same_vote_twice_counts_once_and_offers_nothing_again(
    payments_user: LocalChat, settings: Settings
) -> None:
    answer = await ask_about_card(payments_user)
    await payments_user.click(answer, RUSSIAN.vote_down)

    again = await payments_user.press(
        VoteCallback(entry_id="card", vote=Vote.DOWN).pack(),
        payments_user.current(answer),
    )

    assert again.notices == [RUSSIAN.vote_already]
    assert again.sent == []
    assert again.edited == []
    assert [row[-1] for row in vote_rows(settings.database_path)] == [-1]


async def test_votes_in_a_group_are_one_per_member(
    payments_dp: Dispatcher, bot: MockedBot, settings: Settings, db: Database
) -> None:
    chat = group_chat()
    anna = LocalChat(payments_dp, bot, user=make_user(11, first_name="Анна"), chat=chat)
    boris = LocalChat(payments_dp, bot, user=make_user(12, first_name="Борис"), chat=chat)
    [answer] = (await anna.send("@faq_local_bot как оплатить картой")).sent

    await anna.click(answer, RUSSIAN.vote_up)
    await boris.click(answer, RUSSIAN.vote_down)

    assert [(row[2], row[4]) for row in vote_rows(settings.database_path)] == [(11, 1), (12, -1)]
    assert await db.votes_by_entry() == [EntryVotes("card", up=1, down=1)]


async def test_a_vote_for_an_entry_that_is_gone_is_a_stale_button(
    payments_user: LocalChat, settings: Settings
) -> None:
    answer = await ask_about_card(payments_user)

    exchange = await payments_user.press(
        VoteCallback(entry_id="removed", vote=Vote.UP).pack(), answer
    )

    assert exchange.notices == [RUSSIAN.stale_button]
    assert exchange.shown == []
    assert vote_rows(settings.database_path) == []


async def test_english_users_are_thanked_in_english(
    payments_dp: Dispatcher, bot: MockedBot
) -> None:
    chat = LocalChat(payments_dp, bot, user=make_user(5, language_code="en"))
    answer = await ask_about_card(chat)

    up = await chat.click(answer, ENGLISH.vote_up)
    down = await chat.click(answer, ENGLISH.vote_down)

    assert up.notices == [ENGLISH.vote_thanks]
    assert down.notices == [ENGLISH.vote_sorry]
    assert down.sent[0].text == ENGLISH.not_helpful
    assert ENGLISH.ask_human in button_texts(down.sent[0])


async def test_a_thumbs_down_in_a_one_question_section_offers_questions_from_other_sections(
    user: LocalChat, service: FaqService
) -> None:
    # "priorities" is alone in its section of data/faq.toml: the offer must still hold other
    # questions to try, not only "all topics".
    assert len(service.kb.entries_in("bilateral")) == 1
    [answer] = (await user.send("что с Байконуром?")).sent
    assert answer.text.startswith("Каковы сегодня приоритеты")

    [offer] = (await user.click(answer, RUSSIAN.vote_down)).sent

    offered = [
        SuggestionCallback.unpack(button.callback_data).entry_id
        for button in buttons(offer)
        if button.callback_data and button.callback_data.startswith(SuggestionCallback.__prefix__)
    ]
    assert offer.text == RUSSIAN.not_helpful
    assert offered
    assert set(offered) <= {e.id for e in service.kb.entries} - {"priorities"}


async def test_without_owners_a_thumbs_down_does_not_offer_a_person(
    settings: Settings, payments_service: FaqService, db: Database, bot: MockedBot
) -> None:
    no_owners = dataclasses.replace(settings, admin_ids=frozenset())
    user = LocalChat(create_dispatcher(settings=no_owners, service=payments_service, db=db), bot)
    answer = await ask_about_card(user)

    [offer] = (await user.click(answer, RUSSIAN.vote_down)).sent

    assert offer.text == RUSSIAN.not_helpful_no_person
    assert "человека" not in offer.text
    assert button_texts(offer) == ["Как оплатить наличными?", RUSSIAN.all_topics]
