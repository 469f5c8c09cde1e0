"""Repository of polls and the responses they received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from storage.models import Poll, PollReminder, PollResponse
from storage.numbering import next_number
from storage.status import PollStatus, TimerStatus
from storage.timed import TimedRows


class PollRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self,
        *,
        room_id: str,
        kind: str,
        question: str,
        answers: list[dict[str, Any]],
        max_selections: int,
        secret: bool,
        timezone: str,
        creator: str,
        closes_at: datetime | None,
        now: datetime,
    ) -> Poll:
        """Store an open poll with the room's next short id; flushed, so its id is known."""
        # Find-a-time slot polls have negative numbers (storage/findtimes.py): not counted.
        number = next_number(
            self.session, Poll.short_id, Poll.room_id == room_id, Poll.short_id > 0
        )
        poll = Poll(
            room_id=room_id,
            short_id=number,
            kind=kind,
            question=question,
            answers=answers,
            max_selections=max_selections,
            secret=secret,
            timezone=timezone,
            creator=creator,
            created_at=now,
            closes_at=closes_at,
            status=PollStatus.OPEN,
        )
        self.session.add(poll)
        self.session.flush()
        return poll

    def get(self, poll_id: int) -> Poll | None:
        return self.session.get(Poll, poll_id)

    def by_short_id(self, room_id: str, short_id: int) -> Poll | None:
        return self.session.scalar(
            select(Poll).where(Poll.room_id == room_id, Poll.short_id == short_id)
        )

    def by_start_event(self, room_id: str, event_id: str) -> Poll | None:
        return self.session.scalar(
            select(Poll).where(Poll.room_id == room_id, Poll.start_event_id == event_id)
        )

    def of_room(self, room_id: str, limit: int) -> list[Poll]:
        """The room's open polls (oldest first), then the latest closed ones (newest first);
        find-a-time slot polls are not among them."""
        numbered = (Poll.room_id == room_id) & (Poll.short_id > 0)
        opened = self.session.scalars(
            select(Poll).where(numbered, Poll.status == PollStatus.OPEN).order_by(Poll.id)
        )
        closed = self.session.scalars(
            select(Poll)
            .where(numbered, Poll.status == PollStatus.CLOSED)
            .order_by(Poll.id.desc())
            .limit(limit)
        )
        return [*opened, *closed]

    def set_start_event(self, poll_id: int, event_id: str) -> None:
        self.session.execute(update(Poll).where(Poll.id == poll_id).values(start_event_id=event_id))

    def set_end_event(self, poll_id: int, event_id: str) -> None:
        self.session.execute(update(Poll).where(Poll.id == poll_id).values(end_event_id=event_id))

    def claim_close(self, poll_id: int, closed_by: str | None, now: datetime) -> bool:
        """Close an open poll; True for exactly one caller, however many try."""
        result = self.session.execute(
            update(Poll)
            .where(Poll.id == poll_id, Poll.status == PollStatus.OPEN)
            .values(status=PollStatus.CLOSED, closed_at=now, closed_by=closed_by)
        )
        return result.rowcount == 1

    def listening(self) -> list[Poll]:
        """Polls whose responses may still matter: open, or closed with the end's time unknown."""
        return list(
            self.session.scalars(
                select(Poll)
                .where(Poll.start_event_id.is_not(None), Poll.ended_at.is_(None))
                .order_by(Poll.id)
            )
        )

    def unsettled(self) -> list[Poll]:
        """Closed polls whose end event is sent but whose end time is not known yet."""
        return list(
            self.session.scalars(
                select(Poll)
                .where(
                    Poll.status == PollStatus.CLOSED,
                    Poll.end_event_id.is_not(None),
                    Poll.ended_at.is_(None),
                )
                .order_by(Poll.id)
            )
        )

    def add_response(
        self,
        poll_id: int,
        *,
        event_id: str,
        sender: str,
        answers: list[Any] | None,
        ts: datetime,
        now: datetime,
    ) -> bool:
        """Keep a response once (by event id); False if it was kept already."""
        known = self.session.scalar(
            select(PollResponse.id).where(PollResponse.event_id == event_id)
        )
        if known is not None:
            return False
        self.session.add(
            PollResponse(
                poll_id=poll_id,
                event_id=event_id,
                sender=sender,
                answers=answers,
                ts=ts,
                received_at=now,
            )
        )
        self.session.flush()
        return True

    def responses(self, poll_id: int) -> list[PollResponse]:
        """The poll's responses in the order they were received."""
        return list(
            self.session.scalars(
                select(PollResponse)
                .where(PollResponse.poll_id == poll_id)
                .order_by(PollResponse.id)
            )
        )

    def remove_response(self, room_id: str, event_id: str) -> bool:
        """Forget a response (it was redacted): the sender's previous vote counts again."""
        polls = select(Poll.id).where(Poll.room_id == room_id)
        result = self.session.execute(
            delete(PollResponse).where(
                PollResponse.event_id == event_id, PollResponse.poll_id.in_(polls)
            )
        )
        return result.rowcount > 0


class PollReminders(TimedRows[PollReminder]):
    """`--remind` rows: pending until claimed, once, before their poll closes. A poll closed
    before its reminder's time has nobody left to remind: its row is not pending any more."""

    model = PollReminder

    def add(self, poll_id: int, due_at: datetime) -> PollReminder:
        reminder = PollReminder(poll_id=poll_id, due_at=due_at, status=TimerStatus.PENDING)
        self.session.add(reminder)
        self.session.flush()
        return reminder

    def of_poll(self, poll_id: int) -> PollReminder | None:
        return self.session.scalar(select(PollReminder).where(PollReminder.poll_id == poll_id))

    def is_pending(self) -> ColumnElement[bool]:
        still_open = select(Poll.id).where(Poll.status == PollStatus.OPEN)
        return (PollReminder.status == TimerStatus.PENDING) & PollReminder.poll_id.in_(still_open)


class PollClosings(TimedRows[Poll]):
    """Open polls with a closing time, as rows the timer service claims once: claiming closes
    the poll (nobody closed it: the clock did)."""

    model = Poll

    def is_pending(self) -> ColumnElement[bool]:
        return (Poll.status == PollStatus.OPEN) & Poll.closes_at.is_not(None)

    def claimed(self, now: datetime) -> dict[str, Any]:
        return {"status": PollStatus.CLOSED, "closed_at": now, "closed_by": None}
