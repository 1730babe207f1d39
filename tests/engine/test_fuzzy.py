from bot.engine.fuzzy import FuzzyVocabulary, max_typos


def vocabulary() -> FuzzyVocabulary:
    words = ["областях", "область", "байконур", "сотрудничество", "приоритет", "каспий", "весна"]
    return FuzzyVocabulary({w: 1 for w in words})


def test_one_typo_anywhere_is_found() -> None:
    vocab = vocabulary()
    assert vocab.closest("облостях") == ("областях", 1)  # substitution
    assert vocab.closest("байконр") == ("байконур", 1)  # deletion
    assert vocab.closest("байконурр") == ("байконур", 1)  # insertion
    assert vocab.closest("абйконур") == ("байконур", 1)  # transposition


def test_two_typos_are_allowed_only_in_long_words() -> None:
    vocab = vocabulary()
    assert vocab.closest("сатрудничиство") == ("сотрудничество", 2)
    assert vocab.closest("вусна") == ("весна", 1)
    assert vocab.closest("вусло") is None


def test_short_words_are_never_corrected() -> None:
    assert max_typos("кот") == 0
    assert vocabulary().closest("каз") is None


def test_known_words_are_their_own_match() -> None:
    assert vocabulary().closest("каспий") == ("каспий", 0)


def test_a_neighbour_one_typo_away_is_found_without_the_two_typo_scan() -> None:
    vocab = vocabulary()
    for word in ("облостях", "байконр", "байконурр", "абйконур", "каспий"):
        assert vocab.has_neighbour(word)
    assert not vocab.has_neighbour("сатрудничиство")  # two typos: closest finds it, this not
    assert not vocab.has_neighbour("вусло")
    assert not vocab.has_neighbour("каз")  # too short to carry a typo


def test_has_neighbour_agrees_with_closest_before_and_after_it_ran() -> None:
    words = ["облостях", "сатрудничиство", "весна", "вусна", "приаритет", "борщ", "байконурчик"]
    fresh, warmed = vocabulary(), vocabulary()
    for word in words:
        closest = warmed.closest(word)
        expected = closest is not None and closest[1] <= 1
        assert fresh.has_neighbour(word) is expected
        assert warmed.has_neighbour(word) is expected


def test_a_tie_goes_to_the_word_of_the_same_length() -> None:
    # "штарф" is one typo from both: two letters swapped in "штраф", one added to "шарф".
    vocab = FuzzyVocabulary({"штраф": 1, "шарф": 1})
    assert vocab.closest("штарф") == ("штраф", 1)
