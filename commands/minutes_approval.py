"""Minutes after the meeting: a draft until approved (commands/minutes.py records and exports).

`!minutes <id> amend <text>` (a member who was there) proposes a correction; the chairs
`accept` it (an erratum of the minutes) or `reject` it, then `approve` the minutes: who, when
and the SHA-256 of their JSON are kept and shown in every format. Or they `circulate` the draft
under the silence procedure: approved at the deadline unless someone says `object <reason>`
first (a timer row: late if the bot was down, once). Approved minutes no longer change but for
redactions, which the approval record counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.args import parse_number
from bot.dispatch import CommandContext, Defaults, RoomEvent
from bot.features import Timer, command, on_event
from bot.format import show_time
from bot.i18n import N_, Translate
from bot.minutes.hash import approved_sha256
from bot.minutes.rows import action_snapshot, load_minutes
from bot.minutes.writers import MIMETYPES, render
from bot.parsing import UsageError, split_args
from bot.procedures import deadline, read_text, until_option
from bot.replies import Attachment, Reply, ToRoom, bold, code, fmt, mention
from bot.rooms import room_settings
from storage.approval import AmendmentRepository, ApprovalRepository, CirculationRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting
from storage.models_after import MinutesAmendment, MinutesApproval, MinutesCirculation
from storage.status import AmendmentStatus, CirculationStatus, MinutesStatus

NOT_A_MEETING = N_("“{value}” is not a meeting number.")


# --- Pure argument parsers ----------------------------------------------------------------


def _meeting_and_rest(raw: str) -> tuple[int, str]:
    words = raw.split(maxsplit=1)
    if not words:
        raise UsageError(N_("Say which meeting's minutes, e.g. 3."))
    return parse_number(words[0], NOT_A_MEETING), words[1] if len(words) > 1 else ""


@dataclass(frozen=True)
class TextArgs:
    short_id: int
    text: str


def parse_amend(raw: str) -> TextArgs:
    """`<id> <text>`: the meeting and the correction proposed."""
    short_id, rest = _meeting_and_rest(raw)
    return TextArgs(short_id, read_text(rest, N_("Say what to correct, e.g. “Bob was present”.")))


def parse_objection(raw: str) -> TextArgs:
    """`<id> <reason>`: the meeting and why its minutes should not be approved as they are."""
    short_id, rest = _meeting_and_rest(raw)
    return TextArgs(short_id, read_text(rest, N_("Say why you object, e.g. “item 2 is wrong”.")))


@dataclass(frozen=True)
class AmendmentRef:
    short_id: int
    number: int


def parse_amendment(raw: str) -> AmendmentRef:
    """`<id> <amendment number>`."""
    words = split_args(raw)
    if len(words) != 2:
        raise UsageError(N_("Give the meeting and the amendment's number, e.g. 3 1."))
    return AmendmentRef(
        parse_number(words[0], NOT_A_MEETING),
        parse_number(words[1], N_("“{value}” is not an amendment number.")),
    )


def parse_meeting(raw: str) -> int:
    """`<id>`: one meeting's number."""
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Say which meeting's minutes, e.g. 3."))
    return parse_number(words[0], NOT_A_MEETING)


@dataclass(frozen=True)
class CirculateArgs:
    short_id: int
    until: str | None  # a time phrase; None: in 7 days


def parse_circulate(raw: str) -> CirculateArgs:
    """`<id> [--until <when>]`."""
    short_id, rest = _meeting_and_rest(raw)
    return CirculateArgs(short_id, until_option(rest))


# --- Shared by the commands and the deadline ----------------------------------------------


def _meeting(ctx: CommandContext, short_id: int) -> MinutesMeeting:
    meeting = MinutesRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if meeting is None:
        raise UsageError(N_("There is no recorded meeting #{id} in this room."), id=short_id)
    return meeting


def _ended(ctx: CommandContext, short_id: int) -> MinutesMeeting:
    meeting = _meeting(ctx, short_id)
    if meeting.status == MinutesStatus.RUNNING:
        raise UsageError(
            N_("Meeting #{id} is still being recorded: its minutes are not written yet."),
            id=short_id,
        )
    return meeting


def _not_approved(ctx: CommandContext, meeting: MinutesMeeting) -> None:
    approval = ApprovalRepository(ctx.session).get(meeting.id)
    if approval is not None:
        raise UsageError(
            N_(
                "The minutes of meeting #{id} were approved on {when}: they no longer change "
                "(but for redactions)."
            ),
            id=meeting.short_id,
            when=show_time(approval.approved_at, ctx.timezone, ctx.language),
        )


def _require_chair(ctx: CommandContext, meeting: MinutesMeeting, what: str) -> None:
    if not (ctx.is_chair or ctx.sender in meeting.chairs):
        raise UsageError(
            N_("Only the meeting's chairs may use {command}; chairs: {chairs}."),
            command=f"{ctx.prefix}minutes {meeting.short_id} {what}",
            chairs=", ".join(meeting.chairs),
        )


def _not_circulating(ctx: CommandContext, meeting: MinutesMeeting) -> None:
    circulation = CirculationRepository(ctx.session).latest(meeting.id)
    if circulation is not None and circulation.status == CirculationStatus.PENDING:
        raise UsageError(
            N_(
                "The minutes of meeting #{id} are circulated until {when}: they change only "
                "if someone objects first."
            ),
            id=meeting.short_id,
            when=show_time(circulation.due_at, ctx.timezone, ctx.language),
        )


def _all_decided(ctx: CommandContext, meeting: MinutesMeeting) -> None:
    undecided = AmendmentRepository(ctx.session).of_meeting(meeting.id, AmendmentStatus.PROPOSED)
    if undecided:
        raise UsageError(
            N_("Amendment {number} is not decided yet: accept or reject it first, with {command}."),
            number=undecided[0].number,
            command=f"{ctx.prefix}minutes {meeting.short_id} accept|reject {undecided[0].number}",
        )


def approve(
    session: Session,
    meeting: MinutesMeeting,
    by: str | None,
    now: datetime,
    language: str,
    timezone: str,
) -> MinutesApproval:
    """Approve the minutes as they stand: their hash and action items are kept with who and when."""
    minutes = load_minutes(session, meeting, language=language, timezone=timezone, now=now)
    return ApprovalRepository(session).approve(
        meeting.id,
        by=by,
        now=now,
        sha256=approved_sha256(minutes),
        timezone=timezone,
        actions=action_snapshot(minutes),
    )


# --- Amendments -----------------------------------------------------------------------------


@command(
    "minutes amend",
    usage="<id> <text>",
    help=N_("Propose a correction of a meeting's minutes (members who were there)."),
    parse=parse_amend,
)
async def amend_minutes(ctx: CommandContext, args: TextArgs) -> Reply:
    meeting = _ended(ctx, args.short_id)
    _not_approved(ctx, meeting)
    amendments = AmendmentRepository(ctx.session)
    present = ctx.sender in meeting.chairs or amendments.was_present(meeting.id, ctx.sender)
    # A Chatham House meeting's rows do not say who took part: any member may propose.
    if not present and not MinutesRepository(ctx.session).is_chatham(meeting):
        raise UsageError(
            N_(
                "Only members who took part in meeting #{id} (a message or an item in its log) "
                "or its chairs may amend its minutes."
            ),
            id=meeting.short_id,
        )
    amendment = amendments.add(
        meeting.id, text=args.text, author=ctx.sender, now=ctx.now, event_id=ctx.event_id
    )
    _ = ctx._
    number, short_id = str(amendment.number), meeting.short_id
    return Reply.of(
        fmt(
            _("Amendment {number} to the minutes of meeting #{id} recorded: {text}"),
            number=number,
            id=str(short_id),
            text=args.text,
        ),
        fmt(
            _("Chairs accept it with {accept} or reject it with {reject}."),
            accept=code(f"{ctx.prefix}minutes {short_id} accept {number}"),
            reject=code(f"{ctx.prefix}minutes {short_id} reject {number}"),
        ),
    )


def _amendment(ctx: CommandContext, ref: AmendmentRef, what: str) -> MinutesAmendment:
    meeting = _ended(ctx, ref.short_id)
    _require_chair(ctx, meeting, what)
    _not_approved(ctx, meeting)
    amendment = AmendmentRepository(ctx.session).get(meeting.id, ref.number)
    if amendment is None:
        raise UsageError(
            N_("The minutes of meeting #{id} have no amendment {number}."),
            id=ref.short_id,
            number=ref.number,
        )
    if amendment.status != AmendmentStatus.PROPOSED:
        decided = {
            AmendmentStatus.ACCEPTED: N_("Amendment {number} was accepted already, by {who}."),
            AmendmentStatus.REJECTED: N_("Amendment {number} was rejected already, by {who}."),
        }[AmendmentStatus(amendment.status)]
        raise UsageError(decided, number=amendment.number, who=amendment.decided_by or "")
    return amendment


@command(
    "minutes accept",
    usage="<id> <amendment>",
    help=N_("Accept an amendment: it becomes an erratum of the minutes (chairs)."),
    parse=parse_amendment,
)
async def accept_amendment(ctx: CommandContext, ref: AmendmentRef) -> Reply:
    amendment = _amendment(ctx, ref, "accept")
    _not_circulating(ctx, _meeting(ctx, ref.short_id))
    AmendmentRepository(ctx.session).decide(
        amendment, AmendmentStatus.ACCEPTED, ctx.sender, ctx.now
    )
    text = ctx._(
        "Amendment {number} accepted: it is in the errata of the minutes of meeting #{id}."
    )
    return Reply.of(text.format(number=amendment.number, id=ref.short_id))


@command(
    "minutes reject",
    usage="<id> <amendment>",
    help=N_("Reject an amendment of the minutes (chairs)."),
    parse=parse_amendment,
)
async def reject_amendment(ctx: CommandContext, ref: AmendmentRef) -> Reply:
    amendment = _amendment(ctx, ref, "reject")
    AmendmentRepository(ctx.session).decide(
        amendment, AmendmentStatus.REJECTED, ctx.sender, ctx.now
    )
    text = ctx._("Amendment {number} to the minutes of meeting #{id} rejected.")
    return Reply.of(text.format(number=amendment.number, id=ref.short_id))


# --- Approval -------------------------------------------------------------------------------


def _approved_lines(approval: MinutesApproval, short_id: int, _: Translate, prefix: str) -> list:
    return [
        fmt(_("SHA-256 of the approved JSON: {hash}"), hash=code(approval.sha256)),
        fmt(
            _("Check it against {command}: they no longer change, but for redactions."),
            command=code(f"{prefix}minutes {short_id} json"),
        ),
    ]


@command(
    "minutes approve",
    usage="<id>",
    help=N_("Approve a meeting's minutes; their SHA-256 is kept and shown (chairs)."),
    parse=parse_meeting,
)
async def approve_minutes(ctx: CommandContext, short_id: int) -> Reply:
    meeting = _ended(ctx, short_id)
    _require_chair(ctx, meeting, "approve")
    _not_approved(ctx, meeting)
    _all_decided(ctx, meeting)
    _ = ctx._
    lines: list = []
    circulations = CirculationRepository(ctx.session)
    circulation = circulations.latest(meeting.id)
    if circulation is not None and circulations.stop(
        circulation, CirculationStatus.CANCELLED, ctx.now
    ):
        lines.append(_("The silence procedure ends: the chairs approved the minutes."))
    approval = approve(ctx.session, meeting, ctx.sender, ctx.now, ctx.language, ctx.timezone)
    lines.insert(
        0,
        fmt(
            _("The minutes of meeting #{id} are approved by {who}, {when}."),
            id=str(short_id),
            who=mention(ctx.sender),
            when=show_time(ctx.now, ctx.timezone, ctx.language),
        ),
    )
    return Reply.of(*lines, *_approved_lines(approval, short_id, _, ctx.prefix))


# --- The silence procedure ------------------------------------------------------------------


def _draft_file(minutes_meeting: MinutesMeeting, ctx: CommandContext) -> Attachment:
    minutes = load_minutes(
        ctx.session, minutes_meeting, language=ctx.language, timezone=ctx.timezone, now=ctx.now
    )
    day = minutes.started_at.astimezone(ZoneInfo(minutes.timezone)).date().isoformat()
    return Attachment(
        filename=f"minutes-{minutes.id}-{day}-draft.md",
        mimetype=MIMETYPES["md"],
        data=render(minutes, "md", ctx._, ctx.now),
    )


@command(
    "minutes circulate",
    usage="<id> [--until <when>]",
    help=N_(
        "Circulate the draft minutes: approved at the deadline unless someone objects (chairs)."
    ),
    parse=parse_circulate,
)
async def circulate_minutes(ctx: CommandContext, args: CirculateArgs) -> list[Reply]:
    meeting = _ended(ctx, args.short_id)
    _require_chair(ctx, meeting, "circulate")
    _not_approved(ctx, meeting)
    _not_circulating(ctx, meeting)
    _all_decided(ctx, meeting)
    due_at = deadline(ctx, args.until)
    CirculationRepository(ctx.session).add(meeting, by=ctx.sender, now=ctx.now, due_at=due_at)
    _ = ctx._
    notice = Reply.of(
        fmt(
            _(
                "The draft minutes of meeting #{id} are circulated: they are approved on {when} "
                "unless someone objects before then."
            ),
            id=str(args.short_id),
            when=bold(show_time(due_at, ctx.timezone, ctx.language)),
        ),
        fmt(
            _("To object: {command}. The draft is attached."),
            command=code(f"{ctx.prefix}minutes {args.short_id} object <reason>"),
        ),
    )
    return [notice, Reply.file(_draft_file(meeting, ctx))]


@command(
    "minutes object",
    usage="<id> <reason>",
    help=N_("Object to circulated minutes: the silence procedure stops."),
    parse=parse_objection,
)
async def object_to_minutes(ctx: CommandContext, args: TextArgs) -> Reply:
    meeting = _meeting(ctx, args.short_id)
    circulations = CirculationRepository(ctx.session)
    circulation = circulations.latest(meeting.id)
    when = show_time(circulation.due_at, ctx.timezone, ctx.language) if circulation else ""
    approval = ApprovalRepository(ctx.session).get(meeting.id)
    if approval is not None:
        raise UsageError(
            N_("Too late: the minutes of meeting #{id} were approved on {when}."),
            id=args.short_id,
            when=show_time(approval.approved_at, ctx.timezone, ctx.language),
        )
    if circulation is None:
        raise UsageError(
            N_("The minutes of meeting #{id} are not circulated: there is nothing to object to."),
            id=args.short_id,
        )
    if circulation.status == CirculationStatus.OBJECTED:
        raise UsageError(
            N_("{who} objected already: the silence procedure for meeting #{id} is stopped."),
            who=circulation.objected_by or "",
            id=args.short_id,
        )
    if circulation.status != CirculationStatus.PENDING or ctx.now >= circulation.due_at:
        raise UsageError(
            N_("Too late: the deadline for objections to the minutes of meeting #{id} was {when}."),
            id=args.short_id,
            when=when,
        )
    circulations.stop(
        circulation,
        CirculationStatus.OBJECTED,
        ctx.now,
        by=ctx.sender,
        reason=args.text,
        event_id=ctx.event_id,
    )
    _ = ctx._
    return Reply.of(
        fmt(
            _(
                "{who} objects: the silence procedure for the minutes of meeting #{id} is broken; "
                "they stay a draft."
            ),
            who=mention(ctx.sender),
            id=str(args.short_id),
        ),
        fmt(_("Reason: {reason}"), reason=args.text),
        fmt(
            _("The chairs may amend and circulate them again, or approve them with {command}."),
            command=code(f"{ctx.prefix}minutes {args.short_id} approve"),
        ),
        mentions=[circulation.circulated_by],
    )


def deadline_passed(
    session: Session, circulation: MinutesCirculation, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """No objection by the deadline (the row is claimed): the minutes are approved by silence."""
    meeting = MinutesRepository(session).get(circulation.meeting_id)
    if meeting is None or ApprovalRepository(session).get(meeting.id) is not None:
        return []
    room = room_settings(session, meeting.room_id, settings)
    _ = room._
    approval = approve(session, meeting, None, now, room.language, room.timezone)
    deadline = show_time(circulation.due_at, room.timezone, room.language)
    if late:
        first = _(
            "No objection (late: the deadline was {when}): the minutes of meeting #{id} "
            "are approved by silence procedure."
        )
    else:
        first = _(
            "No objection by the deadline ({when}): the minutes of meeting #{id} are "
            "approved by silence procedure."
        )
    text = first.format(when=deadline, id=meeting.short_id)
    lines = [text, *_approved_lines(approval, meeting.short_id, _, room.prefix)]
    return [ToRoom(meeting.room_id, Reply.of(*lines))]


# Each pending circulation is approved at its deadline, once (job `circulation:<id>`).
DEADLINES = Timer("circulation", CirculationRepository, deadline_passed)


@on_event("m.room.redaction")
async def forget_redacted(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted amendment goes (approved minutes count it if it was an erratum); a redacted
    objection keeps the procedure stopped but loses its words."""
    redacts = event.content.redacts
    if redacts is None:
        return
    removed = AmendmentRepository(ctx.session).remove_of_event(ctx.room_id, redacts)
    errata = [a.meeting_id for a in removed if a.status == AmendmentStatus.ACCEPTED]
    ApprovalRepository(ctx.session).note_redactions(errata)
    CirculationRepository(ctx.session).forget_reason(ctx.room_id, redacts)
