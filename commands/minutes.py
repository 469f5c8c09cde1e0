"""Minutes, MeetBot style: !startmeeting … !endmeeting records the room; exports on request.

While a meeting runs every message goes into the structured log (its latest version if
edited; a gap if the bot could not decrypt it) together with the items members record. A
redaction removes the message from the log and whatever it created. `!action` belongs to
commands/actions.py, which also records it here when a meeting runs; the log itself (messages,
edits, gaps, redactions) is kept by commands/minutes_log.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.args import parse_number, parse_user, unquote
from bot.attendance import close_attendance, describe_state, open_roll_call, roll_call_line
from bot.confidential import CHATHAM, close_chatham, take_flag
from bot.decisions import register_item
from bot.dispatch import CommandContext
from bot.features import command
from bot.format import and_more, joined, people, show_duration, undecrypted, user_ids
from bot.i18n import N_, Translate
from bot.minutes.files import minutes_file
from bot.minutes.items import Item, Kind, Minutes
from bot.minutes.meeting import LiveMeeting
from bot.minutes.planned import find_scheduled, link, linked_lines
from bot.minutes.rows import load_minutes
from bot.minutes.writers import outcome_line
from bot.parsing import UsageError, split_args
from bot.replies import Message, Reply, bold, code, fmt, mention
from bot.votes import close_open_votes
from storage.actions import ActionRepository
from storage.confidential_models import NOBODY
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting
from storage.status import LogKind

MAX_TITLE, MAX_ITEM, MAX_URL = 200, 2000, 2000
SUMMARY_LIMIT, SUMMARY_TEXT = 20, 300
URL = re.compile(r"^https?://[^\s<>\"']+$", re.I)


# --- Pure argument parsers ----------------------------------------------------------------


def parse_title(raw: str) -> str:
    """The title of `!startmeeting`."""
    title = " ".join(unquote(raw).split())
    if not title:
        raise UsageError(N_("Give the meeting a title, e.g. “Plenary”."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    return title


@dataclass(frozen=True)
class StartArgs:
    """`!startmeeting [#<meeting id>] [<title>] [--chatham]`: the scheduled meeting named, if
    one is; Chatham House (nothing attributed, bot/confidential.py)."""

    title: str | None
    scheduled: int | None = None
    chatham: bool = False


def parse_start(raw: str) -> StartArgs:
    """A title, after `#<id>` of the scheduled meeting to link; either may be left out."""
    raw, chatham = take_flag(raw, CHATHAM)
    words = raw.split(maxsplit=1)
    scheduled = None
    if words and len(words[0]) > 1 and words[0][0] == "#" and words[0][1:].isdigit():
        scheduled = parse_number(words[0], N_("“{value}” is not a meeting number."))
        raw = words[1] if len(words) > 1 else ""
    given = " ".join(unquote(raw).split())
    return StartArgs(parse_title(raw) if given else None, scheduled, chatham)


def parse_text(raw: str) -> str:
    """The text of an item: `!topic`, `!info`, `!idea`, `!agreed`."""
    text = " ".join(unquote(raw).split())
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
    text = " ".join(unquote(words[1]).split()) if len(words) > 1 else ""
    if len(text) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return LinkArgs(words[0], text)


def parse_users(raw: str) -> tuple[str, ...]:
    """Matrix user ids (@name:server), one or more; none means "show"."""
    return tuple(parse_user(word.rstrip(",")) for word in split_args(raw.replace(",", " ")))


def parse_nothing(raw: str) -> None:
    return None


# --- From rows to values --------------------------------------------------------------------


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


# --- Meeting mode ---------------------------------------------------------------------------


def _running(ctx: CommandContext) -> MinutesMeeting:
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_("No meeting is being recorded here; start one with {command}."),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    return meeting


def _shorten(text: str, limit: int = SUMMARY_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@command(
    "startmeeting",
    usage="[#<meeting id>] [<title>] [--chatham]",
    help=N_(
        "Start recording a meeting (linked to the meeting scheduled within two hours, or #<id>): "
        "then !topic, !next, !info, !idea, !agreed, !action, !link."
    ),
    parse=parse_start,
)
async def start_meeting(ctx: CommandContext, args: StartArgs) -> Reply:
    """Begin recording the room; the starter is its first chair. The scheduled meeting it
    records brings its title (unless one is given) and its agenda."""
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
    scheduled = find_scheduled(ctx.session, ctx.room_id, ctx.now, args.scheduled)
    title = args.title or (scheduled.meeting.title if scheduled else None)
    if not title:
        raise UsageError(N_("Give the meeting a title, e.g. “Plenary”."))
    meeting = minutes.start(
        room_id=ctx.room_id,
        title=title,
        started_by=ctx.sender,
        now=ctx.now,
        event_id=ctx.event_id,
        chatham=args.chatham,
    )
    # The command opens the log, as in MeetBot's.
    named = f"#{args.scheduled} " if args.scheduled else ""
    flag = f" {CHATHAM}" if args.chatham else ""
    minutes.record(
        meeting,
        event_id=ctx.event_id,
        sender=NOBODY if args.chatham else ctx.sender,
        ts=ctx.now,
        kind=LogKind.MESSAGE,
        payload={"msgtype": "m.text", "body": f"{ctx.prefix}startmeeting {named}{title}{flag}"},
    )
    planned = link(ctx.session, meeting, scheduled) if scheduled else 0
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
        *linked_lines(scheduled, planned, ctx.prefix, _),
        *(
            [_("Chatham House rule: nothing said in this meeting will be attributed to anyone.")]
            if args.chatham
            else []
        ),
        # The answer is the roll call too: ✅ on it counts (commands/attendance.py).
        roll_call_line(ctx.prefix, _),
    ).for_purpose(open_roll_call(ctx.session, meeting))


async def _record(ctx: CommandContext, kind: Kind, text: str, url: str | None = None) -> Reply:
    meeting = _running(ctx)
    live(ctx.session, meeting).may_record(kind, ctx.sender, ctx.is_chair, ctx.prefix + kind.value)
    item = MinutesRepository(ctx.session).add_item(
        meeting,
        kind=kind.value,
        text=text,
        url=url,
        author=MinutesRepository(ctx.session).attributed(meeting, ctx.sender),
        now=ctx.now,
        event_id=ctx.event_id,
    )
    _ = ctx._
    shown = _shorten(text or url or "")
    if (registered := register_item(ctx.session, meeting, item, kind, shown, _)) is not None:
        return Reply.of(registered)  # an outcome, entered in the decision register
    labels = {
        Kind.TOPIC: _("Topic: {text}"),
        Kind.INFO: _("Info recorded: {text}"),
        Kind.IDEA: _("Idea recorded: {text}"),
        Kind.LINK: _("Link recorded: {text}"),
    }
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
    return Reply.of(fmt(ctx._("Chairs: {people}"), people=joined(state.chairs)))


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
    return Reply.of(fmt(ctx._("Chairs: {people}"), people=joined(state.chairs)))


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
        Kind.REJECTED: _("rejection"),
        Kind.DEFERRED: _("deferral"),
        Kind.VOTE: _("vote"),
    }[kind]


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
        lines.extend(f"• {_shorten(outcome_line(d, _))}" for d in decisions[:SUMMARY_LIMIT])
        if len(decisions) > SUMMARY_LIMIT:
            lines.append(and_more(len(decisions) - SUMMARY_LIMIT, _))
    mentioned: list[str] = []
    actions = minutes.actions
    if actions:
        lines.append(bold(_("Actions")))
        for action in actions[:SUMMARY_LIMIT]:
            line: list = [f"• #{action.id} {_shorten(action.text)}"]
            if action.assignees:
                line += [" → ", *people(action.assignees)]
            lines.append(line)
            mentioned += user_ids(action.assignees)
        if len(actions) > SUMMARY_LIMIT:
            lines.append(and_more(len(actions) - SUMMARY_LIMIT, _))
    if minutes.attendance is not None and minutes.attendance.unnamed:
        lines.append(_("Nothing is attributed: attendance is kept by organisation only."))
    else:
        lines.append(fmt(_("Attendees: {people}"), people=joined(minutes.attendees)))
    if minutes.quorum is not None:
        lines.append(describe_state(minutes.quorum, _))
    if minutes.gaps:
        lines.append(undecrypted(len(minutes.gaps), _))
    lines.append(
        fmt(
            _("They are a draft: corrections with {amend}; chairs approve them with {approve}."),
            amend=code(f"{prefix}minutes {minutes.id} amend <text>"),
            approve=code(f"{prefix}minutes {minutes.id} approve|circulate"),
        )
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
async def end_meeting(ctx: CommandContext, _args: None) -> list[Message]:
    """Stop recording: open votes close (first), then the summary, then the minutes as a file."""
    meeting = _running(ctx)
    live(ctx.session, meeting).require_chair(ctx.sender, ctx.is_chair, ctx.prefix + "endmeeting")
    votes = close_open_votes(ctx, meeting)  # their outcomes belong to these minutes
    MinutesRepository(ctx.session).end(meeting, ctx.sender, ctx.now)
    close_attendance(ctx.session, meeting, ctx.now)
    if MinutesRepository(ctx.session).is_chatham(meeting):
        close_chatham(ctx.session, meeting)
    minutes = load_minutes(
        ctx.session, meeting, language=ctx.language, timezone=ctx.timezone, now=ctx.now
    )
    return [
        *votes,
        summary(minutes, ctx.prefix, ctx._),
        Reply.file(minutes_file(minutes, "md", ctx._, ctx.now)),
    ]
