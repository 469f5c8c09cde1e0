"""Erasure on request: `!forget me` says what will be erased in this room and asks for
`!forget me confirm` within 10 minutes; the confirmation erases it (storage/confidential.py)
and says what was removed, counted. Nobody can ask it for someone else, chairs included.

Chatham House meetings (`!startmeeting <title> --chatham`) and `--unattributed` minutes are
commands/minutes.py's and commands/minutes_export.py's, with their rules in bot/confidential.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.args import echo
from bot.dispatch import CommandContext, Defaults
from bot.features import at_start, command
from bot.i18n import N_, Translate
from bot.parsing import UsageError, split_args
from bot.replies import Reply, bold, code, fmt
from storage.confidential import ConfidentialRepository, Forgotten
from storage.confidential_models import NOBODY
from storage.log import LogRepository

CONFIRM_WITHIN = timedelta(minutes=10)
ME = {"me", "moi", "mich"}
CONFIRM = {"confirm", "confirmer", "bestätigen"}


@dataclass(frozen=True)
class ForgetArgs:
    """`!forget me` (the first step) or `!forget me confirm`."""

    confirm: bool


def parse_forget(raw: str) -> ForgetArgs:
    """`me` or `me confirm`; anyone else is refused: only a member can ask for their own."""
    words = split_args(raw)
    if not words:
        raise UsageError(N_("Say “forget me” to have what you said in this room erased."))
    if words[0].lower() not in ME:
        raise UsageError(
            N_(
                "Nobody can have someone else's words erased, not even a chair: only {who} "
                "can ask for it, with “forget me”."
            ),
            who=echo(words[0]),
        )
    if len(words) == 1:
        return ForgetArgs(confirm=False)
    if len(words) == 2 and words[1].lower() in CONFIRM:
        return ForgetArgs(confirm=True)
    raise UsageError(N_("Confirm with “forget me confirm”, nothing else."))


@command(
    "forget",
    usage="me [confirm]",
    help=N_("Erase what you said and did in this room (asks to confirm within 10 minutes)."),
    aliases=("oublier", "vergessen"),
    parse=parse_forget,
)
async def forget_me(ctx: CommandContext, args: ForgetArgs) -> Reply:
    """The first step explains and waits; the confirmation, within 10 minutes, erases."""
    _ = ctx._
    repo = ConfidentialRepository(ctx.session)
    confirm = code(f"{ctx.prefix}forget me confirm")
    if not args.confirm:
        repo.ask(ctx.room_id, ctx.sender, ctx.now)
        return Reply.of(
            bold(_("This erases, for good, what you said and did in this room:")),
            _("• your messages in meetings' logs, and every command of yours the bot logged;"),
            _(
                "• the items you recorded in minutes: they will read “(removed at the author's "
                "request)”;"
            ),
            _(
                "• your organisation, your answers to meeting invitations, your attendance and "
                "apologies;"
            ),
            _(
                "• your votes in open polls (withdrawn); in closed ones the count stays, without "
                "your name;"
            ),
            _(
                "• your name on action items you created or were given (their text stays) and on "
                "decisions (their text stays)."
            ),
            _(
                "Approved minutes stay approved and say they were amended after approval. Your "
                "messages in the room itself stay: redact them in your client."
            ),
            fmt(_("To go ahead, type {command} within 10 minutes."), command=confirm),
        )
    asked = repo.asked_at(ctx.room_id, ctx.sender)
    if asked is None:
        raise UsageError(
            N_("Nothing to confirm: first type {command} to see what would be erased."),
            command=f"{ctx.prefix}forget me",
        )
    if ctx.now - asked > CONFIRM_WITHIN:
        raise UsageError(
            N_("Your request is more than 10 minutes old: type {command} again."),
            command=f"{ctx.prefix}forget me",
        )
    forgotten = repo.forget(ctx.room_id, ctx.sender, ctx.now)
    # The dispatcher logs this command once it succeeds: a row without a sender, made here,
    # is the one it completes (LogRepository.append), so the log does not name them again.
    LogRepository(ctx.session).append(
        event_id=ctx.event_id,
        room_id=ctx.room_id,
        sender=NOBODY,
        ts=ctx.now,
        kind="command",  # as bot/dispatch.py logs commands
        payload={},
    )
    return Reply.of(*removed_lines(forgotten, _))


def removed_lines(forgotten: Forgotten, _: Translate) -> list:
    """What the confirmation says: each kind of thing removed, counted."""
    if forgotten.total == 0:
        return [_("Nothing of yours was kept in this room: there was nothing to erase.")]
    counted = (
        (
            forgotten.messages,
            _.ngettext(
                "{count} message or command removed from the log.",
                "{count} messages or commands removed from the log.",
                forgotten.messages,
            ),
        ),
        (
            forgotten.items,
            _.ngettext(
                "{count} item of the minutes now reads “(removed at the author's request)”.",
                "{count} items of the minutes now read “(removed at the author's request)”.",
                forgotten.items,
            ),
        ),
        (
            forgotten.actions_created,
            _.ngettext(
                "{count} action item no longer names you as its creator.",
                "{count} action items no longer name you as their creator.",
                forgotten.actions_created,
            ),
        ),
        (
            forgotten.assignments,
            _.ngettext(
                "You are no longer assigned {count} action item: a chair may give it to "
                "someone else.",
                "You are no longer assigned {count} action items: a chair may give them to "
                "someone else.",
                forgotten.assignments,
            ),
        ),
        (
            forgotten.notes,
            _.ngettext(
                "{count} note on an action item deleted.",
                "{count} notes on action items deleted.",
                forgotten.notes,
            ),
        ),
        (
            forgotten.rsvps,
            _.ngettext(
                "{count} answer to a meeting invitation deleted.",
                "{count} answers to meeting invitations deleted.",
                forgotten.rsvps,
            ),
        ),
        (
            forgotten.attendance,
            _.ngettext(
                "The attendance of {count} meeting no longer names you.",
                "The attendance of {count} meetings no longer names you.",
                forgotten.attendance,
            ),
        ),
        (
            forgotten.apologies,
            _.ngettext(
                "{count} apology deleted.", "{count} apologies deleted.", forgotten.apologies
            ),
        ),
        (
            forgotten.open_votes,
            _.ngettext(
                "Your vote in {count} open poll is withdrawn.",
                "Your votes in {count} open polls are withdrawn.",
                forgotten.open_votes,
            ),
        ),
        (
            forgotten.counted_votes,
            _.ngettext(
                "Your vote in {count} closed poll stays counted, without your name.",
                "Your votes in {count} closed polls stay counted, without your name.",
                forgotten.counted_votes,
            ),
        ),
        (
            forgotten.decisions,
            _.ngettext(
                "{count} decision of the register no longer names you as its author.",
                "{count} decisions of the register no longer name you as their author.",
                forgotten.decisions,
            ),
        ),
        (
            forgotten.objections,
            _.ngettext(
                "{count} objection to a written procedure deleted.",
                "{count} objections to written procedures deleted.",
                forgotten.objections,
            ),
        ),
    )
    lines: list = [bold(_("Erased in this room:"))]
    lines += [text.format(count=count) for count, text in counted if count]
    if forgotten.organisation:
        lines.append(_("Your organisation in this room is forgotten."))
    if forgotten.approved:
        lines.append(
            _.ngettext(
                "The approved minutes of {count} meeting say they were amended after approval.",
                "The approved minutes of {count} meetings say they were amended after approval.",
                len(forgotten.approved),
            ).format(count=len(forgotten.approved))
        )
    return lines


@at_start
def drop_stale_requests(session: Session, settings: Defaults, now: datetime) -> None:
    """Requests never confirmed in time name who asked: they go at every start."""
    ConfidentialRepository(session).drop_stale(now - CONFIRM_WITHIN)
