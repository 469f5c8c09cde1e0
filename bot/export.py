"""`wgbot export`: a room's structured log as JSON Lines or CSV, for the operator; and the CSV
rule every export follows (`safe_cell`, `write_csv`), the chat's exports of polls included.

One row per event the bot logged: commands, reactions, and every message said while a meeting
was recorded (with the meeting's number and the topic current at that point), in time order.
Redacted messages are gone from the log, so they are never exported. Edits show the latest
text; earlier versions are not exported. CSV cells of free text that a spreadsheet would take
for a formula (starting with = + - @ or a tab) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.log import LogRepository
from storage.minutes import MinutesRepository

FORMATS = ("jsonl", "csv")
COLUMNS = ("ts", "event_id", "room_id", "sender", "kind", "meeting", "topic", "body", "payload")
# Kept in the database for redactions of edits, not part of the record handed out.
_INTERNAL = ("versions", "original_body")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def parse_since(value: str, zone: str) -> datetime:
    """An ISO date (midnight in the bot's zone) or date and time (naive = in the bot's zone)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def log_rows(session: Session, room_id: str, since: datetime | None = None) -> Iterator[dict]:
    """The room's log entries as export rows, oldest first."""
    entries = LogRepository(session).in_room(room_id, since)
    minutes = MinutesRepository(session)
    linked = minutes.line_meetings(e.id for e in entries)
    topics: dict[int, list[tuple[int, str]]] = {}
    numbers: dict[int, int] = {}
    for meeting_id in {m for m, _seq in linked.values()}:
        meeting = minutes.get(meeting_id)
        numbers[meeting_id] = meeting.short_id if meeting else 0
        topics[meeting_id] = [
            (item.seq, item.text) for item in minutes.items(meeting_id) if item.kind == "topic"
        ]
    for entry in entries:
        payload = {k: v for k, v in (entry.payload or {}).items() if k not in _INTERNAL}
        if (entry.payload or {}).get("versions"):
            payload["edited"] = True
        meeting, topic = None, None
        if entry.id in linked:
            meeting_id, seq = linked[entry.id]
            meeting = numbers[meeting_id]
            before = [text for item_seq, text in topics[meeting_id] if item_seq < seq]
            topic = before[-1] if before else None
        body = payload.get("body")
        yield {
            "ts": entry.ts.isoformat(timespec="seconds"),
            "event_id": entry.event_id,
            "room_id": entry.room_id,
            "sender": entry.sender,
            "kind": entry.kind,
            "meeting": meeting,
            "topic": topic,
            "body": body if isinstance(body, str) else None,
            "payload": payload,
        }


def safe_cell(value: Any) -> str:
    """A CSV cell of free text as a spreadsheet shows it: text, never a formula (an apostrophe
    before = + - @, a tab or a carriage return); None is empty, a dict or list is its JSON."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def write_csv(
    columns: Sequence[str], rows: Iterable[dict], out: TextIO, *, free: Collection[str]
) -> int:
    """Write rows (dicts by column) as CSV with a header; the `free` columns (what people
    typed) made safe for spreadsheets, the others (identifiers, times, numbers) as they are.
    How many rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            cells.append(
                safe_cell(value) if column in free else ("" if value is None else str(value))
            )
        writer.writerow(cells)
        count += 1
    return count


def write(rows: Iterator[dict], form: str, out: TextIO) -> int:
    """Write rows as JSON Lines or CSV; how many."""
    count = 0
    if form == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    # Identifiers and times come from the homeserver; only free text is neutralised.
    return write_csv(COLUMNS, rows, out, free=("topic", "body", "payload"))
