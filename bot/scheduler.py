"""Timers for reminders: the rows are the truth, APScheduler only wakes the bot at their time.

At start every pending row gets a job (`reminder:<id>`, the id as its only argument); overdue
rows get one at once and are delivered marked late. A job claims its row in the transaction
that writes the notice into the outbox, so a reminder is sent exactly once even if a job runs
twice or the bot stops at any moment. Rows created later (by commands, or by a delivered
reminder planning a series' next one) are picked up after their transaction commits.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.orm import Session

from storage.db import Database
from storage.meetings import ReminderRepository
from storage.models import Reminder

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)
# Reminders that came due together are claimed in one transaction (one commit, one disk
# flush), up to this many; their own timers then find them sent and do nothing.
BATCH = 50

# (session, the claimed row, now, whether it is late); writes the notice into the outbox.
Deliver = Callable[[Session, Reminder, datetime, bool], None]
# Later than this after its time a reminder says it is late even if it was not found overdue
# at start (the event loop was blocked, the database unreachable for a while).
LATE_AFTER = timedelta(minutes=1)


class ReminderScheduler:
    """One timer per pending reminder row; firing claims the row and hands it to `deliver`."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        deliver: Deliver,
        on_outbox: Callable[[], None] = lambda: None,
        *,
        repository: Callable[[Session], Any] = ReminderRepository,
        name: str = "reminder",
    ):
        self.db = db
        self.clock = clock
        self.deliver = deliver
        self.on_outbox = on_outbox
        # Other rows scheduled the same way (action-item rounds) bring their own repository
        # (pending, due, claim, get) and job-id prefix.
        self.repository = repository
        self.name = name
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        # Rows are only ever added with growing ids, and the bot's transactions never
        # interleave (one event loop, no await inside a transaction): rows above this
        # id are the ones not seen yet.
        self._seen_up_to = 0
        # Rows already overdue when picked up (the bot was down at their time).
        self._overdue: set[int] = set()

    def start(self) -> int:
        """Start the timers (in the running event loop) with a job per pending row."""
        self._scheduler.start()
        return self.pick_up()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def pick_up(self) -> int:
        """Give every pending row not seen yet its timer; how many were added."""
        with self.db.transaction() as session:
            rows = self.repository(session).pending(after_id=self._seen_up_to)
        now = self.clock()
        for reminder_id, due_at in rows:
            if due_at < now:
                self._overdue.add(reminder_id)
            self._schedule(reminder_id, max(due_at, now))
        if rows:
            self._seen_up_to = rows[-1][0]
            log.debug("%d %s timer(s) set", len(rows), self.name)
        return len(rows)

    def _schedule(self, reminder_id: int, run_at: datetime) -> None:
        self._scheduler.add_job(
            self.fire,
            "date",
            run_date=run_at,
            args=(reminder_id,),
            id=f"{self.name}:{reminder_id}",
            replace_existing=True,
            misfire_grace_time=None,  # however late (a blocked loop), run it
        )

    async def fire(self, reminder_id: int) -> bool:
        """Claim the row (and others due by now) and deliver them, in one transaction.

        False if the row was not pending any more (sent with an earlier batch, or cancelled)."""
        now = self.clock()
        delivered: list[Reminder] = []
        try:
            with self.db.transaction() as session:
                reminders = self.repository(session)
                others = [i for i in reminders.due(now, BATCH) if i != reminder_id]
                for claimed_id in (reminder_id, *others):
                    if not reminders.claim(claimed_id, now):
                        continue  # sent already, or cancelled: nothing to do
                    reminder = reminders.get(claimed_id)
                    assert reminder is not None
                    late = claimed_id in self._overdue or now - reminder.due_at > LATE_AFTER
                    self.deliver(session, reminder, now, late)
                    delivered.append(reminder)
        except Exception:
            ref = secrets.token_hex(2)
            log.exception("%s %d failed (ref %s); trying again later", self.name, reminder_id, ref)
            self._schedule(reminder_id, now + RETRY_AFTER)
            return False
        for reminder in delivered:
            self._overdue.discard(reminder.id)
            lateness = (now - reminder.due_at).total_seconds()
            log.info("%s %d delivered, %.3f s after its time", self.name, reminder.id, lateness)
        if delivered:
            self.pick_up()  # the next reminders of a series
            self.on_outbox()
        return any(r.id == reminder_id for r in delivered)
