"""The bot's handlers, one router per feature.

Order matters: aiogram offers an update to the routers in turn and the first matching handler
wins, so the catch-all text handler (``questions``) and the catch-all button handler
(``fallback``) come last.
"""

from __future__ import annotations

from aiogram import Router

from handlers import content_types, fallback, navigation, questions, start


def get_routers() -> list[Router]:
    """Fresh routers (a router can belong to one dispatcher only; tests build many)."""
    return [
        start.create_router(),
        navigation.create_router(),
        content_types.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]
