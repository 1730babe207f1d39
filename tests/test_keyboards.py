"""Keyboards are pure functions of the knowledge base, the ids and the texts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from aiogram.types import InlineKeyboardMarkup

from bot import telegram_rules
from bot.callbacks import (
    CancelAskCallback,
    CancelDialogCallback,
    EntryCallback,
    MenuCallback,
    Origin,
    SectionCallback,
    SuggestionCallback,
    Vote,
    VoteCallback,
)
from bot.keyboards import (
    LIST_PAGE_SIZE,
    MAX_SUGGESTIONS,
    QUESTION_BUTTON_WIDTH,
    answer_keyboard,
    cancel_ask_keyboard,
    cancel_dialog_keyboard,
    choose_entry_keyboard,
    choose_section_keyboard,
    chosen_vote,
    confirm_new_entry_keyboard,
    deep_link,
    human_questions_keyboard,
    not_found_keyboard,
    not_helpful_keyboard,
    open_in_bot_keyboard,
    reply_keyboard,
    resolved_keyboard,
    section_keyboard,
    section_page_of,
    sections_keyboard,
    suggestions_keyboard,
    unanswered_keyboard,
    with_vote,
    without_ask_human,
)
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.texts import ENGLISH, RUSSIAN


@pytest.fixture
def kb() -> KnowledgeBase:
    long_question = "Как " + "очень " * 30 + "длинный вопрос?"
    return KnowledgeBase(
        sections=(Section("a" * 32, "Первая тема"), Section("second", "Вторая")),
        entries=(
            Entry("x" * 32, "a" * 32, long_question, "Ответ."),
            Entry("short", "a" * 32, "Коротко?", "Да."),
            Entry("other", "second", "Другой?", "Нет."),
        ),
    )


def rows(markup: InlineKeyboardMarkup) -> list[list[tuple[str, str | None]]]:
    return [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]


def test_sections_keyboard_has_one_button_per_section_in_order(kb: KnowledgeBase) -> None:
    assert rows(sections_keyboard(kb)) == [
        [("Первая тема", SectionCallback(section_id="a" * 32).pack())],
        [("Вторая", "s:second")],
    ]


def test_section_keyboard_lists_its_questions_then_all_topics(kb: KnowledgeBase) -> None:
    markup = section_keyboard(kb, "a" * 32, RUSSIAN)

    texts = [row[0][0] for row in rows(markup)]
    data = [row[0][1] for row in rows(markup)]
    assert texts[1:] == ["Коротко?", RUSSIAN.all_topics]
    assert data == [
        EntryCallback(entry_id="x" * 32, origin=Origin.SECTION).pack(),
        "e:short:s",
        MenuCallback().pack(),
    ]


def test_long_questions_are_cut_at_a_word_with_an_ellipsis(kb: KnowledgeBase) -> None:
    label = rows(section_keyboard(kb, "a" * 32, RUSSIAN))[0][0][0]

    assert len(label) <= QUESTION_BUTTON_WIDTH
    assert label.endswith("очень…")
    assert label.startswith("Как очень очень")


def test_answer_keyboard_depends_on_where_the_answer_was_opened(kb: KnowledgeBase) -> None:
    entry = kb.entries[2]

    from_section = rows(answer_keyboard(kb, entry, RUSSIAN, Origin.SECTION))
    from_search = rows(answer_keyboard(kb, entry, ENGLISH, Origin.SEARCH, update_id=42))

    assert from_section == [
        [("👍", "v:other:u:0"), ("👎", "v:other:d:0")],
        [(RUSSIAN.back_to_questions, "s:second")],
        [(RUSSIAN.all_topics, "m")],
    ]
    assert from_search == [
        [("👍", "v:other:u:42"), ("👎", "v:other:d:42")],
        [(ENGLISH.more_on_topic, "s:second")],
        [(ENGLISH.all_topics, "m")],
    ]


def test_the_share_button_opens_telegrams_share_screen_with_the_deep_link(
    kb: KnowledgeBase,
) -> None:
    entry = kb.entry("short")
    assert entry is not None

    [feedback, *_] = answer_keyboard(
        kb, entry, RUSSIAN, Origin.SEARCH, bot_username="faq_bot"
    ).inline_keyboard

    share = feedback[-1]
    assert share.text == RUSSIAN.share
    assert share.callback_data is None
    assert deep_link("faq_bot", "short") == "https://t.me/faq_bot?start=short"
    parsed = urlsplit(share.url or "")
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "t.me", "/share/url")
    assert parse_qs(parsed.query) == {
        "url": ["https://t.me/faq_bot?start=short"],
        "text": ["Коротко?"],
    }


def test_a_vote_is_shown_on_its_button_and_can_change(kb: KnowledgeBase) -> None:
    markup = answer_keyboard(kb, kb.entries[1], RUSSIAN, Origin.SEARCH, bot_username="faq_bot")

    up = with_vote(markup, Vote.UP, RUSSIAN)
    down = with_vote(up, Vote.DOWN, RUSSIAN)

    assert [b.text for b in up.inline_keyboard[0]] == ["👍 ✓", "👎", RUSSIAN.share]
    assert [b.text for b in down.inline_keyboard[0]] == ["👍", "👎 ✓", RUSSIAN.share]
    assert down.inline_keyboard[1:] == markup.inline_keyboard[1:]
    assert (chosen_vote(markup, RUSSIAN), chosen_vote(up, RUSSIAN)) == (None, Vote.UP)
    assert chosen_vote(down, RUSSIAN) is Vote.DOWN


def test_not_found_offers_a_person_only_when_someone_can_answer(kb: KnowledgeBase) -> None:
    with_owner = rows(not_found_keyboard(kb, RUSSIAN, update_id=7))
    without = rows(not_found_keyboard(kb, RUSSIAN))

    assert with_owner[-1] == [(RUSSIAN.ask_human, "h:7")]
    assert without == rows(sections_keyboard(kb))
    assert rows(without_ask_human(not_found_keyboard(kb, RUSSIAN, update_id=7))) == without


def test_after_a_thumbs_down_other_questions_a_person_and_all_topics(kb: KnowledgeBase) -> None:
    markup = not_helpful_keyboard(kb.entries[1:], ENGLISH, update_id=8, can_ask=True)
    nobody = not_helpful_keyboard(kb.entries[1:], ENGLISH, update_id=8, can_ask=False)

    assert rows(markup) == [
        [("Коротко?", "es:short:8")],
        [("Другой?", "es:other:8")],
        [(ENGLISH.ask_human, "h:8")],
        [(ENGLISH.all_topics, "m")],
    ]
    assert rows(nobody) == [rows(markup)[0], rows(markup)[1], rows(markup)[3]]


def test_an_unanswered_question_offers_its_candidates_and_the_other_actions(
    kb: KnowledgeBase,
) -> None:
    markup = unanswered_keyboard(
        12, kb.entries[1:], RUSSIAN, page=3, has_previous=True, has_next=False
    )

    data = [button.callback_data for row in markup.inline_keyboard for button in row]
    assert data == ["ua:12:short:3", "ua:12:other:3", "uc:12:3", "un:12:3", "ui:12:3", "u:2"]
    assert markup.inline_keyboard[0][0].text == RUSSIAN.owner.add_as_phrasing.format(
        question="Коротко?"
    )


def test_after_an_action_next_shows_the_question_that_took_its_place() -> None:
    middle = resolved_keyboard(RUSSIAN, page=2, remaining=5)
    last = resolved_keyboard(RUSSIAN, page=2, remaining=2)
    only = resolved_keyboard(RUSSIAN, page=0, remaining=0)

    assert [b.callback_data for b in middle.inline_keyboard[0]] == ["u:1", "u:2"]
    assert [b.callback_data for b in last.inline_keyboard[0]] == ["u:1"]
    assert only.inline_keyboard == []


def test_choosing_an_entry_goes_section_then_entry(kb: KnowledgeBase) -> None:
    sections = rows(choose_section_keyboard(kb, RUSSIAN, question_id=5, page=1))
    entries = rows(choose_entry_keyboard(kb, "second", RUSSIAN, question_id=5, page=1))
    new_entry = rows(choose_section_keyboard(kb, RUSSIAN, question_id=5, page=1, new_entry=True))

    assert sections == [
        [("Первая тема", f"us:5:{'a' * 32}:1")],
        [("Вторая", "us:5:second:1")],
        [(RUSSIAN.owner.back, "u:1")],
    ]
    assert entries == [[("Другой?", "ua:5:other:1")], [(RUSSIAN.owner.back, "uc:5:1")]]
    assert [data for [(_, data)] in new_entry] == [f"uns:5:{'a' * 32}:1", "uns:5:second:1", "u:1"]


def test_the_queue_of_questions_for_a_person_has_a_reply_button_each() -> None:
    markup = human_questions_keyboard(
        [(6, 31, "Где взять справку?"), (7, 35, "А если " + "очень " * 20 + "длинно?")],
        ENGLISH,
        page=1,
        has_previous=True,
        has_next=True,
    )

    texts = [[b.text for b in row] for row in markup.inline_keyboard]
    data = [[b.callback_data for b in row] for row in markup.inline_keyboard]
    assert texts[0] == ["✍️ Reply to 6: Где взять справку?"]
    assert len(texts[1][0]) <= 60
    assert data == [["qr:31"], ["qr:35"], ["q:0", "q:2"]]
    assert rows(reply_keyboard(31, RUSSIAN)) == [[(RUSSIAN.owner.reply, "qr:31")]]


def test_suggestions_keyboard_offers_at_most_three(kb: KnowledgeBase) -> None:
    many = [*kb.entries, *kb.entries]

    markup = suggestions_keyboard(many, RUSSIAN)

    data = [row[0][1] for row in rows(markup)]
    assert len(data) == MAX_SUGGESTIONS + 1
    assert data[0] == SuggestionCallback(entry_id="x" * 32, update_id=0).pack()
    assert data[-1] == "m"


def test_every_keyboard_is_accepted_by_telegram(kb: KnowledgeBase) -> None:
    big = 10**9
    markups = [
        sections_keyboard(kb),
        *(section_keyboard(kb, s.id, texts) for s in kb.sections for texts in (RUSSIAN, ENGLISH)),
        *(
            answer_keyboard(kb, e, RUSSIAN, origin, bot_username="b" * 32, update_id=big)
            for e in kb.entries
            for origin in Origin
        ),
        suggestions_keyboard(kb.entries, ENGLISH, update_id=big),
        not_found_keyboard(kb, ENGLISH, update_id=big),
        not_helpful_keyboard(kb.entries, RUSSIAN, update_id=big, can_ask=True),
        cancel_ask_keyboard(RUSSIAN),
        open_in_bot_keyboard("faq_bot", kb.entries[0], ENGLISH),
        unanswered_keyboard(big, kb.entries, RUSSIAN, page=999, has_previous=True, has_next=True),
        resolved_keyboard(ENGLISH, page=999, remaining=5000),
        *(
            choose_section_keyboard(kb, RUSSIAN, question_id=big, page=999, new_entry=new)
            for new in (False, True)
        ),
        *(choose_entry_keyboard(kb, s.id, ENGLISH, question_id=big, page=999) for s in kb.sections),
        cancel_dialog_keyboard(RUSSIAN),
        confirm_new_entry_keyboard(ENGLISH),
        human_questions_keyboard(
            [(n, big + n, "вопрос " * 50) for n in range(5)],
            RUSSIAN,
            page=999,
            has_previous=True,
            has_next=True,
        ),
        reply_keyboard(big, ENGLISH),
    ]
    for markup in markups:
        assert telegram_rules.check_reply_markup(markup.model_dump(exclude_none=True)) is None


def test_a_changed_knowledge_base_gets_its_own_buttons(kb: KnowledgeBase) -> None:
    """Buttons are remembered between keyboards; a reload with new titles must show them."""
    before = rows(sections_keyboard(kb))
    renamed = KnowledgeBase(
        sections=(Section("a" * 32, "Новое имя"), Section("second", "Вторая")),
        entries=(Entry("short", "a" * 32, "Коротко, но иначе?", "Да."),),
    )

    assert rows(sections_keyboard(renamed))[0][0][0] == "Новое имя"
    assert rows(section_keyboard(renamed, "a" * 32, RUSSIAN))[0][0][0] == "Коротко, но иначе?"
    assert rows(sections_keyboard(kb)) == before


def test_changing_one_keyboard_leaves_the_next_ones_alone(kb: KnowledgeBase) -> None:
    entry = kb.entries[1]
    first = answer_keyboard(kb, entry, RUSSIAN, Origin.SEARCH, bot_username="faq_bot", update_id=1)
    expected = rows(first)

    with_vote(first, Vote.UP, RUSSIAN)
    without_ask_human(not_found_keyboard(kb, RUSSIAN, update_id=1))
    second = answer_keyboard(kb, entry, RUSSIAN, Origin.SEARCH, bot_username="faq_bot", update_id=1)

    assert rows(second) == expected
    assert [b.text for b in second.inline_keyboard[0]] == ["👍", "👎", RUSSIAN.share]
    assert rows(answer_keyboard(kb, entry, ENGLISH, Origin.SEARCH))[-1] == [
        (ENGLISH.all_topics, "m")
    ]


def test_vote_buttons_carry_exactly_what_their_callback_factory_packs(kb: KnowledgeBase) -> None:
    entry = kb.entries[0]
    for update_id in (0, 1, 42, 10**9, 2**63 - 1):
        markup = answer_keyboard(kb, entry, RUSSIAN, Origin.SEARCH, update_id=update_id)
        data = [button.callback_data for button in markup.inline_keyboard[0]]
        assert data == [
            VoteCallback(entry_id=entry.id, vote=vote, update_id=update_id).pack() for vote in Vote
        ]
        assert [VoteCallback.unpack(d or "").update_id for d in data] == [update_id] * 2


def test_a_long_sections_entries_are_paged_for_the_owners_too() -> None:
    kb = KnowledgeBase(
        sections=(Section("general", "Вопросы"),),
        entries=tuple(Entry(f"q{n}", "general", f"Вопрос {n}?", "Ответ.") for n in range(25)),
    )

    first = rows(choose_entry_keyboard(kb, "general", RUSSIAN, question_id=5, page=2))
    second = rows(
        choose_entry_keyboard(kb, "general", RUSSIAN, question_id=5, page=2, entries_page=1)
    )

    assert len(first) == LIST_PAGE_SIZE + 2
    assert first[-2:] == [
        [(RUSSIAN.next_page, "usp:5:general:2:1")],
        [(RUSSIAN.owner.back, "uc:5:2")],
    ]
    assert second == [
        *([(f"Вопрос {n}?", f"ua:5:q{n}:2")] for n in range(20, 25)),
        [(RUSSIAN.previous_page, "us:5:general:2")],
        [(RUSSIAN.owner.back, "uc:5:2")],
    ]
    assert (
        telegram_rules.check_reply_markup(
            choose_entry_keyboard(kb, "general", RUSSIAN, question_id=5, page=2).model_dump(
                exclude_none=True
            )
        )
        is None
    )


def test_the_answer_keyboard_leads_back_to_the_page_that_lists_the_entry() -> None:
    kb = KnowledgeBase(
        sections=(Section("general", "Вопросы"),),
        entries=tuple(Entry(f"q{n}", "general", f"Вопрос {n}?", "Ответ.") for n in range(45)),
    )
    entry = kb.entries[41]

    markup = answer_keyboard(kb, entry, RUSSIAN, Origin.SECTION)

    assert rows(markup)[1] == [(RUSSIAN.back_to_questions, "sp:general:2")]
    assert section_page_of(kb, kb.entries[19]) == 0
    assert section_page_of(kb, kb.entries[20]) == 1


def test_a_dialogs_cancel_buttons_carry_its_token() -> None:
    [[ask]] = cancel_ask_keyboard(RUSSIAN, dialog="0a1b2c3d").inline_keyboard
    [[owner]] = cancel_dialog_keyboard(RUSSIAN, dialog="0a1b2c3d").inline_keyboard
    [[create, cancel]] = confirm_new_entry_keyboard(ENGLISH, dialog="0a1b2c3d").inline_keyboard

    assert CancelAskCallback.unpack(ask.callback_data or "").dialog == "0a1b2c3d"
    assert CancelDialogCallback.unpack(owner.callback_data or "").dialog == "0a1b2c3d"
    assert CancelDialogCallback.unpack(cancel.callback_data or "").dialog == "0a1b2c3d"
    assert (create.text, cancel.text) == (ENGLISH.owner.create, ENGLISH.owner.cancel)
