"""`python -m bot export [PATH]`: write the knowledge base, with owners' in-chat additions.

python -m bot export                         # to stdout
python -m bot export backup.toml             # to a file (replaced atomically)
python -m bot export data/faq.toml           # into the knowledge base itself (a merge)
python -m bot export faq.toml --faq seed.txt # convert a plain-text seed file to TOML

The phrasings and entries that owners added in the chat live in the database (DATABASE_PATH);
export lays them over the file (FAQ_PATH) exactly as the bot does, so the file can stay the
source of truth in version control. Exporting into the knowledge-base file merges like
``import`` does, keeping the editor's comments and layout. The additions stay in the database
afterwards; the bot then skips them as already in the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.knowledge.additions import Overlay
    from bot.knowledge.model import KnowledgeBase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", type=Path, nargs="?", metavar="PATH", help="output file (default: stdout)"
    )
    parser.add_argument(
        "--faq",
        type=Path,
        metavar="PATH",
        help="knowledge base to export (default: FAQ_PATH, data/faq.toml)",
    )
    parser.add_argument(
        "--database",
        type=Path,
        metavar="PATH",
        help="database with the owners' additions (default: DATABASE_PATH, var/faq.sqlite3)",
    )
    parser.add_argument(
        "--no-database",
        action="store_true",
        help="export the knowledge-base file alone, without the owners' additions",
    )


def run(args: argparse.Namespace) -> int:
    from bot.knowledge.loader import display_path, load_knowledge_base
    from bot.knowledge.writer import dump_knowledge_base, write_atomically

    if args.path is not None:
        _check_output(args.path)
    source, database = _paths(args)
    overlay = _with_additions(load_knowledge_base(source), database)
    if args.path is not None and args.path.exists() and args.path.resolve() == source.resolve():
        return _export_into_source(overlay.kb, source)
    text = dump_knowledge_base(overlay.kb)
    if args.path is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return 0
    write_atomically(args.path, text)
    print(f"wrote {display_path(args.path)}", file=sys.stderr)
    return 0


def _check_output(path: Path) -> None:
    """Refuse, before any work, a file the bot could not read back or a folder that is not
    there (a typo in a path should not quietly create folders)."""
    from bot.errors import KnowledgeBaseError
    from bot.knowledge.loader import display_path, is_toml

    name = display_path(path)
    if not is_toml(path):
        raise KnowledgeBaseError(f"{name}: export writes TOML; choose a file name ending in .toml")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise KnowledgeBaseError(f"{name}: {display_path(folder)} is a file, not a folder")
    if not folder.is_dir():
        raise KnowledgeBaseError(
            f"{name}: the folder {display_path(folder)} does not exist (export creates no folders)"
        )


def _paths(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """The knowledge base and the database (None: not wanted); settings are read only if needed."""
    source: Path | None = args.faq
    database: Path | None = None if args.no_database else args.database
    if source is None or (database is None and not args.no_database):
        from bot.config import load_settings

        settings = load_settings(telegram=False)
        source = source or settings.faq_path
        database = None if args.no_database else database or settings.database_path
    return source, database


def _with_additions(kb: KnowledgeBase, database: Path | None) -> Overlay:
    """``kb`` with the database's additions, reporting on stderr what came from where."""
    import asyncio

    from bot.knowledge.additions import overlay_owner_additions
    from bot.knowledge.loader import display_path

    if database is None:
        return overlay_owner_additions(kb, (), ())
    if not database.exists():
        print(
            f"no database at {display_path(database)}: exporting the knowledge-base file alone",
            file=sys.stderr,
        )
        return overlay_owner_additions(kb, (), ())
    overlay = asyncio.run(read_additions(kb, database))
    for line in overlay.skipped:
        print(line, file=sys.stderr)
    phrasings = _count(overlay.phrasings_added, "phrasing", "phrasings")
    entries = _count(overlay.entries_added, "entry", "entries")
    print(
        f"{display_path(database)}: {phrasings} and {entries} added in the chat "
        "and not yet in the file",
        file=sys.stderr,
    )
    return overlay


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


async def read_additions(kb: KnowledgeBase, database: Path) -> Overlay:
    """``kb`` with the owners' in-chat additions stored in ``database`` (opened read-only)."""
    from bot.storage import Database

    async with await Database.open_for_reading(database) as db:
        return await db.owner_overlay(kb)


def _export_into_source(kb: KnowledgeBase, source: Path) -> int:
    """Merge into the knowledge-base file (a .toml one: ``_check_output``), as ``import``
    would, instead of rewriting it."""
    from bot.knowledge.loader import display_path
    from bot.knowledge.writer import plan_merge, write_atomically

    name = display_path(source)
    result = plan_merge(kb, source)
    for line in result.lines:
        print(line)
    print(result.summary())
    if result.modifies_file:
        write_atomically(source, result.text)
        print(f"wrote {name}")
    else:
        print(f"{name} is already up to date")
    return 0
