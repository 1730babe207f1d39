"""`python -m bot ask [TEXT]`: the bot's reply, offline, to a message or to each stdin line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.engine import FaqEngine, MatchResult
    from bot.knowledge.model import KnowledgeBase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="*", help="the message (default: each line of stdin)")
    parser.add_argument("--faq", type=Path, help="knowledge base file, .toml, .txt or .md")
    parser.add_argument("--json", action="store_true", help="one JSON object per message")
    parser.add_argument(
        "--explain", action="store_true", help="show which words matched, and their weights"
    )


def build_engine(faq: Path | None, *, with_additions: bool = False) -> FaqEngine:
    """The engine as the bot builds it: the settings' FAQ path and thresholds, and with
    ``with_additions`` the owners' in-chat additions from the database, as the bot answers
    with them. ``faq`` tries another file, alone."""
    from bot.config import load_settings
    from bot.engine import FaqEngine
    from bot.knowledge.loader import load_knowledge_base

    settings = load_settings(telegram=False)
    kb = load_knowledge_base(faq or settings.faq_path)
    if with_additions and faq is None and settings.database_path.exists():
        kb = _with_additions(kb, settings.database_path)
    return FaqEngine.build(kb, settings.thresholds)


def _with_additions(kb: KnowledgeBase, database: Path) -> KnowledgeBase:
    """``kb`` with the owners' additions; the file alone if the database cannot be read."""
    import asyncio

    from bot.commands.export_cmd import read_additions
    from bot.knowledge.loader import display_path
    from bot.storage import StorageError

    try:
        overlay = asyncio.run(read_additions(kb, database))
    except StorageError as error:
        print(f"{error}: answering from the knowledge-base file alone", file=sys.stderr)
        return kb
    if overlay.phrasings_added or overlay.entries_added:
        print(
            f"(with {overlay.phrasings_added} phrasings and {overlay.entries_added} entries "
            f"added in the chat, from {display_path(database)})",
            file=sys.stderr,
        )
    return overlay.kb


def run(args: argparse.Namespace) -> int:
    engine = build_engine(args.faq, with_additions=True)
    messages = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    for message in messages:
        if args.json:
            print(json.dumps(result_json(engine.match(message)), ensure_ascii=False))
        elif args.explain:
            print(engine.explain(message))
            print()
        else:
            print(describe(engine.match(message)))
        if args.explain and args.json:
            print(engine.explain(message), file=sys.stderr)
        sys.stdout.flush()
    return 0


def result_json(result: MatchResult) -> dict[str, Any]:
    from bot.engine import Outcome

    chosen = result.best if result.outcome is Outcome.ANSWER else None
    return {
        "query": result.query,
        "outcome": result.outcome.value,
        "id": chosen.entry.id if chosen else None,
        "question": chosen.entry.question if chosen else None,
        "score": round(chosen.score if chosen else result.score, 4),
        "suggestions": [
            {"id": c.entry.id, "question": c.entry.question, "score": round(c.score, 4)}
            for c in result.suggestions
        ],
        "answer": chosen.entry.answer if chosen else None,
        "small_talk": result.small_talk.value if result.small_talk else None,
    }


def describe(result: MatchResult) -> str:
    from bot.engine import Outcome

    lines = [f"> {result.query}"]
    if result.outcome is Outcome.ANSWER and result.best is not None:
        entry = result.best.entry
        lines.append(f"answer [{entry.id}] ({result.best.score:.2f}) {entry.question}")
        lines.append(entry.answer)
    elif result.outcome is Outcome.SUGGEST:
        lines.append(f"did you mean ({result.score:.2f}):")
        lines.extend(
            f"  [{c.entry.id}] ({c.score:.2f}) {c.entry.question}" for c in result.suggestions
        )
    elif result.small_talk is not None:
        lines.append(f"small talk: {result.small_talk.value}")
    else:
        lines.append(f"no answer ({result.score:.2f})")
    return "\n".join(lines)
