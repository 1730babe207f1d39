"""Plain-text and Markdown knowledge bases: the seed layout (a question line, then its answer
line), blocks with answers of several lines, Markdown headings, and ids made from questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import KnowledgeBase, Section
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
    assert [e.id for e in kb.entries] == [
        "kak-skladyvaetsya-68cd75",
        "v-kakikh-oblastyakh-623065",
        "kakovy-segodnya-c606df",
        "v-kakom-rusle-ebdedf",
    ]
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


@pytest.mark.parametrize("suffix", [".txt", ".TXT"])
def test_txt_files_are_plain_text(suffix: str) -> None:
    Path(f"faq{suffix}").write_text("Question?\nAnswer.\n", encoding="utf-8")
    assert load_knowledge_base(Path(f"faq{suffix}")).entry("question-3b2be2").answer == "Answer."


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
    assert parse_pairs("\nQ?\n\nA.\n\nQ2?\n\n\nA2.", "x") == [
        QuestionAnswer(line=2, question="Q?", answer="A.", answer_line=4),
        QuestionAnswer(line=6, question="Q2?", answer="A2.", answer_line=9),
    ]
    assert parse_pairs("\nQ?\nA.\nmore.\n\nQ2?\nA2.", "x") == [
        QuestionAnswer(line=2, question="Q?", answer="A.\nmore.", answer_line=3),
        QuestionAnswer(line=6, question="Q2?", answer="A2.", answer_line=7),
    ]


def test_unicode_line_separators_do_not_split_lines() -> None:
    # str.splitlines() would split at U+2028 and shift every line number after it.
    pairs = parse_pairs("Q\u2028still Q?\nA.", "x")
    assert pairs == [QuestionAnswer(1, "Q\u2028still Q?", "A.", 2)]


# --- ids made from the questions --------------------------------------------------------------

PASS_PAIR = "Как оформить пропуск?\nВ бюро пропусков на первом этаже.\n"
CANTEEN_PAIR = "Где находится столовая?\nНа третьем этаже.\n"
PARKING_PAIR = "Сколько стоит парковка?\nПарковка бесплатная.\n"


def ids_and_questions(path: Path) -> list[tuple[str, str]]:
    return [(e.id, e.question) for e in load_knowledge_base(path).entries]


def test_ids_come_from_the_questions_and_survive_an_edit_above_them() -> None:
    path = Path("kb.txt")
    path.write_text(PASS_PAIR + CANTEEN_PAIR + PARKING_PAIR, encoding="utf-8")
    before = ids_and_questions(path)
    assert before == [
        ("kak-oformit-propusk-4723a1", "Как оформить пропуск?"),
        ("gde-nakhoditsya-2ac957", "Где находится столовая?"),
        ("skolko-stoit-parkovka-20394a", "Сколько стоит парковка?"),
    ]

    path.write_text(
        "Как записаться на экскурсию?\nНапишите на почту.\n" + PASS_PAIR + PARKING_PAIR,
        encoding="utf-8",
    )

    after = dict((question, entry_id) for entry_id, question in ids_and_questions(path))
    assert after == {
        "Как записаться на экскурсию?": "kak-zapisatsya-na-5e17a6",
        "Как оформить пропуск?": "kak-oformit-propusk-4723a1",
        "Сколько стоит парковка?": "skolko-stoit-parkovka-20394a",
    }


PASS_FOR_CAR = "Как оформить пропуск на машину?\nВ бюро пропусков, с номером машины.\n"
PASS_FOR_GUEST = "Как оформить пропуск на гостя?\nЗаявкой за день.\n"


def test_questions_beginning_alike_keep_their_ids_when_a_similar_one_is_added() -> None:
    # The ids used to be the first words numbered in file order (-2, -3), so a question
    # beginning with the same words inserted above or appended moved them to other questions.
    path = Path("kb.txt")
    path.write_text(PASS_FOR_CAR + PASS_FOR_GUEST, encoding="utf-8")
    before = ids_and_questions(path)
    assert before == [
        ("kak-oformit-propusk-de9a7e", "Как оформить пропуск на машину?"),
        ("kak-oformit-propusk-aeb25c", "Как оформить пропуск на гостя?"),
    ]

    path.write_text(
        "Как оформить пропуск на курьера?\nНа проходной.\n\n"
        + PASS_FOR_GUEST
        + "\n"
        + PASS_FOR_CAR
        + "\nКак оформить пропуск на велосипед?\nНе нужен.\n",
        encoding="utf-8",
    )

    after = ids_and_questions(path)
    assert set(before) < set(after)
    assert dict(after) == {
        "kak-oformit-propusk-670dc5": "Как оформить пропуск на курьера?",
        "kak-oformit-propusk-aeb25c": "Как оформить пропуск на гостя?",
        "kak-oformit-propusk-de9a7e": "Как оформить пропуск на машину?",
        "kak-oformit-propusk-28d848": "Как оформить пропуск на велосипед?",
    }


def test_questions_differing_only_in_punctuation_are_duplicates() -> None:
    Path("kb.txt").write_text("Где столовая?\nТам.\nгде  столовая ?\nЗдесь.\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("kb.txt"))
    assert caught.value.message == "kb.txt:3: duplicate question (same as line 1)"


# --- blocks: answers of several lines ---------------------------------------------------------


def test_blocks_separated_by_blank_lines_have_answers_of_several_lines() -> None:
    Path("kb.txt").write_text(
        "Как оформить пропуск?\nПропуск оформляется в бюро.\nВозьмите с собой паспорт.\n\n"
        "Где находится столовая?\nСтоловая на третьем этаже.\nРаботает с 12 до 15.\n\n"
        + PARKING_PAIR,
        encoding="utf-8",
    )
    kb = load_knowledge_base(Path("kb.txt"))
    assert [(e.question, e.answer) for e in kb.entries] == [
        ("Как оформить пропуск?", "Пропуск оформляется в бюро.\nВозьмите с собой паспорт."),
        ("Где находится столовая?", "Столовая на третьем этаже.\nРаботает с 12 до 15."),
        ("Сколько стоит парковка?", "Парковка бесплатная."),
    ]


def test_a_block_of_pairs_without_a_blank_line_is_refused_at_the_second_question() -> None:
    Path("kb.txt").write_text(
        PASS_PAIR + "\n" + CANTEEN_PAIR + PARKING_PAIR + "\nЕщё?\nДа.\nИ ещё.\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("kb.txt"))
    assert caught.value.message == (
        "kb.txt:6: looks like the next question, not part of the answer above: "
        "put a blank line before it"
    )


def test_a_block_with_a_question_alone_names_it() -> None:
    Path("kb.txt").write_text(
        "Как оформить пропуск?\n\nВ бюро.\nС паспортом.\nВ будни.\n\n" + CANTEEN_PAIR,
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("kb.txt"))
    assert caught.value.message == (
        "kb.txt:1: question has no answer (write the answer on the lines right under its "
        "question; a blank line ends a question-and-answer block)"
    )


def test_an_odd_seed_is_refused_where_the_lines_slip_not_at_the_end() -> None:
    Path("kb.txt").write_text(
        "Как оформить пропуск?\nВ бюро.\nГде столовая?\nНа третьем этаже.\nОткрыта с 12.\n"
        "Сколько стоит парковка?\nБесплатно.\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("kb.txt"))
    assert caught.value.message == (
        "kb.txt:5: read as a question, but line 6 after it looks like the question: "
        "if an answer has several lines, separate question-and-answer blocks with blank lines"
    )


def plain_refusal(text: str) -> str:
    Path("kb.txt").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path("kb.txt"))
    assert "\n" not in caught.value.message
    return caught.value.message


def test_questions_in_a_row_are_refused_not_answered_by_the_next_question() -> None:
    # Was read as "Как оформить пропуск?" answered "Где столовая?".
    message = plain_refusal(
        "Как оформить пропуск?\nГде столовая?\nСколько стоит парковка?\nКогда обед?\n"
    )
    assert message == (
        "kb.txt:2: looks like a question, not the answer to line 1: "
        "write each question's answer on the line right under it"
    )


def test_an_answer_of_several_lines_without_blank_lines_is_refused_where_it_slips() -> None:
    # Was read as two pairs, the second "question" being the answer's second sentence.
    message = plain_refusal(
        "Как оформить пропуск?\nПропуск оформляется в бюро.\nВозьмите с собой паспорт.\n"
        "Бюро работает в будни.\n"
    )
    assert message == (
        "kb.txt:3: read as a question, but it looks like part of the answer above (it ends "
        "with '.'): if an answer has several lines, separate question-and-answer blocks "
        "with blank lines"
    )
    assert plain_refusal("Как оформить пропуск?\nВ бюро.\nС паспортом.\n") == (
        "kb.txt:3: looks like part of the answer above, not a question: if an answer has "
        "several lines, separate question-and-answer blocks with blank lines"
    )


def test_question_tab_answer_lines_are_refused_at_the_first() -> None:
    # Was read as the first line's question-and-answer asked, the second's as its answer.
    message = plain_refusal("Как оформить пропуск?\tВ бюро.\nГде столовая?\tНа третьем.\n")
    assert message == (
        "kb.txt:1: tab inside a question line: write the question on one line and its "
        "answer on the next line"
    )


def test_blank_lines_between_only_some_pairs_are_read_as_pairs() -> None:
    # Blocks of two lines are pairs; a longer block of question?/answer lines is pairs too
    # when no block of the file is a question with an answer of several lines.
    path = Path("kb.txt")
    path.write_text(PASS_PAIR + CANTEEN_PAIR + "\n" + PARKING_PAIR, encoding="utf-8")
    assert [(e.question, e.answer) for e in load_knowledge_base(path).entries] == [
        ("Как оформить пропуск?", "В бюро пропусков на первом этаже."),
        ("Где находится столовая?", "На третьем этаже."),
        ("Сколько стоит парковка?", "Парковка бесплатная."),
    ]


def test_the_seed_layouts_and_answers_without_final_stops_are_still_read() -> None:
    path = Path("kb.txt")
    text = "Часы работы\nС 9 до 18\nГде столовая?\nНа третьем этаже.\nПарковка есть?\nДа\n"
    for layout in (text, text.replace("\n", "\n\n")):
        path.write_text(layout, encoding="utf-8")
        assert [e.question for e in load_knowledge_base(path).entries] == [
            "Часы работы",
            "Где столовая?",
            "Парковка есть?",
        ]


# --- Markdown ---------------------------------------------------------------------------------


def markdown(text: str) -> KnowledgeBase:
    Path("faq.md").write_text(text, encoding="utf-8")
    return load_knowledge_base(Path("faq.md"))


def markdown_refusal(text: str) -> str:
    with pytest.raises(KnowledgeBaseError) as caught:
        markdown(text)
    assert "\n" not in caught.value.message
    return caught.value.message


def test_markdown_title_questions_and_paragraph_answers() -> None:
    kb = markdown(
        "# Частые вопросы\n\n"
        "## Как оформить пропуск?\n"
        "Пропуск оформляется в бюро пропусков.\nНа первом этаже.\n\n\n"
        "Возьмите с собой паспорт.\n\n"
        "## Где столовая? ##\n"
        "На третьем этаже.\n"
        "### Часы работы\n"
        "С 12 до 15.\n"
    )
    assert kb.title == "Частые вопросы"
    assert kb.sections == (Section("general", "Вопросы"),)
    assert [(e.id, e.question, e.answer) for e in kb.entries] == [
        (
            "kak-oformit-propusk-4723a1",
            "Как оформить пропуск?",
            "Пропуск оформляется в бюро пропусков.\nНа первом этаже.\n\nВозьмите с собой паспорт.",
        ),
        (
            "gde-stolovaya-3cf68e",
            "Где столовая?",
            "На третьем этаже.\n### Часы работы\nС 12 до 15.",
        ),
    ]


def test_markdown_level_one_headings_after_the_title_are_sections() -> None:
    kb = markdown(
        "# Справочник\n\n"
        "# Пропуска\n## Как оформить пропуск?\nВ бюро.\n"
        "# Столовая\n## Где столовая?\nНа третьем этаже.\n```\n# не заголовок\n```\n"
        "## Когда обед?\nС 12.\n"
    )
    assert kb.title == "Справочник"
    assert kb.sections == (
        Section("propuska-6de25f", "Пропуска"),
        Section("stolovaya-7379ce", "Столовая"),
    )
    assert [(e.section_id, e.question) for e in kb.entries] == [
        ("propuska-6de25f", "Как оформить пропуск?"),
        ("stolovaya-7379ce", "Где столовая?"),
        ("stolovaya-7379ce", "Когда обед?"),
    ]
    assert kb.entry("gde-stolovaya-3cf68e").answer == "На третьем этаже.\n```\n# не заголовок\n```"


def test_markdown_mistakes_name_their_line() -> None:
    assert markdown_refusal("# FAQ\nВступление.\n## Q?\nA.\n") == (
        "faq.md:2: text outside a question: answers go under '## question' headings "
        "(a '# heading' is a title or a section)"
    )
    assert markdown_refusal("# FAQ\n## Q?\n\n## Q2?\nA.\n") == (
        "faq.md:2: question has no answer: write it under the heading"
    )
    assert markdown_refusal("# A\n## Q?\nA.\n# B\n# C\n## Q2?\nA.\n") == (
        "faq.md:4: section has no questions: add '## question' headings"
    )
    assert markdown_refusal("## Q?\nA.\n##\nA.\n") == (
        "faq.md:3: empty heading: write the question or section title after #"
    )
    assert markdown_refusal("## Где столовая?\nA.\n## где столовая\nB.\n") == (
        "faq.md:3: duplicate question (same as line 1)"
    )


def test_markdown_without_questions_is_refused() -> None:
    assert markdown_refusal("# Только заголовок\n") == (
        "faq.md: no questions: write a '## question' heading with its answer under it"
    )


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("faq.csv", "its extension '.csv'"),
        ("faq.json", "its extension '.json'"),
        ("faq", "it has no extension"),
    ],
)
def test_other_extensions_are_refused_not_guessed(name: str, found: str) -> None:
    Path(name).write_text("Question?\nAnswer.\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(Path(name))
    assert caught.value.message == (
        f"{name}: not a knowledge-base file ({found}): "
        "use .toml (the project format), .txt (plain text) or .md (Markdown)"
    )
