"""`python -m bot additions`: list the owners' in-chat additions, or remove some.

python -m bot additions                           # list them, oldest first
python -m bot additions --remove-phrasing 3       # a phrasing added by a mistaken tap
python -m bot additions --remove-entry visa-rules # an entry created in the chat

Owners add phrasings and entries in the chat (/unanswered); they live in the database
(DATABASE_PATH), and the bot lays them over the knowledge-base file. Removing one here takes
effect in a running bot at its next /reload (or restart). An addition already exported into the
file stays in the file: edit the file for that.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import OperatorError

if TYPE_CHECKING:
    from bot.storage import Database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--remove-phrasing",
        type=int,
        action="append",
        default=[],
        metavar="NUMBER",
        help="remove the phrasing with this number (as listed); may be repeated",
    )
    parser.add_argument(
        "--remove-entry",
        action="append",
        default=[],
        metavar="ID",
        help="remove the entry created in the chat with this id; may be repeated",
    )
    parser.add_argument(
        "--database",
        type=Path,
        metavar="PATH",
        help="database with the owners' additions (default: DATABASE_PATH, var/faq.sqlite3)",
    )


def run(args: argparse.Namespace) -> int:
    from bot.knowledge.loader import display_path

    database: Path | None = args.database
    if database is None:
        from bot.config import load_settings

        database = load_settings(telegram=False).database_path
    if not database.exists():
        raise OperatorError(f"no database at {display_path(database)}: nothing was added yet")
    return asyncio.run(_run(args, database))


async def _run(args: argparse.Namespace, path: Path) -> int:
    from bot.storage import Database

    if not args.remove_phrasing and not args.remove_entry:
        async with await Database.open_for_reading(path) as db:  # a read-only file will do
            await _list(db)
            return 0
    async with await Database.open(path) as db:
        return await _remove(db, args.remove_phrasing, args.remove_entry)


async def _list(db: Database) -> None:
    from bot.formatting import moment

    phrasings, entries = await db.phrasings(), await db.owner_entries()
    if not phrasings and not entries:
        print("no additions: owners have added nothing in the chat")
        return
    for entry in entries:
        when = moment(entry.created_at)
        print(f"entry {entry.id!r} in {entry.section_id!r} ({when}, owner {entry.added_by}):")
        print(f"    {entry.question}")
    for phrasing in phrasings:
        when = moment(phrasing.created_at)
        print(
            f"phrasing {phrasing.id} of {phrasing.entry_id!r} ({when}, owner {phrasing.added_by}):"
        )
        print(f"    {phrasing.text}")


async def _remove(db: Database, phrasing_ids: list[int], entry_ids: list[str]) -> int:
    """Remove all the named additions, or, if one of them does not exist, none of them."""
    phrasings = {phrasing.id for phrasing in await db.phrasings()}
    entries = {entry.id for entry in await db.owner_entries()}
    missing = [f"phrasing {number}" for number in phrasing_ids if number not in phrasings]
    missing += [f"entry {entry_id!r}" for entry_id in entry_ids if entry_id not in entries]
    if missing:
        listed = ", ".join(missing)
        raise OperatorError(
            f"no such addition: {listed} (`python -m bot additions` lists them); nothing removed"
        )
    # Phrasings first: removing an entry also removes the phrasings added to it.
    for number in dict.fromkeys(phrasing_ids):  # each once, in the order given
        await db.remove_phrasing(number)
        print(f"removed phrasing {number}")
    for entry_id in dict.fromkeys(entry_ids):
        await db.remove_owner_entry(entry_id)
        print(f"removed entry {entry_id!r} and the phrasings added to it")
    print("a running bot applies this at its next /reload")
    return 0
