"""Matrix ids as types: a room, a user and an event id are all strings on the wire, never
interchangeable in the code."""

from __future__ import annotations

import re
from typing import NewType

RoomId = NewType("RoomId", str)
UserId = NewType("UserId", str)
EventId = NewType("EventId", str)

# What a member writes as a Matrix user id: @name:server.
USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
