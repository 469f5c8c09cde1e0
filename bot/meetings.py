"""What a meeting says about its time and plans for its reminders and its call for agenda items,
shared by the meeting commands (commands/meetings.py), the reminders themselves
(commands/meeting_reminders.py), the calls (commands/agenda_calls.py) and find-a-time's booking
(commands/findtime.py): one way to schedule a meeting and echo it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.format import describe_recurrence, join_list, show_minutes, show_span
from bot.i18n import Translate
from bot.ics import CalendarMeeting
from bot.recurrence import DEFAULT_OFFSETS, next_occurrence, plan_agenda_call, plan_reminders
from bot.replies import Purpose, PurposeKind, Reply, bold, code, fmt
from bot.rooms import RoomSettings
from storage.findtimes import FindTimeRepository
from storage.meetings import AgendaCallRepository, MeetingRepository, ReminderRepository
from storage.models import AgendaCall, Meeting
from storage.status import MeetingStatus

DEFAULT_DURATION = timedelta(hours=1)
MAX_TITLE = 200


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start of the coming (or current) occurrence; None once a single meeting is over."""
    duration = meeting.end_at - meeting.start_at
    return next_occurrence(meeting.start_at, meeting.timezone, meeting.rrule, after=now - duration)


def when_lines(
    meeting: Meeting, start: datetime, room_zone: str, _: Translate, language: str
) -> list:
    """When (in the room's zone, and in the meeting's own if it differs), and how it repeats."""
    end = start + (meeting.end_at - meeting.start_at)
    lines: list = [fmt(_("When: {when}"), when=bold(show_span(start, end, room_zone, language)))]
    if meeting.timezone != room_zone:
        lines.append(
            fmt(
                _("In its own zone: {when}"), when=show_span(start, end, meeting.timezone, language)
            )
        )
    if meeting.rrule:
        lines.append(
            fmt(
                _("Repeats: {rule}"),
                rule=describe_recurrence(
                    meeting.rrule, meeting.start_at, meeting.timezone, _, language
                ),
            )
        )
    if meeting.place:
        lines.append(fmt(_("Where: {place}"), place=meeting.place))
    return lines


def reminder_offsets(session: Session, room_id: str) -> tuple[int, ...]:
    """When the room is reminded of its meetings, in minutes before each."""
    chosen = MeetingRepository(session).reminder_offsets(room_id)
    return DEFAULT_OFFSETS if chosen is None else tuple(chosen)


def describe_offsets(offsets: tuple[int, ...], _: Translate, language: str) -> str:
    if not offsets:
        return _("No reminders in this room.")
    words = [show_minutes(m, language) for m in sorted(offsets, reverse=True)]
    return _("Reminders: {offsets} before.").format(offsets=join_list(words, _))


def schedule_reminders(session: Session, meeting: Meeting, now: datetime) -> int:
    """Create the meeting's reminder rows still to come (the next occurrence's, for a series),
    and its call for agenda items if the room wants one and none is pending; how many
    reminders."""
    schedule_agenda_call(session, meeting, now)
    reminders = ReminderRepository(session)
    plan = plan_reminders(
        meeting.start_at,
        meeting.timezone,
        meeting.rrule,
        reminder_offsets(session, meeting.room_id),
        now=now,
        planned=reminders.planned(meeting.id),
    )
    for item in plan:
        reminders.add(meeting.id, item.occurrence_at, item.due_at, item.offset_minutes)
    return len(plan)


def schedule_agenda_call(session: Session, meeting: Meeting, now: datetime) -> AgendaCall | None:
    """Plan the meeting's next call for agenda items (`!meeting cycle agenda-call`): one
    pending at a time, one sent per occurrence; the row planned, if one was."""
    lead = MeetingRepository(session).agenda_call_minutes(meeting.room_id)
    if not lead or meeting.status != MeetingStatus.SCHEDULED:
        return None
    calls = AgendaCallRepository(session)
    pending, sent = calls.planned(meeting.id)
    if pending:
        return None
    plan = plan_agenda_call(
        meeting.start_at, meeting.timezone, meeting.rrule, lead, now=now, sent=sent
    )
    if plan is None:
        return None
    return calls.add(meeting.id, plan.occurrence_at, plan.due_at, lead)


def calendar_meeting(session: Session, meeting: Meeting, now: datetime) -> CalendarMeeting:
    """What the .ics says; the UID is stable, so importing it again updates the event."""
    zone = ZoneInfo(meeting.timezone)
    server = meeting.room_id.partition(":")[2] or "wgbot"
    return CalendarMeeting(
        uid=f"meeting-{meeting.id}-{int(meeting.created_at.timestamp())}@{server}",
        title=meeting.title,
        start=meeting.start_at.astimezone(zone),
        end=meeting.end_at.astimezone(zone),
        zone=meeting.timezone,
        rrule=meeting.rrule,
        place=meeting.place,
        agenda=[item.text for item in MeetingRepository(session).agenda(meeting.id)],
        organizer=meeting.creator,
        room=meeting.room_id,
        cancelled=meeting.status != MeetingStatus.SCHEDULED,
        stamp=now,
    )


# --- Scheduling a meeting -----------------------------------------------------------------


def schedule_meeting(
    session: Session,
    *,
    room_id: str,
    title: str,
    start_at: datetime,
    end_at: datetime,
    timezone: str,
    rrule: str | None,
    place: str | None,
    creator: str,
    now: datetime,
) -> Meeting:
    """Store a meeting and plan its reminders: what `!meeting add` and `!findtime book` do."""
    meeting = MeetingRepository(session).add(
        room_id=room_id,
        title=title,
        start_at=start_at,
        end_at=end_at,
        timezone=timezone,
        rrule=rrule,
        place=place,
        creator=creator,
        now=now,
    )
    schedule_reminders(session, meeting, now)
    return meeting


def origin_lines(session: Session, meeting: Meeting, _: Translate) -> list:
    """Where the meeting came from, if not from `!meeting add`: a find-a-time."""
    findtime = FindTimeRepository(session).by_meeting(meeting.id)
    if findtime is None:
        return []
    return [_("Booked from find-a-time #{id}.").format(id=findtime.short_id)]


def announcement(
    session: Session, meeting: Meeting, room: RoomSettings, *, notes: list = ()
) -> Reply:
    """The echo of a meeting just scheduled (with `notes` on how it was read); it is the
    meeting's announcement, whose reactions are answers."""
    _ = room._
    lines: list = [
        fmt(
            _("Meeting #{id} scheduled: {title}"),
            id=str(meeting.short_id),
            title=bold(meeting.title),
        ),
        *when_lines(meeting, meeting.start_at, room.timezone, _, room.language),
        *notes,
        *origin_lines(session, meeting, _),
        describe_offsets(reminder_offsets(session, meeting.room_id), _, room.language),
        fmt(
            _("Answer with ✅ ❌ ❓ on this message, or {rsvp}."),
            rsvp=code(f"{room.prefix}meeting rsvp {meeting.short_id} yes|no|maybe"),
        ),
    ]
    return Reply.of(*lines).for_purpose(Purpose(PurposeKind.MEETING, meeting.id))
