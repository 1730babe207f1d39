"""End to end, in both modes: ``python -m bot`` in its own process, getting its updates from the
fake Telegram by long polling or by webhook deliveries; the same tests, the same expectations.

One bot process per mode serves the module (starting it loads the morphology dictionaries, which
takes a few seconds); each test plays a different user, so chats do not mix. Everything is checked
by what the fake Telegram received, i.e. by what a user would see. The last test of each mode
stops the bot with SIGTERM and reads its database.
"""

from __future__ import annotations

import html
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.engine.types import Outcome
from bot.knowledge.model import Entry
from bot.service import FaqService
from bot.texts import RUSSIAN
from tests.e2e.bot_process import MODES, WEBHOOK_SECRET, WEBHOOK_URL, RunningBot, start_bot
from tests.fake_telegram import FakeChat, FakeTelegram, FakeUser, render
from tests.on_disk import on_disk

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals"),
]

# Short, vague queries; the test uses the first one the engine is unsure about (the engine and
# its data improve, the flow under test stays the same).
VAGUE_QUERIES = (
    "сотрудничество россии и казахстана",
    "регионы",
    "договор",
    "казахстан и россия",
)
OFF_TOPIC = "как приготовить борщ?"
ON_TOPIC = "что с Байконуром?"


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=MODES)
async def running_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningBot]:
    mode = str(request.param)
    async with FakeTelegram() as fake:
        running = await start_bot(fake, tmp_path_factory.mktemp(f"bot-{mode}"), mode)
        try:
            await running.wait_until_serving()
            yield running
        finally:
            await running.kill()


def person(user_id: int, first_name: str) -> FakeUser:
    return FakeUser(id=user_id, first_name=first_name, username=None, language_code="ru")


def is_to(chat: FakeUser | FakeChat) -> Any:
    return lambda call: call.params.get("chat_id") == chat.id


def answer_text(entry: Entry) -> str:
    return f"{entry.question}\n\n{entry.answer}"


def section_rows(service: FaqService) -> list[list[str]]:
    return [[section.title] for section in service.kb.sections]


def matches_question(button: str, question: str) -> bool:
    """Long questions are shortened on buttons, with an ellipsis."""
    return button == question or (button.endswith("…") and question.startswith(button[:-1]))


# --- start-up ---------------------------------------------------------------------------------


async def test_start_up_sets_the_command_menu_and_the_way_updates_come(
    running_bot: RunningBot,
) -> None:
    fake = running_bot.fake
    await running_bot.wait_for("setMyCommands", since=0)
    assert [c["command"] for c in fake.commands()] == ["start", "faq", "help"]
    assert all(c["description"].strip() for c in fake.commands())
    if running_bot.mode == "polling":
        # Any webhook is removed before polling, or getUpdates would be refused.
        assert [call.ok for call in fake.calls_to("deleteWebhook")] == [True]
        assert fake.calls_to("setWebhook") == []
    else:
        [set_webhook] = fake.calls_to("setWebhook")
        assert (set_webhook.ok, set_webhook.params["url"]) == (True, WEBHOOK_URL)
        assert set_webhook.params["secret_token"] == WEBHOOK_SECRET
        assert fake.calls_to("getUpdates") == []
        assert fake.calls_to("deleteWebhook") == []


async def test_health_check_passes_while_the_bot_serves(running_bot: RunningBot) -> None:
    code, output = await running_bot.health()
    assert (code, output.startswith("ok: ")) == (0, True), output


# --- /start and the topic menu ----------------------------------------------------------------


async def test_start_greets_and_shows_one_button_per_section(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user = running_bot.fake, person(3001, "Айгерим")
    fake.user_sends("/start", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    greeting = fake.last_bot_message(user.id)
    title = html.escape(faq_service.kb.title)
    assert greeting.text == render(
        RUSSIAN.start.format(name=user.first_name, about=RUSSIAN.about(title))
    )
    assert greeting.keyboard == section_rows(faq_service)


async def test_navigation_edits_the_menu_in_place(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user, kb = running_bot.fake, person(3002, "Пётр"), faq_service.kb
    fake.user_sends("/start", user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    menu = fake.last_bot_message(user.id)

    section = kb.sections[1]
    query_id = fake.user_clicks(menu, section.title, user=user)
    edit = await running_bot.wait_for("editMessageText", is_to(user))
    assert edit.params["message_id"] == menu.message_id
    shown = fake.message(menu.message_id, user.id)
    entries = [e for e in kb.entries if e.section_id == section.id]
    assert shown.text.startswith(section.title)
    assert len(shown.keyboard) == len(entries) + 1
    for row, entry in zip(shown.keyboard, entries, strict=False):
        assert matches_question(row[0], entry.question)
    assert shown.keyboard[-1] == [RUSSIAN.all_topics]
    await running_bot.wait_for(
        "answerCallbackQuery", lambda c: c.params["callback_query_id"] == query_id
    )

    fake.user_clicks(shown, shown.keyboard[0][0], user=user)
    await running_bot.wait_for("editMessageText", is_to(user))
    answered = fake.message(menu.message_id, user.id)
    assert answered.text == answer_text(entries[0])
    assert answered.keyboard[-2:] == [[RUSSIAN.back_to_questions], [RUSSIAN.all_topics]]
    assert len(fake.bot_messages(user.id)) == 1  # all of it happened in one message

    fake.user_clicks(answered, RUSSIAN.all_topics, user=user)
    await running_bot.wait_for("editMessageText", is_to(user))
    assert fake.message(menu.message_id, user.id).keyboard == section_rows(faq_service)


# --- typed questions --------------------------------------------------------------------------


async def test_typed_question_gets_the_stored_answer(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user = running_bot.fake, person(3003, "Олег")
    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    reply = fake.last_bot_message(user.id)
    result = faq_service.match(ON_TOPIC)
    assert result.outcome == Outcome.ANSWER
    assert result.best is not None
    assert reply.text == answer_text(result.best.entry)
    assert reply.keyboard[-1] == [RUSSIAN.all_topics]


async def test_vague_question_offers_the_closest_questions(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user = running_bot.fake, person(3004, "Дина")
    query = next(q for q in VAGUE_QUERIES if faq_service.match(q).outcome == Outcome.SUGGEST)
    fake.user_sends(query, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    offer = fake.last_bot_message(user.id)
    assert offer.text == render(RUSSIAN.did_you_mean)
    suggested, last = offer.keyboard[:-1], offer.keyboard[-1]
    assert last == [RUSSIAN.all_topics]
    expected = [candidate.entry for candidate in faq_service.match(query).suggestions]
    assert len(suggested) == len(expected)
    for (button,), entry in zip(suggested, expected, strict=True):
        assert matches_question(button, entry.question), button

    # Tapping a suggestion sends its answer as a new message; the suggestions stay in view.
    fake.user_clicks(offer, suggested[0][0], user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    assert fake.last_bot_message(user.id).text == answer_text(expected[0])
    assert fake.message(offer.message_id, user.id).keyboard == offer.keyboard


async def test_off_topic_question_is_answered_honestly_with_the_topics(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user = running_bot.fake, person(3005, "Марат")
    fake.user_sends(OFF_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    reply = fake.last_bot_message(user.id)
    assert reply.text == render(RUSSIAN.not_found)
    assert reply.keyboard[: len(faq_service.kb.sections)] == section_rows(faq_service)


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
    assert fake.last_bot_message(user.id).text == render(RUSSIAN.text_only)


async def test_forged_button_gets_a_notice_and_the_bot_keeps_working(
    running_bot: RunningBot, faq_service: FaqService
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
    assert fake.message(menu.message_id, user.id).keyboard == section_rows(faq_service)
    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    assert "Байконур" in fake.last_bot_message(user.id).text


async def test_in_a_group_the_bot_answers_when_addressed_and_quotes_the_question(
    running_bot: RunningBot, faq_service: FaqService
) -> None:
    fake, user = running_bot.fake, person(3020, "Нурлан")
    group = FakeChat.group(id=-1001000000001, title="Клуб приграничья")
    command = fake.user_sends(f"/faq@{fake.bot_user.username}", user=user, chat=group)
    topics = await running_bot.wait_for("sendMessage", is_to(group))
    assert topics.params["reply_parameters"]["message_id"] == command["message_id"]
    assert fake.last_bot_message(group.id).keyboard == section_rows(faq_service)

    question = fake.user_sends(f"@{fake.bot_user.username}, {ON_TOPIC}", user=user, chat=group)
    answer = await running_bot.wait_for("sendMessage", is_to(group))
    assert answer.params["reply_parameters"]["message_id"] == question["message_id"]
    assert fake.last_bot_message(group.id).raw["reply_to_message"]["text"] == question["text"]
    assert "Байконур" in fake.last_bot_message(group.id).text


# --- Telegram misbehaving -------------------------------------------------------------------


async def test_the_bot_survives_a_telegram_outage(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3030, "Азамат")
    if running_bot.mode == "polling":
        outage = fake.fail("getUpdates", times=2, status=502, description="Bad Gateway")
        fake.end_long_polls()
        await running_bot.unless_exited(
            fake.wait_until(lambda: outage.exhausted, 15, "two failed polls")
        )
    failed_reply = fake.fail("sendMessage", status=502, description="Bad Gateway")
    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", lambda c: c.injected and is_to(user)(c))
    assert failed_reply.exhausted

    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", lambda c: c.ok and is_to(user)(c))
    assert "Байконур" in fake.last_bot_message(user.id).text


async def test_a_lost_reply_does_not_stop_the_bot(running_bot: RunningBot) -> None:
    fake, user = running_bot.fake, person(3031, "Сауле")
    fake.drop_connection("sendMessage")
    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", lambda c: c.injected and is_to(user)(c))

    # Whether the bot apologises for the lost reply is its own choice; it must keep serving.
    fake.user_sends(OFF_TOPIC, user=user)
    not_found = render(RUSSIAN.not_found)
    await running_bot.wait_for(
        "sendMessage", lambda c: is_to(user)(c) and render(c.text) == not_found
    )
    assert fake.last_bot_message(user.id).text == not_found


# --- the whole session ------------------------------------------------------------------------


async def test_telegram_refused_nothing_the_bot_sent(running_bot: RunningBot) -> None:
    assert [str(call) for call in running_bot.fake.errors()] == []
    if running_bot.mode == "webhook":
        assert all(d.secret_sent for d in running_bot.fake.webhook_deliveries)
        assert {d.status for d in running_bot.fake.webhook_deliveries} == {200}


async def test_sigterm_stops_the_bot_cleanly_and_keeps_the_question_log(
    running_bot: RunningBot,
) -> None:
    fake, user = running_bot.fake, person(3011, "Гульнара")
    fake.user_sends(OFF_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))
    fake.user_sends(ON_TOPIC, user=user)
    await running_bot.wait_for("sendMessage", is_to(user))

    logged_before = len(running_bot.output())
    code = await running_bot.terminate()
    output = running_bot.output()
    assert code == 0, output
    assert "Traceback" not in output[logged_before:]  # earlier ones: the injected faults
    assert fake.token.split(":")[1] not in output
    if running_bot.mode == "webhook":
        assert fake.webhook["url"] == WEBHOOK_URL  # kept for the next instance
    health, said = await running_bot.health()
    assert (health, said.startswith("unhealthy: ")) == (1, True), said

    rows = on_disk(
        running_bot.database,
        "SELECT text, outcome FROM questions WHERE user_id = ? ORDER BY id",
        user.id,
    )
    assert rows == [(OFF_TOPIC, "none"), (ON_TOPIC, "answer")]
