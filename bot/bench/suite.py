"""Running every benchmark of a ``Plan``, in an order that keeps them from disturbing each other:
the in-process ones first, then the ones that start bots while this process only waits."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.bench.matching import measure_in_subprocess
from bot.bench.plan import Plan
from bot.bench.report import BenchReport, describe_environment
from bot.config import Settings, load_settings

THROUGHPUT_SEED = 3
BURST_SEED = 4


def run_bench(
    plan: Plan,
    progress: Callable[[str], None] = lambda line: None,
    settings: Settings | None = None,
) -> BenchReport:
    """Every benchmark of ``plan``, on the knowledge base of ``settings`` (default: the
    environment's and .env's, as the bot would read them)."""
    settings = settings or load_settings(telegram=False)
    started = time.perf_counter()
    report = BenchReport(plan.name, describe_environment(), plan.queries)

    progress(f"matching: {settings.faq_path.name}")
    report.matching.append(
        measure_in_subprocess(
            faq=settings.faq_path, queries=plan.queries, warmup=plan.warmup_queries
        )
    )
    for size in plan.sizes:
        progress(f"matching: generated base of {size:,} entries")
        report.matching.append(
            measure_in_subprocess(entries=size, queries=plan.queries, warmup=plan.warmup_queries)
        )
    asyncio.run(_measure_bots(plan, settings, report, progress))
    report.seconds = time.perf_counter() - started
    return report


async def _measure_bots(
    plan: Plan, settings: Settings, report: BenchReport, progress: Callable[[str], None]
) -> None:
    from bot.bench.dispatch import measure_event_loop, measure_throughput
    from bot.bench.startup import measure_startup
    from bot.engine import FaqEngine
    from bot.engine.synthetic import generate_knowledge_base, sample_queries
    from bot.service import load_faq_service

    with tempfile.TemporaryDirectory(prefix="faq-bench-") as workdir:
        progress("throughput: FAQ bot and bare aiogram bot")
        service = load_faq_service(settings)
        texts = sample_queries(service.kb, plan.updates, seed=THROUGHPUT_SEED)
        report.throughput = await measure_throughput(
            settings,
            service,
            texts,
            in_flight=plan.in_flight,
            rounds=plan.rounds,
            workdir=Path(workdir),
        )

        progress(f"event loop: bursts of {plan.burst} on {plan.burst_entries:,} entries")
        kb = generate_knowledge_base(plan.burst_entries)
        engine = FaqEngine.build(kb, settings.thresholds)
        texts = sample_queries(kb, plan.burst * (plan.bursts + 1), seed=BURST_SEED)
        warmup, *bursts = [
            texts[start : start + plan.burst] for start in range(0, len(texts), plan.burst)
        ]
        report.loop = await measure_event_loop(
            settings, engine, warmup, bursts, workdir=Path(workdir)
        )
        del kb, engine

    progress("start-up: FAQ bot and bare aiogram bot")
    report.startup = await measure_startup(settings.faq_path, plan.startup_runs)
