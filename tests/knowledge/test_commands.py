"""`python -m bot import` and `python -m bot export` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.additions import apply_owner_additions
from bot.knowledge.loader import load_knowledge_base
from bot.knowledge.model import Entry, KnowledgeBase
from bot.storage import Database

FAQ = Path(__file__).resolve().parents[2] / "data" / "faq.toml"
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
        "added novyy-vopros: Новый вопрос?",
        "1 added, 0 changed, 4 unchanged",
        "wrote kb/faq.toml",
    ]
    assert load_knowledge_base(Path("kb/faq.toml")).entry("novyy-vopros").answer == "Новый ответ."


def test_dry_run_writes_nothing(faq_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_seed("\nНовый вопрос?\nНовый ответ.\n")
    before = faq_copy.stat()
    assert main(["import", "seed.txt", "--faq", "faq.toml", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["1 added, 0 changed, 4 unchanged", "dry run: faq.toml not changed"]
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
    assert [e.id for e in kb.entries] == ["q1", "q2", "q3", "q4"]


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
        "error: seed.txt: cannot export into a plain-text knowledge base; choose a .toml file\n"
    )
    assert seed.read_bytes() == before


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
NEW_ID = "gde-prokhodit-granitsa"


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
        return apply_owner_additions(kb, await db.phrasings(), await db.owner_entries())


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
        "(`python -m bot additions` lists them)\n"
    )


def test_additions_without_a_database_says_nothing_was_added(faq_copy: Path) -> None:
    result = run_cli("additions")

    assert result.returncode == 1
    assert result.stderr == "error: no database at var/faq.sqlite3: nothing was added yet\n"
