"""Models of confidentiality (next to storage/models.py, on its `Base`): Chatham House
meetings and their attendance as counts per organisation, items erased at their author's
request, and the pending `!forget me` requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

# Who said or did something, in a row that names nobody (a Chatham House meeting's, or once
# erased at their request): the columns stay NOT NULL (see migration 0014).
NOBODY = ""


class ChathamMeeting(Base):
    """A recorded meeting held under the Chatham House rule: nothing in it is attributed.
    (A table of its own, so that code at older revisions reads the meetings as it did.)"""

    __tablename__ = "chatham_meetings"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="CASCADE"), primary_key=True
    )


class ErasedItem(Base):
    """An item of the minutes erased at its author's request (`!forget me`): its row keeps
    its place, kind and time, without text, link or author."""

    __tablename__ = "erased_items"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_items.id", ondelete="CASCADE"), primary_key=True
    )
    erased_at: Mapped[datetime]


class AttendanceCount(Base):
    """How many members attended a Chatham House meeting for an organisation (None: members
    without one), in the order the minutes list them. Written when the meeting ends, in place
    of the rows that named them."""

    __tablename__ = "attendance_counts"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str | None] = mapped_column(Text)
    members: Mapped[int] = mapped_column(Integer)


class ForgetRequest(Base):
    """`!forget me` asked in a room, waiting for `!forget me confirm` (10 minutes); deleted by
    the confirmation, or replaced by a later request."""

    __tablename__ = "forget_requests"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    asked_at: Mapped[datetime]
