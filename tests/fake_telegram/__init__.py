"""A strict fake Telegram Bot API server for tests (see server.py for the test-side API)."""

from .faults import Fault, FaultKind
from .models import DEFAULT_USER, Call, FakeChat, FakeUser, MessageView, WebhookDelivery
from .server import DEFAULT_TOKEN, FakeTelegram, render

__all__ = [
    "DEFAULT_TOKEN",
    "DEFAULT_USER",
    "Call",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "FaultKind",
    "MessageView",
    "WebhookDelivery",
    "render",
]
