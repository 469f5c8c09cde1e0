"""Who attends a recorded meeting, for whom, and whether there is a quorum: what the plenary's
commands (commands/organisations.py, commands/attendance.py), the minutes and votes share.

Values first (pure: grouping by organisation, the quorum's arithmetic), then how they are read
from the rows. A member is present at a meeting when ✅ on its roll call or `!here` counted them,
or when they said anything in it (a line of its log). Their name and organisation are the ones
they had then: kept in the meeting's rows when it ends (`close_attendance`), read live while it
runs. Organisations are compared without regard to case ("amnesty" is "Amnesty").
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.args import take_quoted
from bot.i18n import N_, Translate
from bot.parsing import QUOTES, UsageError
from bot.replies import Fragment, Purpose, PurposeKind, code, fmt
from storage.attendance import AttendanceRepository, QuorumRepository
from storage.confidential import ConfidentialRepository
from storage.members import MemberRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting
from storage.organisations import OrganisationRepository
from storage.plenary_models import RollCall
from storage.status import AttendanceWay, QuorumKind

MAX_ORGANISATION = 100  # characters of an organisation's name
# Control characters (newlines too: a name is one line) and the characters that reorder text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# The reactions on the roll call that count a member present (as bot/dispatch.py reaction_key
# gives them: without variation selectors); ✅ is the one the roll call asks for.
ROLL_CALL_KEYS = frozenset({"✅", "✔", "☑"})


# --- Organisation names ---------------------------------------------------------------------


def clean_organisation(raw: str) -> str:
    """An organisation's name as typed, made safe: one line, no control or bidi characters,
    spaces collapsed; a UsageError if nothing is left or it is too long."""
    name = " ".join(_UNSAFE.sub(" ", raw).split())
    if not name:
        raise UsageError(N_("Say which organisation, e.g. “Amnesty International”."))
    if len(name) > MAX_ORGANISATION:
        raise UsageError(
            N_("The organisation's name is too long (at most {limit} characters)."),
            limit=MAX_ORGANISATION,
        )
    return name


def read_organisation(raw: str) -> str:
    """An organisation as a command gives it: "in quotes" (closed), or the rest of the line."""
    text = raw.strip()
    if text and text[0] in QUOTES:
        name, rest = take_quoted(text)
        if rest:
            raise UsageError(
                N_("Put only the organisation's name in quotes, nothing after it: {text}"),
                text=rest[:40],
            )
        text = name or ""
    return clean_organisation(text)


def organisation_key(name: str) -> str:
    """How organisations are compared: "Amnesty" and "amnesty" are one."""
    return unicodedata.normalize("NFKC", name).casefold()


def fold(name: str) -> str:
    """How people and organisations are sorted."""
    return organisation_key(name)


# --- Values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Present:
    """A member present at a meeting: as named then, for which organisation, counted how."""

    user_id: str
    name: str  # their display name then (their user id if they had none)
    organisation: str | None
    ways: tuple[AttendanceWay, ...]  # in the order: ✅, !here, spoke


@dataclass(frozen=True)
class Excused:
    """An apology: a member (with their name and organisation then) or a whole organisation."""

    user_id: str | None
    name: str | None
    organisation: str | None


@dataclass(frozen=True)
class Attendance:
    """Who was present at a meeting, and who sent apologies (those not present after all).

    `order` is the room's organisations in the order they were first named there: the
    order in which attendance is listed by organisation."""

    present: tuple[Present, ...] = ()
    apologies: tuple[Excused, ...] = ()
    order: tuple[str, ...] = ()
    # Nobody named: members are counted per organisation (a Chatham House meeting's, or minutes
    # shown --unattributed; bot/confidential.py); `present` then holds nameless members.
    unnamed: bool = False

    def is_present(self, user_id: str) -> bool:
        return any(p.user_id == user_id for p in self.present)

    def organisation_of(self, user_id: str) -> str | None:
        """The organisation a present member attended for (None: none, or not present)."""
        return next((p.organisation for p in self.present if p.user_id == user_id), None)

    @property
    def organisations(self) -> tuple[str, ...]:
        """The organisations with at least one member present, in the room's order."""
        return tuple(org for org, _people in self.by_organisation())

    def by_organisation(self) -> list[tuple[str, tuple[Present, ...]]]:
        """Each organisation present, with its people (by name), in the room's order; then
        organisations the room does not list, by name."""
        groups: dict[str, list[Present]] = {}
        names: dict[str, str] = {}
        for person in self.present:
            if person.organisation is not None:
                key = organisation_key(person.organisation)
                groups.setdefault(key, []).append(person)
                names.setdefault(key, person.organisation)
        rank = {organisation_key(o): i for i, o in enumerate(self.order)}
        keys = sorted(groups, key=lambda k: (rank.get(k, len(rank)), fold(names[k]), k))
        return [(names[k], tuple(sorted(groups[k], key=_by_name))) for k in keys]

    @property
    def without_organisation(self) -> tuple[Present, ...]:
        return tuple(sorted((p for p in self.present if p.organisation is None), key=_by_name))


def _by_name(person: Present) -> tuple[str, str]:
    return fold(person.name), person.user_id


@dataclass(frozen=True)
class QuorumState:
    """A quorum rule measured against an attendance: how many are required and present."""

    kind: QuorumKind
    value: int  # n organisations, n members, or p (percent of the organisations known)
    required: int
    present: int

    @property
    def reached(self) -> bool:
        return self.present >= self.required


def required(kind: QuorumKind, value: int, known_organisations: int) -> int:
    """How many organisations (or members) a quorum rule requires; a percentage of the
    organisations known in the room rounds up, and is never less than one."""
    if kind is QuorumKind.PERCENT:
        return max(1, math.ceil(value * known_organisations / 100))
    return value


def measure(
    kind: QuorumKind, value: int, attendance: Attendance, known_organisations: int
) -> QuorumState:
    """The quorum state of an attendance under a rule."""
    if kind is QuorumKind.MEMBERS:
        present = len(attendance.present)
    else:
        present = len(attendance.organisations)
    return QuorumState(kind, value, required(kind, value, known_organisations), present)


def describe_rule(kind: QuorumKind, value: int, _: Translate) -> str:
    """A quorum rule in words: "3 organisations", "5 members", "50% of the organisations"."""
    if kind is QuorumKind.ORGANISATIONS:
        return _.ngettext("{count} organisation", "{count} organisations", value).format(
            count=value
        )
    if kind is QuorumKind.MEMBERS:
        return _.ngettext("{count} member", "{count} members", value).format(count=value)
    return _("{percent}% of the organisations known in the room").format(percent=value)


def describe_state(state: QuorumState, _: Translate) -> str:
    """Whether a quorum is reached, in one sentence with the counts."""
    if state.kind is QuorumKind.MEMBERS:
        if state.reached:
            text = _.ngettext(
                "Quorum reached: {present} member present, {required} required.",
                "Quorum reached: {present} members present, {required} required.",
                state.present,
            )
        else:
            text = _.ngettext(
                "No quorum: {present} member present, {required} required.",
                "No quorum: {present} members present, {required} required.",
                state.present,
            )
    elif state.reached:
        text = _.ngettext(
            "Quorum reached: {present} organisation present, {required} required.",
            "Quorum reached: {present} organisations present, {required} required.",
            state.present,
        )
    else:
        text = _.ngettext(
            "No quorum: {present} organisation present, {required} required.",
            "No quorum: {present} organisations present, {required} required.",
            state.present,
        )
    return text.format(present=state.present, required=state.required)


# --- The room's organisations ---------------------------------------------------------------


def organisation_of(session: Session, room_id: str) -> dict[str, str]:
    """Each member's organisation in the room (user id -> name), as `!org` set it."""
    return {row.user_id: row.name for row in OrganisationRepository(session).of_room(room_id)}


def room_organisations(session: Session, room_id: str) -> list[tuple[str, list[str]]]:
    """The room's organisations in the order they were first named, each with its members
    (user ids). Once the bot knows who is in the room, members who left are not counted."""
    joined = {m.user_id for m in MemberRepository(session).joined(room_id)}
    groups: dict[str, tuple[str, list[str]]] = {}
    for row in OrganisationRepository(session).of_room(room_id):
        if joined and row.user_id not in joined:
            continue
        groups.setdefault(row.key, (row.name, []))[1].append(row.user_id)
    return list(groups.values())


def known_organisations(session: Session, room_id: str) -> list[str]:
    """The names of the organisations known in the room, in the order they were first named."""
    return [name for name, _members in room_organisations(session, room_id)]


def canonical(session: Session, room_id: str, name: str) -> str:
    """The organisation's name as the room already writes it, or as given if it is new."""
    return OrganisationRepository(session).spelling(room_id, organisation_key(name)) or name


def set_organisation(
    session: Session, room_id: str, user_id: str, name: str, by: str, now: datetime
) -> str:
    """The member speaks for this organisation in the room; the name as stored."""
    name = canonical(session, room_id, name)
    OrganisationRepository(session).set(room_id, user_id, name, organisation_key(name), by, now)
    return name


def display_name(session: Session, room_id: str, user_id: str) -> str:
    """How members see someone in the room now: their display name, else their user id."""
    return MemberRepository(session).display_name(room_id, user_id) or user_id


# --- A meeting's roll call and attendance ---------------------------------------------------


def roll_call_line(prefix: str, _: Translate) -> Fragment:
    """The roll call's sentence, in the message that answers `!startmeeting`."""
    return fmt(
        _("Roll call: react {check} to this message or type {here} to be counted present."),
        check="✅",
        here=code(f"{prefix}here"),
    )


def open_roll_call(session: Session, meeting: MinutesMeeting) -> Purpose:
    """Make a started meeting's roll call; the purpose of the message that carries it
    (reactions on it count)."""
    AttendanceRepository(session).open_roll_call(meeting)
    return Purpose(PurposeKind.ROLL_CALL, meeting.id)


def present(session: Session, meeting: MinutesMeeting, *, as_kept: bool = True) -> Attendance:
    """Who was present at a meeting (so far, while it runs) and who sent apologies. An ended
    Chatham House meeting keeps counts only (unless `as_kept` is False: at its end, before
    the names go)."""
    repo = AttendanceRepository(session)
    roll_call = repo.roll_call(meeting.id)
    closed = roll_call is not None and roll_call.closed_at is not None
    if closed and as_kept and MinutesRepository(session).is_chatham(meeting):
        return _counted(session, meeting, roll_call)
    rows = repo.attendees(meeting.id)
    marks = repo.marks(meeting.id)
    speakers = repo.speakers(meeting.id)
    rooms = {} if closed else organisation_of(session, meeting.room_id)
    names = {} if closed else MemberRepository(session).display_names(meeting.room_id)
    ways: dict[str, list[AttendanceWay]] = {}
    for user_id, marked in marks.items():
        ways[user_id] = [AttendanceWay(w) for w in marked]
    for user_id in speakers:
        ways.setdefault(user_id, []).append(AttendanceWay.SPOKE)
    order = [AttendanceWay.REACTION, AttendanceWay.HERE, AttendanceWay.SPOKE]
    people = []
    for user_id, counted in ways.items():
        row = rows.get(user_id)
        organisation = row.organisation if row is not None else None
        if organisation is None and not (row is not None and closed):
            organisation = rooms.get(user_id)
        name = (row.display_name if row is not None else None) or names.get(user_id) or user_id
        people.append(Present(user_id, name, organisation, tuple(w for w in order if w in counted)))
    attendance = Attendance(present=tuple(people), order=_order(session, meeting, roll_call))
    return Attendance(
        present=attendance.present,
        apologies=_apologies(session, meeting, attendance, rooms, names, closed),
        order=attendance.order,
    )


def _counted(session: Session, meeting: MinutesMeeting, roll_call: RollCall | None) -> Attendance:
    """A Chatham House meeting's attendance as kept: nameless members per organisation."""
    people = tuple(
        Present("", "", organisation, ())
        for organisation, members in ConfidentialRepository(session).counts(meeting.id)
        for _n in range(members)
    )
    attendance = Attendance(people, order=_order(session, meeting, roll_call), unnamed=True)
    apologies = _apologies(session, meeting, attendance, {}, {}, True)
    return replace(attendance, apologies=apologies)


def _order(session: Session, meeting: MinutesMeeting, roll_call: RollCall | None) -> tuple:
    if roll_call is not None and roll_call.organisations is not None:
        return tuple(roll_call.organisations)
    return tuple(known_organisations(session, meeting.room_id))


def _apologies(
    session: Session,
    meeting: MinutesMeeting,
    attendance: Attendance,
    rooms: dict[str, str],
    names: dict[str, str],
    closed: bool,
) -> tuple[Excused, ...]:
    """The apologies of those who did not come after all: a member not present, an
    organisation none of whose members is; each once."""
    there = {organisation_key(o) for o in attendance.organisations}
    seen: set[tuple[str | None, str | None]] = set()
    excused = []
    for row in AttendanceRepository(session).apologies(meeting.id):
        if row.user_id is not None:
            if attendance.is_present(row.user_id) or (row.user_id, None) in seen:
                continue
            seen.add((row.user_id, None))
            organisation = row.organisation if closed else rooms.get(row.user_id)
            name = row.display_name or names.get(row.user_id) or row.user_id
            excused.append(Excused(row.user_id, name, organisation))
        elif row.organisation is not None:
            key = organisation_key(row.organisation)
            if key in there or (None, key) in seen:
                continue
            seen.add((None, key))
            excused.append(Excused(None, None, row.organisation))
    return tuple(excused)


def count_present(
    session: Session,
    meeting: MinutesMeeting,
    user_id: str,
    way: AttendanceWay,
    event_id: str,
    at: datetime,
) -> None:
    """An event (✅ on the roll call, `!here`) counts a member present at a running meeting;
    their name then is kept."""
    repo = AttendanceRepository(session)
    row = repo.attendee(meeting.id, user_id)
    if row.display_name is None:
        row.display_name = MemberRepository(session).display_name(meeting.room_id, user_id)
    repo.mark(meeting.id, user_id, way, event_id, at)


def close_attendance(session: Session, meeting: MinutesMeeting, now: datetime) -> None:
    """The meeting ended: keep who was there as whom (names and organisations now), the
    quorum rule and the room's organisations, so later changes do not rewrite its minutes."""
    repo = AttendanceRepository(session)
    roll_call = repo.open_roll_call(meeting)
    if roll_call.closed_at is not None:
        return
    attendance = present(session, meeting)
    for person in attendance.present:
        row = repo.attendee(meeting.id, person.user_id)
        row.display_name = row.display_name or (
            person.name if person.name != person.user_id else None
        )
        if not row.organisation_said:
            row.organisation = person.organisation
    rooms = organisation_of(session, meeting.room_id)
    names = MemberRepository(session).display_names(meeting.room_id)
    for apology in repo.apologies(meeting.id):
        if apology.user_id is not None:
            apology.organisation = rooms.get(apology.user_id)
            apology.display_name = apology.display_name or names.get(apology.user_id)
    known = known_organisations(session, meeting.room_id)
    rule = QuorumRepository(session).get(meeting.room_id)
    roll_call.quorum_kind = rule.kind if rule is not None else None
    roll_call.quorum_value = rule.value if rule is not None else None
    roll_call.known_organisations = len(known)
    roll_call.organisations = known
    roll_call.closed_at = now


def quorum(session: Session, room_id: str, attendance: Attendance) -> QuorumState | None:
    """The room's quorum rule now, measured against an attendance; None when it has none."""
    rule = QuorumRepository(session).get(room_id)
    if rule is None:
        return None
    known = len(known_organisations(session, room_id))
    return measure(QuorumKind(rule.kind), rule.value, attendance, known)


def meeting_quorum(
    session: Session, meeting: MinutesMeeting, attendance: Attendance
) -> QuorumState | None:
    """A meeting's quorum: as the rule was when it ended, else (while it runs) as it is now."""
    roll_call = AttendanceRepository(session).roll_call(meeting.id)
    if roll_call is None or roll_call.closed_at is None:
        return quorum(session, meeting.room_id, attendance)
    if roll_call.quorum_kind is None or roll_call.quorum_value is None:
        return None
    known = roll_call.known_organisations or 0
    return measure(QuorumKind(roll_call.quorum_kind), roll_call.quorum_value, attendance, known)
