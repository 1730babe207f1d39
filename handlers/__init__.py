"""The bot's handlers, one router per feature.

Order matters: aiogram offers an update to the routers in turn and the first matching handler
wins. So:

- everything a text message can be besides a question comes first: the owners' features,
  dialogs that wait for typed text (a question for a person), the commands. They sit under one
  parent router whose filter (``NotAPlainQuestion``) sends a plain question, nearly every
  message the bot gets, past all of them with one check;
- within it, first a command sent in the middle of a dialog ends the dialog openly
  (``dialogs``) and goes on to the command's own handler; then the owners' routers, under one
  parent router that checks once whether an update is from an owner (ADMIN_IDS): everyone
  else's updates skip all of them with that one check, so for anyone else /stats is exactly an
  unknown command and an owner's button exactly a stale one; then the dialogs, then the
  commands with their catch-all for unknown commands;
- the catch-all text handler (``questions``) is the last router a text message can reach: what
  follows it never takes text (stickers and photos, button taps, inline queries), so a question
  is not walked past routers that could not take it (aiogram offers every message to every
  router in turn, whatever updates the router handles, and each offer costs time on the
  busiest path);
- the catch-all button handler (``fallback``) comes last.
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
    dialogs,
    fallback,
    feedback,
    human,
    inline,
    navigation,
    questions,
    start,
)
from handlers.filters import NotAPlainQuestion, owners_only


def get_routers() -> list[Router]:
    """Fresh routers (a router can belong to one dispatcher only; tests build many)."""
    return [
        before_questions_router(),
        questions.create_router(),
        # Nothing below takes a text message.
        content_types.create_router(),
        navigation.create_router(),
        feedback.create_router(),
        inline.create_router(),
        fallback.create_router(),
    ]


def before_questions_router() -> Router:
    """Owners, dialogs and commands. A router added here must take only what
    ``NotAPlainQuestion`` lets in: commands, messages from someone in a dialog (an FSM state)
    and the owners' messages."""
    router = Router(name="handlers.before_questions")
    router.message.filter(NotAPlainQuestion())
    router.include_routers(
        dialogs.create_router(), owners_router(), human.create_router(), start.create_router()
    )
    return router


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
