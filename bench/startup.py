"""Reminder start-up and firing under load: 1,000 meetings and 10,000 pending reminders.

Usage: python bench/startup.py [--url DATABASE_URL] [--due N]
       (from the repository root, in the dev virtualenv; SQLite in a temporary directory unless
       --url is given; a PostgreSQL URL's public schema is dropped and recreated)

Fills a migrated database, then, in a fresh process state, times what the bot does at start:
open the database and give every pending row its timer (the "ready" figure; target < 3 s).
N of the reminders (default 300) are due a few seconds after start, in bursts; each one is
claimed and its notice written into the outbox in one transaction, and the delay between its
time and the end of that transaction is measured (target < 1 s). No Matrix is involved: the
timers and the claim transaction are what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402

from bot.dispatch import Defaults  # noqa: E402
from bot.features import Runtime  # noqa: E402
from bot.scheduler import TimerService  # noqa: E402
from commands.meeting_reminders import REMINDERS as REMINDER_TIMER  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import AgendaItem, Meeting, Reminder, Rsvp  # noqa: E402
from storage.outbox import OutboxRepository  # noqa: E402

MEETINGS, REMINDERS, ROOMS = 1_000, 10_000, 50
FIRST_DUE_S = 4.0  # the due reminders start this long after the scheduler is ready


def fill(db: Database, due: int, start: datetime) -> None:
    """1,000 meetings in 50 rooms, 10 pending reminders each; `due` of them due right after start."""
    created = datetime.now(UTC)
    with db.transaction() as session:
        session.execute(
            insert(Meeting),
            [
                {
                    "id": i + 1,
                    "room_id": f"!room{i % ROOMS}:example.org",
                    "short_id": i // ROOMS + 1,
                    "title": f"Meeting {i}",
                    "start_at": start + timedelta(days=1 + i % 60, hours=i % 8),
                    "end_at": start + timedelta(days=1 + i % 60, hours=i % 8 + 1),
                    "timezone": "Europe/Luxembourg",
                    "rrule": "FREQ=WEEKLY" if i % 3 == 0 else None,
                    "place": None,
                    "creator": "@alice:example.org",
                    "status": "scheduled",
                    "created_at": created,
                }
                for i in range(MEETINGS)
            ],
        )
        session.execute(
            insert(AgendaItem),
            [
                {
                    "meeting_id": i + 1,
                    "position": p + 1,
                    "text": f"Item {p}",
                    "added_by": "@alice:example.org",
                    "added_at": created,
                }
                for i in range(MEETINGS)
                for p in range(3)
            ],
        )
        session.execute(
            insert(Rsvp),
            [
                {
                    "meeting_id": i + 1,
                    "user_id": f"@member{u}:example.org",
                    "answer": "yes",
                    "updated_at": created,
                }
                for i in range(MEETINGS)
                for u in range(5)
            ],
        )
        rows = []
        for n in range(REMINDERS):
            meeting = n % MEETINGS
            occurrence = start + timedelta(days=1 + meeting % 60, hours=meeting % 8)
            if n < due:
                # Bursts of ten reminders sharing a second, 100 ms apart from burst to burst.
                due_at = start + timedelta(seconds=FIRST_DUE_S + (n // 10) * 0.1)
            else:
                due_at = occurrence - timedelta(minutes=15 + n // MEETINGS)
            rows.append(
                {
                    "meeting_id": meeting + 1,
                    "occurrence_at": occurrence,
                    "due_at": due_at,
                    "offset_minutes": 15 + n // MEETINGS,
                    "status": "pending",
                }
            )
        session.execute(insert(Reminder), rows)


async def measure(url: str, due: int, start: datetime) -> None:
    lateness: list[float] = []
    done = asyncio.Event()
    settings = Defaults("!", "en", "Europe/Luxembourg", 50, False)

    def timed(session, reminder, now, late, settings):
        said = REMINDER_TIMER.deliver(session, reminder, now, late, settings)
        lateness.append((datetime.now(UTC) - reminder.due_at).total_seconds())
        if len(lateness) == due:
            done.set()
        return said

    began = time.perf_counter()
    db = Database(url)
    db.upgrade()  # a no-op on an up-to-date database, as at every start
    runtime = Runtime(db, lambda: datetime.now(UTC), settings)
    scheduler = TimerService(runtime, [replace(REMINDER_TIMER, deliver=timed)])
    count = scheduler.start()
    ready = time.perf_counter() - began
    print(f"scheduler ready with {count} timers in {ready:.3f} s (target < 3 s)")
    try:
        await asyncio.wait_for(done.wait(), FIRST_DUE_S + due + 60)
    finally:
        scheduler.shutdown()
    with db.transaction() as session:
        queued = len(OutboxRepository(session).pending(limit=REMINDERS))
    db.close()
    lateness.sort()
    p95 = lateness[int(len(lateness) * 0.95) - 1]
    print(
        f"{len(lateness)} reminders fired, {queued} notices in the outbox; delay after their time:"
        f" median {statistics.median(lateness) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms,"
        f" max {lateness[-1] * 1000:.1f} ms (target < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--due", type=int, default=300, help="reminders due right after start")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/wgbot.db"
        db = Database(url)
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        db.upgrade()
        filling = time.perf_counter()
        # Due times are counted from about when the scheduler will be ready.
        start = datetime.now(UTC) + timedelta(seconds=2)
        fill(db, args.due, start)
        db.close()
        print(
            f"{MEETINGS} meetings, {REMINDERS} pending reminders written in"
            f" {time.perf_counter() - filling:.1f} s ({db.engine.dialect.name})"
        )
        asyncio.run(measure(url, args.due, start))


if __name__ == "__main__":
    main()
