"""Every inline button's payload, in one place.

Telegram limits callback data to 64 bytes, so payloads carry only short prefixes and ids
(section and entry ids are at most 32 ASCII characters), never question text. Anything that
does not parse as one of these factories is handled by ``handlers.fallback``.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

MAX_CALLBACK_DATA_BYTES = 64
MAX_ID_LENGTH = 32  # the knowledge base's limit for section and entry ids


class Origin(StrEnum):
    """Where an entry's button was shown, which decides where "back" leads."""

    SECTION = "s"  # the list of a section's questions: the answer replaces the list
    SEARCH = "q"  # "did you mean" after a typed question: the answer comes as a new message


class MenuCallback(CallbackData, prefix="m"):
    """Show all topics (sections)."""


class SectionCallback(CallbackData, prefix="s"):
    """Show one section's questions."""

    section_id: str


class EntryCallback(CallbackData, prefix="e"):
    """Show one entry's answer."""

    entry_id: str
    origin: Origin = Origin.SECTION


def longest_payloads() -> list[str]:
    """Each factory packed with the longest ids allowed, to check against the 64-byte limit."""
    longest_id = "x" * MAX_ID_LENGTH
    return [
        MenuCallback().pack(),
        SectionCallback(section_id=longest_id).pack(),
        *(EntryCallback(entry_id=longest_id, origin=origin).pack() for origin in Origin),
    ]
