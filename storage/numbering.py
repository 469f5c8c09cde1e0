"""The numbers members see and type (meeting #3, poll #2, amendment 1…): one more than the highest."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def next_number(session: Session, column: InstrumentedAttribute, *where: ColumnElement) -> int:
    """The next number in `column` among the rows matching `where` (1 for the first)."""
    return (session.scalar(select(func.max(column)).where(*where)) or 0) + 1
