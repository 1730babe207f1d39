"""The evaluation report, the `eval` and `ask` commands, and the accuracy the engine reaches."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from pathlib import Path

import pytest

from bot.commands import ask_cmd, eval_cmd
from bot.engine import FaqEngine
from bot.evaluation import (
    EvalFileError,
    LabelledQuery,
    evaluate,
    format_report,
    parse_labelled,
    read_labelled,
)
from bot.knowledge.loader import load_knowledge_base
from bot.storage import Database

ROOT = Path(__file__).resolve().parent.parent
FAQ_PATH = ROOT / "data" / "faq.toml"
TRANSPORT_PATH = ROOT / "tests" / "data" / "kb" / "transport.toml"
EVAL_DIR = ROOT / "tests" / "data" / "eval"

# What the engine reaches on each labelled set, minus a margin of about two points:
# (answered right, right entry offered, none-expected not answered). All sets are development
# data: the answer decision (bot/engine/confidence.py) was fitted on them and cross-validated by
# leaving one set out (python -m tests.tools.fit_confidence; over 36 sets in wave 9,
# 2026-11-25: 0.972 answered right, 0.972 declined; over 40 sets in wave 9c: 0.976, 0.975).
# Each holdout set was written blind and measured once before its failures were read (README,
# "Measured accuracy"); what moved the figures since is in the git log. A floor rises with its
# figure and is lowered only with the reason in the commit.
FLOORS = {
    ("faq", "dev"): (0.98, 0.98, 0.98),  # reached 1.000, 1.000, 1.000
    ("faq", "dev_extra"): (0.90, 0.98, 0.98),  # reached 0.927, 1.000, 1.000
    ("faq", "holdout"): (0.93, 0.98, 0.98),  # reached 0.957, 1.000, 1.000
    ("faq", "holdout2"): (0.94, 0.98, 0.98),  # reached 0.964, 1.000, 0.981
    ("faq", "holdout3"): (0.95, 0.98, 0.98),  # reached 0.952, 1.000, 1.000
    ("faq", "holdout4"): (0.98, 0.98, 0.98),  # reached 1.000, 1.000, 1.000
    # holdout5 was blind once (0.938, 1.000, 0.927); its failures then fed phrasings.
    ("faq", "holdout5"): (0.96, 0.98, 0.94),  # reached 0.988, 1.000, 0.964
    # holdout6 was blind once (0.925, 0.962, 0.891).
    ("faq", "holdout6"): (0.93, 0.95, 0.96),  # reached 0.950, 0.975, 0.982
    ("faq", "holdout7"): (0.96, 0.98, 0.96),  # reached 0.988, 1.000, 0.982
    # holdout8 was blind for the engine of the start of wave 6 (0.917, 0.976, 0.947) and for
    # wave 6's QUALITY changes (the same); not in the decision model's fit (wave 6b: a
    # refit with it cross-validated no better and declined less on transport, so not taken).
    # Wave 6b: its failures fed phrasings, and capitalised unknown names count as named things.
    ("faq", "holdout8"): (0.98, 0.98, 0.96),  # reached 0.988, 1.000, 0.982
    # holdout9 was blind once, for the engine at the end of wave 6 (0.890, 0.939, 0.927; the
    # engine of the start of wave 6 reached the same); not in the decision model's fit.
    # Wave 7: its failures fed phrasings (and dropped one that promised a date).
    ("faq", "holdout9"): (0.96, 0.98, 0.96),  # reached 0.988, 1.000, 0.982
    # holdout10 was blind for wave 7 (first run, engine at its start: 0.863, 0.968, 0.941; at
    # its end, before its failures were read: 0.895, 0.968, 0.941). Wave 8: its failures fed
    # phrasings and it joined the decision model's fit.
    ("faq", "holdout10"): (0.95, 0.98, 0.94),  # reached 0.968, 0.989, 0.961
    # holdout12 was blind for the engine of wave 8 (0.833, 0.938, 0.977). Wave 8b: its failures
    # fed synonyms and phrasings and it joined the decision model's fit (26 sets).
    # holdout11 was written blind at the start of the 2026-11-25 session and kept sealed until
    # its end: engine at the start 0.870, 0.980, 1.000; at the end 0.910, 0.990, 0.977. After
    # that its failures fed synonyms and a phrasing, and it joined the decision model's fit (32
    # sets; left out of the fit: 0.930 answered right, 0.977 declined).
    ("faq", "holdout11"): (0.95, 0.98, 0.95),  # reached 0.970, 1.000, 0.977
    # Wave 9: declined 1.000 -> 0.977: "напиши поздравление маме с днём рождения" ("день
    # рождения" is one of the base's synonyms of "юбилей") now sits at the answer point.
    ("faq", "holdout12"): (0.94, 0.98, 0.95),  # reached 0.969, 0.990, 0.977
    # holdout13 was blind for the engine of wave 8b (0.911, 0.990, 0.956). Wave 8c: its failures
    # fed synonyms and phrasings and it joined the decision model's fit (28 sets).
    ("faq", "holdout13"): (0.98, 0.98, 0.93),  # reached 1.000, 1.000, 0.956
    # holdout14 was blind for the engine of wave 8c (0.960, 0.990, 0.978); 2026-11-25: its
    # failures fed a phrasing.
    ("faq", "holdout14"): (0.95, 0.98, 0.95),  # reached 0.970, 0.990, 0.978
    # holdout15 was written blind, sealed, and run once on the engine at the end of the
    # 2026-11-25 session (0.948, 0.969, 1.000). Wave 8f: its failures fed a phrasing. Wave 9:
    # its failures fed phrasings and it joined the decision model's fit (36 sets).
    ("faq", "holdout15"): (0.97, 0.98, 0.98),  # reached 0.990, 1.000, 1.000
    # holdout16 was written blind, sealed, and run once on the engine at the end of the
    # 2026-11-25 session (0.939, 0.990, 1.000). Wave 9: its failures fed phrasings and a
    # synonym, and it joined the decision model's fit (36 sets).
    ("faq", "holdout16"): (0.96, 0.98, 0.98),  # reached 0.980, 1.000, 1.000
    # holdout17-20 were written blind, sealed, and run once on the engine at 2ff913b (faq
    # 0.961, 0.990, 1.000; 0.971, 0.990, 1.000; 0.970, 0.980, 1.000; 0.960, 1.000, 0.977).
    # Wave 9c: their failures fed phrasings, chat spellings and three reading rules (a swap of
    # two letters that makes a rare dictionary word; "положено" is what is due; no word pair
    # across a comma), and they joined the fit's sets (the coefficients stay: a refit on 40
    # sets answered one message fewer right on them).
    ("faq", "holdout17"): (0.98, 0.98, 0.98),  # reached 1.000, 1.000, 1.000
    ("faq", "holdout18"): (0.98, 0.98, 0.98),  # reached 1.000, 1.000, 1.000
    ("faq", "holdout19"): (0.96, 0.97, 0.98),  # reached 0.980, 0.990, 1.000
    ("faq", "holdout20"): (0.96, 0.98, 0.95),  # reached 0.980, 1.000, 0.977
    # holdout21-22 were written blind, sealed, and run once on the engine at 17ae71a (faq
    # 0.980, 1.000, 1.000; 0.961, 0.990, 1.000). Wave 9d: their failures fed a synonym and
    # phrasings, three reading rules ("30 тысяч" is 30000; "ЖД" is железнодорожный; an ending
    # written as it sounds, "проест"), and they joined the fit's sets (coefficients kept).
    ("faq", "holdout21"): (0.97, 0.98, 0.98),  # reached 0.990, 1.000, 1.000
    ("faq", "holdout22"): (0.96, 0.98, 0.98),  # reached 0.980, 1.000, 1.000
    # holdout23-24 were written blind, sealed, and run on the engine at 17ae71a (0.922, 1.000,
    # 0.976; 0.960, 0.990, 1.000) and once on the final engine at ca7924e; nobody has read
    # their failures yet.
    ("faq", "holdout23"): (0.91, 0.98, 0.95),  # reached 0.932, 1.000, 0.976
    ("faq", "holdout24"): (0.94, 0.97, 0.98),  # reached 0.960, 0.990, 1.000
    ("transport", "dev"): (0.94, 0.98, 0.96),  # reached 0.967, 1.000, 1.000
    # "где едет трамвай" and "... где узнать" are answered again since live_tracking (trams)
    # and route_changes (a route not running because of a closure) got phrasings.
    ("transport", "dev_extra"): (0.96, 0.98, 0.98),  # reached 0.988, 1.000, 1.000
    ("transport", "holdout"): (0.98, 0.98, 0.98),  # reached 1.000, 1.000, 1.000
    ("transport", "holdout2"): (0.95, 0.98, 0.98),  # reached 0.966, 1.000, 1.000
    ("transport", "holdout3"): (0.97, 0.98, 0.96),  # reached 0.992, 1.000, 0.988
    ("transport", "holdout4"): (0.96, 0.98, 0.98),  # reached 0.987, 1.000, 1.000
    # holdout5 was blind once (0.883, 0.994, 0.941); its failures then fed phrasings.
    ("transport", "holdout5"): (0.97, 0.98, 0.96),  # reached 0.988, 1.000, 0.988
    # holdout6 was blind once (0.894, 0.956, 0.895).
    # Wave 6: declined fell from 0.953 to 0.942 ("где находится площадь Победы", a square the
    # night_routes answer names, is now answered); the floor stays.
    ("transport", "holdout6"): (0.93, 0.96, 0.93),  # reached 0.950, 0.981, 0.942
    # transport holdout7 was blind once (0.907, 0.981, 0.919).
    ("transport", "holdout7"): (0.93, 0.96, 0.89),  # reached 0.944, 0.988, 0.907
    # holdout8 was blind for the engine of the start of wave 6 (0.938, 0.988, 0.907) and for
    # wave 6's QUALITY changes (0.938, 0.988, 0.919); not in the decision model's fit.
    # Wave 8c: declined 0.942 -> 0.930: "у 15-го трамвая" was declined only because "го" read
    # as an unknown word; case endings after a number are no words now.
    ("transport", "holdout8"): (0.96, 0.98, 0.92),  # reached 0.988, 1.000, 0.930
    # holdout9 was blind once, for the engine at the end of wave 6 (0.902, 0.975, 0.919; the
    # engine of the start of wave 6: 0.896, 0.975, 0.919); not in the decision model's fit.
    # Wave 7: shortened words ("студ.") are read, and its failures fed phrasings.
    ("transport", "holdout9"): (0.93, 0.98, 0.92),  # reached 0.957, 1.000, 0.953
    # holdout10 was blind for wave 7 (first run: 0.924, 0.994, 0.927; at its end: 0.936, 0.994,
    # 0.927). Wave 8: its failures fed phrasings and it joined the decision model's fit.
    ("transport", "holdout10"): (0.96, 0.98, 0.91),  # reached 0.977, 1.000, 0.939
    # holdout12 was blind for the engine of wave 8 (0.889, 0.982, 0.938); wave 8b as for faq.
    # holdout11: as for faq; engine at the start 0.912, 0.995, 0.938; at the end 0.934, 0.989,
    # 0.938 (left out of the fit: 0.973 answered right, 0.938 declined).
    ("transport", "holdout11"): (0.95, 0.98, 0.94),  # reached 0.984, 1.000, 0.962
    ("transport", "holdout12"): (0.95, 0.96, 0.95),  # reached 0.971, 0.994, 0.975
    # holdout13 was blind for the engine of wave 8b (0.938, 0.977, 0.963); wave 8c as for faq.
    ("transport", "holdout13"): (0.97, 0.97, 0.95),  # reached 1.000, 1.000, 0.975
    # holdout14 was blind for the engine of wave 8c (0.921, 0.989, 0.961); 2026-11-25 as for faq.
    ("transport", "holdout14"): (0.93, 0.97, 0.96),  # reached 0.955, 0.989, 0.974
    # holdout15: as for faq (0.944, 0.994, 0.935); wave 8f: its failures fed synonyms (slang
    # for bicycle, trolleybus and student card; full-time student; first-grader).
    ("transport", "holdout15"): (0.96, 0.98, 0.92),  # reached 0.978, 1.000, 0.948
    # holdout16: as for faq (0.956, 0.978, 0.975); wave 9 as for faq.
    ("transport", "holdout16"): (0.95, 0.96, 0.95),  # reached 0.978, 0.989, 0.975
    # holdout17-20: as for faq (at 2ff913b: 0.953, 0.990, 1.000; 0.953, 0.995, 0.984; 0.959,
    # 0.990, 1.000; 0.911, 0.969, 0.956 - holdout20 is people telling their situation).
    ("transport", "holdout17"): (0.95, 0.98, 0.98),  # reached 0.974, 1.000, 1.000
    ("transport", "holdout18"): (0.96, 0.97, 0.98),  # reached 0.984, 0.995, 1.000
    ("transport", "holdout19"): (0.96, 0.98, 0.98),  # reached 0.984, 1.000, 1.000
    ("transport", "holdout20"): (0.95, 0.98, 0.93),  # reached 0.979, 1.000, 0.956
    # holdout21-22: as for faq (at 17ae71a: 0.963, 0.990, 0.985; 0.934, 1.000, 0.938 -
    # holdout22 is people telling their situation, its declines too).
    ("transport", "holdout21"): (0.95, 0.98, 0.98),  # reached 0.979, 1.000, 1.000
    ("transport", "holdout22"): (0.94, 0.98, 0.92),  # reached 0.964, 1.000, 0.938
    # holdout23-24: as for faq (at 17ae71a the same figures as now).
    ("transport", "holdout23"): (0.96, 0.97, 0.98),  # reached 0.984, 0.995, 1.000
    ("transport", "holdout24"): (0.92, 0.97, 0.95),  # reached 0.941, 0.995, 0.969
}
BASES = {"faq": FAQ_PATH, "transport": TRANSPORT_PATH}
SETTINGS_NAMES = ("FAQ_PATH", "ANSWER_THRESHOLD", "SUGGEST_THRESHOLD", "BOT_TOKEN")


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Commands read settings from the environment and ./.env: make both empty."""
    for name in SETTINGS_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def engines() -> dict[str, FaqEngine]:
    return {name: FaqEngine.build(load_knowledge_base(path)) for name, path in BASES.items()}


def test_parse_labelled_reads_header_comments_and_none() -> None:
    text = (
        "query\texpected\tcategory\n"
        "# a comment\n"
        "\n"
        "что с Байконуром\tpriorities\tkeyword\n"
        "привет\tnone\tgreeting\n"
    )
    assert parse_labelled(text, "x.tsv") == [
        LabelledQuery("что с Байконуром", "priorities", "keyword", 4),
        LabelledQuery("привет", None, "greeting", 5),
    ]


def test_malformed_line_names_file_and_line() -> None:
    with pytest.raises(EvalFileError, match=r"x\.tsv:2: expected query<TAB>expected<TAB>category"):
        parse_labelled("query\texpected\tcategory\nбез табуляций\n", "x.tsv")


def test_unknown_entry_id_is_reported(engines: dict[str, FaqEngine]) -> None:
    queries = [LabelledQuery("что с Байконуром", "no_such_entry", "keyword", 7)]
    with pytest.raises(EvalFileError, match=r"x\.tsv:7: no entry with id 'no_such_entry'"):
        evaluate(engines["faq"], queries, "x.tsv")


def test_report_counts_each_outcome(engines: dict[str, FaqEngine]) -> None:
    queries = [
        LabelledQuery("что с Байконуром?", "priorities", "keyword"),  # answered right
        LabelledQuery("Каспий", "integration", "keyword"),  # answered wrong
        LabelledQuery("привет", None, "greeting"),  # correctly not answered
        LabelledQuery("ОДКБ", None, "offtopic"),  # wrongly answered
    ]
    report = evaluate(engines["faq"], queries)
    assert report.overall.in_scope == 2
    assert report.overall.answered_right == 1
    assert report.overall.found == 1
    assert report.overall.out_of_scope == 2
    assert report.overall.not_answered == 1
    assert report.by_category["keyword"].answered_share == 0.5
    assert report.by_category["greeting"].rejected_share == 1.0
    assert [j.labelled.query for j in report.failures] == ["Каспий", "ОДКБ"]
    text = format_report(report, failures=True)
    assert "keyword" in text
    assert "expected integration, answered priorities" in text
    assert "expected none, answered integration" in text


@pytest.mark.parametrize(("base", "split"), sorted(FLOORS))
def test_accuracy_on_labelled_sets(engines: dict[str, FaqEngine], base: str, split: str) -> None:
    report = evaluate(engines[base], read_labelled(EVAL_DIR / f"{base}_{split}.tsv"))
    answered, found, rejected = FLOORS[(base, split)]
    figures = report.overall
    summary = format_report(report, failures=True)
    assert figures.answered_share is not None
    assert figures.answered_share >= answered, summary
    assert figures.found_share is not None
    assert figures.found_share >= found, summary
    assert figures.rejected_share is not None
    assert figures.rejected_share >= rejected, summary


def test_eval_command_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(file=EVAL_DIR / "faq_dev.tsv", faq=FAQ_PATH, failures=True)
    assert eval_cmd.run(args) == 0
    out = capsys.readouterr().out
    assert "answered right" in out
    assert "paraphrase" in out
    assert "failures:" in out


def ask(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str,
    *flags: str,
    faq: Path = FAQ_PATH,
) -> str:
    parser = argparse.ArgumentParser()
    ask_cmd.add_arguments(parser)
    args = parser.parse_args([*flags, "--faq", str(faq)])
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert ask_cmd.run(args) == 0
    return capsys.readouterr().out


def test_ask_json_gives_one_exact_object_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = "что с Байконуром?\nнаправления сотрудничества\nпривет\n"
    out = ask(monkeypatch, capsys, messages, "--json")
    answer, suggest, greeting = (json.loads(line) for line in out.splitlines())
    keys = {"query", "outcome", "id", "question", "score", "suggestions", "answer", "small_talk"}
    assert set(answer) == set(suggest) == set(greeting) == keys
    kb = load_knowledge_base(FAQ_PATH)
    priorities = kb.entry("priorities")
    assert priorities is not None
    assert answer["query"] == "что с Байконуром?"
    assert answer["outcome"] == "answer"
    assert answer["id"] == "priorities"
    assert answer["question"] == priorities.question
    assert answer["answer"] == priorities.answer
    assert 0.6 <= answer["score"] <= 1.0
    assert suggest["outcome"] == "suggest"
    assert suggest["id"] is suggest["question"] is suggest["answer"] is None
    assert {"growth", "priorities"} <= {s["id"] for s in suggest["suggestions"]}
    scores = [s["score"] for s in suggest["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    first = suggest["suggestions"][0]
    assert set(first) == {"id", "question", "score"}
    assert first["question"] == kb.entry(first["id"]).question
    assert greeting["outcome"] == "none"
    assert greeting["small_talk"] == "greeting"
    assert greeting["id"] is None
    assert greeting["suggestions"] == []
    assert "Байконур" in out  # ensure_ascii=False: Cyrillic stays readable


def test_ask_text_argument_and_readable_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    ask_cmd.add_arguments(parser)
    args = parser.parse_args(["--faq", str(FAQ_PATH), "что", "с", "Байконуром?"])
    assert ask_cmd.run(args) == 0
    out = capsys.readouterr().out
    assert "[priorities]" in out
    assert "Байконур" in out


def test_ask_accepts_the_plain_text_seed_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text(
        "Как оформить пропуск?\nВ бюро пропусков на первом этаже.\n\n"
        "Где столовая?\nНа третьем этаже.\n",
        encoding="utf-8",
    )
    out = ask(monkeypatch, capsys, "пропуск оформить\n", "--json", faq=seed)
    result = json.loads(out)
    assert result["outcome"] == "answer"
    assert result["question"] == "Как оформить пропуск?"
    assert result["answer"] == "В бюро пропусков на первом этаже."


def test_ask_explain_shows_matched_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ask(monkeypatch, capsys, "когда юбилей байконура\n", "--explain")
    assert "priorities" in out
    assert "юбилей" in out
    assert "phrasing" in out


def test_ask_answers_with_the_owners_additions_as_the_bot_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An owner filed "Казахстан" under scope in the chat: the bot answers it, so must `ask`
    (a knowledge-base editor checks there what users get); `--faq` tries the file alone."""
    database = tmp_path / "faq.sqlite3"

    async def file_phrasing() -> None:
        async with await Database.open(database) as db:
            await db.add_phrasing("scope", "Казахстан", added_by=1)

    asyncio.run(file_phrasing())
    monkeypatch.setenv("FAQ_PATH", str(FAQ_PATH))
    monkeypatch.setenv("DATABASE_PATH", str(database))
    parser = argparse.ArgumentParser()
    ask_cmd.add_arguments(parser)

    assert ask_cmd.run(parser.parse_args(["--json", "Казахстан"])) == 0
    with_additions = capsys.readouterr()
    assert json.loads(with_additions.out)["id"] == "scope"
    assert "with 1 phrasings and 0 entries added in the chat" in with_additions.err

    assert ask_cmd.run(parser.parse_args(["--json", "--faq", str(FAQ_PATH), "Казахстан"])) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] != "answer"


def test_ask_uses_thresholds_from_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANSWER_THRESHOLD", "1.0")
    monkeypatch.setenv("SUGGEST_THRESHOLD", "0.1")
    out = ask(monkeypatch, capsys, "Каспий\n", "--json")
    assert json.loads(out)["outcome"] == "suggest"
