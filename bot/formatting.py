"""Turning knowledge-base text into Telegram HTML messages that Telegram accepts.

Knowledge-base and user text is always escaped: an answer that mentions ``<b>`` or ``&`` shows
those characters literally. Telegram counts a message's length in UTF-16 code units after
entities are parsed and rejects more than 4096, so long answers are split at the most natural
boundary that fits: a paragraph, a line, a sentence, a word, and only as a last resort mid-word.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache

from bot.knowledge.model import Entry

MESSAGE_LIMIT = 4096  # Telegram's limit for a message's text, in UTF-16 code units
ANSWER_CACHE_SIZE = 1024  # entries whose answers are kept ready to send

# Where a part may end, best first. Each pattern matches the separator that follows a part.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),  # paragraph
    re.compile(r"\n"),  # line
    re.compile(r"(?<=[.!?…;])\s+"),  # sentence
    re.compile(r"\s+"),  # word
)


def escape(text: str) -> str:
    """Escape text for Telegram HTML (quotes need no escaping there)."""
    return html.escape(text, quote=False)


def is_blank(text: str) -> bool:
    """Nothing a person would see: only spaces and invisible characters (zero-width spaces,
    direction marks)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def has_words(text: str) -> bool:
    """Does ``text`` say something in words: a digit, or two letters? Emoji, punctuation and
    emoticons do not ("😀😀😀", "...", "¯\\_(ツ)_/¯": a lone letter there is a face); "ж/д"
    does."""
    letters = 0
    for char in text:
        if char.isdigit():
            return True
        letters += char.isalpha()
        if letters >= 2:
            return True
    return False


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(
    text: str, limit: int = MESSAGE_LIMIT, *, first_limit: int | None = None
) -> list[str]:
    """Split plain text into parts of at most ``limit`` UTF-16 units (``first_limit`` for the
    first part), cutting at the best boundary available; parts are stripped of the whitespace
    they were cut at. Always returns at least one part."""
    parts: list[str] = []
    rest = text.strip()
    current_limit = limit if first_limit is None else first_limit
    while utf16_length(rest) > current_limit:
        cut, resume = _best_cut(rest, current_limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[resume:].lstrip()
        current_limit = limit
    parts.append(rest)
    return parts


def _best_cut(text: str, limit: int) -> tuple[int, int]:
    """Where to end the first part (``cut``) and where the next part starts (``resume``)."""
    window_end = _prefix_fitting(text, limit)
    window = text[: window_end + 1]  # one more character: a separator right at the limit counts
    minimum = window_end // 3  # a boundary too early would leave tiny parts; try a finer kind
    for boundary in _BOUNDARIES:
        matches = [m for m in boundary.finditer(window) if minimum < m.start() <= window_end]
        if matches:
            return matches[-1].start(), matches[-1].end()
    return window_end, window_end


def _prefix_fitting(text: str, limit: int) -> int:
    """The largest number of characters from the start of ``text`` within ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def answer_messages(entry: Entry, limit: int = MESSAGE_LIMIT) -> list[str]:
    """An entry's answer as one or more HTML messages: the question in bold, then the answer."""
    return list(_answer_messages(entry, limit))


# The same few answers go out again and again: escaped and split once per entry (a reloaded
# knowledge base brings new entries, hence new keys).
@lru_cache(maxsize=ANSWER_CACHE_SIZE)
def _answer_messages(entry: Entry, limit: int) -> tuple[str, ...]:
    header = entry.question
    separator = "\n\n"
    first_limit = max(limit - utf16_length(header + separator), limit // 2)
    parts = split_text(entry.answer, limit, first_limit=first_limit)
    if utf16_length(header + separator) + utf16_length(parts[0]) > limit:
        # A question too long to share a message: give it a message of its own.
        return (
            *(f"<b>{escape(p)}</b>" for p in split_text(header, limit)),
            *(escape(p) for p in split_text(entry.answer, limit)),
        )
    first = f"<b>{escape(header)}</b>{separator}{escape(parts[0])}"
    return (first, *(escape(part) for part in parts[1:]))


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` UTF-16 units with an ellipsis; unlike ``shorten`` it
    keeps the line breaks (a user's question quoted to the owners). Units, not characters:
    that is what Telegram's limits count, and an emoji takes two."""
    text = text.strip()
    if utf16_length(text) <= width:
        return text
    return text[: _prefix_fitting(text, width - 1)].rstrip() + "…"


def person(user_id: int, first_name: str | None, username: str | None) -> str:
    """Who a user is, for the owners, as escaped HTML: "Анна (@anna, id 1001)"."""
    details = [f"@{username}"] if username else []
    details.append(f"id {user_id}")
    name = (first_name or "").strip()
    label = f"{name} ({', '.join(details)})" if name else ", ".join(details)
    return escape(label)


def mention(user_id: int, first_name: str | None, username: str | None) -> str:
    """A link to a user that Telegram shows as a mention (HTML): their name, else @username."""
    name = (first_name or "").strip() or (f"@{username}" if username else f"id {user_id}")
    return f'<a href="tg://user?id={user_id}">{escape(name)}</a>'


def moment(when: datetime) -> str:
    """A time for the owners: day, month, year, hours and minutes, in UTC."""
    return when.astimezone(UTC).strftime("%d.%m.%Y %H:%M UTC")
