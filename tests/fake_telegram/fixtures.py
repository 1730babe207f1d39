"""The ``fake_telegram`` fixture; conftest files import it to make it available."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .server import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake
