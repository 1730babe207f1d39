"""How well an entry explains a message, as a score in [0, 1].

The score is mostly *query coverage*: the share of the message's weight (idf of each meaningful
word; words the base does not know keep a full weight) that the entry's texts contain, mixed
with how well the single best text (question or phrasing) matches, and discounted when a match
is only in the long answer. It is capped when everything matched is generic (words found in
nearly every entry), kept below the answer threshold when the message names a thing the entry
does not explain (an unknown noun such as "такси" or "погода" is what the message is about),
and lowered when a runner-up explains the message about as well; entries
that repeat the matched words across their phrasings rank first among equals. Candidates come
from an inverted index over the rarer terms, so only a few entries are scored in full however
large the base is.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from bot.engine.index import Field, FieldKind, KnowledgeIndex
from bot.engine.memo import remember
from bot.engine.query import Slot

# Candidates whose best possible score is below this share of the best found are not scored:
# they could be neither the answer nor a suggestion.
PRUNE_SHARE = 0.5
# At most this many entries of one posting list are visited for one message.
MAX_WALK = 300
# Entries nominated by the rare words that are then checked for the common ones.
SHORTLIST = 60
# A word matched at least this strongly counts as explained when telling names apart.
DERIVED_MATCH = 0.75
# A capped confidence sits just below the answer threshold: a suggestion, never an answer.
UNSURE = 0.98
# Below this share of a match carried by words (the rest by numbers), the numbers alone made it.
NUMBERS_CARRY = 0.1
# Facts remembered about message words are forgotten at this many, to bound memory...
_MEMO_LIMIT = 50_000
# ...and the entries words reach at this many (a reach names up to MAX_WALK entries per
# reading).
_REACH_LIMIT = 2_000


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuning knobs of the score (chosen on development query sets, see the report)."""

    question_base: float = 0.8  # score of a question/phrasing fully covering the message...
    # ...the rest comes from how much of that question the message covers
    answer: float = 0.8  # matches only in the answer text count this much
    # ...and a long answer containing the words is a weaker match than a question that does
    answer_text: float = 0.6
    union: float = 0.9  # words matched across several texts of the entry count this much...
    field_share: float = 0.4  # ...mixed with the best single text's score, which gets this share
    informative: float = 0.8  # matched weight needed (in rare-word units) to be trusted fully
    action_information: float = 0.75  # a matched verb counts this much of its weight there
    unknown: float = 1.2  # weight of a thing (noun, ...) the base does not know, in rare-word units
    unknown_action: float = 0.6  # ...of an unknown verb or adverb
    unknown_name: float = 2.0  # ...times this for unknown names of places, people, bodies
    pair: float = 0.25  # weight of a known word pair relative to a word as rare
    phrase_bonus: float = 1.0  # extra weight per further word of a recognised phrase
    part_of_name: float = 0.4  # strength of a word the base only uses inside longer names
    ambiguity_start: float = 0.7  # runner-up/best ratio where the ambiguity penalty starts
    ambiguity_penalty: float = 0.35  # share of the score lost when the runner-up ties
    tie: float = 0.99  # a runner-up this close to the best means suggestions, never an answer
    salience: float = 0.4  # ranking bonus for entries whose texts repeat the matched words
    named_coverage: float = 0.55  # below this share of the named things explained: no answer
    # Raw scores where answering and suggesting start to pay off on the development sets;
    # reported scores are stretched so that these land on the default thresholds 0.6 and 0.3.
    answer_knee: float = 0.45
    suggest_knee: float = 0.2
    candidates: int = 10  # entries scored in full
    common_share: float = 0.01  # terms in more entries than this share don't nominate


@dataclass(slots=True)
class FieldMatch:
    """Which message words a text of an entry contains."""

    field: Field
    matched: dict[int, tuple[str, float]]  # slot number -> (term, strength)
    score: float = 0.0


# A message word found in a text of an entry: (slot number, term, strength).
_Hit = tuple[int, str, float]
# A message word an entry contains: (bit of the first text containing it, slot number,
# strength, topicality).
_Matched = tuple[int, int, float, float]
# A message word found in an entry: (slot number, term, strength, bit mask of the entry's
# texts containing the word through that term).
_Hits = tuple[int, str, float, int]


@dataclass(slots=True)
class _Texts:
    """How the texts of one entry contain the message's words, in the compact form scoring
    works with; EntryScore spells it out as FieldMatch objects for explanations."""

    texts: Sequence[Field]  # all texts of the entry; a text's bit is 1 << its position
    hits: list[_Hits]  # the message words the entry contains, with the texts having them
    coverages: dict[int, float]  # bit of a text -> the share of the message's weight it has
    scores: dict[int, float]  # the scores worked out: of the texts that could be the best
    best: int  # the bit of the best-scoring text
    weights: Weights

    @property
    def found(self) -> dict[int, list[_Hit]]:
        """Bit of each text containing message words -> them, in order."""
        found: dict[int, list[_Hit]] = {}
        for number, term, strength, mask in self.hits:
            for bit in _bits(mask):
                found.setdefault(bit, []).append((number, term, strength))
        return found

    def match(self, bit: int) -> FieldMatch:
        text = self.texts[bit.bit_length() - 1]
        hits = [(n, term, strength) for n, term, strength, mask in self.hits if mask & bit]
        score = self.scores.get(bit)
        if score is None:
            score = _text_score(text, self.coverages[bit], [h[1] for h in hits], self.weights)
        return FieldMatch(text, {n: (term, strength) for n, term, strength in hits}, score)


@dataclass(slots=True)
class EntryScore:
    entry: int
    score: float  # the confidence shown and compared with the thresholds
    raw: float  # the confidence before the ambiguity discount
    rank: float = 0.0  # the ordering key: confidence lifted by salience, to break near ties
    named: float = 1.0  # the share of the things the message names that the entry explains
    unsure: bool = False  # only numbers and question words matched: a suggestion at most
    # Most scored entries are never looked at again, so which texts matched is kept compact
    # and spelled out by ``fields`` and ``best_field`` only when asked.
    matches: _Texts | None = None

    @property
    def fields(self) -> list[FieldMatch]:
        """Each text of the entry that contains message words, in the entry's order."""
        if self.matches is None:
            return []
        return [self.matches.match(bit) for bit in sorted(self.matches.found)]

    @property
    def best_field(self) -> FieldMatch | None:
        """The text that matches best, if it matches at all."""
        matches = self.matches
        if matches is None or matches.scores[matches.best] <= 0:
            return None
        return matches.match(matches.best)

    def strengths(self) -> dict[int, float]:
        """Per message word the entry contains (by slot number): the strongest reading it
        contains it through, in any of its texts."""
        found: dict[int, float] = {}
        if self.matches is not None:
            for number, _, strength, _ in self.matches.hits:
                if strength > found.get(number, 0.0):
                    found[number] = strength
        return found

    def asked_in_questions(self) -> set[int]:
        """The message words the entry's question or phrasings contain (not only its answer)."""
        if self.matches is None:
            return set()
        # The index puts the answer last: any other bit of a mask is a question or phrasing.
        answer_bit = 1 << (len(self.matches.texts) - 1)
        return {hit[0] for hit in self.matches.hits if hit[3] & ~answer_bit}


@dataclass(slots=True)
class _Message:
    """What scoring needs to know about the message's words, worked out once per message
    rather than once per candidate entry."""

    slots: Sequence[Slot]
    weights: tuple[float, ...]
    extra: tuple[bool, ...]
    alternatives: tuple[tuple[tuple[str, float], ...], ...]
    partial: bool  # some word was weakened as part of a longer name
    named: tuple[tuple[int, float], ...]  # the things the message names: (slot number, weight)
    named_total: float
    wordy: frozenset[int]  # slots that say something in words: not numbers, not question words
    numbers: frozenset[int]  # numbers in digits or words ("1", "один"; not a name like "45к")
    # Per slot: the share of its weight that counts as information (None: a question word).
    information: tuple[float | None, ...]
    # The message's weight when it has no extra words: the same for every entry then.
    total: float | None
    weight: float  # the weight of its words that are not extra (1.0 when that is 0)


_ANSWER = FieldKind.ANSWER


class Scorer:
    def __init__(self, index: KnowledgeIndex, weights: Weights) -> None:
        self.index = index
        self.weights = weights
        self._common_limit = max(30, int(weights.common_share * index.size))
        # The matched mass that makes a match fully informative (see _informativeness).
        self._informative_mass = weights.informative * index.rare_idf
        # No text scores more than its coverage times this (see _text_score; own_share <= 1).
        base = weights.question_base
        self._lift_bound = max(base, weights.answer_text, base + (1.0 - base) * 1.0)
        self._numeric: dict[str, bool] = {}  # a message word as typed -> whether it has digits
        # A word's readings -> the number of entries its rarest reading is in...
        self._rarities: dict[tuple[tuple[str, float], ...], int] = {}
        # ...and the entries it reaches (see _reach); never changed once made.
        self._reached: dict[tuple[tuple[str, float], ...], dict[int, float]] = {}

    def rank(self, slots: Sequence[Slot], top: int = 5) -> list[EntryScore]:
        """The best entries for the message, best first, with the ambiguity discount applied."""
        if not slots or not any(s.known for s in slots):
            return []
        scored: list[EntryScore] = []
        best = 0.0
        message = self._message(slots)
        for entry, bound in self._candidates(slots, message.weight):
            if bound < best * PRUNE_SHARE:
                break  # no later candidate can reach a score worth showing
            result = self._score(entry, message)
            if result.raw > 0:
                scored.append(result)
                best = max(best, result.raw)
        scored.sort(key=lambda s: (-s.rank, s.entry))
        shown = scored[:top]  # the ambiguity discount looks at the rest, nothing else does
        self._discount_ambiguity(scored, shown)
        self.calibrate(shown)
        for better, worse in itertools.pairwise(shown):
            # Salience may rank an entry first with a slightly lower confidence; shown scores
            # follow the ranking so that "best first" reads as such.
            worse.score = min(worse.score, better.score)
        return shown

    def _message(self, slots: Sequence[Slot]) -> _Message:
        # One pass over the slots: this runs for every message.
        named = []
        named_total = 0.0
        wordy = []
        numbers = []
        weights = []
        extra = []
        alternatives = []
        information = []
        partial = False
        information_share = self._information_share
        action_information = self.weights.action_information
        numeric = self._numeric
        for number, slot in enumerate(slots):
            surface = slot.surface
            digits = numeric.get(surface)
            if digits is None:
                digits = self._remember_numeric(surface)
            weak = slot.weak
            if not weak and not digits:
                wordy.append(number)
            if _is_a_number(slot):
                numbers.append(number)
            # "70 лет" and "70 рублей": a number alone names nothing.
            if slot.thing and not slot.extra and not weak and not digits:
                named_total += slot.weight
                named.append((number, slot.weight))
            weights.append(slot.weight)
            # A known word pair of the message ("как развивается") counts against an entry
            # lacking it: word order says what is asked, and the same words in another
            # order ("какие регионы развивают") ask something else.
            extra.append(slot.extra and slot.how != "pair")
            alternatives.append(slot.alternatives)
            if weak or slot.how == "pair":
                information.append(information_share(slot))
            else:  # the common case, spelled out: this runs for every word of every message
                information.append(1.0 if slot.thing else action_information)
            if slot.partial < 1.0:
                partial = True
        return _Message(
            slots=slots,
            weights=tuple(weights),
            extra=tuple(extra),
            alternatives=tuple(alternatives),
            partial=partial,
            named=tuple(named),
            named_total=named_total,
            wordy=frozenset(wordy),
            numbers=frozenset(numbers),
            information=tuple(information),
            total=None if any(extra) else sum(weights),
            weight=sum([w for w, e in zip(weights, extra, strict=True) if not e]) or 1.0,
        )

    def _remember_numeric(self, surface: str) -> bool:
        """Whether the word as typed has a digit; remembered, as words recur all day."""
        # (A letter is never a digit: most words need no look at each character.)
        digits = not surface.isalpha() and any(map(str.isdigit, surface))
        return remember(self._numeric, surface, digits, _MEMO_LIMIT)

    def _information_share(self, slot: Slot) -> float | None:
        """How much of the slot's weight says what the message is about (see
        _informativeness); None for question words, which never do."""
        if slot.weak:
            return None  # "кто", "когда" alone never make a match trustworthy
        if slot.how == "pair" and slot.alternatives:
            return min(1.0, self.index.idf(slot.alternatives[0][0]) / self.index.rare_idf)
        return 1.0 if slot.thing else self.weights.action_information

    def _candidates(self, slots: Sequence[Slot], total: float) -> list[tuple[int, float]]:
        """Entries sharing a telling term with the message, most promising first, each with
        an upper bound of the confidence it can reach.

        Only slots with a rare enough term walk the inverted index; the common ones are then
        checked on those few entries, so a message of common words costs no more than one
        walk of the shortest posting list.
        """
        known = [s for s in slots if s.alternatives]
        if not known:
            return []

        others: list[tuple[float, tuple[tuple[str, float], ...]]] = []  # checked afterwards
        if self.index.size <= self._common_limit:
            nominating = known  # a posting list is no longer than the base: none is common
        else:
            rarity = self._rarities.get
            rarities = [rarity(s.alternatives) or self._rarity(s.alternatives) for s in known]
            limit = self._common_limit
            nominating = [s for s, r in zip(known, rarities, strict=True) if r <= limit]
            if not nominating:
                nominating = [known[rarities.index(min(rarities))]]
            chosen = {id(s) for s in nominating}
            others = [(s.weight, s.alternatives) for s in known if id(s) not in chosen]
        votes: dict[int, float] = {}
        reach = self._reached.get
        for slot in nominating:
            weight = slot.weight
            reached = reach(slot.alternatives) or self._reach(slot.alternatives)
            if not votes:  # nothing to add to yet: the products are the sums
                votes = {entry: weight * strength for entry, strength in reached.items()}
                continue
            get = votes.get
            for entry, strength in reached.items():
                votes[entry] = get(entry, 0.0) + weight * strength
        if others:
            votes = dict(_largest(votes, SHORTLIST))
            term_masks = self.index.term_masks
            for entry, vote in votes.items():
                terms = term_masks[entry]
                for weight, alternatives in others:  # in message order, as the sum must be
                    for term, strength in alternatives:
                        if term in terms:
                            vote += weight * strength
                            break
                votes[entry] = vote
        # (Without others the shortlist is the same sort cut shorter: one sort does.)
        ranked = _largest(votes, self.weights.candidates)
        return [(e, min(1.0, v / total)) for e, v in ranked]

    def _rarity(self, alternatives: tuple[tuple[str, float], ...]) -> int:
        """In how many entries a word's rarest reading is; remembered, as words recur."""
        postings = self.index.postings
        rarity = min([len(postings.get(term, ())) for term, _ in alternatives])
        return remember(self._rarities, alternatives, rarity, _MEMO_LIMIT)

    def _reach(self, alternatives: tuple[tuple[str, float], ...]) -> dict[int, float]:
        """Entries containing one of a word's readings, with the best strength; remembered
        (as words recur) for fewer words than other facts, as a reach can be long."""
        return remember(self._reached, alternatives, self._walk(alternatives), _REACH_LIMIT)

    def _walk(self, alternatives: tuple[tuple[str, float], ...]) -> dict[int, float]:
        postings = self.index.postings
        # A term in thousands of entries tells them apart from nothing: a sample is enough
        # to show the message is ambiguous, and keeps such messages as fast as others.
        # A posting list names each entry once, so the first reading reaches them all.
        term, strength = alternatives[0]
        reached = dict.fromkeys(postings.get(term, ())[:MAX_WALK], strength) if strength > 0 else {}
        get = reached.get
        for term, strength in alternatives[1:]:
            for entry in postings.get(term, ())[:MAX_WALK]:
                if get(entry, 0.0) < strength:
                    reached[entry] = strength
        return reached

    def score_entry(self, entry: int, slots: Sequence[Slot]) -> EntryScore:
        return self._score(entry, self._message(slots))

    def _score(self, entry: int, message: _Message) -> EntryScore:
        # Every sum adds the same numbers in the same order as a text-by-text, word-by-word
        # reading would (and sum() stays sum(), which rounds differently from a loop on
        # newer Pythons): ranks are compared for ties, so a faster way of computing a score
        # must not move it by a last bit.
        texts = self.index.fields[entry]
        hits = self._hits(self.index.term_masks[entry], len(texts), message.alternatives)
        if not hits:
            return EntryScore(entry, 0.0, 0.0)
        answer_bit = self.index.answer_bit(entry)
        strengths, topicality = self._words_matched(hits, answer_bit)
        if message.partial and self._completes_names(message.slots, strengths):
            hits = _restore_partial_words(hits, message.slots)
            strengths, topicality = self._words_matched(hits, answer_bit)
        total = message.total
        if total is None:
            total = self._message_weight(message, strengths)
        if total <= 0:
            return EntryScore(entry, 0.0, 0.0)
        weights = message.weights
        coverages = _coverages(hits, weights, total)
        best_text, best_score, text_scores = self._best_text(texts, hits, coverages)
        matched_weight = sum([weights[n] * v for n, v in strengths.items()])
        union = self.weights.union * matched_weight / total
        share = self.weights.field_share
        raw = max(best_score, (1.0 - share) * union + share * best_score)
        raw *= self._informativeness(message, strengths)
        raw = min(raw, 1.0)
        named = self._named_coverage(message, strengths)
        if named < self.weights.named_coverage:
            # The message names something this entry says nothing about ("такси" next to
            # "аэропорт"): the entry is likely related but not the answer.
            raw = min(raw, UNSURE * self.weights.answer_knee)
        # Only numbers and question words matched ("сколько будет 2+2"), or beside the numbers
        # only words the base has everywhere: a number alone names nothing, so the entry may
        # be offered, never given as the answer.
        unsure = message.wordy.isdisjoint(strengths) or _carried_by_numbers(message, strengths)
        if unsure:
            raw = min(raw, UNSURE * self.weights.answer_knee)
        salience = self._salience(weights, topicality)
        rank = raw * (1.0 + self.weights.salience * salience)
        matches = _Texts(texts, hits, coverages, text_scores, best_text, self.weights)
        return EntryScore(entry, raw, raw, rank, named, unsure, matches)

    def _best_text(
        self, texts: Sequence[Field], hits: list[_Hits], coverages: dict[int, float]
    ) -> tuple[int, float, dict[int, float]]:
        """The entry's best-scoring text (the first in the entry's order among equals): its
        bit, its score, and the scores worked out on the way.

        A text scores at most its coverage lifted by its own telling words, so going from
        the highest coverage down, the texts that cannot beat the best so far are skipped.
        """
        lift = self._lift_bound
        weights = self.weights
        scores: dict[int, float] = {}
        best_text = 0
        best_score = 0.0
        # Highest coverage first; sorted() keeps the entry's order among equal coverages.
        for bit in sorted(coverages, key=coverages.__getitem__, reverse=True):
            coverage = coverages[bit]
            if best_text and coverage * lift < best_score:
                break  # nor can any later text: their coverage is no higher
            terms = [term for _, term, _, mask in hits if mask & bit]
            score = _text_score(texts[bit.bit_length() - 1], coverage, terms, weights)
            scores[bit] = score
            if not best_text or score > best_score or (score == best_score and bit < best_text):
                best_text, best_score = bit, score
        return best_text, best_score, scores

    @staticmethod
    def _hits(
        masks: dict[str, int], count: int, alternatives: Sequence[tuple[tuple[str, float], ...]]
    ) -> list[_Hits]:
        """The message words an entry contains: (slot number, term, strength, bit mask of the
        entry's texts containing the word through that term), in message order. A text takes
        the first reading of a word it contains (readings come best first).

        Each term maps to a bit mask of the entry's texts containing it (``masks``, for an
        entry of ``count`` texts), so a message costs one dictionary look-up per word
        reading, however many texts the entry has.
        """
        get = masks.get
        everything = (1 << count) - 1
        hits = []
        for number, readings in enumerate(alternatives):
            remaining = everything
            for term, strength in readings:
                hit = get(term, 0) & remaining
                if hit:
                    hits.append((number, term, strength, hit))
                    remaining &= ~hit
                    if not remaining:
                        break
        return hits

    def _words_matched(
        self, hits: list[_Hits], answer_bit: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Per message word the entry contains: how strongly, in whichever text, and its
        topicality: the share of the entry's question and phrasings that contain it (an entry
        about a topic repeats it), each text counting with the strength it has the word
        with. One pass over the hits, as this runs for every candidate entry.

        The words come in the order of the first text containing them (then message order):
        the sums over them depend on it.
        """
        answer = self.weights.answer
        not_answer = ~answer_bit
        short_count = answer_bit.bit_length() - 1  # the question and phrasings
        # (first text's bit, word number, strength, topicality) per matched word.
        matched: list[_Matched] = []
        last = len(hits) - 1
        # The hits of one word come one after another, best reading first.
        for at, (number, _, strength, mask) in enumerate(hits):
            if at and hits[at - 1][0] == number:
                continue  # a further reading of a word gathered below
            if at < last and hits[at + 1][0] == number:
                word = _several_readings(hits, at, answer_bit, answer)
                if word is not None:
                    matched.append(word)
                continue
            # One reading (most words): the same strength in every text having it.
            short = mask & not_answer
            best = strength if short else 0.0
            first = short & -short if short and strength > 0.0 else answer_bit
            if mask & answer_bit and strength * answer > best:
                best = strength * answer
            if best > 0.0:
                topicality = sum([strength] * short.bit_count()) / short_count
                matched.append((first, number, best, topicality))
        if len(matched) > 1:
            matched.sort()
        return {n: s for _, n, s, _ in matched}, {n: t for _, n, _, t in matched}

    @staticmethod
    def _completes_names(slots: Sequence[Slot], matched: dict[int, float]) -> bool:
        """Whether the entry explains another thing the message names, which then tells
        which longer name a bare word stands for ("такси для инвалидов": social taxi)."""
        return any(
            slot.thing
            and slot.partial == 1.0
            and not (slot.extra or slot.weak or slot.common)
            and matched.get(number, 0.0) >= DERIVED_MATCH
            for number, slot in enumerate(slots)
        )

    @staticmethod
    def _named_coverage(message: _Message, matched: dict[int, float]) -> float:
        """The share of the things the message names (nouns, adjectives; not numbers or
        question words) that the entry explains. The language's most common words count
        at their lower weight: "страна" in "с какими странами граничит" is still asked."""
        explained = 0.0
        for number, weight in message.named:
            explained += weight * matched.get(number, 0.0)
        total = message.named_total
        return explained / total if total else 1.0

    def _informativeness(self, message: _Message, matched: dict[int, float]) -> float:
        """Below 1 when all that matched are words found nearly everywhere in the base.

        A word pair counts in proportion to how rare it is, so that "в каких областях" says
        more than "областях", but "России и Казахстана" is no more telling than its words.
        """
        information = message.information
        weights = message.weights
        mass = 0.0
        for number, strength in matched.items():
            share = information[number]
            if share is not None:
                mass += weights[number] * strength * share
        return min(1.0, mass / self._informative_mass)

    @staticmethod
    def _salience(weights: Sequence[float], topicality: dict[int, float]) -> float:
        """How central the matched words are to the entry, weighted by their weight."""
        total = sum([weights[n] for n in topicality])
        if total <= 0:
            return 0.0
        return sum([weights[n] * share for n, share in topicality.items()]) / total

    @staticmethod
    def _message_weight(message: _Message, matched: dict[int, float]) -> float:
        """The message's total weight; extra words count only where they matched."""
        extra = message.extra
        return sum([w for n, w in enumerate(message.weights) if not extra[n] or n in matched])

    def _discount_ambiguity(self, scored: list[EntryScore], shown: list[EntryScore]) -> None:
        """Two entries explaining the message about equally well: neither is a sure answer.
        ``scored`` is every scored entry, best first; ``shown`` those whose score is set."""
        if len(scored) < 2 or scored[0].rank <= 0:
            return
        ratio = min(1.0, scored[1].rank / scored[0].rank)
        start = self.weights.ambiguity_start
        closeness = max(0.0, min(1.0, (ratio - start) / (1.0 - start)))
        factor = 1.0 - self.weights.ambiguity_penalty * closeness
        for s in shown:
            s.score = s.raw * factor

    def calibrate(self, scored: list[EntryScore]) -> None:
        """Map scores piecewise-linearly so the default thresholds (0.6 answer, 0.3 suggest)
        sit where the development sets say they should."""
        for s in scored:
            s.score = calibrated(s.score, self.weights.suggest_knee, self.weights.answer_knee)


def _carried_by_numbers(message: _Message, matched: dict[int, float]) -> bool:
    """Whether numbers carry nearly all of the match, the words beside them being ones the
    base has everywhere ("у меня 1 вопрос" where every entry speaks of questions)."""
    numbers = message.numbers
    if numbers.isdisjoint(matched):
        return False
    weights, slots = message.weights, message.slots
    by_numbers = sum([weights[n] * s for n, s in matched.items() if n in numbers])
    by_words = sum(
        [weights[n] * s for n, s in matched.items() if n not in numbers and not slots[n].weak]
    )
    return by_words < NUMBERS_CARRY * (by_numbers + by_words)


def _is_a_number(slot: Slot) -> bool:
    """Whether the word is a number, in digits or in letters ("1", "один"), not a name with
    digits ("45к")."""
    return bool(slot.alternatives) and slot.alternatives[0][0].isdigit()


def _restore_partial_words(hits: list[_Hits], slots: Sequence[Slot]) -> list[_Hits]:
    """Full strength again for the words that were weakened as parts of longer names."""
    restored = []
    for number, term, strength, mask in hits:
        partial = slots[number].partial
        if partial < 1.0:
            strength = min(1.0, strength / partial)
        restored.append((number, term, strength, mask))
    return restored


def _coverages(hits: list[_Hits], weights: Sequence[float], total: float) -> dict[int, float]:
    """Per text containing message words (by its bit): the share of the message's weight it
    has, added in the message's order."""
    products: dict[int, list[float]] = {}
    spread = _BITS.get
    for number, _, strength, mask in hits:
        added = weights[number] * strength
        for bit in spread(mask) or _bits(mask):
            shares = products.get(bit)
            if shares is None:
                products[bit] = [added]
            else:
                shares.append(added)
    return {bit: sum(added) / total for bit, added in products.items()}


def _several_readings(
    hits: list[_Hits], start: int, answer_bit: int, answer: float
) -> _Matched | None:
    """What Scorer._words_matched finds about a word that an entry contains through several
    of its readings (the hits from ``start`` on), in different texts; None if it is not
    matched after all (all strengths 0)."""
    number = hits[start][0]
    best = 0.0
    first = answer_bit
    parts: list[tuple[int, float]] = []  # (mask of the question and phrasings, strength)
    for hit_number, _, strength, mask in itertools.islice(hits, start, None):
        if hit_number != number:
            break
        short = mask & ~answer_bit
        if short:
            parts.append((short, strength))
            if strength > best:  # (best is never negative: strength > 0 too)
                best = strength
            bit = short & -short
            if bit < first and strength > 0.0:
                first = bit
        if mask & answer_bit and strength * answer > best:
            best = strength * answer
    if best <= 0.0:
        return None
    # The topicality: each text counts with its reading's strength, in the entry's order.
    strengths = [s for _, s in sorted(_per_text(parts))]
    return first, number, best, sum(strengths) / (answer_bit.bit_length() - 1)


# Bit mask of texts -> its bits, lowest first; the same few masks recur in every message.
_BITS: dict[int, tuple[int, ...]] = {}


def _bits(mask: int) -> tuple[int, ...]:
    """The bits of a mask, lowest first; remembered."""
    bits = []
    rest = mask
    while rest:
        bit = rest & -rest
        rest ^= bit
        bits.append(bit)
    return remember(_BITS, mask, tuple(bits), _MEMO_LIMIT)


def _per_text(parts: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """(text bit, strength) for each text of each (texts mask, strength)."""
    spread = []
    for mask, strength in parts:
        while mask:
            bit = mask & -mask
            mask ^= bit
            spread.append((bit, strength))
    return spread


def _text_score(text: Field, coverage: float, terms: list[str], weights: Weights) -> float:
    """How well one text of an entry matches: its coverage of the message, lifted for a
    question or phrasing by the share of its own telling words the message has. ``terms``
    are the message's terms the text contains, in the message's order."""
    if text.kind is _ANSWER:
        return weights.answer_text * coverage
    base = weights.question_base
    if text.weight <= 0:
        return base * coverage
    core = text.core_idf
    # Each telling word once, added in the message's order: a set's order changes with the
    # process's hash seed, and so would the last bit of the sum.
    own = dict.fromkeys([term for term in terms if term in core])
    own_share = min(1.0, sum(map(core.__getitem__, own)) / text.weight)
    return coverage * (base + (1.0 - base) * own_share)


def _largest(votes: dict[int, float], count: int) -> list[tuple[int, float]]:
    """The ``count`` entries with the most votes, most first, earlier ones first among equals:
    heapq.nlargest(count, votes.items(), key=...), which is defined as this sort and slice,
    and which is slower for the few hundred votes a message gives."""
    return sorted(votes.items(), key=itemgetter(1), reverse=True)[:count]


DEFAULT_SUGGEST = 0.3
DEFAULT_ANSWER = 0.6


def calibrated(raw: float, suggest_knee: float, answer_knee: float) -> float:
    points = (
        (0.0, 0.0),
        (suggest_knee, DEFAULT_SUGGEST),
        (answer_knee, DEFAULT_ANSWER),
        (1.0, 1.0),
    )
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if raw <= x1:
            return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1
    return 1.0
