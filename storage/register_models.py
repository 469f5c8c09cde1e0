"""Models of the decision register and of formal votes (kept apart from storage/models.py,
which holds the rest of the schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Decision(Base):
    """An entry of a room's decision register (D1, D2…): agreed, adopted, rejected or deferred.

    Made by a meeting's item (`!agreed`, `!rejected`, `!deferred`, a vote's close), which it
    follows: undone or redacted, the item takes its entry with it. Entries without a meeting or
    an author (a written procedure between meetings) are made by `DecisionRepository.add` too."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("room_id", "number", name="uq_decisions_room_number"),
        Index("ix_decisions_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    # The number members see and type (D1, D2… per room), never given twice in a room.
    number: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # agreed | adopted | rejected | deferred
    text: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="SET NULL")
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("minutes_items.id", ondelete="CASCADE"))
    topic: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime]
    author: Mapped[str | None] = mapped_column(String(255))
    # A vote's counts: {"for", "against", "abstain", "per_org"}; None for other entries.
    counts: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16))  # in_force | superseded | revoked
    superseded_by: Mapped[int | None] = mapped_column(Integer)  # the number of the one that did
    changed_at: Mapped[datetime | None]
    changed_by: Mapped[str | None] = mapped_column(String(255))


class DecisionNumber(Base):
    """The last register number given in a room: a number is never given twice, even once its
    entry was redacted."""

    __tablename__ = "decision_numbers"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Vote(Base):
    """A formal vote (`!vote`): a poll of kind `vote` held in a recorded meeting, and its outcome
    once closed (the minutes item and the register entry it made)."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_meeting", "meeting_id"),)

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    per_org: Mapped[bool] = mapped_column(Boolean)
    # The `!vote` command: its redaction takes the outcome's item (and register entry) with it.
    event_id: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str | None] = mapped_column(String(16))  # adopted|rejected|tied|no_quorum
    # {"for", "against", "abstain", "per_org", "voters": {"for": [names…], …}}
    counts: Mapped[dict[str, Any] | None]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("minutes_items.id", ondelete="SET NULL"))
