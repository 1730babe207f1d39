"""Writing what happened to the database, after the user already has the reply.

While the bot serves Telegram the rows go to the write-behind journal of the update being
handled (see bot/journal.py): queueing them costs nothing on the reply path, and the question
row carries the update's id, so a redelivered update is recognised. Elsewhere (the console chat,
tests that feed the dispatcher directly) they are written at once.

A database problem (disk full, read-only file) must never cost the user an answer, so failures
are logged and swallowed here.
"""

from __future__ import annotations

import logging

from aiogram.types import Message, User

from bot.engine.types import MatchResult
from bot.journal import current_recording
from bot.storage import Database

logger = logging.getLogger(__name__)


async def remember_user(db: Database, user: User | None) -> None:
    if user is None:
        return
    recording = current_recording()
    if recording is not None:
        recording.journal.add_user(user.id, user.username, user.first_name, user.language_code)
        return
    try:
        await db.remember_user(user.id, user.username, user.first_name, user.language_code)
    except Exception:
        logger.exception("could not remember user %s", user.id)


async def log_question(
    db: Database,
    message: Message,
    question: str,
    result: MatchResult,
    *,
    update_id: int | None = None,
) -> None:
    """Remember the asker and log the question with what the bot did about it.

    ``update_id`` (the update the message came in; by default the one being recorded) lets
    buttons find the row later with ``Database.get_question_by_update``.
    """
    user = message.from_user
    await remember_user(db, user)
    user_id = user.id if user else None
    recording = current_recording()
    if recording is not None:
        recording.journal.add_question(
            user_id=user_id,
            chat_id=message.chat.id,
            text=question,
            result=result,
            update_id=update_id if update_id is not None else recording.update_id,
        )
        return
    try:
        await db.log_question(
            user_id=user_id,
            chat_id=message.chat.id,
            text=question,
            result=result,
            update_id=update_id,
        )
    except Exception:
        logger.exception("could not log a question from chat %s", message.chat.id)
