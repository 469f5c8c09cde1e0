"""Find-a-time's tables (models as in storage/models.py, kept apart so that file stays readable):
a find-a-time, its slots each asked by a poll of `polls`, and its reminder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from storage.models import Base


class FindTime(Base):
    """Candidate slots for a meeting, each asked by a single-choice poll (FindTimeSlot) in the
    thread of a header; `closes_at` with status `open` is the scheduled row for its closing."""

    __tablename__ = "findtimes"
    __table_args__ = (
        UniqueConstraint("room_id", "short_id", name="uq_findtimes_room_short_id"),
        Index("ix_findtimes_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    short_id: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… per room, apart from polls'
    title: Mapped[str] = mapped_column(Text)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)  # `for <duration>`, if said
    # The room's zone and language when made: how its slots were read, how its polls speak.
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    creator: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    closes_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    header_event_id: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(255))
    # The meeting booked from it (`!findtime book`) and the slot it was booked at.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    booked_slot: Mapped[int | None] = mapped_column(Integer)
    due_at = synonym("closes_at")  # as the timer service reads it


class FindTimeSlot(Base):
    """A slot of a find-a-time and the poll that asks it (kind findtime-slot; it has no poll
    number: its short_id is negative, see storage/findtimes.py)."""

    __tablename__ = "findtime_slots"
    __table_args__ = (UniqueConstraint("findtime_id", "slot", name="uq_findtime_slots_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    findtime_id: Mapped[int] = mapped_column(ForeignKey("findtimes.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… in the order given
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), unique=True)


class FindTimeReminder(Base):
    """`--remind`: the one mention, `due_at`, of who has not answered every slot."""

    __tablename__ = "findtime_reminders"
    __table_args__ = (Index("ix_findtime_reminders_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    findtime_id: Mapped[int] = mapped_column(
        ForeignKey("findtimes.id", ondelete="CASCADE"), unique=True
    )
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | sent
    sent_at: Mapped[datetime | None]
