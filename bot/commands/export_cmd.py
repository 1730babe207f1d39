"""`python -m bot export [PATH]`: write the knowledge base in the project format.

python -m bot export                         # to stdout
python -m bot export backup.toml             # to a file (replaced atomically)
python -m bot export faq.toml --faq seed.txt # convert a plain-text seed file to TOML
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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


def run(args: argparse.Namespace) -> int:
    from bot.errors import KnowledgeBaseError
    from bot.knowledge.loader import display_path, load_knowledge_base
    from bot.knowledge.writer import dump_knowledge_base, write_atomically

    source = args.faq if args.faq is not None else _configured_faq_path()
    text = dump_knowledge_base(load_knowledge_base(source))
    if args.path is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return 0
    if args.path.exists() and args.path.resolve() == source.resolve():
        # Export rewrites from scratch: it would drop the editor's comments and layout.
        raise KnowledgeBaseError(
            f"{display_path(args.path)}: refusing to overwrite the knowledge base being exported; "
            "choose another file"
        )
    write_atomically(args.path, text)
    print(f"wrote {display_path(args.path)}", file=sys.stderr)
    return 0


def _configured_faq_path() -> Path:
    from bot.config import load_settings

    return load_settings(require_token=False).faq_path
