""" "Ask a person": the user's question reaches the owners and their reply reaches the user."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.types import Message

from bot.callbacks import AskHumanCallback
from bot.local_api import LocalChat, button_texts
from bot.service import FaqService
from bot.storage import Database, HumanQuestionStatus
from bot.texts import ENGLISH, RUSSIAN
from tests.conftest import ABSENT_OWNER_ID, OWNER_ID
from tests.handlers.screens import not_found_buttons
from tests.mocked_bot import MockedBot, make_user

BORSCHT = "как приготовить борщ?"
REPLY = "Борщ — не наша тема, но попробуйте <кулинарный> сайт & книгу."


async def not_found(user: LocalChat, text: str = BORSCHT) -> Message:
    [message] = (await user.send(text)).sent
    assert message.text == RUSSIAN.not_found
    return message


async def test_ask_a_person_round_trip(
    user: LocalChat, owner: LocalChat, bot: MockedBot, db: Database, faq_service: FaqService
) -> None:
    message = await not_found(user)
    assert button_texts(message) == not_found_buttons(faq_service.kb, RUSSIAN)

    # The user taps "ask a person": their own words go to the owners, nothing to retype.
    asked = await user.click(message, RUSSIAN.ask_human)

    assert asked.notices == [RUSSIAN.ask_sent_notice]
    assert [m.text for m in asked.sent_to(user.chat.id)] == [RUSSIAN.ask_sent]
    assert RUSSIAN.ask_human not in button_texts(user.current(message))
    [question] = (await db.human_questions()).rows
    assert (question.user_id, question.chat_id, question.text) == (1001, user.chat.id, BORSCHT)
    assert (question.status, question.language_code) == (HumanQuestionStatus.OPEN, "ru")

    # Every owner is told; one never started the bot, which is logged, not fatal.
    [notification] = owner.received()
    assert notification.text == (f"🙋 Новый вопрос к человеку от Анна (id 1001):\n\n«{BORSCHT}»")
    assert button_texts(notification) == [RUSSIAN.owner.reply]
    [refused] = [c for c in bot.calls("sendMessage") if c.params["chat_id"] == ABSENT_OWNER_ID]
    assert refused.error is not None

    # The queue shows it too.
    [queue] = (await owner.send("/questions")).sent
    assert "Вопросы к человеку: 1" in queue.text
    assert "1. Анна (id 1001)" in queue.text
    assert button_texts(queue) == [f"✍️ Ответить на 1: {BORSCHT}"]

    # The owner replies from the notification; the reply reaches the user through the bot.
    [prompt] = (await owner.click(notification, RUSSIAN.owner.reply)).sent
    assert prompt.text.startswith("✍️ Вопрос от Анна (id 1001):")
    assert button_texts(prompt) == [RUSSIAN.owner.cancel]
    replied = await owner.send(REPLY)

    assert [m.text for m in replied.sent_to(owner.chat.id)] == [RUSSIAN.owner.reply_sent]
    assert replied.refused == []
    delivered = user.received()[-1]
    assert delivered.text == f"💬 Ответ на ваш вопрос «{BORSCHT}»:\n\n{REPLY}"
    answered = await db.get_human_question(question.id)
    assert answered is not None
    assert answered.status is HumanQuestionStatus.ANSWERED
    assert (answered.reply, answered.answered_by) == (REPLY, OWNER_ID)
    assert (await owner.send("/questions")).sent[0].text == RUSSIAN.owner.questions_empty


async def test_the_owners_next_message_after_replying_is_a_question_again(
    user: LocalChat, owner: LocalChat
) -> None:
    await user.click(await not_found(user), RUSSIAN.ask_human)
    [notification] = owner.received()
    await owner.click(notification, RUSSIAN.owner.reply)
    await owner.send("Ответ.")

    [answer] = (await owner.send("что с Байконуром?")).sent

    assert answer.text.startswith("Каковы сегодня приоритеты")


async def test_a_second_reply_to_the_same_question_is_not_sent(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.click(await not_found(user), RUSSIAN.ask_human)
    [notification] = owner.received()
    await owner.click(notification, RUSSIAN.owner.reply)
    await owner.send("Первый ответ.")
    received = len(user.received())

    again = await owner.click(notification, RUSSIAN.owner.reply)

    assert again.notices == [RUSSIAN.owner.already_answered]
    assert again.sent == []
    assert len(user.received()) == received


async def test_an_owner_can_cancel_a_reply(user: LocalChat, owner: LocalChat, db: Database) -> None:
    await user.click(await not_found(user), RUSSIAN.ask_human)
    [notification] = owner.received()
    [prompt] = (await owner.click(notification, RUSSIAN.owner.reply)).sent

    cancelled = await owner.click(prompt, RUSSIAN.owner.cancel)
    after = await owner.send("что с Байконуром?")

    assert cancelled.last.text == RUSSIAN.owner.dialog_cancelled
    assert after.sent[0].text.startswith("Каковы сегодня приоритеты")
    [question] = (await db.human_questions()).rows
    assert question.status is HumanQuestionStatus.OPEN


async def test_a_reply_that_cannot_be_delivered_is_reported_to_the_owner(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.click(await not_found(user), RUSSIAN.ask_human)
    [notification] = owner.received()
    await owner.click(notification, RUSSIAN.owner.reply)
    user.session.remove_chat(user.chat.id)  # the user blocked the bot meanwhile

    replied = await owner.send("Ответ.")

    assert [m.text for m in replied.sent] == [RUSSIAN.owner.reply_not_delivered]
    [question] = (await db.human_questions(status=None)).rows
    assert question.status is HumanQuestionStatus.ANSWERED


async def test_without_a_logged_message_the_user_types_the_question(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    [answer] = (await user.send("/start integration")).sent  # no question was asked
    [offer] = (await user.click(answer, RUSSIAN.vote_down)).sent

    prompt = await user.click(offer, RUSSIAN.ask_human)
    assert [m.text for m in prompt.sent] == [RUSSIAN.ask_prompt]
    sent = await user.send("Где найти протокол заседания?")

    assert [m.text for m in sent.sent_to(user.chat.id)] == [RUSSIAN.ask_sent]
    [question] = (await db.human_questions()).rows
    assert question.text == "Где найти протокол заседания?"
    assert "Где найти протокол заседания?" in owner.received()[-1].text
    # The dialog is over: the next message is a question for the FAQ again.
    assert (await user.send("что с Байконуром?")).sent[0].text.startswith("Каковы")


async def test_typing_a_question_for_a_person_can_be_cancelled(
    user: LocalChat, db: Database
) -> None:
    await user.press(AskHumanCallback().pack(), None)

    cancelled = await user.send("/cancel")
    after = await user.send("как приготовить борщ?")

    assert [m.text for m in cancelled.sent] == [RUSSIAN.ask_cancelled]
    assert after.sent[0].text == RUSSIAN.not_found
    assert (await db.human_questions()).total == 0


async def test_someone_elses_question_cannot_be_sent(
    user: LocalChat, dp: Dispatcher, bot: MockedBot, db: Database
) -> None:
    await not_found(user)
    [logged] = await db.recent_questions(limit=1)
    intruder = LocalChat(dp, bot, user=make_user(666, first_name="Мэллори"))

    exchange = await intruder.press(AskHumanCallback(update_id=logged.update_id or 0).pack(), None)

    assert exchange.notices == [RUSSIAN.ask_not_yours]
    assert exchange.sent == []
    assert (await db.human_questions()).total == 0


async def test_english_users_ask_and_get_the_reply_in_english(
    english_user: LocalChat, owner: LocalChat
) -> None:
    [message] = (await english_user.send(BORSCHT)).sent
    assert message.text == ENGLISH.not_found

    asked = await english_user.click(message, ENGLISH.ask_human)
    [notification] = owner.received()
    await owner.click(notification, RUSSIAN.owner.reply)
    await owner.send("It is not our topic.")

    assert asked.notices == [ENGLISH.ask_sent_notice]
    assert english_user.received()[-1].text == (
        f"💬 A reply to your question «{BORSCHT}»:\n\nIt is not our topic."
    )


async def test_the_queue_is_oldest_first_five_to_a_page(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    for number in range(1, 8):
        await db.create_human_question(user_id=1001, chat_id=user.chat.id, text=f"вопрос {number}")

    [first] = (await owner.send("/questions")).sent
    assert first.text.startswith("🙋 Вопросы к человеку: 7")
    assert [t.split(":")[0] for t in button_texts(first)] == [
        *(f"✍️ Ответить на {n}" for n in range(1, 6)),
        RUSSIAN.next_page,
    ]
    second = await owner.click(first, RUSSIAN.next_page)

    assert second.last.message_id == first.message_id
    assert "6. id 1001, " in second.last.text  # a user the bot has not met: no name
    assert "«вопрос 7»" in second.last.text
    assert button_texts(second.last) == [
        "✍️ Ответить на 6: вопрос 6",
        "✍️ Ответить на 7: вопрос 7",
        RUSSIAN.previous_page,
    ]


async def test_a_question_of_emoji_at_telegrams_limit_goes_through_the_whole_round_trip(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    # 2,046 emoji are 4,092 UTF-16 units, near the most Telegram takes; each quote of it must
    # be clipped in units, or the owners' messages carrying it are refused. (A word in front:
    # a message of emoji alone is asked for words, see test_questions.)
    question = "да " + "😀" * 2046
    await user.click(await not_found(user, question), RUSSIAN.ask_human)

    [notification] = owner.received()
    assert notification.text.startswith("🙋 Новый вопрос к человеку")
    assert notification.text.endswith("😀…»")
    [prompt] = (await owner.click(notification, RUSSIAN.owner.reply)).sent
    assert prompt.text.startswith("✍️ Вопрос от Анна")
    reply_text = "Ответ. " * 580  # 4,060 characters: the quote above it must leave room
    replied = await owner.send(reply_text)

    assert [m.text for m in replied.sent_to(owner.chat.id)] == [RUSSIAN.owner.reply_sent]
    assert replied.refused == []
    delivered = user.received()[-2:]
    assert delivered[0].text.startswith("💬 Ответ на ваш вопрос «да 😀😀")
    assert "".join(m.text for m in delivered).count("Ответ.") == 580


async def test_the_queue_of_long_emoji_questions_fits_one_message(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    for _ in range(5):
        await db.create_human_question(user_id=1001, chat_id=user.chat.id, text="😀" * 600)

    shown = await owner.send("/questions")

    assert shown.refused == []
    [queue] = shown.sent
    assert queue.text.startswith("🙋 Вопросы к человеку: 5")


async def test_a_reply_prompt_telegram_refuses_does_not_start_the_reply(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.click(await not_found(user), RUSSIAN.ask_human)
    [notification] = owner.received()
    owner.session.remove_chat(owner.chat.id)  # the prompt cannot be sent
    await owner.click(notification, RUSSIAN.owner.reply)
    owner.session.add_chat(owner.chat)

    after = await owner.send("что с Байконуром?")

    assert after.sent[0].text.startswith("Каковы сегодня приоритеты")
    [question] = (await db.human_questions()).rows
    assert question.status is HumanQuestionStatus.OPEN


async def test_in_a_group_only_the_asker_can_send_the_question_and_the_reply_names_them(
    group: LocalChat, owner: LocalChat, dp: Dispatcher, bot: MockedBot, db: Database
) -> None:
    [message] = (await group.send(f"@faq_local_bot {BORSCHT}")).sent
    assert message.text == RUSSIAN.not_found
    member = LocalChat(dp, bot, user=make_user(3004, first_name="Пётр"), chat=group.chat)

    tapped = await member.click(message, RUSSIAN.ask_human)

    assert tapped.notices == [RUSSIAN.ask_not_yours]
    assert tapped.sent == []
    assert (await db.human_questions()).total == 0

    asked = await group.click(message, RUSSIAN.ask_human)
    assert [m.text for m in asked.sent_to(group.chat.id)] == [RUSSIAN.ask_sent]
    notification = owner.received()[-1]
    await owner.click(notification, RUSSIAN.owner.reply)
    await owner.send(REPLY)

    delivered = group.received()[-1]
    assert delivered.text == f"💬 Ольга, ответ на ваш вопрос «{BORSCHT}»:\n\n{REPLY}"
    [call] = [c for c in bot.calls("sendMessage") if c.params["chat_id"] == group.chat.id][-1:]
    assert call.params["text"].startswith('💬 <a href="tg://user?id=3003">Ольга</a>, ')
