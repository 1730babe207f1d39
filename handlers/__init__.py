"""The bot's handlers, one router per feature.

Order matters: aiogram offers an update to the routers in turn and the first matching handler
wins. So:

- the owners' routers come first, under one parent router that checks once whether an update is
  from an owner (ADMIN_IDS): everyone else's updates skip all of them with that one check, so
  for anyone else /stats is exactly an unknown command and an owner's button exactly a stale
  one;
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
from handlers.filters import owners_only


def get_routers() -> list[Router]:
    """Fresh routers (a router can belong to one dispatcher only; tests build many)."""
    return [
        owners_router(),
        human.create_router(),
        start.create_router(),
        navigation.create_router(),
        feedback.create_router(),
        inline.create_router(),
        content_types.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]


def owners_router() -> Router:
    """The owners' feature routers under one gate. Each of them also admits only the owners
    itself (it stays safe wherever it is included); the gate is what spares everyone else's
    messages the walk through all of their filters."""
    gate = owners_only(Router(name="handlers.owners"))
    gate.include_routers(
        admin_reload.create_router(),
        admin_menu.create_router(),
        admin_stats.create_router(),
        admin_unanswered.create_router(),
        admin_questions.create_router(),
    )
    return gate
