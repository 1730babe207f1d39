"""Inline keyboards: pure functions from the knowledge base, rows and texts to markup.

Most replies carry the same few buttons (the topics, "all topics", an answer's section and
"share"), and building one (packing its callback data, validating the pydantic model) costs more
than the rest of the reply's keyboard work. So the buttons that depend only on hashable values
(labels, ids, entries) are built once and remembered (``functools.lru_cache``); a reloaded
knowledge base brings new titles and entries, hence new keys, and the cache follows by itself.
The remembered buttons are shared between keyboards: treat buttons as read-only (this module
changes one only through ``model_copy``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar
from urllib.parse import quote, urlencode

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    AddPhrasingCallback,
    AskHumanCallback,
    CancelAskCallback,
    CancelDialogCallback,
    ChooseEntryCallback,
    ChooseEntryPageCallback,
    ChooseSectionCallback,
    ConfirmNewEntryCallback,
    EntryCallback,
    IgnoreCallback,
    MenuCallback,
    NewEntryCallback,
    NewEntrySectionCallback,
    Origin,
    QuestionsPageCallback,
    ReplyCallback,
    SectionCallback,
    SectionPageCallback,
    SuggestionCallback,
    UnansweredCallback,
    Vote,
    VoteCallback,
)
from bot.formatting import shorten
from bot.knowledge.model import Entry, KnowledgeBase
from bot.texts import Texts

# Telegram clients cut long button labels with an ellipsis of their own, mid-word; cutting at a
# word boundary first keeps questions readable.
QUESTION_BUTTON_WIDTH = 60
MAX_SUGGESTIONS = 3
SHARE_TEXT_WIDTH = 100

# A long list (a section's questions) is shown this many to a page: Telegram takes at most 100
# buttons in a keyboard, and a phone shows about twenty without scrolling.
LIST_PAGE_SIZE = 20

# Buttons remembered per label and id: enough for every section and entry of a large knowledge
# base in both languages; the least recently used are forgotten beyond that.
BUTTON_CACHE_SIZE = 4096

CallbackDataT = TypeVar("CallbackDataT", bound=CallbackData)
ItemT = TypeVar("ItemT")


def _button(text: str, callback_data: str) -> list[InlineKeyboardButton]:
    """A row with one button: questions are long, so every button gets its own row."""
    return [InlineKeyboardButton(text=text, callback_data=callback_data)]


def _all_topics(texts: Texts) -> list[InlineKeyboardButton]:
    return [_menu_button(texts.all_topics)]


@lru_cache(maxsize=16)
def _menu_button(label: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=MenuCallback().pack())


@lru_cache(maxsize=BUTTON_CACHE_SIZE)
def _section_button(label: str, section_id: str, page: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=_section_page(section_id, page).pack())


def _section_page(section_id: str, page: int) -> CallbackData:
    # The first page keeps the plain section button's payload, as in chats from before paging.
    if page == 0:
        return SectionCallback(section_id=section_id)
    return SectionPageCallback(section_id=section_id, page=page)


@lru_cache(maxsize=BUTTON_CACHE_SIZE)
def _entry_button(entry: Entry, origin: Origin) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_question_label(entry.question),
        callback_data=EntryCallback(entry_id=entry.id, origin=origin).pack(),
    )


@lru_cache(maxsize=BUTTON_CACHE_SIZE)
def _question_label(question: str) -> str:
    return shorten(question, QUESTION_BUTTON_WIDTH)


def _entry_buttons(entries: Iterable[Entry], origin: Origin) -> list[list[InlineKeyboardButton]]:
    return [[_entry_button(entry, origin)] for entry in entries]


def _suggestion_buttons(
    entries: Iterable[Entry], update_id: int
) -> list[list[InlineKeyboardButton]]:
    return [
        _button(
            _question_label(entry.question),
            SuggestionCallback(entry_id=entry.id, update_id=update_id).pack(),
        )
        for entry in list(entries)[:MAX_SUGGESTIONS]
    ]


def _ask_human(texts: Texts, update_id: int) -> list[InlineKeyboardButton]:
    return _button(texts.ask_human, AskHumanCallback(update_id=update_id).pack())


# -- links ----------------------------------------------------------------------------------------


def deep_link(bot_username: str, entry_id: str) -> str:
    """``t.me`` link that opens the bot on an entry's answer (``/start <entry id>``).

    Entry ids (``[a-z0-9_-]``, at most 32 characters) are valid start parameters as they are.
    """
    return f"https://t.me/{bot_username}?start={entry_id}"


def share_url(bot_username: str, entry: Entry) -> str:
    """Telegram's "share" screen with the entry's deep link and its question."""
    query = urlencode(
        {
            "url": deep_link(bot_username, entry.id),
            "text": shorten(entry.question, SHARE_TEXT_WIDTH),
        },
        quote_via=quote,
    )
    return f"https://t.me/share/url?{query}"


# -- browsing and answers -------------------------------------------------------------------------


def sections_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    """One button per section, in the knowledge base's order."""
    return InlineKeyboardMarkup(inline_keyboard=_section_rows(kb))


def _section_rows(kb: KnowledgeBase) -> list[list[InlineKeyboardButton]]:
    return [[_section_button(section.title, section.id)] for section in kb.sections]


def not_found_keyboard(
    kb: KnowledgeBase, texts: Texts, *, update_id: int | None = None
) -> InlineKeyboardMarkup:
    """The topics and, when ``update_id`` is given (someone can answer), "ask a person" for
    the user's message of that update."""
    rows = _section_rows(kb)
    if update_id is not None:
        rows.append(_ask_human(texts, update_id))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def section_keyboard(
    kb: KnowledgeBase, section_id: str, texts: Texts, page: int = 0
) -> InlineKeyboardMarkup:
    """Page ``page`` of the section's questions, the pages, then a way back to all topics."""
    shown, page, has_next = _list_page(kb.entries_in(section_id), page)
    rows = _entry_buttons(shown, Origin.SECTION)
    pages = _page_buttons(
        texts, _section_page(section_id, page - 1), _section_page(section_id, page + 1),
        has_previous=page > 0, has_next=has_next,
    )  # fmt: skip
    return InlineKeyboardMarkup(
        inline_keyboard=[*rows, *([pages] if pages else []), _all_topics(texts)]
    )


def section_page_of(kb: KnowledgeBase, entry: Entry) -> int:
    """The page of its section's list that shows ``entry``."""
    return kb.place_in_section(entry.id) // LIST_PAGE_SIZE


def answer_keyboard(
    kb: KnowledgeBase,
    entry: Entry,
    texts: Texts,
    origin: Origin,
    *,
    bot_username: str | None = None,
    update_id: int = 0,
) -> InlineKeyboardMarkup:
    """Under an answer: 👍 👎 and "share", then the other questions of its section (the page of
    ``kb``'s list that shows it) and all topics. ``update_id`` is the update of the user's
    message the answer replied to (0 if none)."""
    to_section = texts.back_to_questions if origin is Origin.SECTION else texts.more_on_topic
    feedback = [
        _for_update(_vote_button(texts.vote_label(vote, chosen=False), entry.id, vote), update_id)
        for vote in Vote
    ]
    if bot_username:
        feedback.append(_share_button(texts.share, bot_username, entry))
    return InlineKeyboardMarkup(
        inline_keyboard=[
            feedback,
            [_section_button(to_section, entry.section_id, section_page_of(kb, entry))],
            _all_topics(texts),
        ]
    )


@lru_cache(maxsize=BUTTON_CACHE_SIZE)
def _vote_button(label: str, entry_id: str, vote: Vote) -> InlineKeyboardButton:
    """The vote button of an answer that replies to no message (``update_id`` 0)."""
    return InlineKeyboardButton(
        text=label, callback_data=VoteCallback(entry_id=entry_id, vote=vote).pack()
    )


def _for_update(vote_button: InlineKeyboardButton, update_id: int) -> InlineKeyboardButton:
    """``vote_button`` for the answer to the message of update ``update_id``.

    Every answer to a typed question has a new update id, so these buttons cannot be
    remembered; this is ``VoteCallback(..., update_id=update_id).pack()`` (``update_id`` is
    its last field) without building and validating two pydantic models per button, on the
    path of every answer.
    """
    if not update_id:
        return vote_button
    packed = vote_button.callback_data or ""
    head, separator, _ = packed.rpartition(VoteCallback.__separator__)
    data = f"{head}{separator}{int(update_id)}"
    return vote_button.model_copy(update={"callback_data": data})


@lru_cache(maxsize=BUTTON_CACHE_SIZE)
def _share_button(label: str, bot_username: str, entry: Entry) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, url=share_url(bot_username, entry))


def with_vote(markup: InlineKeyboardMarkup, vote: Vote, texts: Texts) -> InlineKeyboardMarkup:
    """``markup`` (an answer's keyboard) with ``vote`` shown as chosen and the other not."""
    return _map_buttons(markup, lambda button: _marked(button, vote, texts))


def _marked(button: InlineKeyboardButton, vote: Vote, texts: Texts) -> InlineKeyboardButton:
    data = _unpack(VoteCallback, button.callback_data)
    if data is None:
        return button
    return button.model_copy(update={"text": texts.vote_label(data.vote, chosen=data.vote is vote)})


def chosen_vote(markup: InlineKeyboardMarkup | None, texts: Texts) -> Vote | None:
    """The vote an answer's keyboard shows as chosen, if any."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            data = _unpack(VoteCallback, button.callback_data)
            if data is not None and button.text == texts.vote_label(data.vote, chosen=True):
                return data.vote
    return None


def without_ask_human(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """``markup`` without its "ask a person" button (once the question has been sent)."""
    rows = [
        [b for b in row if _unpack(AskHumanCallback, b.callback_data) is None]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def not_helpful_keyboard(
    alternatives: Sequence[Entry], texts: Texts, *, update_id: int, can_ask: bool
) -> InlineKeyboardMarkup:
    """After a 👎: up to three other questions, "ask a person" (when someone can answer),
    all topics. ``update_id`` is the update of the user's message (0 if none)."""
    rows = _suggestion_buttons(alternatives, update_id)
    if can_ask:
        rows.append(_ask_human(texts, update_id))
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _all_topics(texts)])


def suggestions_keyboard(
    entries: Iterable[Entry], texts: Texts, *, update_id: int = 0
) -> InlineKeyboardMarkup:
    """Up to three "did you mean" questions for the user's message of update ``update_id``,
    then all topics."""
    rows = _suggestion_buttons(entries, update_id)
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _all_topics(texts)])


def cancel_ask_keyboard(texts: Texts, *, dialog: str = "") -> InlineKeyboardMarkup:
    """✖️ under the prompt to type a question for a person; ``dialog``: the dialog's token."""
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(texts.cancel, CancelAskCallback(dialog=dialog).pack())]
    )


def open_in_bot_keyboard(bot_username: str, entry: Entry, texts: Texts) -> InlineKeyboardMarkup:
    """Under an answer sent in inline mode: a link to the same answer in the bot."""
    button = InlineKeyboardButton(
        text=texts.inline_open_in_bot, url=deep_link(bot_username, entry.id)
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


# -- owners ---------------------------------------------------------------------------------------


def unanswered_keyboard(
    question_id: int,
    candidates: Sequence[Entry],
    texts: Texts,
    *,
    page: int,
    has_previous: bool,
    has_next: bool,
    addable: bool = True,
) -> InlineKeyboardMarkup:
    """Under an unanswered question: "it means <entry>" for each candidate, "another
    question…", "new question", "skip", then the pages. A question that cannot be added
    (``addable`` False: too long for a question) gets only "skip" and the pages."""
    owner = texts.owner
    rows = []
    if addable:
        rows += [
            _button(
                owner.add_as_phrasing.format(
                    question=shorten(entry.question, QUESTION_BUTTON_WIDTH)
                ),
                AddPhrasingCallback(question_id=question_id, entry_id=entry.id, page=page).pack(),
            )
            for entry in list(candidates)[:MAX_SUGGESTIONS]
        ]
        rows += [
            _button(
                owner.choose_entry, ChooseSectionCallback(question_id=question_id, page=page).pack()
            ),
            _button(owner.new_entry, NewEntryCallback(question_id=question_id, page=page).pack()),
        ]
    rows.append(_button(owner.ignore, IgnoreCallback(question_id=question_id, page=page).pack()))
    pages = _page_buttons(
        texts, UnansweredCallback(page=page - 1), UnansweredCallback(page=page + 1),
        has_previous=has_previous, has_next=has_next,
    )  # fmt: skip
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *([pages] if pages else [])])


def resolved_keyboard(texts: Texts, *, page: int, remaining: int) -> InlineKeyboardMarkup:
    """After a question is dealt with it leaves the list, so the next one takes its page."""
    pages = _page_buttons(
        texts, UnansweredCallback(page=page - 1), UnansweredCallback(page=page),
        has_previous=page > 0, has_next=page < remaining,
    )  # fmt: skip
    return InlineKeyboardMarkup(inline_keyboard=[pages] if pages else [])


def choose_section_keyboard(
    kb: KnowledgeBase, texts: Texts, *, question_id: int, page: int, new_entry: bool = False
) -> InlineKeyboardMarkup:
    """The sections, to file a question under (a phrasing's entry, or a new entry's section)."""
    rows = [
        _button(
            section.title,
            (
                NewEntrySectionCallback(question_id=question_id, section_id=section.id, page=page)
                if new_entry
                else ChooseEntryCallback(question_id=question_id, section_id=section.id, page=page)
            ).pack(),
        )
        for section in kb.sections
    ]
    rows.append(_button(texts.owner.back, UnansweredCallback(page=page).pack()))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def choose_entry_keyboard(
    kb: KnowledgeBase,
    section_id: str,
    texts: Texts,
    *,
    question_id: int,
    page: int,
    entries_page: int = 0,
) -> InlineKeyboardMarkup:
    """Page ``entries_page`` of a section's entries: tapping one adds the question as its
    phrasing (``page`` is the page of the unanswered questions to come back to)."""
    shown, entries_page, has_next = _list_page(kb.entries_in(section_id), entries_page)
    rows = [
        _button(
            shorten(entry.question, QUESTION_BUTTON_WIDTH),
            AddPhrasingCallback(question_id=question_id, entry_id=entry.id, page=page).pack(),
        )
        for entry in shown
    ]

    def entries_at(number: int) -> CallbackData:
        if number == 0:
            return ChooseEntryCallback(question_id=question_id, section_id=section_id, page=page)
        return ChooseEntryPageCallback(
            question_id=question_id, section_id=section_id, page=page, entries_page=number
        )

    pages = _page_buttons(
        texts, entries_at(entries_page - 1), entries_at(entries_page + 1),
        has_previous=entries_page > 0, has_next=has_next,
    )  # fmt: skip
    back = ChooseSectionCallback(question_id=question_id, page=page)
    rows += [*([pages] if pages else []), _button(texts.owner.back, back.pack())]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_dialog_keyboard(texts: Texts, *, dialog: str = "") -> InlineKeyboardMarkup:
    """✖️ under an owner's dialog prompt; ``dialog``: the dialog's token."""
    return InlineKeyboardMarkup(
        inline_keyboard=[_button(texts.owner.cancel, CancelDialogCallback(dialog=dialog).pack())]
    )


def confirm_new_entry_keyboard(texts: Texts, *, dialog: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts.owner.create,
                    callback_data=ConfirmNewEntryCallback(dialog=dialog).pack(),
                ),
                InlineKeyboardButton(
                    text=texts.owner.cancel,
                    callback_data=CancelDialogCallback(dialog=dialog).pack(),
                ),
            ]
        ]
    )


def human_questions_keyboard(
    questions: Sequence[tuple[int, int, str]],
    texts: Texts,
    *,
    page: int,
    has_previous: bool,
    has_next: bool,
) -> InlineKeyboardMarkup:
    """A "reply" button per ``(number on the page, question id, text)``, then the pages."""
    rows = [
        _button(
            texts.owner.reply_button.format(number=number, text=shorten(text, 40)),
            ReplyCallback(human_question_id=question_id).pack(),
        )
        for number, question_id, text in questions
    ]
    pages = _page_buttons(
        texts, QuestionsPageCallback(page=page - 1), QuestionsPageCallback(page=page + 1),
        has_previous=has_previous, has_next=has_next,
    )  # fmt: skip
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *([pages] if pages else [])])


def reply_keyboard(human_question_id: int, texts: Texts) -> InlineKeyboardMarkup:
    """Under an owner's notification of a new question for a person."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            _button(texts.owner.reply, ReplyCallback(human_question_id=human_question_id).pack())
        ]
    )


def _page_buttons(
    texts: Texts,
    previous: CallbackData,
    following: CallbackData,
    *,
    has_previous: bool,
    has_next: bool,
) -> list[InlineKeyboardButton]:
    row = []
    if has_previous:
        row.append(InlineKeyboardButton(text=texts.previous_page, callback_data=previous.pack()))
    if has_next:
        row.append(InlineKeyboardButton(text=texts.next_page, callback_data=following.pack()))
    return row


def _list_page(items: Sequence[ItemT], page: int) -> tuple[Sequence[ItemT], int, bool]:
    """Page ``page`` of ``items``, ``LIST_PAGE_SIZE`` to a page, its number and whether another
    follows. A page beyond the list (it shrank since, or the number is forged) shows the last."""
    last = max(0, (len(items) - 1) // LIST_PAGE_SIZE)
    page = min(max(page, 0), last)
    start = page * LIST_PAGE_SIZE
    return items[start : start + LIST_PAGE_SIZE], page, page < last


# -- helpers --------------------------------------------------------------------------------------


def _unpack(factory: type[CallbackDataT], data: str | None) -> CallbackDataT | None:
    if not data:
        return None
    try:
        return factory.unpack(data)
    except (TypeError, ValueError):
        return None


def _map_buttons(
    markup: InlineKeyboardMarkup, change: Callable[[InlineKeyboardButton], InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[change(button) for button in row] for row in markup.inline_keyboard]
    )
