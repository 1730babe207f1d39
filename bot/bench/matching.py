"""Matching speed, index build time and index memory for one knowledge base.

Each knowledge base is measured in a fresh Python process pinned to one core
(``python -m bot.bench.matching``), so that the memory one index takes is not blurred by the
previous one and a timing never spreads over two cores.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bench.measure import BenchError, median, percentile, pin_to_one_core, rss_mib

if TYPE_CHECKING:
    from bot.knowledge.model import KnowledgeBase

QUERY_SEED = 1
WARMUP_SEED = 2
KB_SEED = 0


@dataclass(frozen=True)
class MatchingResult:
    """Times are the CPU time of the matching thread: on a shared machine, wall-clock time also
    counts the moments the OS gave the core to another process (``p99_wall_ms`` shows it)."""

    base: str  # the knowledge-base file's name, or "generated"
    entries: int
    queries: int
    median_ms: float
    p99_ms: float
    max_ms: float
    p99_wall_ms: float
    build_s: float  # CPU time
    memory_mib: float  # resident memory the built engine added (RSS after build - before)


def measure_in_subprocess(
    *, entries: int | None = None, faq: Path | None = None, queries: int, warmup: int
) -> MatchingResult:
    """Measure a generated base of ``entries`` or the knowledge base file ``faq``."""
    command = [sys.executable, "-m", "bot.bench.matching", "--queries", str(queries)]
    command += ["--warmup", str(warmup)]
    command += ["--faq", str(faq)] if faq is not None else ["--entries", str(entries)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"matching benchmark failed: {last_line}")
    return MatchingResult(**json.loads(done.stdout))


def measure(base: str, kb: KnowledgeBase, queries: int, warmup: int) -> MatchingResult:
    from bot.engine import FaqEngine
    from bot.engine.synthetic import sample_queries

    _load_what_every_engine_shares()
    gc.collect()
    before = rss_mib()
    started = time.thread_time()
    engine = FaqEngine.build(kb)
    build_s = time.thread_time() - started
    gc.collect()
    memory = rss_mib() - before

    for text in sample_queries(kb, warmup, seed=WARMUP_SEED):
        engine.match(text)
    cpu: list[float] = []
    wall: list[float] = []
    for text in sample_queries(kb, queries, seed=QUERY_SEED):
        started_wall, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        engine.match(text)
        cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - started_wall) / 1e6)
    return MatchingResult(
        base=base,
        entries=len(kb.entries),
        queries=queries,
        median_ms=median(cpu),
        p99_ms=percentile(cpu, 0.99),
        max_ms=max(cpu),
        p99_wall_ms=percentile(wall, 0.99),
        build_s=build_s,
        memory_mib=memory,
    )


def _load_what_every_engine_shares() -> None:
    """Build a one-entry engine first, so the measured build and memory are the index's own and
    not the morphological dictionary's (loaded once per process, counted in start-up)."""
    from bot.engine import FaqEngine
    from bot.knowledge.model import Entry, KnowledgeBase, Section

    entry = Entry("probe", "probe", "Как проверить связь?", "Написать сообщение.")
    FaqEngine.build(KnowledgeBase(sections=(Section("probe", "Проверка"),), entries=(entry,)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.matching")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--entries", type=int, help="generate a knowledge base this large")
    source.add_argument("--faq", type=Path, help="a knowledge base file")
    parser.add_argument("--queries", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=0)
    args = parser.parse_args(argv)

    pin_to_one_core()
    if args.faq is not None:
        from bot.knowledge.loader import load_knowledge_base

        base, kb = args.faq.name, load_knowledge_base(args.faq)
    else:
        from bot.engine.synthetic import generate_knowledge_base

        base, kb = "generated", generate_knowledge_base(args.entries, seed=KB_SEED)
    result = measure(base, kb, args.queries, args.warmup)
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
