"""Bounded memos: the engine remembers what it worked out about words and phrases, as a bot hears
the same words all day."""

from __future__ import annotations

from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(memo: dict[_K, _V], key: _K, value: _V, limit: int) -> _V:
    """Store ``value`` under ``key`` and return it. A memo that has reached ``limit`` entries is
    emptied first: that bounds its memory without the bookkeeping of a least-recently-used
    cache, and what is still in use is worked out again soon."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
