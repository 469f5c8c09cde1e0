"""The minutes as JSON: the documented, stable form (docs/commands.md, schema
"wgbot.minutes/2"). Fields are only ever added: /2 added who was present (silent members
too), apologies, the quorum, the scheduled meeting and its agenda, and the names of people
next to their user ids (`*_name`, and `people` with their organisations)."""

from __future__ import annotations

from typing import Any

from bot.decisions import ref, register_json, vote_json
from bot.format import Clock
from bot.minutes.agenda import agenda_json
from bot.minutes.attendance import attendance_json
from bot.minutes.items import ActionEntry, Item, Kind, Minutes
from bot.minutes.people import Names, names_of, people_json
from bot.minutes.record import errata_json, removal_json, standing_json
from bot.minutes.text import clean, safe_url

JSON_SCHEMA = "wgbot.minutes/2"


def _names(names: Names, people: tuple[str, ...]) -> list[str]:
    return [names.name(p) for p in people]


def minutes_json(minutes: Minutes) -> dict[str, Any]:
    """The documented, stable JSON form (schema "wgbot.minutes/2", see docs/commands.md)."""
    clock = Clock(minutes.timezone, minutes.language)
    names = names_of(minutes)

    def action(a: ActionEntry) -> dict[str, Any]:
        return {
            "id": a.id,
            "text": clean(a.text),
            "assignees": list(a.assignees),
            "assignee_names": _names(names, a.assignees),
            "status": a.status,
            "due": clock.iso(a.due_at),
            "due_has_time": a.due_has_time if a.due_at else None,
        }

    def item(i: Item) -> dict[str, Any]:
        return {
            "kind": i.kind.value,
            "text": clean(i.text),
            "author": i.author,
            "author_name": names.name(i.author),
            "at": clock.iso(i.at),
            "url": safe_url(i.url),
            "action": i.action.id if i.action else None,
            "decision": ref(i.decision) if i.decision is not None else None,
            "vote": vote(i),
        }

    def vote(i: Item) -> dict[str, Any] | None:
        found = vote_json(i.vote)
        if found is not None:  # who voted: user ids (or organisations), and their names
            voters = found["voters"].items()
            found["voter_names"] = {answer: [names.name(v) for v in who] for answer, who in voters}
        return found

    topics = []
    for topic in minutes.topics():
        topics.append(
            {
                "title": clean(topic.item.text) if topic.item else None,
                "at": clock.iso(topic.item.at) if topic.item else None,
                "items": [item(i) for i in topic.items],
            }
        )
    log = []
    marks = list(minutes.removals)
    for line in minutes.lines:
        while marks and marks[0].seq <= line.seq:
            log.append(removal_json(minutes, marks.pop(0)))
        current = minutes.topic_of(line.seq)
        log.append(
            {
                "at": clock.iso(line.at),
                "sender": line.sender,
                "sender_name": names.name(line.sender),
                "type": "gap" if line.is_gap else line.msgtype,
                "body": None if line.body is None else clean(line.body),
                "edited": line.edited,
                "topic": clean(current.text) if current else None,
                "event_id": line.event_id,
            }
        )
    log += [removal_json(minutes, mark) for mark in marks]
    duration = minutes.duration
    return {
        "schema": JSON_SCHEMA,
        "id": minutes.id,
        "room_id": minutes.room_id,
        "title": clean(minutes.title) or None,
        "language": minutes.language,
        "timezone": minutes.timezone,
        "start": clock.iso(minutes.started_at),
        "end": clock.iso(minutes.ended_at),
        "duration_seconds": None if duration is None else int(duration.total_seconds()),
        "chairs": list(minutes.chairs),
        "chair_names": _names(names, minutes.chairs),
        "attendees": list(minutes.attendees),
        "attendee_names": _names(names, minutes.attendees),
        "people": people_json(minutes),
        **attendance_json(minutes.attendance, minutes.quorum),
        "topics": topics,
        "decisions": [clean(d.text) for d in minutes.decisions if d.kind is Kind.AGREED],
        "register": register_json(minutes.decisions),
        "actions": [action(a) for a in minutes.actions],
        "open_actions": [action(a) for a in minutes.open_actions],
        "gaps": [
            {
                "at": clock.iso(g.at),
                "sender": g.sender,
                "sender_name": names.name(g.sender),
                "event_id": g.event_id,
            }
            for g in minutes.gaps
        ],
        "log": log,
        **agenda_json(minutes, clock, clean),
        "errata": errata_json(minutes, clock),
        "approval": standing_json(minutes, clock),
    }
