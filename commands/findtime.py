"""Find-a-time: candidate slots for a meeting, each asked as its own single-choice poll (Yes / If
need be / No) in the thread of a header; the grid of answers, the best slot, and the meeting
booked at it in one command. (Its closing and reminder at their time: commands/findtime_closing.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.args import parse_number, parse_one_number, read_time, take_quoted
from bot.dispatch import CommandContext
from bot.features import command, on_sent
from bot.findtime import (
    MAX_SLOTS,
    MIN_SLOTS,
    answers_of,
    best_slots,
    closing,
    results,
    slot_answers,
    slot_label,
    slot_polls,
)
from bot.findtime_export import FORMS, findtime_file
from bot.format import show_span, show_time
from bot.i18n import N_
from bot.meetings import DEFAULT_DURATION, MAX_TITLE, announcement, schedule_meeting
from bot.parsing import UsageError, split_args
from bot.replies import Message, Purpose, PurposeKind, Reply, ToRoom, bold, code, fmt
from bot.rooms import settings_of
from bot.turnout import parse_remind, remind_at, require_closes
from bot.when import split_length
from storage.findtime_models import FindTime
from storage.findtimes import FindTimeRepository
from storage.meetings import MeetingRepository
from storage.status import MeetingStatus, PollStatus

LIST_LIMIT = 10
OPTIONS = ("closes", "remind")


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class FindTimeArgs:
    """`!findtime`: the meeting's title, the candidate slots (each a time phrase), the length
    of those without an end, the closing time (a phrase) and how long before it to remind."""

    title: str
    slots: tuple[str, ...]
    length: timedelta | None = None
    closes: str | None = None
    remind: timedelta | None = None


_OPTION = re.compile(r"(?<!\S)--(\S*)")


def _options(rest: str) -> tuple[str, dict[str, str]]:
    """The text before the first `--option`, and each option's value (up to the next one)."""
    found = list(_OPTION.finditer(rest))
    values: dict[str, str] = {}
    for index, option in enumerate(found):
        name = option.group(1).lower()
        if name not in OPTIONS:
            raise UsageError(
                N_(
                    "Unknown option {option}; the options are "
                    "--closes <when> and --remind <duration>."
                ),
                option=option.group(0)[:20],
            )
        if name in values:
            raise UsageError(N_("“{option}” is given twice."), option=f"--{name}")
        end = found[index + 1].start() if index + 1 < len(found) else len(rest)
        values[name] = rest[option.end() : end].strip()
    return (rest[: found[0].start()] if found else rest), values


def parse_findtime(raw: str) -> FindTimeArgs:
    """`"<title>" <when> | <when> | … [for <duration>] [--closes <when>] [--remind <duration>]`.

    A length said at the end (`for 2h`, `pendant 1h30`, `2 Stunden lang`) is every slot's that
    has no end of its own (give the last slot its own end as a range: `9:00-11:00`)."""
    title, rest = take_quoted(raw)
    if not title:
        raise UsageError(N_("Give the meeting's title in quotes, then the times separated by |."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    body, values = _options(rest)
    closes = values.get("closes")
    if closes == "":
        raise UsageError(N_("Say when the find-a-time closes, e.g. --closes Friday 18:00."))
    remind = parse_remind(values["remind"]) if "remind" in values else None
    require_closes(remind, closes)
    pieces = body.split("|")
    last, length = split_length(pieces[-1])
    if length is not None and not last.strip() and len(pieces) > 1:
        pieces.pop()  # "… | for 2h": the length alone after the last bar
    else:
        pieces[-1] = last
    slots = [piece.strip() for piece in pieces]
    if len(slots) > 1 and not all(slots):
        raise UsageError(N_("A time between two | is missing."))
    slots = [slot for slot in slots if slot]
    if len(slots) < MIN_SLOTS:
        raise UsageError(
            N_("A find-a-time needs at least {min} slots; you gave {count}."),
            min=MIN_SLOTS,
            count=len(slots),
        )
    if len(slots) > MAX_SLOTS:
        raise UsageError(
            N_("A find-a-time has at most {max} slots; you gave {count}."),
            max=MAX_SLOTS,
            count=len(slots),
        )
    return FindTimeArgs(title, tuple(slots), length, closes, remind)


NOT_A_NUMBER = N_("“{value}” is not a find-a-time number.")


def parse_id(raw: str) -> int:
    return parse_one_number(raw, N_("Give the find-a-time's number, e.g. 3."), NOT_A_NUMBER)


def parse_book(raw: str) -> tuple[int, int | None]:
    """`<id> [<slot>]`: the find-a-time's number and the slot to book (None: the best)."""
    words = split_args(raw)
    if not 1 <= len(words) <= 2:
        raise UsageError(N_("Give the find-a-time's number and, if you like, a slot: 3 or 3 2."))
    short_id = parse_number(words[0], NOT_A_NUMBER)
    if len(words) == 1:
        return short_id, None
    return short_id, parse_number(words[1], N_("“{value}” is not a slot number."))


def parse_export(raw: str) -> tuple[int, str]:
    """`<id> csv|json`."""
    words = split_args(raw)
    if len(words) != 2 or words[1].lower() not in FORMS:
        raise UsageError(N_("Give the find-a-time's number and csv or json, e.g. 3 csv."))
    return parse_number(words[0], NOT_A_NUMBER), words[1].lower()


# --- The slot polls follow the header -----------------------------------------------------


@on_sent(PurposeKind.FINDTIME)
def send_slot_polls(session: Session, findtime_id: int, event_id: str) -> list[ToRoom]:
    """The header was sent: its slot polls go into its thread (once; none if it was closed
    meanwhile)."""
    findtimes = FindTimeRepository(session)
    findtime = findtimes.get(findtime_id)
    if findtime is None or findtime.header_event_id is not None:
        return []
    findtimes.set_header(findtime_id, event_id)
    if findtime.status != PollStatus.OPEN:
        return []
    return [ToRoom(findtime.room_id, poll) for poll in slot_polls(session, findtime, event_id)]


# --- Commands -----------------------------------------------------------------------------


def _findtime(ctx: CommandContext, short_id: int) -> FindTime:
    findtime = FindTimeRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if findtime is None:
        raise UsageError(N_("There is no find-a-time #{id} in this room."), id=short_id)
    return findtime


def _may_change(ctx: CommandContext, findtime: FindTime, refusal: str) -> None:
    if findtime.creator != ctx.sender and not ctx.is_chair:
        raise UsageError(refusal, creator=findtime.creator, id=findtime.short_id)


def _slots(ctx: CommandContext, args: FindTimeArgs) -> list[tuple[datetime, datetime]]:
    """The slots in UTC, each to come, single and given once."""
    default = args.length or DEFAULT_DURATION
    slots: list[tuple[datetime, datetime]] = []
    for phrase in args.slots:
        when = read_time(ctx, phrase)
        if when.recurrence:
            raise UsageError(N_("“{phrase}” repeats; give single times."), phrase=phrase)
        start = when.start.astimezone(UTC)
        end = (when.end or when.start + default).astimezone(UTC)
        if (start, end) in slots:
            raise UsageError(N_("“{option}” is given twice."), option=phrase)
        slots.append((start, end))
    return slots


@command(
    "findtime",
    usage='"<title>" <when> | <when> | … [for <duration>] [--closes <when>] [--remind <duration>]',
    help=N_("Find a time to meet: a Yes / If need be / No poll per slot, then book the best."),
    parse=parse_findtime,
)
async def find_time(ctx: CommandContext, args: FindTimeArgs) -> Reply:
    """Store the find-a-time and its slots; the header now, its slot polls once it is sent."""
    _ = ctx._
    slots = _slots(ctx, args)
    closes_at = read_time(ctx, args.closes).start.astimezone(UTC) if args.closes else None
    reminding = remind_at(args.remind, closes_at, ctx.now, ctx.language) if args.remind else None
    findtimes = FindTimeRepository(ctx.session)
    findtime = findtimes.add(
        room_id=ctx.room_id,
        title=args.title,
        duration_minutes=int(args.length.total_seconds() // 60) if args.length else None,
        timezone=ctx.timezone,
        language=ctx.language,
        creator=ctx.sender,
        closes_at=closes_at,
        now=ctx.now,
    )
    answers = slot_answers(_)
    for number, (start, end) in enumerate(slots, 1):
        question = show_span(start, end, ctx.timezone, ctx.language)
        findtimes.add_slot(
            findtime, number, start, end, question=question, answers=answers, now=ctx.now
        )
    if reminding is not None:
        findtimes.add_reminder(findtime.id, reminding)
    short_id = str(findtime.short_id)
    lines: list = [
        fmt(
            _("Find a time #{id}: {title} — answer each slot below"),
            id=short_id,
            title=bold(args.title),
        ),
        _.ngettext(
            "{count} slot, each a poll in the thread of this message: Yes, If need be or No.",
            "{count} slots, each a poll in the thread of this message: Yes, If need be or No.",
            len(slots),
        ).format(count=len(slots)),
    ]
    close = code(f"{ctx.prefix}findtime close {short_id}")
    if closes_at:
        when = bold(show_time(closes_at, ctx.timezone, ctx.language))
        lines.append(fmt(_("Closes: {when}"), when=when))
    else:
        lines.append(fmt(_("Open until {close}."), close=close))
    if reminding is not None:
        when = show_time(reminding, ctx.timezone, ctx.language)
        lines.append(
            fmt(_("Those who have not answered every slot are reminded {when}."), when=when)
        )
    lines.append(
        fmt(
            _("{results} shows the answers so far; {book} schedules the best slot."),
            results=code(f"{ctx.prefix}findtime results {short_id}"),
            book=code(f"{ctx.prefix}findtime book {short_id}"),
        )
    )
    return Reply.of(*lines).for_purpose(Purpose(PurposeKind.FINDTIME, findtime.id))


@command(
    "findtime results",
    usage="<id>",
    help=N_("Show a find-a-time's answers: the grid, the best slot, who has not answered."),
    parse=parse_id,
)
async def show_results(ctx: CommandContext, short_id: int) -> Reply:
    """The grid so far, or the final one."""
    return results(ctx.session, _findtime(ctx, short_id), settings_of(ctx))


@command(
    "findtime close",
    usage="<id>",
    help=N_("Close a find-a-time and post its answers (whoever started it, or a chair)."),
    parse=parse_id,
)
async def close_findtime(ctx: CommandContext, short_id: int) -> list[Message]:
    """Close it now: each slot poll's end for every app, the grid for everyone."""
    findtime = _findtime(ctx, short_id)
    if findtime.status != PollStatus.OPEN:
        raise UsageError(N_("Find-a-time #{id} is closed already."), id=short_id)
    _may_change(
        ctx, findtime, N_("Only {creator}, who started find-a-time #{id}, or a chair may close it.")
    )
    FindTimeRepository(ctx.session).claim_close(findtime.id, ctx.sender, ctx.now)
    return closing(ctx.session, findtime, settings_of(ctx), closed_by=ctx.sender, now=ctx.now)


@command(
    "findtime book",
    usage="<id> [<slot>]",
    help=N_(
        "Schedule the best slot (or the one named) as a meeting, closing the find-a-time "
        "(whoever started it, or a chair)."
    ),
    parse=parse_book,
)
async def book_findtime(ctx: CommandContext, args: tuple[int, int | None]) -> list[Message]:
    """Close it if open, and schedule the meeting as `!meeting add` does."""
    _ = ctx._
    short_id, number = args
    findtime = _findtime(ctx, short_id)
    _may_change(
        ctx, findtime, N_("Only {creator}, who started find-a-time #{id}, or a chair may book it.")
    )
    booked = (
        MeetingRepository(ctx.session).get(findtime.meeting_id) if findtime.meeting_id else None
    )
    if booked is not None and booked.status == MeetingStatus.SCHEDULED:  # cancelled: book again
        raise UsageError(
            N_("Find-a-time #{id} is booked already: meeting #{meeting}."),
            id=short_id,
            meeting=booked.short_id,
        )
    slots = answers_of(ctx.session, findtime)
    if number is None:
        best = best_slots(slots)
        if not best:
            raise UsageError(
                N_(
                    "No slot of find-a-time #{id} has a yes or an if need be; name one, e.g. {example}."
                ),
                id=short_id,
                example=f"{ctx.prefix}findtime book {short_id} 1",
            )
        chosen = best[0].slot
    else:
        found = [s.slot for s in slots if s.slot.slot == number]
        if not found:
            raise UsageError(
                N_("Find-a-time #{id} has no slot {slot}; its slots are 1 to {count}."),
                id=short_id,
                slot=number,
                count=len(slots),
            )
        chosen = found[0]
    if chosen.start_at <= ctx.now:
        raise UsageError(
            N_("Slot {slot} has begun already; name a slot to come."),
            slot=slot_label(chosen, ctx.timezone, ctx.language),
        )
    room = settings_of(ctx)
    meeting = schedule_meeting(
        ctx.session,
        room_id=ctx.room_id,
        title=findtime.title,
        start_at=chosen.start_at,
        end_at=chosen.end_at,
        timezone=findtime.timezone,
        rrule=None,
        place=None,
        creator=ctx.sender,
        now=ctx.now,
    )
    findtime.meeting_id, findtime.booked_slot = meeting.id, chosen.slot
    said: list[Message] = []
    if FindTimeRepository(ctx.session).claim_close(findtime.id, ctx.sender, ctx.now):
        said.extend(closing(ctx.session, findtime, room, closed_by=ctx.sender, now=ctx.now))
    said.append(announcement(ctx.session, meeting, room))
    return said


@command(
    "findtime list",
    help=N_("List the room's open find-a-times and the latest closed ones."),
    parse=lambda raw: None,
)
async def list_findtimes(ctx: CommandContext, _args: None) -> Reply:
    """Open ones first, then the latest closed ones."""
    _ = ctx._
    findtimes = FindTimeRepository(ctx.session)
    found = findtimes.of_room(ctx.room_id, LIST_LIMIT)
    if not found:
        example = f'{ctx.prefix}findtime "Plenary" Tuesday 14:00 | Wednesday 10:00'
        return Reply.of(
            _("No find-a-times yet."), fmt(_("Start one with {example}."), example=code(example))
        )
    lines: list = [bold(_("Find-a-times"))]
    meetings = MeetingRepository(ctx.session)
    for findtime in found:
        count = len(findtimes.slots(findtime.id))
        booked = meetings.get(findtime.meeting_id) if findtime.meeting_id else None
        if booked is not None:
            state = _("booked as meeting #{meeting}").format(meeting=booked.short_id)
        elif findtime.status == PollStatus.OPEN and findtime.closes_at:
            when = show_time(findtime.closes_at, ctx.timezone, ctx.language)
            state = _("open, closes {when}").format(when=when)
        elif findtime.status == PollStatus.OPEN:
            state = _("open")
        else:
            state = _("closed")
        slots = _.ngettext("{count} slot", "{count} slots", count).format(count=count)
        lines.append([f"#{findtime.short_id} ", bold(findtime.title), f" — {slots}, {state}"])
    return Reply.of(*lines)


@command(
    "findtime export",
    usage="<id> csv|json",
    help=N_("Send a find-a-time's answers as a file: a row per member, a column per slot."),
    parse=parse_export,
)
async def export_findtime(ctx: CommandContext, args: tuple[int, str]) -> Reply:
    """Who answered what to each slot, as an attachment (encrypted in encrypted rooms)."""
    short_id, form = args
    findtime = _findtime(ctx, short_id)
    return Reply.file(findtime_file(ctx.session, findtime, form, ctx.timezone, ctx.now))
