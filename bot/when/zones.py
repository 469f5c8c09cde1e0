"""Zones said in a phrase: abbreviations (CET, EST), zone words ("Eastern time"), places ("London
time", "heure de Paris", "Berliner Zeit"), IANA names and offsets; which zone a piece names."""

import re
from datetime import timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.when.scan import _Scan
from bot.when.words import _fold, _get, _spellings

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


ZONE_ABBR, ZONE_WORD, PLACE, DE_ADJ = _zones()


@cache
def _iana() -> dict:
    """Lower-case IANA zone name -> its name ("europe/london" -> "Europe/London")."""
    return {name.lower(): name for name in available_timezones()}


def _offset(sign: str, hours: str, minutes: str | None) -> tuple[tzinfo, str | None]:
    """A fixed offset from UTC ("+02:00"), and "UTC" as its zone name if it is none."""
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if not offset:
        return ZoneInfo("UTC"), "UTC"
    return timezone(offset if sign == "+" else -offset), None


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
