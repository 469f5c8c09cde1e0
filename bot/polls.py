"""What a poll says when it is counted and closed, shared by the poll commands
(commands/polls.py) and the closing at its time (commands/poll_closing.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.args import quoted
from bot.dispatch import CommandContext
from bot.format import join_list, joined
from bot.i18n import Translate
from bot.meetings import DEFAULT_DURATION
from bot.msc3381 import POLL_END, Response, Tally, end_content, tally
from bot.replies import Event, Message, Purpose, PurposeKind, Reply, bold, code, fmt
from bot.rooms import RoomSettings, settings_of
from bot.votes import vote_closing
from bot.when import WhenError, parse_when
from storage.models import Poll
from storage.polls import PollRepository
from storage.status import PollKind, PollStatus

# --- A find-a-time slot as a command -------------------------------------------------------


def slot_phrase(start: datetime, end: datetime, zone: str, now: datetime) -> tuple[str, str | None]:
    """A phrase `!meeting add` reads back as exactly this slot, and the `--tz` it needs (or None).

    Day-first numbers and "for N minutes" are read in every language. A local time that occurs
    twice (the autumn change) is said in UTC instead."""
    minutes = int((end - start).total_seconds() // 60)
    duration = "" if timedelta(minutes=minutes) == DEFAULT_DURATION else f" for {minutes} minutes"
    for tz in (zone, "UTC"):
        local = start.astimezone(ZoneInfo(tz))
        phrase = f"{local:%d/%m/%Y %H:%M}{duration}"
        try:
            back = parse_when(phrase, lang="en", tz=tz, now=now)
        except WhenError:
            continue
        if back.start == start and (back.end or back.start + DEFAULT_DURATION) == end:
            return phrase, (None if tz == zone else tz)
    return f"{start:%d/%m/%Y %H:%M}{duration}", "UTC"


def schedule_command(poll: Poll, answer: dict, prefix: str, room_zone: str, now: datetime) -> str:
    """The `!meeting add` that schedules a find-a-time slot."""
    start = datetime.fromisoformat(answer["start"])
    end = datetime.fromisoformat(answer["end"])
    phrase, tz = slot_phrase(start, end, room_zone, now)
    title = poll.question
    line = f"{prefix}meeting add {quoted(title)} {phrase}"
    return f"{line} --tz {tz}" if tz else line


# --- How a poll reads counted ---------------------------------------------------------------


def current_tally(session: Session, poll: Poll) -> Tally:
    """The poll's count now: responses on or before its end (its close, until the end's time
    is known) count."""
    cutoff = poll.ended_at or (poll.closed_at if poll.status == PollStatus.CLOSED else None)
    responses = [
        Response(r.sender, r.answers, r.ts) for r in PollRepository(session).responses(poll.id)
    ]
    return tally([a["id"] for a in poll.answers], poll.max_selections, responses, cutoff)


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
    poll: Poll, counted: Tally, _: Translate, *, final: bool, room: RoomSettings, now: datetime
) -> list:
    """The readable tally: per option its votes and share, who voted (unless secret)."""
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
    return lines


def _outcome(
    poll: Poll, counted: Tally, _: Translate, *, room: RoomSettings, now: datetime
) -> list:
    leaders = counted.leaders()
    if not leaders:
        return [_("No votes were cast.")]
    texts = _texts(poll, leaders)
    if poll.kind != PollKind.FINDTIME:
        if len(leaders) == 1:
            return [fmt(_("Top answer: {answer}"), answer=bold(texts[0]))]
        return [fmt(_("Tie between {answers}."), answers=join_list(texts, _))]
    by_id = {a["id"]: a for a in poll.answers}
    if len(leaders) == 1:
        lines: list = [fmt(_("Best time: {slot}"), slot=bold(texts[0]))]
        lines.append(_("To schedule it as a meeting:"))
    else:
        lines = [fmt(_("Tie between {answers}."), answers=join_list(texts, _))]
        lines.append(_("To schedule one of them as a meeting:"))
    closed_at = poll.closed_at or now
    for answer_id in leaders:
        command = schedule_command(poll, by_id[answer_id], room.prefix, room.timezone, closed_at)
        lines.append(code(command))
    return lines


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
    lines = results_lines(poll, counted, _, final=True, room=room, now=now)
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
