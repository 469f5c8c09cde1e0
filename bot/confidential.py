"""Confidentiality rules shared by the minutes, attendance and `!forget me`
(commands/confidential.py):

- A **Chatham House** meeting (`!startmeeting <title> --chatham`) stores no sender for its log
  lines and items (the rows have none). While it runs, who is present is known (to count them
  once, and to let chairs chair); when it ends, its attendance becomes counts per organisation
  (members without one counted, not named) and every row that named someone in it loses the
  name: attendees and marks are deleted, apologies keep their organisation only, the chairs,
  the starter and whoever ended it are forgotten, its action items keep their assignees (an
  action needs an owner) but not their creator.
- `!minutes <id> <format> --unattributed` shows an ordinary meeting's minutes the same way,
  at render time (`unattributed`).
- An item erased at its author's request reads "(removed at the author's request)".
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from bot.attendance import Attendance, Excused, Present, organisation_key, present
from bot.i18n import N_, translator
from bot.ids import USER_ID
from bot.minutes.items import Minutes, VoteEntry
from bot.parsing import UsageError, split_args
from storage.confidential import ConfidentialRepository
from storage.models import MinutesItem, MinutesMeeting

CHATHAM = "--chatham"
UNATTRIBUTED = "--unattributed"
ERASED = N_("(removed at the author's request)")


def take_flag(raw: str, flag: str) -> tuple[str, bool]:
    """The argument text without a flag word (wherever it is, any case), and whether it was
    there. Quoted words are left alone: a title may say "--chatham" in quotes."""
    words = raw.split()
    if not any(w.lower() == flag for w in words):
        return raw, False
    if any(w.lower() == flag for w in _quoted_words(raw)):
        return raw, False
    return " ".join(w for w in words if w.lower() != flag), True


def _quoted_words(raw: str) -> list[str]:
    """The words inside quotes (a flag among them is text, not a flag)."""
    try:
        parts = split_args(raw)
    except UsageError:  # an unclosed quote: the command's own parser says so
        return []
    return [w for part in parts if " " in part for w in part.split()]


def item_text(row: MinutesItem, erased: set[int], language: str) -> str:
    """The text an item's row gives the minutes: its own, or the erased item's mark."""
    if row.id not in erased:
        return row.text
    return translator(language)(ERASED)


# --- Attendance without names -----------------------------------------------------------------


def counts_of(attendance: Attendance) -> list[tuple[str | None, int]]:
    """(organisation, members present) in the minutes' order, then (None, those without one)."""
    found: list[tuple[str | None, int]] = [
        (organisation, len(people)) for organisation, people in attendance.by_organisation()
    ]
    without = len(attendance.without_organisation)
    if without:
        found.append((None, without))
    return found


def counted(attendance: Attendance, counts: list[tuple[str | None, int]]) -> Attendance:
    """An attendance of nameless members from counts (what a Chatham House meeting keeps)."""
    people = tuple(
        Present("", "", organisation, ())
        for organisation, members in counts
        for _n in range(members)
    )
    return replace(attendance, present=people, unnamed=True)


def unnamed(attendance: Attendance | None) -> Attendance | None:
    """The same attendance with nobody named: members become counts; an apology keeps only
    its organisation (one per organisation; a member's without one is not kept)."""
    if attendance is None or attendance.unnamed:
        return attendance
    apologies: list[Excused] = []
    seen: set[str] = set()
    for excused in attendance.apologies:
        if excused.organisation is None:
            continue
        key = organisation_key(excused.organisation)
        if key not in seen:
            seen.add(key)
            apologies.append(Excused(None, None, excused.organisation))
    return replace(
        counted(attendance, counts_of(attendance)), apologies=tuple(apologies), unnamed=True
    )


def unattributed(minutes: Minutes) -> Minutes:
    """The minutes with nobody named: no author, sender, starter or chair; attendance by
    organisation as counts. Action items keep their assignees (and the approval its approver)."""
    return replace(
        minutes,
        started_by="",
        chairs=(),
        items=tuple(
            replace(item, author="", vote=_nameless_vote(item.vote)) for item in minutes.items
        ),
        lines=tuple(replace(line, sender="") for line in minutes.lines),
        attendance=unnamed(minutes.attendance),
        errata=tuple(replace(e, author="", accepted_by="") for e in minutes.errata),
    )


def _nameless_vote(vote: VoteEntry | None) -> VoteEntry | None:
    """A vote's voters without people (organisations of a per-organisation vote stay)."""
    if vote is None:
        return None
    voters = {a: tuple("" if USER_ID.match(v) else v for v in vs) for a, vs in vote.voters.items()}
    return replace(vote, voters=voters)


# --- A Chatham House meeting ends -----------------------------------------------------------


def close_chatham(session: Session, meeting: MinutesMeeting) -> None:
    """Once its attendance is closed (bot/attendance.py `close_attendance`): keep it as counts
    and forget every name the meeting's rows held."""
    repo = ConfidentialRepository(session)
    if repo.has_counts(meeting.id):
        return
    repo.keep_counts_only(meeting, counts_of(present(session, meeting, as_kept=False)))
