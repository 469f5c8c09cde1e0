"""Repositories of what happens to minutes after the meeting: amendments (numbered per meeting),
the approval record, and circulations under the silence procedure (the timer's rows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from storage.models import LogEntry, MinutesItem, MinutesLine, MinutesMeeting
from storage.models_after import MinutesAmendment, MinutesApproval, MinutesCirculation
from storage.numbering import next_number
from storage.status import AmendmentStatus, CirculationStatus
from storage.timed import TimedRows


class AmendmentRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self, meeting_id: int, *, text: str, author: str, now: datetime, event_id: str | None
    ) -> MinutesAmendment:
        """A proposed correction with the meeting's next number; flushed, so it is known."""
        number = next_number(
            self.session, MinutesAmendment.number, MinutesAmendment.meeting_id == meeting_id
        )
        amendment = MinutesAmendment(
            meeting_id=meeting_id,
            number=number,
            text=text,
            author=author,
            created_at=now,
            event_id=event_id,
            status=AmendmentStatus.PROPOSED,
        )
        self.session.add(amendment)
        self.session.flush()
        return amendment

    def get(self, meeting_id: int, number: int) -> MinutesAmendment | None:
        return self.session.scalar(
            select(MinutesAmendment).where(
                MinutesAmendment.meeting_id == meeting_id, MinutesAmendment.number == number
            )
        )

    def of_meeting(self, meeting_id: int, status: str | None = None) -> list[MinutesAmendment]:
        query = select(MinutesAmendment).where(MinutesAmendment.meeting_id == meeting_id)
        if status is not None:
            query = query.where(MinutesAmendment.status == status)
        return list(self.session.scalars(query.order_by(MinutesAmendment.number)))

    def decide(self, amendment: MinutesAmendment, status: str, by: str, now: datetime) -> None:
        amendment.status, amendment.decided_by, amendment.decided_at = status, by, now

    def remove_of_event(self, room_id: str, event_id: str) -> list[MinutesAmendment]:
        """Forget the amendments a (redacted) message proposed; the ones removed."""
        doomed = list(
            self.session.scalars(
                select(MinutesAmendment)
                .join(MinutesMeeting, MinutesMeeting.id == MinutesAmendment.meeting_id)
                .where(MinutesAmendment.event_id == event_id, MinutesMeeting.room_id == room_id)
            )
        )
        for amendment in doomed:
            self.session.delete(amendment)
        self.session.flush()
        return doomed

    def was_present(self, meeting_id: int, user_id: str) -> bool:
        """Whether a member said something in the meeting (a log line) or recorded an item."""
        said = select(MinutesLine.log_entry_id).join(
            LogEntry, LogEntry.id == MinutesLine.log_entry_id
        )
        said = said.where(MinutesLine.meeting_id == meeting_id, LogEntry.sender == user_id)
        recorded = select(MinutesItem.id).where(
            MinutesItem.meeting_id == meeting_id, MinutesItem.author == user_id
        )
        return bool(self.session.scalar(select(exists(said) | exists(recorded))))


class ApprovalRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, meeting_id: int) -> MinutesApproval | None:
        return self.session.get(MinutesApproval, meeting_id)

    def of_meetings(self, meeting_ids: Iterable[int]) -> dict[int, MinutesApproval]:
        ids = list(meeting_ids)
        if not ids:
            return {}
        rows = self.session.scalars(
            select(MinutesApproval).where(MinutesApproval.meeting_id.in_(ids))
        )
        return {row.meeting_id: row for row in rows}

    def approve(
        self,
        meeting_id: int,
        *,
        by: str | None,
        now: datetime,
        sha256: str,
        timezone: str,
        actions: list[dict[str, Any]],
    ) -> MinutesApproval:
        approval = MinutesApproval(
            meeting_id=meeting_id,
            approved_by=by,
            approved_at=now,
            sha256=sha256,
            timezone=timezone,
            actions=actions,
            redactions=0,
        )
        self.session.add(approval)
        self.session.flush()
        return approval

    def note_redactions(self, meeting_ids: Iterable[int]) -> None:
        """A redaction changed these meetings' minutes: approved ones count it."""
        ids = sorted(set(meeting_ids))
        if ids:
            self.session.execute(
                update(MinutesApproval)
                .where(MinutesApproval.meeting_id.in_(ids))
                .values(redactions=MinutesApproval.redactions + 1)
            )


class CirculationRepository(TimedRows[MinutesCirculation]):
    """Circulations; a pending one is approved at its deadline (claimed once) unless an
    objection stops it first (the same kind of UPDATE … WHERE pending decides which wins)."""

    model = MinutesCirculation

    def claimed(self, now: datetime) -> dict[str, Any]:
        return {"status": CirculationStatus.APPROVED, "sent_at": now}

    def add(
        self, meeting: MinutesMeeting, *, by: str, now: datetime, due_at: datetime
    ) -> MinutesCirculation:
        circulation = MinutesCirculation(
            meeting_id=meeting.id,
            room_id=meeting.room_id,
            circulated_by=by,
            circulated_at=now,
            due_at=due_at,
            status=CirculationStatus.PENDING,
        )
        self.session.add(circulation)
        self.session.flush()
        return circulation

    def latest(self, meeting_id: int) -> MinutesCirculation | None:
        return self.session.scalar(
            select(MinutesCirculation)
            .where(MinutesCirculation.meeting_id == meeting_id)
            .order_by(MinutesCirculation.id.desc())
            .limit(1)
        )

    def of_meetings(self, meeting_ids: Iterable[int]) -> dict[int, MinutesCirculation]:
        """Each meeting's latest circulation."""
        ids = list(meeting_ids)
        if not ids:
            return {}
        rows = self.session.scalars(
            select(MinutesCirculation)
            .where(MinutesCirculation.meeting_id.in_(ids))
            .order_by(MinutesCirculation.id)
        )
        return {row.meeting_id: row for row in rows}

    def stop(
        self,
        circulation: MinutesCirculation,
        status: str,
        now: datetime,
        *,
        by: str | None = None,
        reason: str | None = None,
        event_id: str | None = None,
    ) -> bool:
        """Stop a pending circulation (an objection, or an approval by the chairs); False if
        it was no longer pending."""
        values: dict[str, Any] = {"status": status, "sent_at": now}
        if status == CirculationStatus.OBJECTED:
            values.update(objected_by=by, objected_at=now, reason=reason, reason_event_id=event_id)
        result = self.session.execute(
            update(MinutesCirculation)
            .where(MinutesCirculation.id == circulation.id, self.is_pending())
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1

    def forget_reason(self, room_id: str, event_id: str) -> int:
        """A redacted objection keeps its place (the circulation stays stopped), not its words."""
        result = self.session.execute(
            update(MinutesCirculation)
            .where(
                MinutesCirculation.room_id == room_id,
                MinutesCirculation.reason_event_id == event_id,
            )
            .values(reason=None, reason_event_id=None)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount or 0
