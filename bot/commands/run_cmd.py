"""`python -m bot run` (the default command): serve Telegram by long polling or, with
BOT_MODE=webhook, as a webhook server; or open the console chat when there is no token and stdin
is a terminal."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from bot.config import load_settings
    from bot.logging_setup import configure_logging, secrets_of

    interactive = sys.stdin.isatty()
    settings = load_settings(require_token=not interactive)
    configure_logging(settings.log_level, secrets_of(settings))
    if settings.bot_mode == "webhook" and settings.bot_token is not None:
        from bot.webhook import serve_webhook

        asyncio.run(serve_webhook(settings))
        return 0
    from bot.runner import main

    return main()
