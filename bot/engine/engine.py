"""The FAQ matching engine: a message in, an answer, suggestions or an honest "don't know" out."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.engine import text
from bot.engine.analysis import Lemmatizer
from bot.engine.confidence import DEFAULT_MODEL, Evidence, InformationKinds, Model
from bot.engine.index import KnowledgeIndex
from bot.engine.lang import russian
from bot.engine.query import QueryReader, ReadQuery
from bot.engine.scoring import EntryScore, Scorer, Weights
from bot.engine.types import Candidate, MatchResult, Outcome, Thresholds
from bot.knowledge.model import KnowledgeBase

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
SHORT_TEXT_WORDS = 3  # stored texts this short are also found by their reading
# A suggestion must be at least this share of the best candidate's score to be offered.
SUGGESTION_SHARE = 0.5


class FaqEngine:
    """Matches messages against one knowledge base. Build once, call ``match`` many times."""

    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: Thresholds,
        index: KnowledgeIndex,
        weights: Weights,
        model: Model = DEFAULT_MODEL,
    ) -> None:
        self.kb = kb
        self.model = model
        self.thresholds = thresholds
        self.index = index
        self.weights = weights
        self.reader = QueryReader(
            index,
            index.lemmatizer.language,
            unknown_factor=weights.unknown,
            unknown_action_factor=weights.unknown_action,
            unknown_name_factor=weights.unknown_name,
            pair_factor=weights.pair,
            phrase_bonus=weights.phrase_bonus,
            part_of_name=weights.part_of_name,
        )
        self.scorer = Scorer(index, weights)
        language = index.lemmatizer.language
        self.kinds = InformationKinds(language.information_kinds, language.filler_phrases)
        # Per entry: the kinds of information it gives (a date, a phone number, a price...).
        self.given_kinds = [
            self.kinds.given(e.answer, (e.question, *e.phrasings)) for e in kb.entries
        ]
        self.stored_texts, self.short_texts = self._index_stored_texts(kb)

    @classmethod
    def build(
        cls,
        kb: KnowledgeBase,
        thresholds: Thresholds = Thresholds(),  # noqa: B008 - immutable
        weights: Weights = Weights(),  # noqa: B008 - immutable
    ) -> FaqEngine:
        lemmatizer = Lemmatizer(russian())
        index = KnowledgeIndex(with_language_synonyms(kb, lemmatizer), lemmatizer)
        engine = cls(kb, thresholds, index, weights)
        engine.match("проверка связи")  # loads what loads lazily, before the first user waits
        return engine

    def match(self, text: str) -> MatchResult:
        """Never raises: a message that cannot be read is simply not understood."""
        try:
            query = self.reader.read(text if isinstance(text, str) else str(text))
            ranked = self.scorer.rank(query.slots)
        except Exception:  # a bug must cost one "don't know", not the conversation
            logger.exception("matching failed for a message of %d characters", len(text))
            return MatchResult(query=text, outcome=Outcome.NONE)
        result = self._decide(text, query, ranked)
        if result.best is None:
            stored = self._stored_entries(word_key(text)) or self.short_texts.get(
                reading_key(query), ()
            )
            if len(stored) == 1:
                return self._stored_answer(text, stored[0], result)
            if stored:
                return self._stored_suggestions(text, stored, result)
        return result

    def _stored_entries(self, key: str) -> tuple[int, ...]:
        """The entries that have a question or phrasing of exactly these words."""
        found = self.stored_texts.get(hash(key), ())
        entries = found if isinstance(found, tuple) else (found,)
        return tuple(e for e in entries if self._has_text(e, key))

    def _index_stored_texts(
        self, kb: KnowledgeBase
    ) -> tuple[dict[int, int | tuple[int, ...]], dict[tuple[str, ...], tuple[int, ...]]]:
        """Two look-ups of the questions and phrasings, made in one pass over them:

        - the hash of each text's words -> its entry (the entries, when several have them).
          Hashes, not the texts: at 10,000 entries the texts would take some 20 MiB for a
          look-up that rarely hits (a hit is checked against the entries' texts);
        - the reading of each short text (a word or a few) -> its entries. Such a text, often
          an owner's addition of a word every entry has ("Казахстан"), is then found in any
          form the reader understands ("в Казахстане", "kazakhstan") as well.
        """
        exact: dict[int, int | tuple[int, ...]] = {}
        short: dict[tuple[str, ...], tuple[int, ...]] = {}
        for number, entry in enumerate(kb.entries):
            for stored in (entry.question, *entry.phrasings):
                key = word_key(stored)
                if not key:
                    continue
                hashed = hash(key)
                found = exact.get(hashed, number)
                if found == number:
                    exact[hashed] = number
                else:
                    earlier = found if isinstance(found, tuple) else (found,)
                    exact[hashed] = earlier if number in earlier else (*earlier, number)
                if key.count(" ") < SHORT_TEXT_WORDS:
                    reading = reading_key(self.reader.read(stored))
                    owners = short.get(reading, ())
                    if reading and number not in owners:
                        short[reading] = (*owners, number)
        return exact, short

    def _has_text(self, entry: int, key: str) -> bool:
        texts = (self.kb.entries[entry].question, *self.kb.entries[entry].phrasings)
        return any(word_key(t) == key for t in texts)

    def _stored_answer(self, text: str, entry: int, result: MatchResult) -> MatchResult:
        """The message is word for word a question or phrasing of one entry: whatever the words
        weigh, that is what someone wrote down as this entry's question ("Казахстан", added by
        an owner from the unanswered list), so the entry is the answer."""
        best = Candidate(self.kb.entries[entry], 1.0)
        others = tuple(c for c in result.ranked if c.entry.id != best.entry.id)
        return MatchResult(text, Outcome.ANSWER, best=best, ranked=(best, *others))

    def _stored_suggestions(
        self, text: str, entries: tuple[int, ...], result: MatchResult
    ) -> MatchResult:
        """Several entries have the message word for word (two owners filed it differently):
        each is meant, so they are offered, not one of them answered."""
        scores = {c.entry.id: c.score for c in result.ranked}
        offered = sorted(
            (
                Candidate(e, max(scores.get(e.id, 0.0), self.thresholds.suggest))
                for e in (self.kb.entries[n] for n in entries)
            ),
            key=lambda c: -c.score,
        )[:MAX_SUGGESTIONS]
        ids = {c.entry.id for c in offered}
        others = tuple(c for c in result.ranked if c.entry.id not in ids)
        return MatchResult(
            text, Outcome.SUGGEST, suggestions=tuple(offered), ranked=(*offered, *others)
        )

    def explain(self, text: str, top: int = 3) -> str:
        """Which words of the message matched which words of the top entries, and how much."""
        from bot.engine.explain import explain

        return explain(self, text, top)

    def read(self, text: str) -> ReadQuery:
        return self.reader.read(text)

    def rank(self, query: ReadQuery, top: int = 5) -> list[EntryScore]:
        return self.scorer.rank(query.slots, top)

    def evidence(
        self, query: ReadQuery, ranked: list[EntryScore], text: str = ""
    ) -> Evidence | None:
        """What the decision weighs about the best entry (None when nothing matched);
        ``text`` is the message as typed, for the kinds of information it asks for."""
        if not ranked:
            return None
        best = ranked[0]
        runner_up = min(1.0, ranked[1].rank / best.rank) if len(ranked) > 1 and best.rank else 0.0
        # One pass over the message's words (each sum then adds in the message's order).
        meaningful: list[float] = []  # the weights of the words that are not extra
        question_words: list[tuple[int, float]] = []
        unknown_actions: list[float] = []
        elsewhere: list[float] = []  # known things the entry lacks, by how much it lacks them
        contained = best.strengths()
        for number, slot in enumerate(query.slots):
            if slot.weak:
                question_words.append((number, slot.weight))
            if not slot.extra:
                meaningful.append(slot.weight)
                if not (slot.known or slot.thing or slot.weak):
                    unknown_actions.append(slot.weight)
                elif slot.known and slot.thing and not slot.weak:
                    lacking = 1.0 - contained.get(number, 0.0)
                    if lacking > 0.0:
                        elsewhere.append(slot.weight * lacking)
        total = sum(meaningful) or 1.0
        asks = bool(question_words)
        # Which words the entry's questions contain matters only for the question words.
        asked = best.asked_in_questions() if asks else set()
        unasked = sum([weight for number, weight in question_words if number not in asked])
        asked_kinds = self.kinds.asked(text)
        given_kinds = self.given_kinds[best.entry]
        which_unasked = False
        if query.which_terms and not asked_kinds & given_kinds:
            # ("По какому телефону звонить": the phone number the answer gives tells which.)
            masks = self.index.term_masks[best.entry]
            questions = ~self.index.answer_bit(best.entry)
            which_unasked = any(masks.get(t, 0) for t in query.which_terms) and not any(
                masks.get(p, 0) & questions for p in query.which_pairs
            )
        return Evidence(
            best.score,
            len(meaningful),
            runner_up,
            best.named,
            unasked=unasked / total,
            unknown_actions=sum(unknown_actions) / total,
            asks=asks,
            unprovided=not asked_kinds <= given_kinds,
            which_unasked=which_unasked,
            known_elsewhere=sum(elsewhere) / total,
        )

    def confidences(
        self, query: ReadQuery, ranked: list[EntryScore], text: str = ""
    ) -> list[float]:
        """The shown confidence of each ranked entry: the best one's from the decision
        model, the others' in proportion to their lexical scores."""
        evidence = self.evidence(query, ranked, text)
        if evidence is None:
            return []
        best = self.model.confidence(evidence)
        scale = best / evidence.score if evidence.score > 0 else 0.0
        return [best] + [min(best, s.score * scale) for s in ranked[1:]]

    def _decide(self, text: str, query: ReadQuery, ranked: list[EntryScore]) -> MatchResult:
        candidates = tuple(
            Candidate(self.kb.entries[s.entry], round(c, 4))
            for s, c in zip(ranked, self.confidences(query, ranked, text), strict=True)
        )
        if query.small_talk is not None or not candidates:
            return MatchResult(text, Outcome.NONE, small_talk=query.small_talk, ranked=candidates)
        best = candidates[0]
        sure = not ranked[0].unsure and not self._tied(ranked, self.weights.tie)
        if best.score >= self.thresholds.answer and sure:
            return MatchResult(text, Outcome.ANSWER, best=best, ranked=candidates)
        if best.score >= self.thresholds.suggest:
            # Which others are worth offering is a matter of how well they explain the
            # message, so the cut-off is on the lexical scores.
            lexical = ranked[0].score
            floor = max(lexical * SUGGESTION_SHARE, self.thresholds.suggest * SUGGESTION_SHARE)
            offered = tuple(c for c, s in zip(candidates, ranked, strict=True) if s.score >= floor)[
                :MAX_SUGGESTIONS
            ]
            return MatchResult(text, Outcome.SUGGEST, suggestions=offered, ranked=candidates)
        return MatchResult(text, Outcome.NONE, ranked=candidates)

    @staticmethod
    def _tied(ranked: list[EntryScore], tie: float) -> bool:
        """The runner-up explains the message (nearly) as well: answering would be a coin toss."""
        return len(ranked) > 1 and ranked[1].rank >= tie * ranked[0].rank


def reading_key(query: ReadQuery) -> tuple[str, ...]:
    """The message's words as the reader took them (each word's best reading, word pairs
    left out): equal for "Казахстан", "в Казахстане" and "kazakhstan"."""
    return tuple(
        s.alternatives[0][0] if s.alternatives else s.surface
        for s in query.slots
        if not s.extra and s.how != "pair"
    )


def word_key(message: str) -> str:
    """The message's words, lower case, ё as е, without punctuation: how a stored text and a
    message are compared word for word."""
    return " ".join(text.words(text.clean(message)))


def with_language_synonyms(kb: KnowledgeBase, lemmatizer: Lemmatizer) -> KnowledgeBase:
    """The base with the language's general synonym groups that concern it added to its own.

    A group concerns the base when one of its members is in the base's texts or synonyms:
    "отрасль" then finds the base's "сфера". A group no text uses would only make its words
    look known to the base, which they are not.
    """
    groups = lemmatizer.language.synonyms
    if not groups:
        return kb
    texts = [t for e in kb.entries for t in (e.question, *e.phrasings, e.answer)]
    texts.extend(member for group in kb.equivalence_groups() for member in group)
    # Each distinct word once: a large base repeats most of its words many times.
    tokens = {token for t in texts for token in text.words(text.clean(t))}
    present = {term for token in tokens for w in lemmatizer.analyze_word(token) for term in w.terms}

    def used(member: str) -> bool:
        words = lemmatizer.content_words_of(member)
        return bool(words) and all(any(t in present for t in w.terms) for w in words)

    added = tuple(g for g in groups if any(used(m) for m in g))
    return replace(kb, synonyms=kb.synonyms + added) if added else kb
