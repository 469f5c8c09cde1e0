"""Polls: native Matrix polls (MSC3381) with Element's count, closing times and secret results
(find-a-time is commands/findtime.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy.orm import Session

from bot.args import parse_number, parse_one_number, read_time
from bot.dispatch import CommandContext
from bot.features import command, on_sent
from bot.format import show_time
from bot.i18n import N_
from bot.msc3381 import (
    MAX_ANSWERS,
    POLL_START,
    Answer,
    answer_ids,
    start_content,
)
from bot.parsing import UsageError, split_args
from bot.polls import close, current_tally, results_lines
from bot.replies import (
    Event,
    Message,
    Purpose,
    PurposeKind,
    Reply,
    bold,
    code,
    fmt,
)
from bot.rooms import settings_of
from storage.models import Poll
from storage.polls import PollRepository
from storage.status import PollKind, PollStatus

MIN_OPTIONS = 2
MAX_QUESTION, MAX_OPTION = 500, 200
LIST_LIMIT = 10


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class PollArgs:
    """`!poll`: the question, the options, and the flags (the closing time still a phrase)."""

    question: str
    options: tuple[str, ...]
    multi: bool = False
    secret: bool = False
    closes: str | None = None


def _check_options(options: list[str]) -> None:
    if len(options) < MIN_OPTIONS:
        raise UsageError(
            N_("A poll needs at least {min} options; you gave {count}."),
            min=MIN_OPTIONS,
            count=len(options),
        )
    if len(options) > MAX_ANSWERS:
        raise UsageError(
            N_("A poll has at most {max} options; you gave {count}."),
            max=MAX_ANSWERS,
            count=len(options),
        )
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION:
            raise UsageError(
                N_("An option is too long (at most {limit} characters)."), limit=MAX_OPTION
            )
        folded = " ".join(option.casefold().split())
        if folded in seen:
            raise UsageError(N_("“{option}” is given twice."), option=option)
        seen.add(folded)


def parse_poll(raw: str) -> PollArgs:
    """`"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]`.

    The closing time takes every word after `--closes` up to the next option (`--…`)."""
    multi = secret = False
    closes: list[str] | None = None
    rest: list[str] = []
    collecting = False
    for word in split_args(raw):
        flag = word.lower()
        if flag.startswith("--") and len(flag) > 2:
            collecting = False
            if flag == "--multi":
                multi = True
            elif flag == "--secret":
                secret = True
            elif flag == "--closes":
                closes, collecting = [], True
            else:
                raise UsageError(
                    N_(
                        "Unknown option {option}; the options are "
                        "--multi, --secret and --closes <when>."
                    ),
                    option=word[:20],
                )
        elif collecting:
            closes.append(word)
        else:
            rest.append(word)
    if closes is not None and not closes:
        raise UsageError(N_("Say when the poll closes, e.g. --closes tomorrow 18:00."))
    if not rest or not rest[0].strip():
        raise UsageError(N_("Give the question and the options, each in quotes."))
    question, options = rest[0].strip(), [o.strip() for o in rest[1:] if o.strip()]
    if len(question) > MAX_QUESTION:
        raise UsageError(
            N_("The question is too long (at most {limit} characters)."), limit=MAX_QUESTION
        )
    _check_options(options)
    return PollArgs(
        question=question,
        options=tuple(options),
        multi=multi,
        secret=secret,
        closes=" ".join(closes) if closes else None,
    )


NOT_A_NUMBER = N_("“{value}” is not a poll number.")


def parse_short_id(token: str) -> int:
    """A poll's number as shown by the bot: `3` or `#3`."""
    return parse_number(token, NOT_A_NUMBER)


def parse_id(raw: str) -> int:
    return parse_one_number(raw, N_("Give the poll's number, e.g. 3."), NOT_A_NUMBER)


# --- How polls read -----------------------------------------------------------------------


def _answers(poll: Poll) -> list[Answer]:
    return [Answer(a["id"], a["text"]) for a in poll.answers]


# --- Closing ------------------------------------------------------------------------------


@on_sent(PurposeKind.POLL_START)
def record_start(session: Session, poll_id: int, event_id: str) -> None:
    """A poll's start event was sent: responses refer to it."""
    PollRepository(session).set_start_event(poll_id, event_id)


# --- Commands -----------------------------------------------------------------------------


def _poll(ctx: CommandContext, short_id: int) -> Poll:
    poll = PollRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if poll is None:
        raise UsageError(N_("There is no poll #{id} in this room."), id=short_id)
    return poll


def _start(
    ctx: CommandContext,
    *,
    kind: str,
    question: str,
    answers: list[dict],
    multi: bool,
    secret: bool,
    closes: str | None,
) -> tuple[Poll, Event, list]:
    """Store a poll; its start event, and the lines that announce it."""
    _ = ctx._
    closes_at = read_time(ctx, closes).start.astimezone(UTC) if closes else None
    poll = PollRepository(ctx.session).add(
        room_id=ctx.room_id,
        kind=kind,
        question=question,
        answers=answers,
        max_selections=len(answers) if multi else 1,
        secret=secret,
        timezone=ctx.timezone,
        creator=ctx.sender,
        closes_at=closes_at,
        now=ctx.now,
    )
    content = start_content(
        question,
        _answers(poll),
        max_selections=poll.max_selections,
        disclosed=not secret,
    )
    start = Event(POLL_START, content, Purpose(PurposeKind.POLL_START, poll.id))
    lines: list = []
    if multi:
        lines.append(_("Several answers may be chosen."))
    if secret:
        lines.append(_("Secret: the results are shown when the poll closes."))
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
    return poll, start, lines


@command(
    "poll",
    usage='"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]',
    help=N_("Start a poll (votes are native: Element shows it); --secret hides the results."),
    parse=parse_poll,
)
async def create_poll(ctx: CommandContext, args: PollArgs) -> list[Message]:
    """Start a native poll and remember it."""
    ids = answer_ids(len(args.options))
    poll, start, lines = _start(
        ctx,
        kind=PollKind.POLL,
        question=args.question,
        answers=[{"id": i, "text": t} for i, t in zip(ids, args.options, strict=True)],
        multi=args.multi,
        secret=args.secret,
        closes=args.closes,
    )
    heading = fmt(
        ctx._("Poll #{id} started: {question}"),
        id=str(poll.short_id),
        question=bold(args.question),
    )
    # The poll shows first, then what the bot says about it.
    return [start, Reply.of(heading, *lines)]


@command(
    "poll close",
    usage="<id>",
    help=N_("Close a poll and post its results (whoever started it, or a chair)."),
    parse=parse_id,
)
async def close_poll(ctx: CommandContext, short_id: int) -> list[Message]:
    """Close a poll now: the end event for every app, the results for everyone."""
    poll = _poll(ctx, short_id)
    if poll.status != PollStatus.OPEN:
        raise UsageError(N_("Poll #{id} is closed already."), id=short_id)
    if poll.creator != ctx.sender and not ctx.is_chair:
        raise UsageError(
            N_("Only {creator}, who started poll #{id}, or a chair may close it."),
            creator=poll.creator,
            id=short_id,
        )
    said = close(ctx, poll, now=ctx.now)
    assert said is not None  # it was open, and nothing else runs in this transaction
    return said


@command(
    "poll results",
    usage="<id>",
    help=N_("Show a poll's results (of a secret poll, only how many voted until it closes)."),
    parse=parse_id,
)
async def show_results(ctx: CommandContext, short_id: int) -> Reply:
    """The count so far, or the final one."""
    _ = ctx._
    poll = _poll(ctx, short_id)
    if poll.status == PollStatus.OPEN and poll.secret:
        counted = current_tally(ctx.session, poll)
        return Reply.of(
            fmt(
                _("Poll #{id} is secret: its results are shown when it closes."),
                id=str(poll.short_id),
            ),
            _("Voters so far: {people}.").format(people=counted.people),
        )
    counted = current_tally(ctx.session, poll)
    final = poll.status == PollStatus.CLOSED
    return Reply.of(
        *results_lines(poll, counted, _, final=final, room=settings_of(ctx), now=ctx.now)
    )


@command(
    "poll list",
    help=N_("List the room's open polls and the latest closed ones."),
    aliases=("polls",),
    parse=lambda raw: None,
)
async def list_polls(ctx: CommandContext, _args: None) -> Reply:
    """Open polls first, then the latest closed ones."""
    _ = ctx._
    polls = PollRepository(ctx.session).of_room(ctx.room_id, LIST_LIMIT)
    if not polls:
        return Reply.of(
            _("No polls yet."),
            fmt(
                _("Start one with {example}."),
                example=code(f'{ctx.prefix}poll "Lunch?" "Pizza" "Pasta"'),
            ),
        )
    lines: list = [bold(_("Polls"))]
    for poll in polls:
        if poll.status == PollStatus.OPEN and poll.closes_at:
            state = _("open, closes {when}").format(
                when=show_time(poll.closes_at, ctx.timezone, ctx.language)
            )
        elif poll.status == PollStatus.OPEN:
            state = _("open")
        else:
            state = _("closed")
        lines.append([f"#{poll.short_id} ", bold(poll.question), f" — {state}"])
    return Reply.of(*lines)
