"""Repository of messages decided but not yet sent, and what each stands for."""

from __future__ import annotations

import enum
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage

log = logging.getLogger(__name__)


class PurposeKind(enum.StrEnum):
    """What kind of thing a sent event stands for; its feature records the event id."""

    MEETING = "meeting"  # a meeting's announcement (reactions on it are answers)
    POLL_START = "poll"  # a poll's start event (responses refer to it)
    POLL_END = "poll-end"  # a poll's end event (its time settles the count)
    FINDTIME = "findtime"  # a find-a-time's header (its slot polls go into its thread)
    ROLL_CALL = "roll-call"  # a recorded meeting's roll call (✅ on it counts a member present)


@dataclass(frozen=True)
class Purpose:
    """What a queued event stands for: its kind and the id of the row it belongs to."""

    kind: PurposeKind
    id: int

    def stored(self) -> str:
        """The form kept in the outbox row ("poll-end:42"), read back by `parse`."""
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, stored: str | None) -> Purpose | None:
        """The purpose kept in an outbox row (also rows queued by older versions); None for
        none, or for one this version does not know."""
        if not stored:
            return None
        kind, _sep, value = stored.partition(":")
        try:
            return cls(PurposeKind(kind), int(value))
        except ValueError:
            log.warning("an outbox row stands for an unknown purpose %r", stored[:40])
            return None


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
        purpose: Purpose | None = None,
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
            message.purpose = purpose.stored()
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


def purpose_of(message: OutboxMessage) -> Purpose | None:
    """What a queued message stands for, if anything."""
    return Purpose.parse(message.purpose)
