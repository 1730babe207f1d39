"""The knowledge-base loader: the real data file, and one exact message per kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Section

REPO = Path(__file__).resolve().parents[2]
FAQ = REPO / "data" / "faq.toml"

QUESTIONS = {
    "scope": "Как складывается межрегиональное и приграничное взаимодействие России и Казахстана?",
    "growth": "В каких областях предполагается его наращивать?",
    "priorities": "Каковы сегодня приоритеты двустороннего сотрудничества?",
    "integration": "В каком русле обсуждаются вопросы интеграции?",
}

# Line numbers of this file are used in the expected messages below.
SMALL = """\
title = "Test FAQ"
language = "en"
synonyms = [
    ["price", "cost"],
]

[abbreviations]
"FAQ" = "frequently asked questions"

[[sections]]
id = "main"
title = "Main"

[[entries]]
id = "hours"
section = "main"
question = "When are you open?"
answer = "Every day from 9 to 18."
phrasings = ["opening hours"]

[[entries]]
id = "price"
section = "main"
question = "How much does it cost?"
answer = "It is free."
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then say "faq.toml:...", as an operator would see


def load_text(text: str, name: str = "faq.toml") -> object:
    Path(name).write_text(text, encoding="utf-8")
    return load_knowledge_base(Path(name))


def error_for(text: str, name: str = "faq.toml") -> str:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_text(text, name)
    message = caught.value.message
    assert "\n" not in message
    return message


def replaced(old: str, new: str, text: str = SMALL) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- the real knowledge base ------------------------------------------------------------------


def test_real_faq_loads_with_exact_questions() -> None:
    kb = load_knowledge_base(FAQ)
    assert {entry.id: entry.question for entry in kb.entries} == QUESTIONS
    assert [entry.id for entry in kb.entries] == list(QUESTIONS)
    assert kb.title == "Россия и Казахстан: межрегиональное и приграничное сотрудничество"
    assert kb.language == "ru"


def test_real_faq_sections_and_entries() -> None:
    kb = load_knowledge_base(FAQ)
    assert [section.id for section in kb.sections] == ["regions", "bilateral", "integration"]
    assert kb.section("regions") == Section("regions", "🗺 Регионы и приграничье")
    assert [e.id for e in kb.entries_in("regions")] == ["scope", "growth"]
    assert [e.id for e in kb.entries_in("integration")] == ["integration"]
    scope = kb.entry("scope")
    assert scope is not None
    assert scope.answer.startswith("Сейчас обе стороны обсуждают широкий комплекс вопросов")
    assert scope.answer.endswith("всего обмена товарами и услугами между двумя странами.")
    assert "Сколько российских областей граничит с Казахстаном?" in scope.phrasings
    assert all(len(entry.phrasings) >= 5 for entry in kb.entries)


def test_real_faq_vocabulary() -> None:
    kb = load_knowledge_base(FAQ)
    assert ("Россия", "Российская Федерация", "РФ") in kb.synonyms
    assert ("СНГ", "Содружество Независимых Государств") in kb.abbreviations
    assert ("СНГ", "Содружество Независимых Государств") in kb.equivalence_groups()


def test_duplicate_id_in_real_faq_names_the_line() -> None:
    text = FAQ.read_text(encoding="utf-8").replace('id = "growth"', 'id = "scope"')
    lines = text.split("\n")
    first = lines.index('id = "scope"') + 1
    second = lines.index('id = "scope"', first) + 1
    assert error_for(text) == (
        f"faq.toml:{second}: duplicate entry id 'scope' (first defined on line {first})"
    )


def test_absolute_path_inside_cwd_is_shown_relative(tmp_path: Path) -> None:
    Path("data").mkdir()
    (tmp_path / "data" / "faq.toml").write_text(replaced('id = "price"', "id = price"))
    with pytest.raises(KnowledgeBaseError, match=r"^data/faq\.toml:22: "):
        load_knowledge_base(tmp_path / "data" / "faq.toml")


# --- a small valid file -----------------------------------------------------------------------


def test_small_file_loads_everything() -> None:
    kb = load_text(SMALL)
    assert kb.title == "Test FAQ"
    assert kb.language == "en"
    assert kb.synonyms == (("price", "cost"),)
    assert kb.abbreviations == (("FAQ", "frequently asked questions"),)
    assert kb.sections == (Section("main", "Main"),)
    assert kb.entry("hours").phrasings == ("opening hours",)
    assert kb.entry("price").phrasings == ()


def test_optional_parts_may_be_left_out() -> None:
    text = SMALL[SMALL.index("[[sections]]") :]
    kb = load_text(text)
    assert (kb.title, kb.language, kb.synonyms, kb.abbreviations) == ("", "ru", (), ())


def test_values_are_trimmed_and_multiline_answers_kept() -> None:
    text = replaced('answer = "It is free."', 'answer = """\n  Free.\r\nReally.\n"""')
    text = replaced('question = "When are you open?"', 'question = "  When are you open?  "', text)
    kb = load_text(text)
    assert kb.entry("price").answer == "Free.\nReally."
    assert kb.entry("hours").question == "When are you open?"


def test_byte_order_mark_is_accepted() -> None:
    Path("faq.toml").write_bytes(b"\xef\xbb\xbf" + SMALL.encode())
    assert load_knowledge_base(Path("faq.toml")).title == "Test FAQ"


def test_inline_tables_are_found_by_their_id_line() -> None:
    text = (
        'sections = [{id = "a", title = "Main"}]\n'
        "entries = [\n"
        '    {id = "b", section = "a", question = "Q?", answer = "A."},\n'
        '    {id = "a", section = "a", question = "Q2?", answer = ""},\n'
        "]\n"
    )
    assert error_for(text) == "faq.toml:4: entry 'a': answer is empty"


# --- one exact message per mistake ------------------------------------------------------------

BROKEN = [
    pytest.param(
        replaced('id = "price"', "id = price"),
        "faq.toml:22: TOML syntax error: invalid value (column 6)",
        id="syntax",
    ),
    pytest.param(
        SMALL + "\n[[entries]]\nid = [\n",
        "faq.toml:28: TOML syntax error: invalid value at the end of the file",
        id="unterminated",
    ),
    pytest.param(
        replaced('id = "price"', 'id = "hours"'),
        "faq.toml:22: duplicate entry id 'hours' (first defined on line 15)",
        id="duplicate-entry",
    ),
    pytest.param(
        replaced(
            '[[entries]]\nid = "hours"',
            '[[sections]]\nid = "main"\ntitle = "Again"\n\n[[entries]]\nid = "hours"',
        ),
        "faq.toml:15: duplicate section id 'main' (first defined on line 11)",
        id="duplicate-section",
    ),
    pytest.param(
        replaced('question = "How much does it cost?"\n', ""),
        "faq.toml:21: entry 'price': question is missing",
        id="missing-question",
    ),
    pytest.param(
        replaced('id = "price"\n', ""),
        "faq.toml:21: entry #2 has no id",
        id="missing-id",
    ),
    pytest.param(
        replaced('answer = "It is free."', 'answer = "   "'),
        "faq.toml:25: entry 'price': answer is empty",
        id="empty-answer",
    ),
    pytest.param(
        replaced('title = "Main"', 'title = ""'),
        "faq.toml:12: section 'main': title is empty",
        id="empty-section-title",
    ),
    pytest.param(
        replaced('question = "How much does it cost?"', "question = 42"),
        "faq.toml:24: entry 'price': question must be a string, not an integer",
        id="question-type",
    ),
    pytest.param(
        replaced('question = "How much does it cost?"', 'question = """How much\ndoes it cost?"""'),
        "faq.toml:24: entry 'price': question must be a single line",
        id="question-two-lines",
    ),
    pytest.param(
        replaced("How much does it cost?", "x" * 501),
        "faq.toml:24: entry 'price': question is too long (501 characters; the limit is 500)",
        id="question-too-long",
    ),
    pytest.param(
        replaced("It is free.", "y" * 20_001),
        "faq.toml:25: entry 'price': answer is too long (20001 characters; the limit is 20000)",
        id="answer-too-long",
    ),
    pytest.param(
        replaced('id = "main"\ntitle', 'id = "Main Section"\ntitle'),
        "faq.toml:11: section id 'Main Section' is invalid: use 1-32 lowercase latin letters, "
        "digits, '-' or '_'",
        id="section-id-pattern",
    ),
    pytest.param(
        replaced('id = "price"', f'id = "{"p" * 33}"'),
        f"faq.toml:22: entry id '{'p' * 33}' is invalid: use 1-32 lowercase latin letters, "
        "digits, '-' or '_'",
        id="entry-id-too-long",
    ),
    pytest.param(
        replaced('id = "price"\nsection = "main"', 'id = "price"\nsection = "mian"'),
        "faq.toml:23: entry 'price': unknown section 'mian' (sections: main)",
        id="unknown-section",
    ),
    pytest.param(
        replaced("How much does it cost?", "WHEN are  you open?"),
        "faq.toml:24: entry 'price': same question as entry 'hours'",
        id="same-question",
    ),
    pytest.param(
        replaced('phrasings = ["opening hours"]', 'phrasing = ["opening hours"]'),
        "faq.toml:19: entry 'hours': unknown key 'phrasing' "
        "(expected: id, section, question, answer, phrasings)",
        id="unknown-entry-key",
    ),
    pytest.param(
        "titel = 'x'\n" + SMALL,
        "faq.toml:1: unknown key 'titel' "
        "(expected: title, language, synonyms, abbreviations, sections, entries)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        replaced('phrasings = ["opening hours"]', 'phrasings = "opening hours"'),
        "faq.toml:19: entry 'hours': phrasings must be an array of strings, not a string",
        id="phrasings-not-array",
    ),
    pytest.param(
        replaced('phrasings = ["opening hours"]', 'phrasings = ["opening hours", 7]'),
        "faq.toml:19: entry 'hours': phrasings must contain only strings, found an integer",
        id="phrasing-not-string",
    ),
    pytest.param(
        replaced('phrasings = ["opening hours"]', 'phrasings = ["opening hours", " "]'),
        "faq.toml:19: entry 'hours': phrasings: ' ' must be a non-empty single line",
        id="phrasing-empty",
    ),
    pytest.param(
        replaced('synonyms = [\n    ["price", "cost"],\n]', 'synonyms = ["price", "cost"]\n\n'),
        "faq.toml:3: synonyms must be an array of arrays of strings, "
        'like [["word", "synonym"], ["another", "group"]]',
        id="synonyms-flat",
    ),
    pytest.param(
        replaced('    ["price", "cost"],', '    ["price", "cost"],\n    ["alone"],'),
        "faq.toml:5: synonym group 2 needs at least two words or phrases",
        id="synonym-group-of-one",
    ),
    pytest.param(
        replaced('["price", "cost"]', '["price", 3]'),
        "faq.toml:4: synonym group 1 must contain only strings, found an integer",
        id="synonym-not-string",
    ),
    pytest.param(
        replaced('"FAQ" = "frequently asked questions"', '"FAQ" = 1'),
        "faq.toml:8: abbreviation 'FAQ' must be a string, not an integer",
        id="abbreviation-not-string",
    ),
    pytest.param(
        replaced(
            '[abbreviations]\n"FAQ" = "frequently asked questions"', 'abbreviations = ["FAQ"]'
        ),
        "faq.toml:7: abbreviations must be a table, not an array",
        id="abbreviations-not-table",
    ),
    pytest.param(
        replaced('title = "Main"', 'title = "Main"\n\n[[sections]]\nid = "empty"\ntitle = "Empty"'),
        "faq.toml:15: section 'empty' has no entries (add entries with this section or remove it)",
        id="section-without-entries",
    ),
    pytest.param(
        SMALL[: SMALL.index("[[entries]]")],
        "faq.toml: no entries: add at least one [[entries]] table with id, section, question "
        "and answer",
        id="no-entries",
    ),
    pytest.param(
        'title = "x"\nentries = "none"\n',
        "faq.toml:2: entries must be tables, each under its own [[entries]] header",
        id="entries-not-tables",
    ),
    pytest.param(
        replaced('language = "en"', "language = 5"),
        "faq.toml:2: language must be a string, not an integer",
        id="language-type",
    ),
    pytest.param(
        "a = " + "[" * 50_000 + "]" * 50_000 + "\n",
        "faq.toml: TOML syntax error: arrays or tables are nested too deeply",
        id="deep-nesting",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_file_gives_one_exact_line(text: str, expected: str) -> None:
    assert error_for(text) == expected


def test_missing_file() -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("nowhere.toml"))
    assert caught.value.message == "nowhere.toml: file not found"
    assert caught.value.exit_code == 3


def test_directory_instead_of_file() -> None:
    Path("faq.toml").mkdir()
    with pytest.raises(KnowledgeBaseError, match=r"^faq\.toml: is a directory, expected a "):
        load_knowledge_base(Path("faq.toml"))


def test_not_utf8_names_line_byte_and_offset() -> None:
    data = SMALL.replace("Main", "Главное").encode("cp1251")
    Path("faq.toml").write_bytes(data)
    offset = data.index("Главное".encode("cp1251"))
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("faq.toml"))
    assert caught.value.message == (
        f"faq.toml:12: not UTF-8 encoded (byte 0xc3 at offset {offset}); save the file as UTF-8"
    )


def test_file_larger_than_5_mib_is_refused() -> None:
    Path("faq.toml").write_text(SMALL + "#" * (5 * 1024 * 1024), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("faq.toml"))
    assert caught.value.message == (
        "faq.toml: file is larger than 5 MiB; a knowledge base must be smaller"
    )


def test_user_text_in_messages_is_escaped_to_one_line() -> None:
    message = error_for(replaced('id = "price"', 'id = "bad\\nid"'))
    assert message == (
        "faq.toml:22: entry id 'bad\\nid' is invalid: use 1-32 lowercase latin letters, "
        "digits, '-' or '_'"
    )


def test_more_sections_than_a_topics_menu_can_show_are_refused() -> None:
    sections = "".join(f'[[sections]]\nid = "s{n}"\ntitle = "Тема {n}"\n\n' for n in range(91))
    entries = "".join(
        f'[[entries]]\nid = "e{n}"\nsection = "s{n}"\nquestion = "Вопрос {n}?"\nanswer = "Да."\n\n'
        for n in range(91)
    )

    message = error_for(sections + entries)

    # The 91st section's id is on line 362 (four lines per section, the id second).
    assert message == (
        "faq.toml:362: more than 90 sections: a topics menu cannot show them all; "
        "group related questions into fewer sections"
    )
    assert load_text(sections.rsplit("[[sections]]", 1)[0] + entries.rsplit("[[entries]]", 1)[0])
