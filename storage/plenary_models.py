"""Models of the plenary: organisations, quorum, roll calls, attendance and apologies.

The same `Base` as storage/models.py (its tables are in the one metadata once this module is
imported: the repositories of storage/organisations.py and storage/attendance.py import it); a
module of its own so that storage/models.py stays under 500 lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Organisation(Base):
    """The organisation a member speaks for in a room (`!org`), kept across meetings."""

    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_room_key", "room_id", "key"),)

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text)  # as first written in the room ("Amnesty")
    key: Mapped[str] = mapped_column(Text)  # how names are compared: "amnesty"
    set_by: Mapped[str] = mapped_column(String(255))
    since: Mapped[datetime]


class QuorumRule(Base):
    """A room's quorum (`!quorum`); rooms without a row have none."""

    __tablename__ = "quorum_rules"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # organisations | members | percent
    value: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[datetime]


class RollCall(Base):
    """A recorded meeting's roll call: the message reactions count on, and at the end what
    the attendance is measured by (the quorum then, the organisations' order)."""

    __tablename__ = "roll_calls"
    __table_args__ = (Index("ix_roll_calls_event", "room_id", "event_id"),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None]
    quorum_kind: Mapped[str | None] = mapped_column(String(16))
    quorum_value: Mapped[int | None] = mapped_column(Integer)
    known_organisations: Mapped[int | None] = mapped_column(Integer)
    # The room's organisations in order when the meeting ended: old minutes keep their order.
    organisations: Mapped[list[str] | None] = mapped_column(JSON)


class Attendee(Base):
    """A member of a meeting as its minutes name them: display name and organisation then."""

    __tablename__ = "attendees"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text)
    # True when `!here for "<organisation>"` said it for this meeting (kept at the end).
    organisation_said: Mapped[bool] = mapped_column(Boolean, default=False)


class AttendanceMark(Base):
    """An event that counted a member present: ✅ on the roll call, or `!here`. Its redaction
    removes it."""

    __tablename__ = "attendance_marks"
    __table_args__ = (Index("ix_attendance_marks_meeting", "meeting_id", "user_id"),)

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(255))
    way: Mapped[str] = mapped_column(String(16))  # reaction | here
    at: Mapped[datetime]


class Apology(Base):
    """An excused absence (`!apologies`): a member, or a whole organisation."""

    __tablename__ = "apologies"
    __table_args__ = (
        Index("ix_apologies_meeting", "meeting_id", "id"),
        Index("ix_apologies_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
