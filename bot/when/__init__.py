"""Understand meeting times typed in English, French, German (and some Luxembourgish).

How a phrase is read: fold the text (lower case, no accents, one character per character so
every match maps back onto the original), cut out the pieces we know with regexes built from
the word tables (ISO time, recurrence, day counted from a day, relative offset, duration,
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
- Zones: abbreviations (UTC, GMT, CET/CEST, MEZ/MESZ, BST, EST/EDT, PST/PDT.. in zones.py;
  in capitals, UTC and GMT in any case; the summer and winter names both mean the zone as
  observed that day; "EST", "ET", "CT", "PT" only right after a time and in a phrase not all
  in capitals, being French words too), UTC+2 / GMT-5,
  IANA names (Europe/London), "London time", "heure de Paris", "Berliner Zeit", "Ortszeit
  London", "Eastern time", "heure française" (zones.py). The day is the room's
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

Modules: words (word tables, folding), zones (zones said in words), iso (ISO date-times), scan
(the phrase being cut), grammar (the regexes), times (clock times, amounts, recurrences),
phrases (parse_when: the pieces read and combined). Names with "_" are private to the package.
"""

from bot.when.phrases import HORIZON, When, WhenError, parse_when, split_length, when_to_json

__all__ = ["HORIZON", "When", "WhenError", "parse_when", "split_length", "when_to_json"]
