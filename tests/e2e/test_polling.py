"""End to end: ``python -m bot`` in its own process, long polling the fake Telegram server.

One bot process serves the whole module (starting it loads the morphology dictionaries, which
takes a few seconds); each test plays a different user, so chats do not mix. Everything is
checked by what the fake Telegram received, i.e. by what a user would see. The last test stops
the bot with SIGTERM and reads its database.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import signal
import sqlite3
import sys
import tomllib
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio

from bot.texts import RUSSIAN
from tests.fake_telegram import Call, FakeChat, FakeTelegram, FakeUser, render

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals"),
]

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
FAQ_PATH = REPO / "data" / "faq.toml"
START_TIMEOUT = 60.0  # importing aiogram and loading the dictionaries on a busy 2-core machine
REPLY_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
# Variables of the developer's shell that would change how the bot runs.
BOT_VARIABLES = (
    "BOT_TOKEN", "TELEGRAM_API_BASE", "DATABASE_PATH", "FAQ_PATH", "ADMIN_IDS", "LOG_LEVEL",
    "ANSWER_THRESHOLD", "SUGGEST_THRESHOLD", "BOT_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET",
    "WEBHOOK_HOST", "WEBHOOK_PORT",
)  # fmt: skip


@dataclass
class RunningBot:
    fake: FakeTelegram
    process: asyncio.subprocess.Process
    database: Path
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    async def wait_for(self, method: str, predicate: Any = None, **kwargs: Any) -> Call:
        """Like FakeTelegram.wait_for, but fails at once, with the bot's output, if it exits."""
        timeout = kwargs.pop("timeout", REPLY_TIMEOUT)
        return await self.unless_exited(self.fake.wait_for(method, predicate, timeout, **kwargs))

    async def unless_exited(self, wait: Awaitable[T]) -> T:
        waiting = asyncio.ensure_future(wait)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not waiting.done():
            waiting.cancel()
            raise AssertionError(
                f"the bot exited with code {self.process.returncode}:\n{self.output()}"
            )
        return waiting.result()


def faq() -> dict[str, Any]:
    with FAQ_PATH.open("rb") as file:
        return tomllib.load(file)


def entry(entry_id: str) -> dict[str, Any]:
    return next(e for e in faq()["entries"] if e["id"] == entry_id)


def section_titles() -> list[str]:
    return [section["title"] for section in faq()["sections"]]


def matches_question(button: str, question: str) -> bool:
    """Long questions are shortened on buttons, with an ellipsis."""
    return button == question or (button.endswith("…") and question.startswith(button[:-1]))


def visible(text_html: str) -> str:
    return render(text_html)


def bot_environment(fake: FakeTelegram, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARIABLES}
    env.update(
        BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE=fake.base_url,
        FAQ_PATH=str(FAQ_PATH),
        DATABASE_PATH=str(database),
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def running_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningBot]:
    # An empty working directory: no developer's .env is read, nothing is written to the repo.
    workdir = tmp_path_factory.mktemp("bot")
    database = workdir / "var" / "faq.sqlite3"
    stdout, stderr = workdir / "stdout.log", workdir / "stderr.log"
    async with FakeTelegram() as fake:
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=workdir,
                env=bot_environment(fake, database),
                stdin=asyncio.subprocess.DEVNULL,  # not a terminal: a service, as in production
                stdout=out,
                stderr=err,
            )
        running = RunningBot(fake, process, database, stdout, stderr)
        try:
            await running.unless_exited(fake.wait_for_polling(START_TIMEOUT))
            yield running
        finally:
            await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.kill()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)


def person(user_id: int, first_name: str) -> FakeUser:
    return FakeUser(id=user_id, first_name=first_name, username=None, language_code="ru")


def is_to(chat: FakeUser | FakeChat) -> Any:
    return lambda call: call.params.get("chat_id") == chat.id


# --- start-up ---------------------------------------------------------------------------------


async def test_start_up_sets_the_command_menu_and_polls(running_bot: RunningBot) -> None:
    fake = running_bot.fake
    await running_bot.wait_for("setMyCommands", since=0)
    commands = [c["command"] for c in fake.commands()]
    assert commands == ["start", "faq", "help"]
    assert all(c["description"].strip() for c in fake.commands())
    # Any webhook is removed before polling, or getUpdates would be refused.
    assert [call.ok for call in fake.calls_to("deleteWebhook")] == [True]
    assert fake.is_polling or fake.calls_to("getUpdates")


# --- /start and the topic menu ----------------------------------------------------------------


async def test_start_greets_and_shows_one_button_per_section(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3001, "Айгерим")
    fake.user_sends("/start", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    greeting = fake.last_bot_message(user.id)
    expected = RUSSIAN.start.format(name=user.first_name, title=html.escape(faq()["title"]))
    assert greeting.text == visible(expected)
    assert greeting.keyboard == [[title] for title in section_titles()]


async def test_navigation_edits_the_menu_in_place(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3002, "Пётр")
    fake.user_sends("/start", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    menu = fake.last_bot_message(user.id)

    section = faq()["sections"][1]
    query_id = fake.user_clicks(menu, section["title"], user=user)
    edit = await running_bot.wait_for("editMessageText", is_to(user))
    assert edit.params["message_id"] == menu.message_id
    shown = fake.message(menu.message_id, user.id)
    questions = [e["question"] for e in faq()["entries"] if e["section"] == section["id"]]
    assert shown.text.startswith(section["title"])
    assert len(shown.keyboard) == len(questions) + 1
    assert all(
        matches_question(row[0], q) for row, q in zip(shown.keyboard, questions, strict=False)
    )
    assert shown.keyboard[-1] == [RUSSIAN.all_topics]
    await running_bot.wait_for(
        "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query_id
    )

    answer_entry = next(e for e in faq()["entries"] if e["section"] == section["id"])
    fake.user_clicks(shown, shown.keyboard[0][0], user=user)
    await running_bot.wait_for("editMessageText", is_to(user))
    answered = fake.message(menu.message_id, user.id)
    assert answered.text == f"{answer_entry['question']}\n\n{answer_entry['answer']}"
    assert answered.keyboard == [[RUSSIAN.back_to_questions], [RUSSIAN.all_topics]]
    assert len(fake.bot_messages(user.id)) == 1  # all of it happened in one message

    fake.user_clicks(answered, RUSSIAN.all_topics, user=user)
    await running_bot.wait_for("editMessageText", is_to(user))
    assert fake.message(menu.message_id, user.id).keyboard == [[t] for t in section_titles()]


# --- typed questions --------------------------------------------------------------------------


async def test_typed_question_gets_the_stored_answer(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3003, "Олег")
    fake.user_sends("что с Байконуром?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    reply = fake.last_bot_message(user.id)
    priorities = entry("priorities")
    assert reply.text == f"{priorities['question']}\n\n{priorities['answer']}"
    assert reply.keyboard[-1] == [RUSSIAN.all_topics]


async def test_vague_question_offers_the_closest_questions(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3004, "Дина")
    fake.user_sends("регионы", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    offer = fake.last_bot_message(user.id)
    assert offer.text == visible(RUSSIAN.did_you_mean)
    suggested, last = offer.keyboard[:-1], offer.keyboard[-1]
    assert last == [RUSSIAN.all_topics]
    assert 1 <= len(suggested) <= 3
    questions = [e["question"] for e in faq()["entries"]]
    for (button,) in suggested:
        assert any(matches_question(button, q) for q in questions), button

    # Tapping a suggestion sends its answer as a new message; the suggestions stay in view.
    fake.user_clicks(offer, suggested[0][0], user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    chosen = next(e for e in faq()["entries"] if matches_question(suggested[0][0], e["question"]))
    assert fake.last_bot_message(user.id).text == f"{chosen['question']}\n\n{chosen['answer']}"
    assert fake.message(offer.message_id, user.id).keyboard == offer.keyboard


async def test_off_topic_question_is_answered_honestly_with_the_topics(
    running_bot: RunningBot,
) -> None:
    fake, user = running_bot.fake, person(3005, "Марат")
    fake.user_sends("как приготовить борщ?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    reply = fake.last_bot_message(user.id)
    assert reply.text == visible(RUSSIAN.not_found)
    assert reply.keyboard == [[title] for title in section_titles()]


@pytest.mark.parametrize(
    "content",
    [{"sticker": "😀"}, {"photo": b"\xff\xd8\xff\xe0 not really a jpeg", "caption": "что это?"}],
    ids=["sticker", "photo"],
)
async def test_stickers_and_photos_get_the_text_only_reply(
    running_bot: RunningBot, content: dict[str, Any]
) -> None:
    fake, user = running_bot.fake, person(3006 + len(content), "Лейла")
    fake.user_sends(user=user, **content)
    await running_bot.wait_for("sendMessage", is_to(user))
    assert fake.last_bot_message(user.id).text == visible(RUSSIAN.text_only)


async def test_forged_button_gets_a_notice_and_the_bot_keeps_working(
    running_bot: RunningBot,
) -> None:
    fake, user = running_bot.fake, person(3010, "Ерлан")
    fake.user_sends("/start", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    menu = fake.last_bot_message(user.id)
    for forged in ("e:no_such_entry:s", "s:no_such_section", "💥" * 16, "m:extra:fields:here"):
        query_id = fake.user_clicks(menu, data=forged, user=user)
        answer = await running_bot.wait_for(
            "answerCallbackQuery", lambda c, q=query_id: c.params["callback_query_id"] == q
        )
        assert answer.ok
        assert answer.params.get("text") == RUSSIAN.stale_button, forged
    assert fake.message(menu.message_id, user.id).keyboard == [[t] for t in section_titles()]
    fake.user_sends("что с Байконуром?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    assert entry("priorities")["answer"] in fake.last_bot_message(user.id).text


async def test_in_a_group_the_bot_answers_when_addressed_and_quotes_the_question(
    running_bot: RunningBot,
) -> None:
    fake, user = running_bot.fake, person(3020, "Нурлан")
    group = FakeChat.group(id=-1001000000001, title="Клуб приграничья")
    command = fake.user_sends(f"/faq@{fake.bot_user.username}", user=user, chat=group)
    topics = await running_bot.wait_for("sendMessage", is_to(group))
    assert topics.params["reply_parameters"]["message_id"] == command["message_id"]
    assert fake.last_bot_message(group.id).keyboard == [[t] for t in section_titles()]

    question = fake.user_sends(
        f"@{fake.bot_user.username}, что с Байконуром?", user=user, chat=group
    )
    answer = await running_bot.wait_for("sendMessage", is_to(group))
    assert answer.params["reply_parameters"]["message_id"] == question["message_id"]
    assert fake.last_bot_message(group.id).raw["reply_to_message"]["text"] == question["text"]
    assert entry("priorities")["answer"] in fake.last_bot_message(group.id).text


# --- Telegram misbehaving -------------------------------------------------------------------


async def test_polling_survives_a_telegram_outage(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3030, "Азамат")
    outage = fake.fail("getUpdates", times=2, status=502, description="Bad Gateway")
    fake.end_long_polls()
    await running_bot.unless_exited(
        fake.wait_until(lambda: outage.exhausted, REPLY_TIMEOUT, "two failed polls")
    )
    fake.user_sends("что с Байконуром?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    assert entry("priorities")["answer"] in fake.last_bot_message(user.id).text


async def test_a_lost_reply_does_not_stop_the_bot(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3031, "Сауле")
    fake.drop_connection("sendMessage")
    fake.user_sends("что с Байконуром?", user=user)
    await running_bot.wait_for("sendMessage", lambda c: c.injected and is_to(user)(c))

    # Whether the bot apologises for the lost reply is its own choice; it must keep serving.
    fake.user_sends("как приготовить борщ?", user=user)
    not_found = visible(RUSSIAN.not_found)
    await running_bot.wait_for(
        "sendMessage", lambda c: is_to(user)(c) and render(c.text) == not_found
    )
    assert fake.last_bot_message(user.id).text == not_found


# --- the whole session ------------------------------------------------------------------------


async def test_telegram_refused_nothing_the_bot_sent(running_bot: RunningBot) -> None:
    assert [str(call) for call in running_bot.fake.errors()] == []


async def test_sigterm_stops_the_bot_cleanly_and_keeps_the_question_log(
    running_bot: RunningBot,
) -> None:
    fake, user = running_bot.fake, person(3011, "Гульнара")
    fake.user_sends("как приготовить борщ?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    fake.user_sends("что с Байконуром?", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))

    logged_before = len(running_bot.output())
    running_bot.process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(running_bot.process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        pytest.fail(f"the bot ignored SIGTERM:\n{running_bot.output()}")
    output = running_bot.output()
    assert code == 0, output
    assert "Traceback" not in output[logged_before:]  # earlier ones: the injected faults
    assert fake.token not in output
    assert fake.token.split(":")[1] not in output

    with contextlib.closing(sqlite3.connect(running_bot.database)) as db:
        rows = db.execute(
            "SELECT text, outcome, entry_id FROM questions WHERE user_id = ? ORDER BY id",
            (user.id,),
        ).fetchall()
    assert rows == [
        ("как приготовить борщ?", "none", None),
        ("что с Байконуром?", "answer", "priorities"),
    ]
