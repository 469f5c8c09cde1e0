"""What the bot says: reply values, their Matrix content, and `queue`, which writes them into the
outbox (bot/sender.py sends it)."""

from __future__ import annotations

import base64
import html
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.ids import EventId, RoomId, UserId
from storage.outbox import OutboxRepository, Purpose
from storage.outbox import PurposeKind as PurposeKind  # features name purposes through here

# C0 and C1 controls but the newline, and the characters that reorder text on screen (bidi
# embeddings, overrides and isolates): user text echoed in a reply must not reorder or hide it.
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An echoed value (a title, a command name, an option) longer than this is cut: a reply quoting
# a huge input must stay readable, and far below the homeserver's event size.
MAX_ECHO = 2000
ELLIPSIS = "…"


def clean(value: str) -> str:
    """Text without control characters (a tab becomes a space; newlines stay) or bidi overrides."""
    if value.isascii() and value.isprintable():
        return value  # the common case, without a regex
    return _UNSAFE.sub("", value.replace("\t", " "))


def echo(value: str) -> str:
    """User text as a reply quotes it: cleaned, and cut when very long."""
    if len(value) > MAX_ECHO:
        value = value[: MAX_ECHO - 1] + ELLIPSIS
    return clean(value)


@dataclass(frozen=True)
class Fragment:
    """A piece of a message with its plain-text and (escaped) HTML forms."""

    plain: str
    html: str


def text(value: str) -> Fragment:
    value = echo(value)
    return Fragment(value, html.escape(value, quote=False))


def bold(value: str) -> Fragment:
    value = echo(value)
    return Fragment(value, f"<b>{html.escape(value, quote=False)}</b>")


def code(value: str) -> Fragment:
    value = echo(value)
    return Fragment(value, f"<code>{html.escape(value, quote=False)}</code>")


def mention(user_id: UserId | str, name: str | None = None) -> Fragment:
    label = echo(name or user_id)
    href = html.escape(f"https://matrix.to/#/{clean(user_id)}")
    return Fragment(label, f'<a href="{href}">{html.escape(label, quote=False)}</a>')


def fmt(template: str, **values: str | Fragment) -> Fragment:
    """Fill a (translated) template's {placeholders} with text or fragments, escaping the rest."""
    plain, rich = [], []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        plain.append(literal)
        rich.append(html.escape(literal, quote=False))
        if name is not None:
            value = _fragment(values[name])
            plain.append(value.plain)
            rich.append(value.html)
    return Fragment("".join(plain), "".join(rich))


Line = str | Fragment | Iterable[str | Fragment]


def _fragment(part: str | Fragment) -> Fragment:
    return part if isinstance(part, Fragment) else text(part)


def _line(part: str | Fragment) -> Fragment:
    """A line (or piece of one) given as a string: cleaned, not cut (the bot's own sentence)."""
    if isinstance(part, Fragment):
        return part
    value = clean(part)
    return Fragment(value, html.escape(value, quote=False))


@dataclass(frozen=True)
class Attachment:
    """A file the bot sends (an encrypted attachment in encrypted rooms)."""

    filename: str
    mimetype: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        """JSON-safe form kept in the outbox row, so a crash before the upload loses nothing."""
        encoded = base64.b64encode(self.data).decode("ascii")
        return {"filename": self.filename, "mimetype": self.mimetype, "data": encoded}

    @classmethod
    def from_json(cls, value: dict[str, str]) -> Attachment:
        return cls(value["filename"], value["mimetype"], base64.b64decode(value["data"]))


@dataclass(frozen=True)
class Reply:
    """A notice the bot sends in answer to a command, or a file when it has an attachment."""

    plain: str
    html: str
    mentions: tuple[str, ...] = field(default=())
    # What the sent event stands for (a meeting's announcement): its event id is reported to
    # the feature once it is sent.
    purpose: Purpose | None = None
    attachment: Attachment | None = None

    @classmethod
    def file(cls, attachment: Attachment) -> Reply:
        """A file sent as an m.file event; its body is the file name."""
        name = clean(attachment.filename)
        return cls(name, html.escape(name, quote=False), attachment=attachment)

    def for_purpose(self, purpose: Purpose) -> Reply:
        return replace(self, purpose=purpose)

    @classmethod
    def of(cls, *lines: Line, mentions: Iterable[str] = ()) -> Reply:
        """Build a reply from lines, each a string or fragments; user text is always escaped."""
        plain, rich = [], []
        for line in lines:
            parts = [line] if isinstance(line, str | Fragment) else list(line)
            fragments = [_line(p) for p in parts]
            plain.append("".join(f.plain for f in fragments))
            rich.append("".join(f.html for f in fragments))
        return cls("\n".join(plain), "<br>".join(rich), tuple(dict.fromkeys(mentions)))

    def content(self, in_reply_to: str | None = None) -> dict[str, Any]:
        """The m.room.message content: an m.notice with HTML, a reply, explicit mentions.

        With an attachment: an m.file whose `file` (or `url`) the sender adds once uploaded.
        """
        content: dict[str, Any] = {
            "msgtype": "m.notice",
            "body": self.plain,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
            "m.mentions": {"user_ids": list(self.mentions)} if self.mentions else {},
        }
        if self.attachment is not None:
            content = {
                "msgtype": "m.file",
                "body": clean(self.attachment.filename),
                "filename": clean(self.attachment.filename),
                "info": {"mimetype": self.attachment.mimetype, "size": len(self.attachment.data)},
                "m.mentions": content["m.mentions"],
            }
        if in_reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": in_reply_to}}
        return content


@dataclass(frozen=True)
class Event:
    """An event other than a notice (a poll's start or end), sent as its content says."""

    type: str
    content: dict[str, Any]
    purpose: Purpose | None = None


# What a handler, an event hook or a timer says: a reply (in answer to what caused it, when
# something did) or another event.
Message = Reply | Event
Said = Message | Sequence[Message] | None


def messages(said: Said) -> list[Message]:
    """What was said, as a list in the order it is to be sent."""
    if said is None:
        return []
    if isinstance(said, Reply | Event):
        return [said]
    return list(said)


@dataclass(frozen=True)
class ToRoom:
    """A message for a room, not in answer to anything: what timers and workers say."""

    room_id: RoomId
    message: Message


def queue(
    session: Session,
    room_id: RoomId,
    message: Message,
    now: datetime,
    in_reply_to: EventId | None = None,
) -> None:
    """Put a message into the outbox, in the caller's transaction: the one place where what the
    bot decided to say is written down (runners call it, features return values)."""
    outbox = OutboxRepository(session)
    if isinstance(message, Event):
        outbox.add(room_id, message.type, message.content, now, purpose=message.purpose)
        return
    attachment = message.attachment.to_json() if message.attachment else None
    outbox.add(
        room_id,
        "m.room.message",
        message.content(in_reply_to),
        now,
        purpose=message.purpose,
        attachment=attachment,
    )
