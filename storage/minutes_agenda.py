"""Repository of a recorded meeting's plan: the scheduled meeting it records and the agenda
items it took from it, each reached once `!next` recorded its topic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import MinutesAgendaItem, MinutesItem, MinutesMeeting
from storage.numbering import next_number


@dataclass(frozen=True)
class PlannedTopic:
    """An agenda item of a recorded meeting and the seq of the topic that took it up, if any."""

    id: int
    position: int
    text: str
    topic_seq: int | None

    @property
    def reached(self) -> bool:
        return self.topic_seq is not None


class MinutesAgendaRepository:
    def __init__(self, session: Session):
        self.session = session

    def link(self, meeting: MinutesMeeting, scheduled_id: int, scheduled_at: datetime) -> None:
        """Record which scheduled meeting (and which of its occurrences) the meeting records."""
        meeting.scheduled_meeting_id, meeting.scheduled_at = scheduled_id, scheduled_at

    def extend(self, meeting_id: int, items: Iterable[tuple[int, str]]) -> int:
        """Add the scheduled agenda's items (position, text) not taken yet; how many."""
        taken = next_number(
            self.session, MinutesAgendaItem.position, MinutesAgendaItem.meeting_id == meeting_id
        )
        added = 0
        for position, text in items:
            if position >= taken:
                self.session.add(
                    MinutesAgendaItem(meeting_id=meeting_id, position=position, text=text)
                )
                added += 1
        if added:
            self.session.flush()
        return added

    def items(self, meeting_id: int) -> list[PlannedTopic]:
        """The meeting's agenda in order; an item is reached while its topic item exists."""
        rows = self.session.execute(
            select(MinutesAgendaItem, MinutesItem.seq)
            .outerjoin(MinutesItem, MinutesItem.id == MinutesAgendaItem.topic_item_id)
            .where(MinutesAgendaItem.meeting_id == meeting_id)
            .order_by(MinutesAgendaItem.position)
        )
        return [PlannedTopic(row.id, row.position, row.text, seq) for row, seq in rows]

    def reach(self, agenda_item_id: int, topic_item_id: int) -> None:
        """The item was taken up: `topic_item_id` is the topic recorded for it."""
        row = self.session.get(MinutesAgendaItem, agenda_item_id)
        if row is not None:
            row.topic_item_id = topic_item_id
