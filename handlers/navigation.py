"""Inline navigation: topics -> a topic's questions -> an answer, and back.

Every tap edits the message the button is under, except a suggestion ("did you mean", or another
question after a 👎), whose answer comes as a new message so the other suggestions stay in view.
Every callback is answered, so the button's spinner stops; a button that points to something no
longer in the knowledge base (it was edited since) gets a notice instead.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from bot.callbacks import (
    EntryCallback,
    MenuCallback,
    Origin,
    SectionCallback,
    SectionPageCallback,
    SuggestionCallback,
)
from bot.formatting import answer_messages, escape
from bot.keyboards import answer_keyboard, section_keyboard, sections_keyboard
from bot.service import FaqService
from bot.texts import Texts
from handlers.delivery import bot_username, chat_id_of, send_in_parts, show_in_place


async def show_topics(callback: CallbackQuery, bot: Bot, service: FaqService, texts: Texts) -> None:
    await show_in_place(callback, bot, [texts.choose_topic], sections_keyboard(service.kb))
    await callback.answer()


async def show_section(
    callback: CallbackQuery,
    callback_data: SectionCallback | SectionPageCallback,
    bot: Bot,
    service: FaqService,
    texts: Texts,
) -> None:
    kb = service.kb
    section = kb.section(callback_data.section_id)
    if section is None:
        await callback.answer(texts.stale_button)
        return
    page = callback_data.page if isinstance(callback_data, SectionPageCallback) else 0
    text = texts.section.format(title=escape(section.title))
    await show_in_place(callback, bot, [text], section_keyboard(kb, section.id, texts, page))
    await callback.answer()


async def show_entry(
    callback: CallbackQuery,
    callback_data: EntryCallback,
    bot: Bot,
    service: FaqService,
    texts: Texts,
) -> None:
    entry = service.kb.entry(callback_data.entry_id)
    if entry is None:
        await callback.answer(texts.stale_button)
        return
    parts = answer_messages(entry)
    markup = answer_keyboard(
        service.kb, entry, texts, callback_data.origin, bot_username=await bot_username(bot)
    )
    if callback_data.origin is Origin.SECTION:
        await show_in_place(callback, bot, parts, markup)
    else:
        await send_in_parts(bot, chat_id_of(callback), parts, markup)
    await callback.answer()


async def show_suggestion(
    callback: CallbackQuery,
    callback_data: SuggestionCallback,
    bot: Bot,
    service: FaqService,
    texts: Texts,
) -> None:
    entry = service.kb.entry(callback_data.entry_id)
    if entry is None:
        await callback.answer(texts.stale_button)
        return
    markup = answer_keyboard(
        service.kb,
        entry,
        texts,
        Origin.SEARCH,
        bot_username=await bot_username(bot),
        update_id=callback_data.update_id,
    )
    await send_in_parts(bot, chat_id_of(callback), answer_messages(entry), markup)
    await callback.answer()


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_topics, MenuCallback.filter())
    router.callback_query.register(show_section, SectionCallback.filter())
    router.callback_query.register(show_section, SectionPageCallback.filter())
    router.callback_query.register(show_entry, EntryCallback.filter())
    router.callback_query.register(show_suggestion, SuggestionCallback.filter())
    return router
