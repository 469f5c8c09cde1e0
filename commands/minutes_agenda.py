"""Agenda-driven meetings: `!next` takes up the next item of the recorded meeting's agenda (the
scheduled meeting's, linked by `!startmeeting`, see bot/minutes/planned.py) as its topic.

The topic is an item like `!topic`'s, so the minutes group what follows under it, and the agenda
item remembers it: the minutes mark the items never reached. `!undo` or a redaction of it makes
the item not reached again, and the next `!next` takes it up anew.
"""

from __future__ import annotations

from bot.dispatch import CommandContext
from bot.features import command
from bot.i18n import N_
from bot.minutes.agenda import next_planned
from bot.minutes.items import Kind
from bot.minutes.meeting import LiveMeeting
from bot.minutes.planned import agenda
from bot.parsing import UsageError
from bot.replies import Reply, bold, fmt
from storage.minutes import MinutesRepository
from storage.minutes_agenda import MinutesAgendaRepository

SHOWN = 300  # characters of an agenda item said back


def parse_nothing(raw: str) -> None:
    return None


@command(
    "next",
    help=N_("Take up the next item of the meeting's agenda as the topic (chairs)."),
    aliases=("suivant", "weiter"),
    parse=parse_nothing,
)
async def next_topic(ctx: CommandContext, _args: None) -> Reply:
    """Record the next agenda item as the current topic, and that it was reached."""
    minutes = MinutesRepository(ctx.session)
    meeting = minutes.running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_("No meeting is being recorded here; start one with {command}."),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    rules = LiveMeeting(
        meeting.short_id, meeting.title, meeting.status, meeting.started_by, tuple(meeting.chairs)
    )
    rules.require_chair(ctx.sender, ctx.is_chair, ctx.prefix + "next")
    planned = agenda(ctx.session, meeting)
    topic = f"{ctx.prefix}topic <topic>"
    if meeting.scheduled_meeting_id is None:
        raise UsageError(
            N_(
                "This meeting has no agenda: it is linked to no scheduled meeting. "
                "Set the topic with {command}."
            ),
            command=topic,
        )
    if not planned:
        raise UsageError(
            N_("The agenda of this meeting is empty; set the topic with {command}."),
            command=topic,
        )
    item = next_planned(planned)
    if item is None:
        raise UsageError(
            N_(
                "No agenda item is left: the last, {position}. {text}, was taken up. "
                "Set another topic with {command}."
            ),
            position=planned[-1].position,
            text=planned[-1].text[:SHOWN],
            command=topic,
        )
    row = minutes.add_item(
        meeting,
        kind=Kind.TOPIC.value,
        text=item.text,
        author=ctx.sender,
        now=ctx.now,
        event_id=ctx.event_id,
    )
    MinutesAgendaRepository(ctx.session).reach(item.id, row.id)
    shown = item.text if len(item.text) <= SHOWN else item.text[: SHOWN - 1] + "…"
    return Reply.of(
        fmt(
            ctx._("Topic: {text} (agenda item {position}/{total})"),
            text=bold(shown),
            position=str(item.position),
            total=str(len(planned)),
        )
    )
