"""Repository of recorded meetings (`!startmeeting`): their items, their log lines, redactions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.approval import ApprovalRepository
from storage.confidential_models import NOBODY, ChathamMeeting
from storage.log import LogRepository
from storage.models import LogEntry, MinutesItem, MinutesLine, MinutesMeeting
from storage.numbering import next_number
from storage.status import MinutesStatus


@dataclass(frozen=True)
class Redacted:
    """What a redaction removed: log rows, minutes items, and the action items they created."""

    log_entries: int
    items: int
    action_ids: tuple[int, ...]
    titles: int


class MinutesRepository:
    def __init__(self, session: Session):
        self.session = session

    # --- Meetings -----------------------------------------------------------------------

    def running(self, room_id: str) -> MinutesMeeting | None:
        """The room's meeting being recorded, if any (never more than one)."""
        return self.session.scalar(
            select(MinutesMeeting)
            .where(
                MinutesMeeting.room_id == room_id, MinutesMeeting.status == MinutesStatus.RUNNING
            )
            .order_by(MinutesMeeting.id)
            .limit(1)
        )

    def start(
        self,
        *,
        room_id: str,
        title: str,
        started_by: str,
        now: datetime,
        event_id: str | None,
        chatham: bool = False,
    ) -> MinutesMeeting:
        """Begin recording with the room's next short id; flushed, so its id is known."""
        number = next_number(
            self.session, MinutesMeeting.short_id, MinutesMeeting.room_id == room_id
        )
        meeting = MinutesMeeting(
            room_id=room_id,
            short_id=number,
            title=title,
            start_event_id=event_id,
            started_by=started_by,
            started_at=now,
            status=MinutesStatus.RUNNING,
            chairs=[started_by],
            seq=0,
        )
        self.session.add(meeting)
        self.session.flush()
        if chatham:
            self.session.add(ChathamMeeting(meeting_id=meeting.id))
            self.session.flush()
        return meeting

    def end(self, meeting: MinutesMeeting, by: str, now: datetime) -> None:
        meeting.status, meeting.ended_by, meeting.ended_at = MinutesStatus.ENDED, by, now

    def is_chatham(self, meeting: MinutesMeeting) -> bool:
        """Whether a meeting is held under the Chatham House rule (bot/confidential.py)."""
        return self.session.get(ChathamMeeting, meeting.id) is not None

    def attributed(self, meeting: MinutesMeeting, user_id: str) -> str:
        """Who a row of the meeting names as its sender or author: nobody (NOBODY) in a
        Chatham House meeting."""
        return NOBODY if self.is_chatham(meeting) else user_id

    def get(self, meeting_id: int) -> MinutesMeeting | None:
        return self.session.get(MinutesMeeting, meeting_id)

    def by_short_id(self, room_id: str, short_id: int) -> MinutesMeeting | None:
        return self.session.scalar(
            select(MinutesMeeting).where(
                MinutesMeeting.room_id == room_id, MinutesMeeting.short_id == short_id
            )
        )

    def recent(self, room_id: str, limit: int) -> tuple[list[MinutesMeeting], int]:
        """The room's meetings, latest first (at most `limit`), and how many there are."""
        rows = list(
            self.session.scalars(
                select(MinutesMeeting)
                .where(MinutesMeeting.room_id == room_id)
                .order_by(MinutesMeeting.short_id.desc())
                .limit(limit)
            )
        )
        total = self.session.scalar(select(func.count()).where(MinutesMeeting.room_id == room_id))
        return rows, total or 0

    def set_chairs(self, meeting: MinutesMeeting, chairs: Iterable[str]) -> None:
        meeting.chairs = list(dict.fromkeys(chairs))

    def _next_seq(self, meeting: MinutesMeeting) -> int:
        meeting.seq += 1
        return meeting.seq

    # --- Items --------------------------------------------------------------------------

    def add_item(
        self,
        meeting: MinutesMeeting,
        *,
        kind: str,
        text: str,
        author: str,
        now: datetime,
        event_id: str | None,
        url: str | None = None,
        action_id: int | None = None,
    ) -> MinutesItem:
        item = MinutesItem(
            meeting_id=meeting.id,
            seq=self._next_seq(meeting),
            kind=kind,
            text=text,
            url=url,
            author=author,
            created_at=now,
            event_id=event_id,
            action_id=action_id,
        )
        self.session.add(item)
        self.session.flush()
        return item

    def items(self, meeting_id: int) -> list[MinutesItem]:
        return list(
            self.session.scalars(
                select(MinutesItem)
                .where(MinutesItem.meeting_id == meeting_id)
                .order_by(MinutesItem.seq)
            )
        )

    def remove_item(self, item: MinutesItem) -> None:
        self.session.delete(item)
        self.session.flush()

    # --- Log lines ----------------------------------------------------------------------

    def record(
        self,
        meeting: MinutesMeeting,
        *,
        event_id: str,
        sender: str,
        ts: datetime,
        kind: str,
        payload: dict[str, Any],
    ) -> LogEntry:
        """Put a message (or a gap) of the meeting into the structured log, in the meeting's order."""
        entry = LogRepository(self.session).append(
            event_id=event_id,
            room_id=meeting.room_id,
            sender=sender,
            ts=ts,
            kind=kind,
            payload=payload,
        )
        self.session.flush()
        self.session.add(
            MinutesLine(log_entry_id=entry.id, meeting_id=meeting.id, seq=self._next_seq(meeting))
        )
        return entry

    def line(self, event_id: str) -> LogEntry | None:
        """The log entry of a meeting's message or gap, by its event id."""
        return self.session.scalar(
            select(LogEntry)
            .join(MinutesLine, MinutesLine.log_entry_id == LogEntry.id)
            .where(LogEntry.event_id == event_id)
        )

    def lines(self, meeting_id: int) -> list[tuple[int, LogEntry]]:
        """(seq, entry) of the meeting's messages and gaps, in order."""
        rows = self.session.execute(
            select(MinutesLine.seq, LogEntry)
            .join(LogEntry, MinutesLine.log_entry_id == LogEntry.id)
            .where(MinutesLine.meeting_id == meeting_id)
            .order_by(MinutesLine.seq)
        )
        return [(row[0], row[1]) for row in rows]

    def line_meetings(self, log_entry_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """For log entries recorded in meetings: entry id -> (meeting id, seq)."""
        ids = list(log_entry_ids)
        found: dict[int, tuple[int, int]] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(MinutesLine.log_entry_id, MinutesLine.meeting_id, MinutesLine.seq).where(
                    MinutesLine.log_entry_id.in_(ids[start : start + 500])
                )
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
        return found

    def count_lines(self, meeting_ids: Iterable[int]) -> dict[int, int]:
        ids = list(meeting_ids)
        if not ids:
            return {}
        rows = self.session.execute(
            select(MinutesLine.meeting_id, func.count())
            .where(MinutesLine.meeting_id.in_(ids))
            .group_by(MinutesLine.meeting_id)
        )
        return {row[0]: row[1] for row in rows}

    # --- Redactions ---------------------------------------------------------------------

    def redact(self, room_id: str, event_id: str) -> Redacted:
        """Forget what an event said: its log rows (lines go with them), the items it created,
        a meeting title it gave. The caller removes the returned action items. Approved
        minutes it changes count it (storage/approval.py)."""
        touched = set(
            self.session.scalars(
                select(MinutesLine.meeting_id)
                .join(LogEntry, LogEntry.id == MinutesLine.log_entry_id)
                .where(LogEntry.room_id == room_id, LogEntry.event_id == event_id)
            )
        )
        entries = self.session.execute(
            delete(LogEntry).where(LogEntry.room_id == room_id, LogEntry.event_id == event_id)
        ).rowcount
        items = list(
            self.session.scalars(
                select(MinutesItem)
                .join(MinutesMeeting, MinutesMeeting.id == MinutesItem.meeting_id)
                .where(MinutesItem.event_id == event_id, MinutesMeeting.room_id == room_id)
            )
        )
        actions = tuple(i.action_id for i in items if i.action_id is not None)
        for item in items:
            self.session.delete(item)
        meetings = list(
            self.session.scalars(
                select(MinutesMeeting).where(
                    MinutesMeeting.room_id == room_id, MinutesMeeting.start_event_id == event_id
                )
            )
        )
        for meeting in meetings:
            meeting.title = ""
        touched.update(i.meeting_id for i in items)
        touched.update(m.id for m in meetings)
        ApprovalRepository(self.session).note_redactions(touched)
        self.session.flush()
        return Redacted(entries or 0, len(items), actions, len(meetings))
