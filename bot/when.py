"""Understand meeting times typed in English, French, German (and some Luxembourgish).

How a phrase is read: fold the text (lower case, no accents, one character per character so
every match maps back onto the original), cut out the pieces we know with regexes built from
the word tables below (recurrence, relative offset, duration, weekday, dates, time range, day
word, clock time), let dateparser read dates written with a month name, then combine the
pieces preferring the future. What is left over is the title.

Conventions:
- "Tuesday" / "ce mardi" / "diesen Dienstag": the next Tuesday, today included if the time is
  still ahead. "next Tuesday" / "mardi prochain" / "prochain mardi" / "nächsten" or "kommenden
  Dienstag": the coming Tuesday, never today (said on a Tuesday: in 7 days). "Tuesday next
  week" / "Dienstag nächste Woche": the Tuesday of next (Monday-based) week; "übernächsten
  Dienstag": a week after the coming one. "last Monday" / "lundi dernier" / "letzten Montag":
  the latest Monday before today; "yesterday" / "hier" / "gestern" are past days. Past days are
  kept: the caller refuses them. "hier" is "here" in a German room, and wherever another day
  is named ("Treffen hier morgen um 10").
- A date without a year is its next occurrence, "le 3" / "am 3." / "the 3rd" the next 3rd of a
  month; a time alone is today if still ahead, else tomorrow. An explicit day ("today 9:00" at
  10:00, "10/12/2020") is kept even if past: the caller may warn.
- Numeric dates are day-first (10/12/2026 is 10 December); 10/13/2026 is invalid, not swapped.
  A date with a month name or a year beats a disagreeing weekday; a yearless "12/3" or "4th"
  that disagrees with the weekday or day word given is a reference number ("resolution 12/3
  tomorrow") and stays in the title, as does one that can't be a date ("resolution 52/7").
- Hours 1-6 written without am/pm or a part of day are afternoon ("um 3 Uhr" is 15:00): nobody
  meets at 3 a.m.; write 03:00 for that. Parts of day apply: "ce soir à 8h" is 20:00. A bare
  hour needs digits and "at/à/um" ("at 3"); "Réunion à deux" is no time.
- Full weekday and month names are read in every language; weekday abbreviations ("Tue",
  "mar.", "Di.") only in the room language and only before a dot or a number.
- French "8/15 jours" means one/two weeks. "first Monday of the month" is
  FREQ=MONTHLY;BYDAY=1MO. A range ending before it starts ends the next day.
- DST: a duration is real elapsed time (2 h across a change still lasts 2 h); a recurrence
  keeps the local wall time; a time skipped in spring moves forward (02:30 -> 03:30), a time
  that occurs twice in autumn is the first (summer time) one.
- WhenError.reason: "unparsed" (nothing readable), "no_time" (a date or other piece but no time
  of day, e.g. "3 December", "tomorrow morning"), "invalid_date" (32/13/2026, 31 novembre) or
  "out_of_range" (more than HORIZON ahead, or past the calendar's end: "in 9000 years").
- Any text gives a When or a WhenError, in time linear in its length: no regex backtracks over
  the whole phrase, and words before or after a piece are looked for only _REACH characters away.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser import DateDataParser
from dateparser.languages.loader import default_loader
from dateutil.relativedelta import relativedelta
from dateutil.relativedelta import weekday as rd_weekday

# One place per language: key -> "word|other word", or {value: "word|other word"}. Words are
# written naturally and folded (lower case, no accents) when the regexes are built. Every
# language is read whatever the room language is; weekday/month names come from dateparser.
# fmt: off
_LANGS: dict[str, dict] = {
    "en": {
        "num": {1: "a|an|one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 15: "fifteen",
                20: "twenty", 30: "thirty", 45: "forty-five", 90: "ninety", 0.5: "half an|half a"},
        "unit": {"minute": "minute|minutes|min|mins", "hour": "hour|hours|hr|hrs|h",
                 "day": "day|days", "week": "week|weeks|wk", "month": "month|months",
                 "year": "year|years"},
        "half": "and a half", "approx": "about|approx.|approximately|roughly",
        "day": {0: "today|tonight", 1: "tomorrow|tmrw|tmw",
                2: "the day after tomorrow|day after tomorrow", -1: "yesterday",
                -2: "the day before yesterday|day before yesterday"},
        "part": {"am": "morning", "pm": "afternoon|evening|night|tonight"},
        "this": "this", "this_wd": "this", "next": "next|this coming|coming", "last": "last",
        "next_week": "next week",
        "every": "every|each|once a|once per", "other": "other|second",
        "nth": {1: "first|1st", 2: "second|2nd", 3: "third|3rd", 4: "fourth|4th", -1: "last"},
        "of_month": "of the month|of each month|of every month|every month|each month",
        "recur": {"DAILY": "daily", "WEEKLY": "weekly", "WEEKLY;INTERVAL=2": "fortnightly",
                  "MONTHLY": "monthly", "MONTHLY;INTERVAL=3": "quarterly",
                  "YEARLY": "yearly|annually"},
        "for": "for|during|lasting", "in": "in|within", "from": "from|between",
        "to": "to|till|until|and", "at": "at|around|@", "hour_mark": "o'clock|h",
        "before": {15: "quarter past|a quarter past", 30: "half past", -15: "quarter to|a quarter to"},
        "noon": "noon|midday", "midnight": "midnight", "part_prep": "in the",
        "conn": "at|on|the|from|starting|around|by|@",
        "wd_abbr": {0: "mon", 1: "tue|tues", 2: "wed", 3: "thu|thur|thurs", 4: "fri", 5: "sat",
                    6: "sun"},
    },
    "fr": {
        "num": {1: "un|une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept",
                8: "huit", 9: "neuf", 10: "dix", 11: "onze", 12: "douze", 15: "quinze",
                20: "vingt", 30: "trente", 45: "quarante-cinq", 0.5: "une demi|demi"},
        "unit": {"minute": "minute|minutes|min|mn", "hour": "heure|heures|h",
                 "day": "jour|jours", "week": "semaine|semaines", "month": "mois",
                 "year": "an|ans|année|années"},
        "half": "et demie|et demi", "approx": "environ|à peu près",
        "day": {0: "aujourd'hui", 1: "demain", 2: "après-demain|après demain", -1: "hier",
                -2: "avant-hier|avant hier"},
        "part": {"am": "matin|matinée", "pm": "après-midi|aprem|soir|soirée"},
        "this": "ce|cet|cette", "this_wd": "ce", "next": "prochain|prochaine",
        "post_next": "prochain|prochaine|qui vient", "post_last": "dernier|passé",
        "next_week": "de la semaine prochaine|la semaine prochaine|semaine prochaine",
        "every": "chaque|tous les|toutes les|une fois par", "alt": "sur",
        "nth": {1: "premier|premiers|1er", 2: "deuxième|deuxièmes|second|2e|2ème",
                3: "troisième|troisièmes|3e|3ème", 4: "quatrième|quatrièmes|4e|4ème",
                -1: "dernier|derniers"},
        "of_month": "du mois|de chaque mois|de tous les mois",
        "recur": {"DAILY": "quotidien|quotidienne", "WEEKLY": "hebdomadaire|hebdo",
                  "MONTHLY": "mensuel|mensuelle", "MONTHLY;INTERVAL=3": "trimestriel|trimestrielle",
                  "YEARLY": "annuel|annuelle"},
        "for": "pendant|durant|d'une durée de|durée", "in": "dans|d'ici", "from": "de|entre",
        "to": "à|et|jusqu'à", "at": "à|vers|dès", "hour_mark": "heures|heure|h",
        "after": {15: "et quart", 30: "et demie|et demi", -15: "moins le quart|moins quart"},
        "noon": "midi", "midnight": "minuit", "part_prep": "du|de l'|de la", "dom": "le",
        "conn": "à|au|le|la|l'|de|du|vers|dès|à partir de|à partir du|pour",
        "wd_abbr": {0: "lun", 1: "mar", 2: "mer", 3: "jeu", 4: "ven", 5: "sam", 6: "dim"},
    },
    "de": {
        "num": {1: "ein|eine|einer|einem|einen|eins", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf",
                6: "sechs", 7: "sieben", 8: "acht", 9: "neun", 10: "zehn", 11: "elf", 12: "zwölf",
                14: "vierzehn", 15: "fünfzehn", 20: "zwanzig", 30: "dreißig|dreissig",
                90: "neunzig", 0.5: "eine halbe|einer halben|halbe", 1.5: "anderthalb|eineinhalb"},
        "unit": {"minute": "minute|minuten|min", "hour": "stunde|stunden|std|h",
                 "day": "tag|tage|tagen", "week": "woche|wochen", "month": "monat|monate|monaten",
                 "year": "jahr|jahre|jahren"},
        "approx": "ca.|circa|etwa|ungefähr|rund",
        "day": {0: "heute", 1: "morgen", 2: "übermorgen", -1: "gestern", -2: "vorgestern"},
        "part": {"am": "morgen|früh|vormittag|morgens|vormittags",
                 "pm": "nachmittag|nachmittags|abend|abends|mittags"},
        "this_wd": "diesen|dieser|diese",
        "next": "nächsten|nächster|nächste|kommenden|kommender|kommende",
        "after_next": "übernächsten|übernächster|übernächste",
        "last": "letzten|letzter|vergangenen|vergangener|vorigen|voriger",
        "next_week": "nächste woche|nächster woche|kommende woche|in der nächsten woche",
        "every": "jeden|jede|jedes|alle|einmal pro|einmal im|einmal in der",
        "other": "zweite|zweiten",
        "nth": {1: "erste|ersten|erster|1.", 2: "zweite|zweiten|2.", 3: "dritte|dritten|3.",
                4: "vierte|vierten|4.", -1: "letzte|letzten"},
        "of_month": "im monat|des monats|jeden monats|eines monats",
        "recur": {"DAILY": "täglich", "WEEKLY": "wöchentlich",
                  "WEEKLY;INTERVAL=2": "zweiwöchentlich|vierzehntägig|vierzehntäglich",
                  "MONTHLY": "monatlich", "MONTHLY;INTERVAL=3": "vierteljährlich|quartalsweise",
                  "YEARLY": "jährlich"},
        "for": "für|während|dauer", "for_after": "lang", "in": "in", "from": "von|zwischen|ab",
        "to": "bis|und", "at": "um|gegen|ab", "hour_mark": "uhr",
        "before": {-30: "halb", 15: "viertel nach", -15: "viertel vor|dreiviertel"},
        "noon": "mittag|mittags", "midnight": "mitternacht", "dom": "am|den",
        "conn": "um|am|ab|an|gegen|den|der|vom|zum|zu|ab dem",
        "wd_abbr": {0: "mo", 1: "di", 2: "mi", 3: "do", 4: "fr", 5: "sa", 6: "so"},
    },
    # Luxembourgish: a few words of our own, the rest from dateparser's data. Not "haut"
    # (today): it would misread the French "Haut-Commissariat".
    "lb": {
        "unit": {"minute": "minutt|minutten", "hour": "stonn|stonnen", "day": "dag|deeg",
                 "week": "woch|wochen", "month": "mount|méint", "year": "joer"},
        "day": {1: "muer", 2: "iwwermuer", -1: "gëschter", -2: "virgëschter"},
        "part": {"am": "moies", "pm": "mëttes|nomëttes|owes|owend"},
        "for": "fir", "at": "um", "hour_mark": "auer", "dom": "den", "conn": "um|den|de",
    },
}
# fmt: on
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august")
_MONTHS += ("september", "october", "november", "december")
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_FOLD = str.maketrans("’‘´`–—‐‑", "''''----")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
# Day words that are ordinary words in a room language: German "hier" is "here", not "hier"
# (yesterday) as in French.
_FALSE_FRIENDS = {"de": {"hier"}}
# How far ahead a phrase may reach: further is a typing slip, and would overflow the calendar
# (datetime ends with the year 9999) once reminders or a duration are added.
HORIZON = relativedelta(years=100)


@dataclass(frozen=True)
class When:
    """What a phrase means: aware start (and end) in the zone, RRULE value, leftover title."""

    start: datetime
    end: datetime | None
    recurrence: str | None
    title: str | None


class WhenError(ValueError):
    """No usable start time; `.reason`: "unparsed", "no_time", "invalid_date", "out_of_range"."""

    def __init__(self, phrase: str, reason: str = "unparsed"):
        super().__init__(f"{reason}: {phrase!r}")
        self.phrase, self.reason = phrase, reason


def _fold(text: str) -> str:
    """Lower-case, strip accents, unify quotes and dashes, keeping one char per char."""
    return "".join(unicodedata.normalize("NFKD", c)[0].lower()[0] for c in text).translate(_FOLD)


def _vocab(key: str, langs=tuple(_LANGS)) -> dict:
    """One table key merged over languages: folded word -> value (True for plain lists)."""
    out = {}
    for lang in langs:
        entry = _LANGS[lang].get(key, "")
        for value, words in entry.items() if isinstance(entry, dict) else [(True, entry)]:
            for word in filter(None, words.split("|")):
                out.setdefault(_fold(word), value)
                # people without a German keyboard write ae/oe/ue for ä/ö/ü
                out.setdefault(_fold(word.translate(_UMLAUT)), value)
    return out


def _dp_names(keys: tuple, short: bool) -> dict:
    """Weekday or month names from dateparser's language data: folded name -> index."""
    out = {}
    for lang in _LANGS:
        info = default_loader.get_locale(lang).info
        for i, key in enumerate(keys):
            names = info[key] if short else [max(info[key], key=len)]
            out.update({_fold(n): i for n in names if len(n) >= 3})
    return out


NUM, UNIT, PART, DAY = (_vocab(k) for k in ("num", "unit", "part", "day"))
RECUR, BEFORE, AFTER, NTH = (_vocab(k) for k in ("recur", "before", "after", "nth"))
WEEKDAY, MONTH = _dp_names(_WEEKDAYS, short=False), _dp_names(_MONTHS, short=True)


def _alt(words) -> str:
    """Regex alternation of folded words, longest first; never matches if there are none."""
    pats = [r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True)]
    return "(?:" + "|".join(pats) + ")" if pats else "(?!)"


@lru_cache(maxsize=8)
def _patterns(lang: str) -> dict:
    """Compiled regexes for a room language (only abbreviations depend on it)."""
    keys = "num unit half approx part this this_wd next after_next post_next next_week every"
    keys += " recur for for_after in from to at hour_mark before after noon midnight part_prep"
    keys += " last post_last other alt dom conn nth of_month"
    v = {k: _alt(_vocab(k)) for k in keys.split()}
    v["day"] = _alt(w for w in DAY if w not in _FALSE_FRIENDS.get(lang, ()))
    v["sure_day"] = _alt(w for w in DAY if not any(w in f for f in _FALSE_FRIENDS.values()))
    v["hour"] = _alt(w for w, n in NUM.items() if n == int(n) and 1 <= n <= 24 and len(w) > 2)
    v["wd"] = _alt(WEEKDAY) + "|" + _alt(_vocab("wd_abbr", (lang,))) + r"(?=\.|\s*\d)"
    v["month"] = _alt(MONTH)
    v["month_first"] = _alt(n for n in MONTH if len(n) > 3 or lang == "en")

    def amount(p):
        return (
            rf"(?<!\w)(?:(?P<{p}hh>\d{{1,2}})\s*h\s*(?P<{p}mm>[0-5]\d)(?:\s*(?:min|mn))?"
            rf"|(?P<{p}n>\d+(?:[.,]\d+)?|{v['num']})[\s-]*(?P<{p}u>{v['unit']})"
            rf"(?P<{p}half>\s+{v['half']})?)(?!\w)"
        )

    def clock(p):
        return (
            rf"(?:(?<![\w-])(?P<{p}noon>{v['noon']})|(?P<{p}midnight>{v['midnight']})"
            rf"|(?:(?P<{p}before>{v['before']})\s+)?(?<![\w.:/])(?P<{p}h>\d{{1,2}}|{v['hour']})"
            rf"(?:(?P<{p}sep>[:.])(?P<{p}m>[0-5]\d))?"
            rf"(?:\s*(?P<{p}mark>{v['hour_mark']})(?:\s*(?P<{p}m2>[0-5]\d))?"
            rf"|\s*(?P<{p}mer>[ap])\.?m\.?(?!\s+(?:{v['wd']}|{v['next']}|\d)))?)"
            rf"(?:\s+(?P<{p}after>{v['after']}))?"
            rf"(?:\s+(?:{v['part_prep']}\s+)?(?!{v['day']}(?!\w))(?P<{p}part>{v['part']}))?"
            rf"(?!\w)"
        )

    def day(words):
        return (
            rf"(?<!\w)(?:(?P<day>{words})(?:\s+(?P<part>{v['part']}))?"
            rf"|(?P<this>{v['this']})\s+(?P<part2>{v['part']}))(?!\w)"
        )

    rx = {
        "nth": (
            rf"(?<!\w)(?:{v['every']}\s+)?(?P<nth>{v['nth']})\s+(?P<wd>{v['wd']})s?\.?\s+"
            rf"(?:{v['of_month']})(?!\w)"
        ),
        "recur": (
            rf"(?<!\w)(?:(?P<every>{v['every']})\s+(?:(?P<other>{v['other']})\s+)?"
            rf"(?:(?P<n>\d+|{v['num']})\s+)?(?P<u>{v['unit']})"
            rf"|(?:{v['num']}\s+)?(?P<au>{v['unit']})\s+{v['alt']}\s+(?P<an>\d+|{v['num']})"
            rf"|(?P<wdevery>{v['every']})(?=\s+(?:{v['wd']})))(?!\w)"
        ),
        "recur_adj": rf"(?<!\w)(?P<adj>{v['recur']})(?!\w)",
        "rel": rf"(?<!\w)(?:{v['in']})\s+(?:{v['approx']}\s+)?{amount('r')}",
        "dur": (
            rf"(?<!\w)(?:(?:{v['for']})\s*:?\s+(?:{v['approx']}\s+)?|{v['approx']}\s+)"
            rf"{amount('d')}|{amount('e')}\s+{v['for_after']}\b"
        ),
        "weekday": (
            rf"(?<!\w)(?:(?P<next>{v['next']})\s+|(?P<this>{v['this_wd']})\s+"
            rf"|(?P<next2>{v['after_next']})\s+|(?P<last>{v['last']})\s+)?"
            rf"(?:(?P<nw>{v['next_week']})\s+)?(?P<wd>{v['wd']})\.?"
            rf"(?:(?P<pl>s)(?!\w)|\s*(?P<part>{v['part']}))?"
            rf"(?:\s+(?P<post>{v['post_next']})|\s+(?P<post_last>{v['post_last']})"
            rf"|\s+(?P<nw2>{v['next_week']}))?(?!\w)"
        ),
        "numdate": (
            r"(?<![\w.:/])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})|(?P<d>\d{1,2})"
            r"(?P<s>[./])(?P<mo>\d{1,2})(?:(?P=s)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?)(?![\w:/]|\.\d)"
        ),
        "monthdate": (
            rf"(?<![\w.:])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?\s*(?:of\s+)?"
            rf"(?P<mon>{v['month']})\.?(?:,?\s+(?P<y>\d{{4}}))?(?!\w)|(?<!\w)"
            rf"(?P<mon2>{v['month_first']})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"(?:,?\s+(?P<y2>\d{{4}}))?(?![\w:])"
        ),
        "dom": (
            rf"(?<!\w)(?:(?:{v['dom']})\s+(?P<d>\d{{1,2}})(?:er|\.)?|(?P<d2>\d{{1,2}})"
            rf"(?:st|nd|rd|th))(?!\w)(?!\s*(?:{v['hour_mark']}|[ap]\.?m|[:.]\d|-))"
        ),
        "range": (
            rf"(?<!\w)(?:(?P<from>{v['from']})\s+)?{clock('a')}"
            rf"(?P<rsep>\s*-\s*|\s+{v['to']}\s+){clock('b')}(?!\s*{v['month']})"
        ),
        "day": day(v["day"]),
        "sure_day": day(v["sure_day"]),
        "time": rf"(?:(?<!\w)(?P<intro>{v['at']})\s+)?{clock('t')}",
        "conn": rf"(?<!\w)(?:{v['conn']})\s*\Z",
        "edge": rf"(?:^|\s)(?:{v['conn']}|and|et|und)$",
    }
    return {k: re.compile(p) for k, p in rx.items()}


# Longer than any connecting word ("à partir de") with a space: regexes that look for one
# just before a position search this far back only, so a phrase is read in linear time.
_REACH = 40
_TIDY = " ,;:-/|@."


class _Scan:
    """The phrase being read: matches are blanked out of a folded copy; the rest is the title."""

    def __init__(self, text: str, conn: re.Pattern):
        self.text, self.work, self.conn = text, _fold(text), conn

    def take(self, rx: re.Pattern, ok=lambda m: True) -> re.Match | None:
        """First acceptable match of rx, blanked out together with connecting words before it."""
        for m in rx.finditer(self.work):
            if ok(m):
                start = self._connected(m.start())
                self.work = self.work[:start] + " " * (m.end() - start) + self.work[m.end() :]
                return m
        return None

    def _connected(self, end: int) -> int:
        """Where the connecting words just before `end` ("on the", "à partir de") start."""
        start = end
        while True:
            space = start
            while space > 0 and self.work[space - 1].isspace():
                space -= 1
            c = self.conn.search(self.work, max(0, space - _REACH), space)
            if c is None:
                return start
            start = c.start()

    def title(self, edge: re.Pattern) -> str | None:
        """The original text minus the blanked pieces, with stray punctuation tidied away."""
        t = "".join(o if w != " " else " " for o, w in zip(self.text, self.work, strict=True))
        t = re.sub(r"\(\s*\)|\[\s*\]", " ", t)
        t = re.sub(r"\s+([,;:.!?])", r"\1", re.sub(r"\s+", " ", t))
        t = re.sub(r"([,;:])[,;:]+", r"\1", t).lstrip(_TIDY)
        folded, end = _fold(t), len(t)
        while True:  # drop trailing connecting words ("Meeting at", "Réunion le") one by one
            while end and t[end - 1] in _TIDY:
                end -= 1
            m = edge.search(folded, max(0, end - _REACH), end)
            if not m:
                return t[:end] or None
            end = m.start()


def _get(table: dict, word: str | None, default=None):
    """Look a matched word up in a vocabulary table, whatever whitespace the user typed."""
    return table.get(" ".join(word.split()), default) if word else default


def _num(word: str) -> float:
    """Value of a number written in digits (1,5 or 1.5) or in words."""
    return float(word.replace(",", ".")) if word[0].isdigit() else _get(NUM, word)


def _days(n: float, word: str) -> float:
    """French counts both ends: "dans 8 jours" is a week, "tous les 15 jours" two weeks."""
    return n - 1 if word.startswith("jour") and n in (8, 15) else n


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


def _month_date(m: re.Match, text: str, lang: str, now: datetime) -> tuple[int, int, int | None]:
    """(month, day, year or None) of a date with a month name, read by dateparser and checked."""
    langs = [lang] + [x for x in _LANGS if x != lang]
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future",
        "RETURN_TIME_AS_PERIOD": True,
        "RELATIVE_BASE": now.replace(tzinfo=None),
    }
    parser = DateDataParser(languages=langs, settings=settings, use_given_order=True)
    data = parser.get_date_data(" ".join(text[m.start() : m.end()].split()))
    day, year = int(m.group("d") or m.group("d2")), m.group("y") or m.group("y2")
    got = data.date_obj
    # dateparser fills gaps silently and may read a day as a time: keep only what we saw.
    if got is None or data.period != "day" or got.day != day or (year and got.year != int(year)):
        raise WhenError(text, "invalid_date")
    return got.month, day, int(year) if year else None


def _numeric(m: re.Match) -> tuple:
    """(month, day, year or None) of 10/12/2026, 10.12., 2026-12-10."""
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


def _agrees(day: date, rel, word, wd, lang: str, now: datetime) -> bool:
    """Whether a date fits the relative offset, day word or weekday also given, if any."""
    if rel or word:
        return day == _base_day(rel, word, wd, lang, now)[0]
    return not wd or day.weekday() == _weekday(wd.group("wd"), lang)


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

    nth: re.Match | None = None  # first Monday of the month
    rec: re.Match | None = None  # every 2 weeks, monthly
    rel: re.Match | None = None  # in 2 hours, dans 3 jours
    dur: re.Match | None = None  # for 90 min, pendant 2h
    wd: re.Match | None = None  # next Tuesday, dienstags
    day: re.Match | None = None  # tomorrow, ce soir
    ndate: re.Match | None = None  # 10/12/2026, 3.12.
    mdate: re.Match | None = None  # 3 December, am 3. Dezember
    dom: re.Match | None = None  # le 3, the 30th
    rng: re.Match | None = None  # 14:00-16:00, de 14h à 16h
    tm: re.Match | None = None  # 15h, 3pm, um 10


def _read(scan: _Scan, rx: dict, lang: str, now: datetime) -> _Pieces:
    """Cut the pieces out of the phrase, most specific first so none eats another's words."""
    p = _Pieces(nth=scan.take(rx["nth"]))
    # "every day" before "daily": in "Daily standup every day at 9" the title keeps "Daily"
    p.rec = scan.take(rx["recur"], lambda m: _rrule(m) is not None) or scan.take(rx["recur_adj"])
    p.rel = scan.take(rx["rel"])
    p.dur = scan.take(rx["dur"], lambda m: _duration(m) is not None)
    p.wd = scan.take(rx["weekday"])
    # "hier" is French for yesterday but German for here: here if another day is named
    # ("Treffen hier morgen um 10"); German rooms never read it as a day.
    sure = rx["sure_day"].search(scan.work)
    p.day = scan.take(rx["sure_day"] if sure and sure.group("day") else rx["day"])

    def plausible(mdy: tuple) -> bool:
        """A yearless "12/3" or "4th" is a date only if shaped like one and fitting the day we
        have: "resolution 52/7", "resolution 12/3 tomorrow", "4th report on Monday" are not;
        "31/11" is (and is reported as invalid)."""
        if not (1 <= mdy[1] <= 31 and (mdy[0] is None or 1 <= mdy[0] <= 12)):
            return False
        first = next(_dates(mdy, now.date()), None)
        return first is None or _agrees(first, p.rel, p.day, p.wd, lang, now)

    def numeric_date(m: re.Match) -> bool:
        """10/12/2026 and 2026-12-10 always; 3/12 and 3.12. if plausible; 15.30 is a time."""
        if m.group("iy") or m.group("y"):
            return True
        return bool(m.group("dot") or m.group("s") == "/") and plausible(_numeric(m))

    p.ndate = scan.take(rx["numdate"], numeric_date)
    p.mdate = None if p.ndate else scan.take(rx["monthdate"])
    if not (p.ndate or p.mdate):
        p.dom = scan.take(rx["dom"], lambda m: plausible((None, _dom_day(m), None)))
    p.rng = scan.take(rx["range"], lambda m: _range(m) is not None)
    if not p.rng:  # a clear time (15h, 3pm) first; then a bare "um 10" / "at 3" in digits
        p.tm = scan.take(rx["time"], lambda m: _marked(m, "t") and _clock(m, "t") is not None)
        p.tm = p.tm or scan.take(rx["time"], lambda m: _bare_time(m) is not None)
    return p


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

    if p.ndate:
        mdy = _numeric(p.ndate)
    elif p.mdate:
        mdy = _month_date(p.mdate, text, lang, now)
    else:
        mdy = (None, _dom_day(p.dom), None) if p.dom else None
    if mdy and next(_dates(mdy, now.date()), None) is None:
        raise WhenError(text, "invalid_date")
    recurrence = _rrule(p.rec) if p.rec else None
    if not recurrence and p.wd and p.wd.group("pl"):  # "dienstags", "tous les mardis"
        recurrence = "FREQ=WEEKLY"
    part = None
    for m, key in ((p.day, "day"), (p.day, "part"), (p.day, "part2"), (p.wd, "part")):
        part = part or (m and _get(PART, m.group(key)))
    hm = _range(p.rng, part) if p.rng else (_clock(p.tm, "t", part),) if p.tm else None

    if p.rel and not mdy and _amount(p.rel, "r")[1] in ("minute", "hour"):
        start = _later(now, _amount(p.rel, "r")).replace(second=0, microsecond=0)
    elif hm is None:
        raise WhenError(text, "no_time")
    elif p.nth:
        start, recurrence = _on_nth(p.nth, lang, hm[0], zone, now)
    elif mdy:
        start = _on_date(mdy, hm[0], zone, now)
    else:
        base, roll = _base_day(p.rel, p.day, p.wd, lang, now)
        start = _at(base, hm[0], zone)
        if roll and start < now:  # future preference: the next such day
            start = _at(base + timedelta(days=roll), hm[0], zone)
    end = None
    if p.rng:
        end = _at(start.date(), hm[1], zone)
        end = end if end > start else _at(start.date() + timedelta(days=1), hm[1], zone)
    elif p.dur:
        end = _later(start, _duration(p.dur))
    return When(start, end, recurrence, scan.title(rx["edge"]))


def when_to_json(when: When) -> dict:
    """JSON-ready dict: ISO-8601 start/end with offsets, RRULE value and title."""
    return {
        "start": when.start.isoformat(),
        "end": when.end.isoformat() if when.end else None,
        "recurrence": when.recurrence,
        "title": when.title,
    }
