"""Command line: ``python -m bot [run|chat|ask|eval|import|export|bench]``.

Each command lives in ``bot.commands.<name>`` and is imported only when asked for, so that
``ask`` and ``eval`` do not pay for importing aiogram.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from bot.errors import OperatorError

COMMANDS: dict[str, str] = {
    "run": "serve Telegram (the default); without BOT_TOKEN on a terminal, opens the console chat",
    "chat": "talk to the bot in this terminal, no Telegram account or token needed",
    "ask": "answer questions offline with the bot's engine and knowledge base",
    "eval": "measure matching accuracy on a labelled set of queries",
    "import": "merge a TOML, plain-text or Markdown file of questions into the knowledge base",
    "export": "write the knowledge base, with owners' in-chat additions, back to a file",
    "additions": "list the owners' in-chat additions, or remove a mistaken one",
    "bench": "benchmark matching, throughput, start-up and memory",
    "health": "check that the running bot serves (exit 0) or not (exit 1), for HEALTHCHECK",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Telegram FAQ bot")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        _command_module(name).add_arguments(command)
    return parser


def _command_module(name: str) -> ModuleType:
    return importlib.import_module(f"bot.commands.{name}_cmd")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run"])
    try:
        return int(_command_module(args.command).run(args) or 0)
    except OperatorError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """The output was piped into a reader that stopped early (``| head``): end quietly, as
    command-line tools do, instead of with a traceback. Standard output goes to /dev/null so
    that Python's final flush of it does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1
