"""`python -m bot import` and `python -m bot export` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.loader import load_knowledge_base

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
    assert capsys.readouterr().err == "wrote converted.toml\n"
    kb = load_knowledge_base(Path("converted.toml"))
    assert [e.id for e in kb.entries] == ["q1", "q2", "q3", "q4"]


def test_export_refuses_to_overwrite_its_source(
    faq_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "faq.toml", "--faq", "faq.toml"]) == 3
    assert capsys.readouterr().err == (
        "error: faq.toml: refusing to overwrite the knowledge base being exported; "
        "choose another file\n"
    )
    assert faq_copy.read_bytes() == FAQ.read_bytes()


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
