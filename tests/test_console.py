"""The console chat: the real bot in a terminal, driven here by scripted input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.console import BANNER, CONSOLE_USER_ID, PICTURE, run_console
from bot.service import FaqService
from bot.storage import Database
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import FAQ_PATH


async def chat(settings: Settings, *lines: str, language_code: str = "ru") -> str:
    output = io.StringIO()
    await run_console(settings, lines, output, language_code=language_code, first_name="Оператор")
    return output.getvalue()


async def test_it_greets_and_numbers_the_topic_buttons(
    settings: Settings, faq_service: FaqService
) -> None:
    output = await chat(settings)

    assert output.startswith(BANNER)
    assert "bot> Здравствуйте, Оператор! 👋" in output
    for number, section in enumerate(faq_service.kb.sections, start=1):
        assert f"  [{number}] {section.title}\n" in output
    assert "<b>" not in output  # markup is shown as the user would see it


async def test_typing_a_number_taps_the_button_of_the_last_keyboard(
    settings: Settings, faq_service: FaqService
) -> None:
    entry = faq_service.kb.entries_in("bilateral")[0]

    output = await chat(settings, "2", "1")

    assert "  (tapped: 🤝 Приоритеты сотрудничества)" in output
    assert "bot (edited)> 🤝 Приоритеты сотрудничества" in output
    assert f"bot (edited)> {entry.question}" in output
    assert entry.answer in output
    assert f"  [1] {RUSSIAN.vote_up}" in output
    assert f"  [4] {RUSSIAN.back_to_questions}" in output


async def test_text_is_sent_as_a_question(settings: Settings, faq_service: FaqService) -> None:
    entry = faq_service.kb.entry("priorities")
    assert entry is not None

    output = await chat(settings, "что с Байконуром?", "как приготовить борщ?")

    assert f"bot> {entry.question}" in output
    assert "bot> " + RUSSIAN.not_found.splitlines()[0] in output


async def test_numbers_without_a_matching_button_are_sent_as_text(settings: Settings) -> None:
    output = await chat(settings, "42")

    assert "(tapped" not in output
    assert "  (no button 42 under the last message (1–" in output
    assert "bot> " + RUSSIAN.not_found.splitlines()[0] in output


async def test_a_link_button_shows_its_address(settings: Settings) -> None:
    output = await chat(settings, "что с Байконуром?", "3")

    assert f"  [3] {RUSSIAN.share}" in output
    assert "  (link: https://t.me/share/url?url=https%3A%2F%2Ft.me%2Ffaq_local_bot" in output


async def test_what_owners_taught_the_bot_in_telegram_works_in_the_console(
    settings: Settings,
) -> None:
    async with await Database.open(settings.database_path) as db:
        await db.add_phrasing("priorities", "как приготовить борщ?", added_by=1)

    output = await chat(settings, "как приготовить борщ?")

    assert "bot> Каковы сегодня приоритеты двустороннего сотрудничества?" in output


async def test_commands_work_and_quit_stops_reading(settings: Settings) -> None:
    output = await chat(settings, "/help", "/quit", "/faq")

    assert "bot> Я отвечаю на вопросы" in output
    assert RUSSIAN.choose_topic not in output


async def test_it_uses_the_configured_database(settings: Settings) -> None:
    await chat(settings, "что с Байконуром?")

    async with await Database.open(settings.database_path) as db:
        [row] = await db.recent_questions()
    assert row.entry_id == "priorities"


async def test_english_interface(settings: Settings) -> None:
    output = await chat(settings, "/faq", language_code="en")

    assert "bot> Hello, Оператор!" in output
    assert f"bot> {ENGLISH.choose_topic}" in output


def test_python_m_bot_chat_reads_a_pipe(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOT_TOKEN", "FAQ_PATH", "DATABASE_PATH"}
    }
    env |= {"FAQ_PATH": str(FAQ_PATH), "DATABASE_PATH": str(tmp_path / "db.sqlite3")}

    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="3\nчто с Байконуром?\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "  (tapped: 🌐 Интеграция)" in done.stdout
    assert "bot> Каковы сегодня приоритеты двустороннего сотрудничества?" in done.stdout
    assert done.stderr == ""


async def test_piped_lines_are_not_swallowed_by_the_flood_guard(settings: Settings) -> None:
    # A script piping questions types faster than any person; the console has one user, so the
    # flood guard that protects Telegram chats from each other must not drop its lines.
    from dataclasses import replace

    guarded = replace(settings, throttle_rate=2, throttle_window=60.0)
    output = await chat(guarded, *["что с Байконуром?"] * 5)

    assert output.count("Каковы сегодня приоритеты двустороннего сотрудничества?") == 5
    assert RUSSIAN.slow_down not in output


async def test_a_picture_the_bot_sends_is_shown_as_such(settings: Settings) -> None:
    owner_settings = replace(settings, admin_ids=frozenset({CONSOLE_USER_ID}))

    output = await chat(owner_settings, "/stats")

    assert f"bot> {PICTURE}\n     📊 Статистика\n" in output


async def test_buttons_edited_away_cannot_be_tapped_any_more(settings: Settings) -> None:
    owner_settings = replace(settings, admin_ids=frozenset({CONSOLE_USER_ID}))

    output = await chat(owner_settings, "как приготовить борщ?", "/unanswered", "3", "3")

    skip = RUSSIAN.owner.ignore
    assert output.count(f"(tapped: {skip})") == 1  # the second "3" is no button any more
    assert "bot (edited)> 🙈 «как приготовить борщ?» пропущен." in output
