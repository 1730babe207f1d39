"""Writing what happened to the database, after the user already has the reply.

A database problem (disk full, locked file) must never cost the user an answer, so failures are
logged and swallowed here.
"""

from __future__ import annotations

import logging

from aiogram.types import Message, User

from bot.engine.types import MatchResult
from bot.storage import Database

logger = logging.getLogger(__name__)


async def remember_user(db: Database, user: User | None) -> None:
    if user is None:
        return
    try:
        await db.remember_user(user.id, user.username, user.first_name, user.language_code)
    except Exception:
        logger.exception("could not remember user %s", user.id)


async def log_question(
    db: Database, message: Message, question: str, result: MatchResult
) -> int | None:
    """Remember the asker and log the question with what the bot did about it; returns the
    question's row id (buttons such as "ask a person" refer to it), None if it failed."""
    user = message.from_user
    await remember_user(db, user)
    try:
        return await db.log_question(
            user_id=user.id if user else None,
            chat_id=message.chat.id,
            text=question,
            result=result,
        )
    except Exception:
        logger.exception("could not log a question from chat %s", message.chat.id)
        return None
