"""Owners' in-chat additions laid over the file's knowledge base, and their checks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.knowledge.additions import (
    AdditionError,
    Problem,
    apply_owner_additions,
    check_new_entry,
    clean_answer,
    clean_question,
    overlay_owner_additions,
)
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.storage import PhrasingRow

KB = KnowledgeBase(
    sections=(Section("main", "Main"), Section("other", "Other")),
    entries=(
        Entry("hours", "main", "When are you open?", "9 to 18.", ("opening hours",)),
        Entry("price", "other", "How much is it?", "Free."),
    ),
    synonyms=(("price", "cost"),),
    title="Shop",
    language="en",
)


def phrasing(entry_id: str, text: str) -> PhrasingRow:
    return PhrasingRow(1, entry_id, text, None, 100, datetime(2024, 5, 1, tzinfo=UTC))


def test_nothing_to_add_gives_the_same_knowledge_base() -> None:
    assert apply_owner_additions(KB, [], []) == KB


def test_entries_go_last_and_phrasings_are_appended_in_order() -> None:
    new = Entry("delivery", "other", "Do you deliver?", "Yes.")
    kb = apply_owner_additions(
        KB,
        [
            phrasing("hours", "when do you open"),
            phrasing("delivery", "is there delivery"),
            phrasing("hours", "working hours"),
        ],
        [new],
    )
    assert kb.entries == (
        Entry(
            "hours",
            "main",
            "When are you open?",
            "9 to 18.",
            ("opening hours", "when do you open", "working hours"),
        ),
        KB.entries[1],
        Entry("delivery", "other", "Do you deliver?", "Yes.", ("is there delivery",)),
    )
    assert (kb.sections, kb.synonyms, kb.title, kb.language) == (
        KB.sections,
        KB.synonyms,
        "Shop",
        "en",
    )
    assert kb.entry("delivery") is not None  # the lookup tables are rebuilt


def test_phrasings_the_entry_already_has_are_silent_no_ops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    overlay = overlay_owner_additions(
        KB,
        [
            phrasing("hours", "OPENING   hours"),
            phrasing("hours", "when are you open?"),
            phrasing("hours", "late hours"),
            phrasing("hours", "Late Hours"),
        ],
        [],
    )
    assert overlay.kb.entry("hours").phrasings == ("opening hours", "late hours")
    assert (overlay.phrasings_added, overlay.entries_added, overlay.skipped) == (1, 0, ())
    assert caplog.records == []


def test_additions_that_no_longer_fit_are_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.knowledge.additions")
    kb = apply_owner_additions(
        KB,
        [phrasing("gone", "old phrasing")],
        [
            Entry("price", "main", "Is it expensive?", "No."),  # the file took the id since
            Entry("refunds", "removed", "Can I get a refund?", "Yes."),  # section removed
            Entry("open", "main", "  WHEN are you open? ", "Always."),  # question taken
        ],
    )
    assert kb == KB
    assert [record.getMessage() for record in caplog.records] == [
        "skipped new entry 'price' added in the chat: the knowledge base has another entry "
        "with this id ('How much is it?')",
        "skipped new entry 'refunds' added in the chat: section 'removed' no longer exists",
        "skipped new entry 'open' added in the chat: entry 'hours' has the same question",
        "skipped phrasing 'old phrasing' added in the chat: entry 'gone' no longer exists",
    ]
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_an_entry_already_exported_into_the_file_is_a_silent_no_op(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The file has the entry (exported, then perhaps its answer edited there): the file wins.
    exported = Entry("price", "other", "how much is it?", "Old answer.")
    overlay = overlay_owner_additions(KB, [phrasing("price", "cost?")], [exported])
    assert overlay.kb.entry("price") == Entry(
        "price", "other", "How much is it?", "Free.", ("cost?",)
    )
    assert (overlay.entries_added, overlay.skipped) == (0, ())
    assert caplog.records == []


def test_two_owner_entries_with_one_question_keep_the_first() -> None:
    overlay = overlay_owner_additions(
        KB,
        [],
        [Entry("a", "main", "New question?", "A."), Entry("b", "main", "new  QUESTION?", "B.")],
    )
    assert [e.id for e in overlay.kb.entries] == ["hours", "price", "a"]
    assert overlay.skipped == (
        "skipped new entry 'b' added in the chat: entry 'a' has the same question",
    )


def test_clean_question_and_answer() -> None:
    assert clean_question("  Where\n is   the\tshop? ") == "Where is the shop?"
    assert clean_question("в" * 500) == "в" * 500
    assert clean_answer(" Line one.\r\nLine two.\r\n\r\n") == "Line one.\nLine two."
    for text, problem in [
        ("", Problem.EMPTY),
        (" \n ", Problem.EMPTY),
        ("в" * 501, Problem.TOO_LONG),
    ]:
        with pytest.raises(AdditionError) as caught:
            clean_question(text)
        assert caught.value.problem is problem
    with pytest.raises(AdditionError, match="the answer has 20001 characters; the limit is 20000"):
        clean_answer("x" * 20_001)


def test_check_new_entry() -> None:
    assert check_new_entry(KB, "other", " Do you deliver? ", "Yes. ") == ("Do you deliver?", "Yes.")
    with pytest.raises(AdditionError, match="there is no section 'nope'") as caught:
        check_new_entry(KB, "nope", "Do you deliver?", "Yes.")
    assert caught.value.problem is Problem.UNKNOWN_SECTION
    with pytest.raises(AdditionError, match="entry 'price' already has this question") as caught:
        check_new_entry(KB, "main", "how much IS it?", "Yes.")
    assert caught.value.problem is Problem.DUPLICATE_QUESTION
