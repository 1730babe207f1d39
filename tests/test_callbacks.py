"""Callback data: short, made of ids, within Telegram's 64 bytes, and round-trips."""

from __future__ import annotations

import pytest

from bot.callbacks import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_ID_LENGTH,
    EntryCallback,
    MenuCallback,
    Origin,
    SectionCallback,
    longest_payloads,
)


def test_the_longest_payloads_fit_telegrams_limit() -> None:
    payloads = longest_payloads()

    assert len(payloads) == 4
    for payload in payloads:
        assert len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES
    assert max(len(p) for p in payloads) == len("e:") + MAX_ID_LENGTH + len(":s")


def test_payloads_round_trip() -> None:
    entry = EntryCallback(entry_id="priorities", origin=Origin.SEARCH)
    section = SectionCallback(section_id="regions")

    assert entry.pack() == "e:priorities:q"
    assert EntryCallback.unpack(entry.pack()) == entry
    assert SectionCallback.unpack(section.pack()) == section
    assert MenuCallback.unpack(MenuCallback().pack()) == MenuCallback()


def test_prefixes_are_distinct() -> None:
    prefixes = [factory.__prefix__ for factory in (MenuCallback, SectionCallback, EntryCallback)]

    assert len(set(prefixes)) == len(prefixes)


@pytest.mark.parametrize("data", ["e:scope", "e:scope:z", "s:a:b", "m:1", "e:" + "x" * 70])
def test_malformed_payloads_do_not_unpack(data: str) -> None:
    factories = (MenuCallback, SectionCallback, EntryCallback)

    for factory in factories:
        with pytest.raises((TypeError, ValueError)):
            factory.unpack(data)
