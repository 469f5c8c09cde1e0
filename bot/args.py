"""Argument pieces every feature reads the same way: numbers as the bot shows them (`3`, `#3`),
and time phrases that cannot be used, turned into the sentence a member reads."""

from __future__ import annotations

from bot.i18n import N_
from bot.parsing import UsageError
from bot.when import HORIZON, WhenError

MAX_ID_DIGITS = 9
MAX_ECHO = 100  # characters of a member's phrase quoted back in an error


def parse_number(token: str, not_a_number: str) -> int:
    """A positive number as the bot shows it, `3` or `#3`; else `not_a_number` (with {value}).

    ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and "٣"."""
    value = token.removeprefix("#")
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS or int(value) == 0:
        raise UsageError(not_a_number, value=token[:20])
    return int(value)


def echo(phrase: str) -> str:
    """A member's phrase as quoted back in an error: cut if long."""
    return phrase if len(phrase) <= MAX_ECHO else phrase[: MAX_ECHO - 1].rstrip() + "…"


def when_error(error: WhenError) -> UsageError:
    """Why a meeting time, closing time or due date phrase cannot be used, as a usage error."""
    phrase = echo(error.phrase)
    if error.reason == "no_time":
        return UsageError(N_("“{phrase}” has no time of day; add one, e.g. 14:00."), phrase=phrase)
    if error.reason == "invalid_date":
        return UsageError(N_("“{phrase}” is not a date that exists."), phrase=phrase)
    if error.reason == "out_of_range":
        return UsageError(
            N_("“{phrase}” is too far away: give a time within the next {years} years."),
            phrase=phrase,
            years=HORIZON.years,
        )
    return UsageError(
        N_("I could not read a date and time in “{phrase}”; try e.g. “next Tuesday 14:00”."),
        phrase=phrase,
    )
