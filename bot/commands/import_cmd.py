"""`python -m bot import FILE`: merge a TOML, plain-text or Markdown file of questions into the KB.

python -m bot import seed.txt                 # into FAQ_PATH (default data/faq.toml)
python -m bot import more.toml --dry-run      # show what would change, write nothing
python -m bot import new.txt --section misc   # new questions go to the existing section "misc"
python -m bot import faq.md                   # "## Question" headings, answers under them
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="questions to import: .toml (project format), .txt (a question line, then its "
        "answer; blocks separated by blank lines for answers of several lines) or .md "
        "('## Question' headings with the answer under each)",
    )
    parser.add_argument(
        "--faq",
        type=Path,
        metavar="PATH",
        help="knowledge base to update (default: FAQ_PATH, data/faq.toml); created if missing",
    )
    parser.add_argument(
        "--section",
        metavar="ID",
        help="section for new questions (default: their own section for .toml, else "
        "'imported'); questions already in the base stay in their section",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would change without writing"
    )


def run(args: argparse.Namespace) -> int:
    from bot.knowledge.loader import display_path
    from bot.knowledge.writer import plan_import, write_atomically

    target = args.faq if args.faq is not None else _configured_faq_path()
    result = plan_import(args.file, target, section_id=args.section)
    for line in result.lines:
        print(line)
    print(result.summary())
    name = display_path(target)
    if args.dry_run:
        print(f"dry run: {name} not changed")
    elif result.modifies_file:
        write_atomically(target, result.text)
        print(f"wrote {name}")
    else:
        print(f"{name} is already up to date")
    return 0


def _configured_faq_path() -> Path:
    from bot.config import load_settings

    return load_settings(telegram=False).faq_path
