"""Why the engine chose what it chose, in words a knowledge-base editor can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.engine.index import Field, FieldKind
from bot.engine.query import Slot

if TYPE_CHECKING:
    from bot.engine.confidence import Evidence
    from bot.engine.engine import FaqEngine
    from bot.engine.scoring import EntryScore

_HOW = {
    "typo": "typo corrected",
    "layout": "typed in the English layout",
    "translit": "transliterated",
    "split": "merged words split",
    "joined": "split word joined",
    "derived": "same word family",
    "part of a name": "the base uses it only inside longer names",
}


def explain(engine: FaqEngine, message: str, top: int = 3) -> str:
    query = engine.read(message)
    result = engine.match(message)
    lines = [f"message: {message!r}"]
    if query.small_talk is not None:
        lines.append(f"small talk ({query.small_talk.value}): never answered from the base")
    lines.append("words: " + (", ".join(_slot_text(engine, s) for s in query.slots) or "(none)"))
    unknown = [s for s in query.slots if not s.known and not s.extra]
    if unknown:
        lines.append(
            "not in the knowledge base (they lower the score): "
            + ", ".join(s.surface for s in unknown)
            + " - add a phrasing or synonym if the message should match"
        )
    lines.append(
        f"outcome: {result.outcome.value} (score {result.score:.3f}; answer at "
        f"{engine.thresholds.answer:.2f}, suggest at {engine.thresholds.suggest:.2f})"
    )
    ranked = engine.rank(query, max(top, 5))
    evidence = engine.evidence(query, ranked, message)
    if evidence is not None and query.small_talk is None:
        lines.append(_confidence_line(engine, evidence))
    for place, scored in enumerate(ranked[:top], start=1):
        lines.extend(_candidate_lines(engine, place, scored, query.slots))
    return "\n".join(lines)


def _confidence_line(engine: FaqEngine, evidence: Evidence) -> str:
    asked = (
        f"{evidence.unasked:.0%} of the message is question words no question or phrasing of"
        " the entry asks"
        if evidence.asks
        else "no question word"
    )
    kinds = (
        "asks for a kind of information (a date, a list, an address, a phone number, a price,"
        " a time, a number) the entry does not give - add a phrasing asking it if the answer"
        " does give it"
        if evidence.unprovided
        else "asks for no kind of information the entry lacks"
    )
    if evidence.which_unasked:
        kinds += (
            ";\n   asks which one of something the entry mentions but none of its questions asks"
            " which one of - add a phrasing asking it if the answer does tell"
        )
    return (
        f"confidence: lexical score {evidence.score:.3f}, {evidence.words} meaningful words,"
        f" runner-up at {evidence.runner_up:.0%} of the best, {evidence.named:.0%} of the named"
        f" things explained;\n   {asked}; {evidence.unknown_actions:.0%} is actions the base"
        f" does not know; {evidence.known_elsewhere:.0%} is things the base knows that the"
        f" entry lacks;\n   {kinds}"
        f" -> right-answer probability {engine.model.probability(evidence):.2f}"
        f" (answers from {engine.model.answer_probability:.2f})"
    )


def _slot_text(engine: FaqEngine, slot: Slot) -> str:
    if not slot.alternatives:
        meaning = "unknown"
    else:
        meaning = engine.index.concepts.label(slot.alternatives[0][0])
    notes = [f"weight {slot.weight:.2f}"]
    if slot.how:
        notes.append(_HOW.get(slot.how, slot.how))
    if slot.weak:
        notes.append("question word")
    if slot.extra:
        notes.append("bonus")
    return f"{slot.surface} -> {meaning} ({', '.join(notes)})"


def _candidate_lines(
    engine: FaqEngine, place: int, scored: EntryScore, slots: tuple[Slot, ...]
) -> list[str]:
    entry = engine.kb.entries[scored.entry]
    lines = [f"{place}. {entry.id}  lexical score {scored.score:.3f}  {entry.question!r}"]
    if scored.best_field is not None:
        best = scored.best_field
        lines.append(f"   closest text: {best.field.label} {_short(best.field.text)!r}")
    if scored.named < engine.weights.named_coverage:
        lines.append(
            f"   explains only {scored.named:.0%} of the things the message names:"
            " its lexical score is capped below the answer point"
        )
    for number, slot in enumerate(slots):
        places = [
            _matched_in(match.field, match.matched[number])
            for match in scored.fields
            if number in match.matched
        ]
        if places:
            lines.append(f"   {slot.surface}: " + "; ".join(places))
        elif not slot.extra:
            lines.append(f"   {slot.surface}: not in this entry")
    return lines


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matched_in(field: Field, matched: tuple[str, float]) -> str:
    term, strength = matched
    written = field.surfaces.get(term, term)
    kind = field.label if field.kind is not FieldKind.ANSWER else "answer"
    return f"{kind} ({written!r}, strength {strength:.2f})"
