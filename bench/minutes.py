"""Minutes of a 5,000-message meeting, and `!actions` over 100,000 stored action items.

Usage: python bench/minutes.py [--url DATABASE_URL] [--runs N]
       (from the repository root, in the dev virtualenv; SQLite in a temporary directory unless
       --url is given; a PostgreSQL URL's public schema is dropped and recreated)

1. A recorded meeting with 5,000 messages (and 60 items under 6 topics) is loaded from the
   database and rendered in each format (target < 1 s), and `!minutes 1 md` is timed through
   the dispatcher: handler, queries, rendering and the outbox row with the file, committed.
2. 100,000 action items (in 10 rooms, 20,000 of them and their 60,000 assignees in the room
   measured, one in five done) are stored; each `!actions` listing is timed through the
   dispatcher — handler and queries in their transaction, commit included (target < 50 ms).
No Matrix is involved: what is measured is the bot's own time for the command.
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

import commands  # noqa: E402
from bot.dispatch import Defaults, Dispatcher, RoomEvent  # noqa: E402
from bot.features import Registry  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.minutes.rows import load_minutes  # noqa: E402
from bot.minutes.writers import render  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.minutes import MinutesRepository  # noqa: E402
from storage.models import (  # noqa: E402
    ActionAssignee,
    ActionItem,
    LogEntry,
    MinutesItem,
    MinutesLine,
)
from storage.outbox import OutboxRepository  # noqa: E402

ROOM = "!bench:example.org"
MESSAGES, ITEMS, TOPICS = 5_000, 60, 6
ACTIONS, ACTION_ROOMS = 100_000, 5
PEOPLE = [f"@member{i}:example.org" for i in range(40)]
START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
NOW = START + timedelta(days=30)


def fill_meeting(db: Database) -> None:
    """A meeting of 5,000 messages over 3 hours, with topics and items among them."""
    with db.transaction() as session:
        meeting = MinutesRepository(session).start(
            room_id=ROOM, title="Plenary", started_by=PEOPLE[0], now=START, event_id="$start"
        )
        meeting.chairs = PEOPLE[:2]
        entries, lines, items = [], [], []
        seq = 0
        every = MESSAGES // ITEMS
        for i in range(MESSAGES):
            seq += 1
            entries.append(
                {
                    "id": i + 1,
                    "event_id": f"$m{i}",
                    "room_id": ROOM,
                    "sender": PEOPLE[i % 12],
                    "ts": START + timedelta(seconds=2 * i),
                    "kind": "gap" if i % 500 == 7 else "message",
                    "payload": {
                        "msgtype": "m.text",
                        "body": f"Message {i}: <b>a point</b> about *the budget* & the note.",
                    },
                }
            )
            lines.append({"log_entry_id": i + 1, "meeting_id": meeting.id, "seq": seq})
            if i % every == 0:
                seq += 1
                kind = "topic" if (i // every) % (ITEMS // TOPICS) == 0 else "info"
                items.append(
                    {
                        "meeting_id": meeting.id,
                        "seq": seq,
                        "kind": kind,
                        "text": f"{kind} {i}",
                        "author": PEOPLE[0],
                        "created_at": START + timedelta(seconds=2 * i),
                        "event_id": f"$m{i}",
                    }
                )
        session.execute(insert(LogEntry), entries)
        session.execute(insert(MinutesLine), lines)
        session.execute(insert(MinutesItem), items)
        meeting.seq = seq
        meeting.status, meeting.ended_at, meeting.ended_by = (
            "ended",
            START + timedelta(hours=3),
            PEOPLE[0],
        )


def fill_actions(db: Database) -> None:
    """100,000 action items over 5 rooms (the measured one has 20,000), 1-3 assignees each."""
    per_room = ACTIONS // ACTION_ROOMS
    rooms = [ROOM, *(f"!other{i}:example.org" for i in range(ACTION_ROOMS - 1))]
    with db.transaction() as session:
        items, assignees = [], []
        for i in range(ACTIONS):
            room = rooms[i // per_room]
            done = i % 5 == 0
            items.append(
                {
                    "id": i + 1,
                    "room_id": room,
                    "short_id": i % per_room + 1,
                    "text": f"Action {i}: draft, share and follow up",
                    "creator": PEOPLE[i % 7],
                    "created_at": START,
                    "event_id": None,
                    "meeting_id": None,
                    "due_at": START + timedelta(days=i % 90) if i % 4 else None,
                    "due_has_time": False,
                    "status": "done" if done else "open",
                    "closed_at": START + timedelta(days=i % 30) if done else None,
                    "closed_by": PEOPLE[1] if done else None,
                }
            )
            for position in range(1 + i % 3):
                assignees.append(
                    {
                        "action_id": i + 1,
                        "position": position,
                        "assignee": PEOPLE[(i + position) % len(PEOPLE)],
                        "room_id": room,
                        "status": "done" if done else "open",
                        "due_at": items[-1]["due_at"],
                    }
                )
            if len(items) == 10_000:
                session.execute(insert(ActionItem), items)
                session.execute(insert(ActionAssignee), assignees)
                items, assignees = [], []
        if items:
            session.execute(insert(ActionItem), items)
            session.execute(insert(ActionAssignee), assignees)


class Clock:
    def __call__(self) -> datetime:
        return NOW


async def time_command(dispatcher: Dispatcher, db: Database, body: str, runs: int) -> list[float]:
    """Milliseconds the dispatcher takes for a command, `runs` times (each a new event)."""
    figures = []
    for run in range(runs):
        event = RoomEvent(
            room_id=ROOM,
            event_id=f"$bench-{body}-{run}-{time.perf_counter_ns()}",
            sender=PEOPLE[3],
            type="m.room.message",
            content={"msgtype": "m.text", "body": body},
            ts=NOW,
            room_encrypted=True,
            event_encrypted=True,
            sender_level=0,
        )
        started = time.perf_counter()
        await dispatcher.handle(event)
        figures.append((time.perf_counter() - started) * 1000)
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        for message in outbox.pending(limit=10_000):
            outbox.remove(message.id)
    return figures


def show(name: str, figures: list[float], target: float) -> None:
    median = statistics.median(figures)
    p95 = sorted(figures)[max(0, int(len(figures) * 0.95) - 1)]
    verdict = "ok" if p95 < target else "OVER TARGET"
    print(
        f"  {name:<28} median {median:8.1f} ms   p95 {p95:8.1f} ms   ({verdict}, < {target:g} ms)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        db = Database(url)
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        db.upgrade()
        started = time.perf_counter()
        fill_meeting(db)
        fill_actions(db)
        if (
            db.engine.dialect.name == "postgresql"
        ):  # rows were given their ids: move the sequences on
            with db.engine.begin() as connection:
                # A database in use has its statistics; one just bulk-filled needs ANALYZE.
                connection.execute(text("ANALYZE"))
                for table in ("log_entries", "action_items"):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" (SELECT max(id) FROM {table}))"
                        )
                    )
        print(f"filled in {time.perf_counter() - started:.1f} s ({db.engine.dialect.name})")
        dispatcher = Dispatcher(
            Registry(commands.MODULES),
            db,
            Defaults("!", "en", "Europe/Luxembourg", 50, False),
            clock=Clock(),
        )

        print(f"Minutes of a {MESSAGES:,}-message meeting (target < 1 s):")
        for form in ("md", "html", "txt", "json"):
            figures = []
            for _run in range(max(3, args.runs // 4)):
                t0 = time.perf_counter()
                with db.transaction() as session:
                    meeting = MinutesRepository(session).by_short_id(ROOM, 1)
                    minutes = load_minutes(
                        session, meeting, language="en", timezone="Europe/Luxembourg", now=NOW
                    )
                size = len(render(minutes, form, translator("en"), NOW))
                figures.append((time.perf_counter() - t0) * 1000)
            show(f"load + render {form} ({size // 1024} KiB)", figures, 1000)
        show(
            "!minutes 1 md (dispatcher)",
            await time_command(dispatcher, db, "!minutes 1 md", 5),
            1000,
        )

        print(f"!actions over {ACTIONS:,} stored items (target < 50 ms):")
        for body in (
            "!actions",
            "!actions mine",
            "!actions overdue",
            "!actions done",
            "!actions all",
            f"!actions {PEOPLE[5]}",
        ):
            show(body, await time_command(dispatcher, db, body, args.runs), 50)
        db.close()


if __name__ == "__main__":
    asyncio.run(main())
