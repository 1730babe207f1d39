"""End to end: the bot loses nothing and answers nothing twice when it is stopped mid-flood.

``python -m bot`` runs against the fake Telegram while many users write at full speed, and is
stopped halfway: by SIGKILL (a crash, the OOM killer, a pulled plug) or by SIGTERM (``docker
stop``). Then it is started again on the same database. Each user sends one message, so the
replies to a chat are the replies to that update.

What must hold:
- the database file is intact (``PRAGMA integrity_check``) and every update the bot had confirmed
  to Telegram has its question row: a confirmed update is never lost;
- after the restart every update is answered; one whose row was written before the kill is not
  answered again; only an update the bot answered in the last instant before SIGKILL (reply
  sent, row not yet written) may be answered twice;
- after SIGTERM nothing at all is answered twice, and the bot exits with 0, promptly.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.bot_process import RunningBot, start_bot
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.on_disk import on_disk

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

QUESTION = "как приготовить борщ?"  # answered with one message: "not found" and the topics
FLOOD_SIZE = 240
REPLIES_BEFORE_STOP = 40  # stop the bot once it has answered this many: mid-flood
WAIT = 60.0  # an upper bound for a busy 2-core machine, never a measurement


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def start(fake: FakeTelegram, workdir: Path, database: Path) -> RunningBot:
    workdir.mkdir()  # noqa: ASYNC240 - an empty folder, instantly
    running = await start_bot(fake, workdir, "polling", DATABASE_PATH=str(database))
    await running.wait_until_serving()
    return running


class Flood:
    """One message from each of ``FLOOD_SIZE`` new users, sent as fast as the fake takes them."""

    def __init__(self, fake: FakeTelegram, first_user: int) -> None:
        self.fake = fake
        self.first_user = first_user
        self.update_of_chat: dict[int, int] = {}

    async def send(self) -> None:
        for number in range(FLOOD_SIZE):
            user = FakeUser(id=self.first_user + number, first_name=f"U{number}")
            self.fake.user_sends(QUESTION, user=user)
            self.update_of_chat[user.id] = self.fake.state.pending_updates[-1]["update_id"]
            if number % 4 == 0:
                await asyncio.sleep(0.005)  # the fake serves the bot meanwhile: a live stream

    @property
    def update_ids(self) -> set[int]:
        return set(self.update_of_chat.values())

    def replies(self) -> Counter[int]:
        """How many times each update was answered."""
        counts: Counter[int] = Counter()
        for call in self.fake.calls_to("sendMessage"):
            update_id = self.update_of_chat.get(call.params.get("chat_id"))  # type: ignore[arg-type]
            if call.ok and update_id is not None:
                counts[update_id] += 1
        return counts

    def all_confirmed(self) -> bool:
        return self.update_ids <= set(self.fake.confirmed_update_ids)


def logged_update_ids(database: Path) -> list[int]:
    return [update_id for (update_id,) in on_disk(database, "SELECT update_id FROM questions")]


def integrity(database: Path) -> str:
    [(verdict,)] = on_disk(database, "PRAGMA integrity_check")
    return str(verdict)


async def stop_mid_flood(running: RunningBot, flood: Flood, how: signal.Signals) -> float:
    """Floods, sends ``how`` once enough replies went out; seconds from signal to exit."""
    sending = asyncio.create_task(flood.send())
    try:
        await running.unless_exited(
            flood.fake.wait_until(
                lambda: sum(flood.replies().values()) >= REPLIES_BEFORE_STOP, WAIT, "replies"
            )
        )
        signalled = time.monotonic()
        running.process.send_signal(how)
        await asyncio.wait_for(running.process.wait(), WAIT)
        return time.monotonic() - signalled
    finally:
        await sending  # the rest of the flood waits in Telegram's queue for the restart


async def test_stopped_mid_flood_by_sigterm_then_sigkill_nothing_is_lost_or_repeated(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Three runs on one database: SIGTERM during a first flood, SIGKILL during a second one
    (the restarted bot also finishes the first), then a run that finishes the second."""
    database = tmp_path / "faq.sqlite3"
    calm, crash = Flood(fake, first_user=50_000), Flood(fake, first_user=60_000)

    # 1. SIGTERM mid-flood: what is in flight is finished, logged and confirmed; exit 0.
    first = await start(fake, tmp_path / "first", database)
    try:
        exit_seconds = await stop_mid_flood(first, calm, signal.SIGTERM)
    finally:
        await first.kill()
    output = first.output()
    assert first.process.returncode == 0, output
    assert "Traceback" not in output
    assert fake.token.split(":")[1] not in output
    assert integrity(database) == "ok"
    answered_before_sigterm = calm.replies()
    assert set(answered_before_sigterm) <= set(fake.confirmed_update_ids)
    assert set(fake.confirmed_update_ids) <= set(logged_update_ids(database))

    # 2. The restarted bot finishes the first flood; SIGKILL mid-way through a second one.
    second = await start(fake, tmp_path / "second", database)
    try:
        await second.unless_exited(fake.wait_until(calm.all_confirmed, WAIT, "first flood"))
        await stop_mid_flood(second, crash, signal.SIGKILL)
    finally:
        await second.kill()
    assert second.process.returncode == -signal.SIGKILL
    assert integrity(database) == "ok"
    confirmed_at_kill = set(fake.confirmed_update_ids) & crash.update_ids
    logged_at_kill = set(logged_update_ids(database)) & crash.update_ids
    assert confirmed_at_kill <= logged_at_kill  # every update Telegram forgot is in the database
    answered_before_kill = crash.replies()

    # 3. The last run finishes the second flood.
    third = await start(fake, tmp_path / "third", database)
    try:
        await third.unless_exited(fake.wait_until(crash.all_confirmed, WAIT, "second flood"))
        assert await third.terminate() == 0, third.output()
    finally:
        await third.kill()

    # After SIGTERM: every update of the first flood answered exactly once.
    replies = calm.replies()
    assert {update: replies[update] for update in calm.update_ids if replies[update] != 1} == {}
    # After SIGKILL: every update answered; one logged before the kill never again; twice only
    # one answered in the kill's last instant, before its row was written.
    replies = crash.replies()
    assert {update for update in crash.update_ids if replies[update] == 0} == set()
    assert {update for update in logged_at_kill if replies[update] != 1} == set()
    answered_twice = {update for update, count in replies.items() if count > 1}
    assert answered_twice <= set(answered_before_kill) - logged_at_kill
    assert max(replies.values()) == 2 or not answered_twice
    # One row per update, none twice, and the file intact.
    assert sorted(logged_update_ids(database)) == sorted(calm.update_ids | crash.update_ids)
    assert integrity(database) == "ok"
    print(
        f"\nSIGTERM after {sum(answered_before_sigterm.values())} replies: exit 0 in "
        f"{exit_seconds:.2f} s; after the restart all {FLOOD_SIZE} answered exactly once."
        f"\nSIGKILL after {sum(answered_before_kill.values())} replies: "
        f"{len(confirmed_at_kill)} confirmed and {len(logged_at_kill)} logged at the kill; "
        f"after the restart all {FLOOD_SIZE} answered, "
        f"{FLOOD_SIZE - len(answered_twice)} exactly once, {len(answered_twice)} twice"
    )
