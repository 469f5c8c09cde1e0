"""The recorded meetings' list and their minutes as files (`!minutes list`, `!minutes <id>
<format>`); `--unattributed` names nobody in them (bot/confidential.py), as a Chatham House
meeting's always do. The meetings themselves are recorded by commands/minutes.py."""

from __future__ import annotations

from dataclasses import dataclass

from bot.args import parse_number
from bot.confidential import UNATTRIBUTED, take_flag, unattributed
from bot.dispatch import CommandContext
from bot.features import command
from bot.format import Clock, and_more
from bot.i18n import N_
from bot.minutes.files import minutes_file
from bot.minutes.record import list_state
from bot.minutes.rows import load_minutes, standings
from bot.minutes.writers import FORMATS
from bot.parsing import UsageError, split_args
from bot.replies import Reply, bold, code, fmt
from storage.minutes import MinutesRepository

LIST_LIMIT = 20
FORMAT_WORDS = {**{f: f for f in FORMATS}, "markdown": "md", "text": "txt", "texte": "txt"}


def parse_nothing(raw: str) -> None:
    return None


@dataclass(frozen=True)
class ExportArgs:
    short_id: int
    form: str
    unattributed: bool = False


def parse_export(raw: str) -> ExportArgs | None:
    """`<id> [md|html|txt|json] [--unattributed]`; nothing at all lists the meetings."""
    raw, plain = take_flag(raw, UNATTRIBUTED)
    words = split_args(raw)
    if not words:
        return None
    number = parse_number(words[0], N_("“{value}” is not a meeting number."))
    form = FORMAT_WORDS.get(words[1].lower().lstrip(".")) if len(words) > 1 else "md"
    if form is None or len(words) > 2:
        raise UsageError(N_("Choose one of: {formats}."), formats=", ".join(FORMATS))
    return ExportArgs(number, form, plain)


@command(
    "minutes list",
    help=N_("List the meetings recorded in this room."),
    parse=parse_nothing,
)
async def list_minutes(ctx: CommandContext, _args: None) -> Reply:
    _ = ctx._
    minutes = MinutesRepository(ctx.session)
    meetings, total = minutes.recent(ctx.room_id, LIST_LIMIT)
    if not meetings:
        return Reply.of(
            _("No meeting has been recorded in this room."),
            fmt(_("Start one with {command}."), command=code(f"{ctx.prefix}startmeeting <title>")),
        )
    counts = minutes.count_lines(m.id for m in meetings)
    clock = Clock(ctx.timezone, ctx.language)
    standing = standings(ctx.session, [m.id for m in meetings])
    lines: list = [bold(_("Recorded meetings"))]
    for meeting in meetings:
        title = meeting.title or _("(title removed)")
        when = clock.span(meeting.started_at, meeting.ended_at)
        state = (
            _("running") if meeting.ended_at is None else list_state(standing[meeting.id], clock, _)
        )
        count = counts.get(meeting.id, 0)
        messages = _.ngettext("{count} message", "{count} messages", count).format(count=count)
        details = ", ".join(p for p in (when, messages, state) if p)
        lines.append([f"#{meeting.short_id} ", bold(title), f" — {details}"])
    if total > len(meetings):
        lines.append(and_more(total - len(meetings), _))
    lines.append(
        fmt(
            _("Export one with {command}."),
            command=code(f"{ctx.prefix}minutes <id> md|html|txt|json"),
        )
    )
    return Reply.of(*lines)


@command(
    "minutes",
    usage="[<id> md|html|txt|json [--unattributed]]",
    help=N_("Send a meeting's minutes as a file (Markdown by default), or list the meetings."),
    aliases=("procès-verbal", "protokoll"),
    parse=parse_export,
)
async def export_minutes(ctx: CommandContext, args: ExportArgs | None) -> Reply:
    if args is None:
        return await list_minutes.handler(ctx, None)
    meeting = MinutesRepository(ctx.session).by_short_id(ctx.room_id, args.short_id)
    if meeting is None:
        raise UsageError(N_("There is no recorded meeting #{id} in this room."), id=args.short_id)
    minutes = load_minutes(
        ctx.session, meeting, language=ctx.language, timezone=ctx.timezone, now=ctx.now
    )
    if args.unattributed:
        minutes = unattributed(minutes)
    return Reply.file(minutes_file(minutes, args.form, ctx._, ctx.now))
