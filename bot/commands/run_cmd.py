"""`python -m bot run` (the default command): serve Telegram by long polling or, with
BOT_MODE=webhook, as a webhook server; or open the console chat when there is no token and stdin
is a terminal."""

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    import sys

    from bot.config import load_settings

    # Without a terminal a missing token is an error: load_settings raises ConfigError (exit 2).
    settings = load_settings(require_token=not sys.stdin.isatty())
    if settings.bot_mode == "webhook" and settings.bot_token is not None:
        import asyncio

        from bot.logging_setup import configure_logging, secrets_of
        from bot.webhook import serve_webhook

        configure_logging(settings.log_level, secrets_of(settings))
        asyncio.run(serve_webhook(settings))
        return 0
    from bot.runner import main  # long polling, or the console chat without a token

    return main()
