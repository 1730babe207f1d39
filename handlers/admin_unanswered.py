"""/unanswered for the owners: the messages the bot could not answer (not found) or only guessed
at (suggested), newest first, one per page, and what to do with each.

- "It means <entry>" (the entries the bot suggested, or the closest ones now), or "another
  question…" (section, then entry): the message becomes a phrasing of that entry. Two taps at
  most; the engine is rebuilt at once, so every user gets that answer from now on.
- "New question and answer": pick a section, type the answer, confirm; the message becomes the
  new entry's question.
- "Skip": nothing to add (spam, off-topic).

Additions are stored in SQLite (bot/storage.py) and laid over the knowledge-base file
(FaqService.apply_owner_additions); ``python -m bot export`` writes them into the file.
A question dealt with leaves the list, so the next one takes its page number: "next" after an
action shows the following question. The new-entry dialog's state lives in aiogram's FSM
storage (MemoryStorage by default: a restart forgets a half-finished dialog).
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import (
    AddPhrasingCallback,
    CancelDialogCallback,
    ChooseEntryCallback,
    ChooseEntryPageCallback,
    ChooseSectionCallback,
    ConfirmNewEntryCallback,
    IgnoreCallback,
    NewEntryCallback,
    NewEntrySectionCallback,
    UnansweredCallback,
)
from bot.engine.types import Outcome
from bot.formatting import answer_messages, clip, escape, moment
from bot.keyboards import (
    MAX_SUGGESTIONS,
    cancel_dialog_keyboard,
    choose_entry_keyboard,
    choose_section_keyboard,
    confirm_new_entry_keyboard,
    resolved_keyboard,
    unanswered_keyboard,
)
from bot.knowledge.additions import AdditionError, check_new_entry, fits_as_question
from bot.knowledge.loader import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from bot.knowledge.model import Entry
from bot.service import FaqService
from bot.storage import Database, QuestionRow, Resolution
from bot.texts import Texts
from handlers.delivery import reply, reply_in_parts, show_in_place
from handlers.dialog_state import (
    dialog_token,
    ended_dialog_button,
    is_current_dialog,
    start_dialog,
)
from handlers.filters import PlainText, owners_only

QUOTE_LIMIT = 1000  # of the user's message on the owner's screen


class NewEntryDialog(StatesGroup):
    answer = State()  # the owner types the new entry's answer
    confirm = State()  # the owner saw the preview: create or cancel


# -- the list ---------------------------------------------------------------------------------


async def show_first_page(
    message: Message, service: FaqService, db: Database, state: FSMContext, texts: Texts
) -> None:
    await state.clear()
    text, markup = await _page(db, service, texts, page=0)
    await reply(message, text, markup)


async def show_page(
    callback: CallbackQuery,
    callback_data: UnansweredCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    state: FSMContext,
    texts: Texts,
) -> None:
    if await state.get_state() in NewEntryDialog.__all_states_names__:
        await state.clear()  # "back" from a half-finished new entry leaves it (and only that)
    text, markup = await _page(db, service, texts, page=callback_data.page)
    await show_in_place(callback, bot, [text], markup)
    await callback.answer()


async def _page(
    db: Database, service: FaqService, texts: Texts, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await db.unanswered(page=page, page_size=1, include_resolved=False)
    if not found.rows:
        return texts.owner.unanswered_empty, None
    row = found.rows[0]
    owner = texts.owner
    header = owner.unanswered_header.format(number=found.number + 1, total=found.total)
    outcome = (
        owner.unanswered_outcome_suggest
        if row.outcome is Outcome.SUGGEST
        else owner.unanswered_outcome_none
    )
    text = owner.unanswered_question.format(
        header=header, outcome=outcome, when=moment(row.created_at), text=_quote(row.text)
    )
    # Found out now rather than after the owner has typed a whole answer for it.
    addable = fits_as_question(row.text)
    if not addable:
        text += "\n\n" + owner.unanswered_too_long.format(limit=MAX_QUESTION_CHARS)
    markup = unanswered_keyboard(
        row.id,
        _candidates(row, service) if addable else [],
        texts,
        page=found.number,
        has_previous=found.has_previous,
        has_next=found.has_next,
        addable=addable,
    )
    return text, markup


def _candidates(row: QuestionRow, service: FaqService) -> list[Entry]:
    """The entries the user was offered; for a "not found", the closest ones now."""
    kb = service.kb
    offered = [kb.entry(entry_id) for entry_id, _score in row.suggestions]
    entries = [entry for entry in offered if entry is not None]
    if not entries:
        entries = [candidate.entry for candidate in service.match(row.text).ranked]
    return entries[:MAX_SUGGESTIONS]


# -- a phrasing of an entry -------------------------------------------------------------------


async def choose_section(
    callback: CallbackQuery,
    callback_data: ChooseSectionCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    texts: Texts,
) -> None:
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    text = texts.owner.choose_section_for_phrasing.format(text=_quote(row.text))
    markup = choose_section_keyboard(service.kb, texts, question_id=row.id, page=callback_data.page)
    await show_in_place(callback, bot, [text], markup)
    await callback.answer()


async def choose_entry(
    callback: CallbackQuery,
    callback_data: ChooseEntryCallback | ChooseEntryPageCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    texts: Texts,
) -> None:
    section = service.kb.section(callback_data.section_id)
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    if section is None:
        await callback.answer(texts.stale_button)
        return
    text = texts.owner.choose_entry_in_section.format(
        text=_quote(row.text), section=escape(section.title)
    )
    markup = choose_entry_keyboard(
        service.kb,
        section.id,
        texts,
        question_id=row.id,
        page=callback_data.page,
        entries_page=(
            callback_data.entries_page if isinstance(callback_data, ChooseEntryPageCallback) else 0
        ),
    )
    await show_in_place(callback, bot, [text], markup)
    await callback.answer()


async def add_phrasing(
    callback: CallbackQuery,
    callback_data: AddPhrasingCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    texts: Texts,
) -> None:
    entry = service.kb.entry(callback_data.entry_id)
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    if entry is None:
        await callback.answer(texts.stale_button)
        return
    owner_id = callback.from_user.id
    try:
        await db.add_phrasing(entry.id, row.text, added_by=owner_id, question_id=row.id)
    except AdditionError as error:
        await callback.answer(problem_text(error, texts), show_alert=True)
        return
    await db.resolve_question(row.id, Resolution.PHRASING, entry.id, by=owner_id)
    await service.apply_owner_additions(db)
    # Tell the owner what users now get: another entry may have the same text already.
    result = service.engine.match(row.text)
    answered = result.best is not None and result.best.entry.id == entry.id
    template = texts.owner.phrasing_added if answered else texts.owner.phrasing_added_offered
    text = template.format(text=_quote(row.text), question=escape(entry.question))
    await _show_resolved(callback, bot, db, texts, text, page=callback_data.page)
    await callback.answer(texts.owner.phrasing_added_notice)


# -- skipping ---------------------------------------------------------------------------------


async def ignore(
    callback: CallbackQuery,
    callback_data: IgnoreCallback,
    bot: Bot,
    db: Database,
    texts: Texts,
) -> None:
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    await db.resolve_question(row.id, Resolution.IGNORED, by=callback.from_user.id)
    text = texts.owner.ignored.format(text=_quote(row.text))
    await _show_resolved(callback, bot, db, texts, text, page=callback_data.page)
    await callback.answer(texts.owner.ignored_notice)


# -- a new entry ------------------------------------------------------------------------------


async def new_entry(
    callback: CallbackQuery,
    callback_data: NewEntryCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    texts: Texts,
) -> None:
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    text = texts.owner.new_entry_choose_section.format(text=_quote(row.text))
    markup = choose_section_keyboard(
        service.kb, texts, question_id=row.id, page=callback_data.page, new_entry=True
    )
    await show_in_place(callback, bot, [text], markup)
    await callback.answer()


async def new_entry_section(
    callback: CallbackQuery,
    callback_data: NewEntrySectionCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    state: FSMContext,
    texts: Texts,
) -> None:
    section = service.kb.section(callback_data.section_id)
    row = await _question_or_notice(db, callback, callback_data.question_id, texts)
    if row is None:
        return
    if section is None:
        await callback.answer(texts.stale_button)
        return
    draft = {"question_id": row.id, "section_id": section.id, "page": callback_data.page}
    token = await start_dialog(state, NewEntryDialog.answer, draft)
    text = texts.owner.new_entry_type_answer.format(
        text=_quote(row.text), section=escape(section.title)
    )
    await show_in_place(callback, bot, [text], cancel_dialog_keyboard(texts, dialog=token))
    await callback.answer()


async def receive_answer(
    message: Message, service: FaqService, db: Database, state: FSMContext, texts: Texts
) -> None:
    """The owner typed the answer: check it and show it as users will see it. Typed again
    before "create" (at the preview), it replaces the draft's answer."""
    draft = await state.get_data()
    token = await dialog_token(state)
    row = await db.get_question(draft["question_id"])
    if row is None:
        await state.clear()
        await reply(message, texts.owner.question_gone)
        return
    try:
        question, answer = check_new_entry(
            service.kb, draft["section_id"], row.text, message.text or ""
        )
    except AdditionError as error:  # the owner can type again, or cancel
        markup = cancel_dialog_keyboard(texts, dialog=token)
        await reply(message, problem_text(error, texts), markup)
        return
    await state.update_data(answer=answer)
    await state.set_state(NewEntryDialog.confirm)
    section = service.kb.section(draft["section_id"])
    preview = Entry("preview", draft["section_id"], question, answer)
    await reply_in_parts(message, answer_messages(preview))
    confirm = texts.owner.new_entry_confirm.format(
        section=escape(section.title if section else draft["section_id"])
    )
    await reply(message, confirm, confirm_new_entry_keyboard(texts, dialog=token))


async def create_entry(
    callback: CallbackQuery,
    callback_data: ConfirmNewEntryCallback,
    bot: Bot,
    service: FaqService,
    db: Database,
    state: FSMContext,
    texts: Texts,
) -> None:
    if not await is_current_dialog(state, callback_data.dialog):  # of an ended dialog
        await dialog_expired(callback, texts)
        return
    draft = await state.get_data()
    row = await _question_or_notice(db, callback, draft["question_id"], texts)
    if row is None:
        await state.clear()
        return
    owner_id = callback.from_user.id
    try:
        created = await db.add_entry(
            service.kb,
            section_id=draft["section_id"],
            question=row.text,
            answer=draft["answer"],
            added_by=owner_id,
            question_id=row.id,
        )
    except AdditionError as error:
        await state.clear()
        await callback.answer(problem_text(error, texts), show_alert=True)
        return
    await state.clear()
    await db.resolve_question(row.id, Resolution.NEW_ENTRY, created.id, by=owner_id)
    kb = await service.apply_owner_additions(db)
    section = kb.section(created.section_id)
    text = texts.owner.entry_created.format(
        question=escape(created.question),
        entry_id=escape(created.id),
        section=escape(section.title if section else created.section_id),
    )
    await _show_resolved(callback, bot, db, texts, text, page=draft["page"])
    await callback.answer(texts.owner.entry_created_notice)


async def dialog_expired(callback: CallbackQuery, texts: Texts) -> None:
    """ "Create" tapped when no draft is waiting (done already, cancelled, or the bot restarted)
    or under the preview of an ended dialog."""
    await callback.answer(texts.owner.dialog_expired, show_alert=True)


async def cancel_by_button(
    callback: CallbackQuery,
    callback_data: CancelDialogCallback,
    bot: Bot,
    state: FSMContext,
    texts: Texts,
) -> None:
    """Leaves any owner's dialog: this one, and the reply in handlers/admin_questions.py."""
    if not await is_current_dialog(state, callback_data.dialog):
        await ended_dialog_button(callback, texts)
        return
    await state.clear()
    await show_in_place(callback, bot, [texts.owner.dialog_cancelled])
    await callback.answer()


async def cancel_by_command(message: Message, state: FSMContext, texts: Texts) -> None:
    await state.clear()
    await reply(message, texts.owner.dialog_cancelled)


# -- helpers ----------------------------------------------------------------------------------


async def _question_or_notice(
    db: Database, callback: CallbackQuery, question_id: int, texts: Texts
) -> QuestionRow | None:
    row = await db.get_question(question_id)
    if row is None:
        await callback.answer(texts.owner.question_gone, show_alert=True)
    return row


async def _show_resolved(
    callback: CallbackQuery, bot: Bot, db: Database, texts: Texts, text: str, *, page: int
) -> None:
    remaining = (await db.unanswered(page_size=1, include_resolved=False)).total
    await show_in_place(
        callback, bot, [text], resolved_keyboard(texts, page=page, remaining=remaining)
    )


def _quote(text: str) -> str:
    return escape(clip(text, QUOTE_LIMIT))


def problem_text(error: AdditionError, texts: Texts) -> str:
    """Why an addition was refused, in the owner's language."""
    template = texts.owner.problems.get(error.problem, texts.something_went_wrong)
    return template.format(question_limit=MAX_QUESTION_CHARS, answer_limit=MAX_ANSWER_CHARS)


def create_router() -> Router:
    router = owners_only(Router(name=__name__))
    router.message.register(show_first_page, Command("unanswered"))
    router.message.register(
        cancel_by_command, Command("cancel", ignore_case=True), StateFilter(NewEntryDialog)
    )
    router.message.register(receive_answer, StateFilter(NewEntryDialog), PlainText())
    callbacks = router.callback_query
    callbacks.register(show_page, UnansweredCallback.filter())
    callbacks.register(choose_section, ChooseSectionCallback.filter())
    callbacks.register(choose_entry, ChooseEntryCallback.filter())
    callbacks.register(choose_entry, ChooseEntryPageCallback.filter())
    callbacks.register(add_phrasing, AddPhrasingCallback.filter())
    callbacks.register(ignore, IgnoreCallback.filter())
    callbacks.register(new_entry, NewEntryCallback.filter())
    callbacks.register(new_entry_section, NewEntrySectionCallback.filter())
    callbacks.register(
        create_entry, ConfirmNewEntryCallback.filter(), StateFilter(NewEntryDialog.confirm)
    )
    callbacks.register(dialog_expired, ConfirmNewEntryCallback.filter())
    callbacks.register(cancel_by_button, CancelDialogCallback.filter())
    return router
