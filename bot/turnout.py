"""Who has not answered yet, and reminding them before the close: what polls and find-a-time
share. "Not voted yet" names the room's joined members (storage/members.py, the bot excluded)
who have no counted answer: only who, never how, so it is said for secret polls too.

`--remind <duration>` reads the same everywhere: a length of time (`1d`, `2h`, `30m`, `1h30m`,
`2 hours`, `1 jour`, `2 Stunden`) that needs a closing time (`--closes`) and must be shorter
than the time left until it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.format import joined, show_duration, show_minutes
from bot.i18n import N_, Translate
from bot.parsing import UsageError
from bot.replies import Fragment, fmt
from storage.members import MemberRepository

# --- Who has not voted ----------------------------------------------------------------------


def not_voted(session: Session, room_id: str, voters: Iterable[str]) -> list[str]:
    """The room's joined members (the bot excluded) without a counted answer, by user id."""
    answered = set(voters)
    return sorted(
        m.user_id for m in MemberRepository(session).joined(room_id) if m.user_id not in answered
    )


def members_known(session: Session, room_id: str) -> bool:
    """Whether the sync has noted the room's members yet: without them, who has not voted is
    not known (say nothing rather than "everyone has voted")."""
    return bool(MemberRepository(session).joined(room_id))


def not_voted_line(names: Sequence[str], _: Translate, *, final: bool = False) -> str | Fragment:
    """ "Not voted yet: @a, @b" (as pills; the message decides whom it notifies), or "Everyone
    has voted."; once closed (`final`), "Did not vote: …" or "Everyone voted."."""
    if not names:
        return _("Everyone voted.") if final else _("Everyone has voted.")
    template = _("Did not vote: {people}") if final else _("Not voted yet: {people}")
    return fmt(template, people=joined(names))


# --- --remind <duration> ------------------------------------------------------------------

REMIND_OPTION = "--remind"
MAX_REMIND = timedelta(days=365)
_PART = re.compile(r"\s*(\d{1,5})\s*([^\W\d_]+)\s*")
_UNIT_MINUTES = {
    **dict.fromkeys(("m", "mn", "min", "mins", "minute", "minutes", "minuten"), 1),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), 60),
    **dict.fromkeys(("std", "stunde", "stunden"), 60),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours", "t", "tag", "tage", "tagen"), 1440),
    **dict.fromkeys(("w", "wk", "week", "weeks", "sem", "semaine", "semaines"), 10080),
    **dict.fromkeys(("woche", "wochen"), 10080),
}
NOT_A_LENGTH = N_("“{value}” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m.")


def parse_remind(phrase: str) -> timedelta:
    """How long before the close to remind: `1d`, `2h 30m`, `1h30m`, `2 hours`, `1 jour`…"""
    phrase = phrase.strip()
    if not phrase:
        raise UsageError(N_("Say how long before the closing time to remind, e.g. --remind 1d."))
    minutes, position = 0, 0
    while position < len(phrase):
        part = _PART.match(phrase, position)
        unit = _UNIT_MINUTES.get(part.group(2).lower()) if part else None
        if part is None or unit is None:
            raise UsageError(NOT_A_LENGTH, value=phrase[:40])
        minutes += int(part.group(1)) * unit
        position = part.end()
    remind = timedelta(minutes=minutes)
    if not timedelta(minutes=1) <= remind <= MAX_REMIND:
        raise UsageError(
            N_("“{value}” is out of range: between 1 minute and 52 weeks."), value=phrase[:40]
        )
    return remind


def require_closes(remind: object | None, closes: object | None) -> None:
    """`--remind` without `--closes` is refused: there is no time to remind before."""
    if remind is not None and closes is None:
        raise UsageError(
            N_(
                "--remind needs a closing time: add --closes <when>, "
                "e.g. --closes Friday 18:00 --remind 1d."
            )
        )


def remind_at(remind: timedelta, closes_at: datetime, now: datetime, language: str) -> datetime:
    """When to remind: `remind` before `closes_at`, which must still be ahead of `now`."""
    left = closes_at - now
    if remind >= left:
        raise UsageError(
            N_(
                "--remind {remind} is not shorter than the time left until the close "
                "({left}); give a shorter one."
            ),
            remind=length(remind, language),
            left=length(left, language),
        )
    return closes_at - remind


def length(delta: timedelta, language: str) -> str:
    """A length of time in words, weeks to minutes ("1 day 2 hours"); seconds under a minute."""
    minutes = int(delta.total_seconds() // 60)
    return show_minutes(minutes, language) if minutes >= 1 else show_duration(delta, language)
