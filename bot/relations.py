"""Events that refer to an event, fetched from the homeserver (`/relations`), decrypted.

Sync brings most of them; a gap the server left, or a key that came late, can hide some. Polls
ask for every event referring to their start (MSC3381's advice) to miss no vote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from nio import AsyncClient, EncryptionError, MegolmEvent

from bot.dispatch import RoomEvent

PAGE = 100
MAX_PAGES = 100  # 10,000 related events: more than any poll of a working group gets


def _ts(milliseconds: Any) -> datetime:
    return datetime.fromtimestamp(int(milliseconds) / 1000, UTC)


class RelationsError(Exception):
    """The homeserver did not give the related events."""


async def _get(client: AsyncClient, path: str) -> dict[str, Any]:
    response = await client.send(
        "GET", path, headers={"Authorization": f"Bearer {client.access_token}"}
    )
    body = await response.json()
    if response.status != 200:
        raise RelationsError(f"{response.status} {body.get('errcode', '')}".strip())
    return body


async def fetch_related(client: AsyncClient, room_id: str, event_id: str) -> list[RoomEvent]:
    """Every event that refers to `event_id` (`m.reference`), oldest first, decrypted where the
    bot has the key (the others are left out: they come through sync when the key arrives)."""
    room = client.rooms.get(room_id)
    room_encrypted = bool(room and room.encrypted) or room_id in client.encrypted_rooms
    base = (
        f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/"
        f"{quote(event_id, safe='')}/m.reference"
    )
    events: list[RoomEvent] = []
    token = None
    for _page in range(MAX_PAGES):
        query = {"dir": "f", "limit": str(PAGE), **({"from": token} if token else {})}
        body = await _get(client, f"{base}?{urlencode(query)}")
        for raw in body.get("chunk", []):
            event = _readable(client, room_id, raw, room_encrypted)
            if event is not None:
                events.append(event)
        token = body.get("next_batch")
        if not token:
            break
    return events


def _readable(
    client: AsyncClient, room_id: str, raw: dict[str, Any], room_encrypted: bool
) -> RoomEvent | None:
    """A fetched event as the dispatcher would see it; None if redacted or unreadable."""
    if "redacted_because" in (raw.get("unsigned") or {}):
        return None  # a redacted vote no longer counts (MSC3381: the previous one does)
    source, encrypted = raw, False
    if raw.get("type") == "m.room.encrypted":
        try:
            decrypted = client.decrypt_event(MegolmEvent.from_dict({**raw, "room_id": room_id}))
        except (EncryptionError, KeyError, ValueError, TypeError):
            return None
        source = getattr(decrypted, "source", None)
        if not isinstance(source, dict) or source.get("type") == "m.room.encrypted":
            return None
        encrypted = True
    try:
        return RoomEvent(
            room_id=room_id,
            event_id=str(raw["event_id"]),
            sender=str(raw["sender"]),
            type=str(source.get("type", "")),
            content=source.get("content"),
            ts=_ts(raw["origin_server_ts"]),
            room_encrypted=room_encrypted,
            event_encrypted=encrypted,
            sender_level=0,
        )
    except (KeyError, TypeError, ValueError):
        return None
