"""Attendance at recorded meetings and the room's quorum: the roll call (✅ on it), `!here`,
`!here for "<organisation>"`, `!apologies`, `!quorum`.

The roll call is the message that answers `!startmeeting` (commands/minutes.py asks
bot/attendance.py for it); who spoke is read from the meeting's log. A redacted ✅, `!here` or
`!apologies` no longer counts. What is measured and kept is in bot/attendance.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.args import parse_user
from bot.attendance import (
    ROLL_CALL_KEYS,
    canonical,
    count_present,
    describe_rule,
    describe_state,
    display_name,
    known_organisations,
    organisation_key,
    organisation_of,
    present,
    quorum,
    read_organisation,
    set_organisation,
)
from bot.dispatch import CommandContext, RoomEvent, reaction_key
from bot.features import command, on_event, on_sent
from bot.format import join_list
from bot.i18n import N_
from bot.parsing import UsageError, split_args
from bot.replies import PurposeKind, Reply, bold, code, fmt, mention
from storage.attendance import AttendanceRepository, QuorumRepository
from storage.members import MemberRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting
from storage.status import AttendanceWay, QuorumKind

FOR_WORDS = ("for", "pour", "für", "fur")
OFF_WORDS = ("off", "none", "aucun", "désactivé", "aus", "kein")
ORGANISATION_WORDS = ("organisation", "organisations", "organization", "organizations", "orgs")
ORGANISATION_WORDS += ("org", "organisationen")
MEMBER_WORDS = ("member", "members", "membre", "membres", "mitglied", "mitglieder")
MAX_QUORUM = 10_000
MAX_APOLOGIES = 20


# --- Pure argument parsers ----------------------------------------------------------------


def parse_here(raw: str) -> str | None:
    """`!here`, or `!here for "<organisation>"`: the organisation, if one is said."""
    words = raw.split(maxsplit=1)
    if not words:
        return None
    if words[0].lower() not in FOR_WORDS:
        raise UsageError(
            N_('Type !here, or !here for "<organisation>" to say whom you attend for.')
        )
    return read_organisation(words[1] if len(words) > 1 else "")


@dataclass(frozen=True)
class ApologiesArgs:
    """Apologies of members (user ids), or of one organisation."""

    users: tuple[str, ...] = ()
    organisation: str | None = None


def parse_apologies(raw: str) -> ApologiesArgs:
    """`<@user…>` or `"<organisation>"`."""
    text = raw.strip()
    if not text:
        raise UsageError(
            N_('Say whose apologies: a member (@alice:example.org) or an organisation ("ASTI").')
        )
    if text.startswith("@"):
        words = split_args(text.replace(",", " "))
        if len(words) > MAX_APOLOGIES:
            raise UsageError(N_("At most {limit} members at a time, please."), limit=MAX_APOLOGIES)
        return ApologiesArgs(users=tuple(dict.fromkeys(parse_user(w) for w in words)))
    return ApologiesArgs(organisation=read_organisation(text))


@dataclass(frozen=True)
class QuorumArgs:
    """A quorum rule to set (`kind`, `value`), or none (`off`)."""

    kind: QuorumKind | None
    value: int = 0


def _quorum_number(word: str, limit: int) -> int:
    if not (word.isascii() and word.isdigit()) or len(word) > 6:
        raise UsageError(N_("“{value}” is not a number."), value=word[:20])
    value = int(word)
    if value < 1:
        raise UsageError(
            N_("A quorum is at least 1: give a number from 1 to {limit}."), limit=limit
        )
    if value > limit:
        raise UsageError(N_("Give a number from 1 to {limit}."), limit=limit)
    return value


def parse_quorum(raw: str) -> QuorumArgs | None:
    """`<n> organisations`, `<n> members`, `<p>%`, `off`; nothing shows the quorum."""
    words = split_args(raw.replace("%", " % "))
    if not words:
        return None
    lowered = [w.lower() for w in words]
    if lowered in ([w] for w in OFF_WORDS):
        return QuorumArgs(None)
    if len(words) == 2 and lowered[1] == "%":
        return QuorumArgs(QuorumKind.PERCENT, _quorum_number(words[0], 100))
    if len(words) == 2 and lowered[1] in ORGANISATION_WORDS:
        return QuorumArgs(QuorumKind.ORGANISATIONS, _quorum_number(words[0], MAX_QUORUM))
    if len(words) == 2 and lowered[1] in MEMBER_WORDS:
        return QuorumArgs(QuorumKind.MEMBERS, _quorum_number(words[0], MAX_QUORUM))
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():
        _quorum_number(words[0], MAX_QUORUM)  # `!quorum 0` is told first that 0 is too few
    raise UsageError(
        N_("Say the quorum as {forms}."), forms="<n> organisations, <n> members, <p>%, off"
    )


# --- The roll call ----------------------------------------------------------------------------


@on_sent(PurposeKind.ROLL_CALL)
def record_roll_call(session: Session, meeting_id: int, event_id: str) -> None:
    """The roll call was sent: ✅ on it counts a member present."""
    AttendanceRepository(session).set_roll_call_event(meeting_id, event_id)


@on_event("m.reaction")
async def count_by_reaction(ctx: CommandContext, event: RoomEvent) -> None:
    """✅ on a running meeting's roll call counts the member present; nothing is said back."""
    relation = event.content.relation
    if relation.rel_type != "m.annotation" or relation.key is None or relation.event_id is None:
        return
    if reaction_key(relation.key) not in ROLL_CALL_KEYS:
        return
    repo = AttendanceRepository(ctx.session)
    meeting = repo.running_by_roll_call(ctx.room_id, relation.event_id)
    if meeting is not None:
        count_present(
            ctx.session, meeting, ctx.sender, AttendanceWay.REACTION, ctx.event_id, event.ts
        )


@on_event("m.room.redaction")
async def uncount_redacted(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted ✅, `!here` or `!apologies` no longer counts."""
    redacts = event.content.redacts
    if redacts is not None:
        AttendanceRepository(ctx.session).redact(ctx.room_id, redacts)


def _running(ctx: CommandContext) -> MinutesMeeting:
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_("No meeting is being recorded here; start one with {command}."),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    return meeting


@command(
    "here",
    usage='[for "<organisation>"]',
    help=N_("Be counted present at the meeting (also for an organisation)."),
    aliases=("présent", "present", "anwesend"),
    parse=parse_here,
)
async def say_here(ctx: CommandContext, organisation: str | None) -> Reply:
    """Count the sender present; `for` an organisation says whom they attend for."""
    meeting = _running(ctx)
    _ = ctx._
    count_present(ctx.session, meeting, ctx.sender, AttendanceWay.HERE, ctx.event_id, ctx.now)
    who = mention(ctx.sender, display_name(ctx.session, ctx.room_id, ctx.sender))
    if organisation is None:
        known = organisation_of(ctx.session, ctx.room_id).get(ctx.sender)
        if known is None:
            return Reply.of(fmt(_("{user} is counted present."), user=who))
        return Reply.of(
            fmt(_("{user} is counted present for {organisation}."), user=who, organisation=known)
        )
    lines = []
    had = organisation_of(ctx.session, ctx.room_id).get(ctx.sender)
    if had is None:
        organisation = set_organisation(
            ctx.session, ctx.room_id, ctx.sender, organisation, ctx.sender, ctx.now
        )
        lines.append(_("It is now your organisation in this room too."))
    else:
        organisation = canonical(ctx.session, ctx.room_id, organisation)
    row = AttendanceRepository(ctx.session).attendee(meeting.id, ctx.sender)
    row.organisation, row.organisation_said = organisation, True
    head = fmt(
        _("{user} is counted present for {organisation}."),
        user=who,
        organisation=bold(organisation),
    )
    return Reply.of(head, *lines)


@command(
    "apologies",
    usage='<@user…> | "<organisation>"',
    help=N_("Record apologies for the meeting: of members, or of an organisation."),
    aliases=("excuses", "entschuldigt"),
    parse=parse_apologies,
)
async def record_apologies(ctx: CommandContext, args: ApologiesArgs) -> Reply:
    """An excused absence; the minutes list it unless the member (or organisation) came."""
    meeting = _running(ctx)
    _ = ctx._
    repo = AttendanceRepository(ctx.session)
    users = args.users
    if args.organisation is not None:
        users = _member_named(ctx, args.organisation)
    if args.organisation is not None and not users:
        organisation = canonical(ctx.session, ctx.room_id, args.organisation)
        repo.add_apology(
            meeting.id,
            user_id=None,
            display_name=None,
            organisation=organisation,
            given_by=ctx.sender,
            event_id=ctx.event_id,
            now=ctx.now,
        )
        return Reply.of(fmt(_("Apologies recorded for {name}."), name=bold(organisation)))
    names = []
    for user_id in users:
        name = display_name(ctx.session, ctx.room_id, user_id)
        repo.add_apology(
            meeting.id,
            user_id=user_id,
            display_name=name if name != user_id else None,
            organisation=None,
            given_by=ctx.sender,
            event_id=ctx.event_id,
            now=ctx.now,
        )
        names.append(name)
    return Reply.of(fmt(_("Apologies recorded for {name}."), name=join_list(names, _)))


def _member_named(ctx: CommandContext, name: str) -> tuple[str, ...]:
    """The member a typed name means (their display name, and no organisation bears it)."""
    key = organisation_key(name)
    if key in {organisation_key(o) for o in known_organisations(ctx.session, ctx.room_id)}:
        return ()
    named = [
        user_id
        for user_id, shown in MemberRepository(ctx.session).display_names(ctx.room_id).items()
        if organisation_key(shown) == key
    ]
    return tuple(named) if len(named) == 1 else ()


# --- Quorum -----------------------------------------------------------------------------------


@command(
    "quorum",
    usage="[<n> organisations | <n> members | <p>% | off]",
    help=N_("Show the quorum (during a meeting: present against required), or set it (chairs)."),
    parse=parse_quorum,
)
async def set_quorum(ctx: CommandContext, args: QuorumArgs | None) -> Reply:
    """Set or clear the room's quorum (chairs), or show it."""
    _ = ctx._
    rules = QuorumRepository(ctx.session)
    lines: list = []
    if args is not None:
        if not ctx.is_chair:
            raise UsageError(
                N_("Only chairs may change the quorum; anyone may see it with !quorum.")
            )
        if args.kind is None:
            rules.clear(ctx.room_id)
            return Reply.of(_("Quorum off: meetings in this room need none."))
        rules.set(ctx.room_id, args.kind, args.value, ctx.sender, ctx.now)
        lines.append(
            fmt(_("Quorum set: {rule}."), rule=bold(describe_rule(args.kind, args.value, _)))
        )
    else:
        rule = rules.get(ctx.room_id)
        if rule is None:
            return Reply.of(
                _("No quorum is set in this room."),
                fmt(
                    _("Chairs set one with {command}."),
                    command=code(f"{ctx.prefix}quorum <n> organisations|<n> members|<p>%"),
                ),
            )
        lines.append(
            fmt(
                _("Quorum: {rule}."), rule=bold(describe_rule(QuorumKind(rule.kind), rule.value, _))
            )
        )
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    if meeting is not None:
        attendance = present(ctx.session, meeting)
        state = quorum(ctx.session, ctx.room_id, attendance)
        if state is not None:
            lines.append(describe_state(state, _))
            organisations = attendance.organisations
            if organisations:
                lines.append(
                    fmt(
                        _("Organisations present: {names}."),
                        names=join_list(list(organisations), _),
                    )
                )
    return Reply.of(*lines)
