"""What a poll says when it is counted and closed (who has not voted included), shared by the
poll commands (commands/polls.py), the closing at its time and the reminders
(commands/poll_closing.py), and the exports (bot/poll_exports.py); find-a-time polls of the
earlier kind end with what bot/slots.py says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.dispatch import CommandContext
from bot.format import join_list, joined
from bot.i18n import Translate
from bot.msc3381 import POLL_END, Response, Tally, end_content, tally
from bot.replies import Event, Message, Purpose, PurposeKind, Reply, bold, fmt
from bot.rooms import RoomSettings, settings_of
from bot.slots import slot_outcome
from bot.turnout import members_known, not_voted, not_voted_line
from bot.votes import vote_closing
from storage.models import Poll
from storage.polls import PollRepository
from storage.status import PollKind, PollStatus

# --- How a poll reads counted ---------------------------------------------------------------


def cutoff(poll: Poll) -> datetime | None:
    """Until when responses count: the end's time, or its close until that is known."""
    return poll.ended_at or (poll.closed_at if poll.status == PollStatus.CLOSED else None)


def responses_of(session: Session, poll: Poll) -> list[Response]:
    """Every response kept for the poll, in the order received (the tally decides)."""
    # A response without a sender ("") was erased at its voter's request (`!forget me`): withdrawn.
    rows = PollRepository(session).responses(poll.id)
    return [Response(r.sender, r.answers, r.ts) for r in rows if r.sender]


def current_tally(session: Session, poll: Poll) -> Tally:
    """The poll's count now: responses on or before its end (its close, until the end's time
    is known) count."""
    known = [a["id"] for a in poll.answers]
    return tally(known, poll.max_selections, responses_of(session, poll), cutoff(poll))


def who_has_not_voted(session: Session, poll: Poll, counted: Tally) -> list[str] | None:
    """The room's joined members without a counted vote in the poll (only who, never how);
    None while the room's members are not known."""
    if not members_known(session, poll.room_id):
        return None
    return not_voted(session, poll.room_id, (u for users in counted.voters.values() for u in users))


def _texts(poll: Poll, ids: list[str]) -> list[str]:
    by_id = {a["id"]: a["text"] for a in poll.answers}
    return [by_id[i] for i in ids]


def end_text(poll: Poll, counted: Tally, _: Translate) -> str:
    """The poll end's text fallback (what apps without polls show), as Element words it."""
    leaders = counted.leaders()
    if not leaders:
        return _("The poll has ended. No votes were cast.")
    return _("The poll has ended. Top answer: {answers}").format(
        answers=join_list(_texts(poll, leaders), _)
    )


def results_lines(
    poll: Poll,
    counted: Tally,
    _: Translate,
    *,
    final: bool,
    room: RoomSettings,
    now: datetime,
    waiting: Sequence[str] | None = None,
) -> list:
    """The readable tally: per option its votes and share, who voted (unless secret), and, when
    `waiting` is given, who has not voted."""
    heading = (
        _("Results of poll #{id} (closed): {question}")
        if final
        else _("Results of poll #{id} so far: {question}")
    )
    lines: list = [fmt(heading, id=str(poll.short_id), question=bold(poll.question))]
    for answer in poll.answers:
        voters = counted.voters[answer["id"]]
        shown = voters and not poll.secret
        template = _("{option}: {count} ({percent}%) — {people}") if shown else None
        lines.append(
            fmt(
                template or _("{option}: {count} ({percent}%)"),
                option=bold(answer["text"]),
                count=str(len(voters)),
                percent=str(counted.percent(answer["id"])),
                people=joined(voters),
            )
        )
    lines.append(
        _("Voters: {people}; votes cast: {votes}.").format(
            people=counted.people, votes=counted.votes
        )
    )
    if counted.spoilt:
        lines.append(_("Spoilt votes (not counted): {count}.").format(count=len(counted.spoilt)))
    if final:
        lines.extend(_outcome(poll, counted, _, room=room, now=now))
    if waiting is not None:
        lines.append(not_voted_line(waiting, _, final=final))
    return lines


def _outcome(
    poll: Poll, counted: Tally, _: Translate, *, room: RoomSettings, now: datetime
) -> list:
    leaders = counted.leaders()
    if not leaders:
        return [_("No votes were cast.")]
    if poll.kind == PollKind.FINDTIME:
        return slot_outcome(poll, leaders, _, room=room, now=now)
    texts = _texts(poll, leaders)
    if len(leaders) == 1:
        return [fmt(_("Top answer: {answer}"), answer=bold(texts[0]))]
    return [fmt(_("Tie between {answers}."), answers=join_list(texts, _))]


# --- Closing ------------------------------------------------------------------------------


def closing(
    session: Session, poll: Poll, *, room: RoomSettings, send_end: bool, now: datetime
) -> list[Message]:
    """What a poll claimed closed says: its end event (for every app), then its results; the
    count is stored with it. A meeting's vote records its outcome (bot/votes.py)."""
    if poll.kind == PollKind.VOTE:
        return vote_closing(session, poll, room=room, send_end=send_end, now=now)
    _ = room._
    counted = current_tally(session, poll)
    poll.result = counted.to_json()
    said: list[Message] = []
    if poll.start_event_id and send_end:
        content = end_content(poll.start_event_id, end_text(poll, counted, _))
        said.append(Event(POLL_END, content, Purpose(PurposeKind.POLL_END, poll.id)))
    waiting = who_has_not_voted(session, poll, counted)
    lines = results_lines(poll, counted, _, final=True, room=room, now=now, waiting=waiting)
    mentions = () if poll.secret else tuple(u for v in counted.voters.values() for u in v)
    said.append(Reply.of(*lines, mentions=mentions))
    return said


def close(
    ctx: CommandContext, poll: Poll, *, now: datetime, send_end: bool = True
) -> list[Message] | None:
    """Close an open poll now, by the sender: what it says (None if it was closed already).
    Runs in one transaction with whatever decided the close."""
    if not PollRepository(ctx.session).claim_close(poll.id, ctx.sender, now):
        return None
    return closing(ctx.session, poll, room=settings_of(ctx), send_end=send_end, now=now)
