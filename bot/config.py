"""Settings from the environment and an optional ``.env`` file, checked once at start-up.

Real environment variables override ``.env``; an empty value counts as not set (so the
``NAME=`` lines of ``.env.example`` mean "use the default"). Every problem is reported as one
``ConfigError`` line that names the setting and where its value came from, and never repeats
a secret's value.
"""

from __future__ import annotations

import difflib
import io
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from dotenv.parser import Binding, parse_stream

from bot.engine.types import Thresholds
from bot.errors import ConfigError

T = TypeVar("T")

DEFAULT_DATABASE_PATH = Path("var/faq.sqlite3")
DEFAULT_FAQ_PATH = Path("data/faq.toml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BOT_MODES = ("polling", "webhook")
# About one message a second, Telegram's own per-chat sending limit, with room for a burst.
DEFAULT_THROTTLE_RATE = 5
DEFAULT_THROTTLE_WINDOW = 5.0
DEFAULT_POLL_TIMEOUT = 30
DEFAULT_POLL_RETRY_MAX = 10.0

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
_ADMIN_ID_RE = re.compile(r"^\d{1,19}$")
# Settings only serving Telegram needs; commands that work offline leave them unread.
TELEGRAM_SETTINGS = (
    "BOT_TOKEN",
    "TELEGRAM_API_BASE",
    "BOT_MODE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "POLL_TIMEOUT",
    "POLL_RETRY_MAX",
)


class Secret:
    """A string that shows as ``***`` wherever it is printed, logged or repr'd."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    bot_token: Secret | None = None
    telegram_api_base: str | None = None  # e.g. http://127.0.0.1:8081, without a trailing /
    database_path: Path = DEFAULT_DATABASE_PATH
    faq_path: Path = DEFAULT_FAQ_PATH
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    thresholds: Thresholds = field(default_factory=Thresholds)
    bot_mode: str = "polling"
    webhook_url: str | None = None
    webhook_secret: Secret | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    throttle_rate: int = DEFAULT_THROTTLE_RATE  # messages per user per window; 0 turns it off
    throttle_window: float = DEFAULT_THROTTLE_WINDOW  # seconds
    poll_timeout: int = DEFAULT_POLL_TIMEOUT  # seconds a getUpdates long poll is held open
    poll_retry_max: float = DEFAULT_POLL_RETRY_MAX  # longest wait between retries, seconds


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    require_token: bool = True,
    *,
    telegram: bool = True,
) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``) over ``env_file`` (if it exists).

    ``os.environ`` is never modified. Relative paths are resolved against the current
    directory. ``require_token=False`` is for serving without a token (the console chat); a
    token that is set must still be well-formed. ``telegram=False`` is for commands that never
    talk to Telegram (``ask``, ``import``, ``chat``...): the ``TELEGRAM_SETTINGS`` are then
    not read at all, so that a half-configured webhook or a bad token, which only the bot
    needs right, does not stop them; they keep their defaults.
    """
    env_lines = _read_env_file(env_file) if env_file is not None else {}
    file_values = {name: value for name, (value, _line) in env_lines.items()}
    ignored = () if telegram else TELEGRAM_SETTINGS
    environ = os.environ if environ is None else environ
    source = _Source(environ, file_values, env_file, ignored=ignored)

    token = source.get("BOT_TOKEN", _parse_token)
    if token is None and require_token and telegram:
        raise ConfigError(
            "BOT_TOKEN is not set: copy .env.example to .env "
            "and put your token from @BotFather there"
        )
    settings = Settings(
        bot_token=token,
        telegram_api_base=source.get("TELEGRAM_API_BASE", _parse_api_base),
        database_path=source.get("DATABASE_PATH", _parse_path) or _absolute(DEFAULT_DATABASE_PATH),
        faq_path=source.get("FAQ_PATH", _parse_path) or _absolute(DEFAULT_FAQ_PATH),
        admin_ids=source.get("ADMIN_IDS", _parse_admin_ids) or frozenset(),
        log_level=source.get("LOG_LEVEL", _parse_log_level) or "INFO",
        thresholds=_thresholds(source),
        bot_mode=source.get("BOT_MODE", _parse_bot_mode) or "polling",
        webhook_url=source.get("WEBHOOK_URL", _parse_webhook_url),
        webhook_secret=source.get("WEBHOOK_SECRET", _parse_webhook_secret),
        webhook_host=source.get("WEBHOOK_HOST", str) or "0.0.0.0",
        webhook_port=_or(source.get("WEBHOOK_PORT", _parse_port), 8080),
        throttle_rate=_or(source.get("THROTTLE_RATE", _parse_throttle_rate), DEFAULT_THROTTLE_RATE),
        throttle_window=_or(
            source.get("THROTTLE_WINDOW", _parse_throttle_window), DEFAULT_THROTTLE_WINDOW
        ),
        poll_timeout=_or(source.get("POLL_TIMEOUT", _parse_poll_timeout), DEFAULT_POLL_TIMEOUT),
        poll_retry_max=_or(
            source.get("POLL_RETRY_MAX", _parse_poll_retry_max), DEFAULT_POLL_RETRY_MAX
        ),
    )
    _check_webhook_mode(settings)
    if env_file is not None:
        _check_no_misspelled_names(env_file, env_lines, source.asked, ignore=ignored)
    return settings


def _check_no_misspelled_names(
    path: Path,
    env_lines: Mapping[str, tuple[str, int]],
    known: set[str],
    ignore: tuple[str, ...] = (),
) -> None:
    """A name close to a setting's (``ADMIN_ID``) is a typo that would silently leave the
    setting at its default; other names may be for other tools and are left alone, and so are
    near misses of the ``ignore`` settings (which the caller does not use)."""
    for name, (_value, line) in env_lines.items():
        if name in known:
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.8)
        if close and close[0] not in ignore:
            raise ConfigError(f"{path}:{line}: unknown setting {name}; did you mean {close[0]}?")


class _Invalid(ValueError):
    """Raised by a parser with the problem; ``_Source`` adds the setting's name and origin."""


class _Source:
    """Looks a setting up in the environment, then in the ``.env`` file, remembering which."""

    def __init__(
        self,
        environ: Mapping[str, str],
        file_values: Mapping[str, str],
        env_file: Path | None,
        ignored: tuple[str, ...] = (),
    ) -> None:
        self._environ = environ
        self._file_values = file_values
        self._env_file = env_file
        self._ignored = ignored  # read as unset, whatever their value
        self.asked: set[str] = set()  # every setting's name, once settings are loaded

    def raw(self, name: str) -> tuple[str, str] | None:
        """The stripped value and a phrase saying where it came from; None if unset or empty."""
        self.asked.add(name)
        if name in self._ignored:
            return None
        value = self._environ.get(name)
        if value is not None and value.strip():
            return value.strip(), "in the environment"
        value = self._file_values.get(name)
        if value is not None and value.strip():
            return value.strip(), f"in {self._env_file}"
        return None

    def get(self, name: str, parse: Callable[[str], T]) -> T | None:
        found = self.raw(name)
        if found is None:
            return None
        value, origin = found
        try:
            return parse(value)
        except _Invalid as problem:
            # "ADMIN_IDS in .env: 'abc' is not ..." when the value is quoted, else a sentence.
            separator = ": " if str(problem).startswith("'") else " "
            raise ConfigError(f"{name} {origin}{separator}{problem}") from None


def _read_env_file(path: Path) -> dict[str, tuple[str, int]]:
    """Each name set in the file, with its value and line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}  # a .env file is optional
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, expected a .env file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # Notepad may add a BOM
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 encoded (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); save the file as UTF-8"
        ) from None
    # Read as python-dotenv reads it, without ${VAR} interpolation (it would read os.environ
    # behind the caller's back), but a line it cannot read is an error, not silently skipped.
    values: dict[str, tuple[str, int]] = {}
    for binding in parse_stream(io.StringIO(text)):
        line = _first_line(binding)
        if binding.error:
            # The line itself is not shown: it may hold the token.
            raise ConfigError(f"{path}:{line}: not a NAME=value line (or a quote is not closed)")
        if binding.key is not None and binding.value is not None:
            values[binding.key] = (binding.value, line)
    return values


def _first_line(binding: Binding) -> int:
    """The line of a binding's name: python-dotenv counts from the blank lines before it."""
    read = binding.original.string
    blank = read[: len(read) - len(read.lstrip())]
    return binding.original.line + blank.count("\n")


def _parse_token(value: str) -> Secret:
    if not _TOKEN_RE.match(value):
        raise _Invalid(
            "looks malformed (expected '<digits>:<letters, digits, - and _>' from @BotFather)"
        )
    return Secret(value)


def _parse_http_url(value: str, schemes: tuple[str, ...]) -> str:
    # The value is not echoed: a pasted URL may contain the bot token.
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{scheme}://" for scheme in schemes)
        raise _Invalid(f"is not an {wanted} URL")
    return value.rstrip("/")


def _parse_api_base(value: str) -> str:
    return _parse_http_url(value, ("http", "https"))


def _parse_webhook_url(value: str) -> str:
    try:
        return _parse_http_url(value, ("https",))
    except _Invalid:
        message = "is not an https:// URL (Telegram delivers webhooks over HTTPS only)"
        raise _Invalid(message) from None


def _parse_webhook_secret(value: str) -> Secret:
    if not _WEBHOOK_SECRET_RE.match(value):
        raise _Invalid("must be 1-256 characters, only letters A-Z a-z, digits, '_' and '-'")
    return Secret(value)


def _parse_path(value: str) -> Path:
    return _absolute(Path(value).expanduser())


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else Path.cwd() / path


def _parse_admin_ids(value: str) -> frozenset[int]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not all(_ADMIN_ID_RE.match(part) and int(part) > 0 for part in parts):
        raise _Invalid(f"{value!r} is not a list of numeric Telegram user ids")
    return frozenset(int(part) for part in parts)


def _parse_log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise _Invalid(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
    return value.upper()


def _parse_bot_mode(value: str) -> str:
    if value.lower() not in BOT_MODES:
        raise _Invalid(f"{value!r} is not one of {', '.join(BOT_MODES)}")
    return value.lower()


def _parse_fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:  # also rejects nan
        raise _Invalid(f"{value!r} is not a number between 0 and 1")
    return number


def _parse_port(value: str) -> int:
    if not value.isdecimal() or not 1 <= int(value) <= 65535:
        raise _Invalid(f"{value!r} is not a port number (1-65535)")
    return int(value)


def _parse_throttle_rate(value: str) -> int:
    if not value.isdecimal() or int(value) > 10_000:
        raise _Invalid(f"{value!r} is not a whole number of messages (0 turns throttling off)")
    return int(value)


def _parse_throttle_window(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0.0 < seconds <= 3600.0:
        raise _Invalid(f"{value!r} is not a number of seconds (above 0, at most 3600)")
    return seconds


def _parse_poll_timeout(value: str) -> int:
    if not value.isdecimal() or not 1 <= int(value) <= 50:
        raise _Invalid(f"{value!r} is not a whole number of seconds (1-50)")
    return int(value)


def _parse_poll_retry_max(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0.0 < seconds <= 300.0:
        raise _Invalid(f"{value!r} is not a number of seconds (above 0, at most 300)")
    return seconds


def _thresholds(source: _Source) -> Thresholds:
    defaults = Thresholds()
    answer = _or(source.get("ANSWER_THRESHOLD", _parse_fraction), defaults.answer)
    suggest = _or(source.get("SUGGEST_THRESHOLD", _parse_fraction), defaults.suggest)
    if suggest > answer:
        raise ConfigError(
            f"SUGGEST_THRESHOLD ({suggest}) must not be greater than ANSWER_THRESHOLD ({answer})"
        )
    return Thresholds(answer=answer, suggest=suggest)


def _check_webhook_mode(settings: Settings) -> None:
    if settings.bot_mode != "webhook":
        return
    if settings.webhook_url is None:
        raise ConfigError(
            "BOT_MODE is webhook but WEBHOOK_URL is not set (the public https:// URL)"
        )
    if settings.webhook_secret is None:
        raise ConfigError(
            "BOT_MODE is webhook but WEBHOOK_SECRET is not set "
            "(1-256 characters: letters, digits, '_' and '-')"
        )


def _or(value: T | None, default: T) -> T:
    """``value or default`` that keeps legitimate zeros (a threshold or rate of 0)."""
    return default if value is None else value
