"""A recorded meeting's plan from the rows: the scheduled meeting `!startmeeting` links to (the
room's meeting starting within two hours, or one named by its number), the agenda it brings,
and the plan as the minutes show it. Used by commands/minutes.py (the link at the start),
commands/minutes_agenda.py (`!next`) and bot/minutes/rows.py (the minutes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.i18n import N_, Translate
from bot.minutes.agenda import AgendaEntry, ScheduledLink
from bot.parsing import UsageError
from bot.recurrence import next_occurrence, occurrences
from bot.replies import Fragment, bold, code, fmt
from storage.meetings import MeetingRepository
from storage.minutes_agenda import MinutesAgendaRepository, PlannedTopic
from storage.models import Meeting, MinutesMeeting
from storage.status import MeetingStatus

# `!startmeeting` links to the room's scheduled meeting starting this close to now.
LINK_WINDOW = timedelta(hours=2)


def nearest_occurrence(
    meeting: Meeting, now: datetime, before: timedelta, after: timedelta
) -> datetime | None:
    """The meeting's start (a series' occurrence, UTC) nearest to now, between `before` now and
    `after` it; None if none is."""
    found: datetime | None = None
    since = now - before - timedelta(microseconds=1)  # occurrences() is strictly after
    for start in occurrences(meeting.start_at, meeting.timezone, meeting.rrule, after=since):
        start = start.astimezone(UTC)
        if start > now + after:
            break
        if found is None or abs(start - now) < abs(found - now):
            found = start
    return found


def scheduled_now(session: Session, room_id: str, now: datetime) -> tuple[Meeting, datetime] | None:
    """The room's scheduled meeting starting within two hours of now (before or after), the
    nearest one (the lower number if two are as near), with the occurrence's start."""
    best: tuple[timedelta, int, Meeting, datetime] | None = None
    for meeting in MeetingRepository(session).scheduled(room_id, now - LINK_WINDOW):
        start = nearest_occurrence(meeting, now, LINK_WINDOW, LINK_WINDOW)
        if start is None:
            continue
        key = (abs(start - now), meeting.short_id)
        if best is None or key < best[:2]:
            best = (*key, meeting, start)
    return None if best is None else (best[2], best[3])


def scheduled_by_number(
    session: Session, room_id: str, short_id: int, now: datetime
) -> tuple[Meeting, datetime]:
    """The room's scheduled meeting #short_id and the occurrence recorded: the one nearest to
    now within two hours (or while it lasts), else the next, else its first start."""
    meeting = MeetingRepository(session).by_short_id(room_id, short_id)
    if meeting is None:
        raise UsageError(N_("There is no meeting #{id} in this room."), id=short_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise UsageError(N_("Meeting #{id} is cancelled."), id=short_id)
    lasts = max(LINK_WINDOW, meeting.end_at - meeting.start_at)
    start = (
        nearest_occurrence(meeting, now, lasts, LINK_WINDOW)
        or next_occurrence(meeting.start_at, meeting.timezone, meeting.rrule, after=now)
        or meeting.start_at
    )
    return meeting, start.astimezone(UTC)


@dataclass(frozen=True)
class Scheduled:
    """A scheduled meeting and the start of the occurrence a recorded meeting records."""

    meeting: Meeting
    start: datetime


def find_scheduled(
    session: Session, room_id: str, now: datetime, short_id: int | None
) -> Scheduled | None:
    """What `!startmeeting` links to: meeting #short_id if named, else the one starting within
    two hours, if any."""
    if short_id is not None:
        return Scheduled(*scheduled_by_number(session, room_id, short_id, now))
    found = scheduled_now(session, room_id, now)
    return None if found is None else Scheduled(*found)


def link(session: Session, recorded: MinutesMeeting, scheduled: Scheduled) -> int:
    """Link the recorded meeting to the scheduled one and take its agenda; how many items."""
    plans = MinutesAgendaRepository(session)
    plans.link(recorded, scheduled.meeting.id, scheduled.start)
    return plans.extend(recorded.id, _agenda_of(session, scheduled.meeting.id))


def linked_lines(
    scheduled: Scheduled | None, count: int, prefix: str, _: Translate
) -> list[Fragment]:
    """What `!startmeeting` says of the link: which meeting, how many agenda items."""
    if scheduled is None:
        return []
    lines = [
        fmt(
            _.ngettext(
                "Linked to meeting #{id} {title}; agenda: {count} item.",
                "Linked to meeting #{id} {title}; agenda: {count} items.",
                count,
            ),
            id=str(scheduled.meeting.short_id),
            title=bold(scheduled.meeting.title),
            count=str(count),
        )
    ]
    if count:
        lines.append(
            fmt(
                _("Take up its items in turn with {next}; {topic} still sets any other topic."),
                next=code(f"{prefix}next"),
                topic=code(f"{prefix}topic"),
            )
        )
    return lines


def agenda(session: Session, recorded: MinutesMeeting) -> list[PlannedTopic]:
    """The recorded meeting's agenda, with the items added to the scheduled agenda since."""
    plans = MinutesAgendaRepository(session)
    if recorded.scheduled_meeting_id is not None:
        plans.extend(recorded.id, _agenda_of(session, recorded.scheduled_meeting_id))
    return plans.items(recorded.id)


def _agenda_of(session: Session, meeting_id: int) -> list[tuple[int, str]]:
    return [(item.position, item.text) for item in MeetingRepository(session).agenda(meeting_id)]


def load_plan(
    session: Session, recorded: MinutesMeeting, now: datetime
) -> tuple[ScheduledLink | None, tuple[AgendaEntry, ...]]:
    """What the minutes say of the plan: the linked meeting and its agenda, with the items
    added to the scheduled agenda before the meeting ended that `!next` never took up."""
    entries = [
        AgendaEntry(item.position, item.text, item.reached)
        for item in MinutesAgendaRepository(session).items(recorded.id)
    ]
    meeting = (
        MeetingRepository(session).get(recorded.scheduled_meeting_id)
        if recorded.scheduled_meeting_id is not None
        else None
    )
    if meeting is None or recorded.scheduled_at is None:
        return None, tuple(entries)
    last = entries[-1].position if entries else 0
    until = recorded.ended_at or now
    entries += [
        AgendaEntry(item.position, item.text, False)
        for item in MeetingRepository(session).agenda(meeting.id)
        if item.position > last and item.added_at <= until
    ]
    start = recorded.scheduled_at
    scheduled = ScheduledLink(
        meeting.short_id,
        meeting.title,
        start,
        start + (meeting.end_at - meeting.start_at),
        place=meeting.place,
    )
    return scheduled, tuple(entries)
