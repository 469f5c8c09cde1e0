"""Repository of find-a-times, their slots and slot polls, their reminder; the rows their timers
read.

A slot's poll is a row of `polls` (kind findtime-slot), so responses reach it, are kept and are
counted as every poll's are. It has no number of its own among the room's polls: its short_id is
negative and unique, −(find-a-time's id × 100 + slot), never shown nor typed, and the polls'
numbering (the highest positive short_id) is not disturbed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from storage.findtime_models import FindTime, FindTimeReminder, FindTimeSlot
from storage.models import Poll
from storage.numbering import next_number
from storage.status import PollKind, PollStatus, TimerStatus
from storage.timed import TimedRows

SLOT_ID_BASE = 100  # more than the most slots a find-a-time may have


class FindTimeRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self,
        *,
        room_id: str,
        title: str,
        duration_minutes: int | None,
        timezone: str,
        language: str,
        creator: str,
        closes_at: datetime | None,
        now: datetime,
    ) -> FindTime:
        """Store an open find-a-time with the room's next short id; flushed, so its id is known."""
        number = next_number(self.session, FindTime.short_id, FindTime.room_id == room_id)
        findtime = FindTime(
            room_id=room_id,
            short_id=number,
            title=title,
            duration_minutes=duration_minutes,
            timezone=timezone,
            language=language,
            creator=creator,
            created_at=now,
            closes_at=closes_at,
            status=PollStatus.OPEN,
        )
        self.session.add(findtime)
        self.session.flush()
        return findtime

    def add_slot(
        self,
        findtime: FindTime,
        slot: int,
        start_at: datetime,
        end_at: datetime,
        *,
        question: str,
        answers: list[dict[str, Any]],
        now: datetime,
    ) -> FindTimeSlot:
        """Store one slot (1, 2, 3…) and its single-choice poll, whose start is sent later."""
        poll = Poll(
            room_id=findtime.room_id,
            short_id=-(findtime.id * SLOT_ID_BASE + slot),
            kind=PollKind.FINDTIME_SLOT,
            question=question,
            answers=answers,
            max_selections=1,
            secret=False,
            timezone=findtime.timezone,
            creator=findtime.creator,
            created_at=now,
            closes_at=None,  # closed with its find-a-time, by the find-a-time's own timer
            status=PollStatus.OPEN,
        )
        self.session.add(poll)
        self.session.flush()
        row = FindTimeSlot(
            findtime_id=findtime.id, slot=slot, start_at=start_at, end_at=end_at, poll_id=poll.id
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, findtime_id: int) -> FindTime | None:
        return self.session.get(FindTime, findtime_id)

    def by_short_id(self, room_id: str, short_id: int) -> FindTime | None:
        return self.session.scalar(
            select(FindTime).where(FindTime.room_id == room_id, FindTime.short_id == short_id)
        )

    def of_room(self, room_id: str, limit: int) -> list[FindTime]:
        """The room's open find-a-times (oldest first), then the latest closed ones."""
        opened = self.session.scalars(
            select(FindTime)
            .where(FindTime.room_id == room_id, FindTime.status == PollStatus.OPEN)
            .order_by(FindTime.id)
        )
        closed = self.session.scalars(
            select(FindTime)
            .where(FindTime.room_id == room_id, FindTime.status == PollStatus.CLOSED)
            .order_by(FindTime.id.desc())
            .limit(limit)
        )
        return [*opened, *closed]

    def slots(self, findtime_id: int) -> list[tuple[FindTimeSlot, Poll]]:
        """The find-a-time's slots with their polls, slot 1 first."""
        rows = self.session.execute(
            select(FindTimeSlot, Poll)
            .join(Poll, Poll.id == FindTimeSlot.poll_id)
            .where(FindTimeSlot.findtime_id == findtime_id)
            .order_by(FindTimeSlot.slot)
        )
        return [(slot, poll) for slot, poll in rows]

    def by_meeting(self, meeting_id: int) -> FindTime | None:
        """The find-a-time a meeting was booked from, if any."""
        return self.session.scalar(select(FindTime).where(FindTime.meeting_id == meeting_id))

    def set_header(self, findtime_id: int, event_id: str) -> None:
        self.session.execute(
            update(FindTime).where(FindTime.id == findtime_id).values(header_event_id=event_id)
        )

    def claim_close(self, findtime_id: int, closed_by: str | None, now: datetime) -> bool:
        """Close an open find-a-time; True for exactly one caller, however many try."""
        result = self.session.execute(
            update(FindTime)
            .where(FindTime.id == findtime_id, FindTime.status == PollStatus.OPEN)
            .values(status=PollStatus.CLOSED, closed_at=now, closed_by=closed_by)
        )
        return result.rowcount == 1

    def add_reminder(self, findtime_id: int, due_at: datetime) -> FindTimeReminder:
        reminder = FindTimeReminder(
            findtime_id=findtime_id, due_at=due_at, status=TimerStatus.PENDING
        )
        self.session.add(reminder)
        self.session.flush()
        return reminder

    def reminder(self, findtime_id: int) -> FindTimeReminder | None:
        return self.session.scalar(
            select(FindTimeReminder).where(FindTimeReminder.findtime_id == findtime_id)
        )


class FindTimeClosings(TimedRows[FindTime]):
    """Open find-a-times with a closing time, as rows the timer service claims once: claiming
    closes the find-a-time (nobody closed it: the clock did)."""

    model = FindTime

    def is_pending(self) -> ColumnElement[bool]:
        return (FindTime.status == PollStatus.OPEN) & FindTime.closes_at.is_not(None)

    def claimed(self, now: datetime) -> dict[str, Any]:
        return {"status": PollStatus.CLOSED, "closed_at": now, "closed_by": None}


class FindTimeReminders(TimedRows[FindTimeReminder]):
    """`--remind` rows: pending until claimed, once, before their find-a-time closes. One closed
    before its reminder's time has nobody left to remind: its row is not pending any more."""

    model = FindTimeReminder

    def is_pending(self) -> ColumnElement[bool]:
        still_open = select(FindTime.id).where(FindTime.status == PollStatus.OPEN)
        return (FindTimeReminder.status == TimerStatus.PENDING) & (
            FindTimeReminder.findtime_id.in_(still_open)
        )
