"""The word tables a phrase is read with: numbers, units, day words, ordinals, weekday and month
names (from dateparser), each folded (lower case, no accents) into a word -> value table."""

import unicodedata

from dateparser.languages.loader import default_loader

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
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august")
_MONTHS += ("september", "october", "november", "december")
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_FOLD = str.maketrans("’‘´`–—‐‑", "''''----")
# Day words that are ordinary words in a room language: German "hier" is "here", not "hier"
# (yesterday) as in French.
_FALSE_FRIENDS = {"de": {"hier"}}


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


NUM, UNIT, PART, DAY = (_vocab(k) for k in ("num", "unit", "part", "day"))
RECUR, BEFORE, AFTER, NTH = (_vocab(k) for k in ("recur", "before", "after", "nth"))
EN_HUIT = _vocab("en_huit")
WEEKDAY, MONTH = _dp_names(_WEEKDAYS, short=False), _dp_names(_MONTHS, short=True)
ORD = _ordinals()


def _get(table: dict, word: str | None, default=None):
    """Look a matched word up in a vocabulary table, whatever whitespace the user typed."""
    return table.get(" ".join(word.split()), default) if word else default
