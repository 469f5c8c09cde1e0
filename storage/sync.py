"""Repository of sync progress: the resume token and the events already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import HandledEvent, SyncState

TOKEN_KEY = "next_batch"


class SyncRepository:
    def __init__(self, session: Session):
        self.session = session

    def token(self) -> str | None:
        row = self.session.get(SyncState, TOKEN_KEY)
        return row.value if row else None

    def save_token(self, token: str) -> None:
        self.session.merge(SyncState(key=TOKEN_KEY, value=token))

    def is_handled(self, event_id: str) -> bool:
        return self.session.get(HandledEvent, event_id) is not None

    def mark_handled(self, event_id: str, room_id: str, now: datetime) -> None:
        """Record an event as handled; the primary key refuses a second commit of the same event."""
        self.session.add(HandledEvent(event_id=event_id, room_id=room_id, handled_at=now))
