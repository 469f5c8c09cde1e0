"""Meetings, pure parts: argument parsers, recurrence across DST, reminder plans, .ics, words."""

from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.format import describe_recurrence, show_minutes, show_span, show_time
from bot.i18n import translator
from bot.ics import CalendarMeeting, render_ics
from bot.parsing import UsageError
from bot.recurrence import next_occurrence, occurrences, plan_reminders
from commands.meetings import (
    AddArgs,
    parse_add,
    parse_agenda,
    parse_id,
    parse_move,
    parse_offsets,
    parse_rsvp,
)

LUX = "Europe/Luxembourg"
TZ = ZoneInfo(LUX)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "Plenary next Tuesday 14:00 for 2h every 3 months",
            AddArgs(None, "Plenary next Tuesday 14:00 for 2h every 3 months", None, None),
        ),
        (
            '"Jour fixe" every 2 weeks, Thursday 10am',
            AddArgs("Jour fixe", "every 2 weeks, Thursday 10am", None, None),
        ),
        ("« Comité » mardi à 10h", AddArgs("Comité", "mardi à 10h", None, None)),
        (
            "Plenary tomorrow 14:00 at the Ministry of Justice, room 3",
            AddArgs(None, "Plenary tomorrow 14:00", "the Ministry of Justice, room 3", None),
        ),
        (
            '"Call" tomorrow at 3pm at https://meet.example.org/wg-lux.',
            AddArgs("Call", "tomorrow at 3pm", "https://meet.example.org/wg-lux", None),
        ),
        (
            "Call at 3pm tomorrow at the Chamber",
            AddArgs(None, "Call at 3pm tomorrow", "the Chamber", None),
        ),
        (
            "Réunion demain à 15h à la Chambre des députés",
            AddArgs(None, "Réunion demain à 15h", "la Chambre des députés", None),
        ),
        (
            "Treffen morgen um 10 Uhr im Außenministerium",
            AddArgs(None, "Treffen morgen um 10 Uhr", "Außenministerium", None),
        ),
        # "at noon", "à partir de 14h": times, not places.
        ("Lunch at noon tomorrow", AddArgs(None, "Lunch at noon tomorrow", None, None)),
        (
            "Réunion à partir de 14h demain",
            AddArgs(None, "Réunion à partir de 14h demain", None, None),
        ),
        (
            "Budget review tomorrow 10:00 for 90 min --tz America/New_York",
            AddArgs(None, "Budget review tomorrow 10:00 for 90 min", None, "America/New_York"),
        ),
    ],
)
def test_parse_add(raw, expected):
    assert parse_add(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Say when the meeting is"),
        ('"Plenary next Tuesday', "A quote is not closed"),
        ("Plenary tomorrow 10:00 --tz Mars/Olympus", "is not a time zone I know"),
        ('"' + "x" * 300 + '" tomorrow 10:00', "The title is too long"),
    ],
)
def test_parse_add_refuses(raw, message):
    with pytest.raises(UsageError) as error:
        parse_add(raw)
    assert message in error.value.render(lambda s: s)


def test_ids_answers_agenda_and_moves():
    assert parse_id("3") == parse_id("#3") == 3
    for bad in ("", "x", "0", "3 4", "-1"):
        with pytest.raises(UsageError):
            parse_id(bad)
    assert parse_rsvp("2 yes") == parse_rsvp("#2 Oui") == parse_rsvp("2 ja") == (2, "yes")
    assert parse_rsvp("2 non") == parse_rsvp("2 NEIN") == (2, "no")
    assert parse_rsvp("2 peut-être") == parse_rsvp("2 vielleicht") == (2, "maybe")
    with pytest.raises(UsageError):
        parse_rsvp("2 perhaps")
    assert parse_agenda("4 Budget 2027, first reading") == (4, "Budget 2027, first reading")
    assert parse_agenda('4 "AOB"') == (4, "AOB")
    assert parse_agenda("4") == (4, None)
    move = parse_move("#2 next Monday 10:00 --tz Europe/Paris")
    assert (move.short_id, move.phrase, move.zone) == (2, "next Monday 10:00", "Europe/Paris")
    with pytest.raises(UsageError):
        parse_move("2")


def test_reminder_offsets():
    assert parse_offsets("1d 1h 15m") == (1440, 60, 15)
    assert parse_offsets("15m 1d 15min") == (1440, 15)
    assert parse_offsets("1h30m 2w 1j 1t") == (20160, 1440, 90)
    assert parse_offsets("off") == parse_offsets("keine") == ()
    for bad in ("", "1 day", "0m", "5w", "1d 1d 1d 1d 1d 1d 1d", "15x", "m15"):
        with pytest.raises(UsageError):
            parse_offsets(bad)


def test_a_weekly_14h_meeting_stays_at_14h_local_across_both_dst_changes_of_2026():
    first = local("2026-03-20 14:00").astimezone(UTC)
    starts = occurrences(first, LUX, "FREQ=WEEKLY", after=first - timedelta(seconds=1))
    got = list(islice(starts, 33))
    assert all((s.hour, s.minute) == (14, 0) for s in got)
    utc_hours = {s.date().isoformat(): s.astimezone(UTC).hour for s in got}
    assert utc_hours["2026-03-20"] == 13  # CET, UTC+1
    assert utc_hours["2026-03-27"] == 13  # the Friday before 29 March
    assert utc_hours["2026-04-03"] == 12  # CEST, UTC+2
    assert utc_hours["2026-10-23"] == 12  # the Friday before 25 October
    assert utc_hours["2026-10-30"] == 13  # CET again


def test_next_occurrence_is_computed_from_the_first_start_not_from_the_last():
    first = local("2026-01-06 14:00").astimezone(UTC)  # a Tuesday in winter
    rule = "FREQ=WEEKLY;INTERVAL=2"
    summer = next_occurrence(first, LUX, rule, after=local("2026-07-01 00:00"))
    assert summer == local("2026-07-07 14:00")
    assert summer.utcoffset() == timedelta(hours=2)
    monthly = next_occurrence(first, LUX, "FREQ=MONTHLY;BYDAY=1TU", after=local("2026-10-07 00:00"))
    assert monthly == local("2026-11-03 14:00")
    assert next_occurrence(first, LUX, None, after=first) is None


def test_reminder_plan_keeps_only_the_next_occurrence_of_a_series():
    first = local("2026-03-26 14:00").astimezone(UTC)  # Thursday, DST starts on Sunday 29
    now = local("2026-03-20 10:00")
    plan = plan_reminders(first, LUX, "FREQ=WEEKLY", (1440, 15), now=now)
    assert [(p.occurrence_at, p.due_at, p.offset_minutes) for p in plan] == [
        (first, first - timedelta(days=1), 1440),
        (first, first - timedelta(minutes=15), 15),
    ]
    # When the first reminder goes out, the next week's are planned (already planned ones not).
    planned = {(p.occurrence_at, p.offset_minutes) for p in plan}
    later = plan_reminders(
        first, LUX, "FREQ=WEEKLY", (1440, 15), now=plan[0].due_at, planned=planned
    )
    second = local("2026-04-02 14:00").astimezone(UTC)
    assert second.hour == 12  # 14:00 CEST
    assert [(p.occurrence_at, p.offset_minutes) for p in later] == [(second, 1440), (second, 15)]
    # Offsets already past when a meeting is scheduled are skipped, not sent at once.
    soon = plan_reminders(first, LUX, None, (1440, 15), now=first - timedelta(hours=2))
    assert [p.offset_minutes for p in soon] == [15]
    assert plan_reminders(first, LUX, None, (), now=now) == []


def test_words_for_times_durations_and_recurrences():
    start = local("2026-11-24 14:00")
    end = local("2026-11-24 16:00")
    assert show_time(start, LUX, "en") == "Tue, 24 Nov 2026, 14:00 (Europe/Luxembourg)"
    assert show_span(start, end, LUX, "fr") == "mar. 24 nov. 2026, 14:00–16:00 (Europe/Luxembourg)"
    assert show_span(start, end, "America/New_York", "de") == (
        "Di., 24. Nov. 2026, 08:00–10:00 (America/New_York)"
    )
    assert show_minutes(90, "en") == "1 hour 30 minutes"
    assert show_minutes(1440, "de") == "1 Tag"
    en = translator("en")
    assert describe_recurrence("FREQ=WEEKLY;INTERVAL=2", start, LUX, en, "en") == (
        "every 2 weeks on Tuesday"
    )
    assert describe_recurrence("FREQ=MONTHLY;INTERVAL=3", start, LUX, en, "en") == (
        "every 3 months"
    )
    assert describe_recurrence("FREQ=MONTHLY;BYDAY=-1FR", start, LUX, en, "en") == (
        "on the last Friday of every month"
    )
    assert describe_recurrence("FREQ=WEEKLY;BYDAY=MO,WE", start, LUX, en, "en") == (
        "FREQ=WEEKLY;BYDAY=MO,WE"
    )


def test_ics_has_the_zone_the_rule_and_the_agenda():
    meeting = CalendarMeeting(
        uid="meeting-7-1790000000@example.org",
        title="Plenary, 3rd session",
        start=local("2026-03-27 14:00"),
        end=local("2026-03-27 16:00"),
        zone=LUX,
        rrule="FREQ=WEEKLY;INTERVAL=2",
        place="https://meet.example.org/wg",
        agenda=["Budget 2027", "AOB; misc."],
        organizer="@alice:example.org",
        room="!room:example.org",
        cancelled=False,
        stamp=datetime(2026, 3, 1, tzinfo=UTC),
    )
    calendar = Calendar.from_ical(render_ics(meeting))
    (event,) = calendar.walk("VEVENT")
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == LUX
    assert event["DTSTART"].params["TZID"] == LUX
    assert event.decoded("DTSTART") == local("2026-03-27 14:00")
    assert event.decoded("DTEND") == local("2026-03-27 16:00")
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert str(event["UID"]) == "meeting-7-1790000000@example.org"
    assert str(event["SUMMARY"]) == "Plenary, 3rd session"
    assert str(event["LOCATION"]) == "https://meet.example.org/wg"
    description = str(event["DESCRIPTION"])
    assert "1. Budget 2027\n2. AOB; misc." in description
    assert "@alice:example.org" in description
    assert str(event["X-WGBOT-ORGANIZER"]) == "@alice:example.org"
    # The zone's rules cover both 2026 changes, so a client without the zone gets it right.
    offsets = {str(c["TZOFFSETTO"].to_ical()) for c in zone.subcomponents}
    assert offsets >= {"+0100", "+0200"}
