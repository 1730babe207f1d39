"""The plain-text seed format: a question line, then its answer line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Section
from bot.knowledge.plaintext import QuestionAnswer, parse_pairs

FAQ = Path(__file__).resolve().parents[2] / "data" / "faq.toml"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def seed_lines() -> list[str]:
    """The seed's 8 lines (question, answer, ...), taken from the project's own data file."""
    kb = load_knowledge_base(FAQ)
    return [line for entry in kb.entries for line in (entry.question, entry.answer)]


def test_seed_file_loads_as_four_entries() -> None:
    Path("seed.txt").write_text("\n".join(seed_lines()) + "\n", encoding="utf-8")
    kb = load_knowledge_base(Path("seed.txt"))
    reference = load_knowledge_base(FAQ)
    assert [e.id for e in kb.entries] == ["q1", "q2", "q3", "q4"]
    assert [(e.question, e.answer) for e in kb.entries] == [
        (e.question, e.answer) for e in reference.entries
    ]
    assert kb.sections == (Section("general", "Вопросы"),)
    assert all(e.section_id == "general" and e.phrasings == () for e in kb.entries)


def test_blank_lines_crlf_and_spaces_are_ignored() -> None:
    lines = seed_lines()
    text = "\r\n\r\n".join(f"  {line}  " for line in lines[:4]) + "\r\n\r\n\r\n"
    Path("seed.txt").write_text(text, encoding="utf-8", newline="")
    kb = load_knowledge_base(Path("seed.txt"))
    assert [(e.question, e.answer) for e in kb.entries] == [
        (lines[0], lines[1]),
        (lines[2], lines[3]),
    ]


def test_any_suffix_but_toml_is_plain_text() -> None:
    Path("faq.md").write_text("Question?\nAnswer.\n", encoding="utf-8")
    assert load_knowledge_base(Path("faq.md")).entry("q1").answer == "Answer."


def test_question_without_answer_names_its_line() -> None:
    Path("seed.txt").write_text("Q1?\nA1.\n\n\nQ2?\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("seed.txt"))
    assert caught.value.message == (
        "seed.txt:5: question has no answer "
        "(the format is a question line followed by its answer line)"
    )


def test_duplicate_question_names_both_lines() -> None:
    Path("seed.txt").write_text("Q1?\nA1.\nq1? \nA2.\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("seed.txt"))
    assert caught.value.message == "seed.txt:3: duplicate question (same as line 1)"


def test_empty_file() -> None:
    Path("seed.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("seed.txt"))
    assert caught.value.message == (
        "seed.txt: no questions: write a question line followed by its answer line"
    )


def test_too_long_lines_are_refused_with_their_line() -> None:
    Path("seed.txt").write_text("Q?\nA.\n" + "q" * 501 + "\nA.\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("seed.txt"))
    assert caught.value.message == (
        "seed.txt:3: question is too long (501 characters; the limit is 500)"
    )
    Path("seed.txt").write_text("Q?\n" + "a" * 20_001 + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("seed.txt"))
    assert caught.value.message == (
        "seed.txt:2: answer is too long (20001 characters; the limit is 20000)"
    )


def test_parse_pairs_keeps_line_numbers() -> None:
    assert parse_pairs("\nQ?\n\nA.\nQ2?\nA2.", "x") == [
        QuestionAnswer(line=2, question="Q?", answer="A.", answer_line=4),
        QuestionAnswer(line=5, question="Q2?", answer="A2.", answer_line=6),
    ]


def test_unicode_line_separators_do_not_split_lines() -> None:
    # str.splitlines() would split at U+2028 and shift every line number after it.
    pairs = parse_pairs("Q\u2028still Q?\nA.", "x")
    assert pairs == [QuestionAnswer(1, "Q\u2028still Q?", "A.", 2)]
