"""Written (silence) procedures between meetings: a chair circulates a text with a deadline
(`!silence "<proposal>" [--until <when>]`, 7 days by default); it is adopted unless a member
objects before then (`!silence object S1 <reason>`). At the deadline (a timer row: late if the
bot was down, once) it is **adopted**, and entered in the decision register in force, or
**broken**, with its objections; either way the room is told.

A broken procedure is not entered in the register: nobody decided against the text, it was
only not adopted in writing (it goes back to a meeting). Procedures are numbered S1, S2… per
room, apart from decisions (D1…) and meetings (#1…). Redacting the `!silence` message before
the deadline withdraws the procedure and removes its text; redacting an objection removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.args import parse_number
from bot.decisions import ref
from bot.dispatch import CommandContext, Defaults, RoomEvent
from bot.features import Permission, Timer, command, on_event
from bot.format import show_time
from bot.i18n import N_, Translate
from bot.parsing import UsageError, split_args
from bot.procedures import deadline, read_text, split_until
from bot.replies import Fragment, Reply, ToRoom, bold, code, fmt, mention
from bot.rooms import room_settings
from storage.decisions import DecisionRepository
from storage.silence import SilenceRepository
from storage.silence_models import SilenceProcedure, SilenceStatus
from storage.status import DecisionOutcome

LISTED_CLOSED = 10  # `!silence list`: every open procedure, then this many closed ones
LIST_TEXT = 120
NOT_A_PROCEDURE = N_("“{value}” is not a procedure number; write it like S1.")


def label(number: int) -> str:
    """A procedure's number as members see and type it: S1."""
    return f"S{number}"


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class OpenArgs:
    text: str
    until: str | None  # a time phrase; None: in 7 days


def parse_open(raw: str) -> OpenArgs:
    """`"<proposal>" [--until <when>]`."""
    text, until = split_until(raw)
    missing = N_('Say what is proposed, e.g. !silence "The note is adopted as circulated".')
    return OpenArgs(read_text(text, missing), until)


def parse_procedure_number(token: str) -> int:
    """A procedure's number as the bot shows it: `S1`, `s1`, `#1` or `1`."""
    value = token[1:] if token[:1] in ("S", "s") else token
    try:
        return parse_number(value, NOT_A_PROCEDURE)
    except UsageError:
        raise UsageError(NOT_A_PROCEDURE, value=token[:20]) from None


def parse_one_procedure(raw: str) -> int:
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Give the procedure's number, e.g. S1."))
    return parse_procedure_number(words[0])


@dataclass(frozen=True)
class ObjectArgs:
    number: int
    reason: str


def parse_objection(raw: str) -> ObjectArgs:
    """`<id> <reason>`."""
    words = raw.split(maxsplit=1)
    if not words:
        raise UsageError(N_("Give the procedure's number, e.g. S1."))
    reason = read_text(
        words[1] if len(words) > 1 else "",
        N_("Say why you object, e.g. “the figures are not final”."),
    )
    return ObjectArgs(parse_procedure_number(words[0]), reason)


def parse_nothing(raw: str) -> None:
    if split_args(raw):
        raise UsageError(N_("{command} takes no arguments."), command="!silence list")


# --- How procedures read ------------------------------------------------------------------


def _shorten(text: str, limit: int = LIST_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_of(procedure: SilenceProcedure, _: Translate) -> str:
    return procedure.text if procedure.text is not None else _("(text removed by its author)")


def outcome(procedure: SilenceProcedure, _: Translate, zone: str, language: str) -> str:
    """Where a procedure stands: open until…, adopted (D4), broken, withdrawn."""
    due = show_time(procedure.due_at, zone, language)
    if procedure.status == SilenceStatus.PENDING:
        return _("open until {when}").format(when=due)
    if procedure.status == SilenceStatus.ADOPTED:
        number = ref(procedure.decision_number) if procedure.decision_number else "—"
        said = _("adopted on {when}, decision {number}").format(when=due, number=number)
    elif procedure.status == SilenceStatus.BROKEN:
        said = _("broken by objections on {when}").format(when=due)
    else:
        closed = show_time(procedure.sent_at or procedure.due_at, zone, language)
        said = _("withdrawn on {when}").format(when=closed)
    if procedure.late:
        said += " " + _("(announced late: the bot was not running at the deadline)")
    return said


def _procedure(ctx: CommandContext, number: int) -> SilenceProcedure:
    procedure = SilenceRepository(ctx.session).by_number(ctx.room_id, number)
    if procedure is None:
        raise UsageError(
            N_("There is no silence procedure {number} in this room."), number=label(number)
        )
    return procedure


def _closed_error(ctx: CommandContext, procedure: SilenceProcedure) -> UsageError:
    """Why a procedure takes no more objections (nor withdrawal)."""
    if procedure.status == SilenceStatus.WITHDRAWN:
        return UsageError(
            N_("Silence procedure {number} was withdrawn."), number=label(procedure.number)
        )
    return UsageError(
        N_("Too late: the deadline for objections to silence procedure {number} was {when}."),
        number=label(procedure.number),
        when=show_time(procedure.due_at, ctx.timezone, ctx.language),
    )


# --- Commands ---------------------------------------------------------------------------


@command(
    "silence",
    usage='"<proposal>" [--until <when>]',
    help=N_(
        "Open a written (silence) procedure: the text is adopted at the deadline (7 days by "
        "default) unless a member objects (chairs)."
    ),
    permission=Permission.CHAIR,
    parse=parse_open,
)
async def open_procedure(ctx: CommandContext, args: OpenArgs) -> Reply:
    due_at = deadline(ctx, args.until)
    procedure = SilenceRepository(ctx.session).open(
        room_id=ctx.room_id,
        text=args.text,
        by=ctx.sender,
        now=ctx.now,
        due_at=due_at,
        event_id=ctx.event_id,
    )
    _ = ctx._
    number = label(procedure.number)
    return Reply.of(
        fmt(
            _("Silence procedure {number} opened by {who}: {text}"),
            number=bold(number),
            who=mention(ctx.sender),
            text=args.text,
        ),
        fmt(
            _(
                "It is adopted on {when} unless a member objects before then; adopted, it "
                "enters the decision register."
            ),
            when=bold(show_time(due_at, ctx.timezone, ctx.language)),
        ),
        fmt(
            _("To object: {command}."),
            command=code(f"{ctx.prefix}silence object {number} <reason>"),
        ),
    )


@command(
    "silence object",
    usage="<id> <reason>",
    help=N_("Object to an open silence procedure (once, before its deadline)."),
    parse=parse_objection,
)
async def object_to_procedure(ctx: CommandContext, args: ObjectArgs) -> Reply:
    procedures = SilenceRepository(ctx.session)
    procedure = _procedure(ctx, args.number)
    if procedure.status != SilenceStatus.PENDING or ctx.now >= procedure.due_at:
        raise _closed_error(ctx, procedure)
    number = label(procedure.number)
    earlier = procedures.objection_of(procedure.id, ctx.sender)
    if earlier is not None:
        raise UsageError(
            N_("You objected to silence procedure {number} already, on {when}."),
            number=number,
            when=show_time(earlier.created_at, ctx.timezone, ctx.language),
        )
    if not procedures.hold(procedure):  # its deadline was handled meanwhile
        raise _closed_error(ctx, procedure)
    procedures.object(
        procedure, by=ctx.sender, reason=args.reason, now=ctx.now, event_id=ctx.event_id
    )
    _ = ctx._
    return Reply.of(
        fmt(
            _("{who} objects to silence procedure {number}, opened by {chair}: {text}"),
            who=mention(ctx.sender),
            number=bold(number),
            chair=mention(procedure.opened_by),
            text=_shorten(_text_of(procedure, _)),
        ),
        fmt(_("Reason: {reason}"), reason=args.reason),
        fmt(
            _(
                "Unless every objection is withdrawn (its message redacted) before {when}, the "
                "procedure is broken and the text is not adopted."
            ),
            when=show_time(procedure.due_at, ctx.timezone, ctx.language),
        ),
        mentions=[procedure.opened_by],
    )


@command(
    "silence withdraw",
    usage="<id>",
    help=N_("Withdraw an open silence procedure (chairs)."),
    permission=Permission.CHAIR,
    parse=parse_one_procedure,
)
async def withdraw_procedure(ctx: CommandContext, number: int) -> Reply:
    procedure = _procedure(ctx, number)
    if procedure.status != SilenceStatus.PENDING or ctx.now >= procedure.due_at:
        raise _closed_error(ctx, procedure)
    if not SilenceRepository(ctx.session).withdraw(procedure, ctx.now, ctx.sender):
        raise _closed_error(ctx, procedure)
    text = ctx._("Silence procedure {number} withdrawn by {who}: it will not be adopted.")
    return Reply.of(fmt(text, number=bold(label(number)), who=mention(ctx.sender)))


@command(
    "silence list",
    help=N_("List the open silence procedures, then the latest closed ones."),
    parse=parse_nothing,
)
async def list_procedures(ctx: CommandContext, _args: None) -> Reply:
    _ = ctx._
    procedures = SilenceRepository(ctx.session)
    listed = procedures.of_room(ctx.room_id, LISTED_CLOSED)
    if not listed:
        return Reply.of(
            fmt(
                _("No silence procedure in this room yet; chairs open one with {command}."),
                command=code(f'{ctx.prefix}silence "<proposal>" [--until <when>]'),
            )
        )
    counts = procedures.objection_counts([p.id for p in listed])
    lines: list = [_("Silence procedures:")]
    for procedure in listed:
        standing = outcome(procedure, _, ctx.timezone, ctx.language)
        n = counts.get(procedure.id, 0)
        if n and procedure.status in (SilenceStatus.PENDING, SilenceStatus.BROKEN):
            standing += ", " + _.ngettext("{count} objection", "{count} objections", n).format(
                count=n
            )
        lines.append(
            [
                "• ",
                bold(label(procedure.number)),
                fmt(
                    " — {standing}: {text}",
                    standing=standing,
                    text=_shorten(_text_of(procedure, _)),
                ),
            ]
        )
    return Reply.of(*lines)


@command(
    "silence show",
    usage="<id>",
    help=N_("Show a silence procedure: its text, deadline, objections and outcome."),
    parse=parse_one_procedure,
)
async def show_procedure(ctx: CommandContext, number: int) -> Reply:
    _ = ctx._
    procedure = _procedure(ctx, number)
    zone, language = ctx.timezone, ctx.language
    lines: list = [
        [bold(label(procedure.number)), " — ", fmt("{text}", text=_text_of(procedure, _))],
        fmt(
            _("Opened by {who} on {when}."),
            who=procedure.opened_by,
            when=show_time(procedure.opened_at, zone, language),
        ),
        fmt(_("Deadline: {when}"), when=show_time(procedure.due_at, zone, language)),
        fmt(_("Outcome: {outcome}"), outcome=outcome(procedure, _, zone, language)),
    ]
    if procedure.status == SilenceStatus.WITHDRAWN and procedure.withdrawn_by:
        lines.append(fmt(_("Withdrawn by {who}."), who=procedure.withdrawn_by))
    objections = SilenceRepository(ctx.session).objections(procedure.id)
    if not objections:
        lines.append(_("No objection."))
    else:
        lines.append(_("Objections:"))
        lines += [_objection_line(o.author, o.reason, o.created_at, ctx) for o in objections]
    return Reply.of(*lines)


def _objection_line(author: str, reason: str, at: datetime, ctx: CommandContext) -> Fragment:
    when = show_time(at, ctx.timezone, ctx.language)
    return fmt("• {who} ({when}): {reason}", who=author, when=when, reason=reason)


# --- The deadline -------------------------------------------------------------------------


def deadline_passed(
    session: Session, procedure: SilenceProcedure, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """The deadline came (the row is claimed): adopted and registered, or broken."""
    room = room_settings(session, procedure.room_id, settings)
    _ = room._
    procedures = SilenceRepository(session)
    objections = procedures.objections(procedure.id)
    number = label(procedure.number)
    when = show_time(procedure.due_at, room.timezone, room.language)
    if not objections:
        decision = DecisionRepository(session).add(
            room_id=procedure.room_id,
            outcome=DecisionOutcome.ADOPTED,
            text=procedure.text or "",
            decided_at=procedure.due_at,
        )
        procedures.close(
            procedure, SilenceStatus.ADOPTED, now, late=late, decision_number=decision.number
        )
        if late:
            first = _(
                "No objection to silence procedure {number} (late: the deadline was {when}): "
                "adopted as decision {decision}."
            )
        else:
            first = _(
                "No objection to silence procedure {number} by the deadline ({when}): adopted "
                "as decision {decision}."
            )
        lines: list = [
            fmt(first, number=bold(number), when=when, decision=bold(ref(decision.number))),
            fmt(_("Text: {text}"), text=procedure.text or ""),
        ]
        return [ToRoom(procedure.room_id, Reply.of(*lines))]
    procedures.close(procedure, SilenceStatus.BROKEN, now, late=late)
    if late:
        first = _(
            "Silence procedure {number} is broken (late: the deadline was {when}); the text is "
            "not adopted. Objections:"
        )
    else:
        first = _(
            "Silence procedure {number} is broken at its deadline ({when}); the text is not "
            "adopted. Objections:"
        )
    lines = [fmt(first, number=bold(number), when=when)]
    lines += [fmt("• {who}: {reason}", who=o.author, reason=o.reason) for o in objections]
    return [ToRoom(procedure.room_id, Reply.of(*lines, mentions=[procedure.opened_by]))]


# Each pending procedure closes at its deadline, once (job `silence:<id>`).
DEADLINES = Timer("silence", SilenceRepository, deadline_passed)


@on_event("m.room.redaction")
async def forget_redacted(ctx: CommandContext, event: RoomEvent) -> Reply | None:
    """A redacted `!silence` message withdraws its open procedure and takes its text and
    objections with it; a redacted objection goes."""
    redacts = event.content.redacts
    if redacts is None:
        return None
    procedures = SilenceRepository(ctx.session)
    procedures.remove_objection_of_event(ctx.room_id, redacts)
    procedure = procedures.pending_of_event(ctx.room_id, redacts)
    if procedure is None or not procedures.withdraw(procedure, ctx.now, None):
        return None
    procedures.forget_text(procedure)
    text = ctx._("Silence procedure {number} is withdrawn: its message was redacted.")
    return Reply.of(fmt(text, number=bold(label(procedure.number))))
