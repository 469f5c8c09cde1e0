"""Find-a-time: a poll of candidate slots for a meeting, whose best slot then becomes a meeting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.args import read_time, take_quoted
from bot.dispatch import CommandContext
from bot.features import command
from bot.format import show_span, show_time
from bot.i18n import N_
from bot.meetings import DEFAULT_DURATION, MAX_TITLE
from bot.msc3381 import MAX_ANSWERS, POLL_START, Answer, answer_ids, start_content
from bot.parsing import UsageError
from bot.replies import Event, Message, Purpose, PurposeKind, Reply, bold, code, fmt
from storage.polls import PollRepository
from storage.status import PollKind

MIN_SLOTS = 2


@dataclass(frozen=True)
class FindTimeArgs:
    """`!findtime`: the meeting's title and the candidate slots, each a time phrase."""

    title: str
    slots: tuple[str, ...]
    closes: str | None = None


_CLOSES_TAIL = re.compile(r"(?:^|\s)--closes(?:\s+(.*))?$", re.I | re.S)


def parse_findtime(raw: str) -> FindTimeArgs:
    """`"<title>" <when> | <when> | … [--closes <when>]`."""
    raw = raw.strip()
    closes = None
    tail = _CLOSES_TAIL.search(raw)
    if tail:
        closes = (tail.group(1) or "").strip()
        if not closes:
            raise UsageError(N_("Say when the poll closes, e.g. --closes tomorrow 18:00."))
        raw = raw[: tail.start()].strip()
    title, rest = take_quoted(raw)
    if not title:
        raise UsageError(N_("Give the meeting's title in quotes, then the times separated by |."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    slots = [s.strip() for s in rest.split("|")]
    if any(not s for s in slots) and len(slots) > 1:
        raise UsageError(N_("A time between two | is missing."))
    slots = [s for s in slots if s]
    if len(slots) < MIN_SLOTS:
        raise UsageError(
            N_("A poll needs at least {min} options; you gave {count}."),
            min=MIN_SLOTS,
            count=len(slots),
        )
    if len(slots) > MAX_ANSWERS:
        raise UsageError(
            N_("A poll has at most {max} options; you gave {count}."),
            max=MAX_ANSWERS,
            count=len(slots),
        )
    return FindTimeArgs(title=title, slots=tuple(slots), closes=closes)


@command(
    "findtime",
    usage='"<title>" <when> | <when> | … [--closes <when>]',
    help=N_("Find a time to meet: a poll of the times given, the best one then scheduled."),
    parse=parse_findtime,
)
async def find_time(ctx: CommandContext, args: FindTimeArgs) -> list[Message]:
    """A multiple-choice poll of candidate slots, shown in the room's zone."""
    _ = ctx._
    slots: list[tuple[datetime, datetime]] = []
    for phrase in args.slots:
        when = read_time(ctx, phrase)
        if when.recurrence:
            raise UsageError(N_("“{phrase}” repeats; give single times."), phrase=phrase)
        start = when.start.astimezone(UTC)
        end = (when.end or when.start + DEFAULT_DURATION).astimezone(UTC)
        if (start, end) in slots:
            raise UsageError(N_("“{option}” is given twice."), option=phrase)
        slots.append((start, end))
    closes_at = read_time(ctx, args.closes).start.astimezone(UTC) if args.closes else None
    ids = answer_ids(len(slots))
    answers = [
        {
            "id": answer_id,
            "text": show_span(start, end, ctx.timezone, ctx.language),
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        for answer_id, (start, end) in zip(ids, slots, strict=True)
    ]
    poll = PollRepository(ctx.session).add(
        room_id=ctx.room_id,
        kind=PollKind.FINDTIME,
        question=args.title,
        answers=answers,
        max_selections=len(answers),
        secret=False,
        timezone=ctx.timezone,
        creator=ctx.sender,
        closes_at=closes_at,
        now=ctx.now,
    )
    content = start_content(
        _("When shall we meet for {title}?").format(title=args.title),
        [Answer(a["id"], a["text"]) for a in answers],
        max_selections=len(answers),
        disclosed=True,
    )
    start = Event(POLL_START, content, Purpose(PurposeKind.POLL_START, poll.id))
    lines: list = [
        fmt(
            _("Poll #{id}: when shall we meet for {title}? Choose every time you can make."),
            id=str(poll.short_id),
            title=bold(args.title),
        ),
        _("Several answers may be chosen."),
    ]
    if closes_at:
        lines.append(
            fmt(_("Closes: {when}"), when=bold(show_time(closes_at, ctx.timezone, ctx.language)))
        )
    lines.append(
        fmt(
            _("Vote in the poll above; {results} shows the results, {close} closes it."),
            results=code(f"{ctx.prefix}poll results {poll.short_id}"),
            close=code(f"{ctx.prefix}poll close {poll.short_id}"),
        )
    )
    return [start, Reply.of(*lines)]
