"""When a meeting happens and when its reminders are due: pure functions of the stored values.

A series is computed from its first start as a wall time in the meeting's zone, so a meeting at
14:00 stays at 14:00 local time across daylight-saving changes; durations and reminder offsets
are real elapsed time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

DEFAULT_OFFSETS = (24 * 60, 15)  # minutes before each occurrence: 1 day and 15 minutes


def local_wall_time(naive: datetime, zone: ZoneInfo) -> datetime:
    """An aware time for a local wall time; one skipped by a DST change moves forward."""
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def occurrences(
    start_at: datetime, zone: str, rrule: str | None, *, after: datetime
) -> Iterator[datetime]:
    """Starts (aware, in the meeting's zone) of a meeting or series strictly after `after`."""
    tz = ZoneInfo(zone)
    first = start_at.astimezone(tz)
    if not rrule:
        if first > after:
            yield first
        return
    rule = rrulestr(rrule, dtstart=first.replace(tzinfo=None))
    # Jump close to `after` (a day early: the local clock may be off by the UTC offset).
    since = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    naive_times = rule.xafter(since, inc=True) if since > first.replace(tzinfo=None) else rule
    for naive in naive_times:
        start = local_wall_time(naive, tz)
        if start > after:
            yield start


def next_occurrence(
    start_at: datetime, zone: str, rrule: str | None, *, after: datetime
) -> datetime | None:
    """The first start after `after`, or None when the meeting is over."""
    return next(occurrences(start_at, zone, rrule, after=after), None)


@dataclass(frozen=True)
class PlannedReminder:
    occurrence_at: datetime  # UTC
    due_at: datetime  # UTC
    offset_minutes: int


def plan_reminders(
    start_at: datetime,
    zone: str,
    rrule: str | None,
    offsets: Collection[int],
    *,
    now: datetime,
    planned: Collection[tuple[datetime, int]] = (),
) -> list[PlannedReminder]:
    """Reminders still to create: every offset still ahead, for the occurrences up to the first
    that starts beyond the longest offset (so a series keeps only its next reminders as rows).

    `planned` holds (occurrence, offset) pairs already stored, which are not planned again.
    """
    if not offsets:
        return []
    horizon = now + timedelta(minutes=max(offsets))
    done = {(occurrence.astimezone(UTC), offset) for occurrence, offset in planned}
    plan = []
    for occurrence in occurrences(start_at, zone, rrule, after=now):
        occurrence_at = occurrence.astimezone(UTC)
        for offset in sorted(offsets, reverse=True):
            due_at = occurrence_at - timedelta(minutes=offset)
            if due_at > now and (occurrence_at, offset) not in done:
                plan.append(PlannedReminder(occurrence_at, due_at, offset))
        if occurrence_at > horizon:
            break
    return plan


# Occurrences looked at for a call for agenda items (a daily series with a four-week lead skips 28).
AGENDA_CALL_LOOKAHEAD = 400


def plan_agenda_call(
    start_at: datetime,
    zone: str,
    rrule: str | None,
    lead_minutes: int,
    *,
    now: datetime,
    sent: Collection[datetime] = (),
) -> PlannedReminder | None:
    """The next call for agenda items to create: for the first occurrence whose call is still
    ahead and was not sent already (`sent`: occurrences, UTC); None if there is none."""
    done = {occurrence.astimezone(UTC) for occurrence in sent}
    lead = timedelta(minutes=lead_minutes)
    for count, occurrence in enumerate(occurrences(start_at, zone, rrule, after=now)):
        if count >= AGENDA_CALL_LOOKAHEAD:
            break
        occurrence_at = occurrence.astimezone(UTC)
        if occurrence_at - lead > now and occurrence_at not in done:
            return PlannedReminder(occurrence_at, occurrence_at - lead, lead_minutes)
    return None
