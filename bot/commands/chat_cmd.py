"""`python -m bot chat`: talk to the bot in this terminal, no Telegram account or token needed."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        default="ru",
        metavar="CODE",
        help="your Telegram language code, which picks the interface language (default: ru)",
    )


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.console import chat

    return chat(load_settings(telegram=False), language_code=args.lang)
