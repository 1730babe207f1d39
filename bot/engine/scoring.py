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

import heapq
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.engine.index import Field, FieldKind, KnowledgeIndex
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


@dataclass(slots=True)
class EntryScore:
    entry: int
    score: float  # the confidence shown and compared with the thresholds
    raw: float  # the confidence before the ambiguity discount
    rank: float = 0.0  # the ordering key: confidence lifted by salience, to break near ties
    best_field: FieldMatch | None = None
    fields: list[FieldMatch] = field(default_factory=list)
    named: float = 1.0  # the share of the things the message names that the entry explains
    unsure: bool = False  # only numbers and question words matched: a suggestion at most


@dataclass(frozen=True, slots=True)
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


def _message(slots: Sequence[Slot]) -> _Message:
    named = []
    named_total = 0.0
    wordy = frozenset(
        n for n, s in enumerate(slots) if not s.weak and not any(ch.isdigit() for ch in s.surface)
    )
    for number, slot in enumerate(slots):
        if not slot.thing or slot.extra or slot.weak:
            continue
        if any(ch.isdigit() for ch in slot.surface):
            continue  # "70 лет" and "70 рублей": a number alone names nothing
        named_total += slot.weight
        named.append((number, slot.weight))
    return _Message(
        slots=slots,
        weights=tuple(s.weight for s in slots),
        extra=tuple(s.extra for s in slots),
        alternatives=tuple(s.alternatives for s in slots),
        partial=any(s.partial < 1.0 for s in slots),
        named=tuple(named),
        named_total=named_total,
        wordy=wordy,
    )


_ANSWER = FieldKind.ANSWER


class Scorer:
    def __init__(self, index: KnowledgeIndex, weights: Weights) -> None:
        self.index = index
        self.weights = weights
        self._common_limit = max(30, int(weights.common_share * index.size))

    def rank(self, slots: Sequence[Slot], top: int = 5) -> list[EntryScore]:
        """The best entries for the message, best first, with the ambiguity discount applied."""
        if not slots or not any(s.known for s in slots):
            return []
        scored: list[EntryScore] = []
        best = 0.0
        message = _message(slots)
        for entry, bound in self._candidates(slots):
            if bound < best * PRUNE_SHARE:
                break  # no later candidate can reach a score worth showing
            result = self._score(entry, message)
            if result.raw > 0:
                scored.append(result)
                best = max(best, result.raw)
        scored.sort(key=lambda s: (-s.rank, s.entry))
        self._discount_ambiguity(scored)
        self.calibrate(scored)
        for better, worse in itertools.pairwise(scored):
            # Salience may rank an entry first with a slightly lower confidence; shown scores
            # follow the ranking so that "best first" reads as such.
            worse.score = min(worse.score, better.score)
        return scored[:top]

    def _candidates(self, slots: Sequence[Slot]) -> list[tuple[int, float]]:
        """Entries sharing a telling term with the message, most promising first, each with
        an upper bound of the confidence it can reach.

        Only slots with a rare enough term walk the inverted index; the common ones are then
        checked on those few entries, so a message of common words costs no more than one
        walk of the shortest posting list.
        """
        postings = self.index.postings
        known = [s for s in slots if s.alternatives]
        if not known:
            return []

        def rarity(slot: Slot) -> int:
            return min(len(postings.get(t, ())) for t, _ in slot.alternatives)

        nominating = [s for s in known if rarity(s) <= self._common_limit]
        if not nominating:
            nominating = [min(known, key=rarity)]
        votes: dict[int, float] = {}
        for slot in nominating:
            for entry, strength in self._reach(slot).items():
                votes[entry] = votes.get(entry, 0.0) + slot.weight * strength
        shortlist = heapq.nlargest(SHORTLIST, votes.items(), key=lambda item: item[1])
        votes = dict(shortlist)
        term_masks = self.index.term_masks
        others = [
            (s.weight, s.alternatives) for s in known if not any(s is n for n in nominating)
        ]
        if others:
            for entry, vote in votes.items():
                terms = term_masks[entry]
                for weight, alternatives in others:  # in message order, as the sum must be
                    for term, strength in alternatives:
                        if term in terms:
                            vote += weight * strength
                            break
                votes[entry] = vote
        ranked = heapq.nlargest(self.weights.candidates, votes.items(), key=lambda item: item[1])
        total = sum(s.weight for s in slots if not s.extra) or 1.0
        return [(e, min(1.0, v / total)) for e, v in ranked]

    def _reach(self, slot: Slot) -> dict[int, float]:
        """Entries containing one of the slot's terms, with the best strength."""
        reached: dict[int, float] = {}
        for term, strength in slot.alternatives:
            # A term in thousands of entries tells them apart from nothing: a sample is enough
            # to show the message is ambiguous, and keeps such messages as fast as others.
            for entry in self.index.postings.get(term, ())[:MAX_WALK]:
                if reached.get(entry, 0.0) < strength:
                    reached[entry] = strength
        return reached

    def score_entry(self, entry: int, slots: Sequence[Slot]) -> EntryScore:
        return self._score(entry, _message(slots))

    def _score(self, entry: int, message: _Message) -> EntryScore:
        slots = message.slots
        weights = message.weights
        matches = self._match_fields(entry, message.alternatives)
        best_strength = self._best_strengths(matches)
        if message.partial and self._completes_names(slots, best_strength):
            _restore_partial_words(matches, slots)
            best_strength = self._best_strengths(matches)
        total = self._message_weight(message, best_strength)
        if total <= 0 or not matches:
            return EntryScore(entry, 0.0, 0.0)
        for match in matches:
            match.score = self._field_score(match, weights, total)
        matched_weight = sum(weights[n] * v for n, v in best_strength.items())
        union = self.weights.union * matched_weight / total
        best = max(matches, key=lambda m: m.score)
        share = self.weights.field_share
        raw = max(best.score, (1.0 - share) * union + share * best.score)
        raw *= self._informativeness(slots, best_strength)
        raw = min(raw, 1.0)
        named = self._named_coverage(message, best_strength)
        if named < self.weights.named_coverage:
            # The message names something this entry says nothing about ("такси" next to
            # "аэропорт"): the entry is likely related but not the answer.
            raw = min(raw, UNSURE * self.weights.answer_knee)
        # Only numbers and question words matched ("сколько будет 2+2"): a number alone
        # names nothing, so the entry may be offered, never given as the answer.
        unsure = message.wordy.isdisjoint(best_strength)
        if unsure:
            raw = min(raw, UNSURE * self.weights.answer_knee)
        salience = self._salience(weights, self._topicality(entry, matches, best_strength))
        rank = raw * (1.0 + self.weights.salience * salience)
        best_field = best if best.score > 0 else None
        return EntryScore(entry, raw, raw, rank, best_field, matches, named=named, unsure=unsure)

    def _match_fields(
        self, entry: int, alternatives: Sequence[tuple[tuple[str, float], ...]]
    ) -> list[FieldMatch]:
        """For each text of the entry that contains message words: which, through which term.

        Each term maps to a bit mask of the entry's texts containing it, so a message costs
        one dictionary look-up per word reading, however many texts the entry has.
        """
        fields = self.index.fields[entry]
        masks = self.index.term_masks[entry]
        everything = (1 << len(fields)) - 1
        found: dict[int, dict[int, tuple[str, float]]] = {}
        for number, readings in enumerate(alternatives):
            remaining = everything
            for term, strength in readings:
                hit = masks.get(term, 0) & remaining
                if not hit:
                    continue
                remaining &= ~hit
                position = 0
                while hit:
                    if hit & 1:
                        found.setdefault(position, {})[number] = (term, strength)
                    hit >>= 1
                    position += 1
                if not remaining:
                    break
        return [FieldMatch(fields[p], matched) for p, matched in sorted(found.items())]

    def _best_strengths(self, matches: list[FieldMatch]) -> dict[int, float]:
        """Per message word: how strongly the entry contains it, in whichever text."""
        best: dict[int, float] = {}
        answer = self.weights.answer
        for match in matches:
            factor = answer if match.field.kind is _ANSWER else 1.0
            for number, (_, strength) in match.matched.items():
                value = strength * factor
                if value > best.get(number, 0.0):
                    best[number] = value
        return best

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

    def _informativeness(self, slots: Sequence[Slot], matched: dict[int, float]) -> float:
        """Below 1 when all that matched are words found nearly everywhere in the base.

        A word pair counts in proportion to how rare it is, so that "в каких областях" says
        more than "областях", but "России и Казахстана" is no more telling than its words.
        """
        rare = self.index.rare_idf
        mass = 0.0
        for number, strength in matched.items():
            slot = slots[number]
            if slot.weak:
                continue  # "кто", "когда" alone never make a match trustworthy
            share = 1.0 if slot.thing else self.weights.action_information
            if slot.how == "pair":
                share = min(1.0, self.index.idf(slot.alternatives[0][0]) / rare)
            mass += slot.weight * strength * share
        return min(1.0, mass / (self.weights.informative * rare))

    def _topicality(
        self, entry: int, matches: list[FieldMatch], matched: dict[int, float]
    ) -> dict[int, float]:
        """Per matched message word: the share of the entry's question and phrasings that
        contain it (an entry about a topic repeats it)."""
        short_count = len(self.index.fields[entry]) - 1  # all but the answer
        short = [m.matched for m in matches if m.field.kind is not _ANSWER]
        return {
            number: sum(m[number][1] for m in short if number in m) / short_count
            for number in matched
        }

    @staticmethod
    def _salience(weights: Sequence[float], topicality: dict[int, float]) -> float:
        """How central the matched words are to the entry, weighted by their weight."""
        total = sum(weights[n] for n in topicality)
        if total <= 0:
            return 0.0
        return sum(weights[n] * share for n, share in topicality.items()) / total

    @staticmethod
    def _message_weight(message: _Message, matched: dict[int, float]) -> float:
        """The message's total weight; extra words count only where they matched."""
        extra = message.extra
        return sum(w for n, w in enumerate(message.weights) if not extra[n] or n in matched)

    def _field_score(self, match: FieldMatch, weights: Sequence[float], total: float) -> float:
        covered = sum(weights[n] * strength for n, (_, strength) in match.matched.items())
        coverage = covered / total
        field = match.field
        if field.kind is _ANSWER:
            return self.weights.answer_text * coverage
        base = self.weights.question_base
        if field.weight <= 0:
            return base * coverage
        core = field.core_idf
        own = {term for term, _ in match.matched.values() if term in core}
        own_share = min(1.0, sum(core[t] for t in own) / field.weight)
        return coverage * (base + (1.0 - base) * own_share)

    def _discount_ambiguity(self, scored: list[EntryScore]) -> None:
        """Two entries explaining the message about equally well: neither is a sure answer."""
        if len(scored) < 2 or scored[0].rank <= 0:
            return
        ratio = min(1.0, scored[1].rank / scored[0].rank)
        start = self.weights.ambiguity_start
        closeness = max(0.0, min(1.0, (ratio - start) / (1.0 - start)))
        factor = 1.0 - self.weights.ambiguity_penalty * closeness
        for s in scored:
            s.score = s.raw * factor

    def calibrate(self, scored: list[EntryScore]) -> None:
        """Map scores piecewise-linearly so the default thresholds (0.6 answer, 0.3 suggest)
        sit where the development sets say they should."""
        for s in scored:
            s.score = calibrated(s.score, self.weights.suggest_knee, self.weights.answer_knee)


def _restore_partial_words(matches: list[FieldMatch], slots: Sequence[Slot]) -> None:
    """Full strength again for the words that were weakened as parts of longer names."""
    for match in matches:
        for number, (term, strength) in match.matched.items():
            partial = slots[number].partial
            if partial < 1.0:
                match.matched[number] = (term, min(1.0, strength / partial))


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
