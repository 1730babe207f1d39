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
