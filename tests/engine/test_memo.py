"""Bounded memos."""

from bot.engine.memo import remember


def test_a_memo_keeps_what_it_is_given_until_it_is_full() -> None:
    memo: dict[str, int] = {}
    assert remember(memo, "а", 1, limit=2) == 1
    assert remember(memo, "б", 2, limit=2) == 2
    assert memo == {"а": 1, "б": 2}
    # Full: it starts afresh with the new value rather than growing past its limit.
    assert remember(memo, "в", 3, limit=2) == 3
    assert memo == {"в": 3}
