"""What the engine decides: answer, suggestions, or an honest "don't know"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import FaqEngine, MatchResult, Outcome, SmallTalk, Thresholds
from bot.engine.engine import with_language_synonyms
from bot.engine.index import FieldKind
from tests.engine.conftest import small_kb


def answered(engine: FaqEngine, message: str) -> str | None:
    result = engine.match(message)
    return result.best.entry.id if result.outcome is Outcome.ANSWER and result.best else None


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("что с Байконуром?", "priorities"),
        ("Каспий", "priorities"),
        ("80 процентов", "scope"),
        ("Сколько российских областей граничит с Казахстаном?", "scope"),
        ("ОДКБ", "integration"),
        ("Организация Договора о коллективной безопасности", "integration"),
        ("байканур", "priorities"),
        ("baikonur", "priorities"),
        ("prioritety sotrudnichestva", "priorities"),
        ("ghbjhbntns", "priorities"),
        ("вкаких облостях будут наращивать сотрудничество", "growth"),
        ("борьба с контрабандой", "growth"),
        ("реформа СНГ", "integration"),
    ],
)
def test_answers(faq_engine: FaqEngine, message: str, entry_id: str) -> None:
    assert answered(faq_engine, message) == entry_id


def test_every_stored_question_answers_itself(
    faq_engine: FaqEngine, transport_engine: FaqEngine
) -> None:
    for engine in (faq_engine, transport_engine):
        for entry in engine.kb.entries:
            result = engine.match(entry.question)
            assert result.outcome is Outcome.ANSWER, entry.question
            assert result.best is not None
            assert result.best.entry.id == entry.id


@pytest.mark.parametrize(
    "message",
    [
        "кто президент Казахстана?",
        "как приготовить борщ?",
        "какая погода в Астане",
        "нужна ли виза в Казахстан",
        "сотрудничество",
        "Россия и Казахстан",
        "взаимодействие России и Казахстана",
        "asdfgh qwerty",
        "1234567",
    ],
)
def test_off_topic_and_generic_messages_are_not_answered(
    faq_engine: FaqEngine, message: str
) -> None:
    assert faq_engine.match(message).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    "message",
    [
        "сколько стоит такси",
        "сколько стоит такси до аэропорта",
        "как вызвать такси",
        "какая погода будет в выходные",
        "какие автобусы идут до зоопарка",
        "как оплатить штраф гибдд",
        "где ближайшая аптека",
    ],
)
def test_a_message_about_something_the_base_does_not_cover_is_not_answered(
    transport_engine: FaqEngine, message: str
) -> None:
    assert transport_engine.match(message).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("потерял транспортную карту", "card_lost"),
        ("забыл сумку в трамвае", "lost_item"),
        ("сколько стоит проездной на месяц", "monthly_pass"),
        ("сколько стоит одна поездка", "single_fare"),
        ("бабушке 70 лет, она может ездить бесплатно?", "pensioners"),
        ("можно расплатиться смартфоном в автобусе?", "payment_methods"),
    ],
)
def test_close_entries_are_told_apart_by_a_telling_word(
    transport_engine: FaqEngine, message: str, entry_id: str
) -> None:
    assert answered(transport_engine, message) == entry_id


def test_overlapping_entries_without_a_telling_word_become_suggestions(
    faq_engine: FaqEngine,
) -> None:
    result = faq_engine.match("что известно о межрегиональном взаимодействии")
    assert result.outcome is Outcome.SUGGEST
    assert {"scope", "growth"} <= {c.entry.id for c in result.suggestions}
    assert answered(
        faq_engine, "в каких сферах будут расширять межрегиональное взаимодействие"
    ) == ("growth")


def _taxi_engine() -> FaqEngine:
    return FaqEngine.build(
        small_kb(
            (
                "social_taxi",
                "Как заказать социальное такси?",
                "Социальное такси для людей с инвалидностью заказывают по телефону 45-10-10.",
                ("Сколько стоит социальное такси?", "Перевозка инвалидов по городу"),
            ),
            (
                "airport",
                "Как добраться до аэропорта?",
                "До аэропорта ходит автобус 101.",
                ("Сколько стоит доехать до аэропорта?",),
            ),
            ("fare", "Сколько стоит проезд?", "46 рублей.", ("Цена билета на автобус",)),
        )
    )


def test_a_price_in_thousands_is_not_the_thousand_an_answer_names() -> None:
    engine = FaqEngine.build(
        small_kb(
            (
                "payment",
                "Как оплатить проезд?",
                "Телефоном с NFC или картой. Сдачу с купюр крупнее 1000 рублей могут не дать.",
                ("Можно ли платить смартфоном?",),
            ),
            ("fare", "Сколько стоит проезд?", "46 рублей.", ("Цена билета на автобус",)),
        )
    )
    assert engine.match("лучший смартфон до 30 тысяч").outcome is not Outcome.ANSWER
    assert answered(engine, "дадут ли сдачу с тысячи") == "payment"


def test_a_bare_word_of_a_longer_name_is_not_that_name() -> None:
    engine = _taxi_engine()
    assert engine.match("сколько стоит такси").outcome is not Outcome.ANSWER
    assert engine.match("сколько стоит такси до аэропорта").outcome is not Outcome.ANSWER
    assert answered(engine, "сколько стоит социальное такси") == "social_taxi"
    # Another word of the entry says which name was meant.
    assert answered(engine, "такси для инвалидов") == "social_taxi"


def test_explain_says_when_the_message_names_what_the_entry_lacks(
    transport_engine: FaqEngine,
) -> None:
    text = transport_engine.explain("сколько стоит такси до аэропорта")
    assert "only inside longer names" in text
    assert "capped below the answer point" in text


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("привет", SmallTalk.GREETING),
        ("Здравствуйте!", SmallTalk.GREETING),
        ("hi", SmallTalk.GREETING),
        ("спасибо", SmallTalk.THANKS),
        ("пока", SmallTalk.GOODBYE),
    ],
)
def test_small_talk_gets_no_answer(faq_engine: FaqEngine, message: str, kind: SmallTalk) -> None:
    result = faq_engine.match(message)
    assert result.outcome is Outcome.NONE
    assert result.small_talk is kind
    assert result.best is None


def test_a_message_between_two_entries_becomes_suggestions() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("order", "Как оплатить заказ картой?", "В корзине нажмите «Оплатить».", ()),
            ("delivery", "Как оплатить доставку картой?", "Курьеру через терминал.", ()),
            ("return", "Как вернуть товар?", "Заполните заявление в личном кабинете.", ()),
        )
    )
    result = engine.match("оплата картой")
    assert result.outcome is Outcome.SUGGEST
    assert {c.entry.id for c in result.suggestions} == {"order", "delivery"}
    assert result.best is None
    scores = [c.score for c in result.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_suggestions_are_at_most_three() -> None:
    paid = ["заказ", "доставку", "подписку", "услугу", "штраф"]
    entries = [
        (f"pay{i}", f"Как оплатить {t} картой?", "Через терминал.", ()) for i, t in enumerate(paid)
    ]
    other = ["Где офис?", "Когда вы работаете?", "Как вернуть товар?", "Есть ли скидки?", "Кто вы?"]
    entries += [(f"other{i}", q, "Смотрите сайт.", ()) for i, q in enumerate(other)]
    result = FaqEngine.build(small_kb(*entries)).match("оплатить картой")
    assert result.outcome is Outcome.SUGGEST
    assert len(result.suggestions) == 3


def test_abbreviation_matches_the_inflected_full_name_and_back() -> None:
    engine = FaqEngine.build(
        small_kb(
            (
                "security",
                "Как стороны сотрудничают в вопросах безопасности?",
                "Укрепляются союзнические отношения в рамках Организации Договора о "
                "коллективной безопасности.",
                (),
            ),
            ("sco", "Что обсуждают в ШОС?", "Торговлю и транспорт.", ()),
            ("weather", "Какая погода летом?", "Жарко.", ()),
            abbreviations=(
                ("ОДКБ", "Организация Договора о коллективной безопасности"),
                ("ШОС", "Шанхайская организация сотрудничества"),
            ),
        )
    )
    assert answered(engine, "ОДКБ") == "security"
    assert answered(engine, "что обсуждают в Шанхайской организации сотрудничества") == "sco"


def test_an_abbreviation_of_part_of_a_longer_name_finds_the_longer_name() -> None:
    """Two abbreviations, one for a name and one for the name inside it: a message with the
    shorter name, or its abbreviation, still finds the text that says the longer one."""
    engine = FaqEngine.build(
        small_kb(
            (
                "integration",
                "В каком русле обсуждаются вопросы интеграции?",
                "Наращивается взаимодействие в рамках Организации «Центральноазиатское "
                "сотрудничество».",
                (),
            ),
            ("weather", "Какая погода летом?", "Жарко.", ()),
            abbreviations=(
                ("ОЦАС", "Организация «Центральноазиатское сотрудничество»"),
                ("ЦАС", "Центральноазиатское сотрудничество"),
            ),
        )
    )
    assert answered(engine, "центральноазиатское сотрудничество") == "integration"
    assert answered(engine, "что обсуждается в ЦАС") == "integration"
    assert answered(engine, "ОЦАС") == "integration"


def test_synonyms_apply_both_ways() -> None:
    kb = small_kb(
        ("areas", "В каких сферах работает компания?", "Логистика и склады.", ()),
        ("price", "Сколько стоит доставка?", "500 рублей.", ()),
        ("hours", "Когда открыт офис?", "С 9 до 18.", ()),
        synonyms=(("сфера", "область", "направление"),),
    )
    engine = FaqEngine.build(kb)
    assert answered(engine, "по каким направлениям работает компания") == "areas"
    assert answered(engine, "в каких областях работает компания") == "areas"


def test_general_synonyms_of_the_language_apply_to_a_base_that_uses_one() -> None:
    """The base says "сфера" and declares no synonyms; the language pack knows "отрасль"."""
    kb = small_kb(
        ("areas", "В каких сферах работает компания?", "Логистика и склады.", ()),
        ("price", "Сколько стоит доставка?", "500 рублей.", ()),
        ("hours", "Когда открыт офис?", "С 9 до 18.", ()),
    )
    engine = FaqEngine.build(kb)
    assert answered(engine, "в каких отраслях работает компания") == "areas"
    assert engine.kb is kb  # what users see is the base as written
    groups = with_language_synonyms(kb, engine.index.lemmatizer).synonyms
    assert ("сфера", "отрасль") in groups
    # A group none of whose words the base uses is not added: its words stay unknown.
    assert all("зарплата" not in group for group in groups)
    assert engine.read("зарплата").slots[0].known is False


def test_thresholds_decide_the_outcome(faq_engine: FaqEngine) -> None:
    strict = FaqEngine.build(faq_engine.kb, Thresholds(answer=1.0, suggest=0.2))
    result = strict.match("Каспий")
    assert result.outcome is Outcome.SUGGEST
    assert result.suggestions[0].entry.id == "priorities"
    lenient = FaqEngine.build(faq_engine.kb, Thresholds(answer=0.0, suggest=0.0))
    assert lenient.match("Каспий").outcome is Outcome.ANSWER


def test_ranked_candidates_come_with_every_outcome(faq_engine: FaqEngine) -> None:
    result = faq_engine.match("приграничное сотрудничество")
    assert result.ranked
    assert result.score == result.ranked[0].score
    assert all(0.0 <= c.score <= 1.0 for c in result.ranked)


HOSTILE = [
    "",
    " ",
    "\n\t\r",
    "\x00" * 1000,
    "😀" * 5000,
    "\u200f\u202eкосмодром\u202c",
    "а" * 100_000,
    "Байконур " * 20_000,
    "<b>Байконур</b> & ' \" ; DROP TABLE",
    "ъ ь ы й",
    "-" * 100,
    "--- ... ,,, !!!",
    "ı̇ʼn ǅ ß ﬁ",
    "\ud800",  # a lone surrogate, which Telegram never sends but Python allows
]


@pytest.mark.parametrize("message", HOSTILE)
def test_hostile_input_never_raises(faq_engine: FaqEngine, message: str) -> None:
    result = faq_engine.match(message)
    assert isinstance(result, MatchResult)
    assert result.query == message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_result(message: str) -> None:
    result = _ENGINE.match(message)
    assert result.outcome in set(Outcome)
    assert 0.0 <= result.score <= 1.0


def test_explain_shows_what_matched_where(faq_engine: FaqEngine) -> None:
    text = faq_engine.explain("кто отвечает за Байконур?")
    assert "priorities" in text
    assert "байконур" in text.lower()
    assert "phrasing" in text
    assert "answer" in text
    assert "отвечает" in text  # the unknown word is named, so the editor can act on it
    assert "not in the knowledge base" in text


def test_the_texts_that_matched_are_listed_in_order_with_the_closest_one_best(
    faq_engine: FaqEngine,
) -> None:
    """Which texts matched is spelled out only when asked: the listing must still say what
    the score was made of (every matched text, the entry's order, the best one closest)."""
    query = faq_engine.read("приоритеты сотрудничества на Байконуре и на Каспии")
    best = faq_engine.rank(query)[0]
    fields = best.fields
    assert len(fields) > 1
    order = {FieldKind.QUESTION: 0, FieldKind.PHRASING: 1, FieldKind.ANSWER: 2}
    positions = [(order[f.field.kind], f.field.number) for f in fields]
    assert positions == sorted(positions)
    assert best.best_field is not None
    top = max(f.score for f in fields)
    assert best.best_field.score == top
    assert best.best_field.field is next(f.field for f in fields if f.score == top)
    for match in fields:
        for number, (term, strength) in match.matched.items():
            assert term in match.field.terms
            assert 0.0 < strength <= 1.0
            assert query.slots[number].alternatives
    in_questions = {n for f in fields if f.field.kind is not FieldKind.ANSWER for n in f.matched}
    assert best.asked_in_questions() == in_questions


def test_explain_of_small_talk_says_so(faq_engine: FaqEngine) -> None:
    assert "small talk" in faq_engine.explain("привет")


_ENGINE = FaqEngine.build(
    small_kb(
        ("a", "Где купить билет?", "В кассе.", ("Билеты где продаются?",)),
        ("b", "Сколько стоит проезд?", "46 рублей.", ()),
    )
)


def test_nouns_of_one_short_stem_are_not_one_family(transport_engine: FaqEngine) -> None:
    # "поезд" is not "поездка": a train ticket refund is not a fare question.
    assert transport_engine.match("как вернуть деньги за билет на поезд").outcome is not (
        Outcome.ANSWER
    )
    assert "поездка" not in transport_engine.index.derived("поезд")


def test_a_superlative_alone_does_not_make_an_answer(transport_engine: FaqEngine) -> None:
    # "Где ближайший ЦОП?" shares "где ближайший" with the message, not its subject.
    result = transport_engine.match("где ближайшая остановка автобуса")
    assert result.outcome is not Outcome.ANSWER


def test_a_chatty_message_with_slang_finds_its_entry(transport_engine: FaqEngine) -> None:
    result = transport_engine.match("как глянуть скока бабла на проездной карте осталось")
    offered = {c.entry.id for c in (result.suggestions or ((result.best,) if result.best else ()))}
    assert "card_balance" in offered


def test_numbers_alone_never_make_an_answer() -> None:
    engine = FaqEngine.build(
        small_kb(
            (
                "double",
                "Валидатор списал деньги два раза. Как вернуть?",
                "Напишите в поддержку, деньги вернут за 2 дня.",
                ("Списали дважды за одну поездку",),
            ),
            ("fare", "Сколько стоит проезд?", "Проезд стоит 46 рублей.", ()),
        )
    )
    # "2" is the "два" of the first entry, but arithmetic is not a question about it.
    assert engine.match("сколько будет 2+2").outcome is not Outcome.ANSWER
    assert engine.match("2").outcome is not Outcome.ANSWER
    # A number next to words that match is still telling.
    assert answered(engine, "списали деньги 2 раза") == "double"


def test_a_number_beside_words_the_base_has_everywhere_is_no_answer(
    faq_engine: FaqEngine, transport_engine: FaqEngine
) -> None:
    # Every faq entry speaks of "вопросы", and "один" is only the "одной из" of an answer.
    for message in ("у меня 1 вопрос", "вопрос 1", "один вопрос"):
        assert faq_engine.match(message).outcome is not Outcome.ANSWER, message
    # A number beside a word that tells the entries apart still makes the answer, and a
    # route name with digits is a name, not a number.
    assert answered(faq_engine, "80 процентов") == "scope"
    assert answered(transport_engine, "990 за неделю") == "day_pass"
    assert answered(transport_engine, "почему в 45к с меня 60 рублей взяли") == "minibus"


def test_a_message_that_is_word_for_word_a_stored_phrasing_is_answered() -> None:
    # An owner adds "Казахстан" as a phrasing of one entry from the unanswered list: a word
    # every entry has would otherwise never make an answer on its own.
    common = "Россия и Казахстан"
    kb = small_kb(
        ("trade", f"Как растёт торговля? {common}", f"Торговля растёт. {common}", ("Казахстан",)),
        ("space", f"Что с космодромом? {common}", f"Космодром работает. {common}", ()),
        ("border", f"Как пройти границу? {common}", f"По паспорту. {common}", ("Граница",)),
    )
    engine = FaqEngine.build(kb)
    for message in ("Казахстан", "казахстан!", "  КАЗАХСТАН ?"):
        result = engine.match(message)
        assert answered(engine, message) == "trade", message
        assert result.score == 1.0
    # A short stored text is also found in any form the reader understands.
    for message in ("в Казахстане", "kazakhstan", "Rfpf[cnfy", "казахстн"):
        assert answered(engine, message) == "trade", message
    # Only word for word: more words are matched as usual.
    assert answered(engine, "Казахстан и Россия") is None
    # A text two entries share (two owners filed it differently) offers both.
    shared = small_kb(
        ("a", f"Как растёт торговля? {common}", f"Торговля растёт. {common}", ("Казахстан",)),
        ("b", f"Что с космодромом? {common}", f"Космодром работает. {common}", ("Казахстан",)),
        ("c", f"Как пройти границу? {common}", f"По паспорту. {common}", ()),
    )
    result = FaqEngine.build(shared).match("Казахстан")
    assert result.outcome is Outcome.SUGGEST
    assert {c.entry.id for c in result.suggestions} == {"a", "b"}


def test_a_slash_abbreviation_reads_as_its_words(transport_engine: FaqEngine) -> None:
    # "а/п" is "аэропорт", "ж/д" "железнодорожный" (the language file), whatever the base.
    result = transport_engine.match("как доехать до а/п")
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None
    assert result.best.entry.id == "airport"
    assert "а/п -> аэропорт" in transport_engine.explain("как доехать до а/п")


def test_becoming_someone_is_not_what_an_entry_mentioning_them_answers(
    transport_engine: FaqEngine,
) -> None:
    # "стать" counts: how to become a conductor is a job question, not a conductor's rudeness.
    assert transport_engine.match("как стать кондуктором").outcome is not Outcome.ANSWER
    result = transport_engine.match("кондуктор нагрубил")
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None
    assert result.best.entry.id == "complaint"


def test_the_entry_with_the_messages_word_pairs_wins_over_the_same_words_in_another_order() -> None:
    """Word order says what is asked: a known word pair of the message ("как развивается")
    that an entry lacks counts against it, so an entry with the same words but asking
    something else ("какие регионы развивают туризм") is no longer a near tie."""
    engine = FaqEngine.build(
        small_kb(
            ("order", "Как развивается туризм в регионах?", "Туризм растёт.", ()),
            ("other", "Какие регионы развивают туризм?", "Все регионы.", ()),
            ("third", "Где купить билет?", "В кассе.", ()),
        )
    )
    message = "как развивается туризм в регионах"
    ranked = engine.rank(engine.read(message))
    assert [engine.kb.entries[s.entry].id for s in ranked[:2]] == ["order", "other"]
    assert ranked[1].raw < 0.8 * ranked[0].raw
    result = engine.match(message)
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None
    assert result.best.entry.id == "order"
