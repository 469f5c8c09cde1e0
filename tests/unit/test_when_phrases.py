"""More phrases as members type them: ISO 8601, named zones and cities, ordinal days, days
counted from a day, the same weekday said on that weekday, and what is reported as ignored.

Expected values are worked out by hand from a fixed "now" (Sunday 22 November 2026, 10:00 in
Luxembourg, unless the row says otherwise) and are local wall times in Europe/Luxembourg: a time
said in another zone is expected as the room sees it. In winter Luxembourg is UTC+1, London
UTC+0, New York UTC-5, Tokyo UTC+9."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import WhenError, parse_when, when_to_json

LUX = "Europe/Luxembourg"


def local(text: str) -> datetime:
    """'2026-11-24 14:00' as an aware Luxembourg wall time."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LUX))


SUN = local("2026-11-22 10:00")  # Sunday morning
WED = local("2026-11-25 09:00")  # a Wednesday at 09:00 sharp
W1, W2 = "FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2"
NY, LON, TYO = "America/New_York", "Europe/London", "Asia/Tokyo"


def P(lang, phrase, start, end=None, title=None, ignored=(), zone=None, rec=None, now=SUN):
    """One row; end may be 'HH:MM' (same day as start) or a full local time."""
    return pytest.param(
        lang, phrase, start, end, title, tuple(ignored), zone, rec, now, id=f"{lang}:{phrase}"
    )


# fmt: off
PHRASES = [
    # --- English: ISO 8601 ---
    P("en", "2026-12-03T15:00", "2026-12-03 15:00"),
    P("en", "Review 2026-12-03T15:00:00", "2026-12-03 15:00", title="Review"),
    P("en", "2026-12-03T15:00:30", "2026-12-03 15:00:30"),
    P("en", "20261203T140000Z", "2026-12-03 15:00", zone="UTC"),  # basic format, as in .ics
    P("en", "2026-12-03 14:00-16:00", "2026-12-03 14:00", "16:00"),  # a date and a range
    P("en", "2026-12-03T14:00Z", "2026-12-03 15:00", zone="UTC"),
    P("en", "2026-12-03T14:00:00Z", "2026-12-03 15:00", zone="UTC"),
    P("en", "2026-12-03T09:00-05:00", "2026-12-03 15:00"),
    P("en", "2026-12-03T15:00+01:00", "2026-12-03 15:00"),
    P("en", "2026-12-03T16:30+0200", "2026-12-03 15:30"),
    P("en", "2027-07-01T10:00Z", "2027-07-01 12:00", zone="UTC"),  # summer: UTC+2
    P("en", "Kick-off 2026-12-03 15:00:00", "2026-12-03 15:00", title="Kick-off"),
    P("en", "2026-12-03T15:00 for 90 minutes", "2026-12-03 15:00", "16:30"),
    P("en", "2026-12-03 at 3pm", "2026-12-03 15:00"),
    P("en", "2026-12-03, 10am", "2026-12-03 10:00"),
    P("en", "Board 2026-12-03T15:00 every 2 weeks", "2026-12-03 15:00", title="Board", rec=W2),
    # --- English: zones and cities ---
    P("en", "tomorrow 10:00 UTC", "2026-11-23 11:00", zone="UTC"),
    P("en", "tomorrow at 10am GMT", "2026-11-23 11:00", zone="GMT"),
    P("en", "Call tomorrow 10:00 (UTC)", "2026-11-23 11:00", title="Call", zone="UTC"),
    P("en", "tomorrow 10:00 utc", "2026-11-23 11:00", zone="UTC"),
    P("en", "tomorrow 10:00 UTC+2", "2026-11-23 09:00"),
    P("en", "tomorrow 10:00 GMT-5", "2026-11-23 16:00"),
    P("en", "Friday 15:00 CET", "2026-11-27 15:00", zone="CET"),
    P("en", "Friday 15:00 CEST", "2026-11-27 15:00", zone="CET"),  # Central European, as observed
    P("en", "Sync 9am New York time tomorrow", "2026-11-23 15:00", title="Sync", zone=NY),
    P("en", "Monday 10:00 London time", "2026-11-23 11:00", zone=LON),
    P("en", "tomorrow 3pm Tokyo time", "2026-11-23 07:00", zone=TYO),
    P("en", "tomorrow 10:00 Europe/London", "2026-11-23 11:00", zone=LON),
    P("en", "tomorrow 9:00 America/New_York", "2026-11-23 15:00", zone=NY),
    P("en", "tomorrow 9am EST", "2026-11-23 15:00", zone=NY),
    P("en", "tomorrow 9am Eastern time", "2026-11-23 15:00", zone=NY),
    P("en", "tomorrow 9am Pacific time", "2026-11-23 18:00", zone="America/Los_Angeles"),
    P("en", "Wednesday 4pm Delhi time", "2026-11-25 11:30", zone="Asia/Kolkata"),
    P("en", "Thursday 9:00 local time", "2026-11-26 09:00"),
    P("en", "tomorrow 10:00 time in London", "2026-11-23 11:00", zone=LON),
    P("en", "tomorrow 14:00 Brussels time", "2026-11-23 14:00", zone="Europe/Brussels"),
    P("en", "tomorrow 10:00 Luxembourg time", "2026-11-23 10:00"),  # the room's own zone
    P("en", "every Monday 10:00 UTC", "2026-11-23 11:00", zone="UTC", rec=W1),
    P("en", "tomorrow 08:00 PST", "2026-11-23 17:00", zone="America/Los_Angeles"),
    P("en", "next Monday 9am ET", "2026-11-23 15:00", zone=NY),
    P("en", "tomorrow 9am PT", "2026-11-23 18:00", zone="America/Los_Angeles"),
    P("en", "tomorrow 12:00 Moscow time", "2026-11-23 10:00", zone="Europe/Moscow"),
    P("en", "tomorrow 10am Sao Paulo time", "2026-11-23 14:00", zone="America/Sao_Paulo"),
    P("en", "14:00-15:00 UTC tomorrow", "2026-11-23 15:00", "16:00", zone="UTC"),
    P("en", "9:00 Tokyo time", "2026-11-23 01:00", zone=TYO),  # today's 9:00 in Tokyo is past
    P("en", "Webinar 3 December 16:00 Dubai time", "2026-12-03 13:00", title="Webinar",
      zone="Asia/Dubai"),
    # --- English: ordinal days ---
    P("en", "the first of December at 10", "2026-12-01 10:00"),
    P("en", "December first at 10am", "2026-12-01 10:00"),
    P("en", "December the first at 10am", "2026-12-01 10:00"),
    P("en", "on the twenty-first of December at 9:30", "2026-12-21 09:30"),
    P("en", "Party on the thirty-first of December at 8pm", "2026-12-31 20:00", title="Party"),
    P("en", "the second of January 2027 at 10:00", "2027-01-02 10:00"),
    P("en", "the third of December at 14:00", "2026-12-03 14:00"),
    P("en", "January twentieth at noon", "2027-01-20 12:00"),
    P("en", "the 1st of December at 10", "2026-12-01 10:00"),
    P("en", "Tuesday the first of December at 10", "2026-12-01 10:00"),
    P("en", "The second March for Science tomorrow 10:00", "2026-11-23 10:00",
      title="The second March for Science"),  # not the 2nd of March: tomorrow is said
    # --- English: days counted from a day ---
    P("en", "a week from today at 3pm", "2026-11-29 15:00"),
    P("en", "a week from tomorrow at 10", "2026-11-30 10:00"),
    P("en", "a week from Monday at 10", "2026-11-30 10:00"),
    P("en", "two weeks from Monday at 10", "2026-12-07 10:00"),
    P("en", "a week from next Tuesday at 14:00", "2026-12-01 14:00"),
    P("en", "3 days from now at 9am", "2026-11-25 09:00"),
    P("en", "2 hours from now", "2026-11-22 12:00"),
    P("en", "a month from today at 10:00", "2026-12-22 10:00"),
    P("en", "in a week at 10", "2026-11-29 10:00"),
    P("en", "Check-in a week from Friday 9:00", "2026-12-04 09:00", title="Check-in"),
    P("en", "a week from Sunday at 11", "2026-11-29 11:00"),  # said on a Sunday: today's
    P("en", "a week on Monday at 10", "2026-11-30 10:00"),
    P("en", "Workshop for 3 days from Monday 9:00", "2026-11-23 09:00", "2026-11-26 09:00",
      title="Workshop"),  # a duration from Monday, not Monday + 3 days
    # --- English: the same weekday ---
    P("en", "Wednesday at 9", "2026-12-02 09:00", now=WED),
    P("en", "Wednesday at 10", "2026-11-25 10:00", now=WED),
    P("en", "Wednesday 8:30", "2026-12-02 08:30", now=WED),
    P("en", "next Wednesday at 10", "2026-12-02 10:00", now=WED),
    P("en", "Wed 9:00", "2026-12-02 09:00", now=WED),
    P("en", "Thursday at 9", "2026-11-26 09:00", now=WED),
    # --- English: what was not used is said, never kept as title ---
    P("en", "Meeting tomorrow 10:00 and Friday", "2026-11-23 10:00", title="Meeting",
      ignored=["Friday"]),
    P("en", "Review on 3 December, Friday, at 10:00", "2026-12-03 10:00", title="Review",
      ignored=["Friday"]),
    P("en", "Call tomorrow at 10:00 or 11:00", "2026-11-23 10:00", title="Call",
      ignored=["11:00"]),
    P("en", "in 2 hours at 15:00", "2026-11-22 12:00", ignored=["at 15:00"]),
    P("en", "Planning 3 December 10:00 and 4 December", "2026-12-03 10:00", title="Planning",
      ignored=["4 December"]),
    P("en", "Workshop 10:00-12:00 for 3 hours tomorrow", "2026-11-23 10:00", "12:00",
      title="Workshop", ignored=["for 3 hours"]),
    P("en", "Budget 2026-12-03T15:00Z London time", "2026-12-03 16:00", title="Budget",
      zone="UTC", ignored=["London time"]),
    P("en", "tomorrow 10:00 Monday", "2026-11-23 10:00"),  # agrees: nothing ignored
    P("en", "Team call tomorrow 9:00, Wednesday 9:00", "2026-11-23 09:00", title="Team call",
      ignored=["Wednesday", "9:00"]),
    P("en", "Lunch tomorrow 12:00 and tomorrow", "2026-11-23 12:00", title="Lunch",
      ignored=["tomorrow"]),
    P("en", "Retro 2026-12-03T15:00 and 2026-12-04T15:00", "2026-12-03 15:00", title="Retro",
      ignored=["2026-12-04T15:00"]),

    # --- French: ISO 8601 and zones ---
    P("fr", "2026-12-03T15:00", "2026-12-03 15:00"),
    P("fr", "Réunion le 2026-12-03T15:00Z", "2026-12-03 16:00", title="Réunion", zone="UTC"),
    P("fr", "le 2026-12-03 à 15h", "2026-12-03 15:00"),
    P("fr", "demain à 10h UTC", "2026-11-23 11:00", zone="UTC"),
    P("fr", "demain à 10h (heure de Londres)", "2026-11-23 11:00", zone=LON),
    P("fr", "Réunion à 15h heure de Paris", "2026-11-22 15:00", title="Réunion",
      zone="Europe/Paris"),
    P("fr", "demain 9h heure de New York", "2026-11-23 15:00", zone=NY),
    P("fr", "lundi à 10h, heure de Montréal", "2026-11-23 16:00", zone="America/Toronto"),
    P("fr", "demain à 15h heure du Luxembourg", "2026-11-23 15:00"),
    P("fr", "vendredi 14h CET", "2026-11-27 14:00", zone="CET"),
    P("fr", "demain à 10h GMT", "2026-11-23 11:00", zone="GMT"),
    P("fr", "mardi 16h heure de Tokyo", "2026-11-24 08:00", zone=TYO),
    P("fr", "jeudi à 18h heure de Dakar", "2026-11-26 19:00", zone="Africa/Dakar"),
    P("fr", "demain à 9h heure locale", "2026-11-23 09:00"),
    P("fr", "demain à 11h heure de Moscou", "2026-11-23 09:00", zone="Europe/Moscow"),
    P("fr", "demain 10h Europe/Lisbon", "2026-11-23 11:00", zone="Europe/Lisbon"),
    P("fr", "demain à 17h heure de Genève", "2026-11-23 17:00", zone="Europe/Zurich"),
    P("fr", "demain à 10h en UTC", "2026-11-23 11:00", zone="UTC"),
    P("fr", "mercredi 15h heure française", "2026-11-25 15:00", zone="Europe/Paris"),
    P("fr", "demain à 16h heure de l'Est", "2026-11-23 22:00", zone=NY),
    P("fr", "demain à 14h heure de Bruxelles", "2026-11-23 14:00", zone="Europe/Brussels"),
    P("fr", "Visio avec Nairobi demain à 11h heure de Nairobi", "2026-11-23 09:00",
      title="Visio avec Nairobi", zone="Africa/Nairobi"),
    P("fr", "demain à 10h UTC+1", "2026-11-23 10:00"),
    # --- French: ordinal and spelled-out days ---
    P("fr", "le premier décembre à 10h", "2026-12-01 10:00"),
    P("fr", "Réunion le premier décembre à 10h", "2026-12-01 10:00", title="Réunion"),
    P("fr", "le 1er décembre à 10h", "2026-12-01 10:00"),
    P("fr", "le deux décembre à 14h", "2026-12-02 14:00"),
    P("fr", "le trois décembre à 9h30", "2026-12-03 09:30"),
    P("fr", "le vingt et un décembre à 10h", "2026-12-21 10:00"),
    P("fr", "le vingt-cinq décembre à 12h", "2026-12-25 12:00"),
    P("fr", "le trente et un décembre à 20h", "2026-12-31 20:00"),
    P("fr", "le quinze janvier à 10h", "2027-01-15 10:00"),
    P("fr", "mardi premier décembre à 10h", "2026-12-01 10:00"),
    P("fr", "le premier mai à 10h", "2027-05-01 10:00"),
    P("fr", "Le premier rapport demain à 10h", "2026-11-23 10:00", title="Le premier rapport"),
    P("fr", "le dix-huit décembre à 15h", "2026-12-18 15:00"),
    # --- French: days counted from a day ---
    P("fr", "dans huit jours à 10h", "2026-11-29 10:00"),
    P("fr", "dans quinze jours à 10h", "2026-12-06 10:00"),
    P("fr", "lundi en huit à 10h", "2026-11-30 10:00"),
    P("fr", "d'aujourd'hui en huit à 15h", "2026-11-29 15:00"),
    P("fr", "aujourd'hui en huit à 15h", "2026-11-29 15:00"),
    P("fr", "demain en huit à 9h", "2026-11-30 09:00"),
    P("fr", "mardi en quinze à 14h", "2026-12-08 14:00"),
    P("fr", "dans 8 jours à 10h", "2026-11-29 10:00"),
    P("fr", "Point d'étape dans deux semaines à 10h", "2026-12-06 10:00", title="Point d'étape"),
    P("fr", "une semaine après lundi à 10h", "2026-11-30 10:00"),
    P("fr", "dans un mois à 10h", "2026-12-22 10:00"),
    P("fr", "Séminaire pendant 3 jours à partir de lundi 9h", "2026-11-23 09:00",
      "2026-11-26 09:00", title="Séminaire"),
    # --- French: the same weekday ---
    P("fr", "mercredi à 9h", "2026-12-02 09:00", now=WED),
    P("fr", "mercredi à 10h", "2026-11-25 10:00", now=WED),
    P("fr", "mercredi prochain à 10h", "2026-12-02 10:00", now=WED),
    P("fr", "mer. 9h", "2026-12-02 09:00", now=WED),
    # --- French: what was not used ---
    P("fr", "Réunion demain à 10h et vendredi", "2026-11-23 10:00", title="Réunion",
      ignored=["vendredi"]),
    P("fr", "Réunion le 3 décembre, vendredi, à 10h", "2026-12-03 10:00", title="Réunion",
      ignored=["vendredi"]),
    P("fr", "Atelier demain à 10h ou 11h", "2026-11-23 10:00", title="Atelier",
      ignored=["11h"]),
    P("fr", "dans 2 heures à 15h", "2026-11-22 12:00", ignored=["à 15h"]),
    P("fr", "Séance de 14h à 16h pendant 3 heures demain", "2026-11-23 14:00", "16:00",
      title="Séance", ignored=["pendant 3 heures"]),
    P("fr", "CA le 3 décembre à 10h, sinon le 10 décembre", "2026-12-03 10:00",
      title="CA, sinon", ignored=["10 décembre"]),
    P("fr", "demain à 10h heure de Paris et heure de Londres", "2026-11-23 10:00",
      zone="Europe/Paris", ignored=["heure de Londres"]),

    # --- German: ISO 8601 and zones ---
    P("de", "2026-12-03T15:00", "2026-12-03 15:00"),
    P("de", "Termin am 2026-12-03T15:00+01:00", "2026-12-03 15:00", title="Termin"),
    P("de", "morgen um 10 Uhr UTC", "2026-11-23 11:00", zone="UTC"),
    P("de", "morgen um 15 Uhr MEZ", "2026-11-23 15:00", zone="CET"),
    P("de", "Freitag 14 Uhr MESZ", "2026-11-27 14:00", zone="CET"),
    P("de", "Treffen um 15 Uhr Berliner Zeit", "2026-11-22 15:00", title="Treffen",
      zone="Europe/Berlin"),
    P("de", "morgen um 10 Uhr Londoner Zeit", "2026-11-23 11:00", zone=LON),
    P("de", "morgen um 9 Uhr New Yorker Zeit", "2026-11-23 15:00", zone=NY),
    P("de", "morgen 16 Uhr Tokioter Zeit", "2026-11-23 08:00", zone=TYO),
    P("de", "morgen um 10 Uhr Zürcher Zeit", "2026-11-23 10:00", zone="Europe/Zurich"),
    P("de", "morgen um 10 Uhr Wiener Zeit", "2026-11-23 10:00", zone="Europe/Vienna"),
    P("de", "morgen um 10 Uhr Moskauer Zeit", "2026-11-23 08:00", zone="Europe/Moscow"),
    P("de", "morgen um 10 Uhr Ortszeit", "2026-11-23 10:00"),
    P("de", "morgen um 10 Uhr nach Londoner Zeit", "2026-11-23 11:00", zone=LON),
    P("de", "morgen um 10 Uhr deutscher Zeit", "2026-11-23 10:00", zone="Europe/Berlin"),
    P("de", "morgen um 10 Uhr (Europe/Berlin)", "2026-11-23 10:00", zone="Europe/Berlin"),
    P("de", "Montag 9 Uhr Ortszeit London", "2026-11-23 10:00", zone=LON),
    P("de", "Freitag 15 Uhr GMT", "2026-11-27 16:00", zone="GMT"),
    P("de", "morgen um 18 Uhr Pekinger Zeit", "2026-11-23 11:00", zone="Asia/Shanghai"),
    P("de", "Webinar am 15.12.2026 um 10 Uhr MEZ", "2026-12-15 10:00", title="Webinar",
      zone="CET"),
    # --- German: ordinal days ---
    P("de", "am ersten Dezember um 10 Uhr", "2026-12-01 10:00"),
    P("de", "am 1. Dezember um 10 Uhr", "2026-12-01 10:00"),
    P("de", "Sitzung am zweiten Dezember um 14 Uhr", "2026-12-02 14:00", title="Sitzung"),
    P("de", "am dritten Dezember um 9 Uhr", "2026-12-03 09:00"),
    P("de", "den einundzwanzigsten Dezember um 10 Uhr", "2026-12-21 10:00"),
    P("de", "am einunddreißigsten Dezember um 20 Uhr", "2026-12-31 20:00"),
    P("de", "am einunddreissigsten Dezember um 20 Uhr", "2026-12-31 20:00"),
    P("de", "am fünfzehnten Januar um 10 Uhr", "2027-01-15 10:00"),
    P("de", "am fuenfzehnten Januar um 10 Uhr", "2027-01-15 10:00"),
    P("de", "Dienstag, den ersten Dezember, 10 Uhr", "2026-12-01 10:00"),
    P("de", "am zwanzigsten Dezember um 11 Uhr", "2026-12-20 11:00"),
    P("de", "erster Dezember 10 Uhr", "2026-12-01 10:00"),
    P("de", "am siebten Dezember um 10 Uhr", "2026-12-07 10:00"),
    P("de", "am zwölften Dezember um 10 Uhr", "2026-12-12 10:00"),
    # --- German: days counted from a day ---
    P("de", "heute in einer Woche um 10 Uhr", "2026-11-29 10:00"),
    P("de", "morgen in einer Woche um 10 Uhr", "2026-11-30 10:00"),
    P("de", "Montag in einer Woche um 10 Uhr", "2026-11-30 10:00"),
    P("de", "Montag in acht Tagen um 10 Uhr", "2026-11-30 10:00"),
    P("de", "heute in 14 Tagen um 10 Uhr", "2026-12-06 10:00"),
    P("de", "in 8 Tagen um 10 Uhr", "2026-11-29 10:00"),
    P("de", "in zwei Wochen um 15 Uhr", "2026-12-06 15:00"),
    P("de", "eine Woche ab heute um 10 Uhr", "2026-11-29 10:00"),
    P("de", "zwei Wochen ab Montag um 9 Uhr", "2026-12-07 09:00"),
    P("de", "Freitag in einer Woche um 14 Uhr", "2026-12-04 14:00"),
    P("de", "in einem Monat um 10 Uhr", "2026-12-22 10:00"),
    P("de", "Klausur für 2 Tage ab Montag 9 Uhr", "2026-11-23 09:00", "2026-11-25 09:00",
      title="Klausur"),
    P("de", "Klausur heute in einer Woche um 9 Uhr", "2026-11-29 09:00", title="Klausur"),
    # --- German: "morgen" is tomorrow, not morning: 1-6 o'clock is still afternoon ---
    P("de", "morgen um 3 Uhr", "2026-11-23 15:00"),
    P("de", "morgen um 3", "2026-11-23 15:00"),
    P("de", "halb drei morgen", "2026-11-23 14:30"),
    P("de", "heute Morgen um 9", "2026-11-22 09:00"),
    # --- German: the same weekday ---
    P("de", "Mittwoch um 9 Uhr", "2026-12-02 09:00", now=WED),
    P("de", "Mittwoch um 10 Uhr", "2026-11-25 10:00", now=WED),
    P("de", "Mittwoch 8 Uhr", "2026-12-02 08:00", now=WED),
    P("de", "Mi. 9 Uhr", "2026-12-02 09:00", now=WED),
    P("de", "kommenden Mittwoch 10 Uhr", "2026-12-02 10:00", now=WED),
    # --- German: what was not used ---
    P("de", "Treffen morgen um 10 Uhr und Freitag", "2026-11-23 10:00", title="Treffen",
      ignored=["Freitag"]),
    P("de", "Sitzung am 3. Dezember, Freitag, 10 Uhr", "2026-12-03 10:00", title="Sitzung",
      ignored=["Freitag"]),
    P("de", "Besprechung morgen um 10 Uhr oder 11 Uhr", "2026-11-23 10:00", title="Besprechung",
      ignored=["11 Uhr"]),
    P("de", "in 2 Stunden um 15 Uhr", "2026-11-22 12:00", ignored=["um 15 Uhr"]),
    P("de", "Workshop 10-12 Uhr 3 Stunden lang morgen", "2026-11-23 10:00", "12:00",
      title="Workshop", ignored=["3 Stunden lang"]),
    P("de", "Vorstand übermorgen 10 Uhr, nicht Donnerstag", "2026-11-24 10:00",
      title="Vorstand, nicht", ignored=["Donnerstag"]),
]
# fmt: on


@pytest.mark.parametrize(
    ("lang", "phrase", "start", "end", "title", "ignored", "zone", "rec", "now"), PHRASES
)
def test_phrase(lang, phrase, start, end, title, ignored, zone, rec, now):
    when = parse_when(phrase, lang=lang, now=now)
    expected_end = local(end if len(end) > 5 else f"{start[:10]} {end}") if end else None
    assert (when.start, when.end, when.title, when.ignored, when.zone, when.recurrence) == (
        local(start),
        expected_end,
        title,
        ignored,
        zone,
        rec,
    )
    assert str(when.start.tzinfo) == LUX  # shown in the room's zone, whatever zone was said


def test_at_least_150_new_phrases_in_the_three_languages():
    per_lang = {lg: sum(p.values[0] == lg for p in PHRASES) for lg in ("en", "fr", "de")}
    print(f"\nnew phrases: {len(PHRASES)}; {per_lang}")
    assert len(PHRASES) >= 150 and min(per_lang.values()) >= 45


@pytest.mark.parametrize(
    ("phrase", "start"),
    [
        # the zone decides the wall time, the room's calendar the day: on Sunday 23:30 in
        # Luxembourg "tomorrow" is Monday there, so "tomorrow 10:00 New York time" is Monday's
        ("tomorrow 10:00 New York time", "2026-11-23 16:00"),
        ("tomorrow 10:00 Tokyo time", "2026-11-23 02:00"),
        # a time alone is the next such time in that zone
        ("8:00 Tokyo time", "2026-11-23 00:00"),
    ],
)
def test_zone_days_are_the_rooms(phrase, start):
    assert parse_when(phrase, now=local("2026-11-22 23:30")).start == local(start)


def test_a_series_in_a_named_zone_keeps_that_zones_wall_time():
    """Every Monday 10:00 New York time: the meeting's zone is New York, so a series stored
    with it stays at 10:00 there across both DST changes (the caller stores When.zone)."""
    when = parse_when("every Monday 10:00 New York time", now=SUN)
    assert (when.zone, when.recurrence) == (NY, W1)
    assert when.start.astimezone(ZoneInfo(NY)).strftime("%a %H:%M") == "Mon 10:00"


def test_zone_abbreviations_that_are_words_are_not_zones():
    # French "est" and "cet" are words; "EST" is read only right after a time
    when = parse_when("La réunion est demain à 10h", lang="fr", now=SUN)
    assert (when.start, when.zone, when.title) == (
        local("2026-11-23 10:00"),
        None,
        "La réunion est",
    )
    when = parse_when("cet après-midi à 15h", lang="fr", now=SUN)
    assert (when.start, when.zone) == (local("2026-11-22 15:00"), None)
    when = parse_when("RÉUNION EST DEMAIN À 10H", lang="fr", now=SUN)
    assert (when.start, when.zone) == (local("2026-11-23 10:00"), None)
    when = parse_when("RÉUNION À 10H ET DÉJEUNER DEMAIN", lang="fr", now=SUN)
    assert (when.start, when.zone) == (local("2026-11-23 10:00"), None)
    # a bare place is a place, not a zone; "a/b" that is no zone stays in the title
    when = parse_when("Meeting in London tomorrow 10:00", now=SUN)
    assert (when.start, when.zone, when.title) == (
        local("2026-11-23 10:00"),
        None,
        "Meeting in London",
    )
    when = parse_when("Q&A and/or demo tomorrow 10:00", now=SUN)
    assert (when.zone, when.title) == (None, "Q&A and/or demo")


def test_offsets_out_of_range_are_not_zones():
    when = parse_when("tomorrow 10:00 UTC+15", now=SUN)
    assert when.zone is None and when.start == local("2026-11-23 10:00")
    assert when.title == "UTC+15"  # kept: no zone was read in it


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("2026-02-30T10:00", "invalid_date"),
        ("2026-13-03T10:00", "invalid_date"),
        ("the thirty-first of November at 10", "invalid_date"),
        ("le trente et un novembre à 10h", "invalid_date"),
        ("a week from Monday", "no_time"),
        ("heute in einer Woche", "no_time"),
        ("the first of December", "no_time"),
        ("UTC", "no_time"),
        ("London time", "no_time"),
    ],
)
def test_errors(phrase, reason):
    with pytest.raises(WhenError) as info:
        parse_when(phrase, now=SUN)
    assert info.value.reason == reason


def test_json_names_the_zone_and_what_was_ignored():
    when = parse_when("Call tomorrow 10:00 London time or 11:00", now=SUN)
    assert when_to_json(when) == {
        "start": "2026-11-23T11:00:00+01:00",
        "end": None,
        "recurrence": None,
        "title": "Call",
        "zone": "Europe/London",
        "ignored": ["11:00"],
    }


WORDS = [
    "tomorrow", "demain", "morgen", "Monday", "lundi", "Montag", "10:00", "15h", "10 Uhr", "UTC",
    "CET", "est", "EST", "London time", "heure de Paris", "Berliner Zeit", "Europe/London",
    "a/b", "2026-12-03T15:00", "2026-12-03T15:00Z", "+01:00", "UTC+2", "first", "premier",
    "ersten", "December", "décembre", "Dezember", "a week", "from", "en huit", "in einer Woche",
    "heute", "now", "and", "or", "for 2h", "-", "(", ")", ",",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), st.sampled_from(["en", "fr", "de"])
)
def test_word_soup_gives_a_when_or_a_when_error(words, lang):
    try:
        when = parse_when(" ".join(words), lang=lang, now=SUN)
    except WhenError:
        return
    assert str(when.start.tzinfo) == LUX
    assert when.end is None or when.end > when.start
    assert when.title is None or when.title == when.title.strip() != ""
    assert all(word.strip() for word in when.ignored)
    assert when.zone is None or ZoneInfo(when.zone)
