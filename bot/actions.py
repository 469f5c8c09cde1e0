"""Action items as the commands (commands/actions.py) and the rounds of notices about them
(commands/action_rounds.py) both show them, and how one decided in a meeting enters its minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.format import Clock, people, piece
from bot.i18n import Translate
from bot.minutes.items import Kind
from bot.replies import Fragment, fmt
from storage.minutes import MinutesRepository
from storage.models import ActionItem, MinutesItem, MinutesMeeting
from storage.status import ActionStatus


def show_due(item: ActionItem, zone: str, language: str) -> str:
    """An item's due date: the day, with the time and zone when a time of day was said."""
    clock = Clock(zone, language)
    if item.due_at is None:
        return ""
    if item.due_has_time:
        return f"{clock.day(item.due_at)}, {clock.time(item.due_at)} ({zone})"
    return clock.day(item.due_at)


def item_line(
    item: ActionItem, assignees: list[str], zone: str, language: str, _: Translate, now: datetime
) -> Fragment:
    """ "#12 Draft the note → @bob:example.org, MAEE — due Fri, 27 Nov 2026 (overdue)"."""
    parts: list = [f"#{item.short_id} ", item.text]
    if assignees:
        parts += [" → ", *people(assignees)]
    line = piece(parts)
    if item.due_at is not None:
        line = fmt(_("{item} — due {date}"), item=line, date=show_due(item, zone, language))
    if item.status == ActionStatus.DONE:
        return fmt(_("{item} (done)"), item=line)
    if item.status == ActionStatus.DROPPED:
        return fmt(_("{item} (dropped)"), item=line)
    if item.due_at is not None and item.due_at < now:
        return fmt(_("{item} (overdue)"), item=line)
    return line


def record_in_minutes(
    session: Session,
    meeting: MinutesMeeting,
    item: ActionItem,
    author: str,
    now: datetime,
    event_id: str,
) -> MinutesItem:
    """An action decided in a recorded meeting is also an item of its minutes."""
    return MinutesRepository(session).add_item(
        meeting,
        kind=Kind.ACTION.value,
        text=item.text,
        author=author,
        now=now,
        event_id=event_id,
        action_id=item.id,
    )
