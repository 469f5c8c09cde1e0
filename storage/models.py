"""Typed SQLAlchemy 2 models: the database is the source of truth for everything the bot keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC and gives them back aware, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Room(Base):
    """Per-room settings; a room has a row once someone changed a setting or the bot noted something."""

    __tablename__ = "rooms"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    unencrypted_notice_at: Mapped[datetime | None]


class RoomMember(Base):
    """A member joined to a room (the bot itself excluded), as the last sync saw the room."""

    __tablename__ = "room_members"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(Text)


class HandledEvent(Base):
    """An event whose effects are committed; written in the same transaction as those effects."""

    __tablename__ = "handled_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    handled_at: Mapped[datetime]


class SyncState(Base):
    """Small key/value facts about the sync: the token to resume from."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LogEntry(Base):
    """One row of the structured log: what a member told the bot or what the bot created."""

    __tablename__ = "log_entries"
    __table_args__ = (Index("ix_log_entries_room_ts", "room_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    ts: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]


class OutboxMessage(Base):
    """A message decided but not yet sent; deleted once the homeserver has it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, never reused: SQLite may hand out a deleted row's id again, the homeserver
    # would then take a new message for a retry of an old one and drop it.
    txn_id: Mapped[str] = mapped_column(String(64), unique=True)
    room_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(255))
    content: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    # What the sent event stands for ("meeting:42"), so its event id can be recorded once sent.
    purpose: Mapped[str | None] = mapped_column(String(255))
    # A file to upload (encrypted in encrypted rooms) before sending: filename, mimetype, base64.
    attachment: Mapped[dict[str, Any] | None]


class DevicePin(Base):
    """A member device's signing key as first seen (trust on first use)."""

    __tablename__ = "device_pins"

    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    ed25519: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime]
    changed_at: Mapped[datetime | None]


class UndecryptableEvent(Base):
    """A room event the bot could not decrypt yet, kept until its key arrives or the sender is told."""

    __tablename__ = "undecryptable_events"
    __table_args__ = (Index("ix_undecryptable_session", "session_id"),)

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    session_id: Mapped[str] = mapped_column(String(255))
    source: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]


class Meeting(Base):
    """A scheduled meeting of a room: start in UTC with its IANA zone, optional RRULE."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("room_id", "short_id", name="uq_meetings_room_short_id"),
        Index("ix_meetings_announcement", "announcement_event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    # The number members see and type (1, 2, 3… per room).
    short_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    # RRULE value without "RRULE:", read from the first local start in `timezone`.
    rrule: Mapped[str | None] = mapped_column(String(255))
    place: Mapped[str | None] = mapped_column(Text)
    creator: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # scheduled | cancelled
    announcement_event_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class AgendaItem(Base):
    """One item of a meeting's agenda, in the order it was added."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "position", name="uq_agenda_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime]


class Rsvp(Base):
    """A member's latest answer to a meeting (the whole series, for a recurring one)."""

    __tablename__ = "rsvps"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    answer: Mapped[str] = mapped_column(String(8))  # yes | no | maybe
    updated_at: Mapped[datetime]


class ReminderOffsets(Base):
    """A room's choice of reminder offsets; rooms without a row use the default."""

    __tablename__ = "reminder_offsets"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    minutes: Mapped[list[int]] = mapped_column(JSON)  # minutes before the start; [] = none


class Reminder(Base):
    """A reminder of one occurrence of a meeting: the row is the truth, the timer follows it."""

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_meeting", "meeting_id", "occurrence_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime]
    due_at: Mapped[datetime]
    offset_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | cancelled
    sent_at: Mapped[datetime | None]


class Poll(Base):
    """A native poll (MSC3381) the bot started: its answers, closing time and state.

    `closes_at` with status `open` is the scheduled row for its closing. `ended_at` is the poll
    end event's origin_server_ts once known: only responses on or before it count."""

    __tablename__ = "polls"
    __table_args__ = (
        UniqueConstraint("room_id", "short_id", name="uq_polls_room_short_id"),
        Index("ix_polls_start_event", "start_event_id"),
        Index("ix_polls_status_closes", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    # The number members see and type (1, 2, 3… per room).
    short_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # poll | findtime (earlier) | findtime-slot
    question: Mapped[str] = mapped_column(Text)
    # [{"id", "text"}] in order; a find-a-time slot also has "start" and "end" (ISO, UTC).
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    max_selections: Mapped[int] = mapped_column(Integer)
    secret: Mapped[bool] = mapped_column(Boolean)
    # The room's zone when the poll was made: how its slots were read and shown.
    timezone: Mapped[str] = mapped_column(String(64))
    creator: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    closes_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    start_event_id: Mapped[str | None] = mapped_column(String(255))
    end_event_id: Mapped[str | None] = mapped_column(String(255))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(255))
    ended_at: Mapped[datetime | None]
    # The tally as posted at the close (and as corrected once the end's time was known).
    result: Mapped[dict[str, Any] | None]
    # The closing time under the name the timer service reads (storage/timed.py).
    due_at = synonym("closes_at")


class PollResponse(Base):
    """A response to a poll as received (every one is kept; the tally decides what counts)."""

    __tablename__ = "poll_responses"
    __table_args__ = (Index("ix_poll_responses_poll", "poll_id", "id"),)

    # Growing ids keep the order of arrival: of two responses with one timestamp, the first stays.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(255))
    # The answer ids as sent; NULL when the response held no list (a spoilt vote).
    answers: Mapped[list[Any] | None] = mapped_column(JSON)
    ts: Mapped[datetime]  # origin_server_ts
    received_at: Mapped[datetime]


class PollReminder(Base):
    """`--remind`: the one mention of those who have not voted, `due_at` before the poll closes."""

    __tablename__ = "poll_reminders"
    __table_args__ = (Index("ix_poll_reminders_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), unique=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | sent
    sent_at: Mapped[datetime | None]


class MinutesMeeting(Base):
    """A meeting recorded with !startmeeting: running until !endmeeting, then its minutes.

    `seq` counts what the meeting recorded (log lines and items): their order, whatever the
    clocks say, so a line belongs to the topic set last before it."""

    __tablename__ = "minutes_meetings"
    __table_args__ = (
        UniqueConstraint("room_id", "short_id", name="uq_minutes_meetings_room_short_id"),
        Index("ix_minutes_meetings_room_status", "room_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    # The number members see and type (1, 2, 3… per room).
    short_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)  # "" once the message that gave it was redacted
    start_event_id: Mapped[str | None] = mapped_column(String(255))
    started_by: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime]
    ended_by: Mapped[str | None] = mapped_column(String(255))
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # running | ended
    chairs: Mapped[list[str]] = mapped_column(JSON)  # the starter first, then those added
    seq: Mapped[int] = mapped_column(Integer)
    # The scheduled meeting it records (`!startmeeting` within two hours of it, or `#<id>`),
    # and the start of the occurrence it records (UTC; a series' occurrence).
    scheduled_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    scheduled_at: Mapped[datetime | None]


class ActionItem(Base):
    """A tracked action item of a room: who does what by when, open until done or dropped."""

    __tablename__ = "action_items"
    __table_args__ = (
        UniqueConstraint("room_id", "short_id", name="uq_action_items_room_short_id"),
        Index("ix_action_items_room_status_due", "room_id", "status", "due_at"),
        Index("ix_action_items_room_status_closed", "room_id", "status", "closed_at"),
        Index("ix_action_items_status_due", "status", "due_at"),
        Index("ix_action_items_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    short_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    creator: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # The event (a command message) that created it: its redaction removes the item.
    event_id: Mapped[str | None] = mapped_column(String(255))
    # The recorded meeting it was decided in, if any.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_meetings.id", ondelete="SET NULL")
    )
    due_at: Mapped[datetime | None]
    # False: a day was given without a time (due_at is then the end of that day, local).
    due_has_time: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16))  # open | done | dropped
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(255))


class ActionAssignee(Base):
    """Who an action item is assigned to: a Matrix user id (@name:server) or a free name."""

    __tablename__ = "action_assignees"
    # A person's open items in a room, soonest due first, come straight from this index
    # (`!actions mine`): the item's room, status and due date are repeated here for it.
    __table_args__ = (
        Index("ix_action_assignees_assignee", "assignee", "room_id", "status", "due_at"),
    )

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignee: Mapped[str] = mapped_column(String(255))
    room_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None]


class ActionNote(Base):
    """A note added to an action item (`!action note`)."""

    __tablename__ = "action_notes"
    __table_args__ = (
        Index("ix_action_notes_action", "action_id", "id"),
        Index("ix_action_notes_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    event_id: Mapped[str | None] = mapped_column(String(255))


class ActionTimer(Base):
    """A scheduled round of notices about action items, for every room: the due-day reminders
    (daily) or the digest (weekly). The row is the truth; the timer follows it."""

    __tablename__ = "action_timers"
    __table_args__ = (Index("ix_action_timers_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # due | digest
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | cancelled
    sent_at: Mapped[datetime | None]


class MinutesItem(Base):
    """An item of a recorded meeting: topic, info, idea, agreed, action or link."""

    __tablename__ = "minutes_items"
    __table_args__ = (
        Index("ix_minutes_items_meeting_seq", "meeting_id", "seq"),
        Index("ix_minutes_items_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    event_id: Mapped[str | None] = mapped_column(String(255))
    # The register's action item that an `action` item created.
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_items.id", ondelete="SET NULL")
    )


class MinutesLine(Base):
    """A log entry (message or gap) recorded during a meeting, in the meeting's order."""

    __tablename__ = "minutes_lines"
    __table_args__ = (Index("ix_minutes_lines_meeting_seq", "meeting_id", "seq"),)

    log_entry_id: Mapped[int] = mapped_column(
        ForeignKey("log_entries.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)


class MinutesAgendaItem(Base):
    """An agenda item of a recorded meeting, taken from its scheduled meeting: a planned topic.

    `topic_item_id` is the topic `!next` recorded for it: reached while that item exists (an
    `!undo` or a redaction of it makes the item not reached again)."""

    __tablename__ = "minutes_agenda"
    __table_args__ = (
        UniqueConstraint("meeting_id", "position", name="uq_minutes_agenda_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("minutes_meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… as on the scheduled agenda
    text: Mapped[str] = mapped_column(Text)
    topic_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("minutes_items.id", ondelete="SET NULL")
    )


class MeetingCycle(Base):
    """A room's choices about the cycle of its meetings: how long before each meeting the
    call for agenda items is posted (None: no call)."""

    __tablename__ = "meeting_cycles"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    agenda_call_minutes: Mapped[int | None] = mapped_column(Integer)


class AgendaCall(Base):
    """A call for agenda items before one occurrence of a meeting: the row is the truth, the
    timer follows it; one sent per occurrence."""

    __tablename__ = "agenda_calls"
    __table_args__ = (
        Index("ix_agenda_calls_status_due", "status", "due_at"),
        Index("ix_agenda_calls_meeting", "meeting_id", "occurrence_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime]
    due_at: Mapped[datetime]
    lead_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | cancelled
    sent_at: Mapped[datetime | None]
