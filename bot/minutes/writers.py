"""Writers: minutes as Markdown, HTML, plain text or JSON, in the room's language and zone.

Every writer starts from the same view (plain strings, times already shown in the zone), so
the formats say the same thing. User text is never trusted: Markdown escapes every character
that could make markup, HTML goes through Jinja2 with autoescape (and a page that may run no
script), links must be http(s), and control or bidi-override characters are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.decisions import item_text, numbered, outcome_line, ref, register_json, vote_json
from bot.format import Clock, and_more, show_duration, undecrypted
from bot.i18n import Translate
from bot.minutes.agenda import (
    AgendaView,
    agenda_facts,
    agenda_json,
    agenda_markdown,
    agenda_text,
    agenda_view,
)
from bot.minutes.attendance import (
    AttendanceView,
    attendance_json,
    attendance_markdown,
    attendance_text,
    attendance_view,
)
from bot.minutes.items import ActionEntry, Item, Kind, Minutes
from bot.minutes.record import (
    errata_json,
    erratum_line,
    removal_json,
    removal_note,
    standing_facts,
    standing_json,
)
from storage.status import ActionStatus

if TYPE_CHECKING:
    from jinja2 import Environment

FORMATS = ("md", "html", "txt", "json")
MIMETYPES = {
    "md": "text/markdown",
    "html": "text/html",
    "txt": "text/plain",
    "json": "application/json",
}
JSON_SCHEMA = "wgbot.minutes/1"
# C0/C1 controls (but tab and newline), and the characters that reorder text on screen.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|#])")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)


def clean(text: str) -> str:
    """User text without control characters or bidi overrides."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regex
    return _UNSAFE.sub("", text)


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data:, …)."""
    if url and _SAFE_URL.match(url):
        return url
    return None


def md_escape(text: str) -> str:
    """Text that Markdown shows as it is: on one line, every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def show_due(action: ActionEntry, clock: Clock) -> str | None:
    """An action's due date, with its time of day when one was given."""
    if action.due_at is None:
        return None
    day = Clock(clock.zone, clock.language)
    if action.due_has_time:
        return f"{day.day(action.due_at)}, {day.time(action.due_at)}"
    return day.day(action.due_at)


# --- The view every writer renders ----------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    label: str
    text: str
    author: str
    at: str
    url: str | None = None


@dataclass(frozen=True)
class TopicView:
    title: str | None
    at: str | None
    items: list[ItemView]


@dataclass(frozen=True)
class LineView:
    at: str
    sender: str
    body: str | None  # None: a gap
    note: str | None = None
    mark: bool = False  # not a message: where lines were removed (the note says so)


@dataclass(frozen=True)
class View:
    language: str
    heading: str
    facts: list[tuple[str, str]]
    gaps_note: str | None
    labels: dict[str, str]
    topics: list[TopicView]
    decisions: list[str]
    actions_by_person: list[tuple[str, list[str]]]
    open_actions: list[str]
    open_more: str | None
    log: list[LineView] = field(default_factory=list)
    attendance: AttendanceView | None = None
    agenda: AgendaView | None = None  # bot/minutes/agenda.py
    errata: list[str] = field(default_factory=list)


def _kind_labels(_: Translate) -> dict[Kind, str]:
    return {
        Kind.TOPIC: _("Topic"),
        Kind.INFO: _("Info"),
        Kind.IDEA: _("Idea"),
        Kind.AGREED: _("Agreed"),
        Kind.ACTION: _("Action"),
        Kind.LINK: _("Link"),
        Kind.REJECTED: _("Rejected"),
        Kind.DEFERRED: _("Deferred"),
        Kind.VOTE: _("Vote"),
    }


def _state(action: ActionEntry, now: datetime | None) -> str | None:
    """done, dropped, overdue, or None (open and not overdue, or no time to compare with)."""
    if action.status in (ActionStatus.DONE, ActionStatus.DROPPED):
        return action.status
    if now is not None and action.due_at is not None and action.due_at < now:
        return "overdue"
    return None


def _notes(due: str | None, state: str | None, _: Translate) -> str | None:
    """What an action's line says in parentheses, one whole sentence per case."""
    if due and state:
        return {
            "done": _("due {date}; done"),
            "dropped": _("due {date}; dropped"),
            "overdue": _("due {date}; overdue"),
        }[state].format(date=due)
    if due:
        return _("due {date}").format(date=due)
    if state:
        return {"done": _("done"), "dropped": _("dropped"), "overdue": _("overdue")}[state]
    return None


def action_line(action: ActionEntry, clock: Clock, _: Translate, *, now: datetime | None) -> str:
    """One action on one line: "#12 Draft the note → @bob:example.org, MAEE (due …; overdue)"."""
    text = f"#{action.id} {one_line(action.text)}"
    if action.assignees:
        text += " → " + ", ".join(one_line(a) for a in action.assignees)
    notes = _notes(show_due(action, clock), _state(action, now), _)
    return f"{text} ({notes})" if notes else text


def _item_text(item: Item, clock: Clock, _: Translate) -> str:
    if item.kind is Kind.ACTION and item.action is not None:
        return action_line(item.action, clock, _, now=None)
    return item_text(item, _)  # a vote's with its outcome and counts


def _removed(count: int, _: Translate) -> LineView:
    return LineView("", "", None, removal_note(count, _), mark=True)


def build_view(minutes: Minutes, _: Translate, now: datetime | None = None) -> View:
    """What the minutes say, as plain strings in the room's language and zone."""
    start, end = minutes.started_at, minutes.ended_at
    tz = ZoneInfo(minutes.timezone)
    last = end or (minutes.lines[-1].at if minutes.lines else start)
    several = start.astimezone(tz).date() != last.astimezone(tz).date()
    clock = Clock(minutes.timezone, minutes.language, several_days=several)
    title = one_line(minutes.title) or _("(title removed)")
    facts = [
        (_("Meeting"), f"#{minutes.id}"),
        (_("When"), Clock(minutes.timezone, minutes.language).span(start, end)),
    ]
    if minutes.duration is not None:
        facts.append((_("Duration"), show_duration(minutes.duration, minutes.language)))
        facts += standing_facts(minutes, _)
    else:
        facts.append((_("Status"), _("still running")))
    facts += agenda_facts(minutes, _, one_line)
    facts.append((_("Chairs"), ", ".join(one_line(c) for c in minutes.chairs)))
    facts.append((_("Attendees (who spoke)"), ", ".join(one_line(a) for a in minutes.attendees)))
    gaps = len(minutes.gaps)
    gaps_note = undecrypted(gaps, _) if gaps else None
    kinds = _kind_labels(_)
    topics = []
    for topic in minutes.topics():
        topics.append(
            TopicView(
                title=one_line(topic.item.text) if topic.item else None,
                at=clock.time(topic.item.at) if topic.item else None,
                items=[
                    ItemView(
                        label=numbered(kinds[item.kind], item),
                        text=_item_text(item, clock, _),
                        author=one_line(item.author),
                        at=clock.time(item.at),
                        url=safe_url(item.url),
                    )
                    for item in topic.items
                ],
            )
        )
    by_person = []
    for person, actions in minutes.actions_by_person():
        label = one_line(person) if person is not None else _("Not assigned")
        by_person.append((label, [action_line(a, clock, _, now=None) for a in actions]))
    open_actions = [action_line(a, clock, _, now=now) for a in minutes.open_actions]
    more = minutes.open_actions_total - len(minutes.open_actions)
    log = []
    marks = list(minutes.removals)
    for line in minutes.lines:
        while marks and marks[0].seq <= line.seq:
            log.append(_removed(marks.pop(0).lines, _))
        if line.is_gap:
            note = _("message not decrypted")
            log.append(LineView(clock.time(line.at), one_line(line.sender), None, note))
        else:
            note = _("edited") if line.edited else None
            body = clean(line.body or "")
            if line.msgtype == "m.emote":
                body = f"* {body}"
            elif line.msgtype not in ("m.text", "m.notice"):
                body = f"[{line.msgtype.removeprefix('m.')}] {body}"
            log.append(LineView(clock.time(line.at), one_line(line.sender), body, note))
    log += [_removed(mark.lines, _) for mark in marks]
    return View(
        language=minutes.language,
        heading=_("Minutes: {title}").format(title=title),
        facts=facts,
        gaps_note=gaps_note,
        labels={
            "topics": _("Topics"),
            "no_topic": _("Before the first topic"),
            "nothing": _("Nothing was recorded."),
            "decisions": _("Decisions"),
            "actions": _("Action items by person"),
            "open": _("Open actions from before this meeting"),
            "log": _("Log"),
            "errata": _("Errata"),
            "none": _("None."),
            "generated": _("Minutes written by wgbot."),
        },
        topics=topics,
        decisions=[outcome_line(d, _) for d in minutes.decisions],
        actions_by_person=by_person,
        open_actions=open_actions,
        open_more=and_more(more, _) if more > 0 else None,
        log=log,
        attendance=attendance_view(minutes, _),
        agenda=agenda_view(minutes, _, one_line),
        errata=[erratum_line(e, clock, _) for e in minutes.errata],
    )


# --- Markdown and plain text -------------------------------------------------------------


def _md_body(body: str) -> str:
    """A message in the log: its lines joined, each escaped."""
    return " ⏎ ".join(md_escape(part) for part in body.splitlines() if part.strip()) or ""


def render_markdown(view: View) -> str:
    e, out = md_escape, []
    out += [f"# {e(view.heading)}", ""]
    out += [f"- **{e(label)}:** {e(value)}" for label, value in view.facts]
    if view.gaps_note:
        out.append(f"- **{e(view.gaps_note)}**")
    out += attendance_markdown(view.attendance, e)
    out += ["", *agenda_markdown(view.agenda, e, view.labels["none"])]
    out += [f"## {e(view.labels['topics'])}", ""]
    if not view.topics:
        out += [e(view.labels["nothing"]), ""]
    for number, topic in enumerate(view.topics, start=1):
        title = topic.title if topic.title is not None else view.labels["no_topic"]
        at = f" ({e(topic.at)})" if topic.at else ""
        out.append(f"### {number}. {e(title)}{at}")
        out += [""] if topic.items else []
        for item in topic.items:
            text = e(item.text)
            if item.url:
                target = item.url.replace("(", "%28").replace(")", "%29").replace(">", "%3E")
                text = f"[{e(item.text or item.url)}](<{target}>)"
            by = ", ".join(e(part) for part in (item.author, item.at) if part)
            out.append(f"- **{e(item.label)}:** {text} — {by}")
        out.append("")
    out += [f"## {e(view.labels['decisions'])}", ""]
    out += [f"- {e(d)}" for d in view.decisions] or [e(view.labels["none"])]
    out += ["", f"## {e(view.labels['actions'])}", ""]
    if not view.actions_by_person:
        out.append(e(view.labels["none"]))
    for person, actions in view.actions_by_person:
        out += [f"- **{e(person)}**"] + [f"  - {e(a)}" for a in actions]
    out += ["", f"## {e(view.labels['open'])}", ""]
    out += [f"- {e(a)}" for a in view.open_actions] or [e(view.labels["none"])]
    if view.open_more:
        out.append(f"- {e(view.open_more)}")
    if view.errata:
        out += ["", f"## {e(view.labels['errata'])}", ""]
        out += [f"- {e(erratum)}" for erratum in view.errata]
    out += ["", f"## {e(view.labels['log'])}", ""]
    for line in view.log:
        if line.mark:
            out.append(f"- *({e(line.note or '')})*")
            continue
        note = f" *({e(line.note)})*" if line.note else ""
        body = _md_body(line.body) if line.body is not None else ""
        said = f"**{e(line.sender)}**: " if line.sender else ""  # "": nobody named
        out.append(f"- `{e(line.at)}` {said}{body}{note}".rstrip())
    out += ["", f"*{e(view.labels['generated'])}*", ""]
    return "\n".join(out)


def render_text(view: View) -> str:
    out = [view.heading, "=" * min(len(view.heading), 80), ""]
    out += [f"{label}: {value}" for label, value in view.facts]
    if view.gaps_note:
        out.append(view.gaps_note)
    out += attendance_text(view.attendance)

    def heading(text: str) -> None:
        out.extend(["", text, "-" * min(len(text), 80)])

    out += agenda_text(view.agenda, view.labels["none"])
    heading(view.labels["topics"])
    if not view.topics:
        out.append(view.labels["nothing"])
    for number, topic in enumerate(view.topics, start=1):
        title = topic.title if topic.title is not None else view.labels["no_topic"]
        out.append(f"{number}. {title}" + (f" ({topic.at})" if topic.at else ""))
        for item in topic.items:
            text = item.text if not item.url else f"{item.text} <{item.url}>".strip()
            by = ", ".join(part for part in (item.author, item.at) if part)
            out.append(f"   * {item.label}: {text} — {by}")
    heading(view.labels["decisions"])
    out += [f" * {d}" for d in view.decisions] or [view.labels["none"]]
    heading(view.labels["actions"])
    if not view.actions_by_person:
        out.append(view.labels["none"])
    for person, actions in view.actions_by_person:
        out += [f" * {person}"] + [f"   - {a}" for a in actions]
    heading(view.labels["open"])
    out += [f" * {a}" for a in view.open_actions] or [view.labels["none"]]
    if view.open_more:
        out.append(f" * {view.open_more}")
    if view.errata:
        heading(view.labels["errata"])
        out += [f" * {erratum}" for erratum in view.errata]
    heading(view.labels["log"])
    for line in view.log:
        if line.mark:
            out.append(f"({line.note})")
            continue
        note = f" ({line.note})" if line.note else ""
        body = " ⏎ ".join(p for p in (line.body or "").splitlines() if p.strip())
        said = f"{line.sender}: " if line.sender else ""
        out.append(f"[{line.at}] {said}{body}{note}".rstrip())
    out += ["", view.labels["generated"], ""]
    return "\n".join(out)


# --- HTML ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The HTML template's environment, made when the first HTML minutes are asked for."""
    # Imported here, not at the top: Jinja2 would cost every running bot 1-2 MiB for one command.
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("bot.minutes", "templates"),
        autoescape=True,  # every value is escaped unless marked safe, and nothing is
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(view: View) -> str:
    return _environment().get_template("minutes.html.j2").render(view=view)


# --- JSON ------------------------------------------------------------------------------------


def minutes_json(minutes: Minutes) -> dict[str, Any]:
    """The documented, stable JSON form (schema "wgbot.minutes/1", see README)."""
    clock = Clock(minutes.timezone, minutes.language)

    def action(a: ActionEntry) -> dict[str, Any]:
        return {
            "id": a.id,
            "text": clean(a.text),
            "assignees": list(a.assignees),
            "status": a.status,
            "due": clock.iso(a.due_at),
            "due_has_time": a.due_has_time if a.due_at else None,
        }

    def item(i: Item) -> dict[str, Any]:
        return {
            "kind": i.kind.value,
            "text": clean(i.text),
            "author": i.author,
            "at": clock.iso(i.at),
            "url": safe_url(i.url),
            "action": i.action.id if i.action else None,
            "decision": ref(i.decision) if i.decision is not None else None,
            "vote": vote_json(i.vote),
        }

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
        "attendees": list(minutes.attendees),
        **attendance_json(minutes.attendance, minutes.quorum),
        "topics": topics,
        "decisions": [clean(d.text) for d in minutes.decisions if d.kind is Kind.AGREED],
        "register": register_json(minutes.decisions),
        "actions": [action(a) for a in minutes.actions],
        "open_actions": [action(a) for a in minutes.open_actions],
        "gaps": [
            {"at": clock.iso(g.at), "sender": g.sender, "event_id": g.event_id}
            for g in minutes.gaps
        ],
        "log": log,
        **agenda_json(minutes, clock, clean),
        "errata": errata_json(minutes, clock),
        "approval": standing_json(minutes, clock),
    }


def render(minutes: Minutes, form: str, _: Translate, now: datetime | None = None) -> bytes:
    """The minutes in one of FORMATS, as UTF-8 bytes."""
    if form == "json":
        text = json.dumps(minutes_json(minutes), ensure_ascii=False, indent=2) + "\n"
        return text.encode("utf-8")
    view = build_view(minutes, _, now)
    renderers = {"md": render_markdown, "html": render_html, "txt": render_text}
    return renderers[form](view).encode("utf-8")
