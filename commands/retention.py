"""Retention: how long the bot keeps a room's log. `!retention <duration>|off` (chairs), the
room's m.room.retention state (read by bot/sync.py) and `[storage] max_retention` (a ceiling
for every room): the shortest is in force. A daily round, run at every start too, deletes the
log entries older than that; minutes keep their topics, items, decisions, actions and
attendance, and their log says where lines were removed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.config import parse_duration
from bot.dispatch import CommandContext, Defaults
from bot.features import Permission, Timer, at_start, command
from bot.i18n import N_
from bot.parsing import UsageError, split_args
from bot.replies import Reply, ToRoom, code, fmt
from bot.retention import describe, purge, purge_all, room_in_force, show_retention
from storage.models_after import RetentionRound
from storage.retention import RetentionRepository, RetentionRounds

MIN_RETENTION = timedelta(days=1)
MAX_RETENTION = timedelta(days=100 * 365)
ROUND_EVERY = timedelta(days=1)
OFF_WORDS = {"off", "aus", "non", "none", "no", "désactivé", "nein"}
# What the parser returns for "off"; None is "show".
OFF = timedelta(0)


def parse_retention(raw: str) -> timedelta | None:
    """`<duration>` (e.g. 30d, 6 months, 1y), `off`, or nothing to show what is in force."""
    words = split_args(raw)
    if not words:
        return None
    if len(words) == 1 and words[0].lower() in OFF_WORDS:
        return OFF
    try:
        duration = parse_duration(" ".join(words))
    except ValueError:
        raise UsageError(
            N_("Give how long to keep the log, e.g. 30d, 6 months or 1y, or off.")
        ) from None
    if not MIN_RETENTION <= duration <= MAX_RETENTION:
        raise UsageError(N_("Choose a retention between 1 day and 100 years."))
    return duration


def _ceiling(ctx: CommandContext) -> timedelta | None:
    return ctx.defaults.max_retention if ctx.defaults else None


@command(
    "retention",
    usage="[<duration>|off]",
    help=N_("Delete this room's log older than that, every day (chairs); or show it."),
    permission=Permission.CHAIR,
    parse=parse_retention,
)
async def set_retention(ctx: CommandContext, duration: timedelta | None) -> Reply:
    """Set (or turn off) the room's own retention; old log entries go at once."""
    _ = ctx._
    lines = []
    if duration is not None:
        seconds = None if duration == OFF else int(duration.total_seconds())
        RetentionRepository(ctx.session).set_room_retention(ctx.room_id, seconds)
        if seconds is None:
            lines.append(_("This room's own retention is off."))
        else:
            shown = show_retention(duration, ctx.language)
            lines.append(_("This room keeps its log for {duration}.").format(duration=shown))
    ceiling = _ceiling(ctx)
    force = room_in_force(ctx.session, ctx.room_id, ceiling)
    lines.append(describe(force, _, ctx.language, ctx.prefix))
    if force.duration is not None:
        purged = purge(ctx.session, ctx.room_id, ceiling, ctx.now)
        lines.append(
            _.ngettext(
                "{count} message older than that was deleted now; "
                "the minutes keep their topics, items, decisions and actions.",
                "{count} messages older than that were deleted now; "
                "the minutes keep their topics, items, decisions and actions.",
                purged.entries,
            ).format(count=purged.entries)
        )
        lines.append(_("Older messages are deleted every day."))
    if duration is None:
        lines.append(
            fmt(_("Chairs change it with {command}."), command=code(f"{ctx.prefix}retention 30d"))
        )
    return Reply.of(*lines)


def run_round(
    session: Session, row: RetentionRound, now: datetime, late: bool, settings: Defaults
) -> list[ToRoom]:
    """The daily round: every room's old log entries deleted, the next round planned."""
    purge_all(session, settings.max_retention, now)
    RetentionRounds(session).plan(now + ROUND_EVERY)
    return []


# One pending row: the next round (job `retention:<id>`).
ROUNDS = Timer("retention", RetentionRounds, run_round)


@at_start
def round_at_start(session: Session, settings: Defaults, now: datetime) -> None:
    """A round at every start (the bot may have been down for days), then daily."""
    rounds = RetentionRounds(session)
    rounds.cancel_pending()
    rounds.plan(now)
