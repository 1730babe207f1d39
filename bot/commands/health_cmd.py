"""`python -m bot health`: is the bot serving? One line, exit 0 (healthy) or 1 (not).

For the Dockerfile's HEALTHCHECK and other orchestrators, so it never exits 2 (Docker reserves
it) and never prints a traceback. In webhook mode it asks the running server's /healthz; in
polling mode it checks that the polling loop got an answer from Telegram recently (see
bot/heartbeat.py). It reads the same settings as the bot, so it runs in the bot's environment.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HTTP_TIMEOUT = 3.0  # seconds; Docker's own timeout for the whole check is 5 s
HEARTBEAT_MAX_AGE = 90.0  # seconds: a few long polls missed, not one slow answer
HEALTHY, UNHEALTHY = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-age",
        type=float,
        default=HEARTBEAT_MAX_AGE,
        metavar="SECONDS",
        help=f"polling mode: the longest time since Telegram last answered "
        f"(default {HEARTBEAT_MAX_AGE:.0f})",
    )


def run(args: argparse.Namespace) -> int:
    from bot.config import load_settings
    from bot.errors import OperatorError

    try:
        settings = load_settings(require_token=False)
    except OperatorError as error:
        print(f"unhealthy: {error.message}", flush=True)
        return UNHEALTHY
    if settings.bot_mode == "webhook":
        healthy, line = check_webhook(settings.webhook_host, settings.webhook_port)
    else:
        from bot.heartbeat import heartbeat_path

        healthy, line = check_heartbeat(heartbeat_path(settings.database_path), args.max_age)
    print(f"{'ok' if healthy else 'unhealthy'}: {line}", flush=True)
    return HEALTHY if healthy else UNHEALTHY


def health_url(host: str, port: int) -> str:
    """The server's /healthz as seen from inside its own container or host."""
    if host in ("", "0.0.0.0"):  # listening everywhere: loopback is one of them
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def check_webhook(host: str, port: int) -> tuple[bool, str]:
    import urllib.error
    import urllib.request

    url = health_url(host, port)
    # No proxy: HTTP_PROXY in the environment must not send a loopback request elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=HTTP_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"no answer from {url}: {reason}"
    if status == 200:
        return True, f"the webhook server answers at {url}"
    return False, f"{url} answered {status} (starting or stopping)"


def check_heartbeat(path: Path, max_age: float) -> tuple[bool, str]:
    from bot.heartbeat import heartbeat_age

    age = heartbeat_age(path)
    if age is None:
        return False, f"no heartbeat at {path} yet: the bot has not polled Telegram"
    if age > max_age:
        return False, f"Telegram last answered {age:.0f} s ago (limit {max_age:.0f} s)"
    return True, f"Telegram answered {age:.0f} s ago"
