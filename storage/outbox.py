"""Repository of messages decided but not yet sent."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage


class OutboxRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self,
        room_id: str,
        event_type: str,
        content: dict[str, Any],
        now: datetime,
        *,
        purpose: str | None = None,
        attachment: dict[str, Any] | None = None,
    ) -> None:
        """Queue an event; `purpose` names what it stands for, `attachment` a file to upload."""
        message = OutboxMessage(
            txn_id=f"wgbot.{uuid.uuid4().hex}",
            room_id=room_id,
            event_type=event_type,
            content=content,
            created_at=now,
        )
        # Only set when given: a plain notice leaves them NULL (SQL NULL, not JSON null).
        if purpose is not None:
            message.purpose = purpose
        if attachment is not None:
            message.attachment = attachment
        self.session.add(message)

    def heads(self) -> dict[str, int]:
        """Each room with messages waiting, and the id of its oldest one."""
        oldest = func.min(OutboxMessage.id)
        rows = self.session.execute(
            select(OutboxMessage.room_id, oldest).group_by(OutboxMessage.room_id)
        )
        return {room_id: message_id for room_id, message_id in rows}

    def get(self, message_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, message_id)

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        return list(
            self.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).limit(limit))
        )

    def remove(self, message_id: int) -> None:
        self.session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))
