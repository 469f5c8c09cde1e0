"""Organisations: which organisation each member speaks for in a room, kept across meetings
(`!org me`, `!org set`, `!org clear`, `!orgs`). Attendance and quorum count by them
(bot/attendance.py); names compare without regard to case, as the room first wrote them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.args import parse_user
from bot.attendance import (
    display_name,
    organisation_key,
    read_organisation,
    room_organisations,
    set_organisation,
)
from bot.dispatch import CommandContext
from bot.features import Permission, command
from bot.format import and_more
from bot.i18n import N_
from bot.parsing import UsageError
from bot.replies import Fragment, Reply, bold, code, fmt, mention
from storage.members import MemberRepository
from storage.organisations import OrganisationRepository

LIST_LIMIT = 50  # organisations (and people per line) listed by `!orgs`
SELF_WORDS = ("me", "moi", "mich", "ich")


# --- Pure argument parsers ----------------------------------------------------------------


def parse_organisation(raw: str) -> str:
    """`"<organisation>"` (quotes optional)."""
    return read_organisation(raw)


@dataclass(frozen=True)
class SetArgs:
    user_id: str
    organisation: str


def parse_set(raw: str) -> SetArgs:
    """`<@user> "<organisation>"`."""
    words = raw.split(maxsplit=1)
    if not words:
        raise UsageError(N_('Say who and which organisation, e.g. @alice:example.org "ASTI".'))
    user_id = parse_user(words[0])
    return SetArgs(user_id, read_organisation(words[1] if len(words) > 1 else ""))


def parse_clear(raw: str) -> str | None:
    """`[<@user>]`: whose organisation to clear; None (or `me`) is the sender's own."""
    words = raw.split()
    if not words or (len(words) == 1 and words[0].lower() in SELF_WORDS):
        return None
    if len(words) > 1:
        raise UsageError(N_("Clear one member's organisation at a time."))
    return parse_user(words[0])


def parse_org(raw: str) -> None:
    """`!org` alone lists the organisations; anything else names no known subcommand."""
    if raw.strip():
        raise UsageError(
            N_("Say what to do: {forms}."),
            forms='!org me "<organisation>", !org set <@user> "<organisation>", '
            "!org clear [<@user>], !orgs",
        )


def parse_nothing(raw: str) -> None:
    return None


# --- Commands -------------------------------------------------------------------------------


def _person(ctx: CommandContext, user_id: str) -> Fragment:
    return mention(user_id, display_name(ctx.session, ctx.room_id, user_id))


def _set(ctx: CommandContext, user_id: str, organisation: str) -> Reply:
    name = set_organisation(ctx.session, ctx.room_id, user_id, organisation, ctx.sender, ctx.now)
    return Reply.of(
        fmt(
            ctx._("{user} speaks for {organisation} in this room."),
            user=_person(ctx, user_id),
            organisation=bold(name),
        )
    )


@command(
    "org me",
    usage='"<organisation>"',
    help=N_("Say which organisation you speak for in this room."),
    parse=parse_organisation,
)
async def set_own_organisation(ctx: CommandContext, organisation: str) -> Reply:
    return _set(ctx, ctx.sender, organisation)


@command(
    "org set",
    usage='<@user> "<organisation>"',
    help=N_("Say which organisation a member speaks for (chairs)."),
    permission=Permission.CHAIR,
    parse=parse_set,
)
async def set_organisation_of(ctx: CommandContext, args: SetArgs) -> Reply:
    return _set(ctx, args.user_id, args.organisation)


@command(
    "org clear",
    usage="[<@user>]",
    help=N_("Forget which organisation a member speaks for (yours, or anyone's for chairs)."),
    parse=parse_clear,
)
async def clear_organisation(ctx: CommandContext, user_id: str | None) -> Reply:
    user_id = user_id or ctx.sender
    if user_id != ctx.sender and not ctx.is_chair:
        raise UsageError(N_("Only chairs may clear another member's organisation."))
    repo = OrganisationRepository(ctx.session)
    row = repo.get(ctx.room_id, user_id)
    if row is None:
        raise UsageError(N_("{user} has no organisation in this room."), user=user_id)
    name = row.name
    repo.clear(ctx.room_id, user_id)
    return Reply.of(
        fmt(
            ctx._("{user} no longer speaks for {organisation} in this room."),
            user=_person(ctx, user_id),
            organisation=bold(name),
        )
    )


def _names(ctx: CommandContext, user_ids: list[str]) -> str:
    names = MemberRepository(ctx.session).display_names(ctx.room_id)
    shown = sorted((names.get(u) or u for u in user_ids), key=organisation_key)
    text = ", ".join(shown[:LIST_LIMIT])
    if len(shown) > LIST_LIMIT:
        text += " " + and_more(len(shown) - LIST_LIMIT, ctx._)
    return text


@command(
    "orgs",
    help=N_("List the room's members by organisation, then those without one."),
    aliases=("org list", "organisations", "organisationen"),
    parse=parse_nothing,
)
async def list_organisations(ctx: CommandContext, _args: None) -> Reply:
    """Members grouped by organisation (in the order the room named them), then the rest."""
    _ = ctx._
    groups = room_organisations(ctx.session, ctx.room_id)
    counted = {user_id for _name, members in groups for user_id in members}
    joined = [m.user_id for m in MemberRepository(ctx.session).joined(ctx.room_id)]
    without = [u for u in joined if u not in counted]
    if not groups:
        lines: list = [_("No member has said which organisation they speak for.")]
    else:
        lines = [bold(_("Organisations in this room"))]
        for name, members in groups[:LIST_LIMIT]:
            lines.append(
                fmt(
                    _("{organisation}: {people}"),
                    organisation=bold(name),
                    people=_names(ctx, members),
                )
            )
        if len(groups) > LIST_LIMIT:
            lines.append(and_more(len(groups) - LIST_LIMIT, _))
    if without:
        lines.append(fmt(_("Without organisation: {people}"), people=_names(ctx, without)))
    lines.append(
        fmt(_("Say yours with {command}."), command=code(f'{ctx.prefix}org me "<organisation>"'))
    )
    return Reply.of(*lines)


@command(
    "org",
    help=N_("List the room's members by organisation (as !orgs)."),
    parse=parse_org,
)
async def organisations_overview(ctx: CommandContext, _args: None) -> Reply:
    return await list_organisations.handler(ctx, None)
