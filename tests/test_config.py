"""Settings: every variable's parsing, every error's exact line, and secrets never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Secret, Settings, load_settings
from bot.engine.types import Thresholds
from bot.errors import ConfigError

TOKEN = "123456789:AAHk3_secret-TOKEN-abcdefghijklmnopqrs"
WEBHOOK_SECRET = "hook_SECRET-value-42"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def settings_from(
    env: dict[str, str] | None = None, dotenv: str | None = None, require_token: bool = False
) -> Settings:
    env_file = None
    if dotenv is not None:
        env_file = Path(".env")
        env_file.write_text(dotenv, encoding="utf-8")
    return load_settings(environ=env or {}, env_file=env_file, require_token=require_token)


def error_from(
    env: dict[str, str] | None = None, dotenv: str | None = None, require_token: bool = False
) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from(env, dotenv, require_token)
    assert caught.value.exit_code == 2
    message = caught.value.message
    assert "\n" not in message
    assert TOKEN not in message
    assert WEBHOOK_SECRET not in message
    return message


# --- defaults and sources ---------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    settings = settings_from()
    assert settings == Settings(
        bot_token=None,
        telegram_api_base=None,
        database_path=tmp_path / "var" / "faq.sqlite3",
        faq_path=tmp_path / "data" / "faq.toml",
        admin_ids=frozenset(),
        log_level="INFO",
        thresholds=Thresholds(),
        bot_mode="polling",
        webhook_url=None,
        webhook_secret=None,
        webhook_host="0.0.0.0",
        webhook_port=8080,
        throttle_rate=5,
        throttle_window=5.0,
    )


def test_all_settings_from_dotenv(tmp_path: Path) -> None:
    settings = settings_from(
        dotenv=f"""
# comment
BOT_TOKEN="{TOKEN}"
export TELEGRAM_API_BASE=http://127.0.0.1:8081/
DATABASE_PATH=state/bot.db
FAQ_PATH = /srv/faq.toml
ADMIN_IDS=1, 22 ,333,
LOG_LEVEL=debug
ANSWER_THRESHOLD=0.75
SUGGEST_THRESHOLD=0
BOT_MODE=Webhook
WEBHOOK_URL=https://bot.example.org/hook
WEBHOOK_SECRET={WEBHOOK_SECRET}
WEBHOOK_HOST=127.0.0.1
WEBHOOK_PORT=8443
THROTTLE_RATE=0
THROTTLE_WINDOW=2.5
UNRELATED_VARIABLE=whatever
""",
        require_token=True,
    )
    assert settings.bot_token == Secret(TOKEN)
    assert settings.telegram_api_base == "http://127.0.0.1:8081"
    assert settings.database_path == tmp_path / "state" / "bot.db"
    assert settings.faq_path == Path("/srv/faq.toml")
    assert settings.admin_ids == frozenset({1, 22, 333})
    assert settings.log_level == "DEBUG"
    assert settings.thresholds == Thresholds(answer=0.75, suggest=0.0)
    assert settings.bot_mode == "webhook"
    assert settings.webhook_url == "https://bot.example.org/hook"
    assert settings.webhook_secret == Secret(WEBHOOK_SECRET)
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8443)
    assert (settings.throttle_rate, settings.throttle_window) == (0, 2.5)


def test_environment_overrides_dotenv_and_is_not_modified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    Path(".env").write_text(f"LOG_LEVEL=ERROR\nBOT_TOKEN={TOKEN}\n", encoding="utf-8")
    settings = load_settings()  # os.environ and ./.env
    assert settings.log_level == "WARNING"
    assert settings.bot_token == Secret(TOKEN)
    assert "BOT_TOKEN" not in os.environ
    assert os.environ["LOG_LEVEL"] == "WARNING"


def test_empty_values_mean_unset() -> None:
    settings = settings_from(
        {"LOG_LEVEL": ""}, dotenv="BOT_TOKEN=\nWEBHOOK_PORT=  \nLOG_LEVEL=ERROR\n"
    )
    assert settings.bot_token is None
    assert settings.webhook_port == 8080
    assert settings.log_level == "ERROR"  # an empty environment value does not hide .env


def test_missing_dotenv_is_fine() -> None:
    assert load_settings(environ={}, require_token=False).log_level == "INFO"


def test_home_folder_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = settings_from({"FAQ_PATH": "~/faq.toml"})
    assert settings.faq_path == tmp_path / "home" / "faq.toml"


# --- secrets ----------------------------------------------------------------------------------


def test_secret_hides_its_value() -> None:
    secret = Secret(TOKEN)
    assert repr(secret) == str(secret) == f"{secret}" == "***"
    assert secret.get_secret_value() == TOKEN


def test_settings_repr_never_shows_secrets() -> None:
    settings = settings_from(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://example.org/x",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    )
    assert TOKEN not in repr(settings)
    assert WEBHOOK_SECRET not in repr(settings)
    assert "bot_token=***" in repr(settings)


# --- errors: one exact line each --------------------------------------------------------------


def test_token_required() -> None:
    assert error_from(require_token=True) == (
        "BOT_TOKEN is not set: copy .env.example to .env and put your token from @BotFather there"
    )


@pytest.mark.parametrize(
    "token",
    [TOKEN.replace(":", "-"), TOKEN[:20], "abc:" + TOKEN.split(":")[1], TOKEN + " extra"],
)
def test_malformed_token_is_not_echoed(token: str) -> None:
    assert error_from(dotenv=f"BOT_TOKEN={token}\n") == (
        "BOT_TOKEN in .env looks malformed "
        "(expected '<digits>:<letters, digits, - and _>' from @BotFather)"
    )
    assert error_from({"BOT_TOKEN": token}) == (
        "BOT_TOKEN in the environment looks malformed "
        "(expected '<digits>:<letters, digits, - and _>' from @BotFather)"
    )


def test_token_around_spaces_is_accepted() -> None:
    assert settings_from({"BOT_TOKEN": f"  {TOKEN}\n"}).bot_token == Secret(TOKEN)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ADMIN_IDS": "1,abc"},
            "ADMIN_IDS in the environment: '1,abc' is not a list of numeric Telegram user ids",
        ),
        (
            {"ADMIN_IDS": "-100"},
            "ADMIN_IDS in the environment: '-100' is not a list of numeric Telegram user ids",
        ),
        (
            {"LOG_LEVEL": "verbose"},
            "LOG_LEVEL in the environment: 'verbose' is not one of DEBUG, INFO, WARNING, ERROR",
        ),
        (
            {"BOT_MODE": "push"},
            "BOT_MODE in the environment: 'push' is not one of polling, webhook",
        ),
        (
            {"ANSWER_THRESHOLD": "high"},
            "ANSWER_THRESHOLD in the environment: 'high' is not a number between 0 and 1",
        ),
        (
            {"SUGGEST_THRESHOLD": "1.5"},
            "SUGGEST_THRESHOLD in the environment: '1.5' is not a number between 0 and 1",
        ),
        (
            {"ANSWER_THRESHOLD": "nan"},
            "ANSWER_THRESHOLD in the environment: 'nan' is not a number between 0 and 1",
        ),
        (
            {"ANSWER_THRESHOLD": "0.4", "SUGGEST_THRESHOLD": "0.5"},
            "SUGGEST_THRESHOLD (0.5) must not be greater than ANSWER_THRESHOLD (0.4)",
        ),
        (
            {"SUGGEST_THRESHOLD": "0.9"},
            f"SUGGEST_THRESHOLD (0.9) must not be greater than ANSWER_THRESHOLD "
            f"({Thresholds().answer})",
        ),
        (
            {"TELEGRAM_API_BASE": "ftp://127.0.0.1"},
            "TELEGRAM_API_BASE in the environment is not an http:// or https:// URL",
        ),
        (
            {"TELEGRAM_API_BASE": f"https://api.telegram.org/bot{TOKEN}/".replace("https", "htps")},
            "TELEGRAM_API_BASE in the environment is not an http:// or https:// URL",
        ),
        (
            {"WEBHOOK_PORT": "0"},
            "WEBHOOK_PORT in the environment: '0' is not a port number (1-65535)",
        ),
        (
            {"WEBHOOK_PORT": "65536"},
            "WEBHOOK_PORT in the environment: '65536' is not a port number (1-65535)",
        ),
        (
            {"WEBHOOK_PORT": "http"},
            "WEBHOOK_PORT in the environment: 'http' is not a port number (1-65535)",
        ),
        (
            {"THROTTLE_RATE": "-1"},
            "THROTTLE_RATE in the environment: '-1' is not a whole number of messages "
            "(0 turns throttling off)",
        ),
        (
            {"THROTTLE_WINDOW": "0"},
            "THROTTLE_WINDOW in the environment: '0' is not a number of seconds "
            "(above 0, at most 3600)",
        ),
        (
            {"BOT_MODE": "webhook", "WEBHOOK_SECRET": WEBHOOK_SECRET},
            "BOT_MODE is webhook but WEBHOOK_URL is not set (the public https:// URL)",
        ),
        (
            {"BOT_MODE": "webhook", "WEBHOOK_URL": "https://example.org/hook"},
            "BOT_MODE is webhook but WEBHOOK_SECRET is not set "
            "(1-256 characters: letters, digits, '_' and '-')",
        ),
        (
            {"WEBHOOK_URL": "http://example.org/hook"},
            "WEBHOOK_URL in the environment is not an https:// URL "
            "(Telegram delivers webhooks over HTTPS only)",
        ),
        (
            {"WEBHOOK_SECRET": WEBHOOK_SECRET + "!"},
            "WEBHOOK_SECRET in the environment must be 1-256 characters, "
            "only letters A-Z a-z, digits, '_' and '-'",
        ),
        (
            {"WEBHOOK_SECRET": "x" * 257},
            "WEBHOOK_SECRET in the environment must be 1-256 characters, "
            "only letters A-Z a-z, digits, '_' and '-'",
        ),
    ],
)
def test_invalid_value_gives_one_exact_line(env: dict[str, str], expected: str) -> None:
    assert error_from(env) == expected


def test_errors_name_the_dotenv_file_when_the_value_came_from_it() -> None:
    assert error_from(dotenv="ADMIN_IDS=abc\n") == (
        "ADMIN_IDS in .env: 'abc' is not a list of numeric Telegram user ids"
    )
    Path("conf").mkdir()
    Path("conf/bot.env").write_text("WEBHOOK_PORT=99999\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, env_file=Path("conf/bot.env"), require_token=False)
    assert caught.value.message == (
        "WEBHOOK_PORT in conf/bot.env: '99999' is not a port number (1-65535)"
    )


def test_dotenv_not_utf8_names_the_file_and_line() -> None:
    Path(".env").write_bytes(b"LOG_LEVEL=INFO\nADMIN_IDS=1 # \xc0\xe4\xec\xe8\xed\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, env_file=Path(".env"), require_token=False)
    assert caught.value.message == (
        ".env:2: not UTF-8 encoded (byte 0xc0 at offset 29); save the file as UTF-8"
    )


def test_dotenv_that_is_a_directory() -> None:
    Path(".env").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, env_file=Path(".env"), require_token=False)
    assert caught.value.message == ".env is a directory, expected a .env file"


def test_dotenv_with_byte_order_mark() -> None:
    Path(".env").write_bytes(b"\xef\xbb\xbfLOG_LEVEL=debug\n")
    assert load_settings(environ={}, require_token=False).log_level == "DEBUG"


@pytest.mark.parametrize(
    ("dotenv", "line"),
    [
        pytest.param(f"LOG_LEVEL=DEBUG\nBOT_TOKEN {TOKEN}\n", 2, id="no-equals-sign"),
        pytest.param(f'BOT_TOKEN="{TOKEN}\nLOG_LEVEL=DEBUG\n', 1, id="unclosed-quote"),
        pytest.param('# settings\n\nexport FAQ_PATH = "x\n', 3, id="unclosed-quote-export"),
    ],
)
def test_a_dotenv_line_that_cannot_be_read_is_an_error_with_its_line(
    dotenv: str, line: int
) -> None:
    message = error_from(dotenv=dotenv)

    assert message == f".env:{line}: not a NAME=value line (or a quote is not closed)"
    assert TOKEN not in message


def test_a_misspelled_setting_in_dotenv_is_named_with_the_likely_one() -> None:
    assert error_from(dotenv="LOG_LEVEL=INFO\nADMIN_ID=1\n") == (
        ".env:2: unknown setting ADMIN_ID; did you mean ADMIN_IDS?"
    )
    assert error_from(dotenv="bot_token=x\n") == (
        ".env:1: unknown setting bot_token; did you mean BOT_TOKEN?"
    )


def test_other_tools_settings_in_dotenv_are_left_alone() -> None:
    settings = settings_from(dotenv="COMPOSE_PROJECT_NAME=faq\nPYTHONUNBUFFERED=1\nADMIN_IDS=7\n")

    assert settings.admin_ids == frozenset({7})


def test_dotenv_quotes_comments_and_export_are_read_as_python_dotenv_reads_them() -> None:
    settings = settings_from(
        dotenv="# comment\nexport LOG_LEVEL=\"DEBUG\"  # inline comment\nADMIN_IDS='1,2'\n"
    )

    assert settings.log_level == "DEBUG"
    assert settings.admin_ids == frozenset({1, 2})


# --- offline commands ignore the settings only serving Telegram needs -------------------------


def test_offline_settings_ignore_telegram_only_settings_whatever_their_value() -> None:
    Path(".env").write_text(
        "BOT_TOKEN=abc\nBOT_MODE=webhook\nWEBHOOK_PORT=http\nPOLL_TIMEOUT=9999\n"
        "TELEGRAM_API_BASE=nonsense\nWEBHOOK_SECRT=x\nFAQ_PATH=kb.txt\n",
        encoding="utf-8",
    )

    settings = load_settings(environ={"WEBHOOK_URL": "ftp://x"}, telegram=False)

    assert settings.bot_token is None
    assert settings.bot_mode == "polling"
    assert settings.webhook_url is None
    assert settings.faq_path == Path.cwd() / "kb.txt"
    # The bot itself still refuses them, one line at a time.
    assert error_from(dotenv="BOT_TOKEN=abc\n") == (
        "BOT_TOKEN in .env looks malformed "
        "(expected '<digits>:<letters, digits, - and _>' from @BotFather)"
    )


def test_offline_settings_still_check_what_offline_commands_use() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"BOT_TOKEN": "abc", "LOG_LEVEL": "LOUD"}, telegram=False)
    assert caught.value.message == (
        "LOG_LEVEL in the environment: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR"
    )
    Path(".env").write_text("FAQ_PAHT=kb.txt\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, telegram=False)
    assert caught.value.message == ".env:1: unknown setting FAQ_PAHT; did you mean FAQ_PATH?"
