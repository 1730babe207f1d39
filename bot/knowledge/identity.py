"""How questions are told apart and named: the comparison key and readable entry ids.

Everyone who asks "is this the same question?" (the loader's duplicate check, ``import``, the
owners' in-chat additions) uses ``question_key``, and everyone who names an entry that has no
id of its own (plain-text and Markdown files, entries created in the chat, ``import``) uses
``new_entry_id`` (``stable_id``), so a question keeps one id wherever it comes from, and its
id depends on nothing but the question.
"""

from __future__ import annotations

import hashlib
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
# An id is the slug, "-" and the hash: at most 21 + 1 + 6 = 28 characters, which leaves room for
# a "-NNN" (a true hash clash) within the 32-character id limit.
_SLUG_BUDGET = 21
_HASH_CHARS = 6


def question_key(text: str) -> str:
    """What two questions must share to be the same question: their words, whatever the case,
    spacing and punctuation ("Где столовая ?" is "где столовая"). A question of punctuation or
    emoji alone keeps them, so that "???" and "🙂" stay different questions."""
    folded = text.casefold()
    words = "".join(char if char.isalnum() else " " for char in folded).split()
    return " ".join(words) if words else " ".join(folded.split())


def new_entry_id(question: str, taken: set[str]) -> str:
    """A readable id for a new entry, unused so far: see ``stable_id``."""
    return EntryIds(taken).new(question)


def stable_id(question: str) -> str:
    """The id a question gets wherever it is named: the latin slug of its first words, "-" and
    a short hash of its ``question_key`` ("Как оформить пропуск на машину?" ->
    "kak-oformit-propusk-1a2b3c"; "q-" and the hash when it has nothing latin).

    It depends on the question alone, so questions added, removed or reordered around it never
    move it, even when they begin with the same words; and the same question written with
    other case, spacing or punctuation (which is the same question) gets the same id.
    """
    digest = hashlib.sha1(question_key(question).encode("utf-8")).hexdigest()[:_HASH_CHARS]
    return f"{slug(question) or 'q'}-{digest}"


class EntryIds:
    """Names one question after another, remembering the ids given (and those ``taken`` before).

    An id is ``stable_id``; only when that is taken (another question with the same slug and
    hash, about one chance in 16 million per pair of questions sharing a slug, or an id already
    used by an entry of a TOML file) does it get ``-2``, ``-3``.
    """

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def new(self, question: str) -> str:
        base = stable_id(question)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}-{number}", number + 1
        self.taken.add(candidate)
        return candidate


def slug(question: str) -> str:
    """The question's first words in latin letters, joined by "-", cut at a word boundary to at
    most 21 characters (a single longer word is cut); "" if it has no letters or digits."""
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
