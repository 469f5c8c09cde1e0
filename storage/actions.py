"""Repository of action items: the register, assignees, notes, and their timers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from storage.models import ActionAssignee, ActionItem, ActionNote, ActionTimer
from storage.numbering import next_number
from storage.status import ActionStatus, TimerStatus
from storage.timed import TimedRows

# The kinds of rounds: due-day reminders (daily), the digest (weekly).


@dataclass(frozen=True)
class Listing:
    """A page of action items and how many match in all."""

    items: list[ActionItem]
    total: int


class ActionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(
        self,
        *,
        room_id: str,
        text: str,
        creator: str,
        assignees: Sequence[str],
        now: datetime,
        due_at: datetime | None = None,
        due_has_time: bool = False,
        meeting_id: int | None = None,
        event_id: str | None = None,
    ) -> ActionItem:
        """Store an open item with the room's next short id; flushed, so its id is known."""
        number = next_number(self.session, ActionItem.short_id, ActionItem.room_id == room_id)
        item = ActionItem(
            room_id=room_id,
            short_id=number,
            text=text,
            creator=creator,
            created_at=now,
            event_id=event_id,
            meeting_id=meeting_id,
            due_at=due_at,
            due_has_time=due_has_time,
            status=ActionStatus.OPEN,
        )
        self.session.add(item)
        self.session.flush()
        self.set_assignees(item, assignees)
        return item

    def get(self, action_id: int) -> ActionItem | None:
        return self.session.get(ActionItem, action_id)

    def get_many(self, action_ids: Iterable[int]) -> dict[int, ActionItem]:
        ids = list(action_ids)
        found: dict[int, ActionItem] = {}
        for start in range(0, len(ids), 500):
            rows = self.session.scalars(
                select(ActionItem).where(ActionItem.id.in_(ids[start : start + 500]))
            )
            found.update({row.id: row for row in rows})
        return found

    def by_short_id(self, room_id: str, short_id: int) -> ActionItem | None:
        return self.session.scalar(
            select(ActionItem).where(ActionItem.room_id == room_id, ActionItem.short_id == short_id)
        )

    def by_event(self, room_id: str, event_id: str) -> list[ActionItem]:
        return list(
            self.session.scalars(
                select(ActionItem).where(
                    ActionItem.room_id == room_id, ActionItem.event_id == event_id
                )
            )
        )

    def set_assignees(self, item: ActionItem, assignees: Sequence[str]) -> None:
        self.session.execute(delete(ActionAssignee).where(ActionAssignee.action_id == item.id))
        for position, assignee in enumerate(dict.fromkeys(assignees)):
            self.session.add(
                ActionAssignee(
                    action_id=item.id,
                    position=position,
                    assignee=assignee,
                    room_id=item.room_id,
                    status=item.status,
                    due_at=item.due_at,
                )
            )
        self.session.flush()

    def assignees(self, action_ids: Iterable[int]) -> dict[int, list[str]]:
        """Assignees of each item, in the order given."""
        ids = list(action_ids)
        found: dict[int, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), 500):
            rows = self.session.execute(
                select(ActionAssignee.action_id, ActionAssignee.assignee)
                .where(ActionAssignee.action_id.in_(ids[start : start + 500]))
                .order_by(ActionAssignee.action_id, ActionAssignee.position)
            )
            for action_id, assignee in rows:
                found[action_id].append(assignee)
        return found

    def _mirror(self, item: ActionItem) -> None:
        """Keep the item's status and due date on its assignee rows (they index by them)."""
        self.session.execute(
            update(ActionAssignee)
            .where(ActionAssignee.action_id == item.id)
            .values(status=item.status, due_at=item.due_at)
        )

    def close(self, item: ActionItem, status: str, by: str, now: datetime) -> None:
        item.status, item.closed_by, item.closed_at = status, by, now
        self._mirror(item)

    def reopen(self, item: ActionItem) -> None:
        item.status, item.closed_by, item.closed_at = ActionStatus.OPEN, None, None
        self._mirror(item)

    def set_due(self, item: ActionItem, due_at: datetime | None, has_time: bool) -> None:
        item.due_at, item.due_has_time = due_at, has_time
        self._mirror(item)

    def remove(self, item: ActionItem) -> None:
        """Delete an item as if it never was (undone, or its message redacted)."""
        self.session.delete(item)
        self.session.flush()

    def add_note(
        self, item: ActionItem, text: str, author: str, now: datetime, event_id: str | None
    ) -> ActionNote:
        note = ActionNote(
            action_id=item.id, text=text, author=author, created_at=now, event_id=event_id
        )
        self.session.add(note)
        self.session.flush()
        return note

    def notes(self, action_id: int) -> list[ActionNote]:
        return list(
            self.session.scalars(
                select(ActionNote).where(ActionNote.action_id == action_id).order_by(ActionNote.id)
            )
        )

    def remove_notes_of_event(self, event_id: str) -> int:
        result = self.session.execute(delete(ActionNote).where(ActionNote.event_id == event_id))
        return result.rowcount or 0

    # --- Listings (bounded: a room may hold many thousands of items) ---------------------

    def _count(self, query: Select) -> int:
        # Without ORDER BY, so the database counts from an index instead of sorting first.
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        return self.session.scalar(counted) or 0

    def _page(self, query: Select, limit: int) -> Listing:
        return Listing(list(self.session.scalars(query.limit(limit))), self._count(query))

    def _open_page(self, query: Select, limit: int) -> Listing:
        """Soonest due first, then items without a due date by number: two queries that each
        follow an index, rather than one that sorts every open item of the room."""
        dated = query.where(ActionItem.due_at.is_not(None))
        items = list(
            self.session.scalars(
                dated.order_by(ActionItem.due_at, ActionItem.short_id).limit(limit)
            )
        )
        if len(items) < limit:
            undated = query.where(ActionItem.due_at.is_(None)).order_by(ActionItem.short_id)
            items += list(self.session.scalars(undated.limit(limit - len(items))))
        return Listing(items, self._count(query))

    def open_in_room(self, room_id: str, limit: int) -> Listing:
        query = select(ActionItem).where(
            ActionItem.room_id == room_id, ActionItem.status == ActionStatus.OPEN
        )
        return self._open_page(query, limit)

    def overdue(self, room_id: str, now: datetime, limit: int) -> Listing:
        query = select(ActionItem).where(
            ActionItem.room_id == room_id,
            ActionItem.status == ActionStatus.OPEN,
            ActionItem.due_at < now,
        )
        return self._page(query.order_by(ActionItem.due_at, ActionItem.short_id), limit)

    def open_for(self, room_id: str, assignee: str, limit: int) -> Listing:
        """A person's open items in a room, in the same order as open_in_room, read from the
        assignee index rather than from every open item of the room."""
        theirs = select(ActionAssignee.action_id).where(
            ActionAssignee.assignee == assignee,
            ActionAssignee.room_id == room_id,
            ActionAssignee.status == ActionStatus.OPEN,
        )
        ids = list(
            self.session.scalars(
                theirs.where(ActionAssignee.due_at.is_not(None))
                .order_by(ActionAssignee.due_at, ActionAssignee.action_id)
                .limit(limit)
            )
        )
        if len(ids) < limit:
            undated = theirs.where(ActionAssignee.due_at.is_(None))
            ids += self.session.scalars(
                undated.order_by(ActionAssignee.action_id).limit(limit - len(ids))
            )
        found = self.get_many(ids)
        return Listing([found[i] for i in ids if i in found], self._count(theirs))

    def closed(self, room_id: str, status: str, limit: int) -> Listing:
        query = select(ActionItem).where(ActionItem.room_id == room_id, ActionItem.status == status)
        return self._page(query.order_by(ActionItem.closed_at.desc(), ActionItem.id.desc()), limit)

    def everything(self, room_id: str, limit: int) -> Listing:
        query = select(ActionItem).where(ActionItem.room_id == room_id)
        return self._page(query.order_by(ActionItem.short_id.desc()), limit)

    def of_meeting(self, meeting_id: int) -> list[ActionItem]:
        return list(
            self.session.scalars(
                select(ActionItem)
                .where(ActionItem.meeting_id == meeting_id)
                .order_by(ActionItem.short_id)
            )
        )

    def open_at(
        self, room_id: str, before: datetime, at: datetime, exclude_meeting: int | None, limit: int
    ) -> Listing:
        """Items created before `before` that were still open at `at` (carried into minutes)."""
        query = select(ActionItem).where(
            ActionItem.room_id == room_id,
            ActionItem.created_at < before,
            (ActionItem.status == ActionStatus.OPEN) | (ActionItem.closed_at > at),
        )
        if exclude_meeting is not None:
            query = query.where(
                (ActionItem.meeting_id.is_(None)) | (ActionItem.meeting_id != exclude_meeting)
            )
        return self._page(query.order_by(ActionItem.short_id), limit)

    def rooms_with_open_items(self) -> list[str]:
        return list(
            self.session.scalars(
                select(ActionItem.room_id)
                .where(ActionItem.status == ActionStatus.OPEN)
                .distinct()
                .order_by(ActionItem.room_id)
            )
        )

    def due_between(self, start: datetime, end: datetime) -> list[ActionItem]:
        """Open items of every room due in [start, end), by room and due time."""
        return list(
            self.session.scalars(
                select(ActionItem)
                .where(
                    ActionItem.status == ActionStatus.OPEN,
                    ActionItem.due_at >= start,
                    ActionItem.due_at < end,
                )
                .order_by(ActionItem.room_id, ActionItem.due_at, ActionItem.short_id)
            )
        )

    def count_open(self, room_id: str) -> int:
        return (
            self.session.scalar(
                select(func.count()).where(
                    ActionItem.room_id == room_id, ActionItem.status == ActionStatus.OPEN
                )
            )
            or 0
        )


class TimerRepository(TimedRows[ActionTimer]):
    """Rows of the rounds of notices (daily due-day reminders, weekly digest): the timer
    service claims each once (see storage/timed.py)."""

    model = ActionTimer

    def add(self, kind: str, due_at: datetime) -> ActionTimer:
        timer = ActionTimer(kind=kind, due_at=due_at, status=TimerStatus.PENDING)
        self.session.add(timer)
        self.session.flush()
        return timer

    def pending_of(self, kind: str) -> list[ActionTimer]:
        return list(
            self.session.scalars(
                select(ActionTimer)
                .where(ActionTimer.kind == kind, ActionTimer.status == TimerStatus.PENDING)
                .order_by(ActionTimer.due_at, ActionTimer.id)
            )
        )

    def last_sent(self, kind: str, before_id: int) -> ActionTimer | None:
        """The round of this kind sent before timer `before_id`, if any."""
        return self.session.scalar(
            select(ActionTimer)
            .where(
                ActionTimer.kind == kind,
                ActionTimer.status == TimerStatus.SENT,
                ActionTimer.id != before_id,
            )
            .order_by(ActionTimer.sent_at.desc(), ActionTimer.id.desc())
            .limit(1)
        )

    def cancel(self, timer: ActionTimer) -> None:
        timer.status = TimerStatus.CANCELLED
