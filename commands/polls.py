"""Polls: native Matrix polls (MSC3381) with Element's count, closing times and secret results
(find-a-time is commands/findtime.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

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
from bot.poll_exports import FORMS as EXPORT_FORMS
from bot.poll_exports import poll_file
from bot.polls import close, current_tally, results_lines, who_has_not_voted
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
from bot.turnout import REMIND_OPTION, not_voted_line, parse_remind, remind_at, require_closes
from storage.models import Poll
from storage.polls import PollReminders, PollRepository
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
    remind: timedelta | None = None  # how long before the close to remind who has not voted


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
    """`"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]
    [--remind <duration>]`.

    The closing time and the reminder take every word after their option up to the next
    option (`--…`)."""
    multi = secret = False
    closes: list[str] | None = None
    remind: list[str] | None = None
    rest: list[str] = []
    collecting: list[str] | None = None
    for word in split_args(raw):
        flag = word.lower()
        if flag.startswith("--") and len(flag) > 2:
            collecting = None
            if flag == "--multi":
                multi = True
            elif flag == "--secret":
                secret = True
            elif flag == "--closes":
                closes = collecting = []
            elif flag == REMIND_OPTION:
                remind = collecting = []
            else:
                raise UsageError(
                    N_(
                        "Unknown option {option}; the options are "
                        "--multi, --secret, --closes <when> and --remind <duration>."
                    ),
                    option=word[:20],
                )
        elif collecting is not None:
            collecting.append(word)
        else:
            rest.append(word)
    if closes is not None and not closes:
        raise UsageError(N_("Say when the poll closes, e.g. --closes tomorrow 18:00."))
    reminder = parse_remind(" ".join(remind)) if remind is not None else None
    require_closes(reminder, closes)
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
        remind=reminder,
    )


NOT_A_NUMBER = N_("“{value}” is not a poll number.")


def parse_short_id(token: str) -> int:
    """A poll's number as shown by the bot: `3` or `#3`."""
    return parse_number(token, NOT_A_NUMBER)


def parse_id(raw: str) -> int:
    return parse_one_number(raw, N_("Give the poll's number, e.g. 3."), NOT_A_NUMBER)


def parse_export(raw: str) -> tuple[int, str]:
    """`<id> csv|json`: the poll's number and the file's format."""
    words = split_args(raw)
    if len(words) != 2:
        raise UsageError(N_("Give the poll's number and csv or json, e.g. 3 csv."))
    short_id, form = parse_short_id(words[0]), words[1].lower().removeprefix(".")
    if form not in EXPORT_FORMS:
        raise UsageError(
            N_("“{value}” is not a format I export; choose csv or json."), value=words[1][:20]
        )
    return short_id, form


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
    remind: timedelta | None = None,
) -> tuple[Poll, Event, list]:
    """Store a poll (and its reminder); its start event, and the lines that announce it."""
    _ = ctx._
    closes_at = read_time(ctx, closes).start.astimezone(UTC) if closes else None
    reminds_at = (
        remind_at(remind, closes_at, ctx.now, ctx.language) if remind and closes_at else None
    )
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
        if kind == PollKind.POLL:
            lines.append(
                fmt(
                    _(
                        "Note: Element Web, Element Desktop and the iOS apps let a member choose "
                        "only one answer today (choosing another replaces the first). To find a "
                        "date, use {findtime}: one poll per time, each answered on its own."
                    ),
                    findtime=code(f"{ctx.prefix}findtime"),
                )
            )
    if secret:
        lines.append(_("Secret: the results are shown when the poll closes."))
    if closes_at:
        lines.append(
            fmt(_("Closes: {when}"), when=bold(show_time(closes_at, ctx.timezone, ctx.language)))
        )
    if reminds_at:
        PollReminders(ctx.session).add(poll.id, reminds_at)
        lines.append(
            fmt(
                _("Those who have not voted by {when} are reminded then."),
                when=bold(show_time(reminds_at, ctx.timezone, ctx.language)),
            )
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
    usage=(
        '"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>] '
        "[--remind <duration>]"
    ),
    help=N_(
        "Start a poll (votes are native: Element shows it); --secret hides the results, "
        "--remind mentions who has not voted that long before it closes."
    ),
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
        remind=args.remind,
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
    counted = current_tally(ctx.session, poll)
    waiting = who_has_not_voted(ctx.session, poll, counted)
    final = poll.status == PollStatus.CLOSED
    if not final and poll.secret:
        return Reply.of(
            fmt(
                _("Poll #{id} is secret: its results are shown when it closes."),
                id=str(poll.short_id),
            ),
            _("Voters so far: {people}.").format(people=counted.people),
            *([] if waiting is None else [not_voted_line(waiting, _)]),
        )
    room = settings_of(ctx)
    return Reply.of(
        *results_lines(poll, counted, _, final=final, room=room, now=ctx.now, waiting=waiting)
    )


@command(
    "poll export",
    usage="<id> csv|json",
    help=N_(
        "Send a poll as a file: who voted what and when (of a secret poll, only the counts, "
        "once it is closed)."
    ),
    parse=parse_export,
)
async def export_poll(ctx: CommandContext, args: tuple[int, str]) -> Reply:
    """The poll as a CSV or JSON attachment (encrypted in encrypted rooms)."""
    short_id, form = args
    poll = _poll(ctx, short_id)
    if poll.secret and poll.status == PollStatus.OPEN:
        raise UsageError(
            N_("Poll #{id} is secret: its results are shown when it closes."), id=short_id
        )
    return Reply.file(poll_file(ctx.session, poll, form, ctx.timezone, ctx.now))


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
