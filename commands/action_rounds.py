"""Rounds of notices about action items: due-day reminders and the weekly digest.

Each round is a row timed like meeting reminders: a daily round at the configured time
(`[bot] action_reminders`) reminds the assignees of items due that day, and a weekly round
(`[bot] digest`) gives every room with open items its digest of open and overdue ones. A
round due while the bot was down goes out late, marked late, covering every day missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.actions import item_line
from bot.dispatch import Defaults
from bot.features import Timer, at_start
from bot.format import and_more, user_ids
from bot.replies import Reply, ToRoom, bold, code, fmt
from bot.rooms import room_settings
from storage.actions import ActionRepository, TimerRepository
from storage.models import ActionItem, ActionTimer
from storage.status import RoundKind

ROUND_LIMIT = 30  # items said in one room's notice


@dataclass(frozen=True)
class Rounds:
    """When rounds happen (from the config), in the bot's default zone and language."""

    reminders: time | None
    digest: tuple[int, time] | None
    timezone: str
    language: str
    prefix: str = "!"

    @classmethod
    def of(cls, settings: Defaults) -> Rounds:
        return cls(
            reminders=settings.action_reminders,
            digest=settings.digest,
            timezone=settings.timezone,
            language=settings.language,
            prefix=settings.prefix,
        )


def _local(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def next_round(kind: str, rounds: Rounds, after: datetime) -> datetime | None:
    """The next time of a round after `after` (None when it is off)."""
    today = after.astimezone(ZoneInfo(rounds.timezone)).date()
    if kind == RoundKind.DUE:
        if rounds.reminders is None:
            return None
        for offset in range(3):
            moment = _local(today + timedelta(days=offset), rounds.reminders, rounds.timezone)
            if moment > after:
                return moment
        return None
    if rounds.digest is None:
        return None
    weekday, at = rounds.digest
    for offset in range(15):
        day = today + timedelta(days=offset)
        if day.weekday() == weekday:
            moment = _local(day, at, rounds.timezone)
            if moment > after:
                return moment
    return None


def plan_rounds(session: Session, rounds: Rounds, now: datetime) -> None:
    """One pending row per round that is on, at its next time; a row that came due while the
    bot was down stays, to go out late. Rows of a round turned off are cancelled."""
    timers = TimerRepository(session)
    for kind in (RoundKind.DUE, RoundKind.DIGEST):
        pending = timers.pending_of(kind)
        wanted = next_round(kind, rounds, now)
        overdue = [t for t in pending if t.due_at <= now]
        keep = overdue[:1] if wanted is not None and overdue else []
        if not keep and wanted is not None:
            keep = [t for t in pending if t.due_at == wanted][:1]
        for timer in pending:
            if timer not in keep:
                timers.cancel(timer)
        if not keep and wanted is not None:
            timers.add(kind, wanted)


def _due_window(session: Session, timer: ActionTimer, rounds: Rounds, now: datetime):
    """The days this round covers: from the day after the previous round to today."""
    zone = ZoneInfo(rounds.timezone)
    today = now.astimezone(zone).date()
    previous = TimerRepository(session).last_sent(RoundKind.DUE, before_id=timer.id)
    if previous is not None and previous.sent_at is not None:
        first = previous.sent_at.astimezone(zone).date() + timedelta(days=1)
    else:
        first = timer.due_at.astimezone(zone).date()
    first = min(first, today)
    return first, today


def due_reminders(
    session: Session, timer: ActionTimer, rounds: Rounds, now: datetime, late: bool
) -> list[ToRoom]:
    """Remind the assignees of open items due on the days this round covers, room by room."""
    first, last = _due_window(session, timer, rounds, now)
    start = _local(first, time(0), rounds.timezone)
    end = _local(last + timedelta(days=1), time(0), rounds.timezone)
    actions = ActionRepository(session)
    due = actions.due_between(start, end)
    by_room: dict[str, list[ActionItem]] = {}
    for item in due:
        by_room.setdefault(item.room_id, []).append(item)
    said = []
    for room_id, items in by_room.items():
        room = room_settings(session, room_id, rounds)
        _, language, zone = room._, room.language, room.timezone
        people = actions.assignees(i.id for i in items)
        if late:
            first_line = _("Reminder (late): these actions were due on the days I was away.")
        else:
            first_line = _.ngettext(
                "Reminder: this action is due today.",
                "Reminder: these actions are due today.",
                len(items),
            )
        lines: list = [bold(first_line)]
        mentioned: list[str] = []
        for item in items[:ROUND_LIMIT]:
            lines.append(["• ", item_line(item, people[item.id], zone, language, _, now)])
            mentioned += user_ids(people[item.id])
        if len(items) > ROUND_LIMIT:
            lines.append(and_more(len(items) - ROUND_LIMIT, _))
        said.append(ToRoom(room_id, Reply.of(*lines, mentions=mentioned)))
    return said


def digests(session: Session, rounds: Rounds, now: datetime, late: bool) -> list[ToRoom]:
    """Each room with open items gets its digest: how many are open, which are overdue."""
    actions = ActionRepository(session)
    said = []
    for room_id in actions.rooms_with_open_items():
        room = room_settings(session, room_id, rounds)
        _, language, zone = room._, room.language, room.timezone
        open_items = actions.open_in_room(room_id, ROUND_LIMIT // 2)
        overdue = actions.overdue(room_id, now, ROUND_LIMIT)
        heading = (
            _(
                "Weekly digest of action items: {open} open, {overdue} overdue. "
                "(late: I was away at its time)"
            )
            if late
            else _("Weekly digest of action items: {open} open, {overdue} overdue.")
        ).format(open=open_items.total, overdue=overdue.total)
        lines: list = [bold(heading)]
        people = actions.assignees(
            [*(i.id for i in open_items.items), *(i.id for i in overdue.items)]
        )
        mentioned: list[str] = []
        if overdue.items:
            lines.append(bold(_("Overdue")))
            for item in overdue.items:
                lines.append(["• ", item_line(item, people[item.id], zone, language, _, now)])
                mentioned += user_ids(people[item.id])
            if overdue.total > len(overdue.items):
                lines.append(and_more(overdue.total - len(overdue.items), _))
        soon = [i for i in open_items.items if i.due_at is None or i.due_at >= now]
        if soon:
            lines.append(bold(_("Open")))
            for item in soon:
                lines.append(["• ", item_line(item, people[item.id], zone, language, _, now)])
        lines.append(fmt(_("The full list: {command}."), command=code(f"{rounds.prefix}actions")))
        said.append(ToRoom(room_id, Reply.of(*lines, mentions=mentioned)))
    return said


def deliver_round(
    session: Session, timer: ActionTimer, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed round's notices, and the next round planned, in the claiming transaction."""
    rounds = Rounds.of(settings)
    said = []
    if timer.kind == RoundKind.DUE:
        said = due_reminders(session, timer, rounds, now, late)
    elif timer.kind == RoundKind.DIGEST:
        said = digests(session, rounds, now, late)
    plan_rounds(session, rounds, now)
    return said


# Each round's row fires once at its time (job `action-round:<id>`).
ROUNDS = Timer("action-round", TimerRepository, deliver_round)


@at_start
def plan_at_start(session: Session, settings: Defaults, now: datetime) -> None:
    """Rounds follow the config: the next of each that is on is planned, the others dropped."""
    plan_rounds(session, Rounds.of(settings), now)
