"""parse_when: cut the known pieces out of a phrase, then combine them preferring the future
(the conventions are in bot/when/__init__.py)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.relativedelta import weekday as rd_weekday

from bot.when.grammar import _patterns
from bot.when.iso import _iso_ok, _iso_zone
from bot.when.scan import _REACH, _Scan
from bot.when.times import _amount, _bare_time, _clock, _duration, _marked, _range, _rrule
from bot.when.words import (
    _LANGS,
    DAY,
    EN_HUIT,
    MONTH,
    NTH,
    ORD,
    PART,
    WEEKDAY,
    _fold,
    _get,
    _vocab,
)
from bot.when.zones import _zone_of, _zone_ok

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How far ahead a phrase may reach: further is a typing slip, and would overflow the calendar
# (datetime ends with the year 9999) once reminders or a duration are added.
HORIZON = relativedelta(years=100)


@dataclass(frozen=True)
class When:
    """What a phrase means: aware start (and end) in the zone, RRULE value, leftover title, the
    IANA zone the phrase named if any ("10:00 London time"), and the date or time parts it said
    but that were not used (a second time, a weekday that disagrees with the date)."""

    start: datetime
    end: datetime | None
    recurrence: str | None
    title: str | None
    zone: str | None = None
    ignored: tuple[str, ...] = ()


class WhenError(ValueError):
    """No usable start time; `.reason`: "unparsed", "no_time", "invalid_date", "out_of_range"."""

    def __init__(self, phrase: str, reason: str = "unparsed"):
        super().__init__(f"{reason}: {phrase!r}")
        self.phrase, self.reason = phrase, reason


def _at(day: date, hm: tuple[int, int], zone: ZoneInfo) -> datetime:
    """Local wall time on a day, DST-correct (a time skipped in spring moves forward)."""
    local = datetime(day.year, day.month, day.day, hm[0], hm[1], tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone)


def _later(start: datetime, amount: tuple[float, str]) -> datetime:
    """start plus an amount of real elapsed time (or calendar months/years)."""
    n, unit = amount
    if unit in ("month", "year"):
        return start + relativedelta(**{unit + "s": int(n)})
    return (start.astimezone(UTC) + timedelta(**{unit + "s": n})).astimezone(start.tzinfo)


def _month_date(m: re.Match) -> tuple[int, int, int | None]:
    """(month, day, year or None) of a date with a month name: 3 December, the first of May."""
    day = m.group("d") or m.group("d2")
    day = int(day) if day else _get(ORD, m.group("dw") or m.group("dw2"))
    year = m.group("y") or m.group("y2")
    return MONTH[m.group("mon") or m.group("mon2")] + 1, day, int(year) if year else None


def _numeric(m: re.Match) -> tuple:
    """(month, day, year or None) of 10/12/2026, 10.12., 2026-12-10 (and of an ISO time)."""
    if "isy" in m.re.groupindex:
        return int(m.group("ism")), int(m.group("isd")), int(m.group("isy"))
    g, y = m.group, m.group("iy") or m.group("y")
    y = (int(y) + (2000 if len(y) == 2 else 0)) if y else None
    return int(g("im") or g("mo")), int(g("id") or g("d")), y


def _dom_day(m: re.Match) -> int:
    """Day of month of "le 3", "am 3.", "the 30th"."""
    return int(m.group("d") or m.group("d2"))


def _dates(mdy: tuple, today: date):
    """Dates a (month, day, year) can mean from today on (all if the year is given)."""
    mo, dd, year = mdy
    if year:
        months = [(year, mo)]
    elif mo:  # 29 February may wait for a leap year
        months = [(y, mo) for y in range(today.year, today.year + 9)]
    else:  # "le 3": this month's 3rd if still ahead, else the next month that has the day
        months = [divmod(today.year * 12 + today.month - 1 + k, 12) for k in range(4)]
        months = [(y, m + 1) for y, m in months]
    for y, m in months:
        try:
            day = date(y, m, dd)
        except ValueError:
            continue
        if year or day >= today:
            yield day


def _on_date(mdy: tuple, hm: tuple[int, int], zone: ZoneInfo, now: datetime) -> datetime:
    """Start on a (month, day, year) date; missing parts are filled with the next occurrence."""
    starts = [_at(day, hm, zone) for day in _dates(mdy, now.date())]  # callers checked: not []
    return next((start for start in starts if mdy[2] or start >= now), starts[-1])


def _weekday(name: str, lang: str) -> int:
    """Index (Monday is 0) of a weekday name, or of an abbreviation in the room language."""
    return WEEKDAY[name] if name in WEEKDAY else _vocab("wd_abbr", (lang,))[name]


def _on_nth(m: re.Match, lang: str, hm, zone: ZoneInfo, now: datetime) -> tuple[datetime, str]:
    """Next "first Monday of the month" (or 2nd.., last) at hm, with its RRULE."""
    n, target = _get(NTH, m.group("nth")), _weekday(m.group("wd"), lang)
    for k in range(3):
        y, mo = divmod(now.year * 12 + now.month - 1 + k, 12)
        shift = relativedelta(day=1 if n > 0 else 31, weekday=rd_weekday(target)(n))
        start = _at(date(y, mo + 1, 1) + shift, hm, zone)
        if start >= now:
            break
    return start, f"FREQ=MONTHLY;BYDAY={n}{_BYDAY[target]}"


def _anchored(m: re.Match, lang: str, now: datetime) -> date | datetime:
    """The day of "a week from Monday", "heute in einer Woche", "lundi en huit"; the moment of
    "2 hours from now". A weekday counted from is the coming one (today on that weekday)."""
    p = "f" if m.group("ffrom") else "g"
    n, unit = (_get(EN_HUIT, m.group("gen")), "day") if m.group("gen") else _amount(m, p)
    if m.group(p + "anow"):
        moment = _later(now, (n, unit))
        return moment if unit in ("minute", "hour") else moment.date()
    today = now.date()
    if m.group(p + "aday"):
        base = today + timedelta(days=_get(DAY, m.group(p + "aday")))
    else:
        ahead = (_weekday(m.group(p + "awd"), lang) - today.weekday()) % 7
        base = today + timedelta(days=ahead or (7 if m.group("fnext") else 0))
    if unit in ("month", "year"):
        return base + relativedelta(**{unit + "s": int(n)})
    return base + timedelta(**{unit + "s": n})


def _anchor_ok(m: re.Match) -> bool:
    """An amount counted from a day is days or more ("2 hours from Monday" is no day)."""
    if m.group("gen"):
        return True
    p = "f" if m.group("ffrom") else "g"
    n, unit = _amount(m, p)
    if n <= 0 or (unit in ("month", "year") and n != int(n)):
        return False
    return bool(m.group(p + "anow")) or unit not in ("minute", "hour")


def _agrees(day: date, p: "_Pieces", lang: str, now: datetime) -> bool:
    """Whether a date fits the day counted from, relative offset, day word or weekday given."""
    if p.anc:
        anchored = _anchored(p.anc, lang, now)
        return day == (anchored.date() if isinstance(anchored, datetime) else anchored)
    if p.rel or p.day:
        return day == _base_day(p.rel, p.day, p.wd, lang, now)[0]
    return not p.wd or day.weekday() == _weekday(p.wd.group("wd"), lang)


def _base_day(rel, day, wd, lang: str, now: datetime) -> tuple[date, int]:
    """Day named by a relative offset, day word or weekday, and how far to roll if past."""
    today, target = now.date(), _weekday(wd.group("wd"), lang) if wd else None
    if rel:
        base = _later(now, _amount(rel, "r")).date()
        if target is not None:  # "in zwei Wochen am Montag": the Monday nearest that day
            ahead = (target - base.weekday()) % 7
            base += timedelta(days=ahead if ahead <= 3 else ahead - 7)
        return base, 0
    if day:
        return today + timedelta(days=_get(DAY, day.group("day"), 0)), 0
    if target is None:
        return today, 1  # a time alone: today if still ahead, else tomorrow
    ahead = (target - today.weekday()) % 7
    if wd.group("nw") or wd.group("nw2"):  # that day of next (Monday-based) week
        return today + timedelta(days=7 - today.weekday() + target), 0
    if wd.group("next") or wd.group("post"):  # "next Tuesday": the coming one, never today
        return today + timedelta(days=ahead or 7), 0
    if wd.group("next2"):  # "übernächsten Montag": a week after the coming one
        return today + timedelta(days=(ahead or 7) + 7), 0
    if wd.group("last") or wd.group("post_last"):  # "last Monday": the latest one, never today
        return today - timedelta(days=(7 - ahead) % 7 or 7), 0
    return today + timedelta(days=ahead), 7


@dataclass
class _Pieces:
    """The matches found in a phrase, one per kind (None when absent)."""

    iso: re.Match | None = None  # 2026-12-03T15:00+01:00
    nth: re.Match | None = None  # first Monday of the month
    rec: re.Match | None = None  # every 2 weeks, monthly
    anc: re.Match | None = None  # a week from Monday, heute in einer Woche, lundi en huit
    rel: re.Match | None = None  # in 2 hours, dans 3 jours
    dur: re.Match | None = None  # for 90 min, pendant 2h
    wd: re.Match | None = None  # next Tuesday, dienstags
    day: re.Match | None = None  # tomorrow, ce soir
    ndate: re.Match | None = None  # 10/12/2026, 3.12.
    mdate: re.Match | None = None  # 3 December, am 3. Dezember, le premier décembre
    dom: re.Match | None = None  # le 3, the 30th
    rng: re.Match | None = None  # 14:00-16:00, de 14h à 16h
    tm: re.Match | None = None  # 15h, 3pm, um 10
    zone: re.Match | None = None  # UTC, CET, London time, heure de Paris, Europe/Berlin


def _read(scan: _Scan, rx: dict, lang: str, now: datetime) -> _Pieces:
    """Cut the pieces out of the phrase, most specific first so none eats another's words."""
    p = _Pieces(iso=scan.take(rx["iso"], _iso_ok))
    p.nth = scan.take(rx["nth"])
    # "every day" before "daily": in "Daily standup every day at 9" the title keeps "Daily"
    p.rec = scan.take(rx["recur"], lambda m: _rrule(m) is not None) or scan.take(rx["recur_adj"])

    def counted_from(m: re.Match) -> bool:
        """ "a week from Monday"; but "for 3 days from Monday" is a duration from Monday."""
        before = rx["for_end"].search(scan.work, max(0, m.start() - _REACH), m.start())
        return _anchor_ok(m) and not before

    p.anc = scan.take(rx["anc"], counted_from)
    p.rel = scan.take(rx["rel"])
    p.dur = scan.take(rx["dur"], lambda m: _duration(m) is not None)
    p.wd = scan.take(rx["weekday"])
    # "hier" is French for yesterday but German for here: here if another day is named
    # ("Treffen hier morgen um 10"); German rooms never read it as a day.
    sure = rx["sure_day"].search(scan.work)
    p.day = scan.take(rx["sure_day"] if sure and sure.group("day") else rx["day"])

    def plausible(mdy: tuple) -> bool:
        """A yearless "12/3", "4th" or "second March" is a date only if shaped like one and
        fitting the day we have: "resolution 52/7", "resolution 12/3 tomorrow", "4th report on
        Monday", "the second March for Science tomorrow" are not; "31/11" is (and is reported
        as invalid)."""
        if not (1 <= mdy[1] <= 31 and (mdy[0] is None or 1 <= mdy[0] <= 12)):
            return False
        first = next(_dates(mdy, now.date()), None)
        return first is None or _agrees(first, p, lang, now)

    def numeric_date(m: re.Match) -> bool:
        """10/12/2026 and 2026-12-10 always; 3/12 and 3.12. if plausible; 15.30 is a time."""
        if m.group("iy") or m.group("y"):
            return True
        return bool(m.group("dot") or m.group("s") == "/") and plausible(_numeric(m))

    def month_date(m: re.Match) -> bool:
        """3 December always; "the first of December" (a day in words) if plausible."""
        words = m.group("dw") or m.group("dw2")
        return not words or bool(m.group("y") or m.group("y2")) or plausible(_month_date(m))

    if not p.iso:
        p.ndate = scan.take(rx["numdate"], numeric_date)
        p.mdate = None if p.ndate else scan.take(rx["monthdate"], month_date)
        if not (p.ndate or p.mdate):
            p.dom = scan.take(rx["dom"], lambda m: plausible((None, _dom_day(m), None)))
        p.rng = scan.take(rx["range"], lambda m: _range(m) is not None)
        if not p.rng:  # a clear time (15h, 3pm) first; then a bare "um 10" / "at 3" in digits
            p.tm = scan.take(rx["time"], lambda m: _marked(m, "t") and _clock(m, "t") is not None)
            p.tm = p.tm or scan.take(rx["time"], lambda m: _bare_time(m) is not None)
    times = [m for m in (p.iso, p.rng, p.tm) if m]
    p.zone = scan.take(rx["zone"], lambda m: _zone_ok(m, scan, times))
    return p


def _leftovers(scan: _Scan, rx: dict) -> list[re.Match]:
    """Date and time parts still there once the phrase is read (a second time, date, weekday,
    day word or zone): reported as ignored, never left in the title."""
    found = scan.take_all(rx["iso"], _iso_ok)
    found += scan.take_all(rx["numdate"], lambda m: bool(m.group("iy") or m.group("y")))
    found += scan.take_all(rx["monthdate"], lambda m: bool(m.group("d") or m.group("d2")))
    found += scan.take_all(rx["range"], lambda m: _range(m) is not None)
    found += scan.take_all(rx["time"], lambda m: _marked(m, "t") and _clock(m, "t") is not None)
    found += scan.take_all(rx["weekday"])
    found += scan.take_all(rx["sure_day"])
    return found + scan.take_all(rx["zone"], lambda m: _zone_ok(m, scan, []))


def _unused(p: _Pieces, source: str, start: datetime, hm, mdy, lang: str, now: datetime) -> list:
    """Pieces read but not used because another chose the day or time, and which disagree
    with it: "tomorrow" beside "3 December", "Friday" beside "tomorrow", "at 15:00" beside
    "in 2 hours", a duration beside a range, a zone beside an ISO offset."""
    day, today, unused = start.date(), now.date(), []

    def check(m: re.Match | None, fits) -> None:
        if m is not None and not fits():
            unused.append(m)

    def day_fits() -> bool:
        return day == today + timedelta(days=_get(DAY, p.day.group("day"), 0))

    def wd_fits() -> bool:
        return day.weekday() == _weekday(p.wd.group("wd"), lang)

    def rel_fits() -> bool:
        return day == _later(now, _amount(p.rel, "r")).date()

    def date_fits() -> bool:
        month, dom, year = mdy
        return day.day == dom and month in (None, day.month) and year in (None, day.year)

    if source == "moment":  # "in 2 hours": the time is now's
        check(p.tm or p.rng, lambda: hm is None or hm[0] == (start.hour, start.minute))
        check(p.day, day_fits)
        check(p.wd, wd_fits)
        if p.anc:
            check(p.rel, rel_fits)
    elif source == "base":  # an offset beats a day word, a day word beats a weekday
        if p.rel:
            check(p.day, day_fits)
        elif p.day:
            check(p.wd, wd_fits)
    else:  # a date, a day counted from, or "first Monday of the month" chose the day
        check(p.day, day_fits)
        check(p.wd, wd_fits)
        check(p.rel, rel_fits)
        if source != "anc":
            check(p.anc, lambda: _agrees(day, _Pieces(anc=p.anc), lang, now))
        if source == "nth" and mdy:
            check(p.iso or p.ndate or p.mdate or p.dom, date_fits)
    if p.rng and p.dur:
        unused.append(p.dur)
    if p.iso and p.zone and _iso_zone(p.iso):
        unused.append(p.zone)
    return unused


def parse_when(
    text: str,
    *,
    lang: str = "en",
    tz: str | ZoneInfo = "Europe/Luxembourg",
    now: datetime | None = None,
) -> When:
    """Read a meeting-time phrase; raise WhenError when no start time can be understood."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    lang = lang[:2].lower() if lang[:2].lower() in _LANGS else "en"  # "FR", "de-LU" are fine
    try:
        if now is None:
            now = datetime.now(zone)
        now = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
        when = _understand(text, lang, zone, now)
        if max(when.start, when.end or when.start) > now + HORIZON:
            raise WhenError(text, "out_of_range")
        return when
    except WhenError:
        raise
    except (OverflowError, ValueError):  # "in 9000 years": past the end of the calendar
        raise WhenError(text, "out_of_range") from None


def _understand(text: str, lang: str, zone: ZoneInfo, now: datetime) -> When:
    """What parse_when does once its arguments are checked; may overflow the calendar."""
    rx = _patterns(lang)
    scan = _Scan(text, rx["conn"])
    p = _read(scan, rx, lang, now)
    if not any(vars(p).values()):
        raise WhenError(text, "unparsed")

    # A zone said ("10:00 UTC", "15h heure de Paris", an ISO offset): days are the room's,
    # the wall time is that zone's; the result is shown in the room's zone.
    said = (_iso_zone(p.iso) if p.iso else None) or (_zone_of(p.zone) if p.zone else None)
    at, zone_name = (said[0] or zone, said[1]) if said else (zone, None)
    zone_name = None if zone_name == getattr(zone, "key", None) else zone_name

    if p.iso or p.ndate:
        mdy = _numeric(p.iso or p.ndate)
    elif p.mdate:
        mdy = _month_date(p.mdate)
    else:
        mdy = (None, _dom_day(p.dom), None) if p.dom else None
    if mdy and next(_dates(mdy, now.date()), None) is None:
        raise WhenError(text, "invalid_date")
    recurrence = _rrule(p.rec) if p.rec else None
    if not recurrence and p.wd and p.wd.group("pl"):  # "dienstags", "tous les mardis"
        recurrence = "FREQ=WEEKLY"
    part = None
    # "tonight" is a day and a part of day; German "morgen" (tomorrow) is no morning
    tonight = p.day and _get(DAY, p.day.group("day"), 0) == 0
    for m, key in ((tonight and p.day, "day"), (p.day, "part"), (p.day, "part2"), (p.wd, "part")):
        part = part or (m and _get(PART, m.group(key)))
    if p.iso:
        hm = ((int(p.iso.group("ish")), int(p.iso.group("ismi"))),)
    else:
        hm = _range(p.rng, part) if p.rng else (_clock(p.tm, "t", part),) if p.tm else None

    anchored = _anchored(p.anc, lang, now) if p.anc else None
    moment = anchored if isinstance(anchored, datetime) else None
    if p.rel and not p.anc and _amount(p.rel, "r")[1] in ("minute", "hour"):
        moment = _later(now, _amount(p.rel, "r"))
    if moment is not None and not mdy:
        start, source = moment.replace(second=0, microsecond=0), "moment"
    elif hm is None:
        raise WhenError(text, "no_time")
    elif p.nth:
        (start, recurrence), source = _on_nth(p.nth, lang, hm[0], at, now), "nth"
    elif mdy:
        start, source = _on_date(mdy, hm[0], at, now), "date"
    elif anchored is not None and moment is None:
        start, source = _at(anchored, hm[0], at), "anc"
    else:
        base, roll = _base_day(p.rel, p.day, p.wd, lang, now)
        start, source = _at(base, hm[0], at), "base"
        # future preference: the next such day. A weekday said on that day at this very
        # minute ("Wednesday at 9" on Wednesday at 9:00) is next week's; a time alone said
        # at that minute stays now (the caller refuses it as past).
        if roll and (start < now or (roll == 7 and start == now)):
            start = _at(base + timedelta(days=roll), hm[0], at)
    if p.iso and p.iso.group("iss") and source != "moment":
        start = start.replace(second=int(p.iso.group("iss")))
    end = None
    if p.rng and source != "moment":
        end = _at(start.date(), hm[1], at)
        end = end if end > start else _at(start.date() + timedelta(days=1), hm[1], at)
    elif p.dur:
        end = _later(start, _duration(p.dur))
    ignored = _unused(p, source, start, hm, mdy, lang, now) + _leftovers(scan, rx)
    return When(
        start.astimezone(zone),
        end.astimezone(zone) if end else None,
        recurrence,
        scan.title(rx["edge"]),
        zone_name,
        tuple(scan.said(m) for m in sorted(ignored, key=lambda m: m.start())),
    )


def when_to_json(when: When) -> dict:
    """JSON-ready dict: ISO-8601 start/end with offsets, RRULE value and title; the zone the
    phrase named and the parts it ignored, when there are any."""
    out = {
        "start": when.start.isoformat(),
        "end": when.end.isoformat() if when.end else None,
        "recurrence": when.recurrence,
        "title": when.title,
    }
    if when.zone:
        out["zone"] = when.zone
    if when.ignored:
        out["ignored"] = list(when.ignored)
    return out


def split_length(text: str) -> tuple[str, timedelta | None]:
    """A phrase without the length said at its very end ("… for 2h", "… pendant 1h30",
    "… 2 Stunden lang"), and that length; (text, None) when it ends with none. Read alike in
    every language, in time linear in the phrase's length."""
    work = _fold(text)
    last = None
    for last in _patterns("en")["dur"].finditer(work):  # noqa: B007 (the last one is kept)
        pass
    if last is None or last.end() != len(work.rstrip()):
        return text, None
    amount = _duration(last)
    if amount is None:
        return text, None
    n, unit = amount
    return text[: last.start()].rstrip(" ,"), timedelta(**{unit + "s": n})
