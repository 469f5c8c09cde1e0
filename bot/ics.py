"""A meeting as an iCalendar file (RFC 5545) that Outlook, Thunderbird, Google and Apple import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//wgbot//meetings//EN"


@dataclass(frozen=True)
class CalendarMeeting:
    """What the file says about a meeting (no database types here)."""

    uid: str
    title: str
    start: datetime  # aware, in the meeting's zone
    end: datetime
    zone: str
    rrule: str | None
    place: str | None
    agenda: Sequence[str]
    organizer: str  # Matrix user id of whoever scheduled it
    room: str  # the room's name or id
    cancelled: bool
    stamp: datetime


def render_ics(meeting: CalendarMeeting) -> bytes:
    """The .ics bytes: one VEVENT with TZID times, its RRULE, and the VTIMEZONE it needs."""
    # Imported here, not at the top: icalendar would cost every running bot 3 MiB for one command.
    from icalendar import Calendar, Event, Timezone, vRecur

    tz = ZoneInfo(meeting.zone)
    start, end = meeting.start.astimezone(tz), meeting.end.astimezone(tz)
    lines = [f"Room: {meeting.room}", f"Scheduled by: {meeting.organizer}"]
    if meeting.agenda:
        lines += ["", "Agenda:"] + [f"{i}. {item}" for i, item in enumerate(meeting.agenda, 1)]
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.stamp)
    event.add("summary", meeting.title)
    event.add("dtstart", start)
    event.add("dtend", end)
    if meeting.rrule:
        event.add("rrule", vRecur.from_ical(meeting.rrule))
    if meeting.place:
        event.add("location", meeting.place)
        if meeting.place.startswith(("https://", "http://")):
            event.add("url", meeting.place)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    # A Matrix id is no e-mail address: ORGANIZER needs a URI, so it goes in X- properties.
    event.add("x-wgbot-organizer", meeting.organizer)
    event.add("x-wgbot-room", meeting.room)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    # The zone's rules from a year before the first start up to a few years of the series.
    last = end.date() + timedelta(days=366 * (5 if meeting.rrule else 1))
    first = start.date() - timedelta(days=366)
    calendar.add_component(
        Timezone.from_tzinfo(tz, tzid=meeting.zone, first_date=first, last_date=last)
    )
    calendar.add_component(event)
    return calendar.to_ical()
