"""Understand meeting times typed in English, French, German (and some Luxembourgish).

How a phrase is read: fold the text (lower case, no accents, one character per character so
every match maps back onto the original), cut out the pieces we know with regexes built from
the word tables below (ISO time, recurrence, day counted from a day, relative offset, duration,
weekday, day word, dates, time range, clock time, zone), then combine the pieces preferring the
future. dateparser's language data gives the weekday and month names. Date and time parts still
left over (a second time, a second date, a weekday, a zone) are cut out too and reported in
When.ignored, as are pieces read but not used because they disagree with the day or time
chosen ("Friday" beside "tomorrow"); what is left after that is the title.

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
- "Wednesday at 9" said on a Wednesday at 9:00 sharp is next Wednesday's (at 9:01 too, at
  8:59 it is today's); a time alone said at that very minute stays now (the caller refuses it).
- ISO 8601: 2026-12-03T15:00, with seconds (kept), with Z or an offset (+01:00, +0100, -05),
  and the basic 20261203T150000Z; with a space instead of T only when seconds or an offset
  follow, else it is a date and a time ("2026-12-03 14:00-16:00" is a range).
- Zones: abbreviations (UTC, GMT, CET/CEST, MEZ/MESZ, BST, EST/EDT, PST/PDT.. in _ZONE_ABBR;
  in capitals, UTC and GMT in any case; the summer and winter names both mean the zone as
  observed that day; "EST", "ET", "CT", "PT" only right after a time and in a phrase not all
  in capitals, being French words too), UTC+2 / GMT-5,
  IANA names (Europe/London), "London time", "heure de Paris", "Berliner Zeit", "Ortszeit
  London", "Eastern time", "heure française" (_PLACES, _ZONE_WORDS). The day is the room's
  ("tomorrow" is the room's tomorrow), the wall time is the zone's, and the result is in the
  room's zone; When.zone names the zone (None for the room's own and for bare offsets) so
  that a caller can keep a series at that zone's wall time. A place alone is no zone
  ("Meeting in London"). "local time", "heure locale", "Ortszeit": the room's zone.
- Days in words with a month: "the first of December", "December first", "le premier
  décembre", "le vingt et un mars", "am ersten Dezember" (any German ending), up to the 31st.
  Without a year and disagreeing with the day word or weekday given, they are title words
  ("The second March for Science tomorrow").
- Days counted from a day: "a week from today/tomorrow/Monday/next Tuesday", "3 days from
  now", "lundi en huit", "d'aujourd'hui en quinze", "heute/Montag in einer Woche", "eine Woche
  ab Montag": from the coming such weekday (today on that weekday). "in zwei Wochen am Montag"
  (amount first) is the Monday nearest that day.
- Full weekday and month names are read in every language; weekday abbreviations ("Tue",
  "mar.", "Di.") only in the room language and only before a dot or a number.
- French "8/15 jours" and German "8 Tage" mean one/two weeks and one week. "first Monday of the month" is
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
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

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
        "from_day": "from|after|on", "now": "now", "zone_in": "in",
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
        "from_day": "à partir de|à partir d'|après", "now": "maintenant", "zone_in": "en|selon",
        "en_huit": {7: "huit", 14: "quinze"},
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
        "from_day": "ab|nach", "now": "jetzt", "zone_in": "nach|in",
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
# Day-of-month words before or after a month name ("the first of December", "December first",
# "le premier décembre", "am ersten Dezember"): English and German ordinals, French cardinals
# (only the first is an ordinal), up to the 31st. German ones take every ending (-e, -en, -er..).
_ORD_WORDS = {
    "en": "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
    " thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth",
    "fr": "premier deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze"
    " quinze seize dix-sept dix-huit dix-neuf vingt",
    "de": "erste zweite dritte vierte fünfte sechste siebte achte neunte zehnte elfte zwölfte"
    " dreizehnte vierzehnte fünfzehnte sechzehnte siebzehnte achtzehnte neunzehnte zwanzigste",
}
_DE_UNITS = ("ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")

# fmt: off
# Zones said by name, read in every room language. Abbreviations are read in capitals (UTC and
# GMT in any case) and stand for the zone as observed that day: "CEST" in December is CET.
# "EST", "ET" are also French words: they are read only right after a time ("10am ET").
_ZONE_ABBR = {
    "UTC": "UTC", "GMT": "GMT", "CET": "CET", "CEST": "CET", "MEZ": "CET", "MESZ": "CET",
    "WET": "WET", "WEZ": "WET", "EET": "EET", "EEST": "EET", "OEZ": "EET", "OESZ": "EET",
    "BST": "Europe/London", "EST": "America/New_York", "EDT": "America/New_York",
    "ET": "America/New_York", "CT": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "MSK": "Europe/Moscow", "JST": "Asia/Tokyo", "AEST": "Australia/Sydney",
}
_ONLY_AFTER_A_TIME = {"est", "et", "ct", "pt"}
# Zones said in words that name no place.
_ZONE_WORDS = {
    "UTC": "coordinated universal time|universal time|temps universel|temps universel coordonné"
           "|heure UTC|Weltzeit|koordinierte Weltzeit",
    "CET": "central european time|central european summer time|heure d'Europe centrale"
           "|heure d'été d'Europe centrale|mitteleuropäische Zeit|mitteleuropäischer Zeit"
           "|mitteleuropäische Sommerzeit|mitteleuropäischer Sommerzeit",
    "Europe/Paris": "French time|heure française|heure de France|heure de la France",
    "Europe/Berlin": "German time|heure allemande|deutsche Zeit|deutscher Zeit",
    "Europe/London": "UK time|British time|heure britannique|heure anglaise|britische Zeit"
                     "|britischer Zeit",
    "Europe/Brussels": "Belgian time|heure belge|belgische Zeit|belgischer Zeit",
    "Europe/Luxembourg": "heure luxembourgeoise",
    "Europe/Zurich": "Swiss time|heure suisse",
    "America/New_York": "Eastern time|US Eastern time|heure de l'Est",
    "America/Chicago": "US Central time",
    "America/Los_Angeles": "Pacific time|US Pacific time|heure du Pacifique",
}
# Places a zone is named by ("London time", "heure de Paris", "Berliner Zeit", "Zeit in Tokio"):
# English, French and German names. German "<place>er Zeit" is made from every name; the other
# adjectives are listed in _DE_ADJ.
_PLACES = {
    "Europe/London": "London|Londres|UK|United Kingdom|Royaume-Uni|England|Angleterre",
    "Europe/Dublin": "Dublin|Ireland|Irlande|Irland",
    "Europe/Lisbon": "Lisbon|Lisbonne|Lissabon|Portugal",
    "Europe/Paris": "Paris|France|Frankreich|Strasbourg|Straßburg|Lyon|Marseille",
    "Europe/Brussels": "Brussels|Bruxelles|Brüssel|Belgium|Belgique|Belgien",
    "Europe/Luxembourg": "Luxembourg|Luxemburg",
    "Europe/Amsterdam": "Amsterdam|The Hague|La Haye|Den Haag|Netherlands|Pays-Bas|Niederlande",
    "Europe/Berlin": "Berlin|Bonn|Frankfurt|Francfort|Hamburg|Hambourg|Munich|München"
                     "|Cologne|Köln|Germany|Allemagne|Deutschland",
    "Europe/Zurich": "Zurich|Zürich|Geneva|Genève|Genf|Bern|Berne|Switzerland|Suisse|Schweiz",
    "Europe/Vienna": "Vienna|Vienne|Wien|Austria|Autriche|Österreich",
    "Europe/Rome": "Rome|Rom|Roma|Milan|Mailand|Italy|Italie|Italien",
    "Europe/Madrid": "Madrid|Barcelona|Barcelone|Spain|Espagne|Spanien",
    "Europe/Copenhagen": "Copenhagen|Copenhague|Kopenhagen",
    "Europe/Stockholm": "Stockholm", "Europe/Oslo": "Oslo", "Europe/Helsinki": "Helsinki",
    "Europe/Warsaw": "Warsaw|Varsovie|Warschau|Poland|Pologne|Polen",
    "Europe/Prague": "Prague|Prag", "Europe/Budapest": "Budapest",
    "Europe/Athens": "Athens|Athènes|Athen|Greece|Grèce|Griechenland",
    "Europe/Bucharest": "Bucharest|Bucarest|Bukarest", "Europe/Istanbul": "Istanbul|Ankara",
    "Europe/Kyiv": "Kyiv|Kiev|Kiew", "Europe/Moscow": "Moscow|Moscou|Moskau",
    "America/New_York": "New York|NYC|Washington|Boston|Miami",
    "America/Toronto": "Toronto|Montreal|Montréal|Ottawa|Quebec|Québec",
    "America/Chicago": "Chicago", "America/Denver": "Denver",
    "America/Los_Angeles": "Los Angeles|LA|San Francisco|Seattle",
    "America/Vancouver": "Vancouver", "America/Mexico_City": "Mexico City|Mexico|Mexiko-Stadt",
    "America/Bogota": "Bogotá", "America/Lima": "Lima",
    "America/Sao_Paulo": "São Paulo|Rio de Janeiro|Rio|Brasília|Brazil|Brésil|Brasilien",
    "America/Argentina/Buenos_Aires": "Buenos Aires",
    "Africa/Dakar": "Dakar", "Africa/Abidjan": "Abidjan", "Africa/Lagos": "Lagos|Kinshasa",
    "Africa/Cairo": "Cairo|Le Caire|Kairo", "Africa/Johannesburg": "Johannesburg",
    "Africa/Nairobi": "Nairobi|Addis Ababa|Addis-Abeba|Addis Abeba",
    "Asia/Jerusalem": "Jerusalem|Jérusalem|Tel Aviv", "Asia/Beirut": "Beirut|Beyrouth",
    "Asia/Dubai": "Dubai|Dubaï|Abu Dhabi", "Asia/Kolkata": "Delhi|New Delhi|Neu-Delhi|Mumbai|India|Inde|Indien",
    "Asia/Bangkok": "Bangkok", "Asia/Singapore": "Singapore|Singapour|Singapur",
    "Asia/Hong_Kong": "Hong Kong|Hongkong", "Asia/Shanghai": "Beijing|Pékin|Peking|Shanghai|China|Chine",
    "Asia/Tokyo": "Tokyo|Tokio|Japan|Japon", "Asia/Seoul": "Seoul|Séoul",
    "Asia/Manila": "Manila|Manille", "Asia/Jakarta": "Jakarta",
    "Australia/Sydney": "Sydney|Melbourne", "Pacific/Auckland": "Auckland|Wellington",
}
_DE_ADJ = {
    "Europe/Zurich": "Zürcher|Züricher|Schweizer", "Europe/Berlin": "Münchner|Münchener",
    "Europe/Rome": "Römer|Mailänder", "Europe/Amsterdam": "Haager", "Asia/Tokyo": "Tokioter",
    "Europe/Vienna": "österreichische|österreichischer",
}
_ZONE_LOCAL = "local time|heure locale|heure de chez nous|Ortszeit|Lokalzeit"
# fmt: on
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august")
_MONTHS += ("september", "october", "november", "december")
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
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


def _spellings(words: str, value, out: dict) -> dict:
    """Add "word|other word" to a folded table, with the ae/oe/ue/ss spellings of ä/ö/ü/ß."""
    for word in filter(None, words.split("|")):
        out.setdefault(_fold(word), value)
        out.setdefault(_fold(word.translate(_UMLAUT)), value)
    return out


def _ordinals() -> dict:
    """Folded day-of-month word -> day (see _ORD_WORDS)."""
    en, fr, de = (_ORD_WORDS[lang].split() for lang in ("en", "fr", "de"))
    words = {w: i + 1 for names in (en, fr) for i, w in enumerate(names)}
    words |= {"vingt et un": 21, "vingt-et-un": 21, "trente": 30, "trente et un": 31}
    words |= {"trente-et-un": 31, "thirtieth": 30, "thirty-first": 31, "thirty first": 31}
    german = {w: i + 1 for i, w in enumerate(de)} | {"siebente": 7, "dreißigste": 30}
    german["einunddreißigste"] = 31
    for i in range(9):
        words[f"twenty-{en[i]}"] = words[f"twenty {en[i]}"] = 21 + i
        german[f"{_DE_UNITS[i]}undzwanzigste"] = 21 + i
        if i:
            words[f"vingt-{fr[i]}"] = words[f"vingt {fr[i]}"] = 21 + i
    out: dict = {}
    for word, n in words.items():
        _spellings(word, n, out)
    for word, n in german.items():
        _spellings("|".join(word + ending for ending in ("", "n", "r", "m", "s")), n, out)
    return out


def _zones() -> tuple[dict, dict, dict, dict]:
    """Folded zone abbreviations, zone words and place names (with German adjectives) -> IANA."""
    abbr = {_fold(k): v for k, v in _ZONE_ABBR.items()}
    words: dict = {}
    for key, names in _ZONE_WORDS.items():
        _spellings(names, key, words)
    places: dict = {}
    adjectives: dict = {}
    for key, names in _PLACES.items():
        _spellings(names, key, places)
        _spellings("|".join(name + "er" for name in names.split("|")), key, adjectives)
    for key, names in _DE_ADJ.items():
        _spellings(names, key, adjectives)
    return abbr, words, places, adjectives


NUM, UNIT, PART, DAY = (_vocab(k) for k in ("num", "unit", "part", "day"))
RECUR, BEFORE, AFTER, NTH = (_vocab(k) for k in ("recur", "before", "after", "nth"))
EN_HUIT = _vocab("en_huit")
WEEKDAY, MONTH = _dp_names(_WEEKDAYS, short=False), _dp_names(_MONTHS, short=True)
ORD = _ordinals()
ZONE_ABBR, ZONE_WORD, PLACE, DE_ADJ = _zones()


@cache
def _iana() -> dict:
    """Lower-case IANA zone name -> its name ("europe/london" -> "Europe/London")."""
    return {name.lower(): name for name in available_timezones()}


def _alt(words) -> str:
    """Regex alternation of folded words, longest first; never matches if there are none.

    Written as a trie ("mon(?:day|tag)?" rather than "monday|montag|mon"): at each position
    of a phrase a list of hundreds of words costs a few character tests, not hundreds."""
    trie: dict = {}
    for word in words:
        node = trie
        for c in " ".join(word.split()):
            node = node.setdefault(c, {})
        node[""] = {}
    return "(?:" + _trie(trie) + ")" if trie else "(?!)"


def _trie(node: dict) -> str:
    """Regex of a trie node: its branches, optional if a word ends here (longer ones first)."""
    branches = [
        (r"\s+" if c == " " else re.escape(c)) + _trie(child)
        for c, child in sorted(node.items())
        if c
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@lru_cache(maxsize=8)
def _patterns(lang: str) -> dict:
    """Compiled regexes for a room language (only abbreviations depend on it)."""
    keys = "num unit half approx part this this_wd next after_next post_next next_week every"
    keys += " recur for for_after in from to at hour_mark before after noon midnight part_prep"
    keys += " last post_last other alt dom conn nth of_month from_day now zone_in en_huit"
    v = {k: _alt(_vocab(k)) for k in keys.split()}
    tables = {"ord": ORD, "place": PLACE, "de_adj": DE_ADJ, "zone_word": ZONE_WORD}
    v |= {k: _alt(table) for k, table in tables.items()}
    v["zone_abbr"], v["zone_local"] = _alt(ZONE_ABBR), _alt(_spellings(_ZONE_LOCAL, 0, {}))
    v["day"] = _alt(w for w in DAY if w not in _FALSE_FRIENDS.get(lang, ()))
    v["sure_day"] = _alt(w for w in DAY if not any(w in f for f in _FALSE_FRIENDS.values()))
    v["hour"] = _alt(w for w, n in NUM.items() if n == int(n) and 1 <= n <= 24 and len(w) > 2)
    v["wd"] = _alt(WEEKDAY) + "|" + _alt(_vocab("wd_abbr", (lang,))) + r"(?=\.|\s*\d)"
    v["month"] = _alt(MONTH)
    v["month_first"] = _alt(n for n in MONTH if len(n) > 3 or lang == "en")
    v["anchor_day"] = _alt(w for w, n in DAY.items() if n >= 0)

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
            rf"(?:(?P<{p}sep>[:.])(?P<{p}m>[0-5]\d)(?::[0-5]\d)?)?"
            rf"(?:\s*(?P<{p}mark>{v['hour_mark']})(?:\s*(?P<{p}m2>[0-5]\d))?"
            rf"|\s*(?P<{p}mer>[ap])\.?m\.?(?!\s+(?:{v['wd']}|{v['next']}|\d)))?)"
            rf"(?:\s+(?P<{p}after>{v['after']}))?"
            rf"(?:\s+(?:{v['part_prep']}\s+)?(?!{v['day']}(?!\w))(?P<{p}part>{v['part']}))?"
            rf"(?!\w)"
        )

    def anchor(p):
        """The day an amount is counted from: today, tomorrow, now, a weekday."""
        return (
            rf"(?:(?P<{p}aday>{v['anchor_day']})|(?P<{p}anow>{v['now']})"
            rf"|(?P<{p}awd>{v['wd']}))"
        )

    def day(words):
        return (
            rf"(?<!\w)(?:(?P<day>{words})(?:\s+(?P<part>{v['part']}))?"
            rf"|(?P<this>{v['this']})\s+(?P<part2>{v['part']}))(?!\w)"
        )

    rx = {
        "iso": (
            r"(?<![\w.:/+-])(?P<isy>\d{4})(?P<isdash>-?)(?P<ism>\d{2})(?P=isdash)(?P<isd>\d{2})"
            r"(?P<isep>t|\s+)(?P<ish>\d{2})(?P<iscolon>:?)(?P<ismi>[0-5]\d)"
            r"(?:(?P=iscolon)(?P<iss>[0-5]\d)(?:[.,]\d{1,9})?)?"
            r"(?P<isz>z|(?P<isoff>[+-])(?P<isoh>0\d|1[0-4])(?::?(?P<isom>[0-5]\d))?)?"
            r"(?![\w:+]|[.,]?\d)"
        ),
        "anc": (
            rf"(?<!\w)(?:{amount('f')}\s+(?P<ffrom>{v['from_day']})\s*"
            rf"(?:(?P<fnext>{v['next']})\s+)?{anchor('f')}"
            rf"|(?:d')?{anchor('g')}\s+(?:(?:{v['in']})\s+{amount('g')}"
            rf"|en\s+(?P<gen>{v['en_huit']})))(?!\w)"
        ),
        "zone": (
            rf"(?<![\w/])(?:(?:{v['zone_in']})\s+)?(?:(?P<zword>{v['zone_word']})"
            rf"|(?<!une\s)(?<!\d\s)(?:l')?heure\s+(?:de\s+la\s+|de\s+l'|de\s+|d'|du\s+|des\s+)?"
            rf"(?P<zfr>{v['place']})"
            rf"|(?P<zen>{v['place']})\s+(?:local\s+)?time|(?P<zde>{v['de_adj']})\s+(?:orts)?zeit"
            rf"|(?:local\s+)?time\s+in\s+(?P<zin>{v['place']})"
            rf"|(?:orts)?zeit\s+(?:in\s+)?(?P<zdein>{v['place']})|(?P<zlocal>{v['zone_local']})"
            rf"|(?P<zabbr>{v['zone_abbr']})"
            rf"(?:\s*(?P<zoff>[+-])\s*(?P<zoh>\d{{1,2}})(?::?(?P<zom>[0-5]\d))?)?"
            rf"|(?P<ziana>[a-z]+(?:[_-][a-z]+)*(?:/[a-z]+(?:[_-][a-z]+)*){{1,2}}))(?![\w/])"
        ),
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
            rf"(?<![\w.:])(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e|\.)?\s*|(?P<dw>{v['ord']})\s+)"
            rf"(?:of\s+)?(?P<mon>{v['month']})\.?(?:,?\s+(?P<y>\d{{4}}))?(?!\w)|(?<!\w)"
            rf"(?P<mon2>{v['month_first']})\.?\s+(?:the\s+)?(?:(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"|(?P<dw2>{v['ord']}))(?:,?\s+(?P<y2>\d{{4}}))?(?![\w:])"
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
        "for_end": rf"(?<!\w)(?:{v['for']})\s*:?\s*\Z",
        "edge": rf"(?:^|\s)(?:{v['conn']}|and|et|und|or|ou|oder)$",
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
        self.shouted = not any(c.islower() for c in text)  # all capitals: "RÉUNION À 10H ET.."

    def take(self, rx: re.Pattern, ok=lambda m: True) -> re.Match | None:
        """First acceptable match of rx, blanked out together with connecting words before it."""
        for m in rx.finditer(self.work):
            if ok(m):
                start = self._connected(m.start())
                self.work = self.work[:start] + " " * (m.end() - start) + self.work[m.end() :]
                return m
        return None

    def take_all(self, rx: re.Pattern, ok=lambda m: True) -> list[re.Match]:
        """Every acceptable match of rx, blanked out in one pass (as take does with one)."""
        found = [m for m in rx.finditer(self.work) if ok(m)]
        if found:
            work = list(self.work)
            for m in found:
                start = self._connected(m.start())
                work[start : m.end()] = " " * (m.end() - start)
            self.work = "".join(work)
        return found

    def said(self, m: re.Match) -> str:
        """What the member typed where m matched."""
        return " ".join(self.text[m.start() : m.end()].split())

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


def _iso_ok(m: re.Match) -> bool:
    """2026-12-03T15:00 always; with a space only with dashes, colons and seconds or a zone
    (else a date and a time, which may start a range); the basic 20261203T1500Z only with its
    T; hours up to 23."""
    if m.group("isep") != "t":
        extended = m.group("isdash") and m.group("iscolon")
        if not (extended and (m.group("iss") or m.group("isz"))):
            return False
    return int(m.group("ish")) <= 23


def _offset(sign: str, hours: str, minutes: str | None) -> tuple[tzinfo, str | None]:
    """A fixed offset from UTC ("+02:00"), and "UTC" as its zone name if it is none."""
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if not offset:
        return ZoneInfo("UTC"), "UTC"
    return timezone(offset if sign == "+" else -offset), None


def _iso_zone(m: re.Match) -> tuple[tzinfo, str | None] | None:
    """The zone of an ISO time's Z or offset; None if it has none."""
    if m.group("isz") == "z":
        return ZoneInfo("UTC"), "UTC"
    if m.group("isoff"):
        return _offset(m.group("isoff"), m.group("isoh"), m.group("isom"))
    return None


def _zone_of(m: re.Match) -> tuple[tzinfo | None, str | None] | None:
    """(zone, IANA name) a zone piece names; (None, None) for "local time" (the room's own);
    None if it names none (an offset to CET, more than 14 h, an unknown "a/b")."""
    g = m.group
    if g("zlocal"):
        return None, None
    if g("ziana"):
        key = _iana().get(g("ziana"))
    elif g("zabbr"):
        key = ZONE_ABBR[g("zabbr")]
        if g("zoff"):
            if key not in ("UTC", "GMT") or int(g("zoh")) > 14:
                return None
            return _offset(g("zoff"), g("zoh"), g("zom"))
    else:
        place = g("zfr") or g("zen") or g("zin") or g("zdein")
        key = _get(ZONE_WORD, g("zword")) or _get(PLACE, place) or _get(DE_ADJ, g("zde"))
    return (ZoneInfo(key), key) if key else None


def _zone_ok(m: re.Match, scan: _Scan, times: list) -> bool:
    """A zone piece to use: abbreviations in capitals (UTC and GMT in any case); "EST", "ET"..
    only right after one of the times read and not in a phrase all in capitals (they are also
    French words); a zone that exists."""
    word = m.group("zabbr")
    if word:
        typed = scan.text[m.start("zabbr") : m.end("zabbr")]
        if word not in ("utc", "gmt") and not typed.isupper():
            return False
        gaps = (scan.text[t.end() : m.start()] for t in times if 0 <= m.start() - t.end() <= 3)
        if word in _ONLY_AFTER_A_TIME and (
            scan.shouted or not any(not gap.strip(" (") for gap in gaps)
        ):
            return False
    return _zone_of(m) is not None


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
