"""Logging: one line per record on stderr, with secrets blanked out.

The bot token is part of every Bot API URL, so a library's error message or a traceback can carry
it. The redacting filter sits on the handler, so it sees every record from every logger, at every
level, and blanks the secrets out of the message, its arguments and the exception text.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# aiogram logs every update it handles ("Update id=... is handled") at INFO on this logger; its
# errors go there too. At INFO that is one line per message, noise that also costs a write to
# stderr per update, so it speaks from WARNING up unless LOG_LEVEL is DEBUG.
PER_UPDATE_LOGGER = "aiogram.event"
REDACTED = "***"
# Parts shorter than this are not secrets worth hunting for and would blank common words.
_MIN_SECRET_LENGTH = 8


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = _secret_variants(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: keep what can be shown, without the arguments
            message = f"{record.msg} (unformattable log arguments dropped)"
        record.msg, record.args = self.redact(message), None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def _secret_variants(secrets: Iterable[str]) -> list[str]:
    """Each secret, and for a bot token also the part after the colon (the id is public)."""
    variants: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        variants.add(secret)
        _, _, tail = secret.partition(":")
        if len(tail) >= _MIN_SECRET_LENGTH:
            variants.add(tail)
    return sorted(variants, key=len, reverse=True)  # longest first: the whole before its part


class OneLineFormatter(logging.Formatter):
    """Multi-line messages and tracebacks on one line, so each record is one line of the log."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", " | ")


def configure_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every logger's records at ``level`` and above to ``stream`` (stderr), redacted;
    aiogram's line per handled update only at DEBUG (see ``PER_UPDATE_LOGGER``).

    Warnings and exceptions nobody caught are printed by Python itself, not through logging; they
    are routed through the same redaction (a network error's text can quote the request URL, and
    with it the token).
    """
    redactor = RedactSecrets(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger(PER_UPDATE_LOGGER).setLevel(_per_update_level(root.level))
    logging.captureWarnings(True)
    _redact_uncaught_exceptions(redactor)
    return handler


def _per_update_level(level: int) -> int:
    """DEBUG keeps aiogram's line per update; above it, that logger says warnings and errors
    only, and never more than ``level`` lets through (a logger's own level overrides the
    root's)."""
    if level <= logging.DEBUG:
        return logging.NOTSET  # as the root says
    return max(level, logging.WARNING)


def _redact_uncaught_exceptions(redactor: RedactSecrets) -> None:
    def print_redacted(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(redactor.redact(text))

    def print_redacted_in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            print_redacted(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = print_redacted
    threading.excepthook = print_redacted_in_thread


def secrets_of(settings: Settings) -> list[str]:
    """The values that must never reach a log: the bot token and the webhook secret."""
    return [
        secret.get_secret_value()
        for secret in (settings.bot_token, settings.webhook_secret)
        if secret is not None
    ]
