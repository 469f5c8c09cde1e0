"""The call for agenda items: `!meeting cycle agenda-call <time before>|off` (chairs, per room, off
by default), and that long before each occurrence of the room's meetings the room is asked for
agenda items.

The rows (`agenda_calls`) are planned with the meeting's reminders (bot/meetings.py), so a
meeting scheduled, moved or cancelled plans, moves or cancels its call; the timer service
(bot/scheduler.py) fires each once, late ones marked late, and a series' call plans the next
occurrence's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.args import OFF_WORDS, parse_offset
from bot.dispatch import CommandContext, Defaults
from bot.features import Permission, Timer, command
from bot.format import show_minutes, show_span, show_time
from bot.i18n import N_, Translate
from bot.meetings import schedule_agenda_call
from bot.parsing import UsageError, split_args
from bot.replies import Reply, ToRoom, bold, code, fmt
from bot.rooms import RoomSettings, room_settings
from storage.meetings import AgendaCallRepository, MeetingRepository
from storage.models import AgendaCall, Meeting
from storage.status import MeetingStatus

SETTING_WORDS = frozenset({"agenda-call", "agenda_call", "agendacall"})
NEED_VALUE = N_(
    "Say how long before each meeting to call for agenda items, e.g. {example}, or {off}."
)


@dataclass(frozen=True)
class CycleArgs:
    """`!meeting cycle agenda-call <time before>|off`: minutes before each meeting, 0 for off."""

    agenda_call: int


def parse_cycle(raw: str) -> CycleArgs | None:
    """`agenda-call 1w` or `agenda-call off`; nothing: show the room's choice."""
    words = split_args(raw)
    if not words:
        return None
    if words[0].lower() not in SETTING_WORDS:
        raise UsageError(
            N_("There is no meeting cycle setting “{value}”; the one there is: {usage}."),
            value=words[0][:40],
            usage="agenda-call <time before>|off",
        )
    if len(words) != 2:
        raise UsageError(NEED_VALUE, example="agenda-call 1w", off="agenda-call off")
    if words[1].lower() in OFF_WORDS:
        return CycleArgs(0)
    return CycleArgs(parse_offset(words[1]))


def describe_call(minutes: int | None, _: Translate, language: str) -> str:
    if not minutes:
        return _("No call for agenda items in this room.")
    return _("Call for agenda items: {lead} before each meeting.").format(
        lead=show_minutes(minutes, language)
    )


@command(
    "meeting cycle",
    usage="agenda-call <time before>|off",
    help=N_(
        "Post a call for agenda items that long before each meeting, e.g. agenda-call 2w "
        "(chairs; off by default)."
    ),
    permission=Permission.CHAIR,
    parse=parse_cycle,
)
async def set_cycle(ctx: CommandContext, args: CycleArgs | None) -> Reply:
    """Set (or show) when the room's call for agenda items comes; pending calls are re-planned."""
    _ = ctx._
    meetings = MeetingRepository(ctx.session)
    if args is None:
        return Reply.of(
            describe_call(meetings.agenda_call_minutes(ctx.room_id), _, ctx.language),
            fmt(
                _("Change it with {command}."),
                command=code(f"{ctx.prefix}meeting cycle agenda-call 2w|off"),
            ),
        )
    lead = args.agenda_call or None
    meetings.set_agenda_call_minutes(ctx.room_id, lead)
    calls = AgendaCallRepository(ctx.session)
    planned: list[tuple[datetime, Meeting]] = []
    for meeting in meetings.scheduled(ctx.room_id, ctx.now):
        calls.cancel_pending(meeting.id)
        call = schedule_agenda_call(ctx.session, meeting, ctx.now)
        if call is not None:
            planned.append((call.due_at, meeting))
    lines: list = [describe_call(lead, _, ctx.language)]
    if planned:
        due, meeting = min(planned, key=lambda pair: (pair[0], pair[1].short_id))
        lines.append(
            fmt(
                _("Next call: {title} (#{id}), on {when}."),
                title=bold(meeting.title),
                id=str(meeting.short_id),
                when=show_time(due, ctx.timezone, ctx.language),
            )
        )
    return Reply.of(*lines)


# --- The call itself ------------------------------------------------------------------------


def call_notice(
    session: Session, meeting: Meeting, call: AgendaCall, late: bool, room: RoomSettings
) -> Reply:
    """The call: which meeting, when, how to add an item; the agenda so far."""
    _, language, zone = room._, room.language, room.timezone
    end = call.occurrence_at + (meeting.end_at - meeting.start_at)
    values = dict(
        title=bold(meeting.title),
        date=show_span(call.occurrence_at, end, zone, language),
        command=code(f"{room.prefix}meeting agenda {meeting.short_id} <item>"),
    )
    if late:
        first = fmt(
            _(
                "Call for agenda items (late: was due at {due}) for {title} on {date} — "
                "add them with {command}."
            ),
            due=show_time(call.due_at, zone, language),
            **values,
        )
    else:
        first = fmt(
            _("Call for agenda items for {title} on {date} — add them with {command}."),
            **values,
        )
    lines: list = [first]
    agenda = MeetingRepository(session).agenda(meeting.id)
    if agenda:
        lines.append(bold(_("Agenda so far")))
        lines.extend(f"{item.position}. {item.text}" for item in agenda)
    return Reply.of(*lines)


def deliver_agenda_call(
    session: Session, call: AgendaCall, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """A claimed call's notice, and a series' next call planned, in the claiming transaction."""
    meeting = MeetingRepository(session).get(call.meeting_id)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return []
    room = room_settings(session, meeting.room_id, settings)
    reply = call_notice(session, meeting, call, late, room)
    schedule_agenda_call(session, meeting, now)
    return [ToRoom(meeting.room_id, reply)]


# Each call row fires once at its time (job `agenda-call:<id>`).
AGENDA_CALLS = Timer("agenda-call", AgendaCallRepository, deliver_agenda_call)
