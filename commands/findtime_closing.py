"""Find-a-time's timers: its closing time and its `--remind`, each a row of the timer service
(`findtime-close:<id>`, `findtime-remind:<id>`) started once the first sync has caught up.

Before either fires, the responses to every slot poll are fetched from the homeserver
(bot/poll_responses.py), so answers sent while the bot was down count. Claiming the closing row
closes the find-a-time exactly once, in the transaction that queues each slot poll's end and
the grid; the reminder mentions, once, the members who have not answered every slot.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime

from sqlalchemy.orm import Session

from bot.dispatch import Defaults
from bot.features import Runtime, Timer
from bot.findtime import closing, reminder
from bot.poll_responses import refresh
from bot.relations import RelationsError
from bot.replies import ToRoom
from bot.rooms import room_settings
from storage.findtime_models import FindTime, FindTimeReminder
from storage.findtimes import FindTimeClosings, FindTimeReminders, FindTimeRepository
from storage.status import PollStatus

log = logging.getLogger(__name__)


async def fetch_answers(runtime: Runtime, findtime_id: int) -> None:
    """The responses to each open slot poll that the homeserver has (those sync brought are
    kept already)."""
    with runtime.db.transaction() as session:
        findtime = FindTimeRepository(session).get(findtime_id)
        polls = (
            [poll for _slot, poll in FindTimeRepository(session).slots(findtime.id)]
            if findtime is not None and findtime.status == PollStatus.OPEN
            else []
        )
    for poll in polls:
        if poll.status == PollStatus.OPEN:
            with suppress(RelationsError):  # go on with what sync brought
                await refresh(runtime, poll)


def close_when_due(
    session: Session, findtime: FindTime, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A find-a-time claimed closed at its time: each slot poll's end, then the grid."""
    room = room_settings(session, findtime.room_id, settings)
    said = closing(session, findtime, room, closed_by=None, now=now)
    return [ToRoom(findtime.room_id, message) for message in said]


# Each open find-a-time with a closing time fires once then.
CLOSINGS = Timer(
    "findtime-close", FindTimeClosings, close_when_due, prepare=fetch_answers, after_sync=True
)


async def fetch_before_reminding(runtime: Runtime, reminder_id: int) -> None:
    """A reminder's time has come: first the answers the homeserver has, as before a close."""
    with runtime.db.transaction() as session:
        row = FindTimeReminders(session).get(reminder_id)
    if row is not None:
        await fetch_answers(runtime, row.findtime_id)


def remind_when_due(
    session: Session, row: FindTimeReminder, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed reminder: who has not answered every slot is mentioned once; nothing if it
    has closed (or is closing now) or everyone has answered."""
    findtime = FindTimeRepository(session).get(row.findtime_id)
    if findtime is None or findtime.status != PollStatus.OPEN or findtime.closes_at <= now:
        return []
    room = room_settings(session, findtime.room_id, settings)
    notice = reminder(session, findtime, room, now=now, late=late)
    if notice is None:
        log.info("find-a-time %d: nobody to remind", findtime.id)
        return []
    return [ToRoom(findtime.room_id, notice)]


# Each `--remind` row fires once, after the first sync has caught up (answers sent meanwhile).
REMINDERS = Timer(
    "findtime-remind",
    FindTimeReminders,
    remind_when_due,
    prepare=fetch_before_reminding,
    after_sync=True,
)
