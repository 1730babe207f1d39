"""The searchable form of a knowledge base: analysed fields, term statistics, inverted index."""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from bot.engine import morph, text
from bot.engine.analysis import Concepts, Lemmatizer, Word, pair_terms
from bot.engine.fuzzy import FuzzyVocabulary
from bot.engine.memo import remember
from bot.knowledge.model import KnowledgeBase

DERIVATION_PREFIX = 5
_DERIVED_LIMIT = 100_000  # word families remembered at most
SHORT_NOUN = 7


class FieldKind(StrEnum):
    QUESTION = "question"
    PHRASING = "phrasing"
    ANSWER = "answer"


@dataclass(slots=True)
class Field:
    """One text of an entry (its question, a phrasing or its answer), as terms."""

    entry: int
    kind: FieldKind
    number: int  # which phrasing, counting from 1; 0 for question and answer
    text: str
    terms: dict[str, bool]  # term -> True when core (counts in the field's weight), False extra
    surfaces: dict[str, str]  # term -> the words that gave it, for explanations
    weight: float = 0.0  # total idf of the core terms, set once statistics are known
    core_idf: dict[str, float] = field(default_factory=dict)  # core term -> its idf

    @property
    def label(self) -> str:
        return f"phrasing {self.number}" if self.kind is FieldKind.PHRASING else self.kind.value


def idf(document_frequency: int, total: int) -> float:
    """How telling a term is: high for rare terms, near zero for terms in every entry."""
    return math.log(1.0 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


class KnowledgeIndex:
    """Everything the matcher needs to know about a knowledge base, computed once."""

    def __init__(self, kb: KnowledgeBase, lemmatizer: Lemmatizer) -> None:
        self.kb = kb
        self.lemmatizer = lemmatizer
        self.concepts = Concepts(kb.equivalence_groups(), lemmatizer.content_words_of)
        self.forms: dict[str, str] = {}  # a word as written in the base -> its lemma
        self.lemmas: set[str] = set()
        self.fields: list[list[Field]] = []
        # While building: word pairs and their spellings recur across thousands of texts,
        # one copy of each is kept.
        self._strings: dict[str, str] = {}
        # While building: nouns written bare somewhere, and nouns seen inside a longer name (term ->
        # the words completing it): "такси" in "социальное такси" is qualified by "социальный".
        self._bare: set[str] = set()
        self._named: dict[str, set[str]] = {}
        for number, entry in enumerate(kb.entries):
            texts = [(FieldKind.QUESTION, 0, entry.question)]
            texts += [(FieldKind.PHRASING, i, p) for i, p in enumerate(entry.phrasings, start=1)]
            texts.append((FieldKind.ANSWER, 0, entry.answer))
            self.fields.append([self._field(number, kind, n, t) for kind, n, t in texts])
        del self._strings
        for group in kb.equivalence_groups():
            for member in group:
                self._learn_words(lemmatizer.content_words_of(member))
        self.size = len(kb.entries)
        self.document_frequency: Counter[str] = Counter()
        self.postings: dict[str, list[int]] = {}
        for number, fields in enumerate(self.fields):
            for term in {t for f in fields for t in f.terms}:
                self.document_frequency[term] += 1
                self.postings.setdefault(term, []).append(number)
        self._idf = {t: idf(df, self.size) for t, df in self.document_frequency.items()}
        self.unknown_idf = idf(0, max(self.size, 1))
        self.rare_idf = idf(1, max(self.size, 1))
        # Terms the base only uses inside a longer name, with the words completing it.
        self.qualified = _qualified_terms(self._bare, self._named)
        del self._bare, self._named
        self.term_masks: list[dict[str, int]] = []  # per entry: term -> bit mask of its texts
        for fields in self.fields:
            masks: dict[str, int] = {}
            for position, f in enumerate(fields):
                f.core_idf = {t: self._idf[t] for t, is_core in f.terms.items() if is_core}
                f.weight = sum(f.core_idf.values())
                for term in f.terms:
                    masks[term] = masks.get(term, 0) | (1 << position)
            self.term_masks.append(masks)
        word_frequency = Counter(self.forms.values())
        spelling = {w: word_frequency.get(self.forms.get(w, w), 1) for w in self.forms}
        spelling.update({lemma: word_frequency.get(lemma, 1) for lemma in self.lemmas})
        self.fuzzy = FuzzyVocabulary(
            {w: n for w, n in spelling.items() if w.isalpha() and len(w) >= 3}
        )
        self._by_prefix: dict[str, list[str]] = {}
        for lemma in self.lemmas:
            if len(lemma) >= DERIVATION_PREFIX and lemma.isalpha():
                self._by_prefix.setdefault(lemma[:DERIVATION_PREFIX], []).append(lemma)
        self._derived_cache: dict[str, tuple[str, ...]] = {}
        self._sorted_lemmas: list[str] | None = None  # for completions, made when first needed

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.unknown_idf)

    def knows(self, term: str) -> bool:
        return term in self._idf

    def answer_bit(self, entry: int) -> int:
        """The bit of the entry's answer in its term masks: the answer is its last text."""
        return 1 << (len(self.fields[entry]) - 1)

    def knows_word(self, surface: str, lemmas: tuple[str, ...]) -> bool:
        return surface in self.forms or any(lemma in self.lemmas for lemma in lemmas)

    def lemma_of_known(self, word: str) -> str:
        return self.forms.get(word, word)

    def derived(self, lemma: str) -> tuple[str, ...]:
        """Known lemmas of the same word family ('приоритетный' -> 'приоритет'), by long prefix."""
        found = self._derived_cache.get(lemma)
        if found is None:
            found = tuple(self._derive(lemma))[:3]
            remember(self._derived_cache, lemma, found, _DERIVED_LIMIT)
        return found

    def completions(self, beginning: str, most: int) -> tuple[str, ...]:
        """The base's words that begin with ``beginning`` ("студ" -> "студент",
        "студенческий"), shortest first; none when more than ``most`` do (too vague)."""
        if self._sorted_lemmas is None:
            self._sorted_lemmas = sorted(lemma for lemma in self.lemmas if lemma.isalpha())
        lemmas = self._sorted_lemmas
        found: list[str] = []
        for lemma in itertools.islice(lemmas, bisect.bisect_left(lemmas, beginning), None):
            if not lemma.startswith(beginning):
                break
            if len(found) == most:
                return ()
            if lemma != beginning:
                found.append(lemma)
        return tuple(sorted(found, key=len))

    def _derive(self, lemma: str) -> list[str]:
        if len(lemma) < DERIVATION_PREFIX:
            return []
        related = []
        for other in self._by_prefix.get(lemma[:DERIVATION_PREFIX], ()):
            if other == lemma:
                continue
            if min(len(lemma), len(other)) < SHORT_NOUN and _both_nouns(lemma, other):
                # Two nouns of one short stem often name different things ("поезд",
                # "поездка"); a long stem is one family ("контрабанда", "контрабандист").
                continue
            common = _common_prefix(lemma, other)
            endings = self.lemmatizer.language.derivational_endings
            if common >= 0.75 * min(len(lemma), len(other)) or (
                lemma[common:] in endings and other[common:] in endings
            ):
                related.append((-common, other))
        return [other for _, other in sorted(related)]

    def _field(self, entry: int, kind: FieldKind, number: int, raw: str) -> Field:
        words = self.lemmatizer.words_of(text.without_links(raw))
        self._learn_words(words)
        terms: dict[str, bool] = {}
        surfaces: dict[str, str] = {}
        mapped = self.concepts.apply(words, keep_phrase_words=True)
        for word in mapped:
            if word.stop:
                continue
            terms[word.term] = terms.get(word.term, False) or not word.extra
            surfaces.setdefault(word.term, word.surface)
            for other in word.other_terms:
                terms.setdefault(other, False)
                surfaces.setdefault(other, word.surface)
        if kind is not FieldKind.ANSWER:
            shared = self._strings.setdefault
            for pair, left, right in pair_terms(mapped):
                pair = shared(pair, pair)
                terms.setdefault(pair, False)
                if pair not in surfaces:
                    written = f"{left.surface} {right.surface}"
                    surfaces[pair] = shared(written, written)
        result = Field(entry, kind, number, raw, terms, surfaces)
        self._note_names(mapped)
        return result

    def _note_names(self, mapped: list[Word]) -> None:
        """Which nouns the text writes bare and which only inside a longer name: in a synonym
        phrase ("маршрутное такси"), or after an adjective that is neither a number nor one of
        the language's most common words ("социальное такси", but not "новый маршрут")."""
        common = self.lemmatizer.language.common_words
        previous: Word | None = None
        position = 0
        while position < len(mapped):
            word = mapped[position]
            position += 1
            if word.extra:
                continue
            if word.span > 1:  # a recognised phrase; its words follow it as extras
                members = mapped[position : position + word.span]
                position += word.span
                for member in members:
                    if morph.is_noun(member.surface):
                        others = {m.term for m in members if m is not member}
                        self._named.setdefault(member.term, set()).update(others)
                previous = word
                continue
            modifier = (
                previous is not None
                and not previous.stop
                and previous.term not in common
                and not previous.term.isdigit()
                and morph.is_naming_adjective(previous.surface)
            )
            if not word.stop and morph.is_noun(word.surface):
                if modifier and previous is not None:
                    self._named.setdefault(word.term, set()).add(previous.term)
                else:
                    self._bare.add(word.term)
            previous = word

    def _learn_words(self, words: list[Word]) -> None:
        for word in words:
            if word.stop or word.extra or " " in word.surface:
                continue
            self.forms.setdefault(word.surface, word.term)
            self.lemmas.update(word.terms)


def _qualified_terms(bare: set[str], named: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Terms never written bare, with every word they are completed with."""
    return {term: frozenset(words) for term, words in named.items() if term not in bare}


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _both_nouns(a: str, b: str) -> bool:
    """Both are nouns the dictionary knows (a misspelt word's part of speech is a guess)."""
    return all(morph.is_dictionary_word(w) and morph.is_noun(w) for w in (a, b))
