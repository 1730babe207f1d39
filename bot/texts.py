"""Every text the bot shows to people, one set per interface language.

Russian is the default; users whose Telegram language is English get the English set. Texts are
HTML (the bot's parse mode): placeholders are filled with already-escaped values by the handlers
(see ``bot.formatting``), so nothing a user or an editor writes is ever read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.types import SmallTalk


@dataclass(frozen=True, slots=True)
class Texts:
    language: str

    # Messages. ``{name}``, ``{title}``, ``{username}`` are filled with escaped values.
    start: str
    choose_topic: str
    help: str
    section: str
    did_you_mean: str
    not_found: str
    empty_question: str
    greeting: str
    thanks: str
    goodbye: str
    text_only: str
    unknown_command: str
    stale_button: str
    something_went_wrong: str

    # Buttons.
    all_topics: str
    back_to_questions: str
    more_on_topic: str

    # Command menu (setMyCommands).
    command_start: str
    command_faq: str
    command_help: str

    def small_talk(self, kind: SmallTalk) -> str:
        return {
            SmallTalk.GREETING: self.greeting,
            SmallTalk.THANKS: self.thanks,
            SmallTalk.GOODBYE: self.goodbye,
        }[kind]


RUSSIAN = Texts(
    language="ru",
    start=(
        "Здравствуйте, {name}! 👋\n"
        "Я отвечаю на вопросы по теме «<b>{title}</b>».\n\n"
        "Напишите вопрос своими словами — или выберите тему ниже."
    ),
    choose_topic="Выберите тему 👇",
    help=(
        "Я отвечаю на вопросы по теме «<b>{title}</b>».\n\n"
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
    greeting="Здравствуйте! 👋 Задайте вопрос своими словами или выберите тему:",
    thanks="Рад был помочь! Если появятся ещё вопросы — пишите. 🙂",
    goodbye="Всего доброго! Возвращайтесь, если появятся вопросы. 👋",
    text_only=(
        "Я понимаю только текст 🙂 Напишите, пожалуйста, вопрос словами — "
        "или откройте список тем: /faq"
    ),
    unknown_command="Такой команды я не знаю. Доступные команды: /faq, /help.",
    stale_button="Эта кнопка устарела, откройте /faq",
    something_went_wrong="Что-то пошло не так. Попробуйте ещё раз чуть позже или откройте /faq.",
    all_topics="🏠 Все темы",
    back_to_questions="⬅️ К вопросам темы",
    more_on_topic="📂 Другие вопросы этой темы",
    command_start="Начать и показать темы",
    command_faq="Все темы и вопросы",
    command_help="Как задать вопрос",
)

ENGLISH = Texts(
    language="en",
    start=(
        "Hello, {name}! 👋\n"
        "I answer questions about «<b>{title}</b>».\n\n"
        "Type your question in your own words, or pick a topic below."
    ),
    choose_topic="Pick a topic 👇",
    help=(
        "I answer questions about «<b>{title}</b>».\n\n"
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
    greeting="Hello! 👋 Ask me a question in your own words, or pick a topic:",
    thanks="Glad to help! Write any time you have another question. 🙂",
    goodbye="Goodbye! Come back whenever you have a question. 👋",
    text_only="I can only read text 🙂 Please type your question, or open the topics: /faq",
    unknown_command="I don't know that command. Try /faq or /help.",
    stale_button="This button is out of date, please open /faq",
    something_went_wrong="Something went wrong. Please try again a bit later, or open /faq.",
    all_topics="🏠 All topics",
    back_to_questions="⬅️ Back to questions",
    more_on_topic="📂 More on this topic",
    command_start="Start and show the topics",
    command_faq="All topics and questions",
    command_help="How to ask a question",
)

INTERFACE_LANGUAGES: tuple[Texts, ...] = (RUSSIAN, ENGLISH)


def texts_for(language_code: str | None) -> Texts:
    """The texts for a Telegram ``language_code`` such as ``"en-US"``; Russian otherwise."""
    if language_code and language_code.lower().startswith("en"):
        return ENGLISH
    return RUSSIAN
