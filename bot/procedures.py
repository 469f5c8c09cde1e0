"""What the written procedures share (the minutes' circulation in commands/minutes_approval.py,
texts under `!silence` in commands/silence.py): a text read from a command, the `--until <when>`
option and the deadline it gives (7 days when not said; never in the past)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.args import read_time, unquote
from bot.dispatch import CommandContext
from bot.i18n import N_
from bot.parsing import QUOTES, UsageError

MAX_TEXT = 2000
DEFAULT_DEADLINE = timedelta(days=7)
NO_DEADLINE = N_("Give the deadline after --until, e.g. --until next Friday 17:00.")
# `--until`, also as phones and word processors write it (an em or en dash).
_UNTIL = re.compile(r"(?:^|\s)(?:--|—|–)until(?=\s|$)", re.I)


def read_text(raw: str, missing: str, limit: int = MAX_TEXT) -> str:
    """A text on one line without quotes around it; `missing` if empty, refused if too long."""
    text = " ".join(unquote(raw).split())
    if not text:
        raise UsageError(missing)
    if len(text) > limit:
        raise UsageError(N_("The text is too long (at most {limit} characters)."), limit=limit)
    return text


def until_option(rest: str) -> str | None:
    """The time phrase of a `--until <when>` that is all of `rest`; None if `rest` is empty."""
    rest = rest.strip()
    if not rest:
        return None
    option, _space, phrase = rest.partition(" ")
    if _UNTIL.fullmatch(option) is None or not phrase.strip():
        raise UsageError(NO_DEADLINE)
    return phrase.strip()


def split_until(raw: str) -> tuple[str, str | None]:
    """`<text> [--until <when>]`: the text before the last `--until`, and its time phrase (a
    quoted text may hold the words `--until` itself)."""
    start = len(raw) - len(raw.lstrip())
    if raw[start : start + 1] in QUOTES:
        closing = raw.find(QUOTES[raw[start]], start + 1)
        start = closing if closing > 0 else start
    found = list(_UNTIL.finditer(raw, start))
    if not found:
        return raw, None
    last = found[-1]
    phrase = raw[last.end() :].strip()
    if not phrase:
        raise UsageError(NO_DEADLINE)
    return raw[: last.start()], phrase


def deadline(ctx: CommandContext, phrase: str | None) -> datetime:
    """The deadline a `--until` phrase gives (in 7 days without one); past ones are refused."""
    return ctx.now + DEFAULT_DEADLINE if phrase is None else read_time(ctx, phrase).start
