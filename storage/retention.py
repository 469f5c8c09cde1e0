"""Repository of retention: each room's own retention and its m.room.retention state, the
daily round's rows, and the deletion of log entries older than a room's retention (with the
marks left in the minutes where their lines were)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import LogEntry, MinutesLine, UndecryptableEvent
from storage.models_after import MinutesApproval, MinutesRemoval, RetentionRound, RoomRetention
from storage.status import TimerStatus
from storage.timed import TimedRows


@dataclass(frozen=True)
class Purged:
    """What one room's purge deleted: log entries, and of them, lines of recorded meetings."""

    entries: int
    lines: int
    meetings: int


class RetentionRounds(TimedRows[RetentionRound]):
    """The daily round's rows (one pending at a time)."""

    model = RetentionRound

    def plan(self, due_at: datetime) -> RetentionRound:
        row = RetentionRound(due_at=due_at, status=TimerStatus.PENDING)
        self.session.add(row)
        self.session.flush()
        return row

    def cancel_pending(self) -> None:
        self.session.execute(
            update(RetentionRound)
            .where(self.is_pending())
            .values(status=TimerStatus.CANCELLED)
            .execution_options(synchronize_session="fetch")
        )


class RetentionRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, room_id: str) -> RoomRetention | None:
        return self.session.get(RoomRetention, room_id)

    def _room(self, room_id: str) -> RoomRetention:
        room = self.session.get(RoomRetention, room_id)
        if room is None:
            room = RoomRetention(room_id=room_id)
            self.session.add(room)
        return room

    def set_room_retention(self, room_id: str, seconds: int | None) -> None:
        """The chairs' choice (`!retention`); None: off."""
        self._room(room_id).retention_seconds = seconds

    def set_state_retention(self, room_id: str, max_lifetime_ms: int | None) -> None:
        """The room's m.room.retention state as last seen (None: none, or unusable)."""
        room = self.session.get(RoomRetention, room_id)
        if room is None and max_lifetime_ms is None:
            return
        self._room(room_id).state_max_lifetime_ms = max_lifetime_ms

    def rooms_with_log(self) -> list[str]:
        """Every room the log holds entries of."""
        return list(self.session.scalars(select(LogEntry.room_id).distinct()))

    def rooms_with_retention(self) -> list[RoomRetention]:
        """Rooms that chose a retention or whose state sets one."""
        rows = RoomRetention
        return list(
            self.session.scalars(
                select(rows).where(
                    rows.retention_seconds.is_not(None) | rows.state_max_lifetime_ms.is_not(None)
                )
            )
        )

    def purge(self, room_id: str, before: datetime, now: datetime) -> Purged:
        """Delete the room's log entries older than `before` (and messages the bot never could
        decrypt); a meeting whose lines go keeps a mark of where and how many."""
        old = select(LogEntry.id).where(LogEntry.room_id == room_id, LogEntry.ts < before)
        lines = self.session.execute(
            select(MinutesLine.meeting_id, MinutesLine.seq).where(MinutesLine.log_entry_id.in_(old))
        ).all()
        by_meeting: dict[int, set[int]] = {}
        for meeting_id, seq in lines:
            by_meeting.setdefault(meeting_id, set()).add(seq)
        for meeting_id, removed in by_meeting.items():
            self._mark(meeting_id, removed, now)
        self.session.execute(delete(MinutesLine).where(MinutesLine.log_entry_id.in_(old)))
        entries = self.session.execute(
            delete(LogEntry).where(LogEntry.room_id == room_id, LogEntry.ts < before)
        ).rowcount
        self.session.execute(
            delete(UndecryptableEvent).where(
                UndecryptableEvent.room_id == room_id, UndecryptableEvent.received_at < before
            )
        )
        self.session.flush()
        return Purged(entries or 0, len(lines), len(by_meeting))

    def _mark(self, meeting_id: int, removed: set[int], now: datetime) -> None:
        """One mark per run of removed lines with no kept line between them."""
        seqs = self.session.scalars(
            select(MinutesLine.seq)
            .where(MinutesLine.meeting_id == meeting_id)
            .order_by(MinutesLine.seq)
        )
        run: list[int] = []
        for seq in seqs:
            if seq in removed:
                run.append(seq)
            elif run:
                self._add_mark(meeting_id, run, now)
                run = []
        if run:
            self._add_mark(meeting_id, run, now)

    def _add_mark(self, meeting_id: int, run: list[int], now: datetime) -> None:
        self.session.add(
            MinutesRemoval(
                meeting_id=meeting_id,
                first_seq=run[0],
                last_seq=run[-1],
                lines=len(run),
                removed_at=now,
            )
        )

    def removals(self, meeting_id: int) -> list[MinutesRemoval]:
        return list(
            self.session.scalars(
                select(MinutesRemoval)
                .where(MinutesRemoval.meeting_id == meeting_id)
                .order_by(MinutesRemoval.first_seq, MinutesRemoval.id)
            )
        )

    def removed_counts(self, meeting_ids: Iterable[int]) -> dict[int, int]:
        """How many lines of each meeting retention removed."""
        ids = list(meeting_ids)
        counts: dict[int, int] = {}
        if ids:
            for row in self.session.scalars(
                select(MinutesRemoval).where(MinutesRemoval.meeting_id.in_(ids))
            ):
                counts[row.meeting_id] = counts.get(row.meeting_id, 0) + row.lines
        return counts

    def removed_after_approval(self, meeting_id: int) -> int:
        """Lines removed from approved minutes since their approval."""
        approval = self.session.get(MinutesApproval, meeting_id)
        if approval is None:
            return 0
        return sum(
            r.lines for r in self.removals(meeting_id) if r.removed_at > approval.approved_at
        )
