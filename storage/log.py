"""Repository of the structured log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import LogEntry


class LogRepository:
    def __init__(self, session: Session):
        self.session = session

    def append(
        self,
        *,
        room_id: str,
        sender: str,
        ts: datetime,
        kind: str,
        payload: dict[str, Any],
        event_id: str | None = None,
    ) -> LogEntry:
        if event_id is not None:
            existing = self.by_event(event_id)
            if existing is not None:
                # One row per event: a message logged during a meeting may also carry commands.
                existing.payload = {**existing.payload, **payload}
                return existing
        entry = LogEntry(
            event_id=event_id, room_id=room_id, sender=sender, ts=ts, kind=kind, payload=payload
        )
        self.session.add(entry)
        return entry

    def by_event(self, event_id: str) -> LogEntry | None:
        return self.session.scalar(select(LogEntry).where(LogEntry.event_id == event_id))

    def in_room(self, room_id: str, since: datetime | None = None) -> list[LogEntry]:
        query = select(LogEntry).where(LogEntry.room_id == room_id)
        if since is not None:
            query = query.where(LogEntry.ts >= since)
        return list(self.session.scalars(query.order_by(LogEntry.ts, LogEntry.id)))
