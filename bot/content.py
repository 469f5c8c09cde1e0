"""Event content, typed once where events enter: past this point every field has its JSON type.

Anyone in a room (or anyone who can send into it in clear) chooses an event's content, so any
field may hold any JSON value: a list where an object belongs, a number for a string, nothing.
`Content.read` turns any value into a `Content` whose fields are a `str` (or the stated type) or
None, and never raises. Handlers read these fields, never the raw JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.msc3381 import POLL_RESPONSE, STABLE_POLL_RESPONSE

# No Matrix id is this long (the spec caps event ids at 255 bytes); a longer one names nothing.
MAX_ID = 255
SURROGATE = re.compile("[\ud800-\udfff]")


def text(value: object) -> str | None:
    """A JSON string as valid text (no NUL, no lone surrogate: databases refuse both), else None."""
    if not isinstance(value, str):
        return None
    if value.isascii():
        return value.replace("\x00", "") if "\x00" in value else value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \ud800 escape can carry
        value = SURROGATE.sub("\ufffd", value)
    return value.replace("\x00", "")


def identifier(value: object) -> str | None:
    """A Matrix id (event, user): a non-empty string of sane length, else None."""
    found = text(value)
    return found if found and len(found) <= MAX_ID else None


def _object(value: object) -> Mapping[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class Relation:
    """`m.relates_to`: what an event refers to (edit, reaction, reference, thread, reply)."""

    rel_type: str | None = None
    event_id: str | None = None
    key: str | None = None  # a reaction's key (m.annotation)
    in_reply_to: str | None = None  # the event a reply answers (m.in_reply_to)

    @classmethod
    def read(cls, raw: object) -> Relation:
        relates = _object(raw)
        return cls(
            rel_type=text(relates.get("rel_type")),
            event_id=identifier(relates.get("event_id")),
            key=text(relates.get("key")),
            in_reply_to=identifier(_object(relates.get("m.in_reply_to")).get("event_id")),
        )


@dataclass(frozen=True)
class Content:
    """The fields of an event's content the bot reads, each of its type or None."""

    msgtype: str | None = None
    body: str | None = None
    format: str | None = None
    formatted_body: str | None = None
    relation: Relation = field(default_factory=Relation)
    # An edit's replacement content (`m.new_content`), read one level deep.
    new_content: Content | None = None
    # The event a redaction removes (in the content since room v11, at the top level before).
    redacts: str | None = None
    # A poll response's answers (MSC3381); None when they are not a list of strings: a spoilt vote.
    poll_answers: tuple[str, ...] | None = None

    @classmethod
    def read(cls, raw: object, *, redacts: object = None, nested: bool = True) -> Content:
        """Any JSON value as content; `redacts` is a redaction's top-level field, if any."""
        content = _object(raw)
        new_content = content.get("m.new_content")
        return cls(
            msgtype=text(content.get("msgtype")),
            body=text(content.get("body")),
            format=text(content.get("format")),
            formatted_body=text(content.get("formatted_body")),
            relation=Relation.read(content.get("m.relates_to")),
            new_content=(
                cls.read(new_content, nested=False)
                if nested and isinstance(new_content, Mapping)
                else None
            ),
            redacts=identifier(content.get("redacts")) or identifier(redacts),
            poll_answers=_poll_answers(content),
        )


def _poll_answers(content: Mapping[str, Any]) -> tuple[str, ...] | None:
    block = _object(content.get(POLL_RESPONSE, content.get(STABLE_POLL_RESPONSE)))
    answers = block.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        return None
    return tuple(text(a) or "" for a in answers)
