"""How questions are told apart and named: the comparison key and readable entry ids.

Everyone who asks "is this the same question?" (the loader's duplicate check, ``import``, the
owners' in-chat additions) uses ``question_key``, and everyone who names an entry that has no
id of its own (plain-text and Markdown files, entries created in the chat, ``import``) uses
``new_entry_id``, so a question keeps one id wherever it comes from.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATION = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ә": "a", "ғ": "g", "қ": "k", "ң": "n",
        "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    }
)  # fmt: skip
_SLUG_BUDGET = 24  # leaves room for a "-NN" suffix within the 32-character id limit


def question_key(text: str) -> str:
    """What two questions must share to be the same question: their words, whatever the case,
    spacing and punctuation ("Где столовая ?" is "где столовая"). A question of punctuation or
    emoji alone keeps them, so that "???" and "🙂" stay different questions."""
    folded = text.casefold()
    words = "".join(char if char.isalnum() else " " for char in folded).split()
    return " ".join(words) if words else " ".join(folded.split())


def new_entry_id(question: str, taken: set[str]) -> str:
    """A readable id for a new entry (a latin slug of the question's first words), unused so far.

    The same question gets the same id whatever else the file holds, except that a second
    question with the same slug gets ``-2``, a third ``-3`` (in the order they are named).
    """
    return EntryIds(taken).new(question)


class EntryIds:
    """Names one question after another as ``new_entry_id`` does, remembering the ids given and
    the next number to try for each slug, so that naming a whole file takes time in proportion
    to its size even when thousands of questions begin with the same words."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())
        self._next_number: dict[str, int] = {}

    def new(self, question: str) -> str:
        base = slug(question)
        if base:
            candidate, number = base, self._next_number.get(base, 2)
            while candidate in self.taken:
                candidate, number = f"{base}-{number}", number + 1
            self._next_number[base] = number
        else:  # nothing latin to make a slug of: "q" and a number
            number = len(self.taken) + 1
            while f"q{number}" in self.taken:
                number += 1
            candidate = f"q{number}"
        self.taken.add(candidate)
        return candidate


def slug(question: str) -> str:
    """The question's first words in latin letters, joined by "-", at most 24 characters
    (room for a "-NN" within the 32 an id may have); "" if it has no letters or digits."""
    decomposed = unicodedata.normalize("NFKD", question.casefold().translate(_TRANSLITERATION))
    latin = "".join(char for char in decomposed if not unicodedata.combining(char))  # ç -> c
    words = re.findall(r"[a-z0-9]+", latin)
    joined = ""
    for word in words:
        candidate = f"{joined}-{word}" if joined else word
        if len(candidate) > _SLUG_BUDGET:
            break
        joined = candidate
    if not joined and words:
        joined = words[0][:_SLUG_BUDGET]
    return joined
