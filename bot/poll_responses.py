"""Responses to the bot's polls, kept as they come: through sync, and fetched from the homeserver
(bot/relations.py) to miss none sent while the bot was down. Shared by the polls' closing
(commands/poll_closing.py) and find-a-time's (commands/findtime_closing.py), whose slots are
polls too."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.dispatch import RoomEvent
from bot.features import Runtime
from bot.msc3381 import (
    POLL_END,
    POLL_RESPONSE,
    STABLE_POLL_END,
    STABLE_POLL_RESPONSE,
    reference_of,
    selection_of,
)
from bot.relations import RelationsError, fetch_related
from storage.models import Poll
from storage.polls import PollRepository

log = logging.getLogger(__name__)


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
