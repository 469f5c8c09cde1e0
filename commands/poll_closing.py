"""What reaches polls from the homeserver and the clock rather than from commands: votes kept,
polls closed at their time, counts settled on the end's own time.

Every response to one of the bot's polls is kept (the tally decides what counts). Responses sent
while the bot was down reach it through the sync catch-up; to miss none the bot also asks the
server for every event that refers to each poll's start (bot/relations.py) once the first sync
has caught up, and again just before a poll closes at its time. Each open poll with a closing
time is a row of the timer service (`poll-close:<id>`): claiming it closes the poll exactly
once, in the transaction that queues its end event and results. Once the end event is sent, the
same fetch gives the end's own `origin_server_ts`, after which clients ignore votes: the count
is settled on it, and corrected in the room if it changed.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from bot.dispatch import CommandContext, Defaults, RoomEvent
from bot.features import Runtime, Timer, Worker, on_event, on_sent
from bot.msc3381 import (
    POLL_END,
    POLL_RESPONSE,
    STABLE_POLL_END,
    STABLE_POLL_RESPONSE,
    reference_of,
    selection_of,
)
from bot.polls import close, closing, current_tally, results_lines
from bot.relations import RelationsError, fetch_related
from bot.replies import Message, PurposeKind, Reply, ToRoom
from bot.rooms import room_settings
from storage.models import Poll
from storage.polls import PollClosings, PollRepository
from storage.status import PollKind, PollStatus

log = logging.getLogger(__name__)


# --- Responses -------------------------------------------------------------------------------


def keep_response(session: Session, event: RoomEvent, now: datetime) -> bool:
    """Keep a response to one of the bot's polls (every one: the tally decides what counts).

    One that came in clear into an encrypted room is ignored, as the dispatcher ignores such
    commands: anyone on the homeserver could have forged it."""
    if event.type not in (POLL_RESPONSE, STABLE_POLL_RESPONSE):
        return False
    if event.room_encrypted and not event.event_encrypted:
        return False
    start = reference_of(event.content)
    polls = PollRepository(session)
    poll = polls.by_start_event(event.room_id, start) if start else None
    if poll is None:
        return False
    return polls.add_response(
        poll.id,
        event_id=event.event_id,
        sender=event.sender,
        answers=selection_of(event.content),
        ts=event.ts,
        now=now,
    )


def keep_fetched(
    session: Session, poll_id: int, events: list[RoomEvent], bot_user: str, now: datetime
) -> datetime | None:
    """Keep the responses fetched from the homeserver; the time of the bot's end of the poll
    (the earliest, should there be several), if it is among the events."""
    poll = PollRepository(session).get(poll_id)
    if poll is None:
        return None
    ends = []
    for event in events:
        if reference_of(event.content) != poll.start_event_id:
            continue
        if event.type in (POLL_END, STABLE_POLL_END) and event.sender == bot_user:
            ends.append(event.ts)
        else:
            keep_response(session, event, now)
    return min(ends, default=None)


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
    said = close(ctx, poll, now=event.ts, send_end=False)
    poll.ended_at = event.ts
    return said


# --- Closing at its time ------------------------------------------------------------------


async def refresh(runtime: Runtime, poll: Poll) -> datetime | None:
    """Fetch and keep the poll's responses; the time of the bot's end event, if there is one."""
    if poll.start_event_id is None:
        return None
    try:
        events = await fetch_related(runtime.client, poll.room_id, poll.start_event_id)
    except Exception as exc:  # the server or the network: sync still brings what it can
        log.warning("could not fetch the responses to poll %d: %s", poll.id, exc)
        raise RelationsError(str(exc)) from exc
    with runtime.db.transaction() as session:
        return keep_fetched(session, poll.id, events, runtime.client.user_id, runtime.clock())


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
    room = room_settings(session, poll.room_id, settings)
    _ = room._
    lines = [
        _("Corrected count: votes sent just before the end reached me after it."),
        *results_lines(poll, counted, _, final=True, room=room, now=ended_at),
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
