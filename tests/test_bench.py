"""``python -m bot bench``: a smoke run of every benchmark, and the pieces it is built from.

Nothing here asserts a duration (the machine decides those); only that every measurement ran,
came out as a positive number, and is printed with its target and verdict.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.bench.dispatch import LoopResult, ThroughputResult
from bot.bench.matching import MatchingResult
from bot.bench.measure import median, percentile
from bot.bench.plan import SMOKE
from bot.bench.report import BenchReport, Environment, format_report, to_json
from bot.bench.startup import StartupResult
from bot.bench.suite import run_bench
from bot.bench.wire import UNREACHABLE_LIMITS, WireSession
from bot.cli import build_parser
from bot.config import load_settings
from bot.factory import LOCAL_TOKEN, bot_defaults
from bot.session import FloodControl, SendLimits

ROOT = Path(__file__).resolve().parent.parent
FAQ_PATH = ROOT / "data" / "faq.toml"


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> BenchReport:
    """One tiny run of everything, shared by the tests below (it starts two bot processes)."""
    database = tmp_path_factory.mktemp("bench") / "faq.sqlite3"
    settings = load_settings(
        environ={"FAQ_PATH": str(FAQ_PATH), "DATABASE_PATH": str(database)},
        env_file=None,
        require_token=False,
    )
    return run_bench(SMOKE, settings=settings)


def test_every_benchmark_ran_and_measured_something(smoke_report: BenchReport) -> None:
    shipped, *generated = smoke_report.matching
    assert shipped.base == "faq.toml"
    assert [m.entries for m in generated] == list(SMOKE.sizes)
    for result in smoke_report.matching:
        assert result.queries == SMOKE.queries
        assert 0 < result.median_ms <= result.p99_ms <= result.max_ms
        assert result.build_s > 0
        assert result.p99_wall_ms > 0
        assert result.memory_mib >= 0  # the OS may hand back freed pages meanwhile

    assert [t.mode for t in smoke_report.throughput] == [
        "sequential",
        f"{SMOKE.in_flight} in flight",
    ]
    for throughput in smoke_report.throughput:
        assert throughput.faq_per_s > 0
        assert throughput.bare_per_s > 0
        assert throughput.faq_match_ms > 0
        assert throughput.faq_cpu_ms > throughput.faq_match_ms
        assert throughput.bare_cpu_ms > 0

    startup = smoke_report.startup
    assert startup is not None
    assert startup.faq_s > 0
    assert startup.bare_s > 0
    assert startup.faq_rss_mib > 0
    assert startup.bare_rss_mib > 0
    assert startup.faq_cpu_s > 0
    assert startup.bare_cpu_s > 0

    loop = smoke_report.loop
    assert loop is not None
    assert (loop.entries, loop.burst) == (SMOKE.burst_entries, SMOKE.burst)
    assert loop.faq_stall_ms > 0
    assert loop.bare_stall_ms > 0
    assert loop.faq_workers_stall_ms > 0
    assert 0 < loop.longest_match_ms <= loop.total_match_ms


def test_the_table_has_every_row_with_positive_numbers(smoke_report: BenchReport) -> None:
    table = format_report(smoke_report)

    assert re.search(r"\d+ cores \(\d+ usable\)", table)
    for library in ("aiogram", "rapidfuzz", "pymorphy3", "CPython"):
        assert library in table
    for row in ("faq.toml", f"generated {SMOKE.sizes[0]:,}"):
        assert _numbers(_row(table, row))
    for row in ("sequential", f"{SMOKE.in_flight} in flight"):
        values = _numbers(_row(table, row))
        # FAQ's rate, bare's rate, their ratio, CPU per update of each, FAQ's matching
        assert len(values) == 6
        assert all(value > 0 for value in values)
    assert _numbers(_row(table, "seconds"))[:2] == pytest.approx(
        [round(smoke_report.startup.faq_s, 2), round(smoke_report.startup.bare_s, 2)]  # type: ignore[union-attr]
    )
    assert all(v > 0 for v in _numbers(_row(table, "CPU seconds")))
    assert all(v > 0 for v in _numbers(_row(table, "memory (RSS)"))[:2])
    assert all(v > 0 for v in _numbers(_row(table, "longest event-loop stall"))[:2])
    assert _numbers(_row(table, "the same, 16 at a time"))[-1] > 0
    assert _numbers(_row(table, "longest single match"))[0] > 0


def test_the_targets_table_gives_a_verdict_on_what_was_measured(
    smoke_report: BenchReport,
) -> None:
    table = format_report(smoke_report)
    targets = table[table.index("Targets") :]

    for name in (
        "throughput, sequential: FAQ bot / bare",
        f"throughput, {SMOKE.in_flight} in flight: FAQ bot / bare",
        "start-up time: FAQ bot / bare",
        "start-up memory: FAQ bot - bare",
        "longest single match (blocks the loop)",
    ):
        assert _row(targets, name).rstrip().endswith(("PASS", "MISS")), name
    # The smoke run has no 10,000-entry base: that target is shown, unmeasured.
    assert _row(targets, "match p99 at 10,000 entries").split()[-1] == "-"
    assert "not measured" in _row(targets, "match p99 at 10,000 entries")


def test_json_carries_the_same_results(smoke_report: BenchReport) -> None:
    data = json.loads(json.dumps(to_json(smoke_report)))

    assert data["plan"] == "smoke"
    assert data["environment"]["cores"] >= 1
    assert set(data["environment"]["libraries"]) >= {"aiogram", "rapidfuzz", "pymorphy3"}
    assert [m["entries"] for m in data["matching"]][1:] == list(SMOKE.sizes)
    assert all(t["ratio"] > 0 for t in data["throughput"])
    assert data["startup"]["faq_s"] > 0
    assert data["loop"]["longest_match_ms"] > 0
    verdicts = {check["name"]: check["passed"] for check in data["checks"]}
    assert verdicts["match p99 at 10,000 entries"] is None
    assert verdicts["start-up time: FAQ bot / bare"] in (True, False)


def test_targets_pass_or_miss_by_their_thresholds() -> None:
    report = _report(
        matching=[
            _matching(10_000, p99_ms=0.9, build_s=4.0),
            _matching(100_000, p99_ms=10.0, build_s=40.0),  # x11 for x10 entries
        ],
        throughput=[ThroughputResult("sequential", 100, 1, 500.0, 1000.0, 2.0, 1.0, 0.2)],
        startup=StartupResult(
            runs=1,
            faq_s=1.4,
            bare_s=1.0,
            faq_rss_mib=250,
            bare_rss_mib=160,
            faq_cpu_s=1.2,
            bare_cpu_s=1.0,
        ),
        loop=LoopResult(
            entries=100,
            burst=50,
            bursts=1,
            faq_stall_ms=20.0,
            bare_stall_ms=20.0,
            workers=16,
            faq_workers_stall_ms=10.0,
            idle_stall_ms=0.1,
            longest_match_ms=6.0,
            total_match_ms=25.0,
        ),
    )
    verdicts = {check.name: check.passed for check in report.checks()}

    assert verdicts == {
        "match p99 at 10,000 entries": True,
        "match p99 growth 10,000 -> 100,000 entries": False,
        "index build at 10,000 entries": True,
        "throughput, sequential: FAQ bot / bare": True,  # exactly half is enough
        "start-up time: FAQ bot / bare": False,
        "start-up memory: FAQ bot - bare": True,  # +90 MiB
        "longest single match (blocks the loop)": False,
    }


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.99) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert median([5.0, 1.0, 3.0]) == 3.0


async def test_the_wire_session_serialises_requests_and_parses_replies() -> None:
    session = WireSession()
    bot = Bot(LOCAL_TOKEN, session=session, default=bot_defaults())
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Назад", callback_data="b:1")]]
    )

    sent = await bot.send_message(42, "<b>Ответ</b>", reply_markup=markup)

    assert isinstance(sent, Message)
    assert (sent.chat.id, sent.text) == (42, "<b>Ответ</b>")
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    button = sent.reply_markup.inline_keyboard[0][0]
    assert (button.text, button.callback_data) == ("Назад", "b:1")
    request = session.requests[-1]
    assert request.method == "sendMessage"
    # Form fields as the HTTP session sends them: defaults filled in, objects as JSON.
    assert request.fields["parse_mode"] == "HTML"
    assert json.loads(request.fields["reply_markup"])["inline_keyboard"][0][0]["text"] == "Назад"
    assert (await bot.me()).is_bot


async def test_the_wire_session_keeps_telegrams_share_of_the_work_apart() -> None:
    session = WireSession()
    bot = Bot(LOCAL_TOKEN, session=session, default=bot_defaults())
    assert session.server_seconds == 0.0

    await bot.send_message(42, "Ответ")
    after_one = session.server_seconds
    await bot.send_message(42, "Ещё ответ")

    assert 0.0 < after_one < session.server_seconds


def test_the_command_takes_its_options() -> None:
    parser = build_parser()
    assert parser.parse_args(["bench"]).quick is False
    args = parser.parse_args(["bench", "--quick", "--json"])
    assert (args.quick, args.json, args.smoke) == (True, True, False)
    with pytest.raises(SystemExit):
        parser.parse_args(["bench", "--quick", "--smoke"])


def test_the_command_module_imports_only_the_standard_library_at_top_level() -> None:
    """``python -m bot --help`` imports every command module: none may pull in the bench."""
    source = (ROOT / "bot" / "commands" / "bench_cmd.py").read_text(encoding="utf-8")
    top_level = [
        node for node in ast.parse(source).body if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    modules = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in top_level
        for alias in node.names
    }
    assert modules <= {"__future__", "argparse", "json", "sys"}


# -- helpers -----------------------------------------------------------------------------------


def _row(table: str, label: str) -> str:
    rows = [line for line in table.splitlines() if line.strip().startswith(label)]
    assert rows, f"no row {label!r} in:\n{table}"
    return rows[0]


def _numbers(row: str) -> list[float]:
    """The numbers in a table row after its label (thousands separators allowed)."""
    cells = re.split(r"\s{2,}", row.strip())[1:]
    found = re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", " ".join(cells))
    return [float(number.replace(",", "")) for number in found]


def _matching(entries: int, *, p99_ms: float, build_s: float) -> MatchingResult:
    return MatchingResult(
        "generated", entries, 100, p99_ms / 2, p99_ms, p99_ms * 2, p99_ms, build_s, 1.0
    )


def _report(**results: object) -> BenchReport:
    environment = Environment("cpu", 2, 2, "CPython 3.11", "Linux", {"aiogram": "3"})
    report = BenchReport("test", environment, queries=100)
    for name, value in results.items():
        setattr(report, name, value)
    return report


async def test_the_wire_session_runs_middlewares_without_telegram_limits() -> None:
    session = WireSession()
    seen: list[str] = []

    async def remember(make_request, bot, method):  # type: ignore[no-untyped-def]
        seen.append(method.__api_method__)
        return await make_request(bot, method)

    session.middleware(remember)
    session.middleware(FloodControl(SendLimits(private_per_second=1.0, private_burst=1)))
    session.without_telegram_limits()
    bot = Bot(LOCAL_TOKEN, session=session, default=bot_defaults())

    for _ in range(3):  # two more than Telegram's limit lets a private chat send at once
        await bot.send_message(42, "ответ")

    assert seen == ["sendMessage"] * 3  # the order and the other middlewares are kept
    flood = [m for m in session.middleware if isinstance(m, FloodControl)]
    assert [f.limits for f in flood] == [UNREACHABLE_LIMITS]
