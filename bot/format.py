"""How the bot says times, spans, durations, repetitions, people and lists, in a room's language
and zone (Babel's data): one place for every feature, the chat and the minutes alike."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_timedelta

from bot.i18n import N_, Translate
from bot.ids import USER_ID
from bot.replies import Fragment, clean, mention
from bot.replies import text as plain

BABEL_LOCALES = {"en": "en_GB", "fr": "fr", "de": "de"}


def babel_locale(language: str) -> str:
    """The Babel locale of a room language (British English: day before month, 24-hour)."""
    return BABEL_LOCALES.get(language, "en_GB")


# --- Times and spans ----------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Shows moments in one zone and language; `several_days` adds the day to a time of day."""

    zone: str
    language: str
    several_days: bool = False

    def day(self, moment: datetime) -> str:
        """ "Tue, 24 Nov 2026"."""
        return format_skeleton(
            "yMMMEd", moment, tzinfo=ZoneInfo(self.zone), locale=babel_locale(self.language)
        )

    def hours(self, moment: datetime) -> str:
        """ "14:00"."""
        return format_skeleton(
            "Hm", moment, tzinfo=ZoneInfo(self.zone), locale=babel_locale(self.language)
        )

    def time(self, moment: datetime) -> str:
        """A time of day (with the day when `several_days`), as a meeting's log shows it."""
        # A meeting's log has thousands of lines and a few hundred distinct minutes.
        minute = int(moment.timestamp()) // 60
        return _clock_time(self.zone, self.language, self.several_days, minute)

    def span(self, start: datetime, end: datetime | None) -> str:
        """ "Tue, 24 Nov 2026, 14:00–15:00 (Europe/Luxembourg)"; the zone is said once."""
        hm = self.hours(start)
        if end is None:
            return f"{self.day(start)}, {hm} ({self.zone})"
        if self._date(start) != self._date(end):
            return f"{self.day(start)}, {hm} – {self.day(end)}, {self.hours(end)} ({self.zone})"
        return f"{self.day(start)}, {hm}–{self.hours(end)} ({self.zone})"

    def iso(self, moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return moment.astimezone(ZoneInfo(self.zone)).isoformat(timespec="seconds")

    def _date(self, moment: datetime):
        return moment.astimezone(ZoneInfo(self.zone)).date()


@lru_cache(maxsize=4096)
def _clock_time(zone: str, language: str, several_days: bool, minute: int) -> str:
    tz, locale = ZoneInfo(zone), babel_locale(language)
    moment = datetime.fromtimestamp(minute * 60, tz)
    hm = format_skeleton("Hm", moment, tzinfo=tz, locale=locale)
    if several_days:
        return f"{format_skeleton('MMMd', moment, tzinfo=tz, locale=locale)} {hm}"
    return hm


def show_time(moment: datetime, zone: str, language: str) -> str:
    """A date and time with its zone: "Tue, 24 Nov 2026, 14:00 (Europe/Luxembourg)"."""
    return Clock(zone, language).span(moment, None)


def show_span(start: datetime, end: datetime, zone: str, language: str) -> str:
    """Start to end with the zone; the day is said once when both are on the same day, else
    each end is a whole time with its zone."""
    clock = Clock(zone, language)
    if clock._date(start) != clock._date(end):
        return f"{show_time(start, zone, language)} – {show_time(end, zone, language)}"
    return clock.span(start, end)


# --- Durations ----------------------------------------------------------------------------

_WEEKS_TO_MINUTES = (7 * 1440, 1440, 60, 1)
_HOURS_AND_MINUTES = (60, 1)


def _in_words(minutes: int, sizes: tuple[int, ...], language: str) -> str:
    locale, parts = babel_locale(language), []
    for size in sizes:
        count, minutes = divmod(minutes, size)
        if count:
            delta = timedelta(minutes=count * size)
            parts.append(format_timedelta(delta, threshold=1, locale=locale, format="long"))
    return " ".join(parts)


def show_minutes(minutes: int, language: str) -> str:
    """A time before something in words, weeks to minutes: "1 day", "1 hour 30 minutes"."""
    return _in_words(minutes, _WEEKS_TO_MINUTES, language)


def show_duration(duration: timedelta, language: str) -> str:
    """A length in hours and minutes: "1 hour 25 minutes" (seconds when under a minute)."""
    minutes = round(duration.total_seconds() / 60)
    if minutes < 1:
        seconds = timedelta(seconds=max(0, int(duration.total_seconds())))
        return format_timedelta(seconds, threshold=1, locale=babel_locale(language), format="long")
    return _in_words(minutes, _HOURS_AND_MINUTES, language)


# --- Repetitions --------------------------------------------------------------------------

_ORDINALS = {
    1: N_("first"),
    2: N_("second"),
    3: N_("third"),
    4: N_("fourth"),
    -1: N_("last"),
}
_BYDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_MONTHLY_BYDAY = re.compile(r"^(-?\d)(MO|TU|WE|TH|FR|SA|SU)$")


def describe_recurrence(rrule: str, first: datetime, zone: str, _: Translate, language: str) -> str:
    """An RRULE in words ("every 2 weeks on Tuesday"); the rule itself if it is unusual."""
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1"))
    byday = parts.pop("BYDAY", None)
    local = first.astimezone(ZoneInfo(zone))
    weekday = format_date(local.date(), "EEEE", locale=babel_locale(language))
    if parts:
        return rrule
    if freq == "DAILY" and not byday:
        return _.ngettext("every day", "every {n} days", interval).format(n=interval)
    if freq == "WEEKLY" and not byday:
        return _.ngettext(
            "every week on {weekday}", "every {n} weeks on {weekday}", interval
        ).format(n=interval, weekday=weekday)
    if freq == "MONTHLY" and byday and _MONTHLY_BYDAY.match(byday):
        nth, day = _MONTHLY_BYDAY.match(byday).groups()
        if int(nth) in _ORDINALS and interval == 1:
            day_name = format_date(
                local.date() + timedelta(days=(_BYDAY[day] - local.weekday()) % 7),
                "EEEE",
                locale=babel_locale(language),
            )
            return _("on the {nth} {weekday} of every month").format(
                nth=_(_ORDINALS[int(nth)]), weekday=day_name
            )
        return rrule
    if freq == "MONTHLY" and not byday:
        return _.ngettext("every month", "every {n} months", interval).format(n=interval)
    if freq == "YEARLY" and not byday:
        return _.ngettext("every year", "every {n} years", interval).format(n=interval)
    return rrule


# --- People and lists ---------------------------------------------------------------------


def people(names) -> list[str | Fragment]:
    """People separated by commas: Matrix user ids as mentions, other names as they are."""
    parts: list[str | Fragment] = []
    for name in names:
        if parts:
            parts.append(", ")
        parts.append(mention(name) if USER_ID.match(name) else name)
    return parts


def joined(names) -> Fragment:
    """People as one fragment (for a {placeholder}): user ids as mentions, names as text."""
    parts = [p if isinstance(p, Fragment) else plain(p) for p in people(names)]
    return Fragment("".join(p.plain for p in parts), "".join(p.html for p in parts))


def piece(parts) -> Fragment:
    """Parts of a line as one fragment (for a {placeholder}), strings cleaned and escaped as
    `Reply.of` does with a line's parts."""
    plain_parts, rich_parts = [], []
    for part in parts:
        if not isinstance(part, Fragment):
            value = clean(part)
            part = Fragment(value, html.escape(value, quote=False))
        plain_parts.append(part.plain)
        rich_parts.append(part.html)
    return Fragment("".join(plain_parts), "".join(rich_parts))


def user_ids(names) -> list[str]:
    """The names that are Matrix user ids (those a message mentions)."""
    return [name for name in names if USER_ID.match(name)]


def join_list(words: list[str], _: Translate) -> str:
    """ "a, b and c" in the room's language."""
    if len(words) <= 1:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def and_more(count: int, _: Translate) -> str:
    """The line after a cut list: "… and 3 more."."""
    return _.ngettext("… and {count} more.", "… and {count} more.", count).format(count=count)


def undecrypted(count: int, _: Translate) -> str:
    """How many messages of a meeting the bot could not decrypt."""
    return _.ngettext(
        "{count} message could not be decrypted.",
        "{count} messages could not be decrypted.",
        count,
    ).format(count=count)
