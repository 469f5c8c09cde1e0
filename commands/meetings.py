"""Meetings: scheduled in plain words, listed, moved, cancelled; agenda, RSVP, reminders, .ics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy.orm import Session

from bot.args import (
    OFF_WORDS,
    parse_number,
    parse_offset,
    parse_one_number,
    read_time,
    split_place,
    take_quoted,
    take_zone,
)
from bot.dispatch import CommandContext, RoomEvent, reaction_key
from bot.features import Permission, command, on_event, on_sent
from bot.format import and_more, describe_recurrence, joined, show_span
from bot.i18n import N_, Translate
from bot.ics import render_ics
from bot.meetings import (
    announcement,
    calendar_meeting,
    describe_offsets,
    next_start,
    origin_lines,
    schedule_meeting,
    schedule_reminders,
    when_lines,
)
from bot.parsing import UsageError, split_args
from bot.replies import Attachment, PurposeKind, Reply, bold, code, fmt, mention
from bot.rooms import settings_of
from bot.when import When
from storage.meetings import MeetingRepository, ReminderRepository
from storage.models import Meeting
from storage.status import MeetingStatus

DEFAULT_DURATION = timedelta(hours=1)
MAX_TITLE, MAX_PLACE, MAX_ITEM = 200, 500, 500
MAX_OFFSETS = 6
LIST_LIMIT = 20
REACTIONS = {"✅": "yes", "❌": "no", "❓": "maybe"}


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class AddArgs:
    """`!meeting add`: a quoted title (or None: the title is in the phrase), the time phrase,
    the place or link, an explicit zone."""

    title: str | None
    phrase: str
    place: str | None
    zone: str | None


@dataclass(frozen=True)
class MoveArgs:
    short_id: int
    phrase: str
    zone: str | None


_ANSWERS = {
    "yes": "yes",
    "y": "yes",
    "oui": "yes",
    "ja": "yes",
    "no": "no",
    "n": "no",
    "non": "no",
    "nein": "no",
    "maybe": "maybe",
    "peut-être": "maybe",
    "peut-etre": "maybe",
    "peutêtre": "maybe",
    "vielleicht": "maybe",
    "?": "maybe",
}


def parse_add(raw: str) -> AddArgs:
    """`[\"<title>\"] <when> [for <duration>] [every …] [at <place or link>] [--tz <zone>]`."""
    raw, zone = take_zone(raw)
    title, rest = take_quoted(raw)
    phrase, place = split_place(rest)
    if not phrase:
        raise UsageError(N_("Say when the meeting is, e.g. “next Tuesday 14:00”."))
    if title and len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    if place and len(place) > MAX_PLACE:
        raise UsageError(N_("The place is too long (at most {limit} characters)."), limit=MAX_PLACE)
    return AddArgs(title=title, phrase=phrase, place=place, zone=zone)


NOT_A_NUMBER = N_("“{value}” is not a meeting number.")


def parse_short_id(token: str) -> int:
    """A meeting's number as shown by the bot: `3` or `#3`."""
    return parse_number(token, NOT_A_NUMBER)


def parse_id(raw: str) -> int:
    return parse_one_number(raw, N_("Give the meeting's number, e.g. 3."), NOT_A_NUMBER)


def parse_move(raw: str) -> MoveArgs:
    raw, zone = take_zone(raw)
    words = raw.split(maxsplit=1)
    if len(words) != 2:
        raise UsageError(
            N_("Give the meeting's number and its new time, e.g. 3 next Monday 10:00.")
        )
    return MoveArgs(parse_short_id(words[0]), words[1], zone)


def parse_agenda(raw: str) -> tuple[int, str | None]:
    """The meeting's number and the item to add (None: show the agenda)."""
    words = raw.split(maxsplit=1)
    if not words:
        raise UsageError(N_("Give the meeting's number, e.g. 3."))
    short_id = parse_short_id(words[0])
    item = words[1].strip() if len(words) > 1 else ""
    quoted, rest = take_quoted(item)
    item = quoted if quoted and not rest else item
    if len(item) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return short_id, item or None


def parse_rsvp(raw: str) -> tuple[int, str]:
    """The meeting's number and yes, no or maybe (also in French and German)."""
    words = split_args(raw)
    answer = _ANSWERS.get(words[-1].lower()) if len(words) == 2 else None
    if answer is None:
        raise UsageError(N_("Answer yes, no or maybe, e.g. 3 yes."))
    return parse_short_id(words[0]), answer


def parse_offsets(raw: str) -> tuple[int, ...]:
    """Reminder offsets in minutes from `1d 1h 15m` (also `1h30m`, `2w`); `off` for none."""
    words = split_args(raw)
    if len(words) == 1 and words[0].lower() in OFF_WORDS:
        return ()
    if not words or len(words) > MAX_OFFSETS:
        raise UsageError(
            N_("Give up to {count} times before the meeting, e.g. 1d 1h 15m, or off."),
            count=MAX_OFFSETS,
        )
    offsets = [parse_offset(word) for word in words]
    return tuple(sorted(set(offsets), reverse=True))


def _ignored(when: When, _: Translate) -> list:
    """The date or time words of the phrase that were not used, if any (at most 5 shown)."""
    if not when.ignored:
        return []
    words = ", ".join(word[:40] for word in when.ignored[:5])
    return [fmt(_("Ignored: {words}"), words=words + ("…" if len(when.ignored) > 5 else ""))]


@on_sent(PurposeKind.MEETING)
def record_announcement(session: Session, meeting_id: int, event_id: str) -> None:
    """A meeting's announcement was sent: reactions to it are answers."""
    MeetingRepository(session).set_announcement(meeting_id, event_id)


# --- Commands -----------------------------------------------------------------------------


def _meeting(ctx: CommandContext, short_id: int, *, scheduled: bool = True) -> Meeting:
    meeting = MeetingRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if meeting is None:
        raise UsageError(N_("There is no meeting #{id} in this room."), id=short_id)
    if scheduled and meeting.status != MeetingStatus.SCHEDULED:
        raise UsageError(N_("Meeting #{id} is cancelled."), id=short_id)
    return meeting


def _may_change(ctx: CommandContext, meeting: Meeting) -> None:
    if meeting.creator != ctx.sender and not ctx.is_chair:
        raise UsageError(
            N_("Only {creator}, who scheduled meeting #{id}, or a chair may change it."),
            creator=meeting.creator,
            id=meeting.short_id,
        )


@command(
    "meeting",
    usage="add|list|show|cancel|move|agenda|rsvp|reminders|cycle|ics …",
    help=N_("Meetings: the subcommands below."),
    parse=lambda raw: split_args(raw)[:1],
)
async def meeting_subcommands(ctx: CommandContext, words: tuple[str, ...]) -> Reply:
    """`!meeting` alone or with an unknown word: what can be done with meetings."""
    _ = ctx._
    lines: list = []
    if words:
        lines.append(
            fmt(_("There is no {command}."), command=code(f"{ctx.prefix}meeting {words[0]}"))
        )
    lines.append(bold(_("Meetings")))
    for cmd in ctx.registry.commands:
        if cmd.name.startswith("meeting "):
            lines.append([code(f"{ctx.prefix}{cmd.name} {cmd.usage}".rstrip()), " — ", _(cmd.help)])
    return Reply.of(*lines)


@command(
    "meeting add",
    usage="<title> <when> [for <duration>] [every …] [at <place or link>] [--tz <zone>]",
    help=N_("Schedule a meeting, e.g. “Plenary next Tuesday 14:00 for 2h every 3 months”."),
    parse=parse_add,
)
async def add_meeting(ctx: CommandContext, args: AddArgs) -> Reply:
    """Schedule a meeting and echo how it was understood; the reply is its announcement."""
    _ = ctx._
    zone = args.zone or ctx.timezone
    when = read_time(ctx, args.phrase, zone, allow_title=not args.title)
    title = args.title or when.title
    if not title:
        raise UsageError(N_("Give the meeting a title, e.g. “Plenary” next Tuesday 14:00."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    end = when.end or when.start + DEFAULT_DURATION
    meeting = schedule_meeting(
        ctx.session,
        room_id=ctx.room_id,
        title=title,
        start_at=when.start.astimezone(UTC),
        end_at=end.astimezone(UTC),
        timezone=when.zone or zone,  # "10:00 London time" keeps London's wall time
        rrule=when.recurrence,
        place=args.place,
        creator=ctx.sender,
        now=ctx.now,
    )
    return announcement(ctx.session, meeting, settings_of(ctx), notes=_ignored(when, _))


@command(
    "meeting list",
    help=N_("List the meetings to come."),
    aliases=("meetings",),
    parse=lambda raw: None,
)
async def list_meetings(ctx: CommandContext, _args: None) -> Reply:
    """The room's meetings to come, soonest first."""
    _ = ctx._
    upcoming = []
    for meeting in MeetingRepository(ctx.session).scheduled(ctx.room_id, ctx.now):
        start = next_start(meeting, ctx.now)
        if start is not None:
            upcoming.append((start, meeting))
    if not upcoming:
        return Reply.of(
            _("No meetings to come."),
            fmt(
                _("Schedule one with {example}."),
                example=code(f"{ctx.prefix}meeting add Plenary next Tuesday 14:00"),
            ),
        )
    upcoming.sort(key=lambda pair: (pair[0], pair[1].short_id))
    lines: list = [bold(_("Meetings to come"))]
    for start, meeting in upcoming[:LIST_LIMIT]:
        end = start + (meeting.end_at - meeting.start_at)
        line: list = [
            f"#{meeting.short_id} ",
            bold(meeting.title),
            " — ",
            show_span(start, end, ctx.timezone, ctx.language),
        ]
        if meeting.rrule:
            rule = describe_recurrence(
                meeting.rrule, meeting.start_at, meeting.timezone, _, ctx.language
            )
            line.append(f" ({rule})")
        lines.append(line)
    if len(upcoming) > LIST_LIMIT:
        lines.append(and_more(len(upcoming) - LIST_LIMIT, _))
    return Reply.of(*lines)


@command(
    "meeting show",
    usage="<id>",
    help=N_("Show a meeting: time, place, agenda and answers."),
    parse=parse_id,
)
async def show_meeting(ctx: CommandContext, short_id: int) -> Reply:
    """Everything about one meeting."""
    _ = ctx._
    meeting = _meeting(ctx, short_id, scheduled=False)
    meetings = MeetingRepository(ctx.session)
    heading = fmt(_("Meeting #{id}: {title}"), id=str(meeting.short_id), title=bold(meeting.title))
    lines: list = [heading]
    if meeting.status != MeetingStatus.SCHEDULED:
        lines.append(_("This meeting is cancelled."))
    start = next_start(meeting, ctx.now) or meeting.start_at
    lines.extend(when_lines(meeting, start, ctx.timezone, _, ctx.language))
    lines.extend(origin_lines(ctx.session, meeting, _))
    lines.append(fmt(_("Scheduled by: {person}"), person=mention(meeting.creator)))
    agenda = meetings.agenda(meeting.id)
    if agenda:
        lines.append(bold(_("Agenda")))
        lines.extend(f"{item.position}. {item.text}" for item in agenda)
    else:
        lines.append(
            fmt(
                _("No agenda yet; add items with {command}."),
                command=code(f"{ctx.prefix}meeting agenda {meeting.short_id} <item>"),
            )
        )
    answers = meetings.rsvps(meeting.id)
    templates = {
        "yes": _("Yes ({count}): {people}"),
        "no": _("No ({count}): {people}"),
        "maybe": _("Maybe ({count}): {people}"),
    }
    if not answers:
        lines.append(_("Nobody has answered yet."))
    for answer, template in templates.items():
        voters = [user for user, given in answers.items() if given == answer]
        if voters:
            lines.append(fmt(template, count=str(len(voters)), people=joined(voters)))
    return Reply.of(*lines)


@command(
    "meeting cancel",
    usage="<id>",
    help=N_("Cancel a meeting (whoever scheduled it, or a chair)."),
    parse=parse_id,
)
async def cancel_meeting(ctx: CommandContext, short_id: int) -> Reply:
    """Cancel a meeting and its reminders."""
    meeting = _meeting(ctx, short_id)
    _may_change(ctx, meeting)
    MeetingRepository(ctx.session).cancel(meeting)
    return Reply.of(
        fmt(
            ctx._("Meeting #{id} ({title}) is cancelled; no reminders will be sent."),
            id=str(meeting.short_id),
            title=bold(meeting.title),
        )
    )


@command(
    "meeting move",
    usage="<id> <when> [--tz <zone>]",
    help=N_("Move a meeting to another time (whoever scheduled it, or a chair)."),
    parse=parse_move,
)
async def move_meeting(ctx: CommandContext, args: MoveArgs) -> Reply:
    """Give a meeting a new time; a series keeps its rhythm unless a new one is said."""
    _ = ctx._
    meeting = _meeting(ctx, args.short_id)
    _may_change(ctx, meeting)
    zone = args.zone or ctx.timezone
    when = read_time(ctx, args.phrase, zone)
    end = when.end or when.start + (meeting.end_at - meeting.start_at)
    meetings = MeetingRepository(ctx.session)
    meetings.move(
        meeting, when.start.astimezone(UTC), end.astimezone(UTC), when.recurrence or meeting.rrule
    )
    meeting.timezone = when.zone or zone
    schedule_reminders(ctx.session, meeting, ctx.now)
    return Reply.of(
        fmt(_("Meeting #{id} moved: {title}"), id=str(meeting.short_id), title=bold(meeting.title)),
        *when_lines(meeting, meeting.start_at, ctx.timezone, _, ctx.language),
        *_ignored(when, _),
    )


@command(
    "meeting agenda",
    usage="<id> [<item>]",
    help=N_("Add an item to a meeting's agenda, or show the agenda."),
    parse=parse_agenda,
)
async def add_agenda_item(ctx: CommandContext, args: tuple[int, str | None]) -> Reply:
    """Append an agenda item; without one, show the agenda."""
    _ = ctx._
    short_id, item = args
    meeting = _meeting(ctx, short_id)
    meetings = MeetingRepository(ctx.session)
    lines: list = []
    if item:
        position = meetings.add_agenda_item(meeting.id, item, ctx.sender, ctx.now)
        lines.append(
            fmt(
                _("Added as item {position} of the agenda of meeting #{id}."),
                position=str(position),
                id=str(meeting.short_id),
            )
        )
    agenda = meetings.agenda(meeting.id)
    lines.append(fmt(_("Agenda of {title}"), title=bold(meeting.title)))
    if not agenda:
        lines.append(_("(empty)"))
    lines.extend(f"{entry.position}. {entry.text}" for entry in agenda)
    return Reply.of(*lines)


@command(
    "meeting rsvp",
    usage="<id> yes|no|maybe",
    help=N_("Say whether you will come (also oui/non/peut-être, ja/nein/vielleicht)."),
    parse=parse_rsvp,
)
async def rsvp(ctx: CommandContext, args: tuple[int, str]) -> Reply:
    """Record the sender's answer; a later answer replaces an earlier one."""
    _ = ctx._
    short_id, answer = args
    meeting = _meeting(ctx, short_id)
    MeetingRepository(ctx.session).set_rsvp(meeting.id, ctx.sender, answer, ctx.now)
    texts = {
        "yes": _("Noted: you are coming to {title} (#{id})."),
        "no": _("Noted: you are not coming to {title} (#{id})."),
        "maybe": _("Noted: you may come to {title} (#{id})."),
    }
    return Reply.of(fmt(texts[answer], title=bold(meeting.title), id=str(meeting.short_id)))


@command(
    "meeting reminders",
    usage="<time before>… | off",
    help=N_("Choose when this room is reminded of meetings, e.g. 1d 1h 15m (default 1d 15m)."),
    permission=Permission.CHAIR,
    parse=parse_offsets,
)
async def set_reminders(ctx: CommandContext, offsets: tuple[int, ...]) -> Reply:
    """Set the room's reminder offsets and re-plan the reminders of its meetings."""
    meetings = MeetingRepository(ctx.session)
    meetings.set_reminder_offsets(ctx.room_id, offsets)
    for meeting in meetings.scheduled(ctx.room_id, ctx.now):
        ReminderRepository(ctx.session).cancel_pending(meeting.id)
        schedule_reminders(ctx.session, meeting, ctx.now)
    return Reply.of(describe_offsets(offsets, ctx._, ctx.language))


@command(
    "meeting ics",
    usage="<id>",
    help=N_("Send a meeting as an .ics file for Outlook, Thunderbird, Google or Apple Calendar."),
    parse=parse_id,
)
async def send_ics(ctx: CommandContext, short_id: int) -> Reply:
    """The meeting as an iCalendar attachment (encrypted in encrypted rooms)."""
    meeting = _meeting(ctx, short_id, scheduled=False)
    return Reply.file(
        Attachment(
            filename=f"meeting-{meeting.short_id}.ics",
            mimetype="text/calendar",
            data=render_ics(calendar_meeting(ctx.session, meeting, ctx.now)),
        )
    )


@on_event("m.reaction")
async def rsvp_by_reaction(ctx: CommandContext, event: RoomEvent) -> None:
    """✅ ❌ ❓ on a meeting's announcement count as yes, no, maybe; nothing is said back."""
    relation = event.content.relation
    if relation.rel_type != "m.annotation" or relation.key is None or relation.event_id is None:
        return
    answer = REACTIONS.get(reaction_key(relation.key))
    if answer is None:
        return
    meetings = MeetingRepository(ctx.session)
    meeting = meetings.by_announcement(ctx.room_id, relation.event_id)
    if meeting is not None and meeting.status == MeetingStatus.SCHEDULED:
        meetings.set_rsvp(meeting.id, ctx.sender, answer, ctx.now)
