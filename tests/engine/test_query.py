"""How a message is read: layout, transliteration, typos, merged and split words, small talk."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import FaqEngine, Outcome, SmallTalk, query, text
from tests.engine.conftest import small_kb


def meanings(engine: FaqEngine, message: str) -> list[str]:
    """The first reading of each non-pair word, as the concept label or lemma."""
    labels = []
    for slot in engine.read(message).slots:
        if slot.how == "pair":
            continue
        term = slot.alternatives[0][0] if slot.alternatives else "?"
        labels.append(engine.index.concepts.label(term))
    return labels


def test_typos_are_corrected_towards_the_base(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "байканур") == ["байконур"]
    slot = faq_engine.read("байканур").slots[0]
    assert slot.how == "typo"
    assert slot.alternatives[0][1] < 1.0


def test_a_left_out_soft_sign_is_restored(transport_engine: FaqEngine) -> None:
    # "ночю" is "ночью" (one letter away from "ночь" too: the soft sign is the likelier slip).
    assert meanings(transport_engine, "ночю") == ["ночью"]
    slot = transport_engine.read("ночю").slots[0]
    assert slot.how == "typo"
    assert slot.alternatives[0][1] < 1.0


def test_merged_words_are_split(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "вкаких облостях") == ["сфера/область/направление"]


def test_split_words_are_joined(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "бай конур") == ["байконур"]


def test_transliteration_is_read_as_russian(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "prioritety sotrudnichestva") == [
        "приоритет/главное направление/основное направление",
        "взаимодействие/сотрудничество/отношения/связи/кооперация",
    ]
    assert meanings(faq_engine, "baikonur") == ["байконур"]


def test_english_keyboard_layout_is_read_as_russian(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "ghbjhbntns") == [
        "приоритет/главное направление/основное направление"
    ]
    # The comma key is "б" in the Russian layout: "обмен товарами", "космодром Байконур".
    assert meanings(faq_engine, "j,vty njdfhfvb") == ["товарооборот/торговля/обмен товарами"]
    assert meanings(faq_engine, "rjcvjlhjv ,fqrjyeh") == [
        "космос/космический/космодром",
        "байконур",
    ]


def test_compound_abbreviations_are_expanded(transport_engine: FaqEngine) -> None:
    assert meanings(transport_engine, "соцтакси")[:2] == ["социальный", "такси"]


def test_unknown_words_keep_weight_and_are_marked(faq_engine: FaqEngine) -> None:
    slots = {s.surface: s for s in faq_engine.read("кто президент Казахстана").slots}
    assert not slots["президент"].known
    assert slots["президент"].weight > slots["казахстана"].weight


def test_correct_words_outside_the_base_are_not_forced_into_it(faq_engine: FaqEngine) -> None:
    slot = faq_engine.read("борщ").slots[0]
    assert not slot.known


def test_small_talk_is_recognised(faq_engine: FaqEngine) -> None:
    cases = {
        "привет": SmallTalk.GREETING,
        "Здравствуйте!": SmallTalk.GREETING,
        "добрый день": SmallTalk.GREETING,
        "hi": SmallTalk.GREETING,
        "ghbdtn": SmallTalk.GREETING,
        "здраствуйте": SmallTalk.GREETING,
        "спасибо большое!": SmallTalk.THANKS,
        "thanks": SmallTalk.THANKS,
        "пока": SmallTalk.GOODBYE,
        "до свидания": SmallTalk.GOODBYE,
    }
    for message, kind in cases.items():
        assert faq_engine.read(message).small_talk is kind, message


def test_a_greeting_with_a_question_is_a_question(faq_engine: FaqEngine) -> None:
    query = faq_engine.read("привет, что с Байконуром?")
    assert query.small_talk is None
    assert any(s.surface == "байконуром" for s in query.slots)


def test_a_greeting_or_thanks_around_a_question_is_left_out(faq_engine: FaqEngine) -> None:
    query = faq_engine.read("Добрый день! Что с Байконуром? Спасибо заранее")
    assert query.small_talk is None
    assert [s.surface for s in query.slots] == ["байконуром"]


def test_related_words_are_found_through_derivational_endings(
    transport_engine: FaqEngine,
) -> None:
    assert "продлить" in transport_engine.index.derived("продление")
    slot = transport_engine.read("обсуждается ли продление").slots[-1]
    assert slot.how == "derived"


def test_an_everyday_reflexive_verb_is_not_read_as_a_noun_of_its_stem(
    transport_engine: FaqEngine,
) -> None:
    # "где находится депо" asks where something is, not about "находки" (lost property).
    slot = transport_engine.read("где находится депо").slots[1]
    assert slot.surface == "находится"
    assert "находка" not in dict(slot.alternatives)


def test_a_reflexive_verb_matches_its_plain_verb_almost_fully(faq_engine: FaqEngine) -> None:
    (slot,) = faq_engine.read("обсуждают").slots
    strengths = dict(slot.alternatives)
    assert strengths["обсуждаться"] >= 0.9


def test_a_bare_noun_the_base_only_uses_in_longer_names_is_a_partial_match(
    transport_engine: FaqEngine,
) -> None:
    slots = {s.surface: s for s in transport_engine.read("сколько стоит такси").slots}
    taxi = slots["такси"]
    assert taxi.how == "part of a name"
    assert taxi.partial < 1.0
    assert all(strength < 1.0 for _, strength in taxi.alternatives)
    named = {s.surface: s for s in transport_engine.read("социальное такси").slots}
    assert named["такси"].partial == 1.0


def test_an_adjective_describing_an_unknown_noun_is_a_partial_match(
    transport_engine: FaqEngine,
) -> None:
    slots = {s.surface: s for s in transport_engine.read("где ближайшая аптека").slots}
    assert not slots["аптека"].known
    assert slots["ближайшая"].partial < 1.0


def test_set_phrases_that_wrap_a_question_are_dropped(faq_engine: FaqEngine) -> None:
    message = "каким образом в настоящее время развивается сотрудничество"
    assert [s.surface for s in faq_engine.read(message).slots if s.how != "pair"] == [
        "развивается",
        "сотрудничество",
    ]


def test_transliterated_hyphenated_word_is_read_by_its_parts(faq_engine: FaqEngine) -> None:
    assert meanings(faq_engine, "voenno-tehnicheskoe sotrudnichestvo")[0] == (
        "военный/оборонный/оборона"
    )
    assert "незаконная миграция" in meanings(faq_engine, "nelegalnaya migraciya")[-1]


def test_a_long_story_weighs_as_two_unknown_words(faq_engine: FaqEngine) -> None:
    short = faq_engine.read("байконур юбилей торт свечи")
    long = faq_engine.read("байконур юбилей торт свечи гости музыка")
    unknown_weight = [sum(s.weight for s in q.slots if not s.known) for q in (short, long)]
    assert unknown_weight[1] == pytest.approx(unknown_weight[0], rel=0.05)


def test_a_message_reads_the_same_the_second_time(faq_engine: FaqEngine) -> None:
    # Words, pairs and chunks are remembered across messages; the memo must not change
    # what a message means, whether it is read again or after other messages.
    messages = ["байканур вкаких облостях", "бай конур", "prioritety sotrudnichestva", "ghbdtn"]
    first = [faq_engine.read(m) for m in messages]
    assert [faq_engine.read(m) for m in reversed(messages)] == first[::-1]
    assert meanings(faq_engine, "бай конур") == ["байконур"]


def test_a_message_reads_the_same_however_often_and_wherever_it_is_read(
    faq_engine: FaqEngine,
) -> None:
    """Readings of words, small-talk phrases and synonyms are remembered across messages:
    what is remembered must never change how a later message is read."""
    messages = [
        "Добрый день! Что с Байконуром? Спасибо заранее",
        "каким образом в настоящее время развивается сотрудничество",
        "ghbdtn",
        "prioritety sotrudnichestva",
        "вкаких облостях",
        "бай конур",
        "кто президент Казахстана",
    ]
    first = [faq_engine.read(m) for m in messages]
    again = [faq_engine.read(m) for m in reversed(messages)][::-1]
    fresh = FaqEngine.build(faq_engine.kb)
    assert again == first
    assert [fresh.read(m) for m in messages] == first
    assert first[0].small_talk is None
    assert first[2].small_talk is SmallTalk.GREETING


def _unknown_weight(engine: FaqEngine, message: str) -> float:
    return sum(s.weight for s in engine.read(message).slots if not s.known)


def test_a_common_word_never_lightens_the_words_the_base_does_not_know() -> None:
    # "следующий" is one of the language's most frequent words: it adds little, but it must
    # not damp "запуск" and "ракеты", which show the message is about something else.
    engine = FaqEngine.build(
        small_kb(("spaceport", "Что будет с Байконуром?", "Аренда продлена до 2050 года.", ()))
    )
    plain = _unknown_weight(engine, "когда запуск ракеты с байконура")
    with_common = _unknown_weight(engine, "когда следующий запуск ракеты с байконура")
    assert with_common >= plain * 0.999


def test_transliteration_restores_the_soft_sign_and_chat_spellings() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("balance", "Как узнать баланс карты?", "В приложении.", ()),
            ("found", "Куда сдать найденную вещь?", "В бюро находок.", ()),
            ("fare", "Сколько стоит проезд?", "50 рублей.", ()),
        )
    )
    # "uznat" is "узнать": a word that asks, not a foreign name the base does not know.
    assert [s.surface for s in engine.read("kak uznat balans karty").slots if s.how != "pair"] == [
        "баланс",
        "карты",
    ]
    (thing,) = [s for s in engine.read("kuda sdat veshch").slots if s.surface == "вещь"]
    assert thing.alternatives[0] == ("вещь", 1.0)
    assert thing.how == "translit"
    assert meanings(engine, "skoka stoit proezd")[0] == "сколько"
    assert engine.match("kak uznat balans karty").outcome is Outcome.ANSWER


def test_a_greeting_at_the_end_is_left_out() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("fare", "Сколько стоит проезд?", "50 рублей.", ()),
            ("card", "Где купить проездной?", "В киосках.", ()),
        )
    )
    question = engine.read("сколько стоит проезд")
    assert engine.read("сколько стоит проезд добрый день") == question
    assert engine.read("Сколько стоит проезд? Здравствуйте!") == question
    assert engine.read("сколько стоит проезд, всем привет") == question
    # A word that is only ever a noun stays what is asked about ("салют": fireworks).
    assert "салют" in [s.surface for s in engine.read("где посмотреть салют").slots]
    assert engine.read("добрый день").small_talk is SmallTalk.GREETING


# Messages that take every path of reading: typos, merged and split words, Latin letters,
# set phrases, greetings around a question, hyphens, numbers, long chunks.
VARIED_MESSAGES = [
    "Добрый день! Что с Байконуром? Спасибо заранее",
    "каким образом в настоящее время развивается сотрудничество",
    "байканур вкаких облостях",
    "бай конур",
    "prioritety sotrudnichestva",
    "ghbjhbntns j,vty njdfhfvb",
    "voenno-tehnicheskoe sotrudnichestvo",
    "кто президент Казахстана",
    "где ближайшая аптека и социальное такси",
    "пятьдесят пять рублей 45-10-10 №5 100%",
    "спасибо,спасибо,спасибо,спасибо,спасибо,спасибо",
    "приоритеты " + "x" * 60 + " сотрудничества",
    "слово " * 80,
]


def test_reading_agrees_with_the_plain_words_of_the_text(faq_engine: FaqEngine) -> None:
    # Words and tokens are found in one pass over the message's chunks: the words must be
    # exactly what text.words gives for the whole text, and the tokens the same words
    # whenever the reader says they are.
    reader = faq_engine.reader
    for message in VARIED_MESSAGES:
        cleaned = text.clean(message)
        plain, tokens, as_typed = reader._words_and_tokens(cleaned)
        assert plain == text.words(cleaned), message
        assert len(tokens) <= text.MAX_WORDS
        if as_typed:
            assert [t.raw for t in tokens] == plain, message


def test_a_long_run_of_words_without_spaces_is_still_small_talk(faq_engine: FaqEngine) -> None:
    # The chunk is too long to be read as words, but its words still say it is thanks.
    assert faq_engine.read("спасибо,спасибо,спасибо,спасибо,спасибо,спасибо").small_talk is (
        SmallTalk.THANKS
    )


def test_remembered_readings_are_bounded_and_change_nothing(
    faq_engine: FaqEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every memo of the reader is emptied when full: with tiny memos, emptied again and
    again, every message reads exactly as on an engine that remembers everything."""
    expected = [faq_engine.read(m) for m in VARIED_MESSAGES]
    monkeypatch.setattr(query, "_CACHE_LIMIT", 4)
    engine = FaqEngine.build(faq_engine.kb)
    reader = engine.reader
    for _ in range(2):
        assert [engine.read(m) for m in VARIED_MESSAGES] == expected
    memos = [
        reader._latin_cache,
        reader._resolved,
        reader._chunks,
        reader._joins,
        reader._halves,
        reader._slots,
        reader._pairs,
    ]
    assert all(len(memo) <= 4 for memo in memos)
    assert any(memo for memo in memos)  # they were used


def test_a_long_chunk_is_not_remembered(faq_engine: FaqEngine) -> None:
    long_chunk = "приоритеты," * 5
    faq_engine.read(long_chunk)
    assert long_chunk not in faq_engine.reader._chunks


def test_readings_do_not_depend_on_the_hash_seed() -> None:
    """Two processes with different hash seeds read and rank messages alike, ties included
    (a layout word that reads equally well with and without its trailing punctuation)."""
    script = (
        "import json, sys\n"
        "from bot.engine import FaqEngine\n"
        "from bot.knowledge.model import Entry, KnowledgeBase, Section\n"
        "entry = Entry('e', 's', 'Как отправить временный картридж?', 'В отделении.')\n"
        "engine = FaqEngine.build(KnowledgeBase((Section('s', 'S'),), (entry,)))\n"
        "for text in json.loads(sys.argv[1]):\n"
        "    result = engine.match(text)\n"
        "    print(repr(engine.read(text)), [(c.entry.id, c.score) for c in result.ranked])\n"
    )
    messages = ["dh~v~yyq rfhnhbl:: rfr jnghfdbnm d jnl~k~ybb", "ghbdtn", "rfhnhblf;"]
    root = Path(__file__).resolve().parents[2]
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, json.dumps(messages)],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "2", "3")
    ]
    assert outputs[0].count("\n") == len(messages)
    assert len(set(outputs)) == 1


def test_an_unknown_word_typed_with_a_capital_inside_a_sentence_is_a_named_thing(
    faq_engine: FaqEngine,
) -> None:
    # Lower case, "оренбургскую" reads as a detail of the known "область"; with a capital it
    # names a place the base never mentions, which the best entry then does not explain.
    typed = "Какая доля товарооборота приходится на {}ренбургскую область?"
    as_name, as_detail = (typed.format(first) for first in ("О", "о"))
    (name,) = (s for s in faq_engine.read(as_name).slots if not s.known)
    (detail,) = (s for s in faq_engine.read(as_detail).slots if not s.known)
    assert name.thing
    assert not detail.thing
    assert name.weight > detail.weight
    shares = []
    for message in (as_name, as_detail):
        read = faq_engine.read(message)
        evidence = faq_engine.evidence(read, faq_engine.rank(read), message)
        assert evidence is not None
        shares.append(evidence.named)
    assert shares[0] < 0.55 < shares[1] == 1.0
    assert faq_engine.match(as_name).score < faq_engine.match(as_detail).score


def test_a_word_shortened_with_a_dot_reads_as_the_base_words_it_begins(
    transport_engine: FaqEngine,
) -> None:
    assert meanings(transport_engine, "тролл.") == meanings(transport_engine, "троллейбус")
    slot = transport_engine.read("тролл.").slots[0]
    assert (slot.how, slot.alternatives[0][1]) == ("shortened", query.SHORTENED_STRENGTH)
    # It stands for every word it begins: the one "студент" means is among them.
    shortened = transport_engine.read("студен. проездной").slots[0]
    student = transport_engine.read("студент").slots[0].alternatives[0][0]
    assert student in [term for term, _ in shortened.alternatives]
    result = transport_engine.match("льготы пенс. на проезд")
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None
    assert result.best.entry.id == "pensioners"


def test_a_shortening_without_a_dot_is_read_when_nothing_else_reads_it(
    faq_engine: FaqEngine,
) -> None:
    # "межрег" is no dictionary word, no typo of a known word and no two words run together.
    slot = faq_engine.read("межрег сотрудничество").slots[0]
    assert (slot.how, slot.alternatives[0][0]) == ("shortened", "межрегиональный")
    # A shortening ends its chunk, whatever punctuation follows the dot.
    assert faq_engine.read("межрег.?").slots[0].how == "shortened"


def test_a_shortening_too_vague_or_too_short_stays_unknown(faq_engine: FaqEngine) -> None:
    # Without a dot the same letters are a typo or a word of their own, not a shortening.
    assert faq_engine.read("тролл").slots[0].how != "shortened"
    assert faq_engine.index.completions("с", query.SHORTENED_MOST) == ()  # begins too many
    assert [s.how for s in faq_engine.read("ка.").slots] != ["shortened"]


def test_a_compound_half_may_stand_for_either_of_its_adjectives(faq_engine: FaqEngine) -> None:
    # "орг-" is "организационный" (оргкомитет) or "организованный" (оргпреступность): the
    # reading keeps both, and the base's word decides.
    assert faq_engine.index.lemmatizer.language.compound_prefixes["орг"] == (
        "организационный",
        "организованный",
    )
    first = faq_engine.read("оргпреступность").slots[0]
    assert first.alternatives[0][0] == "организованный"
    result = faq_engine.match("оргпреступность")
    assert result.best is not None
    assert result.best.entry.id == "growth"


def test_a_word_in_a_link_or_handle_does_not_stop_latin_being_read_as_russian() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("tracking", "Где сейчас мой автобус?", "Смотрите в боте @city_gde_bot.", ()),
            ("centers", "Где находится центр обслуживания?", "На ул. Мира, 40.", ()),
        )
    )
    # "gde" is a piece of the bot's handle, not a word of the base: it is "где".
    assert (engine.read("gde moy avtobus").slots[0].surface, "translit") == ("где", "translit")
    # "-tsya" is the reflexive ending "-тся" ("находится"), not "-ця".
    read = engine.read("gde nahoditsya tsentr").slots
    assert [s.surface for s in read if s.how == "translit"] == ["где", "находится", "центр"]
    found = engine.match("gde nahoditsya tsentr obsluzhivaniya")
    assert found.outcome is Outcome.ANSWER
    assert found.best is not None
    assert found.best.entry.id == "centers"


def test_a_chat_spelling_of_an_ending_is_read_as_the_standard_one(faq_engine: FaqEngine) -> None:
    # "развиваеца" is "развивается", not a typo of some other word of the base.
    assert (
        meanings(faq_engine, "как развиваеца сотрудничество")[0]
        == meanings(faq_engine, "как развивается сотрудничество")[0]
    )
    # Real words ending so are left alone.
    assert faq_engine.index.lemmatizer.analyze_word("улица")[0].term == "улица"


def test_a_which_question_names_what_it_asks_about(transport_engine: FaqEngine) -> None:
    read = transport_engine.read("Какие остановки у ночного маршрута?")
    assert read.which_terms == ("остановка",)
    assert "какой+остановка" in read.which_pairs
    # "Каков" asks what "какой" asks; the noun is what is asked about, not its adjective.
    assert "каков+остановка" in transport_engine.read("каковы ближайшие остановки").which_pairs
    assert transport_engine.read("каковы ближайшие остановки").which_terms == ("остановка",)
    assert transport_engine.read("где остановка ночного маршрута").which_terms == ()


def test_what_krome_sets_aside_does_not_count() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("trade", "Как идёт торговля регионов?", "Растёт.", ()),
            ("fields", "В каких областях развивают сотрудничество?", "В науке.", ()),
        )
    )
    surfaces = [s.surface for s in engine.read("чем, кроме торговли, займутся регионы").slots]
    assert "торговли" not in surfaces
    assert "регионы" in surfaces
    set_aside = engine.read("помимо приграничной торговли что еще").slots
    assert not {"приграничной", "торговли"} & {s.surface for s in set_aside}


def test_a_misspelt_question_word_is_still_a_question_word() -> None:
    engine = FaqEngine.build(small_kb(("fare", "Сколько стоит проезд?", "50 рублей.", ())))
    (typed,) = [s for s in engine.read("сколко стоит проезд").slots if s.surface == "сколко"]
    (right,) = [s for s in engine.read("сколько стоит проезд").slots if s.surface == "сколько"]
    assert typed.weak
    assert right.weak
    assert typed.weight == pytest.approx(right.weight)


def test_transliteration_restores_a_soft_sign_inside_a_word() -> None:
    engine = FaqEngine.build(small_kb(("fare", "Сколько стоит проезд?", "50 рублей.", ())))
    assert meanings(engine, "skolko stoit proezd")[:2] == ["сколько", "стоить"]
    assert query._spellings("сколко")[:2] == ("сколко", "сколько")


def test_where_the_person_comes_from_is_not_what_they_ask() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("fare", "Сколько стоит проезд?", "50 рублей.", ()),
            ("region", "Действует ли льгота для жителей области?", "Да.", ()),
        )
    )
    surfaces = {
        s.surface for s in engine.read("я приехала из Узбекистана, сколько стоит проезд").slots
    }
    assert not {"приехала", "узбекистана"} & surfaces
    assert {"стоит", "проезд"} <= surfaces
    english = engine.read("I am from Germany, сколько стоит проезд").slots
    assert {s.surface for s in english if s.how != "pair"} == {"сколько", "стоит", "проезд"}
    # A place the base knows may be what the answer depends on: it stays.
    assert "области" in {s.surface for s in engine.read("я из области, есть льгота").slots}
    # Nothing asked after the place: the message is read as it is.
    assert "узбекистана" in {s.surface for s in engine.read("я из узбекистана").slots}


def test_english_wrapping_words_do_not_count() -> None:
    # "I need go to ...": a foreigner's English around Russian words names nothing.
    engine = FaqEngine.build(small_kb(("airport", "Как доехать до аэропорта?", "Автобусом.", ())))
    assert {s.surface for s in engine.read("I need go to аэропорт").slots} == {"аэропорт"}


def test_ambiguous_latin_letter_groups_are_read_the_likeliest_way(faq_engine: FaqEngine) -> None:
    """Latin "ts" is "ц" in "tsentralnoaziatskoe" but "тс" in its "-tskoe"; "ia" is "иа" there, not
    the "ия" of "rossia"; "yy" in "integratsyya" is "ы" + "я", not "ый": each Latin group's
    other readings are tried when the usual one makes no word."""
    assert meanings(faq_engine, "tsentralnoaziatskoe sotrudnichestvo")[0] != "?"
    assert faq_engine.read("tsentralnoaziatskoe").slots[0].how == "translit"
    assert meanings(faq_engine, "integratsyya") == [
        "интеграция/объединение/интеграционный процесс/союз"
    ]
    assert faq_engine.match("integratsyya rossii i kazakhstana").outcome is Outcome.ANSWER


def test_latin_e_and_y_may_stand_for_e_oborotnoe_and_i_kratkoe(faq_engine: FaqEngine) -> None:
    """Latin "tek" is "ТЭК", not the unknown "тек"; "y" may be "й" as in "detsky"."""
    assert meanings(faq_engine, "tek") == [
        "энергетика/топливно-энергетический комплекс/ТЭК/нефтегазовый комплекс"
    ]
    language_translit = faq_engine.reader.language.translit
    assert language_translit.index(("e", "е")) < language_translit.index(("e", "э"))


def test_a_transliterated_compound_is_read_as_its_parts(transport_engine: FaqEngine) -> None:
    """Latin "sotstaksi" is "соцтакси", which the compound rule reads as "социальное такси"."""
    assert meanings(transport_engine, "sotstaksi")[:2] == ["социальный", "такси"]


def test_a_one_letter_word_never_ends_a_run_of_merged_words(
    transport_engine: FaqEngine,
) -> None:
    """A hurried "бует" ("будет") is not "буе" + "т": one-letter words (prepositions,
    conjunctions) come before the word they are typed together with ("вкаких")."""
    assert transport_engine.reader._split("бует") is None
    assert "split" not in {s.how for s in transport_engine.read("сколько бует стоить").slots}
    assert transport_engine.reader._split("вкаких") == ["в", "каких"]


def _taxi_and_card_engine() -> FaqEngine:
    return FaqEngine.build(
        small_kb(
            ("taxi", "Как заказать такси?", "Позвоните диспетчеру.", ()),
            ("card", "Как продлить карту?", "В кассе, с паспортом.", ()),
        )
    )


def test_two_swapped_letters_that_make_a_rare_word_are_read_as_the_base_word() -> None:
    # "таски" and "крата" are dictionary words (a swap of two neighbouring letters makes
    # them), so the typo search leaves them; a base word the swap spells is what was meant.
    engine = _taxi_and_card_engine()
    assert meanings(engine, "таски") == ["такси"]
    slot = engine.read("крата").slots[0]
    assert (slot.how, slot.alternatives[0][0]) == ("typo", "карта")
    assert slot.alternatives[0][1] < 1.0
    assert engine.match("заказать таски").best.entry.id == "taxi"
    assert engine.match("продлить крату").best.entry.id == "card"


def test_a_dictionary_word_no_swap_of_makes_a_base_word_stays_unknown() -> None:
    engine = _taxi_and_card_engine()
    # "тески" swapped is no base word; "стол" too short to be read as a swap.
    assert all(not slot.known for slot in engine.read("тески стол").slots)


def test_a_word_written_with_its_ending_as_it_sounds_is_read_as_the_base_word() -> None:
    # "проест" (for "проезд": a last consonant is said unvoiced) is a dictionary word, so
    # the typo search leaves it; the base word the voiced ending spells is what was meant.
    engine = FaqEngine.build(
        small_kb(
            ("fare", "Сколько стоит проезд?", "46 рублей.", ()),
            ("card", "Как продлить карту?", "В кассе, с паспортом.", ()),
        )
    )
    slot = engine.read("проест").slots[0]
    assert (slot.how, slot.alternatives[0][0]) == ("typo", "проезд")
    assert engine.match("сколько стоит проест").best.entry.id == "fare"
    # A word whose voiced ending makes no base word stays what it is.
    assert all(not slot.known for slot in engine.read("поесть десерт").slots)


def test_what_one_is_entitled_to_is_not_putting_money_somewhere() -> None:
    # "положены" is not "положить" (put money on a card): the message asks what is due.
    engine = FaqEngine.build(
        small_kb(
            ("topup", "Как положить деньги на карту?", "В терминале.", ()),
            ("benefits", "Какие льготы у пенсионеров?", "Бесплатный проезд.", ()),
        )
    )
    read = engine.read("положены ли льготы пенсионерам")
    assert "положены" not in [slot.surface for slot in read.slots]
    result = engine.match("пенсионер, что мне положено")
    assert result.ranked[0].entry.id == "benefits"
    assert engine.match("какие льготы положены пенсионерам").best.entry.id == "benefits"


def test_chat_spellings_of_how_much_where_now_and_pensioners_are_read() -> None:
    engine = FaqEngine.build(
        small_kb(
            ("fare", "Сколько стоит проезд сейчас?", "50 рублей.", ()),
            ("old", "Где льготы для пенсионеров?", "В МФЦ.", ()),
        )
    )
    assert meanings(engine, "скок стоит проезд сичас") == ["сколько", "стоить", "проезд", "сейчас"]
    where, benefit, who = meanings(engine, "гди льготы пенсам")
    assert (where, benefit, who.split("/")[0]) == ("где", "льгота", "пенсионер")


def test_words_either_side_of_a_comma_make_no_pair() -> None:
    # "за проезд, налички нет": the cash is not the fare's "проезд наличными".
    engine = FaqEngine.build(
        small_kb(
            ("fare", "Сколько платить за проезд наличными?", "50 рублей.", ()),
            ("pay", "Чем можно оплатить проезд?", "Картой или телефоном.", ()),
        )
    )

    def pairs(message: str) -> list[str]:
        return [s.surface for s in engine.read(message).slots if s.how == "pair"]

    assert "проезд наличными" in pairs("платить за проезд наличными")
    assert "проезд наличными" not in pairs("чем заплатить за проезд, наличными не могу")
    assert "проезд наличными" not in pairs("чем заплатить за проезд? наличными не могу")
    # A decimal comma or a shortening's full stop divides nothing.
    assert text.clause_starts(text.clean("2,5 рубля, инв. коляска")) == frozenset({"инв"})
