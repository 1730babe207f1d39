"""The plain-text seed format: a question line, then its answer line; blank lines are ignored.

    Как складывается взаимодействие?
    Сейчас обе стороны обсуждают ...

    В каких областях его наращивать?
    Предметно и обстоятельно ...

Each question and answer is exactly one line, so the format needs no escaping and any editor
can write it. ``bot.knowledge.loader`` turns the pairs into a knowledge base; ``import`` merges
them into a TOML one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import KnowledgeBaseError


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    line: int  # 1-based line of the question; the answer is on the next non-blank line
    question: str
    answer: str
    answer_line: int


def parse_pairs(text: str, name: str) -> list[QuestionAnswer]:
    """Split ``text`` into question/answer pairs; ``name`` is the file name used in errors."""
    lines = [
        (number, line.strip())
        for number, line in enumerate(split_lines(text), start=1)
        if line.strip()
    ]
    if len(lines) % 2:
        number, _ = lines[-1]
        raise KnowledgeBaseError(
            f"{name}:{number}: question has no answer "
            "(the format is a question line followed by its answer line)"
        )
    return [
        QuestionAnswer(line=q_line, question=question, answer=answer, answer_line=a_line)
        for (q_line, question), (a_line, answer) in zip(lines[::2], lines[1::2], strict=True)
    ]


def split_lines(text: str) -> list[str]:
    """Lines as editors count them (``str.splitlines`` also splits at U+2028 and friends)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
