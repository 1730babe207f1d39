"""`python -m bot run` (the default command): serve Telegram, or open the console chat when
there is no token and stdin is a terminal."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from bot.runner import main

    return main()
