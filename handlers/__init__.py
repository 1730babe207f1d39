"""The bot's handlers, one router per feature.

Order matters: aiogram offers an update to the routers in turn and the first matching handler
wins. So:

- the owners' routers come first: they see only the owners (ADMIN_IDS) and let everyone else's
  updates through, so for anyone else /stats is exactly an unknown command and an owner's
  button exactly a stale one;
- dialogs that wait for typed text (a question for a person) come before the commands' catch-all
  for unknown commands and before the catch-all for questions;
- the catch-all text handler (``questions``) and the catch-all button handler (``fallback``)
  come last.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin_menu,
    admin_questions,
    admin_reload,
    admin_stats,
    admin_unanswered,
    content_types,
    fallback,
    feedback,
    human,
    inline,
    navigation,
    questions,
    start,
)


def get_routers() -> list[Router]:
    """Fresh routers (a router can belong to one dispatcher only; tests build many)."""
    return [
        admin_reload.create_router(),
        admin_menu.create_router(),
        admin_stats.create_router(),
        admin_unanswered.create_router(),
        admin_questions.create_router(),
        human.create_router(),
        start.create_router(),
        navigation.create_router(),
        feedback.create_router(),
        inline.create_router(),
        content_types.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]
