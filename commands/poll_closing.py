"""What reaches polls from the homeserver and the clock rather than from commands: votes kept,
polls closed at their time, those who have not voted reminded (`--remind`), counts settled on
the end's own time.

Every response to one of the bot's polls is kept (the tally decides what counts). Responses sent
while the bot was down reach it through the sync catch-up; to miss none the bot also asks the
server for every event that refers to each poll's start (bot/relations.py) once the first sync
has caught up, and again just before a poll closes at its time. Each open poll with a closing
time is a row of the timer service (`poll-close:<id>`): claiming it closes the poll exactly
once, in the transaction that queues its end event and results. Once the end event is sent, the
same fetch gives the end's own `origin_server_ts`, after which clients ignore votes: the count
is settled on it, and corrected in the room if it changed. A `--remind` row
(`poll-remind:<id>`) fetches the responses the same way, then mentions, once, the joined
members who have not voted; a poll closed before its reminder's time reminds nobody.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from bot.dispatch import CommandContext, Defaults, RoomEvent
from bot.features import Runtime, Timer, Worker, on_event, on_sent
from bot.format import show_time
from bot.msc3381 import POLL_END, POLL_RESPONSE, STABLE_POLL_END, STABLE_POLL_RESPONSE, reference_of
from bot.poll_responses import keep_response, refresh
from bot.polls import close, closing, current_tally, results_lines, who_has_not_voted
from bot.relations import RelationsError
from bot.replies import Message, PurposeKind, Reply, ToRoom, bold, fmt
from bot.rooms import RoomSettings, room_settings
from bot.turnout import length, not_voted_line
from storage.models import Poll, PollReminder
from storage.polls import PollClosings, PollReminders, PollRepository
from storage.status import PollKind, PollStatus

log = logging.getLogger(__name__)


# --- Responses -------------------------------------------------------------------------------


@on_event(POLL_RESPONSE, STABLE_POLL_RESPONSE)
async def record_response(ctx: CommandContext, event: RoomEvent) -> None:
    """A vote, a changed vote or a withdrawn one: kept; nothing is said back."""
    keep_response(ctx.session, event, ctx.now)


@on_event("m.room.redaction")
async def forget_redacted_response(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted response no longer counts: the sender's previous one does again (MSC3381)."""
    redacts = event.content.redacts
    if redacts is not None:
        PollRepository(ctx.session).remove_response(ctx.room_id, redacts)


@on_event(POLL_END, STABLE_POLL_END)
async def ended_in_an_app(ctx: CommandContext, event: RoomEvent) -> list[Message] | None:
    """A chair ended one of the bot's polls from their app (Element offers it to those who may
    remove others' messages): it is closed at that end's time, and the results are posted."""
    if event.room_encrypted and not event.event_encrypted:
        return None
    start = reference_of(event.content)
    poll = PollRepository(ctx.session).by_start_event(ctx.room_id, start) if start else None
    if poll is None or poll.status != PollStatus.OPEN or not ctx.is_chair:
        return None
    if poll.kind == PollKind.FINDTIME_SLOT:
        # One slot of a find-a-time: it counts no more answers, as in every app; the grid
        # comes when the find-a-time closes.
        PollRepository(ctx.session).claim_close(poll.id, ctx.sender, event.ts)
        poll.ended_at = event.ts
        return None
    said = close(ctx, poll, now=event.ts, send_end=False)
    poll.ended_at = event.ts
    return said


# --- Closing at its time ------------------------------------------------------------------


async def fetch_before_closing(runtime: Runtime, poll_id: int) -> None:
    """The closing time has come: first the responses the homeserver has."""
    with runtime.db.transaction() as session:
        poll = PollRepository(session).get(poll_id)
    if poll is None or poll.status != PollStatus.OPEN:
        return
    with suppress(RelationsError):  # close on what sync brought: settled on the end's time later
        await refresh(runtime, poll)


def close_when_due(
    session: Session, poll: Poll, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A poll claimed closed at its time: its end event and results, in its room."""
    room = room_settings(session, poll.room_id, settings)
    said = closing(session, poll, room=room, send_end=True, now=now)
    return [ToRoom(poll.room_id, message) for message in said]


# Each open poll with a closing time fires once then, after the first sync has caught up.
CLOSINGS = Timer(
    "poll-close", PollClosings, close_when_due, prepare=fetch_before_closing, after_sync=True
)


# --- Reminding those who have not voted -----------------------------------------------------


async def fetch_before_reminding(runtime: Runtime, reminder_id: int) -> None:
    """A reminder's time has come: first the responses the homeserver has (votes sent while
    the bot was down count), as before a close."""
    with runtime.db.transaction() as session:
        reminder = PollReminders(session).get(reminder_id)
        poll = PollRepository(session).get(reminder.poll_id) if reminder else None
    if poll is None or poll.status != PollStatus.OPEN:
        return
    with suppress(RelationsError):  # remind on what sync brought
        await refresh(runtime, poll)


def reminder_notice(
    poll: Poll, waiting: list[str], now: datetime, late: bool, room: RoomSettings
) -> Reply:
    """ "Poll #3 closes in 1 day: Budget?" (or late, when it was due), then who has not voted,
    mentioned."""
    _, zone, language = room._, room.timezone, room.language
    question = bold(poll.question)
    if late:
        first = fmt(
            _("Reminder (late: I was offline at its time): poll #{id} closes {when}: {question}"),
            id=str(poll.short_id),
            when=show_time(poll.closes_at, zone, language),
            question=question,
        )
    else:
        first = fmt(
            _("Reminder: poll #{id} closes in {left}: {question}"),
            id=str(poll.short_id),
            left=length(poll.closes_at - now, language),
            question=question,
        )
    return Reply.of(first, not_voted_line(waiting, _), mentions=waiting)


def remind_when_due(
    session: Session, reminder: PollReminder, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed reminder: those who have not voted are mentioned once; nothing if the poll
    has closed (or is closing now) or everyone has voted."""
    poll = PollRepository(session).get(reminder.poll_id)
    if poll is None or poll.status != PollStatus.OPEN or poll.closes_at <= now:
        return []
    waiting = who_has_not_voted(session, poll, current_tally(session, poll))
    if not waiting:
        log.info("poll %d: nobody to remind", poll.id)
        return []
    room = room_settings(session, poll.room_id, settings)
    return [ToRoom(poll.room_id, reminder_notice(poll, waiting, now, late, room))]


# Each `--remind` row fires once, after the first sync has caught up (votes sent meanwhile).
REMINDERS = Timer(
    "poll-remind",
    PollReminders,
    remind_when_due,
    prepare=fetch_before_reminding,
    after_sync=True,
)


# --- Settling the count on the end's time -------------------------------------------------


@on_sent(PurposeKind.POLL_END)
def record_end(session: Session, poll_id: int, event_id: str) -> None:
    """A poll's end event was sent: its own time settles the count (see `keep_up`)."""
    PollRepository(session).set_end_event(poll_id, event_id)


def settle(session: Session, poll_id: int, ended_at: datetime, settings: Defaults) -> list[ToRoom]:
    """The poll end's own time is known: count exactly as clients do from now on; if that
    changes the posted results (a vote sent just before the end reached the bot after it),
    the corrected ones."""
    poll = PollRepository(session).get(poll_id)
    if poll is None or poll.ended_at is not None:
        return []
    poll.ended_at = ended_at
    if poll.kind == PollKind.VOTE:
        return []  # a vote's outcome was recorded at its close, in the minutes and the register
    counted = current_tally(session, poll)
    if counted.to_json() == poll.result:
        return []
    poll.result = counted.to_json()
    if poll.kind == PollKind.FINDTIME_SLOT:
        return []  # one slot of a grid: `!findtime results` shows the settled count
    room = room_settings(session, poll.room_id, settings)
    _ = room._
    lines = [
        _("Corrected count: votes sent just before the end reached me after it."),
        *results_lines(
            poll,
            counted,
            _,
            final=True,
            room=room,
            now=ended_at,
            waiting=who_has_not_voted(session, poll, counted),
        ),
    ]
    return [ToRoom(poll.room_id, Reply.of(*lines))]


async def keep_up(runtime: Runtime, first: bool) -> bool:
    """Fetch the responses of every poll still listening (the first time), then of each poll
    whose end was sent, settling its count; False if something must be asked again."""
    with runtime.db.transaction() as session:
        polls = PollRepository(session)
        todo = polls.listening() if first else polls.unsettled()
    done = True
    for poll in todo:
        try:
            ended_at = await refresh(runtime, poll)
        except RelationsError:
            done = False
            continue
        if ended_at is None:
            if poll.end_event_id is not None:
                done = False  # sent, but not yet among its relations: ask again later
            continue
        settled = partial(settle, poll_id=poll.id, ended_at=ended_at, settings=runtime.settings)
        runtime.apply(settled)
        log.info("poll %d settled on its end's time", poll.id)
    if first:
        log.info("responses of %d poll(s) fetched", len(todo))
    return done


UPKEEP = Worker("poll-upkeep", keep_up, wake_on=frozenset({PurposeKind.POLL_END}))
