"""Tests for bot.when: a corpus of phrases as members type them, plus DST, errors and hints."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import When, WhenError, parse_when, when_to_json

LUX = "Europe/Luxembourg"


def local(text: str) -> datetime:
    """'2026-11-24 14:00' as an aware Luxembourg wall time."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LUX))


SUN = local("2026-11-22 10:00")  # Sunday morning: the default "now" of the corpus
MON = local("2026-11-23 09:00")
TUE = local("2026-11-24 15:00")  # a Tuesday afternoon, after 14:00
W1, W2, M1, M3 = "FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=3"


def C(lang, phrase, start, end=None, rec=None, title=None, now=SUN, xfail=None):
    """One corpus row; end may be 'HH:MM' (same day as start) or a full local time."""
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(
        lang, phrase, start, end, rec, title, now, marks=marks, id=f"{lang}:{phrase}"
    )


# Expected values are local wall times in Europe/Luxembourg. 22 November 2026 is a Sunday.
# fmt: off
CORPUS = [
    # --- English ---
    C("en", "next Tuesday 14:00", "2026-11-24 14:00"),
    C("en", "Plenary next Tuesday 14:00 for 2h every 3 months", "2026-11-24 14:00", "16:00", M3,
      "Plenary"),
    C("en", "10/12/2026 14:00", "2026-12-10 14:00"),
    C("en", "10.12.2026 14:00", "2026-12-10 14:00"),
    C("en", "Budget hearing 2026-12-10 14:00", "2026-12-10 14:00", title="Budget hearing"),
    C("en", "in 2 hours", "2026-11-22 12:00"),
    C("en", "tonight at 8pm", "2026-11-22 20:00"),
    C("en", "14:00-16:00", "2026-11-22 14:00", "16:00"),
    C("en", "Budget review tomorrow 10:00 for 90 min", "2026-11-23 10:00", "11:30",
      title="Budget review"),
    C("en", "Call with donors tomorrow at 3pm for 1h30", "2026-11-23 15:00", "16:30",
      title="Call with donors"),
    C("en", "every week on Monday at 9:00", "2026-11-23 09:00", rec=W1),
    C("en", "Jour fixe every 2 weeks, Thursday 10am", "2026-11-26 10:00", rec=W2,
      title="Jour fixe"),
    C("en", "Coordination meeting on Wednesdays at 11", "2026-11-25 11:00", rec=W1,
      title="Coordination meeting"),
    C("en", "3pm tomorrow", "2026-11-23 15:00"),
    C("en", "tomorrow at noon", "2026-11-23 12:00"),
    C("en", "Lunch with the Ombudsman Friday noon", "2026-11-27 12:00",
      title="Lunch with the Ombudsman"),
    C("en", "Team sync at 9:30am on Thursday", "2026-11-26 09:30", title="Team sync"),
    C("en", "NEXT FRIDAY 10AM", "2026-11-27 10:00"),
    C("en", "UPR debrief on December 3rd at 2:30pm", "2026-12-03 14:30", title="UPR debrief"),
    C("en", "Workshop 3 December 2026 09:00-12:30", "2026-12-03 09:00", "12:30",
      title="Workshop"),
    C("en", "Drafting session the day after tomorrow at 16:00", "2026-11-24 16:00",
      title="Drafting session"),
    C("en", "in 30 minutes", "2026-11-22 10:30"),
    C("en", "Quick call in an hour", "2026-11-22 11:00", title="Quick call"),
    C("en", "in 3 days at 10am", "2026-11-25 10:00"),
    C("en", "in two weeks at 14:00", "2026-12-06 14:00"),
    C("en", "Strategy retreat every 3 months starting Monday 9am", "2026-11-23 09:00", rec=M3,
      title="Strategy retreat"),
    C("en", "Evaluation meeting quarterly, next Wednesday 2pm", "2026-11-25 14:00", rec=M3,
      title="Evaluation meeting"),
    C("en", "Tuesday 2pm", "2026-12-01 14:00", now=TUE),
    C("en", "Tuesday 4pm", "2026-11-24 16:00", now=TUE),
    C("en", "next Tuesday 4pm", "2026-12-01 16:00", now=TUE),
    C("en", "this Friday at 11:15", "2026-11-27 11:15"),
    C("en", "Friday afternoon at 2", "2026-11-27 14:00"),
    C("en", "Monday morning at 8:30", "2026-11-23 08:30"),
    C("en", "from 2 to 4pm on Thursday", "2026-11-26 14:00", "16:00"),
    C("en", "Thursday 2-4pm", "2026-11-26 14:00", "16:00"),
    C("en", "Dec 3 at 10am", "2026-12-03 10:00"),
    C("en", "Coffee with NGO partners tomorrow 8.30am", "2026-11-23 08:30",
      title="Coffee with NGO partners"),
    C("en", "every other week on Friday at 10:00", "2026-11-27 10:00", rec=W2),
    C("en", "Tuesday next week at 10am", "2026-12-01 10:00", now=MON),
    C("en", "Daily standup at 9:15 every day", "2026-11-23 09:15", rec="FREQ=DAILY",
      title="Daily standup"),
    C("en", "fortnightly on Tuesdays at 10", "2026-11-24 10:00", rec=W2),
    C("en", "Meeting at 3 o'clock tomorrow", "2026-11-23 15:00", title="Meeting"),
    C("en", "Tue 14:00", "2026-11-24 14:00"),
    C("en", "Board meeting 24 Dec 2026 at 9", "2026-12-24 09:00", title="Board meeting"),
    C("en", "Side event 2 March at 13:00", "2027-03-02 13:00", title="Side event"),
    C("en", "22 November 9:00", "2027-11-22 09:00"),
    C("en", "22 November 11:00", "2026-11-22 11:00"),
    C("en", "Hearing at the Chamber on 1 December from 9:30 to 11", "2026-12-01 09:30", "11:00",
      title="Hearing at the Chamber"),
    C("en", "Annual review yearly on 15 January at 10:00", "2027-01-15 10:00",
      rec="FREQ=YEARLY", title="Annual review"),
    C("en", "weekly Tuesday 2pm", "2026-11-24 14:00", rec=W1),
    C("en", "Monday the 30th at 10", "2026-11-30 10:00"),
    C("en", "on the 3rd at 2pm", "2026-12-03 14:00"),
    C("en", "tomorrow 10-11", "2026-11-23 10:00", "11:00"),
    C("en", "Follow-up call Wed 2 Dec, 10:00–11:00", "2026-12-02 10:00", "11:00",
      title="Follow-up call"),
    C("en", "quarter past 2 on Friday", "2026-11-27 14:15"),
    C("en", "Steering group first Monday of the month at 10:00", "2026-12-07 10:00",
      rec="FREQ=MONTHLY;BYDAY=1MO", title="Steering group"),
    C("en", "last Friday of the month at 15:00", "2026-11-27 15:00",
      rec="FREQ=MONTHLY;BYDAY=-1FR"),
    C("en", "Retreat Thursday 9:00 for about 3 hours", "2026-11-26 09:00", "12:00",
      title="Retreat"),
    C("en", "Follow-up on HRC resolution 52/7 tomorrow at 10", "2026-11-23 10:00",
      title="Follow-up on HRC resolution 52/7"),
    C("en", "4th periodic report Monday at 10", "2026-11-23 10:00", title="4th periodic report"),
    C("en", "board call tmrw 9am", "2026-11-23 09:00", title="board call"),
    C("en", "Wed 25 Nov 11:00-12:00 donor briefing", "2026-11-25 11:00", "12:00",
      title="donor briefing"),
    C("en", "Plenary session, Thursday December 10th, 2pm to 5pm", "2026-12-10 14:00", "17:00",
      title="Plenary session"),
    C("en", "Meeting Friday 27 November 2026 10.00-11.30", "2026-11-27 10:00", "11:30",
      title="Meeting"),
    C("en", "Webinar on 15 Dec 2026 at 10:00 CET", "2026-12-15 10:00", title="Webinar"),
    C("en", "every Monday and Wednesday at 9:00", "2026-11-23 09:00",
      rec="FREQ=WEEKLY;BYDAY=MO,WE", xfail="several weekdays in one rule are not read"),
    # --- French ---
    C("fr", "le 3 décembre à 15h", "2026-12-03 15:00"),
    C("fr", "Réunion plénière le 3 décembre à 15h pendant 2h", "2026-12-03 15:00", "17:00",
      title="Réunion plénière"),
    C("fr", "dans trois jours à 10h", "2026-11-25 10:00"),
    C("fr", "ce soir à 20h", "2026-11-22 20:00"),
    C("fr", "de 14h à 16h", "2026-11-22 14:00", "16:00"),
    C("fr", "Atelier demain à 9h pendant 2h", "2026-11-23 09:00", "11:00", title="Atelier"),
    C("fr", "tous les mois, mardi à 14h", "2026-11-24 14:00", rec=M1),
    C("fr", "chaque semaine le lundi à 9h", "2026-11-23 09:00", rec=W1),
    C("fr", "tous les 15 jours le jeudi à 10h", "2026-11-26 10:00", rec=W2),
    C("fr", "demain à 10h", "2026-11-23 10:00"),
    C("fr", "après-demain à 14h30", "2026-11-24 14:30"),
    C("fr", "apres demain 14h30", "2026-11-24 14:30"),
    C("fr", "mardi prochain à 15h", "2026-11-24 15:00"),
    C("fr", "prochain mardi 15h", "2026-11-24 15:00"),
    C("fr", "Point presse demain à 11h pendant une demi-heure", "2026-11-23 11:00", "11:30",
      title="Point presse"),
    C("fr", "Comité de pilotage, jeudi 3 décembre de 14h à 16h", "2026-12-03 14:00", "16:00",
      title="Comité de pilotage"),
    C("fr", "lundi à midi", "2026-11-23 12:00"),
    C("fr", "Déjeuner de travail vendredi midi", "2026-11-27 12:00", title="Déjeuner de travail"),
    C("fr", "demain matin à 9h30", "2026-11-23 09:30"),
    C("fr", "cet après-midi à 15h", "2026-11-22 15:00"),
    C("fr", "ce soir à 8h", "2026-11-22 20:00"),
    C("fr", "le 10/12/2026 à 14h", "2026-12-10 14:00"),
    C("fr", "le 10.12.2026 à 14h00", "2026-12-10 14:00"),
    C("fr", "dans 2 heures", "2026-11-22 12:00"),
    C("fr", "dans une semaine à 10h", "2026-11-29 10:00"),
    C("fr", "Réunion avec le ministère mercredi de 10h à 12h", "2026-11-25 10:00", "12:00",
      title="Réunion avec le ministère"),
    C("fr", "Visio avec les ONG le 1er décembre à 9h", "2026-12-01 09:00",
      title="Visio avec les ONG"),
    C("fr", "tous les mardis à 10h", "2026-11-24 10:00", rec=W1),
    C("fr", "une semaine sur deux le mardi à 14h", "2026-11-24 14:00", rec=W2),
    C("fr", "toutes les deux semaines, vendredi 11h", "2026-11-27 11:00", rec=W2),
    C("fr", "réunion mensuelle le 15 décembre à 10h", "2026-12-15 10:00", rec=M1,
      title="réunion"),
    C("fr", "Jeudi 10 décembre 2026, 9h-12h", "2026-12-10 09:00", "12:00"),
    C("fr", "AG le 12/12 à 10h", "2026-12-12 10:00", title="AG"),
    C("fr", "CA extraordinaire lundi 14h pendant 1h30", "2026-11-23 14:00", "15:30",
      title="CA extraordinaire"),
    C("fr", "Permanence juridique chaque semaine, jeudi de 14h à 17h", "2026-11-26 14:00",
      "17:00", W1, "Permanence juridique"),
    C("fr", "à 15h", "2026-11-22 15:00"),
    C("fr", "9h", "2026-11-23 09:00"),
    C("fr", "vendredi à 16h pendant 45 minutes", "2026-11-27 16:00", "16:45"),
    C("fr", "RDV mercredi prochain 9h", "2026-11-25 09:00", title="RDV"),
    C("fr", "tous les 3 mois, le mardi à 14h", "2026-11-24 14:00", rec=M3),
    C("fr", "LE 3 DÉCEMBRE À 15H", "2026-12-03 15:00"),
    C("fr", "demain à 14h pendant une heure et demie", "2026-11-23 14:00", "15:30"),
    C("fr", "mardi 14h", "2026-12-01 14:00", now=TUE),
    C("fr", "mardi de la semaine prochaine à 10h", "2026-12-01 10:00", now=MON),
    C("fr", "Formation tous les jours à 8h30", "2026-11-23 08:30", rec="FREQ=DAILY",
      title="Formation"),
    C("fr", "Conférence de presse à 11h le 4 décembre", "2026-12-04 11:00",
      title="Conférence de presse"),
    C("fr", "hebdomadaire, le mercredi à 9h", "2026-11-25 09:00", rec=W1),
    C("fr", "ce mardi à 18h", "2026-11-24 18:00"),
    C("fr", "samedi de 9h30 à 12h30", "2026-11-28 09:30", "12:30"),
    C("fr", "Bilan trimestriel le 2 mars à 10h", "2027-03-02 10:00", rec=M3, title="Bilan"),
    C("fr", "le 3 à 15h", "2026-12-03 15:00"),
    C("fr", "Réunion des deux ministères demain à 10h", "2026-11-23 10:00",
      title="Réunion des deux ministères"),
    C("fr", "vendredi à 15h et quart", "2026-11-27 15:15"),
    C("fr", "dans 15 jours à 10h", "2026-12-06 10:00"),
    C("fr", "Comité le dernier vendredi du mois de 14h à 16h", "2026-11-27 14:00", "16:00",
      "FREQ=MONTHLY;BYDAY=-1FR", "Comité"),
    C("fr", "reunion jeudi prochain a 14h", "2026-11-26 14:00", title="reunion"),
    C("fr", "Réunion du Haut-Commissariat demain à 10h", "2026-11-23 10:00",
      title="Réunion du Haut-Commissariat"),
    C("fr", "Examen du 2e rapport demain à 10h", "2026-11-23 10:00", title="Examen du 2e rapport"),
    C("fr", "RDV lundi 30/11 à 10h30 au ministère", "2026-11-30 10:30", title="RDV au ministère"),
    C("fr", "Comité de suivi tous les premiers mardis du mois à 10h", "2026-12-01 10:00",
      rec="FREQ=MONTHLY;BYDAY=1TU", title="Comité de suivi"),
    C("fr", "Séminaire du 3 au 5 décembre à 9h", "2026-12-03 09:00", "2026-12-05 09:00",
      title="Séminaire", xfail="date ranges over several days are not read"),
    # --- German ---
    C("de", "am 3. Dezember um 15 Uhr", "2026-12-03 15:00"),
    C("de", "übermorgen um 16 Uhr", "2026-11-24 16:00"),
    C("de", "heute Abend um 20 Uhr", "2026-11-22 20:00"),
    C("de", "von 14 bis 16 Uhr", "2026-11-22 14:00", "16:00"),
    C("de", "Workshop morgen um 10 Uhr für 2 Stunden", "2026-11-23 10:00", "12:00",
      title="Workshop"),
    C("de", "alle 2 Wochen Dienstag 14 Uhr", "2026-11-24 14:00", rec=W2),
    C("de", "jede Woche Montag 9 Uhr", "2026-11-23 09:00", rec=W1),
    C("de", "monatlich, Dienstag 15 Uhr", "2026-11-24 15:00", rec=M1),
    C("de", "morgen um 15.30 Uhr", "2026-11-23 15:30"),
    C("de", "in einer Woche um 10 Uhr", "2026-11-29 10:00"),
    C("de", "nächsten Dienstag um 14 Uhr", "2026-11-24 14:00"),
    C("de", "kommenden Donnerstag 10 Uhr", "2026-11-26 10:00"),
    C("de", "Dienstag nächste Woche um 10 Uhr", "2026-12-01 10:00", now=MON),
    C("de", "am Freitag um 12 Uhr mittags", "2026-11-27 12:00"),
    C("de", "Mittagessen morgen Mittag", "2026-11-23 12:00", title="Mittagessen"),
    C("de", "morgen früh um 8", "2026-11-23 08:00"),
    C("de", "Dienstagnachmittag um 3", "2026-11-24 15:00"),
    C("de", "heute Nachmittag um 3", "2026-11-22 15:00"),
    C("de", "um halb drei", "2026-11-22 14:30"),
    C("de", "Sitzung der Arbeitsgruppe am Donnerstag, 3. Dezember, von 14 bis 16 Uhr",
      "2026-12-03 14:00", "16:00", title="Sitzung der Arbeitsgruppe"),
    C("de", "Jour fixe jeden Montag um 9 Uhr für eine halbe Stunde", "2026-11-23 09:00",
      "09:30", W1, "Jour fixe"),
    C("de", "am 10.12.2026 um 14 Uhr", "2026-12-10 14:00"),
    C("de", "am 3.12. um 9 Uhr", "2026-12-03 09:00"),
    C("de", "in 2 Stunden", "2026-11-22 12:00"),
    C("de", "in drei Tagen um 11 Uhr", "2026-11-25 11:00"),
    C("de", "dienstags um 10 Uhr", "2026-11-24 10:00", rec=W1),
    C("de", "zweiwöchentlich donnerstags 9:30", "2026-11-26 09:30", rec=W2),
    C("de", "alle 14 Tage mittwochs um 14 Uhr", "2026-11-25 14:00", rec=W2),
    C("de", "Workshop 2 Stunden lang morgen 9 Uhr", "2026-11-23 09:00", "11:00",
      title="Workshop"),
    C("de", "Besprechung Freitag 11:00-12:30", "2026-11-27 11:00", "12:30", title="Besprechung"),
    C("de", "Telefonkonferenz mit dem Ministerium am Mittwoch um 14:30", "2026-11-25 14:30",
      title="Telefonkonferenz mit dem Ministerium"),
    C("de", "Treffen um 15.30 Uhr am Freitag", "2026-11-27 15:30", title="Treffen"),
    C("de", "morgen 14-16 Uhr", "2026-11-23 14:00", "16:00"),
    C("de", "zwischen 10 und 12 Uhr am Montag", "2026-11-23 10:00", "12:00"),
    C("de", "MORGEN UM 9 UHR", "2026-11-23 09:00"),
    C("de", "uebermorgen um 10 Uhr", "2026-11-24 10:00"),
    C("de", "naechsten Freitag 10 Uhr fuer 1 Stunde", "2026-11-27 10:00", "11:00"),
    C("de", "Donnerstag 9 bis 11 Uhr", "2026-11-26 09:00", "11:00"),
    C("de", "heute um 18 Uhr", "2026-11-22 18:00"),
    C("de", "am Montag, den 7. Dezember um 10 Uhr", "2026-12-07 10:00"),
    C("de", "wöchentlich am Mittwoch um 9", "2026-11-25 09:00", rec=W1),
    C("de", "Jahresversammlung am 15.01.2027 um 18 Uhr", "2027-01-15 18:00",
      title="Jahresversammlung"),
    C("de", "Dienstag 14 Uhr", "2026-12-01 14:00", now=TUE),
    C("de", "Vorstand jede zweite Woche Donnerstag 10 Uhr", "2026-11-26 10:00", rec=W2,
      title="Vorstand"),
    C("de", "vierteljährlich am Mittwoch, 2. Dezember um 10 Uhr", "2026-12-02 10:00", rec=M3),
    C("de", "Abendessen heute um 19:30 Uhr", "2026-11-22 19:30", title="Abendessen"),
    C("de", "morgen von 9 bis 12 Uhr", "2026-11-23 09:00", "12:00"),
    C("de", "in einer Stunde", "2026-11-22 11:00"),
    C("de", "Sitzung Montag 10 Uhr, Dauer 90 Minuten", "2026-11-23 10:00", "11:30",
      title="Sitzung"),
    C("de", "Stammtisch jeden Donnerstag um 19 Uhr", "2026-11-26 19:00", rec=W1,
      title="Stammtisch"),
    C("de", "am 3. um 15 Uhr", "2026-12-03 15:00"),
    C("de", "Donnerstag um viertel nach 10", "2026-11-26 10:15"),
    C("de", "Mittwoch 10 Uhr ca. 2 Stunden", "2026-11-25 10:00", "12:00"),
    C("de", "in zwei Wochen am Montag um 9", "2026-12-07 09:00"),
    C("de", "jeden ersten Montag im Monat um 10 Uhr", "2026-12-07 10:00",
      rec="FREQ=MONTHLY;BYDAY=1MO"),
    C("de", "AG Mo 7.12. 9:30", "2026-12-07 09:30", title="AG"),
    C("de", "Besprechung am Do., 26.11., 14 Uhr", "2026-11-26 14:00", title="Besprechung"),
    C("de", "Workshop übernächsten Montag 10 Uhr", "2026-11-30 10:00", title="Workshop"),
    C("de", "Kaffee um 10 Uhr 30 morgen", "2026-11-23 10:30", title="Kaffee"),
    C("de", "Mittwoch, 2. Dezember 2026, 9–12 Uhr", "2026-12-02 09:00", "12:00"),
    C("de", "Nachbereitung Resolution 12/3 morgen um 10 Uhr", "2026-11-23 10:00",
      title="Nachbereitung Resolution 12/3"),
    # --- Luxembourgish (where dateparser has the words) and mixed languages ---
    C("lb", "muer um 10 Auer", "2026-11-23 10:00"),
    C("lb", "iwwermuer um 14 Auer", "2026-11-24 14:00"),
    C("lb", "Versammlung den 3. Dezember um 15 Auer", "2026-12-03 15:00", title="Versammlung"),
    C("lb", "Dënschdeg um 14 Auer", "2026-11-24 14:00"),
    C("en", "Plenary le 3 décembre at 3pm", "2026-12-03 15:00", title="Plenary"),
    C("fr", "Réunion morgen um 10 Uhr pendant 1h", "2026-11-23 10:00", "11:00",
      title="Réunion"),
    # --- around the DST changes (29 March and 25 October 2026) ---
    C("en", "14:00 every 2 weeks", "2026-03-27 14:00", rec=W2, now=local("2026-03-27 10:00")),
    C("de", "Sonntag 14 Uhr", "2026-03-29 14:00", now=local("2026-03-27 10:00")),
    C("fr", "dimanche à 14h pendant 2h", "2026-10-25 14:00", "16:00",
      now=local("2026-10-23 10:00")),
    C("en", "14:00 every 2 weeks", "2026-10-23 14:00", rec=W2, now=local("2026-10-23 10:00")),
]
# fmt: on


def _check(lang, phrase, start, end, rec, title, now) -> When:
    """Parse a corpus phrase and assert every field is as expected."""
    when = parse_when(phrase, lang=lang, now=now)
    expected_end = None
    if end:
        expected_end = local(end if len(end) > 5 else f"{start[:10]} {end}")
    assert (when.start, when.end, when.recurrence, when.title) == (
        local(start),
        expected_end,
        rec,
        title,
    )
    assert str(when.start.tzinfo) == LUX
    return when


@pytest.mark.parametrize(("lang", "phrase", "start", "end", "rec", "title", "now"), CORPUS)
def test_corpus(lang, phrase, start, end, rec, title, now):
    _check(lang, phrase, start, end, rec, title, now)


def test_corpus_success_ratio():
    """At least 120 phrases, about 40 per language, and >= 96 % parsed exactly right."""
    ok = 0
    for param in CORPUS:
        try:
            _check(*param.values)
            ok += 1
        except (AssertionError, WhenError):
            pass
    per_lang = {lg: sum(p.values[0] == lg for p in CORPUS) for lg in ("en", "fr", "de")}
    print(f"\nwhen corpus: {ok}/{len(CORPUS)} = {ok / len(CORPUS):.1%} exact; {per_lang}")
    assert len(CORPUS) >= 120 and min(per_lang.values()) >= 40
    assert ok / len(CORPUS) >= 0.96


@pytest.mark.parametrize(
    ("phrase", "now"),
    [
        ("14:00 every 2 weeks", "2026-03-20 09:00"),
        ("14:00 every 2 weeks", "2026-10-16 09:00"),
    ],
)
def test_rrule_keeps_local_time_across_dst(phrase, now):
    when = parse_when(phrase, now=local(now))
    assert when.start == local(now[:10] + " 14:00")
    rule = rrulestr(when.recurrence, dtstart=when.start)
    occurrences = list(rule[:4])
    assert {d.strftime("%H:%M") for d in occurrences} == {"14:00"}
    offsets = {d.utcoffset() for d in occurrences}
    assert len(offsets) == 2  # the series crosses a DST change yet stays at 14:00 local
    change = date(2026, 3, 29) if now.startswith("2026-03") else date(2026, 10, 25)
    assert occurrences[0].date() < change < occurrences[-1].date()


def test_dst_gap_and_elapsed_time():
    # 02:30 does not exist on 29 March 2026: it moves forward to 03:30 CEST
    gap = parse_when("Sunday 02:30", now=local("2026-03-27 10:00"))
    assert gap.start.isoformat() == "2026-03-29T03:30:00+02:00"
    # "in 2 hours" is real time: 01:30 CET + 2 h is 04:30 CEST
    soon = parse_when("in 2 hours", now=local("2026-03-29 01:30"))
    assert soon.start.isoformat() == "2026-03-29T04:30:00+02:00"
    # a 2 h meeting during the autumn change ends 2 real hours later
    # (same-zone datetime subtraction in Python is wall-clock, so compare in UTC)
    night = parse_when("Sunday 01:30 for 2h", now=local("2026-10-23 10:00"))
    assert night.end.astimezone(UTC) - night.start.astimezone(UTC) == timedelta(hours=2)
    assert night.end.strftime("%H:%M") == "02:30"
    assert night.start.utcoffset() != night.end.utcoffset()


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("", "unparsed"),
        ("   ", "unparsed"),
        ("blah blah", "unparsed"),
        ("asdf qwerty zxcv", "unparsed"),
        ("Plenary", "unparsed"),
        ("32/13/2026 14:00", "invalid_date"),
        ("31/11 14:00", "invalid_date"),
        ("10/13/2026 14:00", "invalid_date"),  # day-first: no silent month/day swap
        ("31 novembre à 10h", "invalid_date"),
        ("30 février 14h", "invalid_date"),
        ("3 December", "no_time"),
        ("le 3 décembre", "no_time"),
        ("am 3. Dezember", "no_time"),
        ("10/12/2026", "no_time"),
        ("morgen", "no_time"),
        ("next Tuesday", "no_time"),
        ("tomorrow morning", "no_time"),
        ("every 3 months", "no_time"),
    ],
)
def test_errors(phrase, reason):
    with pytest.raises(WhenError) as info:
        parse_when(phrase, now=SUN)
    assert info.value.reason == reason
    assert info.value.phrase == phrase


@pytest.mark.parametrize(
    ("phrase", "room", "start"),
    [
        # said on Tuesday 24 November at 15:00: plain weekday = next such day (today if
        # still ahead), "next"/"prochain"/"nächsten" = the coming one, never today
        ("Tuesday 16:00", "en", "2026-11-24 16:00"),
        ("this Tuesday 16:00", "en", "2026-11-24 16:00"),
        ("next Tuesday 16:00", "en", "2026-12-01 16:00"),
        ("mardi prochain 16h", "fr", "2026-12-01 16:00"),
        ("prochain mardi 16h", "fr", "2026-12-01 16:00"),
        ("nächsten Dienstag 16 Uhr", "de", "2026-12-01 16:00"),
        ("kommenden Dienstag 16 Uhr", "de", "2026-12-01 16:00"),
        ("next Wednesday 9:00", "en", "2026-11-25 09:00"),
        ("Tuesday 9:00", "en", "2026-12-01 09:00"),  # already past today
        ("9:00", "en", "2026-11-25 09:00"),  # a time alone: tomorrow once past
        ("today 9:00", "en", "2026-11-24 09:00"),  # an explicit day stays, even if past
        ("10/12/2020 14:00", "en", "2020-12-10 14:00"),
        ("24 November 9:00", "en", "2027-11-24 09:00"),  # yearless date: next occurrence
        ("Tuesday 3/12 14:00", "en", "2026-12-01 14:00"),  # disagreeing number: title
    ],
)
def test_conventions(phrase, room, start):
    assert parse_when(phrase, lang=room, now=TUE).start == local(start)


@pytest.mark.parametrize(
    ("phrase", "room", "start", "title"),
    [
        # said on Sunday 22 November 2026 at 10:00: past days stay past (callers refuse them)
        ("yesterday 10:00", "en", "2026-11-21 10:00", None),
        ("Budget yesterday 10:00", "en", "2026-11-21 10:00", "Budget"),
        ("yesterday evening at 8", "en", "2026-11-21 20:00", None),
        ("the day before yesterday at 9", "en", "2026-11-20 09:00", None),
        ("last Monday 10:00", "en", "2026-11-16 10:00", None),
        ("last Sunday at 10:00", "en", "2026-11-15 10:00", None),  # never today
        ("last Saturday 10:00", "en", "2026-11-21 10:00", None),
        ("hier à 10h", "fr", "2026-11-21 10:00", None),
        ("hier soir à 20h", "fr", "2026-11-21 20:00", None),
        ("avant-hier à 9h", "fr", "2026-11-20 09:00", None),
        ("lundi dernier à 10h", "fr", "2026-11-16 10:00", None),
        ("Réunion vendredi passé 14h", "fr", "2026-11-20 14:00", "Réunion"),
        ("gestern um 10 Uhr", "de", "2026-11-21 10:00", None),
        ("gestern Abend um 8", "de", "2026-11-21 20:00", None),
        ("vorgestern 9 Uhr", "de", "2026-11-20 09:00", None),
        ("letzten Montag um 10 Uhr", "de", "2026-11-16 10:00", None),
        ("vergangenen Freitag 14 Uhr", "de", "2026-11-20 14:00", None),
        ("gëschter um 10 Auer", "de", "2026-11-21 10:00", None),
        ("hier à 10h", "en", "2026-11-21 10:00", None),  # French in an English room
        ("gestern um 10 Uhr", "fr", "2026-11-21 10:00", None),
        # German "hier" is "here": in a German room, and next to another day in any room
        ("Treffen hier um 10 Uhr", "de", "2026-11-22 10:00", "Treffen hier"),
        ("Treffen hier morgen um 10 Uhr", "de", "2026-11-23 10:00", "Treffen hier"),
        ("Treffen hier morgen um 10 Uhr", "en", "2026-11-23 10:00", "Treffen hier"),
        ("Réunion d'hier, suite demain 10h", "fr", "2026-11-23 10:00", "Réunion d'hier, suite"),
        # "last" of the month is still a monthly rule, not a past day
        ("last Friday of the month at 15:00", "en", "2026-11-27 15:00", None),
        ("jeden letzten Freitag im Monat um 15 Uhr", "de", "2026-11-27 15:00", None),
    ],
)
def test_past_days(phrase, room, start, title):
    when = parse_when(phrase, lang=room, now=SUN)
    assert (when.start, when.title) == (local(start), title)


@pytest.mark.parametrize(
    "phrase",
    [
        "in 9000 years at 10:00",
        "Test in 9000 years at 10:00",
        "Test in 99999999 days at 10:00",
        "Test tomorrow 10:00 for 9999999999 hours",
        "in 101 years at 10:00",
        "dans 9000 ans à 10h",
        "in 9000 Jahren um 10 Uhr",
        "31/12/9999 23:30",
        "in " + "9" * 5000 + " days at 10:00",
        "every " + "9" * 400 + " weeks at 10:00",
    ],
)
def test_too_far_is_out_of_range(phrase):
    with pytest.raises(WhenError) as info:
        parse_when(phrase, now=SUN)
    assert info.value.reason == "out_of_range"
    assert parse_when("in 99 years at 10:00", now=SUN).start == local("2125-11-22 10:00")


def test_a_now_at_the_end_of_the_calendar_is_out_of_range_not_an_overflow():
    with pytest.raises(WhenError) as info:
        parse_when("tomorrow 10:00", now=datetime(9999, 12, 31, 12, 0))
    assert info.value.reason == "out_of_range"


@pytest.mark.parametrize(
    ("phrase", "room", "start"),
    [
        ("le 3 décembre à 15h", "en", "2026-12-03 15:00"),  # French in an English room
        ("le 3 décembre à 15h", "FR", "2026-12-03 15:00"),  # case and region are ignored
        ("am 3. Dezember um 15 Uhr", "de-LU", "2026-12-03 15:00"),
        ("mardi prochain à 14h", "de", "2026-11-24 14:00"),  # French in a German room
        ("am 3. Dezember um 15 Uhr", "fr", "2026-12-03 15:00"),  # German in a French room
        ("übermorgen um 16 Uhr", "en", "2026-11-24 16:00"),  # German in an English room
        ("next Tuesday 14:00", "fr", "2026-11-24 14:00"),  # English in a French room
        ("tomorrow at 3pm", "de", "2026-11-23 15:00"),  # English in a German room
    ],
)
def test_room_language_is_only_a_hint(phrase, room, start):
    assert parse_when(phrase, lang=room, now=SUN).start == local(start)


def test_abbreviations_follow_the_room_language():
    assert parse_when("Di. 14 Uhr", lang="de", now=SUN).start == local("2026-11-24 14:00")
    assert parse_when("mar. 15h", lang="fr", now=SUN).start == local("2026-11-24 15:00")
    # in an English room "Di." is not a weekday: it stays in the title
    english = parse_when("Di. 14 Uhr", lang="en", now=SUN)
    assert (english.start, english.title) == (local("2026-11-22 14:00"), "Di")


def test_when_to_json():
    when = parse_when("Plenary next Tuesday 14:00 for 2h every 3 months", now=SUN)
    assert when_to_json(when) == {
        "start": "2026-11-24T14:00:00+01:00",
        "end": "2026-11-24T16:00:00+01:00",
        "recurrence": "FREQ=MONTHLY;INTERVAL=3",
        "title": "Plenary",
    }
    bare = when_to_json(parse_when("15h", now=SUN))
    assert bare == {
        "start": "2026-11-22T15:00:00+01:00",
        "end": None,
        "recurrence": None,
        "title": None,
    }


def test_other_zone_and_naive_now():
    when = parse_when("tomorrow 9:00", tz="America/New_York", now=datetime(2026, 7, 1, 12, 0))
    assert when.start.isoformat() == "2026-07-02T09:00:00-04:00"


def test_speed_after_warm_up():
    parse_when("le 3 décembre à 15h", now=SUN)  # dateparser's first call loads its data
    phrases = [p.values for p in CORPUS]
    began = time.perf_counter()
    for lang, phrase, *_rest, now in phrases:
        parse_when(phrase, lang=lang, now=now)
    per_parse = (time.perf_counter() - began) / len(phrases)
    assert per_parse < 0.05


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["en", "fr", "de", "lb", "xx"]))
def test_any_text_gives_a_when_or_a_when_error(text, lang):
    try:
        when = parse_when(text, lang=lang, now=SUN)
    except WhenError as error:
        reasons = ("unparsed", "no_time", "invalid_date", "out_of_range")
        assert error.phrase == text and error.reason in reasons
    else:
        assert str(when.start.tzinfo) == LUX
        assert when.end is None or when.end > when.start
        assert when.title is None or when.title == when.title.strip() != ""
        assert all(word.strip() for word in when.ignored)  # what was ignored, as typed
        assert when.zone is None or str(ZoneInfo(when.zone)) == when.zone


VOCABULARY = [
    "next", "Tuesday", "tuesdays", "14:00", "for", "2h", "every", "3", "months", "le", "décembre",
    "à", "15h", "the day after tomorrow", "half  an", "hour", "viertel  nach", "halb", "de", "bis",
    "-", "von", "um", "10", "Uhr", "12/12", "31.02.", "2026-02-30", "pm", "am", "Dienstag",
    "nächste  Woche", "tous  les", "15", "jours", "une semaine sur deux", "et quart", "midi",
    "Mittag", "morgen", "heute", "abend", "ce", "soir", "in", "dans", "an", "ca.", "lang", "first",
    "Monday", "of the month", "0", "24:00", "12am", "13pm", "99", "1h30", "90 min", ",", "(",
]  # fmt: skip
NOWS = [SUN, local("2026-03-29 01:30"), local("2026-10-25 02:30"), local("2028-02-28 23:59")]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8),
    st.sampled_from([" ", "  ", "\n", "\t"]),
    st.sampled_from(NOWS),
)
def test_vocabulary_soup_gives_a_when_or_a_when_error(words, space, now):
    try:
        when = parse_when(space.join(words), now=now)
    except WhenError:
        return
    assert when.end is None or when.end > when.start
    assert when.title is None or when.title == when.title.strip() != ""
