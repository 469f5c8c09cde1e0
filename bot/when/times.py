"""Times and amounts of time as written: clock times and ranges (15h, 3pm, halb 3, 14-16h),
amounts and durations (90 min, 1h30, zwei Stunden), recurrences (every 2 weeks, monthly)."""

import re

from bot.when.words import AFTER, BEFORE, NUM, PART, RECUR, UNIT, _get

_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}


def _num(word: str) -> float:
    """Value of a number written in digits (1,5 or 1.5) or in words."""
    return float(word.replace(",", ".")) if word[0].isdigit() else _get(NUM, word)


def _days(n: float, word: str) -> float:
    """French and German count both ends: "dans 8 jours", "in 8 Tagen" are a week, "tous les
    15 jours" two weeks."""
    both_ends = (word.startswith("jour") and n in (8, 15)) or (word.startswith("tag") and n == 8)
    return n - 1 if both_ends else n


def _amount(m: re.Match, p: str) -> tuple[float, str]:
    """(count, unit) of an amount like '1h30', '90 min', 'zwei Stunden', 'une heure et demie'."""
    if m.group(p + "hh"):
        return int(m.group(p + "hh")) * 60 + int(m.group(p + "mm")), "minute"
    n = _num(m.group(p + "n")) + (0.5 if m.group(p + "half") else 0)
    return _days(n, m.group(p + "u")), UNIT[m.group(p + "u")]


def _duration(m: re.Match) -> tuple[float, str] | None:
    """Amount of a duration ("for 2h", "2 Stunden lang"); None if not a meeting's length."""
    n, unit = _amount(m, "d" if m.group("dn") or m.group("dhh") else "e")
    return (n, unit) if n > 0 and unit in ("minute", "hour", "day", "week") else None


def _marked(m: re.Match, p: str) -> bool:
    """Whether a clock time is unmistakably a time (14:00, 15h, 3pm, 15 Uhr, midi, halb 3)."""
    keys = ("noon", "midnight", "mark", "mer", "before", "after")
    return any(m.group(p + k) for k in keys) or m.group(p + "sep") == ":"


def _clock(m: re.Match, p: str, part: str | None = None, mer: str | None = None):
    """(hour, minute) of a clock match, applying am/pm, part of day and the afternoon rule."""
    offset = _get(BEFORE, m.group(p + "before")) or _get(AFTER, m.group(p + "after")) or 0
    if m.group(p + "noon") or m.group(p + "midnight"):
        h, mi = (12 if m.group(p + "noon") else 0), offset
    else:
        raw = m.group(p + "h")
        h, mi = int(_num(raw)), int(m.group(p + "m") or m.group(p + "m2") or 0) + offset
        mer, part = m.group(p + "mer") or mer, _get(PART, m.group(p + "part"), part)
        if mer:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if mer == "p" else 0)
        elif (part == "pm" and h < 12) or (part is None and 1 <= h <= 6 and raw[0] != "0"):
            h += 12
    if h > 23:
        return None
    return divmod((h * 60 + mi) % (24 * 60), 60)  # "halb drei" is 3:00 less 30 minutes


def _bare_time(m: re.Match):
    """A digits-only hour after "at/à/um" ("Réunion à deux" is not 14:00); else None."""
    return _clock(m, "t") if m.group("intro") and m.group("th").isdigit() else None


def _range(m: re.Match, part: str | None = None):
    """Start and end (hour, minute) of '14-16h', '2-4pm', 'de 14h à 16h'; None if not a range."""
    word_sep = m.group("rsep").strip()
    # "le 3 à 15h" is "the 3rd at 3 pm", not 3 to 15; "3 to 5pm" and "14 bis 16 Uhr" are ranges
    if not (m.group("from") or _marked(m, "a") or word_sep in ("-", "") or _marked(m, "b")):
        return None
    if word_sep == "a" and not (m.group("from") or _marked(m, "a")):
        return None
    end = _clock(m, "b", part)
    inherit = m.group("bmer") if not (m.group("amer") or m.group("amark")) else None
    start = _clock(m, "a", part, inherit)
    if inherit and start and end and start > end:  # "11-1pm" starts at 11 am
        start = _clock(m, "a", part, "a")
    return (start, end) if start and end else None


def _rrule(m: re.Match) -> str | None:
    """RRULE value of a recurrence match; None for intervals a meeting can't have."""
    if "adj" in m.re.groupindex:
        return "FREQ=" + RECUR[m.group("adj")]
    if m.group("wdevery"):
        return "FREQ=WEEKLY"
    word = m.group("u") or m.group("au")
    if m.group("au"):
        n = _num(m.group("an"))  # "une semaine sur deux"
    else:
        n = 2 if m.group("other") else _num(m.group("n") or "1")
    n, unit = _days(n, word), UNIT[word]
    if unit == "day" and n % 7 == 0:
        unit, n = "week", n // 7
    if unit not in _FREQ or n != int(n) or n < 1:
        return None
    return f"FREQ={_FREQ[unit]}" + (f";INTERVAL={int(n)}" if n != 1 else "")
