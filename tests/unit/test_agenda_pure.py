"""Agenda-driven meetings as pure functions: which item `!next` takes, which occurrence a
recorded meeting links to, when a call for agenda items is planned, how the minutes show it."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.i18n import translator
from bot.minutes.agenda import AgendaEntry, ScheduledLink, agenda_view, next_planned
from bot.minutes.items import Minutes
from bot.minutes.planned import nearest_occurrence
from bot.minutes.writers import minutes_json, render
from bot.recurrence import plan_agenda_call
from storage.models import Meeting

LUX = "Europe/Luxembourg"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # Monday, 13:00 in Luxembourg
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Item:
    position: int
    reached: bool


def test_next_takes_the_item_after_the_last_reached():
    assert next_planned([]) is None
    items = [Item(1, False), Item(2, False), Item(3, False)]
    assert next_planned(items) == Item(1, False)
    assert next_planned([Item(1, True), Item(2, False), Item(3, False)]) == Item(2, False)
    # An item whose topic was redacted stays behind: the agenda moves on from the last reached.
    assert next_planned([Item(1, True), Item(2, False), Item(3, True)]) is None
    assert next_planned([Item(1, False), Item(2, True), Item(3, False)]) == Item(3, False)


def series(start: datetime, rrule: str | None = "FREQ=WEEKLY") -> Meeting:
    return Meeting(
        start_at=start, end_at=start + timedelta(hours=2), timezone=LUX, rrule=rrule, status="x"
    )


def test_the_occurrence_linked_is_the_nearest_within_the_window():
    window = timedelta(hours=2)
    weekly = series(NOW - 3 * WEEK + timedelta(minutes=90))  # Mondays 14:30 Luxembourg
    assert nearest_occurrence(weekly, NOW, window, window) == NOW + timedelta(minutes=90)
    assert nearest_occurrence(weekly, NOW - timedelta(hours=1), window, window) is None
    # Started an hour ago: still the occurrence of the day.
    assert nearest_occurrence(weekly, NOW + timedelta(hours=2, minutes=30), window, window) == (
        NOW + timedelta(minutes=90)
    )
    once = series(NOW - timedelta(hours=2), rrule=None)
    assert nearest_occurrence(once, NOW, window, window) == NOW - timedelta(hours=2)
    assert nearest_occurrence(once, NOW + timedelta(seconds=1), window, window) is None
    # Daily: of yesterday's and today's, the nearer.
    daily = series(NOW - 10 * timedelta(days=1) + timedelta(hours=1), "FREQ=DAILY")
    assert nearest_occurrence(daily, NOW, timedelta(days=2), window) == NOW + timedelta(hours=1)


def test_a_call_is_planned_for_the_first_occurrence_still_ahead_and_not_called_for():
    start = NOW + timedelta(days=10)
    one = plan_agenda_call(start, LUX, None, 7 * 1440, now=NOW)
    assert (one.occurrence_at, one.due_at) == (start, start - WEEK)
    # Too close for the call: none for a single meeting, the next occurrence for a series.
    assert plan_agenda_call(start, LUX, None, 14 * 1440, now=NOW) is None
    weekly = plan_agenda_call(start, LUX, "FREQ=WEEKLY", 14 * 1440, now=NOW)
    assert weekly.occurrence_at == start + WEEK
    # Never twice for one occurrence.
    again = plan_agenda_call(start, LUX, "FREQ=WEEKLY", 1440, now=NOW, sent=[start])
    assert again.occurrence_at == start + WEEK
    assert plan_agenda_call(start, LUX, None, 1440, now=NOW, sent=[start]) is None


def test_a_series_call_keeps_the_local_time_across_daylight_saving():
    # Thursdays 14:00 in Luxembourg, from October (UTC+2) into November (UTC+1).
    first = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)
    after = datetime(2026, 10, 23, tzinfo=UTC)
    plan = plan_agenda_call(first, LUX, "FREQ=WEEKLY", 3 * 1440, now=after)
    assert plan.occurrence_at == datetime(2026, 10, 29, 13, 0, tzinfo=UTC)  # 14:00 in winter
    assert plan.due_at == plan.occurrence_at - timedelta(days=3)


def minutes(**fields) -> Minutes:
    values = dict(
        id=1,
        room_id="!room:example.org",
        title="Plenary",
        started_by="@alice:example.org",
        started_at=NOW,
        ended_at=NOW + timedelta(hours=1),
        chairs=("@alice:example.org",),
        timezone=LUX,
        language="en",
    )
    return Minutes(**{**values, **fields})


def test_the_minutes_show_the_agenda_only_when_there_is_one_and_clean_its_text():
    _ = translator("en")
    assert agenda_view(minutes(), _, str) is None
    link = ScheduledLink(4, "Plenary\u202e", NOW, NOW + timedelta(hours=2))
    hostile = minutes(
        scheduled=link,
        agenda=(
            AgendaEntry(1, "Budget <script>", True),
            AgendaEntry(2, "*Elections*\u202e\n# heading", False),
        ),
    )
    markdown = render(hostile, "md", _).decode()
    assert "1. Budget \\<script\\>\n2. \\*Elections\\* \\# heading *(not reached)*" in markdown
    assert "\u202e" not in markdown
    assert "- **Scheduled meeting:** \\#4 Plenary — Mon, 23 Nov 2026, 13:00–15:00" in markdown
    html = render(hostile, "html", _).decode()
    assert "&lt;script&gt;" in html and "<script>" not in html
    doc = minutes_json(hostile)
    assert doc["scheduled_meeting"]["title"] == "Plenary"
    assert doc["agenda"][1] == {"position": 2, "text": "*Elections*\n# heading", "reached": False}
    # Linked to a meeting with an empty agenda: the section says so.
    empty = render(minutes(scheduled=link), "txt", _).decode()
    assert "Agenda\n------\nNone." in empty
