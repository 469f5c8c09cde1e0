"""Repository of events the bot could not decrypt yet."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import UndecryptableEvent


class UndecryptableRepository:
    def __init__(self, session: Session):
        self.session = session

    def keep(
        self,
        *,
        event_id: str,
        room_id: str,
        sender: str,
        session_id: str,
        source: dict[str, Any],
        now: datetime,
    ) -> None:
        """Remember an undecryptable event (once) to retry when its key arrives."""
        if self.session.get(UndecryptableEvent, event_id) is None:
            self.session.add(
                UndecryptableEvent(
                    event_id=event_id,
                    room_id=room_id,
                    sender=sender,
                    session_id=session_id,
                    source=source,
                    received_at=now,
                )
            )

    def for_sessions(self, session_ids: Iterable[str]) -> list[UndecryptableEvent]:
        ids = list(session_ids)
        if not ids:
            return []
        query = select(UndecryptableEvent).where(UndecryptableEvent.session_id.in_(ids))
        return list(self.session.scalars(query.order_by(UndecryptableEvent.received_at)))

    def remove(self, event_id: str) -> None:
        self.session.execute(
            delete(UndecryptableEvent).where(UndecryptableEvent.event_id == event_id)
        )

    def due_for_notice(self, received_before: datetime) -> list[UndecryptableEvent]:
        query = select(UndecryptableEvent).where(
            UndecryptableEvent.notified_at.is_(None),
            UndecryptableEvent.received_at <= received_before,
        )
        return list(self.session.scalars(query.order_by(UndecryptableEvent.received_at)))

    def oldest_unnotified(self) -> datetime | None:
        query = select(func.min(UndecryptableEvent.received_at)).where(
            UndecryptableEvent.notified_at.is_(None)
        )
        return self.session.scalar(query)
