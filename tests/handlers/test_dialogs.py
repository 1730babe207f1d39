"""A command in the middle of a dialog ends the dialog openly, then runs; nothing typed in a
dialog is lost or mistaken for a question, and a ✖️ of an ended dialog says so."""

from __future__ import annotations

from aiogram.types import Message

from bot.callbacks import AskHumanCallback
from bot.local_api import LocalChat, button_texts
from bot.storage import Database, HumanQuestionStatus
from bot.texts import RUSSIAN
from tests.mocked_bot import STICKER

OWNER = RUSSIAN.owner
CAKE = "как испечь торт"
REPLY = "Духовка 180 градусов, 40 минут."


async def reply_prompt(user: LocalChat, owner: LocalChat) -> Message:
    """The user asks a person; the owner taps "reply" under the notification."""
    [not_found] = (await user.send(CAKE)).sent
    await user.click(not_found, RUSSIAN.ask_human)
    notification = owner.received()[-1]
    [prompt] = (await owner.click(notification, OWNER.reply)).sent
    assert button_texts(prompt) == [OWNER.cancel]
    return prompt


async def test_a_command_during_a_reply_ends_it_with_a_notice_and_runs(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await reply_prompt(user, owner)
    before = len(user.received())

    helped = await owner.send("/help")

    notice, help_text = helped.sent
    assert notice.text == OWNER.reply_interrupted
    assert help_text.text.startswith("Я отвечаю на вопросы по теме")
    # The dialog is over: the next text is not the reply, and the owner was told so above.
    await owner.send(REPLY)
    assert len(user.received()) == before  # nothing reached the user
    [question] = (await db.human_questions()).rows
    assert (question.status, question.reply) == (HumanQuestionStatus.OPEN, None)
    [queue] = (await owner.send("/questions")).sent
    assert "Вопросы к человеку: 1" in queue.text


async def test_owners_commands_end_the_reply_dialog_the_same_way(
    user: LocalChat, owner: LocalChat
) -> None:
    await reply_prompt(user, owner)

    listed = await owner.send("/questions")

    notice, queue = listed.sent
    assert notice.text == OWNER.reply_interrupted
    assert "Вопросы к человеку: 1" in queue.text


async def test_the_cancel_button_of_an_ended_dialog_says_so_and_spares_the_new_one(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    old_prompt = await reply_prompt(user, owner)
    await owner.send("/help")
    [queue] = (await owner.send("/questions")).sent
    [new_prompt] = (await owner.click(queue, "✍️ Ответить на 1")).sent

    stale = await owner.click(old_prompt, OWNER.cancel)

    assert stale.notices == [RUSSIAN.dialog_ended]
    assert button_texts(owner.current(old_prompt)) == []  # the stale ✖️ is gone
    assert button_texts(owner.current(new_prompt)) == [OWNER.cancel]
    # The new dialog is still on: the reply goes to the user.
    sent = await owner.send(REPLY)
    assert [m.text for m in sent.sent_to(owner.chat.id)] == [OWNER.reply_sent]
    assert user.received()[-1].text == f"💬 Ответ на ваш вопрос «{CAKE}»:\n\n{REPLY}"
    [question] = (await db.human_questions(HumanQuestionStatus.ANSWERED)).rows
    assert question.reply == REPLY


async def test_the_cancel_button_of_the_current_dialog_cancels_it(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    prompt = await reply_prompt(user, owner)

    cancelled = await owner.click(prompt, OWNER.cancel)

    assert owner.current(prompt).text == OWNER.dialog_cancelled
    assert cancelled.notices == []
    await owner.send(REPLY)
    [question] = (await db.human_questions()).rows
    assert question.status is HumanQuestionStatus.OPEN


async def test_a_sticker_during_a_reply_is_reminded_and_the_dialog_goes_on(
    user: LocalChat, owner: LocalChat
) -> None:
    await reply_prompt(user, owner)

    sticker = await owner.send_message(**STICKER)

    assert [m.text for m in sticker.sent] == [OWNER.dialog_text_only]
    sent = await owner.send(REPLY)
    assert [m.text for m in sent.sent_to(owner.chat.id)] == [OWNER.reply_sent]


async def test_a_command_during_a_new_entry_ends_it_with_a_notice(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.send("Когда следующее заседание форума?")
    [page] = (await owner.send("/unanswered")).sent
    await owner.click(page, OWNER.new_entry)
    await owner.click(page, "🌐 Интеграция")

    topics = await owner.send("/faq")

    notice, menu = topics.sent
    assert notice.text == OWNER.new_entry_interrupted
    assert menu.text == RUSSIAN.choose_topic
    logged_before = len(await db.recent_questions(limit=100))
    await owner.send("Осенью, в Астане.")
    assert await db.owner_entries() == []
    # What the owner typed after the notice was an owner's question, answered as such; the
    # dialog's text itself never was.
    assert len(await db.recent_questions(limit=100)) == logged_before + 1


async def test_typing_again_at_the_preview_replaces_the_answer(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    question = "Когда следующее заседание форума?"
    await user.send(question)
    [page] = (await owner.send("/unanswered")).sent
    await owner.click(page, OWNER.new_entry)
    await owner.click(page, "🌐 Интеграция")
    await owner.send("Осенью.")
    logged = len(await db.recent_questions(limit=100))

    retyped = await owner.send("Осенью, в Астане.")

    *shown, confirm = retyped.sent
    assert [m.text for m in shown] == [f"{question}\n\nОсенью, в Астане."]
    assert button_texts(confirm) == [OWNER.create, OWNER.cancel]
    assert len(await db.recent_questions(limit=100)) == logged  # not taken for a question
    await owner.click(confirm, OWNER.create)
    [entry] = await db.owner_entries()
    assert entry.answer == "Осенью, в Астане."


async def test_a_command_while_a_user_types_a_question_for_a_person(
    user: LocalChat, db: Database
) -> None:
    await user.press(AskHumanCallback().pack(), None)

    topics = await user.send("/faq")

    notice, menu = topics.sent
    assert notice.text == RUSSIAN.ask_interrupted
    assert menu.text == RUSSIAN.choose_topic
    after = await user.send("как приготовить борщ?")
    assert after.sent[0].text == RUSSIAN.not_found
    assert (await db.human_questions()).total == 0


async def test_the_users_stale_cancel_button_says_the_dialog_ended(user: LocalChat) -> None:
    [ask_prompt] = (await user.press(AskHumanCallback().pack(), None)).sent
    await user.send("/start")

    stale = await user.click(ask_prompt, RUSSIAN.cancel)

    assert stale.notices == [RUSSIAN.dialog_ended]
    assert button_texts(user.current(ask_prompt)) == []


async def test_a_command_for_another_bot_in_a_group_leaves_the_dialog(group: LocalChat) -> None:
    [not_found] = (await group.send("@faq_local_bot как испечь торт")).sent
    [prompt] = (await group.press(AskHumanCallback().pack(), not_found)).sent
    assert prompt.text == RUSSIAN.ask_prompt

    other = await group.send("/start@some_other_bot")

    assert other.sent == []
    typed = await group.send("@faq_local_bot как приготовить борщ?")
    assert [m.text for m in typed.sent] == [RUSSIAN.ask_sent]


async def test_paging_the_unanswered_list_keeps_a_reply_being_typed(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await reply_prompt(user, owner)  # the user's "торт" is also an unanswered question
    await user.send("Когда следующее заседание форума?")
    _notice, page = (await owner.send("/unanswered")).sent  # the reply dialog ends openly
    [queue] = (await owner.send("/questions")).sent
    await owner.click(queue, "✍️ Ответить на 1")

    await owner.click(page, "Дальше ▶️")

    sent = await owner.send(REPLY)
    assert [m.text for m in sent.sent_to(owner.chat.id)] == [OWNER.reply_sent]
    [question] = (await db.human_questions(HumanQuestionStatus.ANSWERED)).rows
    assert question.reply == REPLY


async def test_create_under_the_preview_of_an_ended_dialog_creates_nothing(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await user.send("Когда следующее заседание форума?")
    await user.send("Где проходит форум регионов?")
    [page] = (await owner.send("/unanswered")).sent
    await owner.click(page, OWNER.new_entry)
    await owner.click(page, "🌐 Интеграция")
    *_, old_confirm = (await owner.send("Осенью.")).sent
    # A second new entry, for the other question, is started and left at its answer.
    [page] = (await owner.send("/unanswered")).sent[-1:]
    await owner.click(page, OWNER.new_entry)
    await owner.click(page, "🌐 Интеграция")

    late = await owner.click(old_confirm, OWNER.create)

    assert late.notices == [OWNER.dialog_expired]
    assert await db.owner_entries() == []


async def test_cancel_in_capitals_cancels_the_reply_dialog(
    user: LocalChat, owner: LocalChat, db: Database
) -> None:
    await reply_prompt(user, owner)
    before = len(user.received())

    [cancelled] = (await owner.send("/Cancel")).sent

    assert cancelled.text == OWNER.dialog_cancelled
    await owner.send(REPLY)
    assert len(user.received()) == before  # the owner's next text never reached the user
    [question] = (await db.human_questions()).rows
    assert question.status is HumanQuestionStatus.OPEN


async def test_cancel_with_no_dialog_says_there_is_nothing_to_cancel(user: LocalChat) -> None:
    [answer] = (await user.send("/cancel")).sent

    assert answer.text == RUSSIAN.nothing_to_cancel


async def test_asking_a_person_from_an_older_message_ends_the_typing_dialog(
    user: LocalChat, db: Database
) -> None:
    [not_found] = (await user.send(CAKE)).sent
    await user.press(AskHumanCallback().pack(), None)  # "type your question for a person"

    sent = await user.click(not_found, RUSSIAN.ask_human)  # ...then the older message's button

    assert sent.sent[-1].text == RUSSIAN.ask_sent
    [answer] = (await user.send("что с Байконуром?")).sent
    assert answer.text != RUSSIAN.ask_sent  # answered, not sent to the owners as well
    assert "Байконур" in answer.text
    assert (await db.human_questions()).total == 1
