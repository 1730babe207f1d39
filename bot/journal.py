"""Write-behind journal: the log of who asked what is written after the reply, in batches.

Handlers queue rows (``add_user``, ``add_question``) without waiting for the disk; a background
task commits the queue every ``interval`` seconds or ``batch_size`` rows, in one transaction.
Whoever needs the rows on disk awaits ``flush()``: the polling loop does before it confirms a
batch of updates to Telegram, and ``close()`` does at shutdown.

When the database refuses writes (read-only file, full disk, I/O error) the rows stay in memory,
up to ``max_pending``, and are retried; the operator gets one ERROR line when it starts and one
line when it is over, not one per row. The bot keeps answering meanwhile: its knowledge base is
in memory and the log is not on the reply path.

Which update a row belongs to comes from ``recording(journal, update_id)``: the code that feeds an
update to the dispatcher wraps it in that context, and ``handlers/records.py`` reads it with
``current_recording()``. Outside it (tests that feed the dispatcher directly, the console chat),
records.py writes straight to the database as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from bot.engine.types import MatchResult
from bot.storage import Database, HandledUpdate, QuestionRecord, UserRecord

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.05  # seconds a row may wait before its batch is committed
# Rows per commit: a polling batch of 100 updates brings about 300 (a user, a question and a
# handled mark each). Most of a commit's cost is per row, but fewer, larger transactions still
# save a few round trips to the database's thread per update.
DEFAULT_BATCH_SIZE = 300
DEFAULT_MAX_PENDING = 10_000  # rows kept in memory while the database refuses writes
DEFAULT_RETRY_INTERVAL = 1.0  # seconds between attempts while the database refuses writes
# Telegram keeps an unconfirmed update for a day; a handled mark older than this guards nothing.
HANDLED_MARK_LIFETIME = timedelta(days=2)

Row = UserRecord | QuestionRecord | HandledUpdate


class Journal:
    """Queues rows for ``db`` and commits them in the background. ``start()`` / ``close()``."""

    def __init__(
        self,
        db: Database,
        *,
        interval: float = DEFAULT_INTERVAL,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_pending: int = DEFAULT_MAX_PENDING,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
    ) -> None:
        self.db = db
        self.interval = interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.retry_interval = retry_interval
        self._pending: list[Row] = []
        self._pending_updates: set[int] = set()  # handled, not committed yet
        # The highest update id with a handled mark in the database (None: no mark at all).
        # Only this journal writes marks, so an id above it has none and needs no query.
        self._newest_mark: int | None = None
        self._newest_mark_known = False  # until start() reads it: ask the database every time
        self._have_rows = asyncio.Event()
        self._batch_full = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self._refusal: str | None = None  # the database's error while it refuses writes
        self._dropped = 0  # rows lost to the max_pending bound during this refusal

    # -- lifecycle

    async def start(self) -> None:
        """Start committing in the background; forget handled-update marks nobody needs."""
        with contextlib.suppress(sqlite3.Error):  # pruning is housekeeping, never a reason to stop
            await self.db.forget_handled_updates(before=self.db.now() - HANDLED_MARK_LIFETIME)
        try:
            newest = await self.db.newest_handled_update()
        except sqlite3.Error as error:  # then every check asks the database: slower, still right
            logger.warning("database %s: cannot read handled updates (%s)", self.db.path, error)
        else:
            self._raise_newest_mark(newest)
            self._newest_mark_known = True
        self._writer = asyncio.create_task(self._write_in_background(), name="journal writer")

    async def close(self) -> None:
        """Stop the background task and write what is left (one attempt; failure is logged)."""
        if self._writer is not None:
            # Stopped between two writes, never during one: a commit cut short on this side may
            # still complete in the database's thread, and the batch, seemingly not written,
            # would be written again (each user's message counted twice) by the flush below.
            async with self._write_lock:
                self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        if not await self.flush() and self._pending:
            logger.error(
                "database %s: %d log rows could not be written before exit and are lost",
                self.db.path,
                len(self._pending),
            )

    # -- queueing (no waiting: this is on the reply path)

    def add_user(
        self,
        user_id: int,
        username: str | None,
        first_name: str | None,
        language_code: str | None,
    ) -> None:
        """Count a message from the user, creating or refreshing their row."""
        self._queue(UserRecord(user_id, username, first_name, language_code, self.db.now()))

    def add_question(
        self,
        *,
        user_id: int | None,
        chat_id: int,
        text: str,
        result: MatchResult,
        update_id: int | None = None,
    ) -> None:
        """Log a question; ``update_id`` is the update it came in (see ``mark_handled``)."""
        record = QuestionRecord.of(
            user_id=user_id,
            chat_id=chat_id,
            text=text,
            result=result,
            created_at=self.db.now(),
            update_id=update_id,
        )
        self._queue(record)

    def mark_handled(self, update_id: int) -> None:
        """Remember that the update was handled, so that a redelivery of it is skipped.

        Called when its handler has finished, not when it logs its question: a handler cut short
        by a shutdown logs its question and must still be redone after the restart."""
        self._queue(HandledUpdate(update_id, self.db.now()))
        self._pending_updates.add(update_id)
        self._raise_newest_mark(update_id)

    def recording(self, update_id: int) -> contextlib.AbstractContextManager[None]:
        """Rows logged inside this block belong to update ``update_id`` (see ``recording``)."""
        return recording(self, update_id)

    async def handled_among(self, update_ids: Iterable[int]) -> set[int]:
        """Those of ``update_ids`` already handled, by this run (queued or written) or an earlier
        one. If the database cannot even be read, none: answering twice beats not answering."""
        wanted = set(update_ids)
        queued = wanted & self._pending_updates
        # Telegram's update ids grow, so a new update is above every mark: the usual case asks
        # the database nothing, which matters on the path of every update.
        unsure = {update_id for update_id in wanted - queued if self._may_be_marked(update_id)}
        if not unsure:
            return queued
        try:
            stored = await self.db.handled_among(unsure)
        except sqlite3.Error as error:
            logger.error("database %s: cannot check handled updates (%s)", self.db.path, error)
            stored = set()
        return queued | stored

    def _may_be_marked(self, update_id: int) -> bool:
        if not self._newest_mark_known:
            return True
        return self._newest_mark is not None and update_id <= self._newest_mark

    def _raise_newest_mark(self, update_id: int | None) -> None:
        if update_id is not None and (self._newest_mark is None or update_id > self._newest_mark):
            self._newest_mark = update_id

    @property
    def pending(self) -> int:
        """Rows queued and not written yet."""
        return len(self._pending)

    @property
    def refusing(self) -> bool:
        """True while the database refuses writes and rows wait in memory."""
        return self._refusal is not None

    # -- writing

    async def flush(self) -> bool:
        """Write everything queued so far; True when it is all in the database.

        False means the database refuses writes: the rows stay queued and are retried.
        """
        async with self._write_lock:
            while self._pending:
                if not await self._write_one_batch():
                    return False
        return True

    async def _write_in_background(self) -> None:
        while True:
            await self._have_rows.wait()
            # Let rows gather for up to ``interval``, less if a whole batch is waiting.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batch_full.wait(), self.interval)
            if not await self.flush():
                await asyncio.sleep(self.retry_interval)

    async def _write_one_batch(self) -> bool:
        batch = self._pending[: self.batch_size]
        try:
            await self.db.write_batch(
                users=[row for row in batch if isinstance(row, UserRecord)],
                questions=[row for row in batch if isinstance(row, QuestionRecord)],
                handled=[row for row in batch if isinstance(row, HandledUpdate)],
            )
        except sqlite3.OperationalError as error:  # read-only, full, locked, I/O: may pass
            self._note_refusal(error)
            return False
        except sqlite3.Error:
            # Not the disk but the rows (a bug): retrying would block the queue for good.
            logger.exception("database %s: dropped %d log rows", self.db.path, len(batch))
        self._forget(batch)
        self._note_recovery()
        return True

    def _queue(self, row: Row) -> None:
        self._pending.append(row)
        if len(self._pending) > self.max_pending:
            # The oldest goes: memory stays bounded even if the disk never comes back.
            oldest = self._pending.pop(0)
            if isinstance(oldest, HandledUpdate):
                self._pending_updates.discard(oldest.update_id)
            self._dropped += 1
        self._have_rows.set()
        if len(self._pending) >= self.batch_size:
            self._batch_full.set()

    def _forget(self, rows: list[Row]) -> None:
        """Take ``rows`` (written or dropped) off the queue, which may have changed meanwhile."""
        gone = {id(row) for row in rows}
        for row in rows:
            if isinstance(row, HandledUpdate):
                self._pending_updates.discard(row.update_id)
        self._pending = [row for row in self._pending if id(row) not in gone]
        if not self._pending:
            self._have_rows.clear()
        if len(self._pending) < self.batch_size:
            self._batch_full.clear()

    def _note_refusal(self, error: sqlite3.Error) -> None:
        if self._refusal is None:
            logger.error(
                "database %s refuses writes (%s): keeping the log in memory (up to %d rows) "
                "and retrying; the bot keeps answering",
                self.db.path,
                error,
                self.max_pending,
            )
        self._refusal = str(error)

    def _note_recovery(self) -> None:
        if self._refusal is None:
            return
        lost = f"; {self._dropped} oldest rows were dropped" if self._dropped else ""
        logger.warning("database %s accepts writes again%s", self.db.path, lost)
        self._refusal = None
        self._dropped = 0


# -- which update the handler is working on


@dataclass(frozen=True, slots=True)
class Recording:
    journal: Journal
    update_id: int


_recording: ContextVar[Recording | None] = ContextVar("recording", default=None)


@contextlib.contextmanager
def recording(journal: Journal, update_id: int) -> Iterator[None]:
    """Rows that handlers log inside this block go to ``journal``, tagged with ``update_id``.

    A context variable rather than a handler argument: it follows the update through aiogram's
    middlewares into any handler, and each update runs in its own task with its own copy.
    """
    token = _recording.set(Recording(journal, update_id))
    try:
        yield
    finally:
        _recording.reset(token)


def current_recording() -> Recording | None:
    return _recording.get()
