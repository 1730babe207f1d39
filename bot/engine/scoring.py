"""How well an entry explains a message, as a score in [0, 1].

The score is mostly *query coverage*: the share of the message's weight (idf of each meaningful
word; unknown words weigh the most) that the entry's texts contain. It is lifted when the
message also covers most of one stored question or phrasing, discounted when the match is only
in the long answer text, and capped when everything matched is generic (words found in every
entry). Candidates come from an inverted index over the rarer terms, so only a few entries are
scored in full however large the base is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.engine.index import Field, FieldKind, KnowledgeIndex
from bot.engine.query import Slot


@dataclass(frozen=True, slots=True)
class Weights:
    """Tuning knobs of the score (chosen on development query sets, see the report)."""

    question_base: float = 0.5  # score of a question/phrasing fully covering the message...
    # ...the rest comes from how much of that question the message covers
    answer: float = 0.7  # matches only in the answer text count this much
    union: float = 0.85  # words matched across several texts of the entry count this much
    informative: float = 0.8  # matched weight needed (in rare-word units) to be trusted fully
    unknown: float = 0.6  # weight of a word the base does not know, in rare-word units
    unknown_action: float = 0.5  # ...times this for unknown verbs, adverbs (often just phrasing)
    known_action: float = 1.0  # weight factor of known verbs and adverbs: nouns carry topics
    pair: float = 0.5  # weight of a known word pair relative to a word as rare
    phrase_bonus: float = 0.5  # extra weight per further word of a recognised phrase
    ambiguity_start: float = 0.8  # runner-up/best ratio where the ambiguity penalty starts
    ambiguity_penalty: float = 0.2  # share of the score lost when the runner-up ties
    salience: float = 0.1  # bonus for entries whose texts repeat the matched words
    candidates: int = 10  # entries scored in full
    common_share: float = 0.05  # terms in more than this share of entries don't nominate


@dataclass(slots=True)
class FieldMatch:
    """Which message words a text of an entry contains."""

    field: Field
    matched: dict[int, tuple[str, float]]  # slot number -> (term, strength)
    score: float = 0.0


@dataclass(slots=True)
class EntryScore:
    entry: int
    score: float
    raw: float
    best_field: FieldMatch | None = None
    fields: list[FieldMatch] = field(default_factory=list)


class Scorer:
    def __init__(self, index: KnowledgeIndex, weights: Weights) -> None:
        self.index = index
        self.weights = weights
        self._common_limit = max(50, int(weights.common_share * index.size))

    def rank(self, slots: Sequence[Slot], top: int = 5) -> list[EntryScore]:
        """The best entries for the message, best first, with the ambiguity discount applied."""
        if not slots or not any(s.known for s in slots):
            return []
        scored = [self.score_entry(e, slots) for e in self._candidates(slots)]
        scored = [s for s in scored if s.raw > 0]
        scored.sort(key=lambda s: (-s.raw, s.entry))
        self._discount_ambiguity(scored)
        return scored[:top]

    def _candidates(self, slots: Sequence[Slot]) -> list[int]:
        """Entries sharing a telling term with the message, most promising first."""
        terms = [(t, s.weight * strength) for s in slots for t, strength in s.alternatives]
        postings = self.index.postings
        nominating = [(t, w) for t, w in terms if len(postings.get(t, ())) <= self._common_limit]
        if not nominating and terms:
            nominating = [min(terms, key=lambda tw: len(postings.get(tw[0], ())))]
        votes: dict[int, float] = {}
        for term, weight in nominating:
            for entry in postings.get(term, ()):
                votes[entry] = votes.get(entry, 0.0) + weight
        if len(votes) <= self.weights.candidates:
            return list(votes)
        ranked = sorted(votes.items(), key=lambda item: -item[1])
        return [entry for entry, _ in ranked[: self.weights.candidates]]

    def score_entry(self, entry: int, slots: Sequence[Slot]) -> EntryScore:
        weights = self.weights
        matches = [self._match_field(f, slots) for f in self.index.fields[entry]]
        best_strength: dict[int, float] = {}
        for match in matches:
            factor = weights.answer if match.field.kind is FieldKind.ANSWER else 1.0
            for number, (_, strength) in match.matched.items():
                value = strength * factor
                best_strength[number] = max(best_strength.get(number, 0.0), value)
        total = self._message_weight(slots, best_strength)
        if total <= 0:
            return EntryScore(entry, 0.0, 0.0)
        for position, match in enumerate(matches):
            match.score = self._field_score(entry, position, match, slots, total)
        matched_weight = sum(slots[n].weight * v for n, v in best_strength.items())
        union = weights.union * matched_weight / total
        best = max(matches, key=lambda m: m.score)
        raw = max(best.score, union) * self._informativeness(slots, best_strength)
        raw *= 1.0 + weights.salience * self._salience(slots, matches, best_strength)
        return EntryScore(entry, min(raw, 1.0), min(raw, 1.0), best if best.score > 0 else None, matches)

    def _informativeness(self, slots: Sequence[Slot], matched: dict[int, float]) -> float:
        """Below 1 when all that matched are words found nearly everywhere in the base.

        A word pair counts in proportion to how rare it is, so that "в каких областях" says
        more than "областях", but "России и Казахстана" is no more telling than its words.
        """
        rare = self.index.rare_idf
        mass = 0.0
        for number, strength in matched.items():
            slot = slots[number]
            share = 1.0
            if slot.how == "pair":
                share = min(1.0, self.index.idf(slot.alternatives[0][0]) / rare)
            mass += slot.weight * strength * share
        return min(1.0, mass / (self.weights.informative * rare))

    def _salience(
        self, slots: Sequence[Slot], matches: list[FieldMatch], matched: dict[int, float]
    ) -> float:
        """How central the matched words are to the entry: the share of its question and
        phrasings that contain them (an entry about a topic repeats it)."""
        short = [m for m in matches if m.field.kind is not FieldKind.ANSWER]
        if not short or not matched:
            return 0.0
        total = sum(slots[n].weight for n in matched)
        if total <= 0:
            return 0.0
        share = 0.0
        for number in matched:
            containing = sum(m.matched[number][1] for m in short if number in m.matched)
            share += slots[number].weight * containing / len(short)
        return share / total

    @staticmethod
    def _message_weight(slots: Sequence[Slot], matched: dict[int, float]) -> float:
        """The message's total weight; extra words count only where they matched."""
        return sum(s.weight for n, s in enumerate(slots) if not s.extra or n in matched)

    def _match_field(self, f: Field, slots: Sequence[Slot]) -> FieldMatch:
        matched: dict[int, tuple[str, float]] = {}
        for number, slot in enumerate(slots):
            for term, strength in slot.alternatives:
                if term in f.terms:
                    matched[number] = (term, strength)
                    break
        return FieldMatch(f, matched)

    def _field_score(
        self, entry: int, position: int, match: FieldMatch, slots: Sequence[Slot], total: float
    ) -> float:
        if not match.matched:
            return 0.0
        covered = sum(slots[n].weight * strength for n, (_, strength) in match.matched.items())
        coverage = covered / total
        if match.field.kind is FieldKind.ANSWER:
            return self.weights.answer * coverage
        field_weight = self.index.field_weight[(entry, position)]
        if field_weight <= 0:
            return self.weights.question_base * coverage
        own = {term for term, _ in match.matched.values() if match.field.terms.get(term)}
        own_share = min(1.0, sum(self.index.idf(t) for t in own) / field_weight)
        base = self.weights.question_base
        return coverage * (base + (1.0 - base) * own_share)

    def _discount_ambiguity(self, scored: list[EntryScore]) -> None:
        """Two entries explaining the message about equally well: neither is a sure answer."""
        if len(scored) < 2 or scored[0].raw <= 0:
            return
        ratio = scored[1].raw / scored[0].raw
        start = self.weights.ambiguity_start
        closeness = max(0.0, min(1.0, (ratio - start) / (1.0 - start)))
        factor = 1.0 - self.weights.ambiguity_penalty * closeness
        for s in scored:
            s.score = s.raw * factor
