"""Failures a test can inject: server errors, flood limits, hung requests, dropped connections."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    ERROR = "error"  # answer with an HTTP error status and Telegram-style JSON body
    FLOOD = "flood"  # 429 Too Many Requests with parameters.retry_after
    HANG = "hang"  # never answer (until the client gives up or the fake stops)
    DROP = "drop"  # close the connection without any response
    DELAY = "delay"  # answer normally, but only after ``seconds``
    GARBLE = "garble"  # answer bytes that are not HTTP, like a broken proxy


@dataclass
class Fault:
    """Applies to the next ``times`` calls of ``method`` (None: every method; times None: all)."""

    kind: FaultKind
    method: str | None = None
    times: int | None = 1
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int = 1
    body: str | None = None  # raw body instead of JSON, e.g. a proxy's HTML error page
    seconds: float = 0.0  # how long a DELAY holds the answer back
    hits: int = 0

    def matches(self, method: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return self.method is None or self.method.lower() == method.lower()

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times
