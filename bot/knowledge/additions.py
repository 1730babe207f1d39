"""Owners' in-chat additions to the knowledge base: their checks, new ids, the effective KB.

Owners add phrasings to entries and whole new entries from the chat. The bot stores them in
SQLite (``bot/storage.py``) and lays them over the file's knowledge base with
``apply_owner_additions`` whenever it builds the engine; ``python -m bot export`` writes the
same effective knowledge base back into the file. So every rule here mirrors what the loader
accepts and what the import merge does: what the bot answers from is exactly what the exported
file will say.

After an export into the knowledge-base file the stored additions stay in the database; they
are then no-ops (a phrasing already there, an entry with the same id and question), skipped
without a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

# new_entry_id is re-exported: entries created in the chat are named here (bot/storage.py).
from bot.knowledge.identity import new_entry_id as new_entry_id
from bot.knowledge.identity import question_key
from bot.knowledge.loader import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from bot.knowledge.model import Entry, KnowledgeBase

logger = logging.getLogger(__name__)


class Problem(StrEnum):
    """Why an addition was refused; the bot turns it into a message in the owner's language."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNKNOWN_SECTION = "unknown_section"
    DUPLICATE_QUESTION = "duplicate_question"  # another entry already has this question


class AdditionError(ValueError):
    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


class PhrasingAddition(Protocol):
    """A stored phrasing (``bot.storage.PhrasingRow`` is one)."""

    @property
    def entry_id(self) -> str: ...

    @property
    def text(self) -> str: ...


class EntryAddition(Protocol):
    """A stored owner-created entry (``bot.storage.OwnerEntryRow`` is one, and so is ``Entry``)."""

    @property
    def id(self) -> str: ...

    @property
    def section_id(self) -> str: ...

    @property
    def question(self) -> str: ...

    @property
    def answer(self) -> str: ...


# --- checks -----------------------------------------------------------------------------------


def clean_question(text: str) -> str:
    """A question or phrasing as the file keeps it: one line, single spaces, not too long.

    A user's message may span lines; on a button and in the file it is one line.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise AdditionError(Problem.EMPTY, "the question is empty")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise AdditionError(
            Problem.TOO_LONG,
            f"the question has {len(cleaned)} characters; the limit is {MAX_QUESTION_CHARS}",
        )
    return cleaned


def fits_as_question(text: str) -> bool:
    """Can ``text`` (a user's message) become a phrasing or a new entry's question?"""
    try:
        clean_question(text)
    except AdditionError:
        return False
    return True


def clean_answer(text: str) -> str:
    """An answer as the loader reads it back: one newline convention, no outer whitespace."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise AdditionError(Problem.EMPTY, "the answer is empty")
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise AdditionError(
            Problem.TOO_LONG,
            f"the answer has {len(cleaned)} characters; the limit is {MAX_ANSWER_CHARS}",
        )
    return cleaned


def check_new_entry(
    kb: KnowledgeBase, section_id: str, question: str, answer: str
) -> tuple[str, str]:
    """The cleaned question and answer of a new entry for ``kb``; raises AdditionError."""
    if kb.section(section_id) is None:
        raise AdditionError(Problem.UNKNOWN_SECTION, f"there is no section {section_id!r}")
    question, answer = clean_question(question), clean_answer(answer)
    other = _entry_with_question(kb.entries, question)
    if other is not None:
        raise AdditionError(
            Problem.DUPLICATE_QUESTION, f"entry {other.id!r} already has this question"
        )
    return question, answer


def _entry_with_question(entries: Iterable[Entry], question: str) -> Entry | None:
    key = question_key(question)
    return next((entry for entry in entries if question_key(entry.question) == key), None)


# --- the effective knowledge base -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overlay:
    """The knowledge base with the additions laid over it, and what happened to each."""

    kb: KnowledgeBase
    phrasings_added: int
    entries_added: int
    skipped: tuple[str, ...]  # one line per addition that could not be used


def apply_owner_additions(
    kb: KnowledgeBase,
    phrasings: Iterable[PhrasingAddition],
    entries: Iterable[EntryAddition],
) -> KnowledgeBase:
    """The knowledge base the engine is built from: ``kb`` (the file) plus owners' additions.

    New entries go after the file's, in the given order, then phrasings are appended to their
    entries. Additions that no longer fit (their entry or section was removed from the file, or
    an entry's id or question is now taken by another) are skipped with a warning.
    """
    overlay = overlay_owner_additions(kb, phrasings, entries)
    for line in overlay.skipped:
        logger.warning("%s", line)
    return overlay.kb


def overlay_owner_additions(
    kb: KnowledgeBase,
    phrasings: Iterable[PhrasingAddition],
    entries: Iterable[EntryAddition],
) -> Overlay:
    """``apply_owner_additions`` with a report instead of log lines (for ``export``)."""
    skipped: list[str] = []
    all_entries = list(kb.entries)
    entries_added = 0
    for addition in entries:
        problem = _entry_problem(kb, all_entries, addition)
        if problem == "":
            continue  # already in the file (exported earlier)
        if problem is not None:
            skipped.append(f"skipped new entry {addition.id!r} added in the chat: {problem}")
            continue
        all_entries.append(
            Entry(addition.id, addition.section_id, addition.question, addition.answer)
        )
        entries_added += 1

    positions = {entry.id: number for number, entry in enumerate(all_entries)}
    phrasings_added = 0
    for phrasing in phrasings:
        number = positions.get(phrasing.entry_id)
        if number is None:
            skipped.append(
                f"skipped phrasing {phrasing.text!r} added in the chat: "
                f"entry {phrasing.entry_id!r} no longer exists"
            )
            continue
        entry = all_entries[number]
        known = {question_key(text) for text in (entry.question, *entry.phrasings)}
        if question_key(phrasing.text) in known:
            continue  # the same as the question or a phrasing it has: nothing to add
        all_entries[number] = replace(entry, phrasings=(*entry.phrasings, phrasing.text))
        phrasings_added += 1

    return Overlay(
        kb=replace(kb, entries=tuple(all_entries)),
        phrasings_added=phrasings_added,
        entries_added=entries_added,
        skipped=tuple(skipped),
    )


def _entry_problem(kb: KnowledgeBase, entries: list[Entry], addition: EntryAddition) -> str | None:
    """Why an owner entry cannot be added: None if it can, "" if the file already has it."""
    same_id = next((entry for entry in entries if entry.id == addition.id), None)
    if same_id is not None:
        if question_key(same_id.question) == question_key(addition.question):
            return ""
        return f"the knowledge base has another entry with this id ({same_id.question!r})"
    if kb.section(addition.section_id) is None:
        return f"section {addition.section_id!r} no longer exists"
    other = _entry_with_question(entries, addition.question)
    if other is not None:
        return f"entry {other.id!r} has the same question"
    return None
