"""Repositories of organisations, attendance and quorum, and migration 0011 over a database in
use: a meeting ended before it has minutes that read as before, and gets attendance from its log."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from bot.attendance import close_attendance, meeting_quorum, present
from bot.i18n import translator
from bot.minutes.hash import approved_sha256
from bot.minutes.people import Names
from bot.minutes.rows import load_minutes
from bot.minutes.writers import render
from storage.actions import ActionRepository
from storage.attendance import AttendanceRepository, QuorumRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.minutes import MinutesRepository
from storage.organisations import OrganisationRepository
from storage.status import LogKind

ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migration_0011_keeps_a_meeting_recorded_before_it(database_url):
    db = Database(database_url)
    db.upgrade("0010")
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [(ALICE, "Alice"), (BOB, None)])
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="Old", started_by=ALICE, now=NOW, event_id="$s")
        for number, sender in enumerate((ALICE, BOB, ALICE)):
            minutes.record(
                meeting,
                event_id=f"$m{number}",
                sender=sender,
                ts=NOW,
                kind=LogKind.MESSAGE,
                payload={"msgtype": "m.text", "body": "hello"},
            )
        minutes.end(meeting, ALICE, NOW + timedelta(hours=1))
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "organisations",
        "quorum_rules",
        "roll_calls",
        "attendees",
        "attendance_marks",
        "apologies",
    } <= tables
    with db.transaction() as s:
        meeting = MinutesRepository(s).by_short_id(ROOM, 1)
        attendance = present(s, meeting)
        # No roll call then: those who spoke are present, named as the room names them now.
        assert [(p.user_id, p.name, p.organisation) for p in attendance.present] == [
            (ALICE, "Alice", None),
            (BOB, BOB, None),
        ]
        assert meeting_quorum(s, meeting, attendance) is None
    db.close()


def test_organisations_keep_the_rooms_spelling_and_order(db: Database):
    with db.transaction() as s:
        orgs = OrganisationRepository(s)
        orgs.set(ROOM, BOB, "MAEE", "maee", ALICE, NOW)
        orgs.set(ROOM, ALICE, "Amnesty", "amnesty", ALICE, NOW + timedelta(minutes=1))
        orgs.set(OTHER, ALICE, "ASTI", "asti", ALICE, NOW)
        assert orgs.spelling(ROOM, "amnesty") == "Amnesty"
        assert orgs.spelling(ROOM, "asti") is None
        # Setting the same organisation again keeps the time it was first given.
        orgs.set(ROOM, BOB, "MAEE", "maee", BOB, NOW + timedelta(days=1))
        assert [(o.user_id, o.name) for o in orgs.of_room(ROOM)] == [
            (BOB, "MAEE"),
            (ALICE, "Amnesty"),
        ]
        assert orgs.clear(ROOM, BOB) and not orgs.clear(ROOM, BOB)
        assert orgs.get(OTHER, ALICE).name == "ASTI"


def test_marks_and_apologies_are_redacted_only_in_their_room(db: Database):
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        here = minutes.start(room_id=ROOM, title="A", started_by=ALICE, now=NOW, event_id="$a")
        there = minutes.start(room_id=OTHER, title="B", started_by=ALICE, now=NOW, event_id="$b")
        repo = AttendanceRepository(s)
        repo.mark(here.id, BOB, "reaction", "$check", NOW)
        repo.mark(here.id, BOB, "reaction", "$check", NOW)  # the same event counts once
        repo.mark(there.id, BOB, "here", "$here", NOW)
        repo.add_apology(
            there.id,
            user_id=None,
            display_name=None,
            organisation="ASTI",
            given_by=ALICE,
            event_id="$sorry",
            now=NOW,
        )
        assert repo.marks(here.id) == {BOB: ["reaction"]}
        # A redaction in one room does not reach another room's rows.
        assert repo.redact(ROOM, "$here") == 0 and repo.redact(ROOM, "$sorry") == 0
        assert repo.redact(OTHER, "$here") == 1 and repo.redact(OTHER, "$sorry") == 1
        assert repo.marks(there.id) == {} and repo.apologies(there.id) == []
        assert repo.redact(ROOM, "$check") == 1


def test_closing_keeps_names_organisations_and_the_rule(db: Database):
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [(ALICE, "Alice"), (BOB, "Bob")])
        OrganisationRepository(s).set(ROOM, BOB, "MAEE", "maee", ALICE, NOW)
        QuorumRepository(s).set(ROOM, "organisations", 1, ALICE, NOW)
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="A", started_by=ALICE, now=NOW, event_id="$a")
        AttendanceRepository(s).mark(meeting.id, BOB, "here", "$here", NOW)
        minutes.end(meeting, ALICE, NOW)
        close_attendance(s, meeting, NOW)
        close_attendance(s, meeting, NOW + timedelta(hours=1))  # once only
        MemberRepository(s).replace(ROOM, [(ALICE, "Alice"), (BOB, "Robert")])
        OrganisationRepository(s).set(ROOM, BOB, "Justice", "justice", ALICE, NOW)
        QuorumRepository(s).set(ROOM, "members", 9, ALICE, NOW)
        attendance = present(s, meeting)
        assert [(p.name, p.organisation) for p in attendance.present] == [("Bob", "MAEE")]
        assert attendance.order == ("MAEE",)
        state = meeting_quorum(s, meeting, attendance)
        assert (state.kind, state.required, state.present, state.reached) == (
            "organisations",
            1,
            1,
            True,
        )


def test_the_minutes_name_people_as_they_were_named_when_the_meeting_ended(db: Database):
    """Chairs, item authors, action owners and those who spoke keep the names and organisations
    they had at the end; renames and new organisations afterwards change nothing, nor the
    approved minutes' hash. While the meeting runs, the room's names now are used."""
    carol, dan = "@carol:example.org", "@dan:example.org"
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [(ALICE, "Alice Martin"), (BOB, "Bob"), (carol, None)])
        OrganisationRepository(s).set(ROOM, ALICE, "MAEE", "maee", ALICE, NOW)
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="A", started_by=ALICE, now=NOW, event_id="$a")
        minutes.set_chairs(meeting, [ALICE, dan])  # Dan chairs and never speaks
        minutes.record(
            meeting,
            event_id="$m",
            sender=BOB,
            ts=NOW,
            kind=LogKind.MESSAGE,
            payload={"msgtype": "m.text", "body": "hello"},
        )
        action = ActionRepository(s).add(
            room_id=ROOM, text="Draft", creator=BOB, assignees=[carol, "SIP"], now=NOW
        )
        minutes.add_item(
            meeting,
            kind="action",
            text="Draft",
            author=BOB,
            now=NOW,
            event_id="$x",
            action_id=action.id,
        )
        running = load_minutes(s, meeting, language="en", timezone="UTC", now=NOW)
        assert Names(running.people).shown(ALICE) == "Alice Martin (MAEE)"
        minutes.end(meeting, ALICE, NOW)
        close_attendance(s, meeting, NOW)
        before = load_minutes(s, meeting, language="en", timezone="UTC", now=NOW)
        digest = approved_sha256(before)
        MemberRepository(s).replace(ROOM, [(ALICE, "Alice M."), (BOB, "Robert"), (carol, "C")])
        OrganisationRepository(s).set(ROOM, BOB, "Justice", "justice", ALICE, NOW)
        after = load_minutes(s, meeting, language="en", timezone="UTC", now=NOW)
        names = Names(after.people)
        assert [names.shown(p) for p in (ALICE, dan, BOB, carol, "SIP")] == [
            "Alice Martin (MAEE)",
            dan,  # not in the room: known by his id
            "Bob",
            carol,
            "SIP",
        ]
        assert approved_sha256(after) == digest
        markdown = render(after, "md", translator("en")).decode()
        assert "- **Chairs:** Alice Martin (MAEE), @dan:example.org" in markdown
        assert "#1 Draft → @carol:example.org, SIP" in markdown
        assert "Robert" not in markdown and "Justice" not in markdown
