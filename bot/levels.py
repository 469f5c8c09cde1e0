"""Power levels: who may do what in a room, from what the homeserver sent (a decrypted payload
never counts: state is not encrypted, so its sender made it up)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from nio import MegolmEvent, RoomCreateEvent

CREATOR_LEVEL = 2**53 - 1  # room v12: creators outrank every power level


def creators_of(create: RoomCreateEvent) -> frozenset[str]:
    """Users with unlimited power in a room (room v12 and later, MSC4289), from its create event."""
    version = create.room_version
    if not (version.isdigit() and int(version) >= 12):
        return frozenset()
    extra = create.source.get("content", {}).get("additional_creators")
    users = extra if isinstance(extra, list) else []
    return frozenset([create.sender, *(u for u in users if isinstance(u, str))])


POWER_LEVELS = "m.room.power_levels"


def power_levels_of(event: object) -> Mapping[str, Any] | None:
    """The content of a power-levels state event as the homeserver sent it; None for any other
    event, and for a decrypted one (state is never encrypted: its sender made it up)."""
    source = getattr(event, "source", None)
    if (
        getattr(event, "decrypted", False)
        or isinstance(event, MegolmEvent)
        or not isinstance(source, Mapping)
        or source.get("type") != POWER_LEVELS
        or source.get("state_key") != ""
    ):
        return None
    content = source.get("content")
    return content if isinstance(content, Mapping) else {}


def levels_along(
    events: Sequence, before: Mapping[str, Any] | None
) -> tuple[list[Mapping[str, Any] | None], Mapping[str, Any] | None]:
    """The power levels in force at each event, and after the last: a change counts from the
    next event on. Those before the first change are what it replaced (the homeserver says so
    in `unsigned.prev_content`), else `before`."""
    first = next((e for e in events if power_levels_of(e) is not None), None)
    if first is not None:
        unsigned = first.source.get("unsigned")
        replaced = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
        if isinstance(replaced, Mapping):
            before = replaced
    in_force, levels = before, []
    for event in events:
        levels.append(in_force)
        in_force = power_levels_of(event) or in_force
    return levels, in_force


def user_level(levels: Mapping[str, Any], user_id: str) -> int:
    """A user's level under a power-levels content (the spec's rules; a malformed level is 0)."""
    users = levels.get("users")
    if isinstance(users, Mapping) and user_id in users:
        return _level_value(users[user_id])
    return _level_value(levels.get("users_default"))


def _level_value(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    # Rooms before version 10 allow levels as strings of digits.
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,15}", value.strip()):
        return int(value)
    return 0
