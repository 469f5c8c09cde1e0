"""What a find-a-time says, shared by its commands (commands/findtime.py) and its timers
(commands/findtime_closing.py): its slot polls, the grid of answers and the best slot, its
closing and its reminder.

A find-a-time asks each candidate slot as its own single-choice poll, Yes / If need be / No:
Element Web, Desktop and iOS let a member choose only one answer of a multi-select poll. Each
slot poll is counted as every poll is (bot/polls.py: a member's latest answer counts; answers
sent while the bot was down are fetched before the close).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.format import join_list, joined, show_span, show_time
from bot.i18n import N_, Translate, translator
from bot.msc3381 import POLL_END, POLL_START, TEXT, Answer, end_content, start_content
from bot.polls import current_tally, end_text
from bot.replies import (
    Event,
    Line,
    Message,
    Purpose,
    PurposeKind,
    Reply,
    bold,
    code,
    echo,
    fmt,
    mention,
)
from bot.rooms import RoomSettings
from bot.turnout import length, members_known, not_voted, not_voted_line
from storage.findtime_models import FindTime, FindTimeSlot
from storage.findtimes import FindTimeRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.polls import PollRepository
from storage.status import PollStatus

MIN_SLOTS, MAX_SLOTS = 2, 12
YES, MAYBE, NO = "yes", "maybe", "no"
# The answers of every slot poll, in order: their ids (what responses name) and texts.
ANSWERS = ((YES, N_("Yes")), (MAYBE, N_("If need be")), (NO, N_("No")))
MARKS = {YES: "✓", MAYBE: "(✓)", NO: "✗"}
NO_ANSWER = "·"


def slot_answers(_: Translate) -> list[dict[str, str]]:
    """A slot poll's answers in the room's language."""
    return [{"id": answer_id, "text": _(text)} for answer_id, text in ANSWERS]


def slot_label(slot: FindTimeSlot, zone: str, language: str) -> str:
    """ "2. Thu, 3 Dec 2026, 15:00–16:00 (Europe/Luxembourg)"."""
    return f"{slot.slot}. {show_span(slot.start_at, slot.end_at, zone, language)}"


# --- The slot polls, in the thread of the header ---------------------------------------------


def slot_polls(session: Session, findtime: FindTime, header_event_id: str) -> list[Event]:
    """Each slot's single-choice poll, in the thread of the find-a-time's header (apps without
    threads show them as replies to it); their text fallback says how to answer."""
    _ = translator(findtime.language)
    slots = FindTimeRepository(session).slots(findtime.id)
    events = []
    for slot, poll in slots:
        answers = [Answer(a["id"], a["text"]) for a in poll.answers]
        content = start_content(poll.question, answers, max_selections=1, disclosed=True)
        about = _("Find a time #{id} ({title}), slot {slot} of {count}: {when}").format(
            id=findtime.short_id,
            title=findtime.title,
            slot=slot.slot,
            count=len(slots),
            when=poll.question,
        )
        how = _(
            "Answer in the poll (Element and most Matrix apps show it); your latest answer counts."
        )
        numbered = [f"{n}. {a.text}" for n, a in enumerate(answers, 1)]
        content[TEXT] = "\n".join([about, *numbered, how])
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": header_event_id,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": header_event_id},
        }
        events.append(Event(POLL_START, content, Purpose(PurposeKind.POLL_START, poll.id)))
    return events


# --- The answers, slot by slot ------------------------------------------------------------


@dataclass(frozen=True)
class SlotAnswers:
    """One slot and each member's counted answer to its poll (yes, maybe or no)."""

    slot: FindTimeSlot
    answers: dict[str, str]

    def count(self, answer: str) -> int:
        return sum(1 for given in self.answers.values() if given == answer)

    @property
    def score(self) -> tuple[int, int]:
        """How good it is: most yes + if need be, then most yes."""
        return self.count(YES) + self.count(MAYBE), self.count(YES)


def answers_of(session: Session, findtime: FindTime) -> list[SlotAnswers]:
    """Every slot with the answers counted so far (or at the close), slot 1 first."""
    found = []
    for slot, poll in FindTimeRepository(session).slots(findtime.id):
        counted = current_tally(session, poll)
        given = {user: answer for answer, users in counted.voters.items() for user in users}
        found.append(SlotAnswers(slot, given))
    return found


def best_slots(slots: list[SlotAnswers]) -> list[SlotAnswers]:
    """The best slot first, then those as good (most yes + if need be, then most yes; the
    earliest first); none when nobody can come to any."""
    top = max((s.score for s in slots), default=(0, 0))
    if top[0] == 0:
        return []
    return sorted(
        (s for s in slots if s.score == top), key=lambda s: (s.slot.start_at, s.slot.slot)
    )


def respondents(slots: list[SlotAnswers]) -> list[str]:
    """Who answered at least one slot, by user id."""
    return sorted({user for s in slots for user in s.answers})


def waiting_for(session: Session, findtime: FindTime, slots: list[SlotAnswers]) -> list[str] | None:
    """The room's joined members who answered no slot at all; None while they are not known."""
    if not members_known(session, findtime.room_id):
        return None
    return not_voted(session, findtime.room_id, respondents(slots))


def incomplete(session: Session, findtime: FindTime, slots: list[SlotAnswers]) -> list[str]:
    """The room's joined members who have not answered every slot (those reminded)."""
    if not members_known(session, findtime.room_id):
        return []
    missing: set[str] = set()
    for answered in slots:
        missing.update(not_voted(session, findtime.room_id, answered.answers))
    return sorted(missing)


# --- The grid -------------------------------------------------------------------------------


def _counts(answered: SlotAnswers, _: Translate) -> str:
    return _("{yes} yes, {maybe} if need be, {no} no").format(
        yes=answered.count(YES), maybe=answered.count(MAYBE), no=answered.count(NO)
    )


def _table(
    slots: list[SlotAnswers], people: list[str], names: dict[str, str], room: RoomSettings
) -> str:
    """The grid as an HTML table: a row per slot, a column per member who answered, ✓ (✓) ✗,
    then the counts."""
    _ = room._
    cells = [f"<th>{html.escape(_('Slot'), quote=False)}</th>"]
    cells += [f"<th>{mention(user, names.get(user)).html}</th>" for user in people]
    cells += [f"<th>{html.escape(mark, quote=False)}</th>" for mark in MARKS.values()]
    rows = [f"<tr>{''.join(cells)}</tr>"]
    for answered in slots:
        label = slot_label(answered.slot, room.timezone, room.language)
        row = [f"<td>{html.escape(label, quote=False)}</td>"]
        for user in people:
            mark = MARKS.get(answered.answers.get(user, ""), NO_ANSWER)
            row.append(f"<td>{html.escape(mark, quote=False)}</td>")
        row += [f"<td>{answered.count(answer)}</td>" for answer in MARKS]
        rows.append(f"<tr>{''.join(row)}</tr>")
    return f"<table><thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>"


def _slot_line(
    answered: SlotAnswers, people: list[str], names: dict[str, str], room: RoomSettings
) -> str:
    """A slot as the plain text shows it: its counts, then each member's answer."""
    label = slot_label(answered.slot, room.timezone, room.language)
    line = f"{label}: {_counts(answered, room._)}"
    given = [
        f"{echo(names.get(user, user))} {MARKS[answered.answers[user]]}"
        for user in people
        if user in answered.answers
    ]
    return line + (f" — {', '.join(given)}" if given else "")


def _with_table(before: list[Line], table: str, rows: list[str], after: list[Line]) -> Reply:
    """A reply whose HTML holds the table where the plain text has a line per slot."""
    head, tail = Reply.of(*before), Reply.of(*after)
    return Reply("\n".join([head.plain, *rows, tail.plain]), f"{head.html}<br>{table}{tail.html}")


def results(session: Session, findtime: FindTime, room: RoomSettings) -> Reply:
    """The grid (rows: slots; columns: members who answered; ✓ (✓) ✗), the counts per slot,
    the best slot (and those as good), who has not answered, and what can be done next."""
    _ = room._
    closed = findtime.status == PollStatus.CLOSED
    heading = (
        _("Find a time #{id} (closed): {title}")
        if closed
        else _("Find a time #{id} so far: {title}")
    )
    before: list[Line] = [fmt(heading, id=str(findtime.short_id), title=bold(findtime.title))]
    slots = answers_of(session, findtime)
    people = respondents(slots)
    names = MemberRepository(session).display_names(findtime.room_id)
    people.sort(key=lambda user: (names.get(user, user).lstrip("@").casefold(), user))
    after: list[Line] = []
    if not people:
        after.append(_("Nobody has answered yet."))
    best = best_slots(slots)
    if best:
        chosen = best[0]
        after.append(
            fmt(
                _("Best slot: {slot} ({counts})"),
                slot=bold(slot_label(chosen.slot, room.timezone, room.language)),
                counts=_counts(chosen, _),
            )
        )
        if len(best) > 1:
            others = [slot_label(s.slot, room.timezone, room.language) for s in best[1:]]
            after.append(
                fmt(_("As good: {slots}; the earliest is taken."), slots=join_list(others, _))
            )
    elif people:
        after.append(_("Nobody can come to any slot."))
    waiting = waiting_for(session, findtime, slots)
    if waiting is not None:
        after.append(not_voted_line(waiting, _, final=closed))
    after.extend(_next_steps(session, findtime, room, best))
    rows = [_slot_line(s, people, names, room) for s in slots]
    return _with_table(before, _table(slots, people, names, room), rows, after)


def _next_steps(
    session: Session, findtime: FindTime, room: RoomSettings, best: list[SlotAnswers]
) -> list[Line]:
    _ = room._
    if findtime.meeting_id is not None:
        meeting = MeetingRepository(session).get(findtime.meeting_id)
        if meeting is not None:
            return [
                _("Booked as meeting #{meeting} (slot {slot}).").format(
                    meeting=meeting.short_id, slot=findtime.booked_slot
                )
            ]
    book = code(f"{room.prefix}findtime book {findtime.short_id}")
    if findtime.status == PollStatus.OPEN:
        close = code(f"{room.prefix}findtime close {findtime.short_id}")
        return [
            fmt(_("{book} schedules the best slot; {close} closes it."), book=book, close=close)
        ]
    if best:
        return [fmt(_("{book} schedules the best slot."), book=book)]
    return []


# --- Closing --------------------------------------------------------------------------------


def closing(
    session: Session,
    findtime: FindTime,
    room: RoomSettings,
    *,
    closed_by: str | None,
    now: datetime,
) -> list[Message]:
    """What a find-a-time claimed closed says: each slot poll's end (for every app, which then
    counts no more answers), then the grid; each slot's count is stored with its poll."""
    polls = PollRepository(session)
    said: list[Message] = []
    for _slot, poll in FindTimeRepository(session).slots(findtime.id):
        if not polls.claim_close(poll.id, closed_by, now):
            continue  # ended already (a chair ended it in their app)
        counted = current_tally(session, poll)
        poll.result = counted.to_json()
        if poll.start_event_id:
            content = end_content(poll.start_event_id, end_text(poll, counted, room._))
            said.append(Event(POLL_END, content, Purpose(PurposeKind.POLL_END, poll.id)))
    said.append(results(session, findtime, room))
    return said


# --- Reminding ------------------------------------------------------------------------------


def reminder(
    session: Session, findtime: FindTime, room: RoomSettings, *, now: datetime, late: bool
) -> Reply | None:
    """Those who have not answered every slot, mentioned once before the close; None when
    everyone has (or the room's members are not known)."""
    waiting = incomplete(session, findtime, answers_of(session, findtime))
    if not waiting or findtime.closes_at is None:
        return None
    _ = room._
    title = bold(findtime.title)
    if late:
        first = fmt(
            _(
                "Reminder (late: I was offline at its time): find-a-time #{id} closes {when}: {title}"
            ),
            id=str(findtime.short_id),
            when=show_time(findtime.closes_at, room.timezone, room.language),
            title=title,
        )
    else:
        first = fmt(
            _("Reminder: find-a-time #{id} closes in {left}: {title}"),
            id=str(findtime.short_id),
            left=length(findtime.closes_at - now, room.language),
            title=title,
        )
    second = fmt(_("Not answered every slot yet: {people}"), people=joined(waiting))
    return Reply.of(first, second, mentions=waiting)
