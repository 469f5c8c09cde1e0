"""Room events as the sync loop hands them to the dispatcher, for dispatcher-level tests."""

import html
from datetime import datetime, timedelta

from bot.dispatch import Defaults, RoomEvent

# The room defaults of dispatcher-level tests: English, Luxembourg, chairs from power level 50.
TEST_DEFAULTS = Defaults("!", "en", "Europe/Luxembourg", 50, False)


class Clock:
    """The injected clock: a fixed instant a test moves forward."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


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


def pilled(before: str, user: str, name: str, after: str = "") -> dict:
    """The content Element Web sends when a member picks a person from the @-completion
    (Markdown on): the body holds their display name, the HTML a link to them, m.mentions them."""
    link = f'<a href="https://matrix.to/#/{user}">{html.escape(name)}</a>'
    return {
        "msgtype": "m.text",
        "body": f"{before}{name}{after}",
        "format": "org.matrix.custom.html",
        "formatted_body": f"{html.escape(before)}{link}{html.escape(after)}",
        "m.mentions": {"user_ids": [user]},
    }
