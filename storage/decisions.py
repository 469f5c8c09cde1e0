"""Repository of the decision register (D1, D2… per room) and of the votes held in meetings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Poll
from storage.register_models import Decision, DecisionNumber, Vote
from storage.status import DecisionStatus, PollStatus


class DecisionRepository:
    def __init__(self, session: Session):
        self.session = session

    def _next_number(self, room_id: str) -> int:
        """The room's next number: one more than the last ever given (redacted ones included)."""
        counter = self.session.get(DecisionNumber, room_id)
        if counter is None:
            # Rooms whose entries predate the counter start after their highest number.
            last = self.session.scalar(
                select(func.max(Decision.number)).where(Decision.room_id == room_id)
            )
            counter = DecisionNumber(room_id=room_id, last=last or 0)
            self.session.add(counter)
        counter.last += 1
        return counter.last

    def add(
        self,
        *,
        room_id: str,
        outcome: str,
        text: str,
        decided_at: datetime,
        author: str | None = None,
        meeting_id: int | None = None,
        item_id: int | None = None,
        topic: str | None = None,
        counts: dict[str, Any] | None = None,
    ) -> Decision:
        """Enter a decision in the room's register with its next number, in force; flushed.

        Usable outside meetings (no meeting, item or topic) and without an author (a written
        procedure's outcome)."""
        decision = Decision(
            room_id=room_id,
            number=self._next_number(room_id),
            outcome=outcome,
            text=text,
            meeting_id=meeting_id,
            item_id=item_id,
            topic=topic,
            decided_at=decided_at,
            author=author,
            counts=counts,
            status=DecisionStatus.IN_FORCE,
        )
        self.session.add(decision)
        self.session.flush()
        return decision

    def by_number(self, room_id: str, number: int) -> Decision | None:
        return self.session.scalar(
            select(Decision).where(Decision.room_id == room_id, Decision.number == number)
        )

    def by_items(self, item_ids: Iterable[int]) -> dict[int, Decision]:
        """The entries made by these minutes items: item id -> entry."""
        ids = list(item_ids)
        found: dict[int, Decision] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.scalars(
                select(Decision).where(Decision.item_id.in_(ids[start : start + 500]))
            )
            found.update({row.item_id: row for row in rows if row.item_id is not None})
        return found

    def of_room(self, room_id: str) -> list[Decision]:
        """Every entry of the room's register, newest first."""
        return list(
            self.session.scalars(
                select(Decision).where(Decision.room_id == room_id).order_by(Decision.number.desc())
            )
        )

    def supersede(self, decision: Decision, by: int, who: str, now: datetime) -> None:
        decision.status, decision.superseded_by = DecisionStatus.SUPERSEDED, by
        decision.changed_at, decision.changed_by = now, who

    def revoke(self, decision: Decision, who: str, now: datetime) -> None:
        decision.status, decision.superseded_by = DecisionStatus.REVOKED, None
        decision.changed_at, decision.changed_by = now, who


class VoteRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, *, poll_id: int, meeting_id: int, per_org: bool, event_id: str | None) -> Vote:
        vote = Vote(poll_id=poll_id, meeting_id=meeting_id, per_org=per_org, event_id=event_id)
        self.session.add(vote)
        self.session.flush()
        return vote

    def get(self, poll_id: int) -> Vote | None:
        return self.session.get(Vote, poll_id)

    def by_event(self, room_id: str, event_id: str) -> tuple[Vote, Poll] | None:
        """The vote a `!vote` command started, with its poll."""
        row = self.session.execute(
            select(Vote, Poll)
            .join(Poll, Poll.id == Vote.poll_id)
            .where(Vote.event_id == event_id, Poll.room_id == room_id)
        ).first()
        return None if row is None else (row[0], row[1])

    def open_in(self, meeting_id: int) -> list[Poll]:
        """The meeting's votes still open, oldest first."""
        return list(
            self.session.scalars(
                select(Poll)
                .join(Vote, Vote.poll_id == Poll.id)
                .where(Vote.meeting_id == meeting_id, Poll.status == PollStatus.OPEN)
                .order_by(Poll.id)
            )
        )

    def by_items(self, item_ids: Iterable[int]) -> dict[int, Vote]:
        """The votes whose outcome these minutes items record: item id -> vote."""
        ids = list(item_ids)
        found: dict[int, Vote] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.scalars(
                select(Vote).where(Vote.item_id.in_(ids[start : start + 500]))
            )
            found.update({row.item_id: row for row in rows if row.item_id is not None})
        return found
