"""Retention, as every feature reads it: how long a room's log is kept (the shortest of its
chairs' `!retention`, its m.room.retention state and the operator's `[storage] max_retention`),
where that comes from, how it reads, and the purge that applies it."""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.units import format_unit
from sqlalchemy.orm import Session

from bot.format import babel_locale
from bot.i18n import Translate
from storage.db import Database
from storage.models_after import RoomRetention
from storage.retention import Purged, RetentionRepository

log = logging.getLogger(__name__)

# m.room.retention's max_lifetime beyond this is no limit the bot could reach (and would
# overflow a timedelta): a century.
MAX_LIFETIME_MS = 100 * 365 * 86_400_000


class Source(enum.StrEnum):
    """Where the retention in force comes from."""

    ROOM = "room"  # the chairs' `!retention`
    STATE = "state"  # the room's m.room.retention state
    CONFIG = "config"  # the operator's `[storage] max_retention`


@dataclass(frozen=True)
class InForce:
    """The retention in force in a room (None: the log is kept) and where it comes from."""

    duration: timedelta | None
    source: Source | None = None


def state_lifetime(content: object) -> int | None:
    """max_lifetime (ms) of an m.room.retention content, whatever JSON it is; None if unusable."""
    if not isinstance(content, dict):
        return None
    value = content.get("max_lifetime")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return min(value, MAX_LIFETIME_MS)


def note_retention(db: Database, joined: Mapping[str, Any], left: set[str]) -> None:
    """Keep each joined room's m.room.retention state (the latest in a sync's state and
    timeline) on its retention row, read whatever its JSON (bot/sync.py calls it)."""
    found: dict[str, int | None] = {}
    for room_id, info in joined.items():
        for event in (*info.state, *info.timeline.events):
            source = getattr(event, "source", None)
            if (
                room_id not in left
                and isinstance(source, dict)
                and source.get("type") == "m.room.retention"
                and source.get("state_key") == ""
            ):
                found[room_id] = state_lifetime(source.get("content"))
    if found:
        with db.transaction() as session:
            for room_id, lifetime in found.items():
                RetentionRepository(session).set_state_retention(room_id, lifetime)


def in_force(room: RoomRetention | None, ceiling: timedelta | None) -> InForce:
    """The shortest of the room's own retention, its state's and the bot's ceiling."""
    found: list[tuple[timedelta, Source]] = []
    if room is not None and room.retention_seconds:
        found.append((timedelta(seconds=room.retention_seconds), Source.ROOM))
    if room is not None and room.state_max_lifetime_ms:
        found.append((timedelta(milliseconds=room.state_max_lifetime_ms), Source.STATE))
    if ceiling is not None:
        found.append((ceiling, Source.CONFIG))
    if not found:
        return InForce(None)
    # Of equal ones, the room's own choice is named first, then its state, then the config.
    order = list(Source)
    duration, source = min(found, key=lambda pair: (pair[0], order.index(pair[1])))
    return InForce(duration, source)


def room_in_force(session: Session, room_id: str, ceiling: timedelta | None) -> InForce:
    return in_force(RetentionRepository(session).get(room_id), ceiling)


_UNITS = (
    (timedelta(days=365), "duration-year"),
    (timedelta(weeks=1), "duration-week"),
    (timedelta(days=1), "duration-day"),
    (timedelta(hours=1), "duration-hour"),
    (timedelta(minutes=1), "duration-minute"),
)


def show_retention(duration: timedelta, language: str) -> str:
    """A retention in words, in the largest unit it is a whole number of: "30 days", "1 year"."""
    for size, unit in _UNITS:
        if duration >= size and duration % size == timedelta(0):
            count = duration // size
            return format_unit(count, unit, length="long", locale=babel_locale(language))
    minutes = max(1, round(duration.total_seconds() / 60))
    return format_unit(minutes, "duration-minute", length="long", locale=babel_locale(language))


def describe(force: InForce, _: Translate, language: str, prefix: str) -> str:
    """The retention in force as `!settings` and `!retention` say it, with where it comes from."""
    if force.duration is None:
        return _("Retention: none; the log is kept until its messages are redacted.")
    sentences = {
        Source.ROOM: _("Retention: {duration} (this room's {command})."),
        Source.STATE: _("Retention: {duration} (the room's m.room.retention setting)."),
        Source.CONFIG: _("Retention: {duration} (the bot's ceiling for every room)."),
    }
    assert force.source is not None
    return sentences[force.source].format(
        duration=show_retention(force.duration, language), command=f"{prefix}retention"
    )


def purge(session: Session, room_id: str, ceiling: timedelta | None, now: datetime) -> Purged:
    """Delete the room's log entries older than its retention in force (nothing if none)."""
    force = room_in_force(session, room_id, ceiling)
    if force.duration is None:
        return Purged(0, 0, 0)
    purged = RetentionRepository(session).purge(room_id, now - force.duration, now)
    if purged.entries:
        log.info(
            "retention in %s: %d log entries deleted (%d meeting lines)",
            room_id,
            purged.entries,
            purged.lines,
        )
    return purged


def purge_all(session: Session, ceiling: timedelta | None, now: datetime) -> int:
    """The daily round: every room's log purged by its retention; how many entries went."""
    retention = RetentionRepository(session)
    rooms = set(retention.rooms_with_log()) if ceiling is not None else set()
    rooms.update(room.room_id for room in retention.rooms_with_retention())
    return sum(purge(session, room_id, ceiling, now).entries for room_id in sorted(rooms))
