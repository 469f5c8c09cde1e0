"""Meeting reminders: at each reminder row's time the room is told what is coming, who comes.

The rows are planned by commands/meetings.py when a meeting is scheduled or moved; the timer
service (bot/scheduler.py) fires each once, late ones marked late, and a delivered reminder of
a series plans the next occurrence's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.dispatch import Defaults
from bot.features import Timer
from bot.i18n import translator
from bot.replies import Reply, ToRoom, bold, fmt
from commands.meetings import (
    mentions_of,
    schedule_reminders,
    show_minutes,
    show_time,
    when_lines,
)
from storage.meetings import SCHEDULED, MeetingRepository, ReminderRepository
from storage.models import Meeting, Reminder
from storage.rooms import RoomRepository


def reminder_notice(
    session: Session, meeting: Meeting, reminder: Reminder, late: bool, language: str, zone: str
) -> Reply:
    """The reminder: title, time, place, agenda and who said yes (mentioned)."""
    _ = translator(language)
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
        lines.append([_("Coming: "), *mentions_of(coming)])
    else:
        lines.append(_("Nobody has said yes yet."))
    return Reply.of(*lines, mentions=coming)


def deliver_reminder(
    session: Session, reminder: Reminder, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed reminder's notice, and the series' next reminders planned.

    Runs in the transaction that claimed the reminder: all of it happens, or none."""
    meeting = MeetingRepository(session).get(reminder.meeting_id)
    if meeting is None or meeting.status != SCHEDULED:
        return []
    room = RoomRepository(session).get(meeting.room_id)
    language = (room and room.language) or settings.language
    zone = (room and room.timezone) or settings.timezone
    reply = reminder_notice(session, meeting, reminder, late, language, zone)
    schedule_reminders(session, meeting, now)
    return [ToRoom(meeting.room_id, reply)]


# Each reminder row fires once at its time (job `reminder:<id>`).
REMINDERS = Timer("reminder", ReminderRepository, deliver_reminder)
