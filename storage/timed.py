"""Rows with a due time that are claimed once: what the timer service reads of a table.

A table of such rows (reminders, rounds of notices, polls' closing times) gets a repository
from `TimedRows`: it names its model, which rows are pending and what claiming writes, and
inherits pending/due/claim/get, so the timer service has one way to read them all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from storage.status import TimerStatus

Row = TypeVar("Row")


class TimedRows(Generic[Row]):
    """pending/due/claim/get over a model with `id`, `due_at` and a pending state."""

    model: ClassVar[Any]

    def __init__(self, session: Session):
        self.session = session

    def is_pending(self) -> ColumnElement[bool]:
        """Which rows still wait for their time (by default: status pending)."""
        return self.model.status == TimerStatus.PENDING

    def claimed(self, now: datetime) -> dict[str, Any]:
        """What claiming a row writes (by default: status sent, and when)."""
        return {"status": TimerStatus.SENT, "sent_at": now}

    def get(self, row_id: int) -> Row | None:
        return self.session.get(self.model, row_id)

    def pending(self, after_id: int = 0) -> list[tuple[int, datetime]]:
        """(id, due_at) of every pending row with an id above `after_id`, by id."""
        model = self.model
        rows = self.session.execute(
            select(model.id, model.due_at)
            .where(self.is_pending(), model.id > after_id)
            .order_by(model.id)
        )
        return [(row_id, due_at) for row_id, due_at in rows]

    def due(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending rows whose time has come, earliest first."""
        model = self.model
        return list(
            self.session.scalars(
                select(model.id)
                .where(self.is_pending(), model.due_at <= now)
                .order_by(model.due_at, model.id)
                .limit(limit)
            )
        )

    def claim(self, row_id: int, now: datetime) -> bool:
        """Mark a pending row done; True for exactly one caller, however many try."""
        result = self.session.execute(
            update(self.model)
            .where(self.model.id == row_id, self.is_pending())
            .values(**self.claimed(now))
        )
        return result.rowcount == 1
