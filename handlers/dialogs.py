"""A command sent in the middle of a dialog ends the dialog, openly.

A dialog (an owner typing a reply or a new answer, a user typing a question for a person) takes
the next text message. A command sent meanwhile means the person has moved on: the dialog ends,
they are told what was not sent, and then the command runs as usual. So the text they type
next is never mistaken for a question (an owner's reply lost in the question log), and a reply
is never sent that the owner believed abandoned. /cancel is the dialogs' own command, handled by
each of them.

While an owner's dialog waits for text, a sticker or a photo gets a reminder of what the dialog
waits for (not the users' "I only read text, ask your question").
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.texts import Texts
from handlers.admin_questions import ReplyDialog
from handlers.admin_unanswered import NewEntryDialog
from handlers.content_types import NON_TEXT_CONTENT
from handlers.delivery import reply
from handlers.filters import ContentTypeIn
from handlers.human import AskHuman

# The commands the bot answers in a group without an @mention (see handlers/start.py).
BARE_GROUP_COMMANDS = frozenset({"start", "faq", "topics", "help"})
OWNER_DIALOGS = frozenset({*ReplyDialog.__all_states_names__, *NewEntryDialog.__all_states_names__})


class InDialog(Filter):
    """The sender is in a dialog (any FSM state)."""

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        return raw_state is not None


class CommandForBot(Filter):
    """A command the bot acts on, other than /cancel: any in a private chat; in a group one
    addressed to this bot (``/cmd@bot``) or one it answers bare."""

    async def __call__(self, message: Message, bot: Bot) -> bool:
        text = message.text or message.caption or ""
        if not text.startswith("/"):
            return False
        name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
        if name.lower() == "cancel":
            return False
        if message.chat.type == ChatType.PRIVATE:
            return True
        if addressee:
            return addressee.lower() == ((await bot.me()).username or "").lower()
        return name.lower() in BARE_GROUP_COMMANDS


class InOwnerDialog(Filter):
    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        return raw_state in OWNER_DIALOGS


async def end_dialog_for_command(
    message: Message, state: FSMContext, raw_state: str, texts: Texts
) -> None:
    await state.clear()
    await reply(message, interrupted_notice(raw_state, texts))
    raise SkipHandler  # on to the command itself


def interrupted_notice(raw_state: str, texts: Texts) -> str:
    """What did not happen because the dialog ended."""
    if raw_state in ReplyDialog.__all_states_names__:
        return texts.owner.reply_interrupted
    if raw_state in NewEntryDialog.__all_states_names__:
        return texts.owner.new_entry_interrupted
    if raw_state in AskHuman.__all_states_names__:
        return texts.ask_interrupted
    return texts.owner.dialog_cancelled


async def remind_text_only(message: Message, texts: Texts) -> None:
    await reply(message, texts.owner.dialog_text_only)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(InDialog())
    router.message.register(end_dialog_for_command, CommandForBot())
    router.message.register(remind_text_only, InOwnerDialog(), ContentTypeIn(NON_TEXT_CONTENT))
    return router
