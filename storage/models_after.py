"""Models of what happens after a meeting and of retention: amendments, approvals,
circulations under the silence procedure, lines removed by retention, each room's retention
and the daily round (next to storage/models.py, on its `Base`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class MinutesAmendment(Base):
    """A proposed correction of a meeting's minutes, numbered per meeting; accepted ones are
    the minutes' errata."""

    __tablename__ = "minutes_amendments"
    __table_args__ = (
        UniqueConstraint("meeting_id", "number", name="uq_minutes_amendments_number"),
        Index("ix_minutes_amendments_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # The command message that proposed it: its redaction removes the amendment.
    event_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # proposed | accepted | rejected
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None]


class MinutesApproval(Base):
    """A meeting's minutes approved: by whom (None: by silence procedure), when, and the
    SHA-256 of their JSON export then. Only redactions and retention change them afterwards."""

    __tablename__ = "minutes_approvals"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    approved_by: Mapped[str | None] = mapped_column(String(255))
    approved_at: Mapped[datetime]
    sha256: Mapped[str] = mapped_column(String(64))
    # The zone the approved minutes are shown in, and their action items as approved.
    timezone: Mapped[str] = mapped_column(String(64))
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Redactions honoured since the approval (they change the minutes, not the stored hash).
    redactions: Mapped[int] = mapped_column(Integer, default=0)


class MinutesCirculation(Base):
    """Minutes circulated under the silence procedure: approved at `due_at` unless someone
    objects first. The pending row is the timer's."""

    __tablename__ = "minutes_circulations"
    __table_args__ = (
        Index("ix_minutes_circulations_status_due", "status", "due_at"),
        Index("ix_minutes_circulations_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    room_id: Mapped[str] = mapped_column(String(255))
    circulated_by: Mapped[str] = mapped_column(String(255))
    circulated_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | objected | cancelled
    sent_at: Mapped[datetime | None]  # when the deadline was handled
    objected_by: Mapped[str | None] = mapped_column(String(255))
    objected_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    # The objection's message: its redaction removes the reason.
    reason_event_id: Mapped[str | None] = mapped_column(String(255))


class MinutesRemoval(Base):
    """Log lines of a meeting deleted under the room's retention policy: where they were (the
    meeting's order) and how many, so the full log says so there."""

    __tablename__ = "minutes_removals"
    __table_args__ = (Index("ix_minutes_removals_meeting", "meeting_id", "first_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    lines: Mapped[int] = mapped_column(Integer)
    removed_at: Mapped[datetime]


class RoomRetention(Base):
    """How long the bot keeps a room's log, as the room says it: its chairs' choice
    (`!retention`) and its m.room.retention state (MSC1763 max_lifetime); None = not said.
    A room's settings, kept apart from `rooms` so older rows read as they were."""

    __tablename__ = "room_retention"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    retention_seconds: Mapped[int | None] = mapped_column(Integer)
    state_max_lifetime_ms: Mapped[int | None] = mapped_column(BigInteger)


class RetentionRound(Base):
    """The daily round that deletes log entries older than each room's retention."""

    __tablename__ = "retention_rounds"
    __table_args__ = (Index("ix_retention_rounds_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | cancelled
    sent_at: Mapped[datetime | None]
