"""Measuring the engine on labelled queries (``python -m bot eval``).

A labelled file is UTF-8 TSV with the header ``query<TAB>expected<TAB>category``; lines
starting with ``#`` are comments; ``expected`` is an entry id or ``none``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import FaqEngine, MatchResult, Outcome
from bot.errors import OperatorError

NONE_EXPECTED = "none"
HEADER = ("query", "expected", "category")


class EvalFileError(OperatorError):
    """A labelled query file that cannot be read."""


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    query: str
    expected: str | None  # an entry id, or None when the bot must not answer
    category: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Judged:
    """What the engine did with one labelled query."""

    labelled: LabelledQuery
    result: MatchResult

    @property
    def answered_id(self) -> str | None:
        best = self.result.best
        return best.entry.id if self.result.outcome is Outcome.ANSWER and best else None

    @property
    def offered_ids(self) -> tuple[str, ...]:
        if self.result.outcome is Outcome.ANSWER and self.answered_id:
            return (self.answered_id,)
        return tuple(c.entry.id for c in self.result.suggestions)

    @property
    def answered_right(self) -> bool:
        return self.labelled.expected is not None and self.answered_id == self.labelled.expected

    @property
    def found(self) -> bool:
        return self.labelled.expected is not None and self.labelled.expected in self.offered_ids

    @property
    def passed(self) -> bool:
        if self.labelled.expected is None:
            return self.result.outcome is not Outcome.ANSWER
        return self.answered_right

    def describe(self) -> str:
        result = self.result
        if result.outcome is Outcome.ANSWER:
            did = f"answered {self.answered_id} ({result.score:.2f})"
        elif result.outcome is Outcome.SUGGEST:
            offered = ", ".join(f"{c.entry.id} {c.score:.2f}" for c in result.suggestions)
            did = f"suggested [{offered}]"
        else:
            did = f"none ({result.score:.2f})"
            if result.small_talk:
                did += f", small talk {result.small_talk.value}"
        expected = self.labelled.expected or NONE_EXPECTED
        return f"[{self.labelled.category}] {self.labelled.query!r}: expected {expected}, {did}"


@dataclass(slots=True)
class Figures:
    """Counts for a set of queries; shares are None when there is nothing to divide by."""

    in_scope: int = 0
    answered_right: int = 0
    found: int = 0
    out_of_scope: int = 0
    not_answered: int = 0

    def add(self, judged: Judged) -> None:
        if judged.labelled.expected is None:
            self.out_of_scope += 1
            self.not_answered += judged.passed
        else:
            self.in_scope += 1
            self.answered_right += judged.answered_right
            self.found += judged.found

    @property
    def answered_share(self) -> float | None:
        return self.answered_right / self.in_scope if self.in_scope else None

    @property
    def found_share(self) -> float | None:
        return self.found / self.in_scope if self.in_scope else None

    @property
    def rejected_share(self) -> float | None:
        return self.not_answered / self.out_of_scope if self.out_of_scope else None


@dataclass(slots=True)
class Report:
    overall: Figures = field(default_factory=Figures)
    by_category: dict[str, Figures] = field(default_factory=dict)
    judged: list[Judged] = field(default_factory=list)

    @property
    def failures(self) -> list[Judged]:
        return [j for j in self.judged if not j.passed]


def read_labelled(path: Path) -> list[LabelledQuery]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"{path}: cannot read labelled queries: {error}") from None
    return parse_labelled(text, str(path))


def parse_labelled(text: str, name: str = "<queries>") -> list[LabelledQuery]:
    queries: list[LabelledQuery] = []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(c.strip().lower() for c in cells[:3]) == HEADER:
                continue
        if len(cells) < 3:
            raise EvalFileError(f"{name}:{number}: expected query<TAB>expected<TAB>category")
        query, expected, category = cells[0], cells[1].strip(), cells[2].strip()
        queries.append(
            LabelledQuery(query, None if expected == NONE_EXPECTED else expected, category, number)
        )
    return queries


def evaluate(engine: FaqEngine, queries: Iterable[LabelledQuery], name: str = "") -> Report:
    report = Report()
    for labelled in queries:
        if labelled.expected is not None and engine.kb.entry(labelled.expected) is None:
            raise EvalFileError(
                f"{name or 'queries'}:{labelled.line}: no entry with id {labelled.expected!r}"
            )
        judged = Judged(labelled, engine.match(labelled.query))
        report.judged.append(judged)
        report.overall.add(judged)
        report.by_category.setdefault(labelled.category, Figures()).add(judged)
    return report


def _share(value: float | None, count: int) -> str:
    return "   -   " if value is None else f"{value:6.1%} of {count}"


def format_report(report: Report, failures: bool = False) -> str:
    lines = [
        "                 answered right      right offered       not answered",
        "                 (in scope)          (answer/suggest)    (none expected)",
    ]
    rows = [("all", report.overall), *sorted(report.by_category.items())]
    for name, figures in rows:
        lines.append(
            f"{name:<16} {_share(figures.answered_share, figures.in_scope):<19} "
            f"{_share(figures.found_share, figures.in_scope):<19} "
            f"{_share(figures.rejected_share, figures.out_of_scope)}"
        )
    lines.append(f"failures: {len(report.failures)} of {len(report.judged)}")
    if failures:
        lines.extend("  " + j.describe() for j in report.failures)
    return "\n".join(lines)
