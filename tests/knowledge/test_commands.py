"""`python -m bot import` and `python -m bot export` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry, KnowledgeBase
from bot.storage import Database

FAQ = Path(__file__).resolve().parents[2] / "data" / "faq.toml"
# A plain-text file's ids are made from its questions (the seed's four, here).
SEED_IDS = [
    "kak-skladyvaetsya-68cd75",
    "v-kakikh-oblastyakh-623065",
    "kakovy-segodnya-c606df",
    "v-kakom-rusle-ebdedf",
]
SETTINGS = (
    "BOT_TOKEN",
    "FAQ_PATH",
    "DATABASE_PATH",
    "ADMIN_IDS",
    "LOG_LEVEL",
    "BOT_MODE",
    "TELEGRAM_API_BASE",
    "ANSWER_THRESHOLD",
    "SUGGEST_THRESHOLD",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_PORT",
)


@pytest.fixture(autouse=True)
def _clean_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def faq_copy() -> Path:
    target = Path("faq.toml")
    target.write_bytes(FAQ.read_bytes())
    return target


def write_seed(extra: str = "") -> Path:
    kb = load_knowledge_base(FAQ)
    text = "\n".join(f"{e.question}\n{e.answer}\n" for e in kb.entries) + extra
    Path("seed.txt").write_text(text, encoding="utf-8")
    return Path("seed.txt")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_import_seed_reports_four_unchanged(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_seed()
    assert main(["import", "seed.txt", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().out == (
        "unchanged scope\n"
        "unchanged growth\n"
        "unchanged priorities\n"
        "unchanged integration\n"
        "0 added, 0 changed, 4 unchanged\n"
        "faq.toml is already up to date\n"
    )
    assert faq_copy.read_bytes() == FAQ.read_bytes()


def test_import_uses_faq_path_from_dotenv(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("kb").mkdir()
    faq_copy.rename("kb/faq.toml")
    Path(".env").write_text("FAQ_PATH=kb/faq.toml\n", encoding="utf-8")
    write_seed("\nНовый вопрос?\nНовый ответ.\n")
    assert main(["import", "seed.txt"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        "added novyy-vopros-37f06e: Новый вопрос?",
        "1 added, 0 changed, 4 unchanged; also 1 section added",
        "wrote kb/faq.toml",
    ]
    assert (
        load_knowledge_base(Path("kb/faq.toml")).entry("novyy-vopros-37f06e").answer
        == "Новый ответ."
    )


def test_dry_run_writes_nothing(faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_seed("\nНовый вопрос?\nНовый ответ.\n")
    before = faq_copy.stat()
    assert main(["import", "seed.txt", "--faq", "faq.toml", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [
        "1 added, 0 changed, 4 unchanged; also 1 section added",
        "dry run: faq.toml not changed",
    ]
    assert faq_copy.read_bytes() == FAQ.read_bytes()
    assert faq_copy.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in Path().iterdir()) == ["faq.toml", "seed.txt"]


def test_export_to_stdout_reads_back_equal(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["export", "--faq", str(FAQ)]) == 0
    Path("out.toml").write_bytes(capsysbinary.readouterr().out)
    assert load_knowledge_base(Path("out.toml")) == load_knowledge_base(FAQ)


def test_export_converts_a_seed_file(capsys: pytest.CaptureFixture[str]) -> None:
    write_seed()
    assert main(["export", "converted.toml", "--faq", "seed.txt"]) == 0
    assert capsys.readouterr().err == (
        "no database at var/faq.sqlite3: exporting the knowledge-base file alone\n"
        "wrote converted.toml\n"
    )
    kb = load_knowledge_base(Path("converted.toml"))
    assert [e.id for e in kb.entries] == SEED_IDS


def test_export_into_its_own_source_without_additions_changes_nothing(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "faq.toml", "--faq", "faq.toml", "--no-database"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-2:] == [
        "0 added, 0 changed, 4 unchanged",
        "faq.toml is already up to date",
    ]
    assert captured.err == ""
    assert faq_copy.read_bytes() == FAQ.read_bytes()


def test_export_into_a_plain_text_source_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    seed = write_seed()
    before = seed.read_bytes()
    assert main(["export", "seed.txt", "--faq", "seed.txt", "--no-database"]) == 3
    assert capsys.readouterr().err == (
        "error: seed.txt: export writes TOML; choose a file name ending in .toml\n"
    )
    assert seed.read_bytes() == before


@pytest.mark.parametrize("target", ["out.txt", "out.md", "out", "out.TOML.bak"])
def test_export_refuses_a_file_name_that_is_not_toml(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", target, "--faq", str(FAQ), "--no-database"]) == 3
    assert capsys.readouterr().err == (
        f"error: {target}: export writes TOML; choose a file name ending in .toml\n"
    )
    assert list(Path().iterdir()) == []


def test_export_creates_no_folders() -> None:
    result = run_cli("export", "new/dir/out.toml", "--faq", str(FAQ), "--no-database")

    assert result.returncode == 3
    assert result.stderr == (
        "error: new/dir/out.toml: the folder new/dir does not exist (export creates no folders)\n"
    )
    assert list(Path().iterdir()) == []
    Path("file").write_text("x", encoding="utf-8")
    result = run_cli("export", "file/out.toml", "--faq", str(FAQ), "--no-database")
    assert result.returncode == 3
    assert result.stderr == "error: file/out.toml: file is a file, not a folder\n"


def test_import_of_a_broken_file_is_one_line_without_traceback(faq_copy: Path) -> None:
    Path("broken.toml").write_text('title = "x"\n\n[[entries]]\nid = "a\n', encoding="utf-8")
    completed = run_cli("import", "broken.toml", "--faq", "faq.toml")
    assert completed.returncode == 3
    assert completed.stdout == ""
    assert completed.stderr == (
        "error: broken.toml:4: TOML syntax error: illegal character '\\n' (column 8)\n"
    )
    assert faq_copy.read_bytes() == FAQ.read_bytes()


def test_import_into_a_broken_knowledge_base_is_one_line(faq_copy: Path) -> None:
    write_seed()
    faq_copy.write_text(FAQ.read_text(encoding="utf-8").replace('id = "growth"', 'id = "scope"'))
    completed = run_cli("import", "seed.txt", "--faq", "faq.toml")
    assert completed.returncode == 3
    assert completed.stderr.startswith("error: faq.toml:")
    assert ": duplicate entry id 'scope' (first defined on line " in completed.stderr
    assert completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr


def test_import_with_a_bad_env_file_is_one_line(faq_copy: Path) -> None:
    write_seed()
    Path(".env").write_text("LOG_LEVEL=LOUD\n", encoding="utf-8")
    completed = run_cli("import", "seed.txt")
    assert completed.returncode == 2
    assert completed.stderr == (
        "error: LOG_LEVEL in .env: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR\n"
    )


# --- export with the owners' additions from the database --------------------------------------

NEW_QUESTION = "Где проходит граница России и Казахстана?"
NEW_ID = "gde-prokhodit-389977"


async def _add_in_chat(database: Path, kb: KnowledgeBase) -> None:
    async with await Database.open(database) as db:
        await db.add_phrasing("scope", "как там приграничье", added_by=100)
        await db.add_phrasing(
            "scope",
            "Как развивается приграничное сотрудничество России и Казахстана?",
            added_by=100,
        )  # the file has it: a no-op
        entry = await db.add_entry(
            kb,
            section_id="regions",
            question=NEW_QUESTION,
            answer="Граница — одна из самых длинных в мире.\nПодробности у пограничников.",
            added_by=100,
        )
        await db.add_phrasing(entry.id, "длина границы", added_by=100)
        await db.add_phrasing("removed", "ничего", added_by=100)


def add_in_chat(database: Path = Path("var/faq.sqlite3")) -> KnowledgeBase:
    """Owners' additions stored in ``database``; returns the effective knowledge base."""
    kb = load_knowledge_base(FAQ)
    asyncio.run(_add_in_chat(database, kb))
    return asyncio.run(_effective(database, kb))


async def _effective(database: Path, kb: KnowledgeBase) -> KnowledgeBase:
    async with await Database.open(database) as db:
        return await db.with_owner_additions(kb)


def test_export_to_stdout_includes_the_additions(
    faq_copy: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    effective = add_in_chat()
    assert effective.entry(NEW_ID) == Entry(
        NEW_ID,
        "regions",
        NEW_QUESTION,
        "Граница — одна из самых длинных в мире.\nПодробности у пограничников.",
        ("длина границы",),
    )
    assert main(["export", "--faq", "faq.toml"]) == 0
    captured = capfdbinary.readouterr()
    Path("out.toml").write_bytes(captured.out)
    assert load_knowledge_base(Path("out.toml")) == effective
    assert captured.err.decode().splitlines() == [
        "skipped phrasing 'ничего' added in the chat: entry 'removed' no longer exists",
        "var/faq.sqlite3: 2 phrasings and 1 entry added in the chat and not yet in the file",
    ]


def test_export_round_trips_and_its_import_is_all_unchanged(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    effective = add_in_chat()
    assert main(["export", "out.toml", "--faq", "faq.toml"]) == 0
    assert load_knowledge_base(Path("out.toml")) == effective
    capsys.readouterr()

    # Importing the export into the file brings the file up to date ...
    assert main(["import", "out.toml", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "changed scope: 1 phrasing added",
        "unchanged growth",
        "unchanged priorities",
        "unchanged integration",
        f"added {NEW_ID}: {NEW_QUESTION}",
        "1 added, 1 changed, 3 unchanged",
        "wrote faq.toml",
    ]
    assert load_knowledge_base(faq_copy) == effective
    # ... and then, with nothing lost, a second import changes nothing.
    assert main(["import", "out.toml", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "0 added, 0 changed, 5 unchanged",
        "faq.toml is already up to date",
    ]


def test_export_into_the_knowledge_base_merges_and_keeps_comments(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    effective = add_in_chat()
    assert main(["export", "faq.toml", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "changed scope: 1 phrasing added",
        "unchanged growth",
        "unchanged priorities",
        "unchanged integration",
        f"added {NEW_ID}: {NEW_QUESTION}",
        "1 added, 1 changed, 3 unchanged",
        "wrote faq.toml",
    ]
    merged = faq_copy.read_text(encoding="utf-8")
    original = FAQ.read_text(encoding="utf-8")
    comments = [line for line in original.splitlines() if line.startswith("#")]
    assert len(comments) > 5
    assert all(line in merged.splitlines() for line in comments)
    assert load_knowledge_base(faq_copy) == effective

    # The additions stay in the database and are now no-ops: the bot uses the same knowledge
    # base, and exporting again or importing an export changes nothing.
    assert asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(faq_copy))) == (
        effective
    )
    assert main(["export", "faq.toml", "--faq", "faq.toml"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-2:] == [
        "0 added, 0 changed, 5 unchanged",
        "faq.toml is already up to date",
    ]
    assert captured.err.splitlines()[-1] == (
        "var/faq.sqlite3: 0 phrasings and 0 entries added in the chat and not yet in the file"
    )
    assert main(["export", "again.toml", "--faq", "faq.toml"]) == 0
    assert main(["import", "again.toml", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "0 added, 0 changed, 5 unchanged",
        "faq.toml is already up to date",
    ]
    assert faq_copy.read_text(encoding="utf-8") == merged


def test_export_takes_the_database_from_settings_or_the_option(
    faq_copy: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    effective = add_in_chat(Path("state/bot.sqlite3"))
    Path(".env").write_text("FAQ_PATH=faq.toml\nDATABASE_PATH=state/bot.sqlite3\n")
    assert main(["export"]) == 0
    Path("out.toml").write_bytes(capsysbinary.readouterr().out)
    assert load_knowledge_base(Path("out.toml")) == effective

    Path(".env").unlink()
    assert main(["export", "--faq", "faq.toml", "--database", "state/bot.sqlite3"]) == 0
    Path("out.toml").write_bytes(capsysbinary.readouterr().out)
    assert load_knowledge_base(Path("out.toml")) == effective

    assert (
        main(["export", "--faq", "faq.toml", "--database", "state/bot.sqlite3", "--no-database"])
        == 0
    )
    Path("out.toml").write_bytes(capsysbinary.readouterr().out)
    assert load_knowledge_base(Path("out.toml")) == load_knowledge_base(FAQ)


def test_export_does_not_create_a_missing_database(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "out.toml", "--faq", "faq.toml"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "no database at var/faq.sqlite3: exporting the knowledge-base file alone"
    )
    assert not Path("var").exists()
    assert load_knowledge_base(Path("out.toml")) == load_knowledge_base(FAQ)


def test_export_with_a_database_that_is_not_one_is_one_line(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("var").mkdir()
    Path("var/faq.sqlite3").write_text("not a database" * 100, encoding="utf-8")
    assert main(["export", "--faq", "faq.toml"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: database ")
    assert err.endswith("var/faq.sqlite3: cannot use it (file is not a database)\n")
    assert err.count("\n") == 1
    assert Path("var/faq.sqlite3").read_text(encoding="utf-8") == "not a database" * 100


def test_output_piped_into_a_reader_that_stops_early_ends_without_a_traceback(
    faq_copy: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    questions = "".join(f"вопрос {n}\n" for n in range(2000))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--faq", "faq.toml"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(questions.encode("utf-8"))
    process.stdin.close()
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does after one line

    process.wait(timeout=60)
    assert process.stderr is not None
    errors = process.stderr.read()
    process.stderr.close()

    assert first.startswith("> вопрос 0".encode())
    assert b"Traceback" not in errors
    assert errors == b""


# --- listing and removing the owners' additions ----------------------------------------------


def test_additions_lists_what_owners_added_in_the_chat(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_in_chat()

    assert main(["additions"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"entry '{NEW_ID}' in 'regions' (")
    assert lines[1] == f"    {NEW_QUESTION}"
    assert lines[2].startswith("phrasing 1 of 'scope' (")
    assert lines[2].endswith(", owner 100):")
    assert lines[3] == "    как там приграничье"
    assert "    длина границы" in lines


def test_a_removed_phrasing_is_gone_from_what_the_bot_answers_from(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = add_in_chat()
    assert "как там приграничье" in before.entry("scope").phrasings

    assert main(["additions", "--remove-phrasing", "1"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "removed phrasing 1",
        "a running bot applies this at its next /reload",
    ]
    after = asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(FAQ)))
    assert "как там приграничье" not in after.entry("scope").phrasings
    assert after.entry(NEW_ID) is not None


def test_a_removed_entry_goes_with_its_phrasings(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_in_chat()

    assert main(["additions", "--remove-entry", NEW_ID]) == 0

    after = asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(FAQ)))
    assert after.entry(NEW_ID) is None
    assert capsys.readouterr().out.splitlines()[0] == (
        f"removed entry '{NEW_ID}' and the phrasings added to it"
    )
    asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(FAQ)))
    assert main(["additions"]) == 0
    assert "длина границы" not in capsys.readouterr().out


def test_removing_an_unknown_addition_is_a_one_line_error(faq_copy: Path) -> None:
    add_in_chat()

    result = run_cli("additions", "--remove-phrasing", "999", "--remove-entry", "nope")

    assert result.returncode == 1
    assert result.stderr == (
        "error: no such addition: phrasing 999, entry 'nope' "
        "(`python -m bot additions` lists them); nothing removed\n"
    )


def test_removing_a_phrasing_and_an_unknown_entry_removes_nothing(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = add_in_chat()

    assert main(["additions", "--remove-phrasing", "1", "--remove-entry", "nope"]) == 1

    assert capsys.readouterr() == (
        "",
        "error: no such addition: entry 'nope' (`python -m bot additions` lists them); "
        "nothing removed\n",
    )
    after = asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(FAQ)))
    assert after == before


def test_removing_a_phrasing_and_an_entry_together_removes_both(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_in_chat()

    assert main(["additions", "--remove-entry", NEW_ID, "--remove-phrasing", "1"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "removed phrasing 1",
        f"removed entry '{NEW_ID}' and the phrasings added to it",
        "a running bot applies this at its next /reload",
    ]
    after = asyncio.run(_effective(Path("var/faq.sqlite3"), load_knowledge_base(FAQ)))
    assert after.entry(NEW_ID) is None
    assert "как там приграничье" not in after.entry("scope").phrasings


def test_additions_without_a_database_says_nothing_was_added(faq_copy: Path) -> None:
    result = run_cli("additions")

    assert result.returncode == 1
    assert result.stderr == "error: no database at var/faq.sqlite3: nothing was added yet\n"


# --- importing: what counts as the same question, and what the report says --------------------

SCOPE_QUESTION = (
    "Как складывается межрегиональное и приграничное взаимодействие России и Казахстана?"
)


def test_import_of_a_question_differing_only_in_punctuation_updates_the_entry(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("more.txt").write_text(
        f"{SCOPE_QUESTION[:-1].upper()} ?\nНовый ответ.\n", encoding="utf-8"
    )

    assert main(["import", "more.txt", "--faq", "faq.toml"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "changed scope: answer updated",
        "0 added, 1 changed, 0 unchanged",
        "wrote faq.toml",
    ]
    kb = load_knowledge_base(faq_copy)
    assert len(kb.entries) == 4
    assert kb.entry("scope").answer == "Новый ответ."


def test_a_knowledge_base_with_a_question_differing_only_in_punctuation_is_refused(
    faq_copy: Path,
) -> None:
    faq_copy.write_text(
        faq_copy.read_text(encoding="utf-8") + f'\n[[entries]]\nid = "again"\nsection = "regions"\n'
        f'question = "{SCOPE_QUESTION[:-1]} ?"\nanswer = "Ещё раз."\n',
        encoding="utf-8",
    )
    lines = len(faq_copy.read_text(encoding="utf-8").splitlines())

    result = run_cli("ask", "--faq", "faq.toml", "привет")

    assert result.returncode == 3
    assert result.stderr == (
        f"error: faq.toml:{lines - 1}: entry 'again': same question as entry 'scope'\n"
    )


def test_import_with_section_says_existing_entries_stay_where_they_are(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_seed("\nНовый вопрос?\nНовый ответ.\n")

    assert main(["import", "seed.txt", "--faq", "faq.toml", "--section", "regions"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "unchanged scope",
        "unchanged growth",
        "unchanged priorities (stays in section bilateral: --section places new entries only)",
        "unchanged integration (stays in section integration: --section places new entries only)",
        "added novyy-vopros-37f06e: Новый вопрос?",
        "1 added, 0 changed, 4 unchanged",
        "wrote faq.toml",
    ]
    assert load_knowledge_base(faq_copy).entry("novyy-vopros-37f06e").section_id == "regions"


def test_toml_import_reports_the_synonyms_and_abbreviations_it_merges(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("more.toml").write_text(
        'title = "Другая база"\n'
        'synonyms = [["сфера", "область"], ["пункт пропуска", "КПП", "погранпереход"]]\n'
        "[abbreviations]\n"
        '"КПП" = "контрольно-пропускной пункт"\n'
        '"СНГ" = "Содружество Независимых Государств"\n'
        '"ШОС" = "Шанхайская организация"\n'
        '[[sections]]\nid = "regions"\ntitle = "Регионы"\n'
        f'[[entries]]\nid = "scope"\nsection = "regions"\nquestion = "{SCOPE_QUESTION}"\n'
        'answer = "Новый ответ."\n',
        encoding="utf-8",
    )

    assert main(["import", "more.toml", "--faq", "faq.toml", "--dry-run"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "added synonym group: пункт пропуска, КПП, погранпереход",
        "added abbreviation КПП = контрольно-пропускной пункт",
        "changed abbreviation ШОС = Шанхайская организация",
        "changed scope: answer updated",
        "0 added, 1 changed, 0 unchanged; "
        "also 1 synonym group added, 1 abbreviation added, 1 abbreviation changed",
        "dry run: faq.toml not changed",
    ]


# --- plain-text and Markdown bases through the commands ---------------------------------------

PARKING = "Сколько стоит парковка?\nПарковка бесплатная.\n"
PASS = "Как оформить пропуск?\nВ бюро пропусков.\n"
CANTEEN = "Где находится столовая?\nНа третьем этаже.\n"


async def _add_parking_phrasing(database: Path, kb: KnowledgeBase) -> None:
    async with await Database.open(database) as db:
        await db.add_phrasing("skolko-stoit-parkovka-20394a", "где оставить машину", added_by=100)


def test_an_owners_phrasing_stays_with_its_question_when_the_text_file_is_edited(
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    kb_file = Path("kb.txt")
    kb_file.write_text(PASS + "\n" + CANTEEN + "\n" + PARKING, encoding="utf-8")
    asyncio.run(_add_parking_phrasing(Path("var/faq.sqlite3"), load_knowledge_base(kb_file)))

    kb_file.write_text(
        "Как записаться на экскурсию?\nНапишите на почту.\n\n" + PASS + "\n" + PARKING,
        encoding="utf-8",
    )  # a question added above, one removed
    assert main(["export", "--faq", "kb.txt"]) == 0

    captured = capfdbinary.readouterr()
    Path("out.toml").write_bytes(captured.out)
    exported = load_knowledge_base(Path("out.toml"))
    assert [(e.question, e.phrasings) for e in exported.entries] == [
        ("Как записаться на экскурсию?", ()),
        ("Как оформить пропуск?", ()),
        ("Сколько стоит парковка?", ("где оставить машину",)),
    ]
    assert captured.err.decode().splitlines() == [
        "var/faq.sqlite3: 1 phrasing and 0 entries added in the chat and not yet in the file"
    ]


def test_import_reads_answers_of_several_lines(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("multi.txt").write_text(
        "Как оформить пропуск?\nПропуск оформляется в бюро.\nВозьмите с собой паспорт.\n\n"
        "Где находится столовая?\nСтоловая на третьем этаже.\nРаботает с 12 до 15.\n\n" + PARKING,
        encoding="utf-8",
    )

    assert main(["import", "multi.txt", "--faq", "faq.toml"]) == 0

    assert capsys.readouterr().out.splitlines()[:5] == [
        "added section imported: Импортированные вопросы",
        "added kak-oformit-propusk-4723a1: Как оформить пропуск?",
        "added gde-nakhoditsya-2ac957: Где находится столовая?",
        "added skolko-stoit-parkovka-20394a: Сколько стоит парковка?",
        "3 added, 0 changed, 0 unchanged; also 1 section added",
    ]
    assert load_knowledge_base(faq_copy).entry("gde-nakhoditsya-2ac957").answer == (
        "Столовая на третьем этаже.\nРаботает с 12 до 15."
    )


def test_a_markdown_base_answers_through_ask(capsys: pytest.CaptureFixture[str]) -> None:
    Path("faq.md").write_text(
        "# Частые вопросы\n\n## Как оформить пропуск?\nПропуск оформляется в бюро.\n\n"
        "Возьмите с собой паспорт.\n\n## Где находится столовая?\nНа третьем этаже.\n",
        encoding="utf-8",
    )

    assert main(["ask", "--faq", "faq.md", "--json", "как оформить пропуск"]) == 0

    result = json.loads(capsys.readouterr().out)
    assert (result["outcome"], result["id"]) == ("answer", "kak-oformit-propusk-4723a1")
    assert result["answer"] == "Пропуск оформляется в бюро.\n\nВозьмите с собой паспорт."


def test_a_file_of_another_kind_is_refused_in_one_line() -> None:
    Path("faq.csv").write_text(
        "question,answer\nГде столовая?,На третьем этаже.\n", encoding="utf-8"
    )

    result = run_cli("ask", "--faq", "faq.csv", "где столовая")

    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr == (
        "error: faq.csv: not a knowledge-base file (its extension '.csv'): "
        "use .toml (the project format), .txt (plain text) or .md (Markdown)\n"
    )


def test_an_ambiguous_text_file_is_refused_at_the_line_where_pairs_slip() -> None:
    Path("kb.txt").write_text(
        PASS + "Где столовая?\nНа третьем.\nОткрыта с 12.\n" + PARKING, encoding="utf-8"
    )

    result = run_cli("import", "kb.txt", "--faq", "faq.toml", "--dry-run")

    assert result.returncode == 3
    assert result.stderr == (
        "error: kb.txt:5: read as a question, but line 6 after it looks like the question: "
        "if an answer has several lines, separate question-and-answer blocks with blank lines\n"
    )


# --- offline commands and the settings only serving Telegram needs ----------------------------


def run_cli_with_input(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("telegram_settings", "bot_error"),
    [
        (
            "BOT_TOKEN=abc\n",
            "error: BOT_TOKEN in .env looks malformed "
            "(expected '<digits>:<letters, digits, - and _>' from @BotFather)\n",
        ),
        (
            "BOT_MODE=webhook\nBOT_TOKEN=123456789:AAHk3_secret-TOKEN-abcdefghijklmnopqrs\n",
            "error: BOT_MODE is webhook but WEBHOOK_URL is not set (the public https:// URL)\n",
        ),
    ],
    ids=["malformed-token", "webhook-without-url"],
)
def test_offline_commands_ignore_settings_only_the_bot_needs(
    faq_copy: Path,
    capsys: pytest.CaptureFixture[str],
    telegram_settings: str,
    bot_error: str,
) -> None:
    add_in_chat()
    write_seed()
    Path(".env").write_text(telegram_settings + "FAQ_PATH=faq.toml\n", encoding="utf-8")

    assert main(["ask", "Каковы сегодня приоритеты двустороннего сотрудничества?"]) == 0
    assert main(["additions"]) == 0
    assert main(["import", "seed.txt", "--dry-run"]) == 0
    assert main(["export", "out.toml"]) == 0
    captured = capsys.readouterr()
    assert "error" not in captured.err
    assert "[priorities]" in captured.out
    assert "dry run: faq.toml not changed" in captured.out
    # The bot itself still refuses them.
    served = run_cli_with_input("", "run")
    assert (served.returncode, served.stdout, served.stderr) == (2, "", bot_error)


def test_the_console_chat_ignores_a_malformed_token(faq_copy: Path) -> None:
    Path(".env").write_text("BOT_TOKEN=abc\nFAQ_PATH=faq.toml\n", encoding="utf-8")

    chat = run_cli_with_input("/help\n", "chat")

    assert (chat.returncode, chat.stderr) == (0, "")
    assert "/faq" in chat.stdout


# --- a read-only database ---------------------------------------------------------------------


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Makes a file or folder read-only, even for root (whom permissions do not stop: then the
    immutable attribute, where the file system has it), and undoes it after the test."""
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    done: list[tuple[Path, int]] = []

    def make(path: Path) -> None:
        if is_root:
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", path], check=False).returncode:
                pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        done.append((path, path.stat().st_mode))

    yield make
    for path, mode in reversed(done):
        if is_root:
            subprocess.run(["chattr", "-i", path], check=True)
        else:
            path.chmod(mode | 0o200)


def test_a_read_only_database_can_be_listed_and_exported_but_not_changed(
    faq_copy: Path, capfd: pytest.CaptureFixture[str], make_read_only: Callable[[Path], None]
) -> None:
    effective = add_in_chat()
    make_read_only(Path("var/faq.sqlite3"))
    make_read_only(Path("var"))

    assert main(["additions"]) == 0
    assert f"entry '{NEW_ID}' in 'regions' (" in capfd.readouterr().out
    assert main(["export", "--faq", "faq.toml"]) == 0
    Path("out.toml").write_text(capfd.readouterr().out, encoding="utf-8")
    assert load_knowledge_base(Path("out.toml")) == effective

    assert main(["additions", "--remove-phrasing", "1"]) == 4
    database = Path.cwd() / "var" / "faq.sqlite3"
    assert capfd.readouterr() == (
        "",
        f"error: database {database}: the file is read-only; the bot needs to write to it "
        "(check its permissions, and that the disk is not mounted read-only)\n",
    )


def test_a_database_in_a_read_only_folder_says_so(
    faq_copy: Path, capfd: pytest.CaptureFixture[str], make_read_only: Callable[[Path], None]
) -> None:
    add_in_chat()
    make_read_only(Path("var"))

    assert main(["additions"]) == 0
    assert "    как там приграничье" in capfd.readouterr().out

    result = run_cli("additions", "--remove-entry", NEW_ID)
    assert result.returncode == 4
    folder = Path.cwd() / "var"
    assert result.stderr == (
        f"error: database {folder / 'faq.sqlite3'}: its folder {folder} is read-only; "
        "SQLite needs to create its journal files next to the database\n"
    )


def test_import_of_markdown_keeps_its_sections(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("faq.md").write_text(
        "# Справочник\n\n# Пропуска\n## Как оформить пропуск?\nВ бюро.\n\n"
        "# Столовая\n## Где столовая?\nНа третьем этаже.\n",
        encoding="utf-8",
    )

    assert main(["import", "faq.md", "--faq", "faq.toml"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "added section propuska-6de25f: Пропуска",
        "added kak-oformit-propusk-4723a1: Как оформить пропуск?",
        "added section stolovaya-7379ce: Столовая",
        "added gde-stolovaya-3cf68e: Где столовая?",
        "2 added, 0 changed, 0 unchanged; also 2 sections added",
        "wrote faq.toml",
    ]
    kb = load_knowledge_base(faq_copy)
    assert kb.entry("gde-stolovaya-3cf68e").section_id == "stolovaya-7379ce"
    assert kb.title == load_knowledge_base(FAQ).title


def test_import_into_a_missing_section_is_refused_naming_the_sections(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_seed("\nНовый вопрос?\nНовый ответ.\n")
    before = faq_copy.read_bytes()
    assert main(["import", "seed.txt", "--faq", "faq.toml", "--section", "misc"]) == 3
    captured = capsys.readouterr()
    assert captured.err == (
        "error: faq.toml: no section 'misc' for --section (its sections are bilateral, "
        "integration, regions); to create one, add a [[sections]] table with its id and title "
        "to the file first\n"
    )
    assert captured.out == ""
    assert faq_copy.read_bytes() == before


def test_import_refuses_plain_text_that_does_not_pair_up(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("seed.txt").write_text("Новый вопрос?\tНовый ответ.\nЕщё вопрос?\tЕщё ответ.\n")
    before = faq_copy.read_bytes()
    assert main(["import", "seed.txt", "--faq", "faq.toml"]) == 3
    assert capsys.readouterr().err == (
        "error: seed.txt:1: tab inside a question line: write the question on one line and "
        "its answer on the next line\n"
    )
    assert faq_copy.read_bytes() == before


def test_a_markdown_file_without_questions_gets_the_markdown_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("faq.md").write_text("# Частые вопросы\n", encoding="utf-8")
    assert main(["ask", "--faq", "faq.md", "пропуск"]) == 3
    assert capsys.readouterr().err == (
        "error: faq.md: no questions: write a '## question' heading with its answer under it\n"
    )
