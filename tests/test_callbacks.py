"""Callback data: short, made of ids, within Telegram's 64 bytes, and round-trips."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.callbacks import (
    ADMIN_FACTORIES,
    MAX_CALLBACK_DATA_BYTES,
    MAX_ID_LENGTH,
    USER_FACTORIES,
    AddPhrasingCallback,
    AskHumanCallback,
    EntryCallback,
    MenuCallback,
    Origin,
    SectionCallback,
    Vote,
    VoteCallback,
    longest_payloads,
)

ALL_FACTORIES: tuple[type[CallbackData], ...] = (*USER_FACTORIES, *ADMIN_FACTORIES)


def test_the_longest_payloads_fit_telegrams_limit() -> None:
    payloads = longest_payloads()

    assert len(payloads) >= len(ALL_FACTORIES)
    for payload in payloads:
        assert len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES, payload
    prefixes = {payload.split(":")[0] for payload in payloads}
    assert prefixes == {factory.__prefix__ for factory in ALL_FACTORIES}


def test_payloads_round_trip() -> None:
    entry = EntryCallback(entry_id="priorities", origin=Origin.SEARCH)
    section = SectionCallback(section_id="regions")
    vote = VoteCallback(entry_id="x" * MAX_ID_LENGTH, vote=Vote.DOWN, update_id=123)
    phrasing = AddPhrasingCallback(question_id=77, entry_id="scope", page=4)

    assert entry.pack() == "e:priorities:q"
    assert EntryCallback.unpack(entry.pack()) == entry
    assert SectionCallback.unpack(section.pack()) == section
    assert MenuCallback.unpack(MenuCallback().pack()) == MenuCallback()
    assert VoteCallback.unpack(vote.pack()) == vote
    assert AddPhrasingCallback.unpack(phrasing.pack()) == phrasing
    assert phrasing.pack() == "ua:77:scope:4"
    assert AskHumanCallback().pack() == "h:0"


def test_prefixes_are_distinct() -> None:
    prefixes = [factory.__prefix__ for factory in ALL_FACTORIES]

    assert len(set(prefixes)) == len(prefixes)


@pytest.mark.parametrize(
    "data",
    ["e:scope", "e:scope:z", "s:a:b", "m:1", "e:" + "x" * 70, "v:scope:x:1", "ua:1:scope",
     "ua:one:scope:0", "h:abc", "qr:", "u:1:2"],
)  # fmt: skip
def test_malformed_payloads_do_not_unpack(data: str) -> None:
    for factory in ALL_FACTORIES:
        with pytest.raises((TypeError, ValueError)):
            factory.unpack(data)
