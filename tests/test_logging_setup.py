"""Secrets never reach the log, whatever carries them: the message, its arguments, a traceback."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Message, Update

from bot.config import Secret, Settings
from bot.logging_setup import (
    PER_UPDATE_LOGGER,
    OneLineFormatter,
    RedactSecrets,
    configure_logging,
    secrets_of,
)
from tests.mocked_bot import MockedBot

TOKEN = "123456789:AAHsecretSecretSecretSecretSecret12"
WEBHOOK_SECRET = "hook-secret-value"


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets([TOKEN, WEBHOOK_SECRET]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_secrets_are_redacted_from_messages_and_arguments(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log

    logger.debug("url https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.info(f"token {TOKEN}")
    logger.warning("secret %r in %s", WEBHOOK_SECRET, {"secret": WEBHOOK_SECRET})
    logger.error("only the secret part: %s", TOKEN.split(":")[1])

    output = stream.getvalue()
    assert TOKEN.split(":")[1] not in output
    assert WEBHOOK_SECRET not in output
    assert output.count("***") == 5
    assert len(output.splitlines()) == 4


def test_secrets_are_redacted_from_tracebacks_on_one_line(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log

    try:
        raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        logger.exception("polling failed")

    output = stream.getvalue()
    assert TOKEN.split(":")[1] not in output
    assert "RuntimeError: cannot reach https://api.telegram.org/bot***/getUpdates" in output
    assert len(output.splitlines()) == 1


def test_bad_log_arguments_do_not_leak_or_crash(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log

    logger.info("two placeholders %s %s, one argument", TOKEN)

    output = stream.getvalue()
    assert "unformattable log arguments dropped" in output
    assert TOKEN.split(":")[1] not in output


def test_secrets_of_settings() -> None:
    settings = Settings(bot_token=Secret(TOKEN), webhook_secret=Secret(WEBHOOK_SECRET))

    assert secrets_of(settings) == [TOKEN, WEBHOOK_SECRET]
    assert secrets_of(Settings()) == []


def test_configure_logging_covers_every_logger() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging("INFO", [TOKEN], stream=stream)
        logging.getLogger("aiogram.dispatcher").info("Run polling for bot %s", TOKEN)
        logging.getLogger("some.library").debug("hidden at INFO")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)

    [line] = stream.getvalue().splitlines()
    assert line.endswith("INFO aiogram.dispatcher: Run polling for bot ***")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, per_update = logging.getLogger(), logging.getLogger(PER_UPDATE_LOGGER)
    handlers, root_level, per_update_level = list(root.handlers), root.level, per_update.level
    yield
    root.handlers[:] = handlers
    root.setLevel(root_level)
    per_update.setLevel(per_update_level)


START = "INFO aiogram.dispatcher: Start polling"
PER_UPDATE = "INFO aiogram.event: Update id=7 is handled"
RETRY = "WARNING aiogram.event: retrying"
BROKE = "ERROR aiogram.event: handler broke"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("INFO", [START, RETRY, BROKE]),
        ("DEBUG", [PER_UPDATE, START, RETRY, BROKE]),
        ("ERROR", [BROKE]),
    ],
)
async def test_aiogram_logs_a_line_per_update_only_at_debug(
    restore_logging: None, level: str, expected: list[str]
) -> None:
    """At INFO a busy bot would write a line per message; start-up lines and errors stay."""
    stream = io.StringIO()
    configure_logging(level, stream=stream)
    router = Router()
    router.message.register(_ignore)
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = MockedBot()
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "Ann"},
        "text": "привет",
    }
    update = Update.model_validate({"update_id": 7, "message": message}, context={"bot": bot})

    await dispatcher.feed_update(bot, update)
    logging.getLogger("aiogram.dispatcher").info("Start polling")
    logging.getLogger(PER_UPDATE_LOGGER).warning("retrying")
    logging.getLogger(PER_UPDATE_LOGGER).error("handler broke")

    # "<date> <time> LEVEL logger: message", without the time and the update's duration
    lines = [line.split(" ", 2)[2] for line in stream.getvalue().splitlines()]
    assert [re.sub(r"\. Duration .*", "", line) for line in lines] == expected


async def _ignore(message: Message) -> None:
    """A handler that does nothing: the update counts as handled."""
