"""The timer service: the rows are the truth, one APScheduler only wakes the bot at their time.

Every feature's `Timer` (bot/features.py) names a kind of rows with a due time. At start every
pending row gets a job (`<kind>:<id>`, the kind and id its only arguments); overdue rows get one
at once and are delivered marked late. A job claims its row (`UPDATE … WHERE` pending) in the
transaction that queues what the delivery says, so a row fires exactly once even if a job runs
twice or the bot stops at any moment. Rows created later (by commands, or by a delivery
planning the next one) are picked up after their transaction commits.

The same scheduler runs the features' `Worker`s' retries: one scheduler for the whole bot.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.features import Runtime, Timer, Worker
from bot.replies import queue
from storage.outbox import PurposeKind

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)
# Rows of a kind that came due together are claimed in one transaction (one commit, one disk
# flush), up to this many; their own jobs then find them claimed and do nothing.
BATCH = 50
# Later than this after its time a row says it is late even if it was not found overdue at
# start (the event loop was blocked, the database unreachable for a while).
LATE_AFTER = timedelta(minutes=1)


class TimerService:
    """One job per pending row of every declared timer; firing claims the row and queues what
    its delivery says."""

    def __init__(self, runtime: Runtime, timers: Iterable[Timer], workers: Iterable[Worker] = ()):
        self.runtime = runtime
        self.timers = {timer.kind: timer for timer in timers}
        self.workers = list(workers)
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        # Rows are only ever added with growing ids, and the bot's transactions never
        # interleave (one event loop, no await inside a transaction): rows above this id are
        # the ones not seen yet.
        self._seen_up_to = dict.fromkeys(self.timers, 0)
        # Rows already overdue when picked up (the bot was down at their time).
        self._overdue: set[tuple[str, int]] = set()
        self._synced = False
        self._wakes = {worker.name: asyncio.Event() for worker in self.workers}
        self._tasks: list[asyncio.Task] = []

    def start(self) -> int:
        """Start the scheduler (in the running event loop) with a job per pending row."""
        self._scheduler.start()
        return self.pick_up()

    def caught_up(self) -> int:
        """The first sync has caught up: timers that wait for it, and the workers, start."""
        self._synced = True
        for worker in self.workers:
            self._tasks.append(asyncio.create_task(self._work(worker)))
            self._wakes[worker.name].set()
        return self.pick_up()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        for task in self._tasks:
            task.cancel()

    def sent(self, kind: PurposeKind) -> None:
        """A message of this kind was sent: wake the workers that wait for one."""
        for worker in self.workers:
            if kind in worker.wake_on:
                self._wakes[worker.name].set()

    def pick_up(self) -> int:
        """Give every pending row not seen yet its job; how many were added."""
        with self.runtime.db.transaction() as session:
            found = {
                kind: timer.rows(session).pending(after_id=self._seen_up_to[kind])
                for kind, timer in self.timers.items()
                if self._synced or not timer.after_sync
            }
        now = self.runtime.clock()
        for kind, rows in found.items():
            for row_id, due_at in rows:
                if due_at < now:
                    self._overdue.add((kind, row_id))
                self._schedule(kind, row_id, max(due_at, now))
            if rows:
                self._seen_up_to[kind] = rows[-1][0]
                log.debug("%d %s timer(s) set", len(rows), kind)
        return sum(len(rows) for rows in found.values())

    def _schedule(self, kind: str, row_id: int, run_at: datetime) -> None:
        self._scheduler.add_job(
            self.fire,
            "date",
            run_date=run_at,
            args=(kind, row_id),
            id=f"{kind}:{row_id}",
            replace_existing=True,
            misfire_grace_time=None,  # however late (a blocked loop), run it
        )

    async def fire(self, kind: str, row_id: int) -> bool:
        """Claim the row (and others of its kind due by now) and queue what their deliveries
        say, in one transaction. False if the row was not pending any more (claimed with an
        earlier batch, or cancelled)."""
        timer, runtime = self.timers[kind], self.runtime
        if timer.prepare is not None:
            try:
                await timer.prepare(runtime, row_id)
            except Exception:  # preparing is a best effort: the row is delivered all the same
                log.exception("preparing %s %d failed", kind, row_id)
        now = runtime.clock()
        delivered = []
        try:
            with runtime.db.transaction() as session:
                rows = timer.rows(session)
                batch = [] if timer.prepare else rows.due(now, BATCH)
                for claimed_id in (row_id, *(i for i in batch if i != row_id)):
                    if not rows.claim(claimed_id, now):
                        continue  # claimed already, or cancelled: nothing to do
                    row = rows.get(claimed_id)
                    late = (kind, claimed_id) in self._overdue or now - row.due_at > LATE_AFTER
                    for out in timer.deliver(session, row, now, late, runtime.settings):
                        queue(session, out.room_id, out.message, now)
                    delivered.append(row)
        except Exception:
            ref = secrets.token_hex(2)
            log.exception("%s %d failed (ref %s); trying again later", kind, row_id, ref)
            self._schedule(kind, row_id, now + RETRY_AFTER)
            return False
        for row in delivered:
            self._overdue.discard((kind, row.id))
            lateness = (now - row.due_at).total_seconds()
            log.info("%s %d delivered, %.3f s after its time", kind, row.id, lateness)
        if delivered:
            self.pick_up()  # the next rows of a series, the next round
            runtime.on_outbox()
        return any(row.id == row_id for row in delivered)

    async def _work(self, worker: Worker) -> None:
        """Run a worker whenever woken; a pass that fails or is not done runs again later."""
        wake, first = self._wakes[worker.name], True
        while True:
            await wake.wait()
            wake.clear()
            try:
                done = await worker.run(self.runtime, first)
                first = False
            except Exception:
                log.exception("%s failed; trying again in a minute", worker.name)
                done = False
            if not done and self._scheduler.running:
                self._scheduler.add_job(
                    wake.set,
                    "date",
                    run_date=self.runtime.clock() + RETRY_AFTER,
                    id=f"{worker.name}:retry",
                    replace_existing=True,
                )
