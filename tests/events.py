"""Room events as the sync loop hands them to the dispatcher, for dispatcher-level tests."""

from datetime import datetime

from bot.dispatch import RoomEvent


def text_event(
    room_id: str, event_id: str, sender: str, body: str, ts: datetime, **overrides
) -> RoomEvent:
    """A member's decrypted m.text message in an encrypted room."""
    fields = dict(
        room_id=room_id,
        event_id=event_id,
        sender=sender,
        type="m.room.message",
        content={"msgtype": "m.text", "body": body},
        ts=ts,
        room_encrypted=True,
        event_encrypted=True,
        sender_level=0,
    )
    fields.update(overrides)
    return RoomEvent(**fields)


def reaction_event(
    room_id: str, event_id: str, sender: str, to: str, key: str, ts: datetime, **overrides
) -> RoomEvent:
    """A reaction (m.annotation), in clear as nio sends them."""
    fields = dict(
        room_id=room_id,
        event_id=event_id,
        sender=sender,
        type="m.reaction",
        content={"m.relates_to": {"rel_type": "m.annotation", "event_id": to, "key": key}},
        ts=ts,
        room_encrypted=True,
        event_encrypted=False,
        sender_level=0,
    )
    fields.update(overrides)
    return RoomEvent(**fields)
