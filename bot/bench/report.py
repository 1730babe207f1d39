"""The benchmark's results, its targets, and the table (or JSON) they are printed as."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.bench.dispatch import LoopResult, ThroughputResult
    from bot.bench.matching import MatchingResult
    from bot.bench.startup import StartupResult

LIBRARIES = ("aiogram", "rapidfuzz", "pymorphy3", "pydantic", "aiosqlite")
TARGET_ENTRIES = 10_000  # where the matching targets are set
P99_TARGET_MS = 1.0
BUILD_TARGET_S = 5.0
THROUGHPUT_TARGET = 0.5  # FAQ bot's rate / bare bot's rate
STARTUP_TIME_TARGET = 1.3  # FAQ bot's seconds / bare bot's seconds
STARTUP_MEMORY_TARGET_MIB = 100.0  # FAQ bot's RSS - bare bot's RSS
SINGLE_MATCH_TARGET_MS = 5.0  # "a few ms": the longest one match may keep the event loop


@dataclass(frozen=True)
class Environment:
    cpu: str
    cores: int  # in the machine
    usable_cores: int  # this process may run on
    python: str
    system: str
    libraries: dict[str, str]


def describe_environment() -> Environment:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Environment(
        cpu=_cpu_model(),
        cores=os.cpu_count() or 0,
        usable_cores=usable or 0,
        python=f"{platform.python_implementation()} {platform.python_version()}",
        system=f"{platform.system()} {platform.release()}",
        libraries={name: _version(name) for name in LIBRARIES},
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@dataclass(frozen=True)
class Check:
    name: str
    measured: str
    target: str
    passed: bool | None  # None: not measured in this run


@dataclass
class BenchReport:
    plan: str
    environment: Environment
    queries: int  # messages timed per knowledge base
    matching: list[MatchingResult] = field(default_factory=list)
    throughput: list[ThroughputResult] = field(default_factory=list)
    startup: StartupResult | None = None
    loop: LoopResult | None = None
    seconds: float = 0.0  # the whole run

    def matching_at(self, entries: int) -> MatchingResult | None:
        found = [m for m in self.matching if m.base == "generated" and m.entries == entries]
        return found[0] if found else None

    def checks(self) -> list[Check]:
        return [
            *self._matching_checks(),
            *(
                Check(
                    f"throughput, {t.mode}: FAQ bot / bare",
                    f"{t.ratio:.2f}",
                    f">= {THROUGHPUT_TARGET}",
                    t.ratio >= THROUGHPUT_TARGET,
                )
                for t in self.throughput
            ),
            *self._startup_checks(),
            *self._loop_checks(),
        ]

    def _matching_checks(self) -> list[Check]:
        at_target = self.matching_at(TARGET_ENTRIES)
        largest = max(
            (m for m in self.matching if m.base == "generated" and m.entries > TARGET_ENTRIES),
            key=lambda m: m.entries,
            default=None,
        )
        entries = f"{TARGET_ENTRIES:,}"
        checks = [
            _check(
                f"match p99 at {entries} entries",
                at_target and at_target.p99_ms,
                "{:.2f} ms",
                f"< {P99_TARGET_MS:g} ms",
                lambda v: v < P99_TARGET_MS,
            ),
            _check(
                f"index build at {entries} entries",
                at_target and at_target.build_s,
                "{:.2f} s",
                f"< {BUILD_TARGET_S:g} s",
                lambda v: v < BUILD_TARGET_S,
            ),
        ]
        if at_target is not None and largest is not None:
            size = largest.entries / at_target.entries
            growth = largest.p99_ms / at_target.p99_ms
            checks.insert(
                1,
                Check(
                    f"match p99 growth {entries} -> {largest.entries:,} entries",
                    f"x{growth:.2f}",
                    f"<= x{size:g} (linear)",
                    growth <= size,
                ),
            )
        return checks

    def _startup_checks(self) -> list[Check]:
        s = self.startup
        return [
            _check(
                "start-up time: FAQ bot / bare",
                s and s.faq_s / s.bare_s,
                "x{:.2f}",
                f"<= x{STARTUP_TIME_TARGET}",
                lambda v: v <= STARTUP_TIME_TARGET,
            ),
            _check(
                "start-up memory: FAQ bot - bare",
                s and s.faq_rss_mib - s.bare_rss_mib,
                "{:+.0f} MiB",
                f"<= +{STARTUP_MEMORY_TARGET_MIB:.0f} MiB",
                lambda v: v <= STARTUP_MEMORY_TARGET_MIB,
            ),
        ]

    def _loop_checks(self) -> list[Check]:
        loop = self.loop
        return [
            _check(
                "longest single match (blocks the loop)",
                loop and loop.longest_match_ms,
                "{:.2f} ms",
                f"<= {SINGLE_MATCH_TARGET_MS:g} ms",
                lambda v: v <= SINGLE_MATCH_TARGET_MS,
            ),
        ]


def _check(name: str, value: Any, shown: str, target: str, passes: Any) -> Check:
    if value is None or value is False:
        return Check(name, "not measured", target, None)
    return Check(name, shown.format(value), target, bool(passes(value)))


# -- printing ----------------------------------------------------------------------------------


def to_json(report: BenchReport) -> dict[str, Any]:
    data = asdict(report)
    for throughput, result in zip(data["throughput"], report.throughput, strict=True):
        throughput["ratio"] = result.ratio
    data["checks"] = [asdict(check) for check in report.checks()]
    return data


def format_report(report: BenchReport) -> str:
    sections = [
        _environment_lines(report),
        _matching_table(report),
        _throughput_table(report),
        _startup_table(report),
        _loop_table(report),
        _checks_table(report),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines)


def _environment_lines(report: BenchReport) -> list[str]:
    env = report.environment
    libraries = ", ".join(f"{name} {version}" for name, version in env.libraries.items())
    return [
        f"FAQ bot benchmark ({report.plan} run, {report.seconds:.0f} s)",
        f"machine: {env.cpu}, {env.cores} cores ({env.usable_cores} usable), {env.system}",
        f"software: {env.python}; {libraries}",
    ]


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned first column, right-aligned numbers, two spaces between columns."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  " + "  ".join([first, *rest]).rstrip()

    return [title, line(header), *(line(row) for row in rows)]


def _matching_table(report: BenchReport) -> list[str]:
    if not report.matching:
        return []
    rows = [
        [
            f"generated {m.entries:,}" if m.base == "generated" else m.base,
            f"{m.entries:,}",
            f"{m.median_ms:.3f} ms",
            f"{m.p99_ms:.3f} ms",
            f"{m.max_ms:.2f} ms",
            f"{m.p99_wall_ms:.3f} ms",
            f"{m.build_s:.2f} s",
            f"{m.memory_mib:.1f} MiB",
        ]
        for m in report.matching
    ]
    title = (
        f"Matching on one core, CPU time per message ({report.queries:,} messages per base: "
        "stored questions lower-cased, cut short, with a typo, or off-topic)"
    )
    header = [
        "knowledge base",
        "entries",
        "median",
        "p99",
        "max",
        "p99 wall-clock",
        "build (CPU)",
        "index memory",
    ]
    return _table(title, header, rows)


def _throughput_table(report: BenchReport) -> list[str]:
    if not report.throughput:
        return []
    rows = [
        [
            t.mode,
            f"{t.faq_per_s:,.0f}",
            f"{t.bare_per_s:,.0f}",
            f"{t.ratio:.2f}",
            f"{t.faq_cpu_ms:.2f} ms",
            f"{t.bare_cpu_ms:.2f} ms",
            f"{t.faq_match_ms:.2f} ms",
        ]
        for t in report.throughput
    ]
    first = report.throughput[0]
    rounds = _count(first.rounds, "round")
    title = (
        f"Throughput through the dispatcher, updates per second (best of {rounds} "
        f"of {first.updates:,} text messages on the shipped base; no network)"
    )
    header = [
        "updates",
        "FAQ bot",
        "bare aiogram",
        "FAQ / bare",
        "CPU/update: FAQ",
        "bare",
        "FAQ's matching",
    ]
    return _table(title, header, rows)


def _startup_table(report: BenchReport) -> list[str]:
    s = report.startup
    if s is None:
        return []
    rows = [
        ["seconds", f"{s.faq_s:.2f} s", f"{s.bare_s:.2f} s", f"x{s.faq_s / s.bare_s:.2f}"],
        [
            "CPU seconds",
            f"{s.faq_cpu_s:.2f} s",
            f"{s.bare_cpu_s:.2f} s",
            f"x{s.faq_cpu_s / s.bare_cpu_s:.2f}",
        ],
        [
            "memory (RSS)",
            f"{s.faq_rss_mib:.0f} MiB",
            f"{s.bare_rss_mib:.0f} MiB",
            f"{s.faq_rss_mib - s.bare_rss_mib:+.0f} MiB",
        ],
    ]
    title = (
        "Start-up, process start to first getUpdates on a local fake Bot API "
        f"(median of {_count(s.runs, 'start')})"
    )
    return _table(title, ["", "FAQ bot", "bare aiogram", "difference"], rows)


def _loop_table(report: BenchReport) -> list[str]:
    loop = report.loop
    if loop is None:
        return []
    rows = [
        [
            "longest event-loop stall",
            f"{loop.faq_stall_ms:.1f} ms",
            f"{loop.bare_stall_ms:.1f} ms",
            f"{loop.idle_stall_ms:.1f} ms",
        ],
        [
            f"the same, {loop.workers} at a time (bot.polling)",
            f"{loop.faq_workers_stall_ms:.1f} ms",
            "",
            "",
        ],
        ["longest single match (CPU)", f"{loop.longest_match_ms:.2f} ms", "", ""],
        ["all matching of one burst (CPU)", f"{loop.total_match_ms:.1f} ms", "", ""],
    ]
    title = (
        f"Event loop while {loop.burst} messages arrive at once, {loop.entries:,}-entry base "
        f"(the longest stall in a burst, median of {_count(loop.bursts, 'burst')})"
    )
    return _table(title, ["", "FAQ bot", "bare aiogram", "idle loop"], rows)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _checks_table(report: BenchReport) -> list[str]:
    verdicts = {True: "PASS", False: "MISS", None: "-"}
    rows = [[c.name, c.measured, c.target, verdicts[c.passed]] for c in report.checks()]
    title = "Targets (informational: timings depend on the machine and its load)"
    return _table(title, ["target", "measured", "wanted", "verdict"], rows)
