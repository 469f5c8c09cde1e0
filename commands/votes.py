"""Formal votes in a recorded meeting: `!vote "<motion>" [--per-org] [--closes <when>]` starts a
native poll For / Against / Abstain (the meeting's chairs), `!vote close [<id>]` ends it and
records the outcome in the minutes and the decision register (bot/votes.py). Votes are polls:
their responses, closing times and ends are those of commands/poll_closing.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from bot.args import parse_number, read_time
from bot.dispatch import CommandContext, RoomEvent
from bot.features import command, on_event
from bot.format import show_time
from bot.i18n import N_
from bot.msc3381 import POLL_END, POLL_START, Answer, end_content, start_content
from bot.parsing import UsageError, split_args
from bot.polls import close
from bot.replies import Event, Message, Purpose, PurposeKind, Reply, bold, code, fmt
from bot.votes import answer_texts
from storage.decisions import VoteRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting, Poll
from storage.polls import PollRepository
from storage.status import PollKind, PollStatus

MAX_MOTION = 500
NOT_A_NUMBER = N_("“{value}” is not a vote number.")


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class VoteArgs:
    """`!vote`: the motion, one vote per organisation or per person, the closing time phrase."""

    motion: str
    per_org: bool = False
    closes: str | None = None


def parse_vote(raw: str) -> VoteArgs:
    """`"<motion>" [--per-org] [--closes <when>]`: the closing time takes the words after
    `--closes` up to the next option."""
    per_org = False
    closes: list[str] | None = None
    motion: list[str] = []
    collecting = False
    for word in split_args(raw):
        flag = word.lower()
        if flag.startswith("--") and len(flag) > 2:
            collecting = False
            if flag in ("--per-org", "--per-organisation", "--per-organization"):
                per_org = True
            elif flag == "--closes":
                closes, collecting = [], True
            else:
                raise UsageError(
                    N_("Unknown option {option}; the options are --per-org and --closes <when>."),
                    option=word[:20],
                )
        elif collecting:
            closes.append(word)
        else:
            motion.append(word)
    if closes is not None and not closes:
        raise UsageError(N_("Say when the vote closes, e.g. --closes 16:30."))
    text = " ".join(" ".join(motion).split())
    if not text:
        raise UsageError(N_("Give the motion to vote on, in quotes."))
    if len(text) > MAX_MOTION:
        raise UsageError(
            N_("The motion is too long (at most {limit} characters)."), limit=MAX_MOTION
        )
    return VoteArgs(text, per_org, " ".join(closes) if closes else None)


def parse_close(raw: str) -> int | None:
    """`[<id>]`: the vote's number, or none for the meeting's one open vote."""
    words = split_args(raw)
    if not words:
        return None
    if len(words) > 1:
        raise UsageError(N_("Give the vote's number, e.g. 3, or nothing."))
    return parse_number(words[0], NOT_A_NUMBER)


# --- Commands -----------------------------------------------------------------------------


def _meeting(ctx: CommandContext, command: str) -> MinutesMeeting:
    """The running meeting, whose chair the sender must be."""
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_(
                "Votes are held in meetings, and none is being recorded here; start one with {command}."
            ),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    if not (ctx.is_chair or ctx.sender in meeting.chairs):
        raise UsageError(
            N_("Only the meeting's chairs may use {command}; chairs: {chairs}."),
            command=ctx.prefix + command,
            chairs=", ".join(meeting.chairs),
        )
    return meeting


@command(
    "vote",
    usage='"<motion>" [--per-org] [--closes <when>]',
    help=N_("Put a motion to the vote in a meeting: For, Against, Abstain (meeting chairs)."),
    aliases=("scrutin", "abstimmung"),
    parse=parse_vote,
)
async def start_vote(ctx: CommandContext, args: VoteArgs) -> list[Message]:
    """A native poll For / Against / Abstain, linked to the meeting being recorded."""
    _ = ctx._
    meeting = _meeting(ctx, "vote")
    closes_at = read_time(ctx, args.closes).start.astimezone(UTC) if args.closes else None
    if closes_at is not None and closes_at <= ctx.now:
        raise UsageError(N_("The closing time has passed already; give a later one."))
    answers = answer_texts(_)
    poll = PollRepository(ctx.session).add(
        room_id=ctx.room_id,
        kind=PollKind.VOTE,
        question=args.motion,
        answers=answers,
        max_selections=1,
        secret=False,
        timezone=ctx.timezone,
        creator=ctx.sender,
        closes_at=closes_at,
        now=ctx.now,
    )
    VoteRepository(ctx.session).add(
        poll_id=poll.id, meeting_id=meeting.id, per_org=args.per_org, event_id=ctx.event_id
    )
    content = start_content(
        args.motion,
        [Answer(a["id"], a["text"]) for a in answers],
        max_selections=1,
        disclosed=True,
    )
    start = Event(POLL_START, content, Purpose(PurposeKind.POLL_START, poll.id))
    lines: list = [fmt(_("Vote #{id}: {motion}"), id=str(poll.short_id), motion=bold(args.motion))]
    if args.per_org:
        lines.append(_("One vote per organisation: the latest vote of any of its members counts."))
    if closes_at:
        lines.append(
            fmt(_("Closes: {when}"), when=bold(show_time(closes_at, ctx.timezone, ctx.language)))
        )
    lines.append(
        fmt(
            _(
                "Vote For, Against or Abstain in the poll above; {close} closes it and records the outcome."
            ),
            close=code(f"{ctx.prefix}vote close {poll.short_id}"),
        )
    )
    return [start, Reply.of(*lines)]


def _open_vote(ctx: CommandContext, meeting: MinutesMeeting, short_id: int | None) -> Poll:
    if short_id is not None:
        poll = PollRepository(ctx.session).by_short_id(ctx.room_id, short_id)
        if poll is None or poll.kind != PollKind.VOTE:
            raise UsageError(N_("There is no vote #{id} in this room."), id=short_id)
        if poll.status != PollStatus.OPEN:
            raise UsageError(N_("Vote #{id} is closed already."), id=short_id)
        return poll
    votes = VoteRepository(ctx.session).open_in(meeting.id)
    if not votes:
        raise UsageError(N_("No vote is open in this meeting."))
    if len(votes) > 1:
        raise UsageError(
            N_("Several votes are open ({ids}); say which, e.g. {command}."),
            ids=", ".join(f"#{v.short_id}" for v in votes),
            command=f"{ctx.prefix}vote close {votes[0].short_id}",
        )
    return votes[0]


@on_event("m.room.redaction")
async def forget_redacted_vote(ctx: CommandContext, event: RoomEvent) -> list[Message] | None:
    """A redacted `!vote` takes its motion with it: an open vote is withdrawn (ended, nothing
    recorded); a closed one's item and register entry leave the minutes (commands/minutes_log.py)."""
    redacts = event.content.redacts
    found = VoteRepository(ctx.session).by_event(ctx.room_id, redacts) if redacts else None
    if found is None:
        return None
    vote, poll = found
    poll.question, vote.event_id = "", None
    if not PollRepository(ctx.session).claim_close(poll.id, event.sender, ctx.now):
        return None
    ctx.session.delete(vote)  # closed without an outcome: nothing goes into the minutes
    poll.result = None
    _ = ctx._
    said: list[Message] = []
    if poll.start_event_id:
        text = _("The vote was withdrawn.")
        content = end_content(poll.start_event_id, text)
        said.append(Event(POLL_END, content, Purpose(PurposeKind.POLL_END, poll.id)))
    said.append(
        Reply.of(
            fmt(
                _("Vote #{id} was withdrawn: its motion was redacted; nothing is recorded."),
                id=str(poll.short_id),
            )
        )
    )
    return said


@command(
    "vote close",
    usage="[<id>]",
    help=N_(
        "Close a vote and record its outcome in the minutes and the register (meeting chairs)."
    ),
    parse=parse_close,
)
async def close_vote(ctx: CommandContext, short_id: int | None) -> list[Message]:
    """End the vote now: its end event for every app, its outcome for everyone."""
    meeting = _meeting(ctx, "vote close")
    poll = _open_vote(ctx, meeting, short_id)
    said = close(ctx, poll, now=ctx.now)
    assert said is not None  # it was open, and nothing else runs in this transaction
    return said
