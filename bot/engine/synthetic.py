"""Large, realistic Russian knowledge bases for measuring speed (``python -m bot bench``).

Questions, phrasings and answers are composed from a service-desk vocabulary (actions, objects,
qualities, circumstances) and inflected with pymorphy3, so the index sees what it would see on
a real FAQ: many word forms, shared generic words, rare specific ones. The same ``seed`` always
gives the same base.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.morph import analyzer
from bot.knowledge.model import Entry, KnowledgeBase, Section

SECTIONS = (
    ("payments", "💳 Оплата и счета"),
    ("delivery", "🚚 Доставка"),
    ("returns", "↩️ Возврат и обмен"),
    ("account", "👤 Личный кабинет"),
    ("security", "🔒 Безопасность"),
    ("tariffs", "📋 Тарифы и услуги"),
    ("documents", "📄 Документы"),
    ("support", "☎️ Поддержка"),
)

# Verbs in the infinitive, each with the object nouns it takes naturally being any of ours.
VERBS = (
    "оформить",
    "оплатить",
    "отменить",
    "продлить",
    "изменить",
    "восстановить",
    "получить",
    "вернуть",
    "заблокировать",
    "подключить",
    "отключить",
    "активировать",
    "перевести",
    "пополнить",
    "проверить",
    "заказать",
    "отследить",
    "обменять",
    "заменить",
    "удалить",
    "создать",
    "подтвердить",
    "перенести",
    "приостановить",
    "распечатать",
    "скачать",
    "отправить",
    "загрузить",
    "настроить",
    "обновить",
    "сохранить",
    "передать",
    "забрать",
    "переоформить",
    "закрыть",
    "открыть",
    "выбрать",
    "указать",
    "исправить",
    "запросить",
)
NOUNS = (
    "заказ",
    "товар",
    "карта",
    "счёт",
    "платёж",
    "договор",
    "подписка",
    "тариф",
    "пароль",
    "профиль",
    "приложение",
    "посылка",
    "квитанция",
    "чек",
    "скидка",
    "бонус",
    "купон",
    "сертификат",
    "кредит",
    "рассрочка",
    "страховка",
    "гарантия",
    "справка",
    "заявление",
    "полис",
    "пропуск",
    "билет",
    "абонемент",
    "пакет",
    "услуга",
    "номер",
    "адрес",
    "вклад",
    "депозит",
    "кешбэк",
    "уведомление",
    "рассылка",
    "отзыв",
    "жалоба",
    "претензия",
    "лимит",
    "перевод",
    "выписка",
    "доверенность",
    "накладная",
    "аккаунт",
    "логин",
    "телефон",
    "почта",
    "подарок",
    "талон",
    "бронь",
    "запись",
    "анкета",
    "чек-лист",
    "реквизиты",
    "баланс",
    "тарификация",
    "комиссия",
    "задолженность",
    "штраф",
    "пеня",
    "квота",
    "лицензия",
    "ключ",
    "токен",
    "устройство",
    "роутер",
    "модем",
    "сим-карта",
    "кабель",
    "счётчик",
    "показание",
    "акт",
    "счёт-фактура",
    "заявка",
    "обращение",
    "возврат",
    "обмен",
    "ремонт",
    "доставка",
    "курьер",
    "склад",
    "пункт",
    "постамат",
    "терминал",
    "банкомат",
    "филиал",
    "офис",
    "ноутбук",
    "смартфон",
    "планшет",
    "телевизор",
    "холодильник",
    "пылесос",
    "велосипед",
    "самокат",
    "коляска",
    "чемодан",
    "рюкзак",
    "куртка",
    "обувь",
    "мебель",
    "диван",
    "шкаф",
    "матрас",
    "лампа",
    "принтер",
    "картридж",
    "наушники",
    "колонка",
    "часы",
    "браслет",
    "зарядка",
    "аккумулятор",
    "фильтр",
    "шина",
    "запчасть",
    "инструмент",
    "краска",
    "обои",
    "плитка",
    "сантехника",
    "смеситель",
    "бойлер",
    "кондиционер",
    "обогреватель",
    "чайник",
    "кофемашина",
    "мультиварка",
    "сковорода",
    "посуда",
    "игрушка",
    "конструктор",
    "книга",
    "учебник",
    "тетрадь",
    "журнал",
    "абонент",
    "электричество",
    "газ",
    "вода",
    "отопление",
    "интернет",
    "телевидение",
    "роуминг",
    "трафик",
    "минута",
    "гигабайт",
    "облако",
    "антивирус",
    "лицензия",
    "программа",
    "обновление",
    "прошивка",
    "резервирование",
    "экскурсия",
    "отель",
    "авиабилет",
    "виза",
    "трансфер",
    "парковка",
    "стоянка",
    "эвакуатор",
    "осаго",
    "каско",
    "ипотека",
    "накопление",
    "пенсия",
    "пособие",
    "налог",
    "вычет",
    "декларация",
    "патент",
)
ADJECTIVES = (
    "электронный",
    "бумажный",
    "международный",
    "срочный",
    "бесплатный",
    "платный",
    "новый",
    "личный",
    "корпоративный",
    "семейный",
    "студенческий",
    "пенсионный",
    "мобильный",
    "банковский",
    "подарочный",
    "виртуальный",
    "дополнительный",
    "ежемесячный",
    "годовой",
    "пробный",
    "премиальный",
    "базовый",
    "детский",
    "временный",
    "постоянный",
    "резервный",
    "повторный",
    "просроченный",
    "заблокированный",
    "оплаченный",
    "зарубежный",
    "местный",
    "льготный",
    "скидочный",
    "накопительный",
    "кредитный",
    "дебетовый",
    "страховой",
)
# (preposition, case, noun) circumstances: "через приложение", "в отделении", ...
CIRCUMSTANCES = (
    ("через", "accs", "приложение"),
    ("в", "loct", "отделение"),
    ("на", "loct", "сайт"),
    ("по", "datv", "телефон"),
    ("без", "gent", "паспорт"),
    ("для", "gent", "ребёнок"),
    ("за", "accs", "граница"),
    ("в", "loct", "выходные"),
    ("после", "gent", "переезд"),
    ("до", "gent", "окончание"),
    ("при", "loct", "смена"),
    ("с", "gent", "карта"),
    ("у", "gent", "оператор"),
    ("в", "loct", "регион"),
    ("для", "gent", "организация"),
    ("через", "accs", "госуслуги"),
    ("в", "loct", "чат"),
    ("по", "datv", "почта"),
)
WHEN = (
    "в течение суток",
    "за три рабочих дня",
    "в день обращения",
    "до конца месяца",
    "в течение 14 дней",
    "за 15 минут",
    "в течение часа",
    "в рабочие дни",
)
WHERE = (
    "в личном кабинете",
    "в мобильном приложении",
    "в любом отделении",
    "по телефону горячей линии",
    "на сайте в разделе «Помощь»",
    "в чате поддержки",
)

SYNONYMS = (
    ("приложение", "мобильное приложение", "апп"),
    ("отменить", "аннулировать"),
    ("стоимость", "цена", "тариф"),
    ("оформить", "выпустить"),
)
ABBREVIATIONS = (("ЛК", "Личный кабинет"), ("СМС", "короткое сообщение"))


@dataclass(frozen=True, slots=True)
class _Topic:
    verb: str
    adjective: str
    noun: str
    circumstance: tuple[str, str, str]
    owner: str  # a second noun in the genitive: "возврат [товара]"


@lru_cache(maxsize=20_000)
def _inflect(word: str, grammemes: frozenset[str]) -> str:
    parse = analyzer().parse(word)[0]
    form = parse.inflect(set(grammemes))
    return form.word if form is not None else word


@lru_cache(maxsize=20_000)
def _gender_number(noun: str) -> frozenset[str]:
    tag = analyzer().parse(noun)[0].tag
    if tag.number == "plur" or "Pltm" in tag:
        return frozenset({"plur"})
    return frozenset({tag.gender or "masc", "sing"})


def _noun(noun: str, case: str) -> str:
    number = "plur" if "plur" in _gender_number(noun) else "sing"
    return _inflect(noun, frozenset({case, number}))


def _adjective(adjective: str, noun: str, case: str) -> str:
    grammemes = set(_gender_number(noun)) | {case}
    if case == "accs" and "plur" not in grammemes and "masc" in grammemes:
        animate = "anim" in analyzer().parse(noun)[0].tag
        grammemes.add("anim" if animate else "inan")
    return _inflect(adjective, frozenset(grammemes))


def _circumstance(circumstance: tuple[str, str, str]) -> str:
    preposition, case, noun = circumstance
    return f"{preposition} {_noun(noun, case)}"


def _object(topic: _Topic) -> str:
    return (
        f"{_adjective(topic.adjective, topic.noun, 'accs')} {_noun(topic.noun, 'accs')}"
        f" {_noun(topic.owner, 'gent')}"
    )


def _questions(topic: _Topic, rng: random.Random) -> list[str]:
    obj = _object(topic)
    nominative = f"{_adjective(topic.adjective, topic.noun, 'nomn')} {_noun(topic.noun, 'nomn')}"
    genitive = f"{_adjective(topic.adjective, topic.noun, 'gent')} {_noun(topic.noun, 'gent')}"
    where = _circumstance(topic.circumstance)
    texts = [
        f"Как {topic.verb} {obj} {where}?",
        f"Можно ли {topic.verb} {obj} {where}?",
        f"Где {topic.verb} {obj}?",
        f"Сколько стоит {topic.verb} {obj} {where}?",
        f"Что нужно, чтобы {topic.verb} {obj}?",
        f"{nominative.capitalize()}: как {topic.verb} {where}?",
        f"Порядок оформления {genitive} {where}",
        f"Не получается {topic.verb} {obj}, что делать?",
        f"В какие сроки можно {topic.verb} {obj}?",
    ]
    rng.shuffle(texts)
    return texts


def _answer(topic: _Topic, rng: random.Random) -> str:
    obj = _object(topic)
    sentences = [
        f"{topic.verb.capitalize()} {obj} можно {rng.choice(WHERE)} {rng.choice(WHEN)}.",
        f"Понадобится {_noun(rng.choice(NOUNS), 'nomn')} и {_noun(rng.choice(NOUNS), 'nomn')};"
        f" услуга стоит {rng.choice((0, 50, 99, 150, 300, 990))} рублей.",
        f"Если {_noun(topic.noun, 'nomn')} не подходит, обратитесь {rng.choice(WHERE)}.",
        f"Статус можно проверить {rng.choice(WHERE)}; уведомление придёт {rng.choice(WHEN)}.",
    ]
    return " ".join(sentences[: rng.randint(2, 4)])


def generate_knowledge_base(n_entries: int, seed: int = 0) -> KnowledgeBase:
    """A knowledge base of ``n_entries`` distinct entries spread over several sections."""
    rng = random.Random(seed)
    topics: set[_Topic] = set()
    entries: list[Entry] = []
    while len(entries) < n_entries:
        topic = _Topic(
            rng.choice(VERBS),
            rng.choice(ADJECTIVES),
            rng.choice(NOUNS),
            rng.choice(CIRCUMSTANCES),
            rng.choice(NOUNS),
        )
        if topic in topics:
            continue
        topics.add(topic)
        question, *phrasings = _questions(topic, rng)
        section = SECTIONS[len(entries) % len(SECTIONS)][0]
        entries.append(
            Entry(
                id=f"q{len(entries) + 1}",
                section_id=section,
                question=question,
                answer=_answer(topic, rng),
                phrasings=tuple(phrasings[: rng.randint(2, 5)]),
            )
        )
    return KnowledgeBase(
        sections=tuple(Section(i, t) for i, t in SECTIONS),
        entries=tuple(entries),
        synonyms=SYNONYMS,
        abbreviations=ABBREVIATIONS,
        title="Синтетическая база для замеров",
    )


def sample_queries(kb: KnowledgeBase, count: int, seed: int = 0) -> list[str]:
    """Messages like users send for ``kb``: stored texts with typos, cut short, or off-topic."""
    rng = random.Random(seed)
    texts = [t for e in kb.entries for t in (e.question, *e.phrasings)]
    queries = []
    for _ in range(count):
        text = rng.choice(texts).rstrip("?").lower()
        words = text.split()
        kind = rng.random()
        if kind < 0.3 and len(words) > 2:
            words = rng.sample(words, k=max(2, len(words) // 2))
        elif kind < 0.55:
            position = rng.randrange(len(words))
            word = words[position]
            if len(word) > 4:
                cut = rng.randrange(1, len(word) - 1)
                words[position] = word[:cut] + word[cut + 1 :]
        elif kind < 0.65:
            words = rng.choice(("как приготовить борщ", "какая завтра погода", "привет")).split()
        queries.append(" ".join(words))
    return queries
