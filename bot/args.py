"""Argument pieces every feature reads the same way: numbers as the bot shows them (`3`, `#3`),
quoted texts, user ids, a `--tz` zone, and time phrases read in the room's language and zone
(those that cannot be used turned into the sentence a member reads)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.dispatch import CommandContext
from bot.format import Clock, show_time
from bot.i18n import N_
from bot.ids import USER_ID
from bot.parsing import QUOTES, UsageError, split_args
from bot.when import HORIZON, When, WhenError, parse_when

MAX_ID_DIGITS = 9
MAX_ECHO = 100  # characters of a member's phrase quoted back in an error
MAX_WORDS = 200  # characters of words not understood quoted back
END_OF_DAY = time(23, 59)  # a due day without a time of day: due until its end
# The quotes members may put around words (QUOTES, which split_args reads), as (opening, closing)
# in the order the bot prefers when it writes a text back in quotes: „…“ last, as its closing
# quote opens another pair.
QUOTE_PAIRS = tuple(
    sorted(
        (
            (opening, closing)
            for opening, closing in QUOTES.items()
            if opening != closing or opening == '"'
        ),
        key=lambda pair: pair[0] == "„",
    )
)
_ZONE_OPTION = re.compile(r"(?:^|\s)--tz(?:=|\s+)(\S+)")
_LINK = re.compile(
    r"(?:(?<=\s)|^)(?:(?:at|à|au|via|on|sur|auf|unter|über|bei|@)\s+)?(https?://\S+)", re.I
)
# Words that put a place at the end: "at the Ministry", "à la Chambre", "im Ministerium".
_PLACE_MARK = re.compile(
    r"(?<!\S)(?:at|à|au|chez|dans la salle|im|bei|beim|in der|in dem|place:|lieu:|ort:)\s+(?=\S)",
    re.I,
)
_REFERENCE_NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
# A time before a meeting: 1d, 2h, 15m, 1h30m, 2w (also j, t, std, mn).
_OFFSET = re.compile(r"(\d{1,5})\s*(std|min|mn|w|d|j|t|h|m)", re.I)
_UNIT_MINUTES = {"w": 7 * 1440, "d": 1440, "j": 1440, "t": 1440, "h": 60, "std": 60}
MAX_OFFSET_MINUTES = 28 * 24 * 60
OFF_WORDS = frozenset({"off", "none", "aucun", "aucune", "keine", "aus"})


def parse_number(token: str, not_a_number: str) -> int:
    """A positive number as the bot shows it, `3` or `#3`; else `not_a_number` (with {value}).

    ASCII digits only: str.isdigit() also accepts "²" (which int() refuses) and "٣"."""
    value = token.removeprefix("#")
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS or int(value) == 0:
        raise UsageError(not_a_number, value=token[:20])
    return int(value)


def parse_one_number(raw: str, missing: str, not_a_number: str) -> int:
    """The one number of a command (`3`, `#3`); `missing` when there is not exactly one word."""
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(missing)
    return parse_number(words[0], not_a_number)


def parse_offset(word: str) -> int:
    """A time before a meeting in minutes, from one word: `1d`, `2h`, `15m`, `1h30m`, `2w`;
    between a minute and four weeks."""
    parts = _OFFSET.findall(word)
    if not parts or "".join(n + u for n, u in parts).lower() != word.lower().replace(" ", ""):
        raise UsageError(
            N_("“{value}” is not a time before the meeting; write e.g. 1d, 2h, 15m or 1h30m."),
            value=word[:20],
        )
    minutes = sum(int(n) * _UNIT_MINUTES.get(u.lower(), 1) for n, u in parts)
    if not 0 < minutes <= MAX_OFFSET_MINUTES:
        raise UsageError(
            N_("“{value}” is out of range: between 1 minute and 4 weeks."), value=word[:20]
        )
    return minutes


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


# --- Quotes, user ids, zones --------------------------------------------------------------


def take_quoted(raw: str) -> tuple[str | None, str]:
    """A leading quoted text (None if there is none, or it is empty) and what follows it."""
    raw = raw.strip()
    if not raw or raw[0] not in QUOTES:
        return None, raw
    end = raw.find(QUOTES[raw[0]], 1)
    if end < 0:
        raise UsageError(N_("A quote is not closed: {text}"), text=raw[:40])
    return raw[1:end].strip() or None, raw[end + 1 :].strip()


def unquote(text: str) -> str:
    """A text without the quotes around it, if it has some."""
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTES and text[-1] == QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def quoted(text: str) -> str:
    """Text in quotes the command parser reads back whole (quotes it does not contain)."""
    for opening, closing in QUOTE_PAIRS:
        if opening not in text and closing not in text:
            return f"{opening}{text}{closing}"
    return f'"{text.replace(chr(34), chr(39))}"'


def parse_user(word: str) -> str:
    """A Matrix user id, @name:server."""
    if not USER_ID.match(word):
        raise UsageError(
            N_("“{value}” is not a Matrix user id; write it like @alice:example.org."),
            value=word[:60],
        )
    return word


def take_zone(raw: str) -> tuple[str, str | None]:
    """Remove a `--tz Zone` option; the zone must exist."""
    match = _ZONE_OPTION.search(raw)
    if match is None:
        return raw, None
    zone = match.group(1)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(N_("{zone} is not a time zone I know."), zone=zone) from None
    return f"{raw[: match.start()]} {raw[match.end() :]}".strip(), zone


def _names_a_place(words: str) -> bool:
    """Whether trailing words are a place: no date or time can be read in them at all."""
    try:
        parse_when(words, lang="en", tz="UTC", now=_REFERENCE_NOW)
    except WhenError as exc:
        return exc.reason == "unparsed"
    return False


def split_place(text: str) -> tuple[str, str | None]:
    """Split `<when> at <place or link>` into the time phrase and the place (or None)."""
    link = _LINK.search(text)
    if link:
        url = link.group(1).rstrip(".,;)")
        return f"{text[: link.start()]} {text[link.end() :]}".strip(" ,"), url
    # The first marker after which no time is said: "at 14:00 at the Ministry" keeps 14:00.
    # What follows a later marker is part of what follows an earlier one, so once a marker is
    # followed by no time neither is any later one: after the first marker (the usual place),
    # a binary search reads the phrase log(markers) times, not once per marker.
    marks = list(_PLACE_MARK.finditer(text))
    low, high = 1, len(marks)
    if marks and _names_a_place(text[marks[0].end() :]):
        low = high = 0
    while low < high:
        middle = (low + high) // 2
        if _names_a_place(text[marks[middle].end() :]):
            high = middle
        else:
            low = middle + 1
    if low >= len(marks):
        return text, None
    return text[: marks[low].start()].strip(" ,"), text[marks[low].end() :].strip(" ,")


# --- Time phrases in the room's language and zone -----------------------------------------


def read_time(
    ctx: CommandContext, phrase: str, zone: str | None = None, *, allow_title: bool = False
) -> When:
    """A time phrase in the room's language and zone (or `zone`); unreadable or past ones
    refused, and words left over too unless `allow_title` (then they are `when.title`)."""
    zone = zone or ctx.timezone
    try:
        when = parse_when(phrase, lang=ctx.language, tz=zone, now=ctx.now)
    except WhenError as exc:
        raise when_error(exc) from None
    if when.title and not allow_title:
        raise UsageError(
            N_("I understood the time but not “{words}”."), words=when.title[:MAX_WORDS]
        )
    if when.start <= ctx.now:
        raise UsageError(
            N_("{when} is in the past."), when=show_time(when.start, zone, ctx.language)
        )
    return when


def _due_when(ctx: CommandContext, phrase: str) -> tuple[When, bool]:
    """The phrase read as a time, and whether a time of day was said (else: end of day)."""
    try:
        return parse_when(phrase, lang=ctx.language, tz=ctx.timezone, now=ctx.now), True
    except WhenError as exc:
        if exc.reason != "no_time":
            raise
    try:
        day_end = f"{phrase} {END_OF_DAY:%H:%M}"
        return parse_when(day_end, lang=ctx.language, tz=ctx.timezone, now=ctx.now), False
    except WhenError as exc:
        raise WhenError(phrase, exc.reason) from None


def read_due(ctx: CommandContext, phrase: str) -> tuple[datetime, bool] | None:
    """A due date from a phrase: (UTC moment, whether a time was said); None if it is none.
    A day without a time means the end of that day: due today stays allowed all day."""
    try:
        when, has_time = _due_when(ctx, phrase)
    except WhenError as exc:
        if exc.reason in ("invalid_date", "out_of_range"):
            raise when_error(exc) from None
        return None
    if when.title or when.recurrence:
        return None
    if has_time:
        past = when.start <= ctx.now
    else:  # due on a day: past only once that day is over
        past = when.start.date() < ctx.now.astimezone(when.start.tzinfo).date()
    if past:
        raise UsageError(
            N_("The due date {when} is in the past."),
            when=f"{Clock(ctx.timezone, ctx.language).day(when.start)}",
        )
    return when.start.astimezone(UTC), has_time
