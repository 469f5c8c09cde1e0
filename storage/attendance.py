"""Repositories of a recorded meeting's attendance (its roll call, who was counted present and
how, the names and organisations they had then, apologies) and of the rooms' quorum rules.

Who spoke is not stored here: it is read from the meeting's log (`speakers`), so a redacted
message stops counting like any other trace of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import LogEntry, MinutesLine, MinutesMeeting
from storage.plenary_models import Apology, AttendanceMark, Attendee, QuorumRule, RollCall
from storage.status import MinutesStatus


class AttendanceRepository:
    def __init__(self, session: Session):
        self.session = session

    # --- The roll call ------------------------------------------------------------------

    def roll_call(self, meeting_id: int) -> RollCall | None:
        return self.session.get(RollCall, meeting_id)

    def open_roll_call(self, meeting: MinutesMeeting) -> RollCall:
        """The meeting's roll call row, made if it has none."""
        row = self.roll_call(meeting.id)
        if row is None:
            row = RollCall(meeting_id=meeting.id, room_id=meeting.room_id)
            self.session.add(row)
            self.session.flush()
        return row

    def set_roll_call_event(self, meeting_id: int, event_id: str) -> None:
        row = self.roll_call(meeting_id)
        if row is not None:
            row.event_id = event_id

    def running_by_roll_call(self, room_id: str, event_id: str) -> MinutesMeeting | None:
        """The running meeting whose roll call is this event, if any."""
        return self.session.scalar(
            select(MinutesMeeting)
            .join(RollCall, RollCall.meeting_id == MinutesMeeting.id)
            .where(
                RollCall.room_id == room_id,
                RollCall.event_id == event_id,
                MinutesMeeting.status == MinutesStatus.RUNNING,
            )
        )

    # --- Who was counted, and as whom ---------------------------------------------------

    def attendees(self, meeting_id: int) -> dict[str, Attendee]:
        rows = self.session.scalars(select(Attendee).where(Attendee.meeting_id == meeting_id))
        return {row.user_id: row for row in rows}

    def attendee(self, meeting_id: int, user_id: str) -> Attendee:
        """The member's row for the meeting, made (without name or organisation) if new."""
        row = self.session.get(Attendee, (meeting_id, user_id))
        if row is None:
            row = Attendee(meeting_id=meeting_id, user_id=user_id, organisation_said=False)
            self.session.add(row)
            self.session.flush()
        return row

    def mark(self, meeting_id: int, user_id: str, way: str, event_id: str, at: datetime) -> None:
        """An event counted the member present (once per event)."""
        if self.session.get(AttendanceMark, event_id) is None:
            self.session.add(
                AttendanceMark(
                    event_id=event_id, meeting_id=meeting_id, user_id=user_id, way=way, at=at
                )
            )
            self.session.flush()

    def marks(self, meeting_id: int) -> dict[str, list[str]]:
        """Each member counted by a mark, and the ways, in the order they were counted."""
        rows = self.session.execute(
            select(AttendanceMark.user_id, AttendanceMark.way)
            .where(AttendanceMark.meeting_id == meeting_id)
            .order_by(AttendanceMark.at, AttendanceMark.event_id)
        )
        found: dict[str, list[str]] = {}
        for user_id, way in rows:
            ways = found.setdefault(user_id, [])
            if way not in ways:
                ways.append(way)
        return found

    def speakers(self, meeting_id: int) -> list[str]:
        """Who has a message (or a gap) in the meeting's log, in the order they first spoke."""
        first = func.min(MinutesLine.seq)
        rows = self.session.execute(
            select(LogEntry.sender, first)
            .join(MinutesLine, MinutesLine.log_entry_id == LogEntry.id)
            .where(MinutesLine.meeting_id == meeting_id)
            .group_by(LogEntry.sender)
            .order_by(first)
        )
        # A Chatham House meeting's lines have no sender: its speakers are marks (`spoke`).
        return [row[0] for row in rows if row[0]]

    # --- Apologies ----------------------------------------------------------------------

    def add_apology(
        self,
        meeting_id: int,
        *,
        user_id: str | None,
        display_name: str | None,
        organisation: str | None,
        given_by: str,
        event_id: str | None,
        now: datetime,
    ) -> Apology:
        row = Apology(
            meeting_id=meeting_id,
            user_id=user_id,
            display_name=display_name,
            organisation=organisation,
            given_by=given_by,
            event_id=event_id,
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def apologies(self, meeting_id: int) -> list[Apology]:
        return list(
            self.session.scalars(
                select(Apology).where(Apology.meeting_id == meeting_id).order_by(Apology.id)
            )
        )

    # --- Redactions ---------------------------------------------------------------------

    def redact(self, room_id: str, event_id: str) -> int:
        """Forget the marks and apologies an event made in the room's meetings; how many."""
        meetings = select(MinutesMeeting.id).where(MinutesMeeting.room_id == room_id)
        marks = self.session.execute(
            delete(AttendanceMark).where(
                AttendanceMark.event_id == event_id, AttendanceMark.meeting_id.in_(meetings)
            )
        ).rowcount
        apologies = self.session.execute(
            delete(Apology).where(Apology.event_id == event_id, Apology.meeting_id.in_(meetings))
        ).rowcount
        return (marks or 0) + (apologies or 0)


class QuorumRepository:
    """A room's quorum rule; rooms without a row have none."""

    def __init__(self, session: Session):
        self.session = session

    def get(self, room_id: str) -> QuorumRule | None:
        return self.session.get(QuorumRule, room_id)

    def set(self, room_id: str, kind: str, value: int, by: str, now: datetime) -> QuorumRule:
        row = self.get(room_id)
        if row is None:
            row = QuorumRule(room_id=room_id)
            self.session.add(row)
        row.kind, row.value, row.set_by, row.set_at = kind, value, by, now
        self.session.flush()
        return row

    def clear(self, room_id: str) -> bool:
        """No quorum in the room any more; False if it had none."""
        removed = self.session.execute(
            delete(QuorumRule).where(QuorumRule.room_id == room_id)
        ).rowcount
        return bool(removed)
