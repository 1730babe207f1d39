"""Every text the bot shows to people, one set per interface language.

Russian is the default; users whose Telegram language is English get the English set. Texts are
HTML (the bot's parse mode): placeholders are filled with already-escaped values by the handlers
(see ``bot.formatting``), so nothing a user or an editor writes is ever read as markup.

``Texts`` holds what every user sees; ``OwnerTexts`` (``texts.owner``) what only the owners
(ADMIN_IDS) see: /stats, /unanswered, /questions, /reload and the chart's labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks import Vote
from bot.chart import ChartLabels
from bot.engine.types import SmallTalk
from bot.knowledge.additions import Problem


@dataclass(frozen=True, slots=True)
class OwnerTexts:
    # /stats. ``{messages}``, ``{users}``, counts and percentages are numbers.
    stats_title: str
    stats_period: str  # "{period}: {messages} messages, {users} users"
    stats_day: str
    stats_week: str
    stats_all_time: str
    stats_outcomes: str  # header of the shares, with {questions} and {small_talk}
    stats_answered: str  # "{percent} ({count})"
    stats_suggested: str
    stats_not_found: str
    stats_top: str
    stats_top_line: str  # "{number}. {question} — {count}"
    stats_votes: str
    stats_votes_line: str  # "{question} — 👍 {up} / 👎 {down}"
    stats_nothing_yet: str
    stats_chart_caption: str
    chart: ChartLabels

    # /unanswered: one question per page.
    unanswered_empty: str
    unanswered_header: str  # "{number} of {total}"
    unanswered_outcome_none: str
    unanswered_outcome_suggest: str
    unanswered_question: str  # "{header}\n{outcome} · {when}\n\n«{text}»"
    unanswered_too_long: str  # {limit}
    add_as_phrasing: str  # button, {question}
    choose_entry: str  # button
    new_entry: str  # button
    ignore: str  # button
    back: str
    cancel: str
    choose_section_for_phrasing: str  # {text}
    choose_entry_in_section: str  # {text}, {section}
    phrasing_added: str  # {text}, {question}
    phrasing_added_offered: str  # {text}, {question}: added, but the bot does not answer it so
    phrasing_added_notice: str
    ignored: str  # {text}
    ignored_notice: str
    question_gone: str  # the logged question no longer exists
    new_entry_choose_section: str  # {text}
    new_entry_type_answer: str  # {text}, {section}
    new_entry_confirm: str  # after the preview of the answer: {section}
    create: str  # button
    entry_created: str  # {question}, {entry_id}, {section}
    entry_created_notice: str
    dialog_cancelled: str
    dialog_expired: str
    new_entry_interrupted: str  # a command ended the new-entry dialog
    dialog_text_only: str  # a sticker, photo, ... while the bot waits for typed text
    problems: dict[Problem, str]

    # /questions: questions users sent to a person.
    questions_empty: str
    questions_header: str  # {open}
    questions_line: str  # "{number}. {who}, {when}:\n«{text}»"
    reply_button: str  # in the list: "✍️ Ответить на {number}: {text}"
    reply: str  # under a notification
    new_human_question: str  # notification: {who}, {text}
    reply_prompt: str  # {who}, {text}
    reply_sent: str
    reply_not_delivered: str
    already_answered: str
    reply_interrupted: str  # a command ended the reply dialog: the reply was not sent

    # /reload
    reloaded: str  # {sections}, {entries}, {added}
    reload_failed: str  # {error}
    reload_unavailable: str
    reload_skipped: str  # {count} additions no longer apply, {details} (lines), {command}

    # Command menu, for owners only.
    command_stats: str
    command_unanswered: str
    command_questions: str
    command_reload: str


@dataclass(frozen=True, slots=True)
class Texts:
    language: str

    # Messages. ``{name}``, ``{title}``, ``{username}`` are filled with escaped values;
    # ``{about}`` with ``about(title)``.
    start: str
    choose_topic: str
    help: str
    about_topic: str  # what the bot answers, for a base with a title: {title}
    about_untitled: str  # ... and for a base without one
    section: str
    did_you_mean: str
    not_found: str
    empty_question: str
    no_words: str  # a message with no letters or digits at all (emoji, punctuation)
    link_outdated: str  # above the greeting: /start with a link to a question now gone
    greeting: str
    thanks: str
    goodbye: str
    text_only: str
    unknown_command: str
    nothing_to_cancel: str
    stale_button: str
    something_went_wrong: str
    slow_down: str  # flood protection; also a button-tap notice, so at most 200 characters

    # Votes and "ask a person".
    vote_thanks: str  # callback notice after 👍
    vote_sorry: str  # callback notice after 👎
    vote_already: str  # the same vote tapped again
    not_helpful: str  # the message with other questions after a 👎
    not_helpful_no_person: str  # ... when nobody can be asked (no ADMIN_IDS)
    ask_prompt: str  # "write your question"
    ask_sent: str  # to the user: the question went to the owners
    ask_sent_notice: str
    ask_cancelled: str
    ask_interrupted: str  # a command ended the wait for the question: nothing was sent
    ask_not_yours: str  # "ask a person" under someone else's question (groups); ≤200 chars
    dialog_ended: str  # ✖️ of a dialog that has already ended; ≤200 chars
    human_reply: str  # the owner's reply delivered to the user: {question}, {reply}
    human_reply_in_group: str  # ... in a group, naming the asker: {asker}, {question}, {reply}

    # Inline mode.
    inline_open_in_bot: str
    inline_cut: str  # after an answer cut to fit one message: {bot} (@username)
    inline_cut_no_username: str

    # Buttons.
    all_topics: str
    back_to_questions: str
    more_on_topic: str
    previous_page: str  # in a long list
    next_page: str
    vote_up: str
    vote_down: str
    voted: str  # the chosen vote's label: "{vote} ✓"
    share: str
    ask_human: str
    cancel: str

    # Command menu (setMyCommands).
    command_start: str
    command_faq: str
    command_help: str

    owner: OwnerTexts

    def small_talk(self, kind: SmallTalk) -> str:
        return {
            SmallTalk.GREETING: self.greeting,
            SmallTalk.THANKS: self.thanks,
            SmallTalk.GOODBYE: self.goodbye,
        }[kind]

    def about(self, escaped_title: str) -> str:
        """What the bot answers, for the greeting and /help ("вопросы по теме «…»")."""
        return (
            self.about_topic.format(title=escaped_title) if escaped_title else self.about_untitled
        )

    def vote_label(self, vote: Vote, *, chosen: bool) -> str:
        label = self.vote_up if vote is Vote.UP else self.vote_down
        return self.voted.format(vote=label) if chosen else label


RUSSIAN_OWNER = OwnerTexts(
    stats_title="📊 <b>Статистика</b>",
    stats_period="{period}: {messages} сообщ., {users} польз.",
    stats_day="За сутки",
    stats_week="За неделю",
    stats_all_time="За всё время",
    stats_outcomes=(
        "<b>Вопросы за всё время: {questions}</b> (ещё {small_talk} — приветствия и т. п.)"
    ),
    stats_answered="✅ отвечено: {percent} ({count})",
    stats_suggested="🤔 предложены варианты: {percent} ({count})",
    stats_not_found="❌ не найдено: {percent} ({count})",
    stats_top="<b>Чаще всего спрашивают:</b>",
    stats_top_line="{number}. {question} — {count}",
    stats_votes="<b>Оценки ответов:</b>",
    stats_votes_line="{question} — 👍 {up} / 👎 {down}",
    stats_nothing_yet="пока нет данных",
    stats_chart_caption="📊 Статистика в картинке",
    chart=ChartLabels(
        title="Статистика FAQ-бота",
        period_line="{messages} сообщ., {users} польз.",
        day="За сутки",
        week="За неделю",
        all_time="За всё время",
        outcomes="Что бот сделал с {questions} вопросами (без {small_talk} приветствий и т. п.)",
        answered="отвечено",
        suggested="предложены варианты",
        not_found="не найдено",
        top_entries="Чаще всего спрашивают (сколько раз отвечено)",
        votes="Оценки ответов",
        helpful="полезно",
        not_helpful="не помогло",
        no_data="пока нет данных",
    ),
    unanswered_empty="🎉 Вопросов без ответа нет.",
    unanswered_header="<b>Без ответа: {number} из {total}</b>",
    unanswered_outcome_none="❌ не найдено",
    unanswered_outcome_suggest="🤔 предложены варианты",
    unanswered_question="{header}\n{outcome} · {when}\n\n«{text}»",
    unanswered_too_long=(
        "Сообщение длиннее {limit} символов: вопросом или формулировкой его не сделать. "
        "Пропустите его или добавьте короткую формулировку в файл базы знаний."
    ),
    add_as_phrasing="➕ Это вопрос «{question}»",
    choose_entry="📂 Это другой вопрос…",
    new_entry="🆕 Новый вопрос с ответом",
    ignore="🙈 Пропустить",
    back="⬅️ Назад",
    cancel="✖️ Отмена",
    choose_section_for_phrasing=(
        "«{text}»\n\nВ какой теме вопрос, который имел в виду пользователь?"
    ),
    choose_entry_in_section="«{text}»\n\n<b>{section}</b>\nКакой это вопрос?",
    phrasing_added=(
        "✅ «{text}» теперь понимается как вопрос «{question}». "
        "Бот уже отвечает так всем пользователям."
    ),
    phrasing_added_offered=(
        "✅ «{text}» сохранён как вопрос «{question}», но бот пока не отвечает им уверенно: "
        "видимо, такой же текст есть и у другого вопроса. Тогда бот предложит оба на выбор."
    ),
    phrasing_added_notice="Добавлено ✅",
    ignored="🙈 «{text}» пропущен.",
    ignored_notice="Пропущено",
    question_gone="Этого вопроса больше нет в журнале.",
    new_entry_choose_section="🆕 Новый вопрос: «{text}»\n\nВ какую тему его добавить?",
    new_entry_type_answer=(
        "🆕 Новый вопрос: «{text}»\nТема: <b>{section}</b>\n\nНапишите ответ одним сообщением."
    ),
    new_entry_confirm="☝️ Так пользователи увидят ответ. Создать этот вопрос в теме «{section}»?",
    create="✅ Создать",
    entry_created=(
        "✅ Создан вопрос «{question}» (id <code>{entry_id}</code>) в теме «{section}». "
        "Бот уже отвечает на него."
    ),
    entry_created_notice="Создано ✅",
    dialog_cancelled="Отменено.",
    dialog_expired="Этот диалог устарел — начните заново: /unanswered или /questions.",
    new_entry_interrupted=(
        "✖️ Новый вопрос не создан: вы отправили команду. "
        "Чтобы вернуться к нему, откройте /unanswered."
    ),
    dialog_text_only="Я жду текст: напишите его одним сообщением — или /cancel, чтобы отменить.",
    problems={
        Problem.EMPTY: "Текст пустой — напишите, пожалуйста, текст.",
        Problem.TOO_LONG: (
            "Слишком длинно: вопрос — до {question_limit} символов, ответ — до {answer_limit}."
        ),
        Problem.UNKNOWN_SECTION: "Такой темы больше нет в базе знаний.",
        Problem.DUPLICATE_QUESTION: "Такой вопрос уже есть в базе знаний.",
    },
    questions_empty="🙋 Открытых вопросов к человеку нет.",
    questions_header="🙋 <b>Вопросы к человеку: {open}</b>",
    questions_line="{number}. {who}, {when}:\n«{text}»",
    reply_button="✍️ Ответить на {number}: {text}",
    reply="✍️ Ответить",
    new_human_question="🙋 <b>Новый вопрос к человеку</b> от {who}:\n\n«{text}»",
    reply_prompt="✍️ Вопрос от {who}:\n«{text}»\n\nНапишите ответ одним сообщением — я перешлю его.",
    reply_sent="✅ Ответ отправлен.",
    reply_not_delivered=(
        "⚠️ Ответ сохранён, но доставить его не удалось (пользователь мог заблокировать бота)."
    ),
    already_answered="На этот вопрос уже ответили.",
    reply_interrupted=(
        "✖️ Ответ не отправлен: вы отправили команду. "
        "Чтобы ответить, откройте /questions и нажмите «✍️ Ответить» ещё раз."
    ),
    reloaded=(
        "🔄 База знаний перечитана: тем — {sections}, вопросов — {entries} "
        "(из них добавлено в чате: {added})."
    ),
    reload_failed=(
        "⚠️ Не удалось перечитать базу знаний: <code>{error}</code>\n"
        "Бот продолжает отвечать по прежней версии."
    ),
    reload_unavailable="База знаний загружена не из файла — перечитывать нечего.",
    reload_skipped=(
        "⚠️ Добавлений из чата, которые больше не применяются: {count} "
        "(их вопрос или тема исчезли из файла или заняты другими):\n{details}\n"
        "Посмотреть и удалить их: <code>{command}</code>"
    ),
    command_stats="Статистика",
    command_unanswered="Вопросы без ответа",
    command_questions="Вопросы к человеку",
    command_reload="Перечитать базу знаний",
)

RUSSIAN = Texts(
    language="ru",
    start=(
        "Здравствуйте, {name}! 👋\n"
        "Я отвечаю на {about}.\n\n"
        "Напишите вопрос своими словами — или выберите тему ниже."
    ),
    about_topic="вопросы по теме «<b>{title}</b>»",
    about_untitled="частые вопросы",
    choose_topic="Выберите тему 👇",
    help=(
        "Я отвечаю на {about}.\n\n"
        "• Просто напишите вопрос своими словами — можно коротко, с опечатками или латиницей.\n"
        "• Если я не уверен, что понял, предложу похожие вопросы кнопками.\n"
        "• /faq — все темы и вопросы списком.\n\n"
        "В группе обращайтесь ко мне через @{username}, ответом на моё сообщение "
        "или командой /faq."
    ),
    section="<b>{title}</b>\nВыберите вопрос:",
    did_you_mean="Не уверен, что правильно понял вопрос. Возможно, вы имели в виду:",
    not_found=(
        "К сожалению, ответа на этот вопрос у меня нет 🙁\n"
        "Попробуйте сформулировать иначе или выберите тему:"
    ),
    empty_question="Напишите, пожалуйста, ваш вопрос — я постараюсь помочь.",
    no_words="Напишите, пожалуйста, ваш вопрос словами — я постараюсь помочь.",
    link_outdated="⚠️ Эта ссылка устарела: вопроса, на который она вела, больше нет.",
    greeting="Здравствуйте! 👋 Задайте вопрос своими словами или выберите тему:",
    thanks="Рад был помочь! Если появятся ещё вопросы — пишите. 🙂",
    goodbye="Всего доброго! Возвращайтесь, если появятся вопросы. 👋",
    text_only=(
        "Я понимаю только текст 🙂 Напишите, пожалуйста, вопрос словами — "
        "или откройте список тем: /faq"
    ),
    unknown_command="Такой команды я не знаю. Доступные команды: /faq, /help.",
    nothing_to_cancel=(
        "Отменять нечего: сейчас я ничего от вас не жду. Задайте вопрос или откройте /faq."
    ),
    stale_button="Эта кнопка устарела, откройте /faq",
    something_went_wrong="Что-то пошло не так. Попробуйте ещё раз чуть позже или откройте /faq.",
    slow_down="Слишком много сообщений подряд 🙂 Подождите несколько секунд и повторите вопрос.",
    vote_thanks="Спасибо за оценку! 👍",
    vote_sorry="Спасибо, учтём 👎",
    vote_already="Ваша оценка уже учтена",
    not_helpful=(
        "Жаль, что ответ не помог 🙁 Возможно, вам нужен один из этих вопросов — "
        "или спросите человека:"
    ),
    not_helpful_no_person="Жаль, что ответ не помог 🙁 Возможно, вам нужен один из этих вопросов:",
    ask_prompt="✍️ Напишите ваш вопрос одним сообщением — я передам его человеку.",
    ask_sent="🙋 Ваш вопрос передан человеку. Ответ придёт сюда, в этот чат.",
    ask_sent_notice="Вопрос передан ✅",
    ask_cancelled="Хорошо, не буду передавать.",
    ask_interrupted=(
        "✖️ Вопрос человеку не отправлен: вы отправили команду. "
        "Чтобы спросить человека, нажмите «🙋 Спросить человека» ещё раз."
    ),
    ask_not_yours=(
        "Эта кнопка — для автора вопроса. Чтобы спросить человека самому, задайте свой вопрос боту."
    ),
    dialog_ended="Этот диалог уже завершён.",
    human_reply="💬 <b>Ответ на ваш вопрос</b> «{question}»:\n\n{reply}",
    human_reply_in_group="💬 {asker}, <b>ответ на ваш вопрос</b> «{question}»:\n\n{reply}",
    inline_open_in_bot="Открыть в боте",
    inline_cut="<i>Ответ сокращён: полностью он — в боте {bot}.</i>",
    inline_cut_no_username="<i>Ответ сокращён: полностью он — в боте.</i>",
    all_topics="🏠 Все темы",
    back_to_questions="⬅️ К вопросам темы",
    more_on_topic="📂 Другие вопросы этой темы",
    previous_page="◀️ Назад",
    next_page="Дальше ▶️",
    vote_up="👍",
    vote_down="👎",
    voted="{vote} ✓",
    share="↗️ Поделиться",
    ask_human="🙋 Спросить человека",
    cancel="✖️ Отмена",
    command_start="Начать и показать темы",
    command_faq="Все темы и вопросы",
    command_help="Как задать вопрос",
    owner=RUSSIAN_OWNER,
)

ENGLISH_OWNER = OwnerTexts(
    stats_title="📊 <b>Statistics</b>",
    stats_period="{period}: {messages} messages, {users} users",
    stats_day="Last 24 hours",
    stats_week="Last 7 days",
    stats_all_time="All time",
    stats_outcomes="<b>Questions, all time: {questions}</b> ({small_talk} more were small talk)",
    stats_answered="✅ answered: {percent} ({count})",
    stats_suggested="🤔 suggested: {percent} ({count})",
    stats_not_found="❌ not found: {percent} ({count})",
    stats_top="<b>Most asked:</b>",
    stats_top_line="{number}. {question} — {count}",
    stats_votes="<b>Votes on answers:</b>",
    stats_votes_line="{question} — 👍 {up} / 👎 {down}",
    stats_nothing_yet="no data yet",
    stats_chart_caption="📊 Statistics as a picture",
    chart=ChartLabels(),
    unanswered_empty="🎉 No unanswered questions.",
    unanswered_header="<b>Unanswered: {number} of {total}</b>",
    unanswered_outcome_none="❌ not found",
    unanswered_outcome_suggest="🤔 suggested",
    unanswered_question="{header}\n{outcome} · {when}\n\n«{text}»",
    unanswered_too_long=(
        "The message is longer than {limit} characters, too long for a question or a phrasing. "
        "Skip it, or add a short phrasing to the knowledge-base file."
    ),
    add_as_phrasing="➕ It means «{question}»",
    choose_entry="📂 It means another question…",
    new_entry="🆕 New question and answer",
    ignore="🙈 Skip",
    back="⬅️ Back",
    cancel="✖️ Cancel",
    choose_section_for_phrasing="«{text}»\n\nWhich topic is the question the user meant in?",
    choose_entry_in_section="«{text}»\n\n<b>{section}</b>\nWhich question is it?",
    phrasing_added=(
        "✅ «{text}» is now understood as «{question}». The bot already answers it so for everyone."
    ),
    phrasing_added_offered=(
        "✅ «{text}» is saved as «{question}», but the bot does not answer it so yet: another "
        "question probably has the same text. The bot then offers both to choose from."
    ),
    phrasing_added_notice="Added ✅",
    ignored="🙈 «{text}» skipped.",
    ignored_notice="Skipped",
    question_gone="This question is no longer in the log.",
    new_entry_choose_section="🆕 New question: «{text}»\n\nWhich topic should it go to?",
    new_entry_type_answer=(
        "🆕 New question: «{text}»\nTopic: <b>{section}</b>\n\nType the answer in one message."
    ),
    new_entry_confirm="☝️ This is how users will see the answer. Create it in «{section}»?",
    create="✅ Create",
    entry_created=(
        "✅ Created «{question}» (id <code>{entry_id}</code>) in «{section}». "
        "The bot already answers it."
    ),
    entry_created_notice="Created ✅",
    dialog_cancelled="Cancelled.",
    dialog_expired="This dialog is out of date — start again: /unanswered or /questions.",
    new_entry_interrupted=(
        "✖️ The new question was not created: you sent a command. "
        "To come back to it, open /unanswered."
    ),
    dialog_text_only="I'm waiting for text: type it in one message, or /cancel to stop.",
    problems={
        Problem.EMPTY: "The text is empty — please type some text.",
        Problem.TOO_LONG: (
            "Too long: a question takes up to {question_limit} characters, "
            "an answer {answer_limit}."
        ),
        Problem.UNKNOWN_SECTION: "That topic is no longer in the knowledge base.",
        Problem.DUPLICATE_QUESTION: "The knowledge base already has this question.",
    },
    questions_empty="🙋 No open questions for a person.",
    questions_header="🙋 <b>Questions for a person: {open}</b>",
    questions_line="{number}. {who}, {when}:\n«{text}»",
    reply_button="✍️ Reply to {number}: {text}",
    reply="✍️ Reply",
    new_human_question="🙋 <b>New question for a person</b> from {who}:\n\n«{text}»",
    reply_prompt=(
        "✍️ Question from {who}:\n«{text}»\n\nType the reply in one message — I'll pass it on."
    ),
    reply_sent="✅ Reply sent.",
    reply_not_delivered=(
        "⚠️ The reply is saved but could not be delivered (the user may have blocked the bot)."
    ),
    already_answered="This question has already been answered.",
    reply_interrupted=(
        "✖️ The reply was not sent: you sent a command. "
        "To reply, open /questions and tap «✍️ Reply» again."
    ),
    reloaded=(
        "🔄 Knowledge base reloaded: {sections} topics, {entries} questions "
        "({added} of them added in the chat)."
    ),
    reload_failed=(
        "⚠️ Could not reload the knowledge base: <code>{error}</code>\n"
        "The bot keeps answering from the previous version."
    ),
    reload_unavailable="The knowledge base was not loaded from a file: nothing to reload.",
    reload_skipped=(
        "⚠️ Additions made in the chat that no longer apply: {count} "
        "(their question or topic is gone from the file or taken by another):\n{details}\n"
        "To review and remove them: <code>{command}</code>"
    ),
    command_stats="Statistics",
    command_unanswered="Unanswered questions",
    command_questions="Questions for a person",
    command_reload="Reload the knowledge base",
)

ENGLISH = Texts(
    language="en",
    start=(
        "Hello, {name}! 👋\n"
        "I answer {about}.\n\n"
        "Type your question in your own words, or pick a topic below."
    ),
    about_topic="questions about «<b>{title}</b>»",
    about_untitled="frequently asked questions",
    choose_topic="Pick a topic 👇",
    help=(
        "I answer {about}.\n\n"
        "• Just type your question in your own words — short, with typos, any way you like.\n"
        "• If I'm not sure I understood, I'll offer similar questions as buttons.\n"
        "• /faq lists all topics and questions.\n\n"
        "In a group, mention me as @{username}, reply to my message or use /faq."
    ),
    section="<b>{title}</b>\nPick a question:",
    did_you_mean="I'm not sure I understood. Did you mean:",
    not_found=(
        "Sorry, I don't have an answer to that 🙁\nTry putting it differently, or pick a topic:"
    ),
    empty_question="Please type your question and I'll do my best to help.",
    no_words="Please type your question in words and I'll do my best to help.",
    link_outdated="⚠️ This link is out of date: the question it led to is no longer here.",
    greeting="Hello! 👋 Ask me a question in your own words, or pick a topic:",
    thanks="Glad to help! Write any time you have another question. 🙂",
    goodbye="Goodbye! Come back whenever you have a question. 👋",
    text_only="I can only read text 🙂 Please type your question, or open the topics: /faq",
    unknown_command="I don't know that command. Try /faq or /help.",
    nothing_to_cancel=(
        "There is nothing to cancel: I am not waiting for anything from you. "
        "Ask a question or open /faq."
    ),
    stale_button="This button is out of date, please open /faq",
    something_went_wrong="Something went wrong. Please try again a bit later, or open /faq.",
    slow_down="That's a lot of messages at once 🙂 Please wait a few seconds and ask again.",
    vote_thanks="Thanks for the feedback! 👍",
    vote_sorry="Thanks, noted 👎",
    vote_already="Your vote is already counted",
    not_helpful=(
        "Sorry the answer didn't help 🙁 Maybe you need one of these questions — or ask a person:"
    ),
    not_helpful_no_person="Sorry the answer didn't help 🙁 Maybe you need one of these questions:",
    ask_prompt="✍️ Type your question in one message and I'll pass it to a person.",
    ask_sent="🙋 Your question went to a person. The reply will come here, in this chat.",
    ask_sent_notice="Question sent ✅",
    ask_cancelled="OK, I won't pass anything on.",
    ask_interrupted=(
        "✖️ Your question was not sent to a person: you sent a command. "
        "To ask a person, tap «🙋 Ask a person» again."
    ),
    ask_not_yours=(
        "This button is for the person who asked. To ask a person yourself, "
        "send the bot your own question."
    ),
    dialog_ended="This dialog has already ended.",
    human_reply="💬 <b>A reply to your question</b> «{question}»:\n\n{reply}",
    human_reply_in_group="💬 {asker}, <b>a reply to your question</b> «{question}»:\n\n{reply}",
    inline_open_in_bot="Open in the bot",
    inline_cut="<i>The answer is cut short: the full answer is in the bot {bot}.</i>",
    inline_cut_no_username="<i>The answer is cut short: the full answer is in the bot.</i>",
    all_topics="🏠 All topics",
    back_to_questions="⬅️ Back to questions",
    more_on_topic="📂 More on this topic",
    previous_page="◀️ Back",
    next_page="Next ▶️",
    vote_up="👍",
    vote_down="👎",
    voted="{vote} ✓",
    share="↗️ Share",
    ask_human="🙋 Ask a person",
    cancel="✖️ Cancel",
    command_start="Start and show the topics",
    command_faq="All topics and questions",
    command_help="How to ask a question",
    owner=ENGLISH_OWNER,
)

INTERFACE_LANGUAGES: tuple[Texts, ...] = (RUSSIAN, ENGLISH)


def texts_for(language_code: str | None) -> Texts:
    """The texts for a Telegram ``language_code`` such as ``"en-US"``; Russian otherwise."""
    if language_code and language_code.lower().startswith("en"):
        return ENGLISH
    return RUSSIAN
