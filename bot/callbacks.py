"""Every inline button's payload, in one place.

Telegram limits callback data to 64 bytes, so payloads carry only short prefixes and ids
(section and entry ids are at most 32 ASCII characters, database ids, update ids and page numbers
are integers), never question text.

A user's logged message is referred to by the Telegram update it came in (``update_id``): the
question row carries it, and unlike the row id it is known before the row is written (the log is
written behind the reply, see bot/journal.py). 0 means "no logged message".

Anything that does not parse as one of these factories is handled by ``handlers.fallback``.

Prefixes: one to three letters. Users' buttons: ``m s sp e es v h hx``. Owners' buttons (honoured
only for ADMIN_IDS): ``u ua uc us usp un uns ui q qr ay ax``.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

MAX_CALLBACK_DATA_BYTES = 64
MAX_ID_LENGTH = 32  # the knowledge base's limit for section and entry ids
# SQLite row ids and page numbers: 19 digits is the most a 64-bit integer takes.
MAX_NUMBER = 2**63 - 1
DIALOG_TOKEN_LENGTH = 8  # hex digits of a dialog's token
DIALOG_TOKEN_MAX = "f" * DIALOG_TOKEN_LENGTH


class Origin(StrEnum):
    """Where an entry's button was shown, which decides where "back" leads."""

    SECTION = "s"  # the list of a section's questions: the answer replaces the list
    SEARCH = "q"  # "did you mean" after a typed question: the answer comes as a new message


class Vote(StrEnum):
    UP = "u"  # 👍 helpful
    DOWN = "d"  # 👎 not helpful

    @property
    def value_for_db(self) -> int:
        return 1 if self is Vote.UP else -1


# -- everyone ------------------------------------------------------------------------------------


class MenuCallback(CallbackData, prefix="m"):
    """Show all topics (sections)."""


class SectionCallback(CallbackData, prefix="s"):
    """Show one section's questions."""

    section_id: str


class SectionPageCallback(CallbackData, prefix="sp"):
    """Show a further page of a long section's questions (the first is ``SectionCallback``)."""

    section_id: str
    page: int


class EntryCallback(CallbackData, prefix="e"):
    """Show one entry's answer."""

    entry_id: str
    origin: Origin = Origin.SECTION


class SuggestionCallback(CallbackData, prefix="es"):
    """Show one entry's answer, offered for the user's message of update ``update_id`` ("did
    you mean", or the other questions after a 👎): the answer's 👎 and "ask a person" still
    refer to the user's own words."""

    entry_id: str
    update_id: int = 0


class VoteCallback(CallbackData, prefix="v"):
    """👍 or 👎 under an answer. ``update_id`` is the user's message the answer replied to (0
    when the answer was opened from the menu or a link), for "ask a person" after a 👎."""

    entry_id: str
    vote: Vote
    update_id: int = 0


class AskHumanCallback(CallbackData, prefix="h"):
    """Send a question to the owners: the user's message of update ``update_id``, or, when 0,
    the next message the user types."""

    update_id: int = 0


class CancelAskCallback(CallbackData, prefix="hx"):
    """Stop waiting for the question a user was about to type for a person. ``dialog`` is the
    token of the dialog the button belongs to (see ``handlers.dialogs.new_dialog_token``): a
    button of a dialog that has ended does not cancel a newer one."""

    dialog: str = ""


# -- owners -------------------------------------------------------------------------------------


class UnansweredCallback(CallbackData, prefix="u"):
    """Show page ``page`` of the unanswered questions (one question per page)."""

    page: int = 0


class AddPhrasingCallback(CallbackData, prefix="ua"):
    """Add the logged question as a phrasing of an entry."""

    question_id: int
    entry_id: str
    page: int = 0


class ChooseSectionCallback(CallbackData, prefix="uc"):
    """Pick the section of the entry a question should become a phrasing of."""

    question_id: int
    page: int = 0


class ChooseEntryCallback(CallbackData, prefix="us"):
    """Pick the entry (in one section) a question should become a phrasing of."""

    question_id: int
    section_id: str
    page: int = 0


class ChooseEntryPageCallback(CallbackData, prefix="usp"):
    """A further page of a long section's entries (the first is ``ChooseEntryCallback``)."""

    question_id: int
    section_id: str
    page: int
    entries_page: int


class NewEntryCallback(CallbackData, prefix="un"):
    """Start making a logged question into a new entry: pick its section."""

    question_id: int
    page: int = 0


class NewEntrySectionCallback(CallbackData, prefix="uns"):
    """The new entry's section is chosen: the owner types the answer next."""

    question_id: int
    section_id: str
    page: int = 0


class IgnoreCallback(CallbackData, prefix="ui"):
    """Mark an unanswered question as needing nothing."""

    question_id: int
    page: int = 0


class QuestionsPageCallback(CallbackData, prefix="q"):
    """Show page ``page`` of the open questions users sent to a person."""

    page: int = 0


class ReplyCallback(CallbackData, prefix="qr"):
    """Reply to a user's question for a person: the owner types the reply next."""

    human_question_id: int


class ConfirmNewEntryCallback(CallbackData, prefix="ay"):
    """Create the new entry the owner has just typed (the draft is in the dialog's state);
    ``dialog`` as in ``CancelAskCallback``: a button of an ended dialog creates nothing."""

    dialog: str = ""


class CancelDialogCallback(CallbackData, prefix="ax"):
    """Leave an owner's dialog (new entry, reply) without doing anything; ``dialog`` as in
    ``CancelAskCallback``."""

    dialog: str = ""


USER_FACTORIES: tuple[type[CallbackData], ...] = (
    MenuCallback,
    SectionCallback,
    SectionPageCallback,
    EntryCallback,
    SuggestionCallback,
    VoteCallback,
    AskHumanCallback,
    CancelAskCallback,
)
ADMIN_FACTORIES: tuple[type[CallbackData], ...] = (
    UnansweredCallback,
    AddPhrasingCallback,
    ChooseSectionCallback,
    ChooseEntryCallback,
    ChooseEntryPageCallback,
    NewEntryCallback,
    NewEntrySectionCallback,
    IgnoreCallback,
    QuestionsPageCallback,
    ReplyCallback,
    ConfirmNewEntryCallback,
    CancelDialogCallback,
)


def longest_payloads() -> list[str]:
    """Each factory packed with the longest values allowed, to check against the 64-byte limit."""
    longest_id, big = "x" * MAX_ID_LENGTH, MAX_NUMBER
    return [
        MenuCallback().pack(),
        SectionCallback(section_id=longest_id).pack(),
        SectionPageCallback(section_id=longest_id, page=big).pack(),
        *(EntryCallback(entry_id=longest_id, origin=origin).pack() for origin in Origin),
        SuggestionCallback(entry_id=longest_id, update_id=big).pack(),
        *(VoteCallback(entry_id=longest_id, vote=v, update_id=big).pack() for v in Vote),
        AskHumanCallback(update_id=big).pack(),
        CancelAskCallback(dialog=DIALOG_TOKEN_MAX).pack(),
        UnansweredCallback(page=big).pack(),
        # Owners' payloads with an entry or section id carry a question id and a page number:
        # a question id needs at most 10 digits for a billion logged messages, a page 6.
        AddPhrasingCallback(question_id=10**10 - 1, entry_id=longest_id, page=10**6 - 1).pack(),
        ChooseSectionCallback(question_id=big, page=big).pack(),
        ChooseEntryCallback(question_id=10**10 - 1, section_id=longest_id, page=10**6 - 1).pack(),
        # A page of a section's entries takes 4 (100,000 entries, 20 to a page).
        ChooseEntryPageCallback(
            question_id=10**10 - 1, section_id=longest_id, page=10**6 - 1, entries_page=9_999
        ).pack(),
        NewEntryCallback(question_id=big, page=big).pack(),
        NewEntrySectionCallback(
            question_id=10**10 - 1, section_id=longest_id, page=10**6 - 1
        ).pack(),
        IgnoreCallback(question_id=big, page=big).pack(),
        QuestionsPageCallback(page=big).pack(),
        ReplyCallback(human_question_id=big).pack(),
        ConfirmNewEntryCallback(dialog=DIALOG_TOKEN_MAX).pack(),
        CancelDialogCallback(dialog=DIALOG_TOKEN_MAX).pack(),
    ]
