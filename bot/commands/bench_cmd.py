"""`python -m bot bench`: how fast the bot matches, answers and starts, and what it costs.

python -m bot bench           # everything, up to 100,000 entries (about 2 minutes)
python -m bot bench --quick   # without 100,000 entries, fewer messages (about half a minute)
python -m bot bench --json    # the same numbers as JSON, for scripts

A benchmark, not a test: it prints numbers and whether they meet the project's targets, and
exits 0 either way. Run it on a quiet machine; timings on a busy one are only indicative.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_true", help="skip 100,000 entries and time fewer messages"
    )
    size.add_argument(
        "--smoke", action="store_true", help="a tiny run that only checks the benchmark works"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace) -> int:
    from bot.bench.measure import BenchError
    from bot.bench.plan import FULL, QUICK, SMOKE
    from bot.bench.report import format_report, to_json
    from bot.bench.suite import run_bench

    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    try:
        report = run_bench(plan, progress=_progress)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_json(report), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def _progress(line: str) -> None:
    print(f"bench: {line}", file=sys.stderr, flush=True)
