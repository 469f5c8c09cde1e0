"""Repository of meetings: their agenda, RSVPs, the room's reminder offsets and the reminders,
the room's call for agenda items and its rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    AgendaCall,
    AgendaItem,
    Meeting,
    MeetingCycle,
    Reminder,
    ReminderOffsets,
    Rsvp,
)
from storage.numbering import next_number
from storage.status import MeetingStatus, TimerStatus
from storage.timed import TimedRows

ANSWERS = ("yes", "no", "maybe")


class MeetingRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self,
        *,
        room_id: str,
        title: str,
        start_at: datetime,
        end_at: datetime,
        timezone: str,
        rrule: str | None,
        place: str | None,
        creator: str,
        now: datetime,
    ) -> Meeting:
        """Store a meeting with the room's next short id; flushed, so its id is known."""
        number = next_number(self.session, Meeting.short_id, Meeting.room_id == room_id)
        meeting = Meeting(
            room_id=room_id,
            short_id=number,
            title=title,
            start_at=start_at,
            end_at=end_at,
            timezone=timezone,
            rrule=rrule,
            place=place,
            creator=creator,
            status=MeetingStatus.SCHEDULED,
            created_at=now,
        )
        self.session.add(meeting)
        self.session.flush()
        return meeting

    def get(self, meeting_id: int) -> Meeting | None:
        return self.session.get(Meeting, meeting_id)

    def by_short_id(self, room_id: str, short_id: int) -> Meeting | None:
        return self.session.scalar(
            select(Meeting).where(Meeting.room_id == room_id, Meeting.short_id == short_id)
        )

    def by_announcement(self, room_id: str, event_id: str) -> Meeting | None:
        return self.session.scalar(
            select(Meeting).where(
                Meeting.room_id == room_id, Meeting.announcement_event_id == event_id
            )
        )

    def scheduled(self, room_id: str, now: datetime) -> list[Meeting]:
        """Meetings of a room not cancelled and not over (a series is never over)."""
        return list(
            self.session.scalars(
                select(Meeting)
                .where(
                    Meeting.room_id == room_id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    or_(Meeting.rrule.is_not(None), Meeting.end_at > now),
                )
                .order_by(Meeting.start_at, Meeting.id)
            )
        )

    def set_announcement(self, meeting_id: int, event_id: str) -> None:
        self.session.execute(
            update(Meeting).where(Meeting.id == meeting_id).values(announcement_event_id=event_id)
        )

    def cancel(self, meeting: Meeting) -> list[int]:
        """Cancel a meeting, its pending reminders and call for agenda items; the ids of those
        reminders."""
        meeting.status = MeetingStatus.CANCELLED
        AgendaCallRepository(self.session).cancel_pending(meeting.id)
        return ReminderRepository(self.session).cancel_pending(meeting.id)

    def move(
        self, meeting: Meeting, start_at: datetime, end_at: datetime, rrule: str | None
    ) -> list[int]:
        """Give a meeting a new time; its pending reminders and call for agenda items are
        cancelled (plan new ones); the ids of those reminders."""
        meeting.start_at, meeting.end_at, meeting.rrule = start_at, end_at, rrule
        AgendaCallRepository(self.session).cancel_pending(meeting.id)
        return ReminderRepository(self.session).cancel_pending(meeting.id)

    def add_agenda_item(self, meeting_id: int, text: str, added_by: str, now: datetime) -> int:
        """Append an item to the agenda; its position (1, 2, 3…)."""
        position = next_number(
            self.session, AgendaItem.position, AgendaItem.meeting_id == meeting_id
        )
        self.session.add(
            AgendaItem(
                meeting_id=meeting_id, position=position, text=text, added_by=added_by, added_at=now
            )
        )
        return position

    def agenda(self, meeting_id: int) -> list[AgendaItem]:
        return list(
            self.session.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )

    def set_rsvp(self, meeting_id: int, user_id: str, answer: str, now: datetime) -> None:
        """Record a member's answer; a later answer replaces an earlier one."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        row = self.session.get(Rsvp, (meeting_id, user_id))
        if row is None:
            self.session.add(
                Rsvp(meeting_id=meeting_id, user_id=user_id, answer=answer, updated_at=now)
            )
        else:
            row.answer, row.updated_at = answer, now

    def rsvps(self, meeting_id: int) -> dict[str, str]:
        """Answers by member, in the order they were last given."""
        rows = self.session.scalars(
            select(Rsvp)
            .where(Rsvp.meeting_id == meeting_id)
            .order_by(Rsvp.updated_at, Rsvp.user_id)
        )
        return {row.user_id: row.answer for row in rows}

    def reminder_offsets(self, room_id: str) -> list[int] | None:
        """Minutes before a meeting at which the room is reminded; None = the default."""
        row = self.session.get(ReminderOffsets, room_id)
        return None if row is None else list(row.minutes)

    def set_reminder_offsets(self, room_id: str, minutes: Iterable[int]) -> None:
        self.session.merge(ReminderOffsets(room_id=room_id, minutes=sorted(set(minutes))))

    def agenda_call_minutes(self, room_id: str) -> int | None:
        """How long before each meeting the room's call for agenda items comes; None: never."""
        row = self.session.get(MeetingCycle, room_id)
        return None if row is None else row.agenda_call_minutes

    def set_agenda_call_minutes(self, room_id: str, minutes: int | None) -> None:
        self.session.merge(MeetingCycle(room_id=room_id, agenda_call_minutes=minutes))


class ReminderRepository(TimedRows[Reminder]):
    """Reminders of meetings: rows the timer service claims once (see storage/timed.py)."""

    model = Reminder

    def add(
        self, meeting_id: int, occurrence_at: datetime, due_at: datetime, offset_minutes: int
    ) -> Reminder:
        reminder = Reminder(
            meeting_id=meeting_id,
            occurrence_at=occurrence_at,
            due_at=due_at,
            offset_minutes=offset_minutes,
            status=TimerStatus.PENDING,
        )
        self.session.add(reminder)
        self.session.flush()
        return reminder

    def of_meeting(self, meeting_id: int) -> list[Reminder]:
        return list(
            self.session.scalars(
                select(Reminder)
                .where(Reminder.meeting_id == meeting_id)
                .order_by(Reminder.due_at, Reminder.id)
            )
        )

    def planned(self, meeting_id: int) -> set[tuple[datetime, int]]:
        """(occurrence, offset) of the meeting's reminders pending or sent: never plan them twice."""
        rows = self.session.execute(
            select(Reminder.occurrence_at, Reminder.offset_minutes).where(
                Reminder.meeting_id == meeting_id,
                Reminder.status.in_((TimerStatus.PENDING, TimerStatus.SENT)),
            )
        )
        return {(row.occurrence_at, row.offset_minutes) for row in rows}

    def cancel_pending(self, meeting_id: int) -> list[int]:
        """Cancel the meeting's pending reminders; their ids."""
        ids = list(
            self.session.scalars(
                select(Reminder.id).where(
                    Reminder.meeting_id == meeting_id, Reminder.status == TimerStatus.PENDING
                )
            )
        )
        if ids:
            self.session.execute(
                update(Reminder)
                .where(Reminder.id.in_(ids), Reminder.status == TimerStatus.PENDING)
                .values(status=MeetingStatus.CANCELLED)
            )
        return ids


class AgendaCallRepository(TimedRows[AgendaCall]):
    """Calls for agenda items before meetings: rows the timer service claims once."""

    model = AgendaCall

    def add(
        self, meeting_id: int, occurrence_at: datetime, due_at: datetime, lead_minutes: int
    ) -> AgendaCall:
        call = AgendaCall(
            meeting_id=meeting_id,
            occurrence_at=occurrence_at,
            due_at=due_at,
            lead_minutes=lead_minutes,
            status=TimerStatus.PENDING,
        )
        self.session.add(call)
        self.session.flush()
        return call

    def of_meeting(self, meeting_id: int) -> list[AgendaCall]:
        return list(
            self.session.scalars(
                select(AgendaCall)
                .where(AgendaCall.meeting_id == meeting_id)
                .order_by(AgendaCall.due_at, AgendaCall.id)
            )
        )

    def planned(self, meeting_id: int) -> tuple[bool, set[datetime]]:
        """Whether the meeting has a call pending, and the occurrences whose call was sent
        (never twice for one occurrence)."""
        rows = self.session.execute(
            select(AgendaCall.occurrence_at, AgendaCall.status).where(
                AgendaCall.meeting_id == meeting_id,
                AgendaCall.status.in_((TimerStatus.PENDING, TimerStatus.SENT)),
            )
        )
        pending, sent = False, set()
        for occurrence_at, status in rows:
            if status == TimerStatus.PENDING:
                pending = True
            else:
                sent.add(occurrence_at)
        return pending, sent

    def cancel_pending(self, meeting_id: int) -> int:
        """Cancel the meeting's pending call; how many rows."""
        result = self.session.execute(
            update(AgendaCall)
            .where(AgendaCall.meeting_id == meeting_id, AgendaCall.status == TimerStatus.PENDING)
            .values(status=TimerStatus.CANCELLED)
        )
        return result.rowcount or 0
