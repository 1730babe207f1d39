"""Turning raw text into lower-case words: Unicode clean-up, ё/е, punctuation, length cap."""

from __future__ import annotations

import re
import unicodedata

# Longer messages are cut: a question never needs more, and matching must stay fast.
MAX_CHARS = 1000
MAX_WORDS = 60
MAX_WORD_LENGTH = 40  # longer "words" are links, keyboard mashing or base64, never a question

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*|[%№$€₽]")
# (Not a full stop: it also ends shortenings, "инв. коляска". Not between digits: "2,5".)
_CLAUSE_MARK = re.compile(r"[,;:!?]\s*[^\W_]")
_CLAUSE_START = re.compile(r"(?<!\d)[,;:!?]\s*([^\W_]+(?:-[^\W_]+)*)")
# A short abbreviation with a slash ("а/п", "ж/д", "б/у") is one word: its letters alone are
# stop words or nothing. (Looked for only in a text with a slash.)
_SLASHED = r"(?<![^\W_])(?<!/)[а-я]{1,2}/[а-я]{1,2}(?![^\W_]|/)"
_WORD_OR_SLASHED = re.compile(_SLASHED + "|" + _WORD.pattern)
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")
_DIGITS = re.compile(r"\d+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
# Links, addresses and handles ("t.me/sgt_news", "info@sgt.ru", "@sgt_bot", "sgt.ru"): their
# pieces are not words of the text, and a piece that looks like a Latin spelling ("gde" in
# "@sgt_gde_bot") would otherwise be taken for a word the base knows, and win over reading it
# as Russian.
_LINK = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]*@[\w.-]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,6}\b(?:/\S*)?",
    re.IGNORECASE,
)
# A sentence's end, or a word as typed (the same words as _WORD finds).
_SENTENCE_END_OR_WORD = re.compile(r"[.!?…]|[^\W_]+(?:-[^\W_]+)*")


def clean(text: str) -> str:
    """Lower case, ё as е, compatibility forms folded, control and format characters dropped."""
    text = text[: MAX_CHARS * 2]
    text = unicodedata.normalize("NFKC", text)[:MAX_CHARS]
    if not text.isprintable():  # the per-character pass only for the rare text that needs it
        text = "".join(_clean_char(ch) for ch in text)
    # Dashes of every kind inside words become the plain hyphen the tokenizer understands.
    text = _DASHES.sub("-", text)
    return text.lower().replace("ё", "е")


def capitalised_inside(text: str) -> frozenset[str]:
    """The words (lower case, as ``clean`` and ``words`` give them) typed with a capital
    letter somewhere other than at the start of a sentence: "на Оренбургскую область" names
    a place. A message typed all in capitals says nothing of the kind."""
    rest = text[1:MAX_CHARS]
    if rest == rest.lower() or text.isupper():  # (most messages: nothing to look at)
        return frozenset()
    found = set()
    starts = True
    for token in _SENTENCE_END_OR_WORD.findall(text[:MAX_CHARS]):
        if token in ".!?…":
            starts = True
            continue
        if not starts and token[0].isupper():
            found.add(token.lower().replace("ё", "е"))
        starts = False
    return frozenset(found)


def without_links(text: str) -> str:
    """The text with links, e-mail addresses and handles replaced by a space."""
    if "@" not in text and "." not in text and "/" not in text:
        return text
    return _LINK.sub(" ", text)


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cf":  # zero-width and direction marks: invisible, may sit inside a word
        return ""
    if category[0] in "CZ":
        return " "
    return ch


def clause_starts(cleaned: str) -> frozenset[str]:
    """The words (as ``words`` gives them) that follow a comma, a semicolon, a colon, "!" or
    "?": where one part of a message ends and another begins."""
    if not _CLAUSE_MARK.search(cleaned):  # (most short messages)
        return frozenset()
    return frozenset(_CLAUSE_START.findall(cleaned[:MAX_CHARS]))


def words(cleaned: str) -> list[str]:
    """Words (with inner hyphens kept) and the few symbols that mean a word, in order."""
    # (A match begins and ends with a letter or digit, or is one symbol: no hyphen to strip.)
    found = (_WORD_OR_SLASHED if "/" in cleaned else _WORD).findall(cleaned)
    return [w for w in found if len(w) <= MAX_WORD_LENGTH][:MAX_WORDS]


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def is_latin(word: str) -> bool:
    return bool(_LATIN.search(word)) and not is_cyrillic(word)


def is_number(word: str) -> bool:
    return bool(_DIGITS.fullmatch(word))
