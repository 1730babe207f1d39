"""From cleaned text to the terms the index compares: lemmas, numbers and synonym concepts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.engine import morph, text
from bot.engine.lang import Language
from bot.engine.memo import remember


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text.

    ``term`` is what gets compared: a lemma, a number, or a synonym concept id; ``other_terms``
    are less likely readings of the same word ("основное": основный, основной). Stop words stay
    in the sequence (``stop``) because word pairs such as "в каких" + "областях" carry meaning;
    they never count on their own. ``extra`` marks terms that may add to a match but are never
    missed: the whole of a hyphenated word next to its parts, and the words inside a recognised
    phrase of a stored text.
    """

    surface: str
    term: str
    other_terms: tuple[str, ...] = ()
    stop: bool = False
    weak: bool = False
    common: bool = False  # one of the most frequent words of the language
    extra: bool = False
    strength: float = 1.0  # below 1 when the word was guessed (a typo corrected, ...)
    how: str = ""  # how the word was recognised, for explanations
    span: int = 1  # how many words of the text it stands for (a phrase is several)
    # The hash, worked out once: a message's words are keys of the memos that read them,
    # and hashing ten fields for every look-up costs more than the look-up. (String hashes
    # differ between processes: a Word must not be pickled with it; none is.)
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        if not self._hash:
            object.__setattr__(self, "_hash", hash(self._fields()))
        return self._hash

    def _fields(self) -> tuple[object, ...]:
        """What equality compares (every field but the remembered hash)."""
        return (
            self.surface,
            self.term,
            self.other_terms,
            self.stop,
            self.weak,
            self.common,
            self.extra,
            self.strength,
            self.how,
            self.span,
        )

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.term, *self.other_terms)


CONCEPT_PREFIX = "≈"
_CACHE_LIMIT = 200_000
PAIR_SEPARATOR = "+"


def is_concept(term: str) -> bool:
    return term.startswith(CONCEPT_PREFIX)


def pair_terms(
    words: Sequence[Word], lefts: Container[str] | None = None
) -> list[tuple[str, Word, Word]]:
    """Adjacent word pairs ("какой+≈сфера") whose second word is not a stop word; with
    ``lefts``, only those whose first term is one of them."""
    sequence = [w for w in words if not w.extra]
    pairs = []
    for left, right in itertools.pairwise(sequence):
        if right.stop or (lefts is not None and left.term not in lefts):
            continue
        pairs.append((f"{left.term}{PAIR_SEPARATOR}{right.term}", left, right))
    return pairs


class Lemmatizer:
    """Words of a text as lemmas; hyphenated words give whole and parts."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._cache: dict[str, tuple[Word, ...]] = {}

    def words(self, raw_words: Iterable[str]) -> list[Word]:
        result: list[Word] = []
        for raw in raw_words:
            result.extend(self.analyze_word(raw))
        return combine_numerals(result)

    def analyze_word(self, raw: str) -> tuple[Word, ...]:
        """The words one token of text gives (several for a hyphenated word), cached."""
        found = self._cache.get(raw)
        if found is None:
            found = remember(self._cache, raw, tuple(self._analyze_word(raw)), _CACHE_LIMIT)
        return found

    def words_of(self, raw_text: str) -> list[Word]:
        return self.words(text.words(text.clean(raw_text)))

    def content_words_of(self, raw_text: str) -> list[Word]:
        return [w for w in self.words_of(raw_text) if not w.stop]

    def _analyze_word(self, raw: str) -> list[Word]:
        language = self.language
        standard = self._colloquial(raw)
        if standard is not None:
            # The standard reading may be several words ("нелегал": нелегальный мигрант).
            return [
                replace(w, surface=raw)
                for part in standard.split()
                for w in self.analyze_word(part)
            ]
        if raw in language.symbols:
            return [Word(raw, language.symbols[raw])]
        if raw in language.stop_words:
            return [Word(raw, raw, stop=True)]
        if "-" in raw:
            return self._hyphenated(raw)
        counted = self._number_compound(raw)
        if counted is not None:
            return counted
        return [self._single(raw)]

    def _number_compound(self, raw: str) -> list[Word] | None:
        """A number compound written as one word ("трехдневный") as its number and noun ("3",
        "день") like "3-дневный", and the whole word as an extra; None for any other word."""
        language = self.language
        if not language.numeral_stems or not raw.isalpha():
            return None
        for stem, number in language.numeral_stems:
            if raw.startswith(stem) and len(raw) > len(stem) + 3:
                rest = raw[len(stem) :]
                counted = language.number_compounds.get(self.lemma_of(rest))
                if counted is None:
                    return None
                whole = self._single(raw)
                return [Word(stem, str(number)), Word(rest, counted), replace(whole, extra=True)]
        return None

    def _colloquial(self, raw: str) -> str | None:
        """The standard word for a chat or slang word, as typed or in any inflection
        ("бабла" is "бабло": деньги)."""
        colloquial = self.language.colloquial
        standard = colloquial.get(raw)
        if standard is not None or not raw.isalpha():
            return standard
        for lemma in morph.lemmas(raw):
            if lemma != raw and lemma in colloquial:
                return colloquial[lemma]
        return self._standard_ending(raw)

    def _standard_ending(self, raw: str) -> str | None:
        """The word with a chat spelling of its ending made standard ("развиваеца" ->
        "развивается"), when only that spelling is a word the dictionary knows."""
        for chat, standard in self.language.colloquial_endings:
            if raw.endswith(chat) and len(raw) > len(chat) + 2:
                if morph.is_dictionary_word(raw):
                    return None
                spelt = raw[: -len(chat)] + standard
                return spelt if morph.is_dictionary_word(spelt) else None
        return None

    def lemmas_of(self, raw: str) -> tuple[str, ...]:
        if text.is_number(raw):
            return (raw,)
        found = morph.lemmas(raw)
        numeral = self.language.numerals.get(found[0])
        if numeral is None or (raw != found[0] and morph.is_collective_numeral_of_people(raw)):
            return found  # "за двоих" is for two people, not the number two ("два раза")
        return (str(numeral),)

    def lemma_of(self, raw: str) -> str:
        return self.lemmas_of(raw)[0]

    def is_stop(self, raw: str) -> bool:
        stop = self.language.stop_words
        return raw in stop or self.lemma_of(raw) in stop

    def _single(self, raw: str) -> Word:
        lemma, *others = self.lemmas_of(raw)
        if lemma in self.language.stop_words:
            return Word(raw, lemma, stop=True)
        weak = raw in self.language.weak_words or lemma in self.language.weak_words
        common = lemma in self.language.common_words
        return Word(raw, lemma, tuple(others), weak=weak, common=common)

    def _hyphenated(self, raw: str) -> list[Word]:
        parts = [p for p in raw.split("-") if p]
        words: list[Word] = []
        for position, part in enumerate(parts):
            adjective = None
            if position < len(parts) - 1:
                adjective = morph.compound_stem_adjective(part)
            counted = None
            after_number = position > 0 and text.is_number(parts[position - 1])
            if after_number:
                counted = self.language.number_compounds.get(self.lemma_of(part))
            if after_number and part in self.language.ordinal_endings:
                words.append(Word(part, part, stop=True))  # "на 101-м": the 101st
            elif adjective is not None:
                words.append(Word(part, adjective))
            elif counted is not None:  # "30-дневный": 30 days
                words.append(Word(part, counted))
            elif part in self.language.stop_words:
                words.append(Word(part, part, stop=True))
            else:
                words.append(self._single(part))
        content = [w for w in words if not w.stop]
        if len(content) > 1 and all(text.is_number(w.term) for w in content):
            # A phone number or code ("45-10-10") means something only as a whole.
            return [Word(raw, raw), *(replace(w, extra=True) for w in content)]
        if len(content) > 1:
            whole = "-".join(w.term for w in content)
            words.append(Word(raw, whole, extra=True))
        return words


def combine_numerals(words: list[Word]) -> list[Word]:
    """'пятьдесят пять' -> 55: consecutive numerals written as words add up.

    A count before "тысяча" multiplies it ("30 тысяч", "две тысячи" -> 30000, 2000): read
    alone, "тысяч" would meet a "1000" the message never named.
    """
    result: list[Word] = []
    for word in words:
        previous = result[-1] if result else None
        if previous is not None and _multiplies(previous, word):
            total = str(int(previous.term) * int(word.term))
            result[-1] = Word(f"{previous.surface} {word.surface}", total)
            continue
        if (
            previous is not None
            and word.term.isdigit()
            and previous.term.isdigit()
            and not previous.surface.isdigit()
            and not word.surface.isdigit()
            and int(previous.term) > int(word.term)
            and len(previous.term) > len(word.term)
        ):
            total = str(int(previous.term) + int(word.term))
            result[-1] = Word(f"{previous.surface} {word.surface}", total)
            continue
        result.append(word)
    return result


def _multiplies(count: Word, word: Word) -> bool:
    """Whether ``word`` is a numeral such as "тысяча" that multiplies the ``count`` before it."""
    return (
        count.term.isdigit()
        and len(count.term) <= _LONGEST_COUNT
        and word.term.isdigit()
        and not word.surface.isdigit()
        and int(word.term) >= _THOUSAND
        and 0 < int(count.term) < int(word.term)
    )


_THOUSAND = 1000
_LONGEST_COUNT = 12  # digits: a longer run is no count ("тысяч" after a card number)


class Concepts:
    """Synonym groups and abbreviations as concept ids, recognised in a sequence of words.

    A group member may be a single word ("сфера") or a phrase ("Российская Федерация"); phrases
    are matched on lemmas, skipping stop words, so any inflection of the phrase is recognised.
    """

    def __init__(
        self, groups: Sequence[Sequence[str]], lemmatize: Callable[[str], list[Word]]
    ) -> None:
        members = [[_member_terms(lemmatize(m)) for m in g] for g in groups]
        root = _merge_groups_sharing_members(members)
        self.single: dict[str, str] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.labels: dict[str, str] = {}
        for index, group in enumerate(members):
            concept = f"{CONCEPT_PREFIX}{root[index]}"
            self.labels.setdefault(concept, "/".join(groups[root[index]]))
            for member in group:
                if len(member) == 1:
                    self.single[member[0]] = concept
                elif len(member) > 1:
                    self.phrases.setdefault(member[0], []).append((member, concept))
        for candidates in self.phrases.values():
            candidates.sort(key=lambda pair: -len(pair[0]))
        # A message's words recur all day, a stored text's are read once: only the former
        # are remembered (see ``apply``).
        self._remembered: dict[Word, Word] = {}

    def label(self, term: str) -> str:
        if PAIR_SEPARATOR in term and not term.startswith(PAIR_SEPARATOR):
            return " ".join(self.labels.get(t, t) for t in term.split(PAIR_SEPARATOR))
        return self.labels.get(term, term)

    def concept_of(self, term: str) -> str:
        return self.single.get(term, term)

    def apply(self, words: list[Word], keep_phrase_words: bool) -> list[Word]:
        """Replace phrases and single synonyms by their concept.

        ``keep_phrase_words`` keeps the words of a recognised phrase as extras (for stored
        texts, so that part of a long name still finds them).
        """
        core = [w for w in words if not w.extra]
        extras = [w for w in words if w.extra]
        single = self._single_concept if keep_phrase_words else self._remembered_concept
        remembered = self._remembered if not keep_phrase_words else {}
        phrases = self.phrases
        result: list[Word] = []
        i = 0
        while i < len(core):
            word = core[i]
            starts_phrase = not word.stop and (
                word.term in phrases
                or bool(word.other_terms and not phrases.keys().isdisjoint(word.other_terms))
            )
            matched = self._phrase_at(core, i) if starts_phrase else None
            if matched is not None:
                end, concept = matched
                span = [w for w in core[i:end] if not w.stop]
                result.append(
                    Word(
                        " ".join(w.surface for w in span),
                        concept,
                        strength=min(w.strength for w in span),
                        how=next((w.how for w in span if w.how), ""),
                        span=len(span),
                    )
                )
                if keep_phrase_words:
                    result.extend(replace(w, extra=True) for w in span)
                    result.extend(self._inner_phrases(core, i, end, concept))
                i = end
                continue
            result.append(remembered.get(word) or single(word))  # (most words: no call)
            i += 1
        return result + extras

    def _inner_phrases(self, core: list[Word], start: int, end: int, outer: str) -> list[Word]:
        """Shorter phrases inside the phrase ``core[start:end]`` of a stored text, as extras:
        with "ОЦАС" = "Организация «Центральноазиатское сотрудничество»" and "ЦАС" =
        "Центральноазиатское сотрудничество", a message that says only the latter must still
        find the text that says the former."""
        inner = []
        within = core[:end]
        for position in range(start + 1, end):
            if within[position].stop:
                continue
            matched = self._phrase_at(within, position)
            if matched is None or matched[1] == outer:
                continue
            stop, concept = matched
            span = [w for w in within[position:stop] if not w.stop]
            surface = " ".join(w.surface for w in span)
            strength = min(w.strength for w in span)
            inner.append(Word(surface, concept, strength=strength, span=len(span), extra=True))
        return inner

    def _remembered_concept(self, word: Word) -> Word:
        found = self._remembered.get(word)
        if found is None:
            found = remember(self._remembered, word, self._single_concept(word), _CACHE_LIMIT)
        return found

    def _single_concept(self, word: Word) -> Word:
        if word.stop:
            return word
        # A word declared as written wins over its likelier reading: "велик" in a group with
        # "велосипед" is that, not a form of "большой" (see _member_terms).
        if word.surface in word.other_terms and word.surface in self.single:
            return replace(word, term=self.single[word.surface], other_terms=())
        for term in word.terms:
            concept = self.single.get(term)
            if concept is not None:
                return replace(word, term=concept, other_terms=())
        return word

    def _phrase_at(self, words: list[Word], start: int) -> tuple[int, str] | None:
        """The end (exclusive) and concept of the longest phrase starting at ``start``."""
        candidates = []
        for term in words[start].terms:
            if term in self.phrases:
                candidates.extend(self.phrases[term])
        if not candidates:
            return None
        for phrase, concept in sorted(candidates, key=lambda pair: -len(pair[0])):
            end = _match_phrase(words, start, phrase)
            if end is not None:
                return end, concept
        return None


def _member_terms(words: list[Word]) -> tuple[str, ...]:
    """A synonym as terms. A single word keeps the reading the editor meant: the word as
    written when it is one of its own dictionary forms ("велик" is slang for a bicycle, not
    a form of "большой"); a phrase is matched on any reading of its words."""
    core = [w for w in words if not w.extra]
    if len(core) == 1 and core[0].surface in core[0].other_terms:
        return (core[0].surface,)
    return tuple(w.term for w in core)


def _match_phrase(words: list[Word], start: int, phrase: tuple[str, ...]) -> int | None:
    position = start
    for k, wanted in enumerate(phrase):
        while k > 0 and position < len(words) and words[position].stop:
            position += 1
        if position >= len(words) or wanted not in words[position].terms:
            return None
        position += 1
    return position


def _merge_groups_sharing_members(members: list[list[tuple[str, ...]]]) -> list[int]:
    """Groups that share a member are one concept: the root group index of each group."""
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, ...], int] = {}
    for index, group in enumerate(members):
        for member in group:
            if not member:
                continue
            if member in owner:
                parent[find(index)] = find(owner[member])
            else:
                owner[member] = index
    return [find(i) for i in range(len(members))]
