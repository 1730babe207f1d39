"""Reading a user's message: small talk, keyboard layout, transliteration, typos, split words.

The result is a list of slots, one per meaningful word of the message: each says which terms
of the knowledge base the word may stand for (with how sure we are) and how much it weighs.
Words the base does not know keep their full weight, so a message about something else
("кто президент Казахстана?") cannot look like a good match.
"""

from __future__ import annotations

import itertools
from collections.abc import Container
from dataclasses import dataclass, replace
from typing import NamedTuple

from bot.engine import morph, text
from bot.engine.analysis import PAIR_SEPARATOR, Word, combine_numerals, is_concept, pair_terms
from bot.engine.index import KnowledgeIndex
from bot.engine.lang import Language, SetPhrases
from bot.engine.memo import remember
from bot.engine.smalltalk import SmallTalkDetector
from bot.engine.types import SmallTalk

TYPO_STRENGTH = {0: 1.0, 1: 0.9, 2: 0.8}
# Unvoiced consonants and the voiced ones they stand for at the end of a word.
_VOICED_PAIR_OF = {"п": "б", "ф": "в", "к": "г", "т": "д", "ш": "ж", "с": "з"}
# A dictionary word this long at least may be a swap of two letters of a word of the base.
SWAP_LENGTH = 5
DERIVED_STRENGTH = 0.75
# A shortened word ("студ.", "пенс.") read as the base's words it begins: as sure as one typo,
# if it begins no more than this many of them, and is this long at least (with a dot after
# it; without one, only a word no dictionary knows and one letter longer).
SHORTENED_STRENGTH = 0.9
SHORTENED_MOST = 4
SHORTENED_LENGTH = 3
REFLEXIVE_STRENGTH = 0.95
# A Latin chunk is read in at most this many ways, each with at most this many letter groups
# read other than the preferred way (see QueryReader._transliterations).
TRANSLIT_READINGS = 16
TRANSLIT_OTHER_READINGS = 2
# A reading this plausible (every word known, or a stop word) is not bettered by another.
PLAIN_READING = 0.9
_TRAILING_PUNCTUATION = ".,!?;:"
_TAKES_SOFT_SIGN = frozenset("бвдзлмнпрстфчшщж")
# Vowels a left-out soft sign stands before ("ночю" for "ночью", "статя" for "статья").
_SOFTENED_VOWELS = frozenset("еёиюя")
_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")
_MOST_SPELLINGS = 4  # a word's readings with a soft sign added, the word itself included
# Readings of words, pairs and chunks are remembered across messages (a bot hears the same
# words all day); each memo is emptied when it reaches this size, to bound memory.
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Slot:
    """One meaningful word of the message and what it may mean in the knowledge base."""

    surface: str
    alternatives: tuple[tuple[str, float], ...]  # (term, strength in 0..1), best first
    weight: float
    known: bool
    weak: bool = False
    extra: bool = False  # counts only when matched (whole of a hyphenated word)
    how: str = ""  # "typo", "layout", "translit", "split", "joined", "derived" or ""
    thing: bool = True  # names a thing (noun, adjective, number, name), not an action
    common: bool = False  # one of the language's most frequent words ("сейчас", "вопрос")
    partial: float = 1.0  # below 1: strengths lowered by this, the word only part of a name


@dataclass(frozen=True, slots=True)
class ReadQuery:
    slots: tuple[Slot, ...]
    small_talk: SmallTalk | None = None
    # "Какие остановки у ...": the word a which-question asks about, as the word pairs that
    # ask it ("какой+остановка") and its terms alone; empty when the message asks no such thing.
    which_pairs: tuple[str, ...] = ()
    which_terms: tuple[str, ...] = ()


class _Token(NamedTuple):
    """A word as typed (or re-typed from Latin letters); a tuple, as it is a memo's key."""

    raw: str
    how: str = ""
    shortened: bool = False  # typed with a dot right after it, as in "студ." or "пенс."


# A chunk of a message (text between spaces): its words as typed, its tokens (None when the
# chunk is too long to be read as words) and whether the tokens are the words as typed.
_Chunk = tuple[tuple[str, ...], tuple[_Token, ...] | None, bool]


class QueryReader:
    def __init__(
        self,
        index: KnowledgeIndex,
        language: Language,
        *,
        unknown_factor: float,
        unknown_action_factor: float,
        unknown_name_factor: float,
        pair_factor: float,
        phrase_bonus: float,
        part_of_name: float,
    ) -> None:
        self.index = index
        self.language = language
        self.lemmatizer = index.lemmatizer
        self.small_talk = SmallTalkDetector(language)
        self.unknown_factor = unknown_factor
        self.unknown_action_factor = unknown_action_factor
        self.unknown_name_factor = unknown_name_factor
        self.pair_factor = pair_factor
        self.phrase_bonus = phrase_bonus
        self.part_of_name = part_of_name
        self._layout = language.keyboard_layout
        self._excluding = language.excluding_words
        self._which_words = sorted(language.which_words)  # (sorted: pairs in a stable order)
        self._latin_cache: dict[str, tuple[str, str]] = {}
        self._plausible: dict[str, float] = {}  # a word in Cyrillic -> how plausible it is
        self._resolved: dict[_Token, tuple[Word, ...]] = {}
        self._chunks: dict[str, _Chunk] = {}
        self._joins: dict[tuple[str, str], bool] = {}
        self._halves: dict[str, tuple[bool, bool]] = {}
        self._slots: dict[Word, Slot] = {}
        self._pairs: dict[tuple[str, str, str, float], Slot] = {}
        self._translit = language.translit
        self._fillers = SetPhrases(language.filler_phrases)
        self._introductions = language.introductions
        self._introduction_ends = frozenset(p[-1] for p in language.introductions)
        self._introduction_longest = max((len(p) for p in language.introductions), default=0)
        # What a pair the base knows may begin with: most pairs of a message are not looked up.
        self._pair_lefts = {
            term[:at]
            for term in index.document_frequency
            for at, character in enumerate(term)
            if character == PAIR_SEPARATOR
        }

    def read(self, message: str) -> ReadQuery:
        cleaned = text.clean(message)
        plain, tokens, as_typed = self._words_and_tokens(cleaned)
        kind = self.small_talk.detect(plain)
        if kind is not None:
            return ReadQuery((), kind)
        raw = plain if as_typed else [t.raw for t in tokens]
        if raw != plain:  # Latin words read as Russian ("ghbdtn"): small talk once more
            kind = self.small_talk.detect(raw)
            if kind is not None:
                return ReadQuery((), kind)
        tokens, raw = self._without_courtesies(tokens, raw)
        if not self._introduction_ends.isdisjoint(raw):
            tokens, raw = self._without_introduction(tokens, raw)
        tokens = self._without_filler(tokens, raw)
        words: list[Word] = []
        resolved = self._resolved
        for token in self._join_split_words(tokens):
            # (The memo is looked up here: most words of a message were read before.)
            words.extend(resolved.get(token) or self._resolve_cached(token))
        words = combine_numerals(words)
        concepts = self.index.concepts.apply(words, keep_phrase_words=False)
        if not self._excluding.isdisjoint(w.surface for w in concepts):
            concepts = self._without_excluded(concepts)
        names = text.capitalised_inside(message)
        slots = tuple(self._slots_of(words, concepts, names, text.clause_starts(cleaned)))
        asked = self._which(concepts)
        if asked is None:
            return ReadQuery(slots)
        terms = (asked.term, *asked.other_terms)
        # "Каков штраф" asks what "какой штраф" asks: any which-word makes the pair.
        pairs = tuple(f"{w}{PAIR_SEPARATOR}{t}" for w in self._which_words for t in terms)
        return ReadQuery(slots, which_pairs=pairs, which_terms=terms)

    def _without_excluded(self, words: list[Word]) -> list[Word]:
        """The words set aside by "кроме" / "помимо" (the word itself, then the adjectives
        and the noun after it: "кроме общественного транспорта") as stop words: the message
        asks about something else."""
        result = list(words)
        at = 0
        while at < len(result):
            if result[at].surface not in self._excluding or result[at].extra:
                at += 1
                continue
            result[at] = replace(result[at], stop=True)
            at += 1
            while at < len(result) and (result[at].stop or result[at].extra):
                at += 1
            while at < len(result):
                word = result[at]
                result[at] = replace(word, stop=True)
                at += 1
                if not morph.is_adjective(word.surface):
                    break
        return result

    def _which(self, words: list[Word]) -> Word | None:
        """What the first which-word ("какие", "каком") asks to be named: the first noun of
        the next few meaningful words ("какие казахстанские области"), else the first of them."""
        which_words = self._which_words
        for at, word in enumerate(words):
            if word.stop and word.term in which_words:
                following = [w for w in words[at + 1 : at + 4] if not w.stop and not w.extra]
                nouns = (w for w in following if morph.is_noun(w.surface))
                return next(nouns, following[0] if following else None)
        return None

    def _slots_of(
        self,
        read_words: list[Word],
        words: list[Word],
        names: frozenset[str],
        clause_starts: frozenset[str] = frozenset(),
    ) -> list[Slot]:
        """The slots of the message's words as read and then with synonyms as concepts;
        ``names`` are the words typed with a capital inside a sentence, ``clause_starts``
        the words that follow a comma or the end of a sentence."""
        slots = self._word_slots(words)
        sequence = [w for w in words if not w.extra]
        adjectives = self._adjectives(sequence)
        if any(adjectives):
            describing_unknown = self._describing_unknown(sequence, adjectives)
            details = self._describing_known(sequence, adjectives, slots)
        else:  # (most messages: no adjective, so nothing describes anything)
            describing_unknown = details = set()
        slots = self._weaken_partial_names(slots, describing_unknown, (read_words, words))
        slots = self._as_details(slots, details - names)
        if names:
            slots = self._as_names(slots, names)
        slots = _damp_story(slots)
        slots.extend(self._pair_slots(sequence, clause_starts))
        return slots

    @staticmethod
    def _adjectives(sequence: list[Word]) -> list[bool]:
        """Per word: whether it is an adjective (as typed) and not a stop word."""
        is_adjective = morph.is_adjective
        return [not w.stop and is_adjective(w.surface) for w in sequence]

    def _weaken_partial_names(
        self,
        slots: list[Slot],
        describing_unknown: set[str],
        readings: tuple[list[Word], list[Word]],
    ) -> list[Slot]:
        """Noun phrases must match as wholes.

        A bare "такси" is not the base's "социальное такси": a noun the base only uses inside
        longer names matches weakly, and weighs as a word the base does not know, unless the
        message also has the rest of a name. An adjective describing a noun the base does
        not know ("ближайшая аптека") is about that noun, so it matches weakly too.

        ``describing_unknown`` are those adjectives (see ``_describing_unknown``).
        ``readings`` are the message's words as read and with their synonyms as concepts:
        the terms they have are the rest of a name the message may give.
        """
        qualified = self.index.qualified
        if not qualified and not describing_unknown:
            return slots
        result = []
        present: set[str] | None = None  # worked out for the rare slot that needs it
        for slot in slots:
            if slot.surface not in describing_unknown and not _names_any(
                slot.alternatives, qualified
            ):
                result.append(slot)
                continue
            if present is None:
                present = _terms(*readings)
            partial = [
                term in qualified and not qualified[term] & present for term, _ in slot.alternatives
            ]
            if slot.surface in describing_unknown:
                partial = [True] * len(slot.alternatives)
            if any(partial):
                weakened = [
                    (term, strength * self.part_of_name if weak else strength)
                    for (term, strength), weak in zip(slot.alternatives, partial, strict=True)
                ]
                weakened.sort(key=lambda pair: -pair[1])
                weight = slot.weight
                if partial[0] and slot.surface not in describing_unknown:
                    weight = max(weight, self.index.rare_idf * self.unknown_factor)
                slot = replace(
                    slot,
                    alternatives=tuple(weakened),
                    weight=weight,
                    how=slot.how or "part of a name",
                    partial=self.part_of_name,
                )
            result.append(slot)
        return result

    def _describing_known(
        self, sequence: list[Word], adjectives: list[bool], slots: list[Slot]
    ) -> set[str]:
        """Unknown adjectives (as typed) next to a noun the base knows ("складной самокат"):
        a detail of a known thing, not another topic. ``sequence`` are the message's words
        that are not extra, ``adjectives`` says which of them are adjectives."""
        known_things = {s.surface for s in slots if s.known and s.thing and not s.common}
        if not known_things:
            return set()
        known = {s.surface for s in slots if s.known}
        found = set()
        content = [(w.surface, a) for w, a in zip(sequence, adjectives, strict=True) if not w.stop]
        for left, right in itertools.pairwise(content):
            for (adjective, is_adjective), (noun, _) in ((left, right), (right, left)):
                if is_adjective and adjective not in known and noun in known_things:
                    found.add(adjective)
        return found

    def _as_details(self, slots: list[Slot], details: set[str]) -> list[Slot]:
        """Unknown describing words weigh as an unknown verb does, and name nothing."""
        if not details:
            return slots
        factor = self.unknown_action_factor / self.unknown_factor
        return [
            replace(s, weight=s.weight * factor, thing=False)
            if s.surface in details and not s.known
            else s
            for s in slots
        ]

    def _as_names(self, slots: list[Slot], names: frozenset[str]) -> list[Slot]:
        """An unknown word typed with a capital inside a sentence ("на Оренбургскую
        область", "в Сызрани") names a place, body or product, whatever its part of speech:
        a thing the message is about, which an entry that never mentions it does not explain."""
        weight = self.index.rare_idf * self.unknown_factor * self.unknown_name_factor
        return [
            replace(s, thing=True, weight=max(s.weight, weight))
            if s.surface in names and not (s.known or s.weak)
            else s
            for s in slots
        ]

    def _describing_unknown(self, sequence: list[Word], adjectives: list[bool]) -> set[str]:
        """Adjectives (as typed) directly followed by a noun the base does not know.
        ``sequence`` are the message's words that are not extra, ``adjectives`` says which
        of them are adjectives (and not stop words)."""
        found = set()
        knows = self.index.knows
        for position, right in enumerate(sequence[1:]):
            if not adjectives[position] or right.stop:
                continue
            if is_concept(right.term) or right.common:
                continue
            if any(knows(t) for t in right.terms):
                continue  # a known noun, or a vague one ("процесс")
            if morph.is_noun(right.surface):
                found.add(sequence[position].surface)
        return found

    def _without_courtesies(
        self, tokens: list[_Token], raw: list[str]
    ) -> tuple[list[_Token], list[str]]:
        """A question wrapped in a greeting or thanks is read without them: "добрый день"
        says nothing about what is asked. ``raw`` are the tokens as words; both come back
        cut the same way."""
        start = self.small_talk.opening_length(raw)
        end = len(raw) - self.small_talk.closing_length(raw[start:] if start else raw)
        if start < end and (start or end < len(raw)):
            return tokens[start:end], raw[start:end]
        return tokens, raw

    def _without_introduction(
        self, tokens: list[_Token], raw: list[str]
    ) -> tuple[list[_Token], list[str]]:
        """ "Я приехала из Узбекистана, сколько стоит ...": where the person comes from is
        not what they ask, so the phrase and a place the base does not know (with its
        adjective: "из Южной Кореи") are dropped. A place the base knows stays ("я из
        области" may be what the answer depends on)."""
        ends = self._introduction_ends
        for at, word in enumerate(raw):
            if word not in ends:
                continue
            start = self._introduction_start(raw, at)
            if start is None:
                continue
            stop = at + 1
            while stop < len(raw) and stop - at <= 2 and not self._base_knows(raw[stop]):
                stop += 1
                if not morph.is_adjective(raw[stop - 1]):
                    break
            if stop == at + 1 or stop == len(raw):
                continue  # no unknown place, or nothing is asked after it
            return tokens[:start] + tokens[stop:], raw[:start] + raw[stop:]
        return tokens, raw

    def _introduction_start(self, raw: list[str], at: int) -> int | None:
        for length in range(min(self._introduction_longest, at + 1), 1, -1):
            if tuple(raw[at + 1 - length : at + 1]) in self._introductions:
                return at + 1 - length
        return None

    def _base_knows(self, word: str) -> bool:
        return self.index.knows_word(word, self.lemmatizer.lemmas_of(word))

    def _without_filler(self, tokens: list[_Token], raw: list[str]) -> list[_Token]:
        """Set phrases that only wrap a question ("в настоящее время", "каким образом") are
        dropped: their words would otherwise count as things the message is about.
        ``raw`` are the tokens as words."""
        return self._fillers.without(tokens, raw) or tokens

    # --- Latin letters: keyboard layout or transliteration -------------------------------

    def _words_and_tokens(self, cleaned: str) -> tuple[list[str], list[_Token], bool]:
        """The message's words as typed (what ``text.words`` gives) and its tokens (Latin
        chunks read as Russian), in one pass over its chunks; and whether the tokens are
        those same words, so that the caller need not compare them."""
        plain: list[str] = []
        tokens: list[_Token] = []
        as_typed = True
        chunks = self._chunks
        for chunk in cleaned.split():
            found = chunks.get(chunk)
            if found is None:
                found = self._chunk_cached(chunk)
            words, chunk_tokens, chunk_as_typed = found
            plain += words
            if chunk_tokens is None:  # too long to be a word: no tokens (its words stay plain)
                as_typed = as_typed and not words
            elif len(tokens) < text.MAX_WORDS:
                tokens += chunk_tokens
                as_typed = as_typed and chunk_as_typed
            if len(plain) >= text.MAX_WORDS and len(tokens) >= text.MAX_WORDS:
                break
        # (A chunk holds no whitespace, and no word spans one: the chunks' words, one after
        # the other, are the words of the whole text.)
        return plain[: text.MAX_WORDS], tokens[: text.MAX_WORDS], as_typed

    def _chunk_cached(self, chunk: str) -> _Chunk:
        if len(chunk) > text.MAX_WORD_LENGTH:
            # Not remembered: a long chunk is rare, and would make the memo large.
            return tuple(text.words(chunk)), None, False
        return remember(self._chunks, chunk, self._chunk(chunk), _CACHE_LIMIT)

    def _chunk(self, chunk: str) -> _Chunk:
        words = tuple(text.words(chunk))
        if text.is_latin(chunk):
            converted, how = self._from_latin(chunk)
            tokens = tuple(_Token(w, how) for w in text.words(converted))
            return words, tokens, tuple(t.raw for t in tokens) == words
        tokens = tuple(_Token(w) for w in words)
        if words and _ends_with_a_shortening(chunk, words[-1]):
            tokens = (*tokens[:-1], _Token(words[-1], shortened=True))
        return words, tokens, True

    def _from_latin(self, chunk: str) -> tuple[str, str]:
        """The chunk as meant: kept (an English or known word), re-typed in Russian, or
        transliterated, whichever reads as words the knowledge base or Russian knows."""
        found = self._latin_cache.get(chunk)
        if found is None:
            found = remember(self._latin_cache, chunk, self._read_latin(chunk), _CACHE_LIMIT)
        return found

    def _read_latin(self, chunk: str) -> tuple[str, str]:
        options = [(chunk, "")]
        bare = chunk.rstrip(_TRAILING_PUNCTUATION) or chunk
        for variant in dict.fromkeys((chunk, bare)):  # in order: ties must not follow the hash seed
            options.append(("".join(self._layout.get(ch, ch) for ch in variant), "layout"))
        options.append((self._transliterate_by_words(chunk), "translit"))
        best = max(options, key=lambda option: self._plausibility(option[0], option[1]))
        return best

    def _plausibility(self, candidate: str, how: str) -> float:
        # A hyphenated word ("военно-техническое") is judged by its parts.
        words = [part for word in text.words(candidate) for part in word.split("-") if part]
        if not words:
            return -1.0
        scores = [self._word_plausibility(w) for w in words]
        bonus = {"": 0.02, "layout": 0.01, "translit": 0.0}[how]
        return sum(scores) / len(scores) + bonus

    def _word_plausibility(self, word: str) -> float:
        standard = self.language.colloquial.get(word)
        if standard is not None:  # a chat spelling ("скока") reads as its standard word
            parts = standard.split()
            return sum(self._standard_word_plausibility(p) for p in parts) / len(parts)
        return self._standard_word_plausibility(word)

    def _standard_word_plausibility(self, word: str) -> float:
        """Remembered: a Latin chunk is read several ways, and its readings share words."""
        found = self._plausible.get(word)
        if found is None:
            found = remember(self._plausible, word, self._judge_plausibility(word), _CACHE_LIMIT)
        return found

    def _judge_plausibility(self, word: str) -> float:
        if self.small_talk.is_small_talk_word(word) or word in self.language.stop_words:
            return 0.9
        lemmas = self.lemmatizer.lemmas_of(word)
        if self.index.knows_word(word, lemmas):
            return 1.0
        if not text.is_cyrillic(word):
            return 0.1
        if lemmas[0] in self.language.stop_words:
            return 0.9
        corrected = self.index.fuzzy.closest(word)
        if corrected is not None:
            return 0.9 - 0.15 * corrected[1]
        if morph.is_dictionary_word(word):
            return 0.5
        # A compound the base's words make ("соцтакси": социальное такси) is read as its
        # parts later on: as likely as a word with a typo or two.
        if self._compound(Word(word, word), "") is not None:
            return 0.6
        return 0.0

    def _transliterate_by_words(self, chunk: str) -> str:
        """Latin spelling drops the soft sign ("uznat" for "узнать"): each transliterated
        word is read with a final soft sign too, and the better reading is kept. Latin
        letter groups are ambiguous ("ts" in "tsentr" and in "aziatskiy", "ia" in "rossia"
        and in "aziatskiy"): the likeliest reading of the whole chunk wins, the first
        (each group read the preferred way) among equals."""
        best = ""
        best_plausibility = -2.0
        for number, reading in enumerate(self._transliterations(chunk)):
            # (The other readings without a soft sign added: each spelling costs a look-up.)
            spelt = " ".join(
                max(_spellings(word), key=lambda w: self._plausibility(w, "translit"))
                if number == 0
                else word
                for word in text.words(reading)
            )
            plausibility = self._plausibility(spelt, "translit")
            if plausibility > best_plausibility:
                best, best_plausibility = spelt, plausibility
            if best_plausibility >= PLAIN_READING:
                break  # (most chunks: read the usual way, every word is known)
        return best

    def _transliterations(self, chunk: str) -> list[str]:
        """The chunk in Cyrillic letters: first with each Latin group read the preferred way
        (longest group first), then with up to TRANSLIT_OTHER_READINGS groups read another
        way; at most TRANSLIT_READINGS readings, so a long chunk costs no more."""
        found: list[str] = []
        rules = self._translit

        def walk(at: int, out: list[str], others: int) -> None:
            if len(found) >= TRANSLIT_READINGS:
                return
            if at >= len(chunk):
                found.append("".join(out))
                return
            matching = [
                (latin, cyrillic) for latin, cyrillic in rules if chunk.startswith(latin, at)
            ]
            if not matching:
                walk(at + 1, [*out, chunk[at]], others)
                return
            for rank, (latin, cyrillic) in enumerate(matching):
                if rank and others >= TRANSLIT_OTHER_READINGS:
                    break
                walk(at + len(latin), [*out, cyrillic], others + (1 if rank else 0))

        walk(0, [], 0)
        return list(dict.fromkeys(found))

    # --- merged and split words ----------------------------------------------------------

    def _join_split_words(self, tokens: list[_Token]) -> list[_Token]:
        """'бай конур' -> 'байконур' when the halves are unknown and the whole is known."""
        if len(tokens) < 2:
            return tokens
        result: list[_Token] = []
        joins = self._joins
        i = 0
        last = len(tokens) - 1
        while i < last:
            left, right = tokens[i].raw, tokens[i + 1].raw
            join = joins.get((left, right))  # (most pairs were seen before: no call)
            if join is None:
                join = self._should_join(left, right)
            if join:
                result.append(_Token(left + right, "joined"))
                i += 2
            else:
                result.append(tokens[i])
                i += 1
        if i == last:
            result.append(tokens[last])
        return result

    def _should_join(self, left: str, right: str) -> bool:
        found = self._joins.get((left, right))
        if found is None:
            found = remember(self._joins, (left, right), self._joinable(left, right), _CACHE_LIMIT)
        return found

    def _joinable(self, left: str, right: str) -> bool:
        if len(left) + len(right) < 5:
            return False
        left_half, left_known = self._half(left)
        right_half, right_known = self._half(right)
        if not (left_half and right_half) or (left_known and right_known):
            return False
        joined = left + right
        if joined in self.index.forms:
            return True
        return self.index.fuzzy.has_neighbour(joined) and not morph.is_dictionary_word(joined)

    def _half(self, raw: str) -> tuple[bool, bool]:
        """Whether a word may be half of a split word (letters only, not a stop word), and
        whether the base knows it; remembered, as every new pair of words asks both."""
        found = self._halves.get(raw)
        if found is None:
            found = remember(self._halves, raw, self._judge_half(raw), _CACHE_LIMIT)
        return found

    def _judge_half(self, raw: str) -> tuple[bool, bool]:
        if not raw.isalpha() or self.lemmatizer.is_stop(raw):
            return False, False
        return True, self.index.knows_word(raw, self.lemmatizer.lemmas_of(raw))

    def _split(self, raw: str) -> list[str] | None:
        """'вкаких' -> 'в каких': a non-word made of two words, at least one of them known."""
        if not raw.isalpha() or len(raw) > 30:
            return None
        best: tuple[int, list[str]] | None = None
        for cut in range(1, len(raw) - 1):  # (a one-letter word never ends a run)
            left, right = raw[:cut], raw[cut:]
            left_rank, right_rank = self._split_rank(left), self._split_rank(right)
            if left_rank == 0 or right_rank == 0:
                continue
            rank = left_rank + right_rank
            if best is None or rank > best[0]:
                best = (rank, [left, right])
        return best[1] if best else None

    def _split_rank(self, part: str) -> int:
        """2: a word as written in the base; 1: a stop word or dictionary word; 0: neither.

        Only cheap look-ups: a word can be cut in many places.
        """
        if len(part) >= 3 and part in self.index.forms:
            return 2
        if part in self.language.stop_words:
            return 1
        if len(part) >= 3 and morph.is_dictionary_word(part):
            return 1
        return 0

    # --- one word --------------------------------------------------------------------------

    def _resolve_cached(self, token: _Token) -> tuple[Word, ...]:
        found = self._resolved.get(token)
        if found is None:
            found = remember(self._resolved, token, tuple(self._resolve(token)), _CACHE_LIMIT)
        return found

    def _resolve(self, token: _Token, allow_split: bool = True) -> list[Word]:
        result: list[Word] = []
        for word in self.lemmatizer.analyze_word(token.raw):
            if word.stop or word.extra or text.is_number(word.term) or self._is_known(word):
                result.append(replace(word, how=token.how))
                continue
            completed = self._complete(word) if token.shortened else None
            if completed is not None:
                result.append(completed)
                continue
            compound = self._compound(word, token.how)
            if compound is not None:
                result.extend(compound)
                continue
            corrected = self._correct(word)
            if corrected is not None:
                result.append(replace(corrected, how=token.how or "typo"))
                continue
            parts = self._split(word.surface) if allow_split else None
            if parts is not None and not morph.is_dictionary_word(word.surface):
                for part in parts:
                    result.extend(
                        replace(w, how="split")
                        for w in self._resolve(_Token(part, token.how), allow_split=False)
                    )
                continue
            completed = None if token.how else self._complete(word, dotted=False)
            result.append(completed or replace(word, how=token.how))
        return result

    def _complete(self, word: Word, *, dotted: bool = True) -> Word | None:
        """A shortened word read as the base's words it begins ("тролл." -> "троллейбус")."""
        surface = word.surface
        shortest = SHORTENED_LENGTH if dotted else SHORTENED_LENGTH + 1
        if len(surface) < shortest or not surface.isalpha():
            return None
        if not dotted and morph.is_dictionary_word(surface):
            return None
        found = self.index.completions(surface, SHORTENED_MOST)
        if not found:
            return None
        first, *others = found
        return replace(
            word,
            term=first,
            other_terms=tuple(others),
            strength=SHORTENED_STRENGTH,
            how="shortened",
        )

    def _is_known(self, word: Word) -> bool:
        return self.index.knows_word(word.surface, word.terms)

    def _correct(self, word: Word) -> Word | None:
        """The known word a misspelt one was meant to be, compared both as typed and as
        pymorphy's guess at its dictionary form ("школная" -> "школный" -> "школьный").
        A dictionary word is only read as the base's word that two neighbouring letters of
        it, swapped, spell ("таски" -> "такси", "крата" -> "карта")."""
        if not word.surface.isalpha():
            return None
        if morph.is_dictionary_word(word.surface):
            meant = self._swapped(word.surface) or self._voiced_ending(word.surface)
            return self._as_typo(word, meant, 1) if meant is not None else None
        softened = self._with_soft_sign(word)
        if softened is not None:
            return softened
        found = [self.index.fuzzy.closest(word.surface)]
        if word.term != word.surface and word.term.isalpha():
            found.append(self.index.fuzzy.closest(word.term))
        candidates = [f for f in found if f is not None]
        if not candidates:
            return None
        spelling, typos = min(candidates, key=lambda pair: pair[1])
        return self._as_typo(word, spelling, typos)

    def _swapped(self, surface: str) -> str | None:
        """The one word of the base that swapping two neighbouring letters of ``surface``
        spells. Such a slip often makes another dictionary word, a rare one ("таски"), which
        the typo search leaves alone; a word of the base it spells is what was meant."""
        if len(surface) < SWAP_LENGTH:
            return None
        known = self.index.fuzzy
        spelt = {
            swapped
            for at in range(len(surface) - 1)
            if surface[at] != surface[at + 1]
            and (swapped := f"{surface[:at]}{surface[at + 1]}{surface[at]}{surface[at + 2 :]}")
            in known
        }
        return spelt.pop() if len(spelt) == 1 else None

    def _voiced_ending(self, surface: str) -> str | None:
        """The word of the base that ``surface`` sounds like: a word's last consonants are
        said unvoiced, and people write them so ("проест" for "проезд"). Such a spelling is
        often another dictionary word, which the typo search leaves alone."""
        if len(surface) < SWAP_LENGTH:
            return None
        stem = surface.rstrip("".join(_VOICED_PAIR_OF))
        ending = surface[len(stem) :]
        if not ending:
            return None
        spelling = stem + "".join(_VOICED_PAIR_OF[letter] for letter in ending)
        return spelling if spelling in self.index.fuzzy else None

    def _as_typo(self, word: Word, spelling: str, typos: int) -> Word:
        """``word`` read as the base's ``spelling``, with ``typos`` typos."""
        lemma = self.index.lemma_of_known(spelling)
        # The word meant is what counts: a misspelt "сколко" is the question word "сколько".
        language = self.language
        return replace(
            word,
            term=lemma,
            other_terms=(),
            strength=TYPO_STRENGTH[typos],
            weak=spelling in language.weak_words or lemma in language.weak_words,
            common=lemma in language.common_words,
        )

    def _with_soft_sign(self, word: Word) -> Word | None:
        """The known word a left-out soft sign makes ("ночю" -> "ночью", not the typo search's
        "ночь"): a hurried typist's commonest slip."""
        surface = word.surface
        for at, letter in enumerate(surface):
            if letter not in _TAKES_SOFT_SIGN:
                continue
            if at + 1 < len(surface) and surface[at + 1] not in _SOFTENED_VOWELS:
                continue
            spelling = f"{surface[: at + 1]}ь{surface[at + 1 :]}"
            if not morph.is_dictionary_word(spelling):
                continue
            read = self.lemmatizer.analyze_word(spelling)
            if len(read) == 1 and self._is_known(read[0]):
                return replace(read[0], surface=surface, strength=TYPO_STRENGTH[1])
        return None

    def _compound(self, word: Word, how: str) -> list[Word] | None:
        """'соцкарту' -> 'социальный' + 'карту' when the second half is a known word."""
        surface = word.surface
        if not surface.isalpha() or morph.is_dictionary_word(surface):
            return None
        for prefix, (adjective, *others) in self.language.compound_prefixes.items():
            rest = surface[len(prefix) :]
            if not surface.startswith(prefix) or len(rest) < 3:
                continue
            rest_words = self.lemmatizer.analyze_word(rest)
            if rest_words and all(self._is_known(w) for w in rest_words if not w.stop):
                first = Word(prefix, adjective, tuple(others), how="split")
                return [first, *(replace(w, how=how or "split") for w in rest_words)]
        return None

    # --- weights ------------------------------------------------------------------------------

    def _pair_slots(
        self, words: list[Word], clause_starts: frozenset[str] = frozenset()
    ) -> list[Slot]:
        """Known word pairs ("в каких" + "областях"): word order says what is asked. Two words
        either side of a comma (or ";", ":", "!", "?") make no pair: "за проезд, налички нет" is not
        "проезд наличными"."""
        slots = []
        seen: set[str] = set()
        remembered = self._pairs
        known = self.index.document_frequency  # (what index.knows looks at, without a call)
        for pair, left, right in pair_terms(words, self._pair_lefts):
            if pair in seen or pair not in known or right.surface in clause_starts:
                continue
            seen.add(pair)
            key = (pair, left.surface, right.surface, min(left.strength, right.strength))
            slot = remembered.get(key)
            if slot is None:
                slot = remember(remembered, key, self._pair_slot(*key), _CACHE_LIMIT)
            slots.append(slot)
        return slots

    def _pair_slot(self, pair: str, left: str, right: str, strength: float) -> Slot:
        return Slot(
            surface=f"{left} {right}",
            alternatives=((pair, strength),),
            weight=self.pair_factor * self.index.idf(pair),
            known=True,
            extra=True,
            how="pair",
        )

    def _word_slots(self, words: list[Word]) -> list[Slot]:
        """A slot per word that is not a stop word; a word repeated in the message (the
        same term) counts once."""
        remembered = self._slots
        seen: set[str] = set()
        slots = []
        for word in words:
            if word.stop or word.term in seen:
                continue
            seen.add(word.term)
            slots.append(remembered.get(word) or self._slot_cached(word))
        return slots

    def _slot_cached(self, word: Word) -> Slot:
        found = self._slots.get(word)
        if found is None:
            found = remember(self._slots, word, self._slot(word), _CACHE_LIMIT)
        return found

    def _slot(self, word: Word) -> Slot:
        alternatives: list[tuple[str, float]] = [(t, word.strength) for t in word.terms]
        how = word.how
        common = word.common or word.term in self.language.common_words
        # An everyday reflexive verb's family names other things ("находиться", "находка").
        if not is_concept(word.term) and not (common and word.term.endswith("ся")):
            for related in self.index.derived(word.term):
                term = self.index.concepts.concept_of(related)
                alternatives.append((term, word.strength * _derived_strength(word.term, related)))
        known = [a for a in alternatives if self.index.knows(a[0])]
        # The part of speech of the base's word when the message's is only a guess
        # ("самокатом" read as an adverb, known as "самокат").
        reading = known[0][0] if known and known[0][0] != word.term else word.term
        thing = is_concept(reading) or (
            morph.names_a_thing(reading) and not morph.is_choosing_adjective(word.surface)
        )
        if known:
            term, _ = known[0]
            # A phrase the base knows ("Единая транспортная карта") weighs per word typed.
            weight = self.index.idf(term) * (1.0 + self.phrase_bonus * (word.span - 1))
            if not self.index.knows(word.term):
                how = how or "derived"
        else:
            # An unknown thing ("такси", "погода") is what the message is about; an unknown
            # verb or adverb ("закинуть", "рано") is more often just the user's phrasing.
            # A number the base does not mention (an age, a route) is a detail, not a topic.
            named = thing and not text.is_number(word.term)
            thing = named
            factor = self.unknown_factor if named else self.unknown_action_factor
            weight = self.index.rare_idf * factor
            if morph.is_proper_name(word.surface):
                # A place or person the base never mentions: the question is about them.
                weight *= self.unknown_name_factor
        if word.weak:
            weight *= self.language.weak_weight
        if common:
            weight *= self.language.common_weight
        return Slot(
            surface=word.surface,
            alternatives=tuple(known),
            weight=weight,
            known=bool(known),
            weak=word.weak,
            extra=word.extra,
            how=how,
            thing=thing and not word.weak,
            common=common,
        )


def _ends_with_a_shortening(chunk: str, last_word: str) -> bool:
    """Whether the chunk's last word has a dot right after it ("студ.", "тролл.?")."""
    word_end = chunk.rstrip(_TRAILING_PUNCTUATION)
    return word_end.endswith(last_word) and chunk[len(word_end) :].startswith(".")


def _spellings(transliterated: str) -> tuple[str, ...]:
    """The word as transliterated, and with a soft sign Latin spelling leaves out: at the end
    ("uznat" -> "узнать") or once between two consonants ("skolko" -> "сколько")."""
    found = [transliterated]
    if transliterated[-1] in _TAKES_SOFT_SIGN:
        found.append(transliterated + "ь")
    for at in range(1, len(transliterated) - 1):
        letter, following = transliterated[at], transliterated[at + 1]
        if (
            letter in _TAKES_SOFT_SIGN
            and following in _CONSONANTS
            and following != letter
            and len(found) < _MOST_SPELLINGS
        ):
            found.append(f"{transliterated[: at + 1]}ь{transliterated[at + 1 :]}")
    return tuple(found)


def _derived_strength(lemma: str, related: str) -> float:
    """A verb and its reflexive form ("обсуждать", "обсуждаться") are nearly the same word."""
    longer, shorter = (lemma, related) if len(lemma) > len(related) else (related, lemma)
    if longer in (shorter + "ся", shorter + "сь"):
        return REFLEXIVE_STRENGTH
    return DERIVED_STRENGTH


def _names_any(alternatives: tuple[tuple[str, float], ...], terms: Container[str]) -> bool:
    """Whether a reading of a word is one of ``terms``."""
    for term, _ in alternatives:  # noqa: SIM110 - twice as fast as any() on a generator
        if term in terms:
            return True
    return False


def _terms(read: list[Word], concepts: list[Word]) -> set[str]:
    """Every term of the words as read, and of the words with synonyms as concepts."""
    present = {w.term for w in read}
    for w in read:
        present.update(w.other_terms)
    present.update(w.term for w in concepts)
    return present


# A long message tells a story around its question ("сын пошёл в 5 класс, ..."): the words
# the base does not know weigh together at most as much as the heaviest this many of them,
# so the story cannot drown what the base does explain.
STORY_WORDS = 2


def _damp_story(slots: list[Slot]) -> list[Slot]:
    """Unknown words share the weight of the ``STORY_WORDS`` heaviest of them.

    A weight budget rather than a count of words: a light word the base does not know (a
    common "следующий", a weak "какой") adds little, and must never lower the total the
    other unknown words weigh, or it would make an off-topic message look answerable.
    """
    unknown = [s.weight for s in slots if not s.known]
    if len(unknown) <= STORY_WORDS:  # (most messages: nothing to share)
        return slots
    unknown.sort(reverse=True)
    total = sum(unknown)
    budget = sum(unknown[:STORY_WORDS])
    if total <= budget:
        return slots
    factor = budget / total
    return [s if s.known else replace(s, weight=s.weight * factor) for s in slots]
