"""Minutes, MeetBot style: !startmeeting … !endmeeting records the room; exports on request.

While a meeting runs every message goes into the structured log (its latest version if
edited; a gap if the bot could not decrypt it) together with the items members record. A
redaction removes the message from the log and whatever it created. `!action` belongs to
commands/actions.py, which also records it here when a meeting runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.args import parse_number
from bot.content import Content
from bot.dispatch import (
    QUOTES,
    CommandContext,
    RoomEvent,
    UsageError,
    command,
    on_event,
    split_args,
)
from bot.i18n import N_, Translate
from bot.minutes.items import ActionEntry, Item, Kind, Line, Minutes
from bot.minutes.meeting import LiveMeeting
from bot.minutes.writers import FORMATS, MIMETYPES, Clock, render, show_duration
from bot.replies import Attachment, Fragment, Reply, bold, code, fmt, mention
from storage.actions import ActionRepository
from storage.log import LogRepository
from storage.minutes import GAP, MESSAGE, MinutesRepository
from storage.models import ActionItem, LogEntry, MinutesItem, MinutesMeeting

MAX_TITLE, MAX_ITEM, MAX_URL = 200, 2000, 2000
# A message longer than a Matrix event can be is cut (64 KiB is the protocol's limit anyway).
MAX_BODY = 65_536
LIST_LIMIT = 20
SUMMARY_LIMIT, SUMMARY_TEXT = 20, 300
CARRIED_LIMIT = 100
USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)
LOGGED_MSGTYPES = {"m.text", "m.notice", "m.emote", "m.file", "m.image", "m.audio", "m.video"}
FORMAT_WORDS = {**{f: f for f in FORMATS}, "markdown": "md", "text": "txt", "texte": "txt"}


# --- Pure argument parsers ----------------------------------------------------------------


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] == QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def parse_title(raw: str) -> str:
    """The title of `!startmeeting`."""
    title = " ".join(_unquote(raw).split())
    if not title:
        raise UsageError(N_("Give the meeting a title, e.g. “Plenary”."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    return title


def parse_text(raw: str) -> str:
    """The text of an item: `!topic`, `!info`, `!idea`, `!agreed`."""
    text = " ".join(_unquote(raw).split())
    if not text:
        raise UsageError(N_("Say what to record, e.g. the decision itself."))
    if len(text) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return text


@dataclass(frozen=True)
class LinkArgs:
    url: str
    text: str


def parse_link(raw: str) -> LinkArgs:
    """`<url> [text]`: an http(s) link and what it is."""
    words = raw.split(maxsplit=1)
    if not words or not URL.match(words[0]) or len(words[0]) > MAX_URL:
        raise UsageError(N_("Give an http(s) link first, e.g. https://example.org/report.pdf."))
    text = " ".join(_unquote(words[1]).split()) if len(words) > 1 else ""
    if len(text) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return LinkArgs(words[0], text)


def parse_users(raw: str) -> tuple[str, ...]:
    """Matrix user ids (@name:server), one or more; none means "show"."""
    users = tuple(word.rstrip(",") for word in split_args(raw.replace(",", " ")))
    bad = [u for u in users if not USER_ID.match(u)]
    if bad:
        raise UsageError(
            N_("“{value}” is not a Matrix user id; write it like @alice:example.org."),
            value=bad[0][:60],
        )
    return users


def parse_nothing(raw: str) -> None:
    return None


@dataclass(frozen=True)
class ExportArgs:
    short_id: int
    form: str


def parse_export(raw: str) -> ExportArgs | None:
    """`<id> [md|html|txt|json]`; nothing at all lists the meetings."""
    words = split_args(raw)
    if not words:
        return None
    number = parse_number(words[0], N_("“{value}” is not a meeting number."))
    form = FORMAT_WORDS.get(words[1].lower().lstrip(".")) if len(words) > 1 else "md"
    if form is None or len(words) > 2:
        raise UsageError(N_("Choose one of: {formats}."), formats=", ".join(FORMATS))
    return ExportArgs(number, form)


# --- From rows to values --------------------------------------------------------------------


def action_entry(item: ActionItem, assignees: list[str]) -> ActionEntry:
    return ActionEntry(
        id=item.short_id,
        text=item.text,
        assignees=tuple(assignees),
        status=item.status,
        due_at=item.due_at,
        due_has_time=item.due_has_time,
    )


def line_of(seq: int, entry: LogEntry) -> Line:
    payload = entry.payload or {}
    if entry.kind == GAP:
        return Line(seq, entry.ts, entry.sender, None, "gap", event_id=entry.event_id)
    return Line(
        seq=seq,
        at=entry.ts,
        sender=entry.sender,
        body=str(payload.get("body", "")),
        msgtype=str(payload.get("msgtype", "m.text")),
        edited=bool(payload.get("versions")),
        event_id=entry.event_id,
    )


def live(session: Session, meeting: MinutesMeeting) -> LiveMeeting:
    """The meeting as the rules see it."""
    items = tuple(
        Item(seq=row.seq, kind=Kind(row.kind), text=row.text, author=row.author, at=row.created_at)
        for row in MinutesRepository(session).items(meeting.id)
    )
    return LiveMeeting(
        short_id=meeting.short_id,
        title=meeting.title,
        status=meeting.status,
        started_by=meeting.started_by,
        chairs=tuple(meeting.chairs),
        items=items,
    )


def load_minutes(
    session: Session, meeting: MinutesMeeting, *, language: str, timezone: str, now: datetime
) -> Minutes:
    """Everything the minutes of a meeting say, as they stand now (redactions honoured)."""
    minutes = MinutesRepository(session)
    actions = ActionRepository(session)
    rows = minutes.items(meeting.id)
    linked = actions.get_many([r.action_id for r in rows if r.action_id is not None])
    end = meeting.ended_at or now
    carried = actions.open_at(
        meeting.room_id,
        before=meeting.started_at,
        at=end,
        exclude_meeting=meeting.id,
        limit=CARRIED_LIMIT,
    )
    people = actions.assignees([*linked, *(a.id for a in carried.items)])
    entries = {i: action_entry(a, people[i]) for i, a in linked.items()}
    items = tuple(
        Item(
            seq=row.seq,
            kind=Kind(row.kind),
            text=row.text,
            author=row.author,
            at=row.created_at,
            url=row.url,
            action=entries.get(row.action_id) if row.action_id is not None else None,
        )
        for row in rows
    )
    return Minutes(
        id=meeting.short_id,
        room_id=meeting.room_id,
        title=meeting.title,
        started_by=meeting.started_by,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        chairs=tuple(meeting.chairs),
        timezone=timezone,
        language=language,
        items=items,
        lines=tuple(line_of(seq, entry) for seq, entry in minutes.lines(meeting.id)),
        open_actions=tuple(action_entry(a, people[a.id]) for a in carried.items),
        open_actions_total=carried.total,
    )


def minutes_file(minutes: Minutes, form: str, _: Translate, now: datetime) -> Attachment:
    day = minutes.started_at.astimezone(ZoneInfo(minutes.timezone)).date().isoformat()
    return Attachment(
        filename=f"minutes-{minutes.id}-{day}.{form}",
        mimetype=MIMETYPES[form],
        data=render(minutes, form, _, now),
    )


# --- Meeting mode ---------------------------------------------------------------------------


def _running(ctx: CommandContext) -> MinutesMeeting:
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_("No meeting is being recorded here; start one with {command}."),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    return meeting


def running_meeting(session: Session, room_id: str) -> MinutesMeeting | None:
    """The room's meeting being recorded (for `!action`, which records itself here too)."""
    return MinutesRepository(session).running(room_id)


def record_action(
    session: Session,
    meeting: MinutesMeeting,
    action: ActionItem,
    author: str,
    now: datetime,
    event_id: str,
) -> MinutesItem:
    """An action decided in a meeting is also an item of its minutes."""
    return MinutesRepository(session).add_item(
        meeting,
        kind=Kind.ACTION.value,
        text=action.text,
        author=author,
        now=now,
        event_id=event_id,
        action_id=action.id,
    )


def _shorten(text: str, limit: int = SUMMARY_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@command(
    "startmeeting",
    usage="<title>",
    help=N_("Start recording a meeting: then !topic, !info, !idea, !agreed, !action, !link."),
    parse=parse_title,
)
async def start_meeting(ctx: CommandContext, title: str) -> Reply:
    """Begin recording the room; the starter is its first chair."""
    _ = ctx._
    minutes = MinutesRepository(ctx.session)
    current = minutes.running(ctx.room_id)
    if current is not None:
        raise UsageError(
            N_("Meeting #{id} ({title}) is being recorded already; end it with {command}."),
            id=current.short_id,
            title=current.title,
            command=f"{ctx.prefix}endmeeting",
        )
    meeting = minutes.start(
        room_id=ctx.room_id, title=title, started_by=ctx.sender, now=ctx.now, event_id=ctx.event_id
    )
    # The command opens the log, as in MeetBot's.
    minutes.record(
        meeting,
        event_id=ctx.event_id,
        sender=ctx.sender,
        ts=ctx.now,
        kind=MESSAGE,
        payload={"msgtype": "m.text", "body": f"{ctx.prefix}startmeeting {title}"},
    )
    return Reply.of(
        fmt(
            _("Meeting #{id} started: {title}. Everything said here is recorded until {end}."),
            id=str(meeting.short_id),
            title=bold(title),
            end=code(f"{ctx.prefix}endmeeting"),
        ),
        fmt(
            _("Chair: {chair}. Record with {commands}."),
            chair=mention(ctx.sender),
            commands=code(
                "!topic !info !idea !agreed !action !link !undo".replace("!", ctx.prefix)
            ),
        ),
    )


async def _record(ctx: CommandContext, kind: Kind, text: str, url: str | None = None) -> Reply:
    meeting = _running(ctx)
    live(ctx.session, meeting).may_record(kind, ctx.sender, ctx.is_chair, ctx.prefix + kind.value)
    MinutesRepository(ctx.session).add_item(
        meeting,
        kind=kind.value,
        text=text,
        url=url,
        author=ctx.sender,
        now=ctx.now,
        event_id=ctx.event_id,
    )
    _ = ctx._
    labels = {
        Kind.TOPIC: _("Topic: {text}"),
        Kind.INFO: _("Info recorded: {text}"),
        Kind.IDEA: _("Idea recorded: {text}"),
        Kind.AGREED: _("Decision recorded: {text}"),
        Kind.LINK: _("Link recorded: {text}"),
    }
    shown = _shorten(text or url or "")
    return Reply.of(fmt(labels[kind], text=bold(shown) if kind is Kind.TOPIC else shown))


@command("topic", usage="<topic>", help=N_("Set the current topic (chairs)."), parse=parse_text)
async def set_topic(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.TOPIC, text)


@command("info", usage="<text>", help=N_("Record a piece of information."), parse=parse_text)
async def add_info(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.INFO, text)


@command("idea", usage="<text>", help=N_("Record an idea."), parse=parse_text)
async def add_idea(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.IDEA, text)


@command(
    "agreed",
    usage="<decision>",
    help=N_("Record a decision."),
    aliases=("decision", "décision", "beschluss"),
    parse=parse_text,
)
async def add_decision(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.AGREED, text)


@command("link", usage="<url> [text]", help=N_("Record a link."), parse=parse_link)
async def add_link(ctx: CommandContext, args: LinkArgs) -> Reply:
    return await _record(ctx, Kind.LINK, args.text, url=args.url)


@command(
    "chair",
    usage="[@user:server…]",
    help=N_("Make members chairs of the meeting (chairs), or show the chairs."),
    parse=parse_users,
)
async def add_chairs(ctx: CommandContext, users: tuple[str, ...]) -> Reply:
    meeting = _running(ctx)
    state = live(ctx.session, meeting)
    if users:
        state = state.add_chairs(ctx.sender, ctx.is_chair, users, ctx.prefix + "chair")
        MinutesRepository(ctx.session).set_chairs(meeting, state.chairs)
    return Reply.of([ctx._("Chairs: "), *_people(state.chairs)])


@command(
    "unchair",
    usage="<@user:server…>",
    help=N_("Remove chairs of the meeting (chairs); the starter stays one."),
    parse=parse_users,
)
async def remove_chairs(ctx: CommandContext, users: tuple[str, ...]) -> Reply:
    if not users:
        raise UsageError(N_("Say who, e.g. @alice:example.org."))
    meeting = _running(ctx)
    state = live(ctx.session, meeting).remove_chairs(
        ctx.sender, ctx.is_chair, users, ctx.prefix + "unchair"
    )
    MinutesRepository(ctx.session).set_chairs(meeting, state.chairs)
    return Reply.of([ctx._("Chairs: "), *_people(state.chairs)])


@command(
    "undo",
    help=N_("Remove the latest item recorded (yours; a chair's removes anyone's)."),
    parse=parse_nothing,
)
async def undo_item(ctx: CommandContext, _args: None) -> Reply:
    meeting = _running(ctx)
    target = live(ctx.session, meeting).undo_target(ctx.sender, ctx.is_chair)
    minutes = MinutesRepository(ctx.session)
    row = next(r for r in minutes.items(meeting.id) if r.seq == target.seq)
    if row.action_id is not None:
        action = ActionRepository(ctx.session).get(row.action_id)
        if action is not None:
            ActionRepository(ctx.session).remove(action)
    kind = Kind(row.kind)
    minutes.remove_item(row)
    _ = ctx._
    return Reply.of(
        fmt(
            _("Removed the {kind}: {text}"),
            kind=_kind_name(kind, _),
            text=_shorten(row.text or row.url or ""),
        )
    )


def _kind_name(kind: Kind, _: Translate) -> str:
    return {
        Kind.TOPIC: _("topic"),
        Kind.INFO: _("info"),
        Kind.IDEA: _("idea"),
        Kind.AGREED: _("decision"),
        Kind.ACTION: _("action"),
        Kind.LINK: _("link"),
    }[kind]


def _people(users) -> list[str | Fragment]:
    parts: list[str | Fragment] = []
    for user in users:
        if parts:
            parts.append(", ")
        parts.append(mention(user) if USER_ID.match(user) else user)
    return parts


def summary(minutes: Minutes, prefix: str, _: Translate) -> Reply:
    """What `!endmeeting` says in the room: decisions, actions with owners, attendees, length."""
    title = minutes.title or _("(title removed)")
    duration = show_duration(minutes.duration, minutes.language) if minutes.duration else ""
    lines: list = [
        fmt(
            _("Meeting #{id} ended: {title} ({duration})."),
            id=str(minutes.id),
            title=bold(title),
            duration=duration,
        )
    ]
    decisions = minutes.decisions
    if decisions:
        lines.append(bold(_("Decisions")))
        lines.extend(f"• {_shorten(d.text)}" for d in decisions[:SUMMARY_LIMIT])
        if len(decisions) > SUMMARY_LIMIT:
            lines.append(_("… and {count} more.").format(count=len(decisions) - SUMMARY_LIMIT))
    mentioned: list[str] = []
    actions = minutes.actions
    if actions:
        lines.append(bold(_("Actions")))
        for action in actions[:SUMMARY_LIMIT]:
            line: list = [f"• #{action.id} {_shorten(action.text)}"]
            if action.assignees:
                line += [" → ", *_people(action.assignees)]
            lines.append(line)
            mentioned += [a for a in action.assignees if USER_ID.match(a)]
        if len(actions) > SUMMARY_LIMIT:
            lines.append(_("… and {count} more.").format(count=len(actions) - SUMMARY_LIMIT))
    lines.append([_("Attendees: "), *_people(minutes.attendees)])
    if minutes.gaps:
        lines.append(
            _("{count} message(s) could not be decrypted.").format(count=len(minutes.gaps))
        )
    lines.append(
        fmt(
            _("The full minutes are attached; any time later: {command}."),
            command=code(f"{prefix}minutes {minutes.id} md|html|txt|json"),
        )
    )
    return Reply.of(*lines, mentions=mentioned)


@command(
    "endmeeting", help=N_("End the meeting and post its minutes (chairs)."), parse=parse_nothing
)
async def end_meeting(ctx: CommandContext, _args: None) -> list[Reply]:
    """Stop recording; the summary is said in the room and the minutes come as a file."""
    meeting = _running(ctx)
    live(ctx.session, meeting).require_chair(ctx.sender, ctx.is_chair, ctx.prefix + "endmeeting")
    MinutesRepository(ctx.session).end(meeting, ctx.sender, ctx.now)
    minutes = load_minutes(
        ctx.session, meeting, language=ctx.language, timezone=ctx.timezone, now=ctx.now
    )
    # Two messages answer this command: the summary first, then the file.
    return [
        summary(minutes, ctx.prefix, ctx._),
        Reply.file(minutes_file(minutes, "md", ctx._, ctx.now)),
    ]


# --- Exports --------------------------------------------------------------------------------


@command(
    "minutes list",
    help=N_("List the meetings recorded in this room."),
    parse=parse_nothing,
)
async def list_minutes(ctx: CommandContext, _args: None) -> Reply:
    _ = ctx._
    minutes = MinutesRepository(ctx.session)
    meetings, total = minutes.recent(ctx.room_id, LIST_LIMIT)
    if not meetings:
        return Reply.of(
            _("No meeting has been recorded in this room."),
            fmt(_("Start one with {command}."), command=code(f"{ctx.prefix}startmeeting <title>")),
        )
    counts = minutes.count_lines(m.id for m in meetings)
    clock = Clock(ctx.timezone, ctx.language)
    lines: list = [bold(_("Recorded meetings"))]
    for meeting in meetings:
        title = meeting.title or _("(title removed)")
        when = clock.span(meeting.started_at, meeting.ended_at)
        state = _("running") if meeting.ended_at is None else ""
        messages = _("{count} message(s)").format(count=counts.get(meeting.id, 0))
        details = ", ".join(p for p in (when, messages, state) if p)
        lines.append([f"#{meeting.short_id} ", bold(title), f" — {details}"])
    if total > len(meetings):
        lines.append(_("… and {count} more.").format(count=total - len(meetings)))
    lines.append(
        fmt(
            _("Export one with {command}."),
            command=code(f"{ctx.prefix}minutes <id> md|html|txt|json"),
        )
    )
    return Reply.of(*lines)


@command(
    "minutes",
    usage="[<id> md|html|txt|json]",
    help=N_("Send a meeting's minutes as a file (Markdown by default), or list the meetings."),
    aliases=("procès-verbal", "protokoll"),
    parse=parse_export,
)
async def export_minutes(ctx: CommandContext, args: ExportArgs | None) -> Reply:
    if args is None:
        return await list_minutes.handler(ctx, None)
    meeting = MinutesRepository(ctx.session).by_short_id(ctx.room_id, args.short_id)
    if meeting is None:
        raise UsageError(N_("There is no recorded meeting #{id} in this room."), id=args.short_id)
    minutes = load_minutes(
        ctx.session, meeting, language=ctx.language, timezone=ctx.timezone, now=ctx.now
    )
    return Reply.file(minutes_file(minutes, args.form, ctx._, ctx.now))


# --- The log: messages, edits, gaps, redactions ---------------------------------------------


def _reply_fallback_removed(content: Content) -> str:
    """The body without the quoted fallback older clients put before a reply."""
    body = content.body or ""
    if content.relation.in_reply_to and body.startswith("> "):
        lines = body.splitlines()
        while lines and lines[0].startswith(">"):
            lines.pop(0)
        body = "\n".join(lines).lstrip("\n")
    return body[:MAX_BODY]


def _edit(ctx: CommandContext, event: RoomEvent, original_id: str) -> None:
    """An edit replaces the text of the logged message (its sender's own edits only)."""
    minutes = MinutesRepository(ctx.session)
    original = minutes.line(original_id)
    if original is None or original.sender != event.sender or original.kind != MESSAGE:
        return
    new = event.content.new_content
    body = new.body if new else None
    if body is None:
        return
    payload = dict(original.payload)
    payload.setdefault("original_body", payload.get("body", ""))
    versions = [*payload.get("versions", []), {"event_id": event.event_id, "body": body[:MAX_BODY]}]
    payload.update(versions=versions, body=body[:MAX_BODY])
    original.payload = payload
    # The edit itself is an event of the log too (without text), so its redaction is found.
    LogRepository(ctx.session).append(
        event_id=event.event_id,
        room_id=ctx.room_id,
        sender=event.sender,
        ts=event.ts,
        kind="edit",
        payload={"replaces": original_id},
    )


@on_event("m.room.message")
async def log_message(ctx: CommandContext, event: RoomEvent) -> None:
    """While a meeting runs, every message goes into the log; a gap is filled when decrypted."""
    content = event.content
    relation = content.relation
    if relation.rel_type == "m.replace":
        if relation.event_id is not None:
            _edit(ctx, event, relation.event_id)
        return
    msgtype = content.msgtype
    if msgtype not in LOGGED_MSGTYPES or content.body is None:
        return  # a message without text (as clients send them) is nothing to record
    payload = {"msgtype": msgtype, "body": _reply_fallback_removed(content)}
    minutes = MinutesRepository(ctx.session)
    gap = minutes.line(event.event_id)
    if gap is not None:
        if gap.kind == GAP:  # its key arrived: the gap becomes the message
            gap.kind, gap.payload = MESSAGE, payload
        return
    meeting = minutes.running(ctx.room_id)
    if meeting is not None:
        minutes.record(
            meeting,
            event_id=event.event_id,
            sender=event.sender,
            ts=event.ts,
            kind=MESSAGE,
            payload=payload,
        )


@on_event("m.room.encrypted")
async def log_gap(ctx: CommandContext, event: RoomEvent) -> None:
    """A message the bot could not decrypt is a marked gap (once: it may be offered again)."""
    minutes = MinutesRepository(ctx.session)
    meeting = minutes.running(ctx.room_id)
    if meeting is None or LogRepository(ctx.session).by_event(event.event_id) is not None:
        return
    minutes.record(
        meeting, event_id=event.event_id, sender=event.sender, ts=event.ts, kind=GAP, payload={}
    )


@on_event("m.room.redaction")
async def honour_redaction(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted message leaves the log, the minutes and every later export, with what it made."""
    redacts = event.content.redacts
    if redacts is None:
        return
    log = LogRepository(ctx.session)
    entry = log.by_event(redacts)
    if entry is not None and entry.room_id == ctx.room_id and entry.kind == "edit":
        _revert_edit(ctx, str(entry.payload.get("replaces", "")), redacts)
    removed = MinutesRepository(ctx.session).redact(ctx.room_id, redacts)
    actions = ActionRepository(ctx.session)
    doomed = {a.id: a for a in actions.by_event(ctx.room_id, redacts)}
    doomed.update(actions.get_many(removed.action_ids))
    for action in doomed.values():
        actions.remove(action)
    actions.remove_notes_of_event(redacts)


def _revert_edit(ctx: CommandContext, original_id: str, edit_id: str) -> None:
    """A redacted edit: the message reads as before it (its previous version, or the original)."""
    original = MinutesRepository(ctx.session).line(original_id)
    if original is None:
        return
    payload = dict(original.payload)
    versions = [v for v in payload.get("versions", []) if v.get("event_id") != edit_id]
    body = versions[-1]["body"] if versions else payload.get("original_body", "")
    payload.update(versions=versions, body=body)
    if not versions:
        payload.pop("original_body", None)
        payload.pop("versions", None)
    original.payload = payload
