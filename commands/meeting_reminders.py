"""Meeting reminders: at each reminder row's time the room is told what is coming, who comes.

The rows are planned (bot/meetings.py) by commands/meetings.py when a meeting is scheduled or moved; the timer
service (bot/scheduler.py) fires each once, late ones marked late, and a delivered reminder of
a series plans the next occurrence's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dispatch import Defaults
from bot.features import Timer
from bot.format import joined, show_minutes, show_time
from bot.meetings import schedule_reminders, when_lines
from bot.replies import Reply, ToRoom, bold, fmt
from bot.rooms import RoomSettings, room_settings
from storage.meetings import MeetingRepository, ReminderRepository
from storage.models import Meeting, Reminder
from storage.status import MeetingStatus


def reminder_notice(
    session: Session, meeting: Meeting, reminder: Reminder, late: bool, room: RoomSettings
) -> Reply:
    """The reminder: title, time, place, agenda and who said yes (mentioned)."""
    _, language, zone = room._, room.language, room.timezone
    meetings = MeetingRepository(session)
    title = bold(meeting.title)
    if late:
        first = fmt(
            _("Reminder (late: was due at {due}): {title} (#{id})."),
            due=show_time(reminder.due_at, zone, language),
            title=title,
            id=str(meeting.short_id),
        )
    else:
        first = fmt(
            _("Reminder: {title} (#{id}) starts in {delay}."),
            title=title,
            id=str(meeting.short_id),
            delay=show_minutes(reminder.offset_minutes, language),
        )
    lines: list = [first, *when_lines(meeting, reminder.occurrence_at, zone, _, language)]
    agenda = meetings.agenda(meeting.id)
    if agenda:
        lines.append(bold(_("Agenda")))
        lines.extend(f"{item.position}. {item.text}" for item in agenda)
    coming = [user for user, answer in meetings.rsvps(meeting.id).items() if answer == "yes"]
    if coming:
        lines.append(fmt(_("Coming: {people}"), people=joined(coming)))
    else:
        lines.append(_("Nobody has said yes yet."))
    return Reply.of(*lines, mentions=coming)


def deliver_reminder(
    session: Session, reminder: Reminder, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed reminder's notice, and the series' next reminders planned.

    Runs in the transaction that claimed the reminder: all of it happens, or none."""
    meeting = MeetingRepository(session).get(reminder.meeting_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return []
    room = room_settings(session, meeting.room_id, settings)
    reply = reminder_notice(session, meeting, reminder, late, room)
    schedule_reminders(session, meeting, now)
    return [ToRoom(meeting.room_id, reply)]


# Each reminder row fires once at its time (job `reminder:<id>`).
REMINDERS = Timer("reminder", ReminderRepository, deliver_reminder)
