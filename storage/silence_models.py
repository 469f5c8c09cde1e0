"""Models of written (silence) procedures between meetings: `!silence "<proposal>"` opens one
(S1, S2… per room), members object until its deadline, and at the deadline it is adopted
(entered in the decision register) or broken."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class SilenceStatus(StrEnum):
    PENDING = "pending"  # open for objections until its deadline
    CLOSING = "closing"  # claimed by its deadline's timer (adopted or broken in the same commit)
    ADOPTED = "adopted"  # no objection by the deadline: in the decision register
    BROKEN = "broken"  # at least one objection stood at the deadline
    WITHDRAWN = "withdrawn"  # by a chair, or its `!silence` message redacted before the deadline


class SilenceProcedure(Base):
    """A text circulated under the silence procedure; a pending one is the timer's row."""

    __tablename__ = "silence_procedures"
    __table_args__ = (
        UniqueConstraint("room_id", "number", name="uq_silence_procedures_room_number"),
        Index("ix_silence_procedures_status_due", "status", "due_at"),
        Index("ix_silence_procedures_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    number: Mapped[int] = mapped_column(Integer)  # S1, S2… per room, never given twice
    # None once withdrawn by redaction: the bot keeps no text its author took back.
    text: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(255))
    opened_at: Mapped[datetime]
    event_id: Mapped[str | None] = mapped_column(String(255))  # the `!silence` message
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime | None]  # when it closed (deadline handled, or withdrawn)
    late: Mapped[bool | None]  # closed by a deadline found passed while the bot was down
    withdrawn_by: Mapped[str | None] = mapped_column(String(255))
    decision_number: Mapped[int | None] = mapped_column(Integer)  # adopted: its D-number


class SilenceObjection(Base):
    """A member's objection to a pending procedure: one per member, removed if redacted."""

    __tablename__ = "silence_objections"
    __table_args__ = (
        UniqueConstraint("procedure_id", "author", name="uq_silence_objections_author"),
        Index("ix_silence_objections_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("silence_procedures.id", ondelete="CASCADE")
    )
    author: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    event_id: Mapped[str | None] = mapped_column(String(255))
