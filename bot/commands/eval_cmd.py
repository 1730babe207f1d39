"""`python -m bot eval FILE`: accuracy of the engine on a labelled TSV file of queries."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="labelled TSV: query, expected entry id, category")
    parser.add_argument("--faq", type=Path, help="knowledge base file (default: FAQ_PATH)")
    parser.add_argument(
        "--failures", action="store_true", help="list each failed query and what the bot did"
    )


def run(args: argparse.Namespace) -> int:
    from bot.commands.ask_cmd import build_engine
    from bot.evaluation import evaluate, format_report, read_labelled

    engine = build_engine(args.faq)
    report = evaluate(engine, read_labelled(args.file), str(args.file))
    print(format_report(report, failures=args.failures))
    return 0
