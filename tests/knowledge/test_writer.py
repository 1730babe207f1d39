"""Export (dump, round trip) and import (merge into the TOML file, keeping the editor's work)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import KnowledgeBaseError
from bot.knowledge.identity import EntryIds, new_entry_id
from bot.knowledge.loader import ID_RE, load_knowledge_base
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.knowledge.writer import dump_knowledge_base, plan_import, write_atomically

FAQ = Path(__file__).resolve().parents[2] / "data" / "faq.toml"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def faq_copy() -> Path:
    target = Path("faq.toml")
    target.write_bytes(FAQ.read_bytes())
    return target


def seed_text(kb: KnowledgeBase) -> str:
    return "\n".join(f"{entry.question}\n{entry.answer}\n" for entry in kb.entries)


# --- export -----------------------------------------------------------------------------------


def test_real_faq_round_trips_through_dump() -> None:
    kb = load_knowledge_base(FAQ)
    Path("out.toml").write_text(dump_knowledge_base(kb), encoding="utf-8")
    assert load_knowledge_base(Path("out.toml")) == kb


def test_dump_looks_like_the_project_format() -> None:
    kb = KnowledgeBase(
        sections=(Section("main", "Main"),),
        entries=(Entry("a", "main", "Q?", "Line one.\nLine two.", ("P1", "P2")),),
        synonyms=(("x", "y"),),
        abbreviations=(("FAQ", "frequently asked questions"),),
        title="T",
        language="en",
    )
    assert dump_knowledge_base(kb, header="") == (
        'title = "T"\n'
        'language = "en"\n'
        "synonyms = [\n"
        '    ["x", "y"],\n'
        "]\n"
        "\n"
        "[abbreviations]\n"
        'FAQ = "frequently asked questions"\n'
        "\n"
        "[[sections]]\n"
        'id = "main"\n'
        'title = "Main"\n'
        "\n"
        "[[entries]]\n"
        'id = "a"\n'
        'section = "main"\n'
        'question = "Q?"\n'
        'answer = """Line one.\n'
        'Line two."""\n'
        "phrasings = [\n"
        '    "P1",\n'
        '    "P2",\n'
        "]\n"
    )


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).map(_clean)
_line = _text.filter(lambda s: s != "" and "\n" not in s)
_answer = _text.filter(bool)
_id = st.from_regex(ID_RE, fullmatch=True)


@st.composite
def knowledge_bases(draw: st.DrawFn) -> KnowledgeBase:
    section_ids = draw(st.lists(_id, min_size=1, max_size=3, unique=True))
    questions = draw(
        st.lists(
            _line,
            min_size=len(section_ids),
            max_size=5,
            unique_by=lambda q: " ".join(q.casefold().split()),
        )
    )
    entry_ids = draw(st.lists(_id, min_size=len(questions), max_size=len(questions), unique=True))
    entries = tuple(
        Entry(
            id=entry_id,
            section_id=section_ids[number % len(section_ids)],
            question=question,
            answer=draw(_answer),
            phrasings=tuple(draw(st.lists(_line, max_size=3))),
        )
        for number, (entry_id, question) in enumerate(zip(entry_ids, questions, strict=True))
    )
    return KnowledgeBase(
        sections=tuple(Section(s, draw(_line)) for s in section_ids),
        entries=entries,
        synonyms=tuple(tuple(g) for g in draw(st.lists(st.lists(_line, min_size=2, max_size=3)))),
        abbreviations=tuple(draw(st.dictionaries(_line, _line, max_size=3)).items()),
        title=draw(st.one_of(st.just(""), _line)),
        language=draw(st.sampled_from(["ru", "en"])),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kb=knowledge_bases())
def test_any_valid_knowledge_base_round_trips(kb: KnowledgeBase) -> None:
    Path("round.toml").write_text(dump_knowledge_base(kb), encoding="utf-8")
    assert load_knowledge_base(Path("round.toml")) == kb


def test_write_atomically_keeps_mode_and_leaves_no_temporary_files(faq_copy: Path) -> None:
    faq_copy.chmod(0o640)
    write_atomically(faq_copy, "new text\n")
    assert faq_copy.read_text(encoding="utf-8") == "new text\n"
    assert stat.S_IMODE(faq_copy.stat().st_mode) == 0o640
    assert sorted(os.listdir(".")) == ["faq.toml"]


def test_write_atomically_creates_folders() -> None:
    write_atomically(Path("a/b/kb.toml"), "x\n")
    assert Path("a/b/kb.toml").read_text(encoding="utf-8") == "x\n"
    assert stat.S_IMODE(Path("a/b/kb.toml").stat().st_mode) == 0o644


def test_write_atomically_reports_an_unwritable_place_in_one_line() -> None:
    Path("file").write_text("", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        write_atomically(Path("file/kb.toml"), "x\n")
    assert caught.value.message == "file/kb.toml: cannot write (file is not a folder)"


# --- import: plain text -----------------------------------------------------------------------


def test_importing_the_seed_into_the_real_faq_changes_nothing(faq_copy: Path) -> None:
    Path("seed.txt").write_text(seed_text(load_knowledge_base(FAQ)), encoding="utf-8")
    result = plan_import(Path("seed.txt"), faq_copy)
    assert result.lines == [
        "unchanged scope",
        "unchanged growth",
        "unchanged priorities",
        "unchanged integration",
    ]
    assert result.summary() == "0 added, 0 changed, 4 unchanged"
    assert not result.modifies_file
    assert result.text == FAQ.read_text(encoding="utf-8")


def test_import_adds_changes_and_keeps_comments(faq_copy: Path) -> None:
    kb = load_knowledge_base(FAQ)
    changed_answer = kb.entries[0].answer.replace("более 55 процентов", "более 56 процентов")
    seed = seed_text(kb).replace(kb.entries[0].answer, changed_answer)
    seed += "\nКогда откроется новый погранпереход?\nВ следующем году.\n"
    seed += (
        "\n  как складывается МЕЖРЕГИОНАЛЬНОЕ и приграничное взаимодействие россии и казахстана? \n"
    )
    seed += changed_answer + "\n"
    Path("seed.txt").write_text(seed, encoding="utf-8")

    with pytest.raises(
        KnowledgeBaseError, match=r"^seed\.txt:16: duplicate question \(same as line 1\)"
    ):
        plan_import(Path("seed.txt"), faq_copy)  # the seed itself is checked first

    Path("seed.txt").write_text(seed.split("\n  как")[0], encoding="utf-8")
    result = plan_import(Path("seed.txt"), faq_copy)
    assert result.lines == [
        "changed scope: answer updated",
        "unchanged growth",
        "unchanged priorities",
        "unchanged integration",
        "added section imported: Импортированные вопросы",
        "added kogda-otkroetsya-633d4b: Когда откроется новый погранпереход?",
    ]
    assert result.summary() == "1 added, 1 changed, 3 unchanged; also 1 section added"

    original = FAQ.read_text(encoding="utf-8")
    comments = [line for line in original.split("\n") if line.startswith("#")]
    assert len(comments) > 5
    assert all(line in result.text.split("\n") for line in comments)
    assert result.text.startswith(original[: original.index("[[entries]]") - 60])

    Path("merged.toml").write_text(result.text, encoding="utf-8")
    merged = load_knowledge_base(Path("merged.toml"))
    assert merged.entry("scope").answer == changed_answer
    assert merged.entry("scope").phrasings == kb.entry("scope").phrasings
    assert merged.entry("kogda-otkroetsya-633d4b") == Entry(
        "kogda-otkroetsya-633d4b",
        "imported",
        "Когда откроется новый погранпереход?",
        "В следующем году.",
    )
    assert merged.section("imported") == Section("imported", "Импортированные вопросы")
    assert merged.entries[:4] == (
        Entry("scope", "regions", kb.entries[0].question, changed_answer, kb.entries[0].phrasings),
        *kb.entries[1:],
    )
    assert faq_copy.read_text(encoding="utf-8") == original  # planning writes nothing


def test_question_match_ignores_case_and_spacing(faq_copy: Path) -> None:
    question = load_knowledge_base(FAQ).entry("growth").question
    Path("seed.txt").write_text(f"  {question.upper()}\nНовый ответ.\n", encoding="utf-8")
    result = plan_import(Path("seed.txt"), faq_copy)
    assert result.lines == ["changed growth: answer updated"]


def test_import_into_an_existing_section(faq_copy: Path) -> None:
    Path("seed.txt").write_text("Новый вопрос?\nОтвет.\nЕщё вопрос?\nОтвет 2.\n", encoding="utf-8")
    result = plan_import(Path("seed.txt"), faq_copy, section_id="bilateral")
    assert result.lines == [
        "added novyy-vopros-37f06e: Новый вопрос?",
        "added eshche-vopros-8d9ae5: Ещё вопрос?",
    ]
    Path("merged.toml").write_text(result.text, encoding="utf-8")
    merged = load_knowledge_base(Path("merged.toml"))
    assert [e.id for e in merged.entries_in("bilateral")] == [
        "priorities",
        "novyy-vopros-37f06e",
        "eshche-vopros-8d9ae5",
    ]
    assert len(merged.sections) == 3


def test_import_into_a_section_the_base_does_not_have_is_refused(faq_copy: Path) -> None:
    # It used to create a section titled "misc", shown to users as a topic.
    Path("seed.txt").write_text("Новый вопрос?\nОтвет.\n", encoding="utf-8")
    before = faq_copy.read_bytes()
    with pytest.raises(KnowledgeBaseError) as caught:
        plan_import(Path("seed.txt"), faq_copy, section_id="misc")
    assert caught.value.message == (
        "faq.toml: no section 'misc' for --section (its sections are bilateral, integration, "
        "regions); to create one, add a [[sections]] table with its id and title to "
        "the file first"
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        plan_import(Path("seed.txt"), Path("new.toml"), section_id="misc")
    assert caught.value.message == (
        "new.toml: no section 'misc' for --section (it has no sections yet); to create one, "
        "add a [[sections]] table with its id and title to the file first"
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        plan_import(Path("seed.txt"), faq_copy, section_id="Не латиница")
    assert caught.value.message == (
        "--section 'Не латиница' is invalid: use 1-32 lowercase latin letters, digits, '-' or '_'"
    )
    assert faq_copy.read_bytes() == before
    assert not Path("new.toml").exists()


def test_import_into_a_section_the_imported_file_defines_takes_its_title(faq_copy: Path) -> None:
    Path("more.toml").write_text(
        'title = "x"\n[[sections]]\nid = "misc"\ntitle = "Разное"\n'
        '[[entries]]\nid = "new"\nsection = "misc"\nquestion = "Новый вопрос?"\n'
        'answer = "Ответ."\n',
        encoding="utf-8",
    )
    result = plan_import(Path("more.toml"), faq_copy, section_id="misc")
    assert result.lines[:2] == ["added section misc: Разное", "added new: Новый вопрос?"]


def test_import_creates_a_missing_knowledge_base() -> None:
    Path("seed.txt").write_text("Первый вопрос?\nОтвет 1.\n\nВторой?\nОтвет 2.\n", encoding="utf-8")
    result = plan_import(Path("seed.txt"), Path("new/faq.toml"))
    assert result.summary() == "2 added, 0 changed, 0 unchanged; also 1 section added"
    write_atomically(Path("new/faq.toml"), result.text)
    kb = load_knowledge_base(Path("new/faq.toml"))
    assert kb.sections == (Section("general", "Вопросы"),)
    assert [(e.id, e.question) for e in kb.entries] == [
        ("pervyy-vopros-73e2cb", "Первый вопрос?"),
        ("vtoroy-543e5c", "Второй?"),
    ]


def test_import_refuses_a_broken_target_and_a_plain_text_target(faq_copy: Path) -> None:
    Path("seed.txt").write_text("Q?\nA.\n", encoding="utf-8")
    faq_copy.write_text('title = "x"\n[[entries]\n', encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"^faq\.toml:2: TOML syntax error"):
        plan_import(Path("seed.txt"), faq_copy)
    with pytest.raises(KnowledgeBaseError, match=r"^seed\.txt: import writes TOML knowledge "):
        plan_import(Path("seed.txt"), Path("seed.txt"))


# --- import: TOML -----------------------------------------------------------------------------

TARGET = """\
# Our FAQ. Keep this comment.
title = "Shop"
language = "en"
synonyms = [
    ["price", "cost"],  # money words
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
answer = "Every day from 9 to 18."  # check before holidays

# Prices change every spring.
[[entries]]
id = "price"
section = "main"
question = "How much does it cost?"
answer = "It is free."
phrasings = [
    "Is it free?",
]
"""

INCOMING = """\
synonyms = [["price", "cost"], ["shop", "store"]]

[abbreviations]
"FAQ" = "frequently asked questions"
"SLA" = "service level agreement"

[[sections]]
id = "delivery"
title = "Delivery"

[[sections]]
id = "main"
title = "Other title"

[[entries]]
id = "hours"
section = "main"
question = "What are your opening hours?"
answer = "Every day from 9 to 18."
phrasings = ["opening hours", "When are you open?"]

[[entries]]
id = "other-id"
section = "main"
question = "how much does it COST?"
answer = "It is free."
phrasings = ["is it free?", "Do I pay anything?"]

[[entries]]
id = "shipping"
section = "delivery"
question = "Do you ship abroad?"
answer = "Yes, worldwide."
"""


def test_toml_import_merges_by_id_and_question() -> None:
    Path("faq.toml").write_text(TARGET, encoding="utf-8")
    Path("more.toml").write_text(INCOMING, encoding="utf-8")
    result = plan_import(Path("more.toml"), Path("faq.toml"))
    assert result.lines == [
        "added synonym group: shop, store",
        "added abbreviation SLA = service level agreement",
        "changed hours: question updated, 2 phrasings added",
        "changed price: 1 phrasing added",
        "added section delivery: Delivery",
        "added shipping: Do you ship abroad?",
    ]
    assert result.summary() == (
        "1 added, 2 changed, 0 unchanged; "
        "also 1 synonym group added, 1 abbreviation added, 1 section added"
    )
    assert result.text == (
        "# Our FAQ. Keep this comment.\n"
        'title = "Shop"\n'
        'language = "en"\n'
        "synonyms = [\n"
        '    ["price", "cost"],  # money words\n'
        '    ["shop", "store"],\n'
        "]\n"
        "\n"
        "[abbreviations]\n"
        '"FAQ" = "frequently asked questions"\n'
        'SLA = "service level agreement"\n'
        "\n"
        "[[sections]]\n"
        'id = "main"\n'
        'title = "Main"\n'
        "\n"
        "[[sections]]\n"
        'id = "delivery"\n'
        'title = "Delivery"\n'
        "\n"
        "[[entries]]\n"
        'id = "hours"\n'
        'section = "main"\n'
        'question = "What are your opening hours?"\n'
        'answer = "Every day from 9 to 18."  # check before holidays\n'
        "phrasings = [\n"
        '    "opening hours",\n'
        '    "When are you open?",\n'
        "]\n"
        "\n"
        "# Prices change every spring.\n"
        "[[entries]]\n"
        'id = "price"\n'
        'section = "main"\n'
        'question = "How much does it cost?"\n'
        'answer = "It is free."\n'
        "phrasings = [\n"
        '    "Is it free?",\n'
        '    "Do I pay anything?",\n'
        "]\n"
        "\n"
        "[[entries]]\n"
        'id = "shipping"\n'
        'section = "delivery"\n'
        'question = "Do you ship abroad?"\n'
        'answer = "Yes, worldwide."\n'
    )


def test_toml_import_of_the_same_file_is_all_unchanged(faq_copy: Path) -> None:
    result = plan_import(FAQ, faq_copy)
    assert result.summary() == "0 added, 0 changed, 4 unchanged"
    assert not result.modifies_file


# --- ids --------------------------------------------------------------------------------------


def test_new_entry_ids_are_readable_stable_unique_and_valid() -> None:
    # Pinned values: an id in a stored phrasing, a deep link or a shared link must keep
    # meaning its question in every later version of the bot.
    assert new_entry_id("Как складывается взаимодействие?", set()) == "kak-skladyvaetsya-c8a272"
    assert new_entry_id("Where is the shop?", set()) == "where-is-the-shop-991141"
    assert new_entry_id("Қазақстан мен Ресей", set()) == "kazakstan-men-resey-e15367"
    assert new_entry_id("Ça coûte combien ?", set()) == "ca-coute-combien-2cb07d"
    assert new_entry_id("Сверхдлинноесловобезпробеловвообщеникаких", set()) == (
        "sverkhdlinnoeslovobez-cfd545"
    )
    assert new_entry_id("???", set()) == "q-2d86c2"
    assert new_entry_id("🙂", set()) == "q-040258"
    # The same question in other case, spacing or punctuation is the same question, same id.
    assert new_entry_id("  как складывается ВЗАИМОДЕЙСТВИЕ ", set()) == "kak-skladyvaetsya-c8a272"
    for question in ["Как складывается взаимодействие?", "???", "Ёжик — это кто?", "я" * 500]:
        entry_id = new_entry_id(question, {"q1"})
        assert ID_RE.match(entry_id)
        assert len(f"{entry_id}-999") <= 32  # room for a clash's number


def test_a_taken_id_gets_a_number_only_then() -> None:
    # A true clash (another question with the same slug and hash, or an id a TOML file uses).
    taken = {"kak-skladyvaetsya-c8a272", "kak-skladyvaetsya-c8a272-2"}
    assert new_entry_id("Как складывается взаимодействие?", taken) == "kak-skladyvaetsya-c8a272-3"
    ids = EntryIds({"kak-skladyvaetsya-c8a272"})
    assert ids.new("Как складывается взаимодействие?") == "kak-skladyvaetsya-c8a272-2"
    assert ids.new("Как складывается сотрудничество?") == "kak-skladyvaetsya-2981b4"
