from bot.engine import text


def test_clean_folds_case_yo_and_compatibility_forms() -> None:
    assert text.clean("ЁЛКА Ｆｕｌｌ") == "елка full"


def test_clean_drops_invisible_marks_inside_words_and_turns_controls_into_spaces() -> None:
    assert text.clean("при\u200bвет\u200f\x00мир\tи\nвсё") == "привет мир и все"


def test_clean_caps_the_length() -> None:
    assert len(text.clean("а" * 100_000)) == text.MAX_CHARS


def test_words_keep_inner_hyphens_and_drop_punctuation() -> None:
    cleaned = text.clean("Научно-технической, «гуманитарной» сферах — 50-летие; 80%!")
    assert text.words(cleaned) == [
        "научно-технической",
        "гуманитарной",
        "сферах",
        "50-летие",
        "80",
        "%",
    ]


def test_a_short_abbreviation_with_a_slash_is_one_word() -> None:
    assert text.words(text.clean("автобус до А/П, ж/д вокзал")) == [
        "автобус",
        "до",
        "а/п",
        "ж/д",
        "вокзал",
    ]
    # Longer halves, three halves, digits and Latin letters stay apart.
    assert text.words(text.clean("руб/мес а/п/р 50/50 a/b")) == [
        "руб",
        "мес",
        "а",
        "п",
        "р",
        "50",
        "50",
        "a",
        "b",
    ]


def test_words_normalise_typographic_dashes() -> None:
    assert text.words(text.clean("военно\u2011технический")) == ["военно-технический"]


def test_words_are_capped() -> None:
    assert len(text.words(text.clean("слово " * 500))) == text.MAX_WORDS


def test_script_checks() -> None:
    assert text.is_latin("baikonur")
    assert not text.is_latin("байконур")
    assert text.is_cyrillic("байконур")
    assert text.is_number("2024")
    assert not text.is_number("50-летие")


def test_words_capitalised_inside_a_sentence_are_found() -> None:
    found = text.capitalised_inside("Какой процент приходится на Оренбургскую область? А на Омск")
    assert found == {"оренбургскую", "омск"}  # "Какой" and "А" begin their sentences


def test_a_message_typed_in_lower_case_or_all_in_capitals_has_no_names() -> None:
    assert text.capitalised_inside("какой процент приходится на оренбургскую область") == set()
    assert text.capitalised_inside("КАКОЙ ПРОЦЕНТ У ОРЕНБУРГА") == set()
    assert text.capitalised_inside("") == set()


def test_links_addresses_and_handles_are_not_words_of_a_text() -> None:
    assert text.words(text.without_links("бот @sgt_gde_bot: табло")) == ["бот", "табло"]
    assert text.words(text.without_links("канал t.me/sgt_news и сайт sgt-city.ru.")) == [
        "канал",
        "и",
        "сайт",
    ]
    assert text.words(text.without_links("пишите на info@sgt-city.ru или https://x.ru/a?b=1")) == [
        "пишите",
        "на",
        "или",
    ]
    # Abbreviations with dots, numbers and prices are words as before.
    for kept in ("ул. Вокзальной, 12", "стоит 2.5 тыс. руб.", "и т.д.", "Apple Pay"):
        assert text.without_links(kept) == kept
