from dataclasses import replace

import pytest

from bot.engine import morph
from bot.engine.analysis import Concepts, Lemmatizer, Word, pair_terms
from bot.engine.lang import russian


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer(russian())


def content_terms(lemmatizer: Lemmatizer, phrase: str) -> list[str]:
    return [w.term for w in lemmatizer.content_words_of(phrase) if not w.extra]


def test_words_are_lemmatised_and_stop_words_marked(lemmatizer: Lemmatizer) -> None:
    words = lemmatizer.words_of("В каких областях предполагается его наращивать?")
    assert [(w.term, w.stop) for w in words] == [
        ("в", True),
        ("какой", True),
        ("область", False),
        ("предполагаться", False),
        ("его", True),
        ("наращивать", False),
    ]


def test_polite_wrapping_is_stop_words(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "Подскажите, пожалуйста, что с Байконуром?") == ["байконур"]


def test_question_words_count_weakly(lemmatizer: Lemmatizer) -> None:
    (word,) = lemmatizer.content_words_of("сколько")
    assert word.weak


def test_hyphenated_word_gives_parts_and_the_whole(lemmatizer: Lemmatizer) -> None:
    words = lemmatizer.content_words_of("научно-технической")
    assert [(w.term, w.extra) for w in words] == [
        ("научный", False),
        ("технический", False),
        ("научный-технический", True),
    ]


def test_number_with_a_word_gives_the_number_and_the_word(lemmatizer: Lemmatizer) -> None:
    terms = [w.term for w in lemmatizer.content_words_of("50-летия")]
    assert terms[:2] == ["50", "летие"]


def test_phone_number_counts_as_a_whole(lemmatizer: Lemmatizer) -> None:
    words = lemmatizer.content_words_of("45-10-10")
    assert [(w.term, w.extra) for w in words] == [
        ("45-10-10", False),
        ("45", True),
        ("10", True),
        ("10", True),
    ]


def test_a_case_ending_after_a_number_is_no_word(lemmatizer: Lemmatizer) -> None:
    # "на 101-м", "5-й маршрут": the number is the word, "м" and "й" name nothing.
    assert content_terms(lemmatizer, "на 101-м автобусе") == ["101", "автобус"]
    assert content_terms(lemmatizer, "5-й маршрут") == ["5", "маршрут"]
    assert content_terms(lemmatizer, "до 2-го числа") == ["2", "число"]


def test_slash_abbreviations_read_as_their_words(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "до а/п") == ["аэропорт"]
    assert content_terms(lemmatizer, "ж/д вокзал") == ["железнодорожный", "вокзал"]
    assert content_terms(lemmatizer, "ЖД вокзал") == ["железнодорожный", "вокзал"]


def test_numerals_in_words_become_digits(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "восемьдесят процентов") == ["80", "процент"]
    assert content_terms(lemmatizer, "пятьдесят пять процентов") == ["55", "процент"]
    assert content_terms(lemmatizer, "80 %") == ["80", "процент"]


def test_will_it_work_out_is_a_modal_word_and_to_get_is_not(lemmatizer: Lemmatizer) -> None:
    # "получится ли заплатить" asks what "можно ли заплатить" asks.
    assert content_terms(lemmatizer, "получится ли заплатить") == ["заплатить"]
    assert content_terms(lemmatizer, "как получить карту") == ["получить", "карта"]


def test_a_count_before_a_thousand_multiplies_it(lemmatizer: Lemmatizer) -> None:
    # "30 тысяч" names 30000, never the 1000 that "тысяч" alone would read as.
    assert content_terms(lemmatizer, "до 30 тысяч") == ["30000"]
    assert content_terms(lemmatizer, "две тысячи рублей") == ["2000", "рубль"]
    assert content_terms(lemmatizer, "тысяча рублей") == ["1000", "рубль"]


def test_colloquial_spelling_reads_as_the_standard_word(lemmatizer: Lemmatizer) -> None:
    (word,) = lemmatizer.content_words_of("скока")
    assert word.term == "сколько"
    assert word.surface == "скока"


def test_ambiguous_lemmas_keep_both_readings() -> None:
    assert set(morph.lemmas("основное")) >= {"основной", "основный"}


def test_concepts_recognise_inflected_phrases_both_ways(lemmatizer: Lemmatizer) -> None:
    concepts = Concepts(
        [("ОДКБ", "Организация Договора о коллективной безопасности")],
        lemmatizer.content_words_of,
    )
    long_form = concepts.apply(
        lemmatizer.words_of("в рамках Организации Договора о коллективной безопасности"),
        keep_phrase_words=False,
    )
    short_form = concepts.apply(lemmatizer.words_of("ОДКБ"), keep_phrase_words=False)
    long_terms = [w.term for w in long_form if not w.stop]
    assert short_form[0].term.startswith("≈")
    assert short_form[0].term in long_terms


def test_stored_texts_keep_phrase_words_as_extras(lemmatizer: Lemmatizer) -> None:
    concepts = Concepts([("РФ", "Российская Федерация")], lemmatizer.content_words_of)
    words = concepts.apply(lemmatizer.words_of("Российской Федерации"), keep_phrase_words=True)
    assert [(w.term, w.extra) for w in words] == [
        (concepts.concept_of("рф"), False),
        ("российский", True),
        ("федерация", True),
    ]


def test_single_word_synonyms_share_a_concept(lemmatizer: Lemmatizer) -> None:
    concepts = Concepts([("сфера", "область", "направление")], lemmatizer.content_words_of)
    terms = {
        concepts.apply(lemmatizer.words_of(w), keep_phrase_words=False)[0].term
        for w in ("сферах", "областей", "направлениям")
    }
    assert len(terms) == 1


def test_pairs_keep_word_order_but_never_end_on_a_stop_word(lemmatizer: Lemmatizer) -> None:
    pairs = [p for p, _, _ in pair_terms(lemmatizer.words_of("в каких областях и"))]
    assert pairs == ["какой+область"]


def test_a_slang_synonym_keeps_the_reading_the_editor_meant(lemmatizer: Lemmatizer) -> None:
    # pymorphy reads "велик" first as the short form of "великий" (= "большой"): the synonym
    # group must not turn every "большой" into a bicycle.
    concepts = Concepts([("велосипед", "велик")], lemmatizer.content_words_of)

    def concept(word: str) -> str:
        return concepts.apply(lemmatizer.words_of(word), keep_phrase_words=False)[0].term

    assert concept("велик") == concept("велосипеды")
    assert concept("большим") != concept("велосипеды")


def test_slang_is_read_as_the_standard_word_in_any_inflection(lemmatizer: Lemmatizer) -> None:
    # "бабла" is a form of "бабло"; the standard reading may be several words.
    assert content_terms(lemmatizer, "бабла") == ["деньга"]
    assert content_terms(lemmatizer, "нелегалы") == ["нелегальный", "мигрант"]
    assert content_terms(lemmatizer, "с оборонкой") == ["оборонный"]
    (word,) = lemmatizer.content_words_of("загранника")[:1]
    assert word.surface == "загранника"


def test_chat_spellings_of_little_words_are_stop_words(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "можна ли оплатить") == ["оплатить"]


def test_a_superlative_says_which_one_not_what() -> None:
    assert morph.is_choosing_adjective("ближайшая")
    assert not morph.is_choosing_adjective("социальная")


def test_morphology_answers_do_not_depend_on_which_question_came_first() -> None:
    # One parse per word is shared by all the questions asked about it: asking them in
    # another order, with every memo emptied, must give the same answers.
    words = ["китая", "ближайшая", "самокатом", "школная", "обращеня", "научно"]
    first = {w: _morphology(w) for w in words}
    for w in reversed(words):
        _forget_morphology()
        assert _morphology(w) == first[w]
    assert first["китая"][4]  # a place
    assert not first["ближайшая"][4]
    assert first["ближайшая"][3]  # which one, not what
    assert first["научно"][6] == "научный"


def _forget_morphology() -> None:
    for name in dir(morph):
        cache_clear = getattr(getattr(morph, name), "cache_clear", None)
        if cache_clear is not None and name != "analyzer":
            cache_clear()


def _morphology(word: str) -> tuple[object, ...]:
    return (
        morph.lemmas(word),
        morph.part_of_speech(word),
        morph.names_a_thing(word),
        morph.is_choosing_adjective(word),
        morph.is_proper_name(word),
        morph.is_naming_adjective(word),
        morph.compound_stem_adjective(word),
    )


def test_a_message_meets_the_same_concepts_every_time(lemmatizer: Lemmatizer) -> None:
    """A message's synonyms are remembered between messages; a stored text's are not, but
    both read a word the same way."""
    concepts = Concepts([("сфера", "область", "направление")], lemmatizer.content_words_of)
    words = lemmatizer.words_of("в каких областях и сферах")
    message = concepts.apply(words, keep_phrase_words=False)
    assert concepts.apply(words, keep_phrase_words=False) == message
    assert concepts.apply(words, keep_phrase_words=True) == message
    concept = concepts.concept_of("сфера")
    assert [w.term for w in message if not w.stop] == [concept, concept]


def test_equal_words_hash_alike_and_a_changed_copy_does_not_keep_the_hash() -> None:
    word = Word("карту", "карта")
    assert hash(word) == hash(Word("карту", "карта"))  # (the hash is remembered after this)
    changed = replace(word, how="typo")
    assert changed != word
    assert hash(changed) == hash(Word("карту", "карта", how="typo"))
    assert {word: 1}.get(Word("карту", "карта")) == 1


def test_collective_numerals_become_digits(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "на трое суток") == ["3", "сутки"]
    assert content_terms(lemmatizer, "нас двое") == ["2"]


def test_a_collective_numeral_of_people_is_not_a_number(lemmatizer: Lemmatizer) -> None:
    # "оплатить проезд за двоих" is for two people, not "списали два раза".
    assert content_terms(lemmatizer, "за двоих") == ["двое"]
    assert content_terms(lemmatizer, "на троих") == ["трое"]


def test_a_number_compound_counts_its_noun(lemmatizer: Lemmatizer) -> None:
    # "30-дневный проездной" is a pass "на 30 дней"; without a number the word stays itself.
    assert content_terms(lemmatizer, "30-дневный")[:2] == ["30", "день"]
    assert content_terms(lemmatizer, "5-летнего")[:2] == ["5", "год"]
    assert content_terms(lemmatizer, "дневного отделения") == ["дневный", "отделение"]


def test_a_word_declared_as_written_wins_over_its_likelier_reading(
    lemmatizer: Lemmatizer,
) -> None:
    # pymorphy reads "велик" first as "большой"; a base that also groups "крупный" with
    # "большой" must still read the editor's "велик" as a bicycle.
    concepts = Concepts(
        [("велосипед", "велик"), ("крупный", "большой")], lemmatizer.content_words_of
    )

    def concept(word: str) -> str:
        return concepts.apply(lemmatizer.words_of(word), keep_phrase_words=False)[0].term

    assert concept("велик") == concept("велосипеды")
    assert concept("большим") == concept("крупный") != concept("велосипед")


def test_a_number_compound_written_as_one_word_counts_its_noun(lemmatizer: Lemmatizer) -> None:
    assert content_terms(lemmatizer, "однодневный безлимит")[:2] == ["1", "день"]
    assert content_terms(lemmatizer, "пятилетнему")[:2] == ["5", "год"]
    assert content_terms(lemmatizer, "семинар") == ["семинар"]  # "семи" + no such half
