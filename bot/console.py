"""Talk to the bot in a terminal: the real dispatcher and handlers, no Telegram, no token.

Messages go through ``bot.local_api`` exactly as the tests' do. The bot's messages are printed as
the user would see them (markup removed), buttons are numbered, and typing a number taps the
button of the last keyboard shown. Works with a pipe on stdin as well, so it can be scripted.
"""

from __future__ import annotations

import asyncio
import getpass
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from types import FrameType
from typing import TextIO

from aiogram import Bot, Dispatcher
from aiogram.types import Message, User

from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from bot.local_api import Exchange, LocalChat, LocalSession, buttons
from bot.logging_setup import configure_logging, secrets_of
from bot.service import load_faq_service
from bot.storage import Database

QUIT_COMMANDS = frozenset({"/quit", "/exit"})
PICTURE = "(picture)"  # a photo (the /stats chart) that a terminal cannot show
CONSOLE_USER_ID = 1
BANNER = (
    "Console chat with the FAQ bot. Type a question; a number taps a button of the last "
    "keyboard; /quit or Ctrl-D exits."
)


def chat(settings: Settings, *, language_code: str = "ru") -> int:
    """The console chat on this terminal (or pipe), until Ctrl-D, Ctrl-C or /quit."""
    # The chat is the terminal's main content: log only problems, unless debugging.
    level = "DEBUG" if settings.log_level == "DEBUG" else "WARNING"
    configure_logging(level, secrets_of(settings))
    # asyncio.run's own Ctrl-C handling only cancels the main task, which cannot take effect
    # while input() blocks; raising KeyboardInterrupt interrupts the read at once instead.
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        asyncio.run(run_console(settings, language_code=language_code))
    except KeyboardInterrupt:
        print()
    finally:
        signal.signal(signal.SIGINT, previous)
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


async def run_console(
    settings: Settings,
    lines: Iterable[str] | None = None,
    output: TextIO | None = None,
    *,
    language_code: str = "ru",
    first_name: str | None = None,
) -> None:
    """Chat until the input ends or the user quits. ``lines`` defaults to stdin."""
    out = output or sys.stdout
    service = load_faq_service(settings)
    db = await Database.open(settings.database_path)
    await service.apply_owner_additions(db)  # what the owners taught the bot in Telegram
    # The question log keys messages by update id and the database outlives this chat: start
    # where no earlier console chat can have been.
    session = LocalSession(first_update_id=time.time_ns() // 1_000_000)
    bot = create_bot(settings, session=session)
    try:
        # One person at a keyboard, or a script piping questions in: the flood guard would only
        # swallow scripted lines here.
        dispatcher = create_dispatcher(
            settings=replace(settings, throttle_rate=0), service=service, db=db
        )
        user = User(
            id=CONSOLE_USER_ID,
            is_bot=False,
            first_name=first_name or _login_name(),
            language_code=language_code,
        )
        console = Console(dispatcher, bot, user, out)
        await console.run(lines if lines is not None else _stdin_lines(out))
    finally:
        await db.close()
        await bot.session.close()


class Console:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, user: User, out: TextIO) -> None:
        self.chat = LocalChat(dispatcher, bot, user=user)
        self.out = out
        self.keyboard: Message | None = None  # the last message shown with buttons

    async def run(self, lines: Iterable[str]) -> None:
        self.print(BANNER)
        self.show(await self.chat.send("/start"))
        # Reading blocks the event loop, on purpose: nothing else needs to run while the user
        # types, and Ctrl-C interrupts a blocking read at once (see chat()).
        for line in lines:
            if line.strip().lower() in QUIT_COMMANDS:
                break
            await self.handle(line.strip())

    async def handle(self, line: str) -> None:
        if not line:
            return
        button_number = self._button_number(line)
        if button_number is None:
            if self.keyboard is not None and line.isdecimal():
                # A slip of the finger or a question that is a number: say which it was taken as.
                count = len(buttons(self.keyboard))
                self.print(f"  (no button {line} under the last message (1–{count}): sent as text)")
            self.show(await self.chat.send(line))
            return
        assert self.keyboard is not None
        tapped = buttons(self.keyboard)[button_number - 1]
        if tapped.url:  # a link: Telegram would open it, the console can only show it
            self.print(f"  (link: {tapped.url})")
            return
        self.print(f"  (tapped: {tapped.text})")
        self.show(await self.chat.press(tapped.callback_data or "", self.keyboard))

    def _button_number(self, line: str) -> int | None:
        if self.keyboard is None or not line.isdecimal():
            return None
        number = int(line)
        return number if 1 <= number <= len(buttons(self.keyboard)) else None

    def show(self, exchange: Exchange) -> None:
        for notice in exchange.notices:
            self.print(f"  ({notice})")
        for call in exchange.calls:
            message = call.result
            if not isinstance(message, Message) or call.error:
                continue
            label = "bot (edited)" if call.method.startswith("edit") else "bot"
            self.print_message(label, message)

    def print_message(self, label: str, message: Message) -> None:
        text = message.text or message.caption or ""
        indent = " " * (len(label) + 2)
        lines = text.splitlines() or [""]
        if message.photo:  # the caption follows the picture, as in Telegram
            lines = [PICTURE, *text.splitlines()]
        self.print(
            "\n".join([f"{label}> {lines[0]}", *(f"{indent}{line}".rstrip() for line in lines[1:])])
        )
        shown = buttons(message)
        if shown:
            self.keyboard = message
        elif self.keyboard is not None and _same_message(message, self.keyboard):
            self.keyboard = None  # edited to have no buttons: nothing left to tap
        for number, button in enumerate(shown, start=1):
            self.print(f"  [{number}] {button.text}")

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _same_message(a: Message, b: Message) -> bool:
    return (a.chat.id, a.message_id) == (b.chat.id, b.message_id)


def _stdin_lines(out: TextIO) -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            out.write("you> ")
            out.flush()
        try:
            line = input()
        except EOFError:
            if interactive:
                out.write("\n")  # Ctrl-D leaves the cursor after the prompt
            return
        yield line


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, e.g. in some containers
        return "console"
