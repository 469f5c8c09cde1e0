"""Chatham House meetings, `--unattributed` minutes and `!forget me` through the dispatcher, on
SQLite and PostgreSQL, with an injected clock: what the rows hold afterwards (every column of
every table scanned for the members' ids and names), what every export says, and bad input
that gets a clear reply and changes nothing."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from bot.export import log_rows, write
from bot.i18n import translator
from bot.msc3381 import POLL_RESPONSE, response_content
from bot.polls import current_tally
from commands.confidential import removed_lines
from storage.confidential import Forgotten
from storage.confidential_models import AttendanceCount, ChathamMeeting, ForgetRequest
from storage.db import Database
from storage.decisions import DecisionRepository, VoteRepository
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.minutes import MinutesRepository
from storage.models import (
    ActionAssignee,
    ActionItem,
    LogEntry,
    MinutesItem,
    PollResponse,
    Rsvp,
)
from storage.models_after import MinutesApproval
from storage.organisations import OrganisationRepository
from storage.plenary_models import Apology, AttendanceMark, Attendee, Organisation
from storage.polls import PollRepository
from tests.room import ROOM, Clock, Room

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
DAN, EVE, FRANK = "@dan:example.org", "@eve:example.org", "@frank:example.org"
NAMES = {
    ALICE: "Alice Chair",
    BOB: "Bob Ministry",
    CAROL: "Carol NGO",
    DAN: "Dan Independent",
    EVE: "Eve Quiet",
    FRANK: "Frank Away",
}
MEMBERS = tuple(NAMES)
ORGS = {BOB: "MAEE", CAROL: "Amnesty", EVE: "Amnesty"}  # Dan speaks for no organisation
OTHER_ROOM = "!other:example.org"
CHAIR = 50
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Kept by design for the room, not for any meeting: who is in it and for which organisation.
ROOM_LEVEL = {"room_members", "organisations", "alembic_version"}


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, NAMES.items())
        MemberRepository(s).replace(OTHER_ROOM, NAMES.items())
        for user, name in ORGS.items():
            OrganisationRepository(s).set(ROOM, user, name, name.casefold(), user, START)
    return Room(db, clock)


def reaction(to: str, key: str) -> dict:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": to, "key": key}}


def scan(db: Database, needles: tuple[str, ...], skip: set[str] = ROOM_LEVEL) -> list[tuple]:
    """(table, column, value) of every cell, in every table but `skip`, holding a needle."""
    found = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table in skip:
                continue
            result = connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row, strict=True):
                    cell = json.dumps(value, default=str) if value is not None else ""
                    if any(n in cell or n in str(value) for n in needles):
                        found.append((table, column, value))
    return found


def needles() -> tuple[str, ...]:
    """The ids, local parts and display names of the members present (Frank, absent, is only
    named in the text of Bob's `!apologies`: what members type is kept as typed)."""
    there = [u for u in MEMBERS if u != FRANK]
    return (*there, *(u.split(":")[0] for u in there), *(NAMES[u] for u in there))


async def minutes(room: Room, number: int, form: str, extra: str = "") -> bytes:
    (reply,) = await room.say(f"!minutes {number} {form} {extra}".strip(), ALICE)
    assert reply.data is not None, reply.body
    return reply.data


def exported(db: Database, room_id: str = ROOM) -> str:
    out = io.StringIO()
    with db.transaction() as s:
        write(log_rows(s, room_id), "jsonl", out)
    return out.getvalue()


async def chatham_meeting(room: Room) -> None:
    """Meeting #1 under the Chatham House rule: Bob (MAEE) and Carol (Amnesty) speak, Dan (no
    organisation) records an idea, Eve (Amnesty) only ticks the roll call, Bob's apology for a
    organisation and for Frank, a decision, an action for the secretariat; ended by Alice."""
    replies = await room.say("!startmeeting Plenary --chatham", ALICE, level=CHAIR)
    start = replies[0]
    assert "Chatham House rule: nothing said in this meeting will be attributed to anyone." in (
        start.body
    )
    assert "Meeting #1 started: Plenary." in start.body
    await room.post("m.reaction", reaction(start.event_id, "✅"), EVE)
    await room.say("The ministry cannot support paragraph 3.", BOB)
    await room.say("!info Our report is due in March", CAROL)
    await room.say("!idea A joint statement", DAN)
    await room.say("!here", DAN)
    await room.say('!apologies "Greenpeace"', BOB)
    await room.say(f"!apologies {FRANK}", BOB)
    await room.say("!agreed Paragraph 3 is reworded", ALICE, level=CHAIR)
    await room.say("!action Secretariat redraft paragraph 3", BOB)
    await room.say('!vote "Publish the statement"', ALICE, level=CHAIR)
    for voter, answer in ((BOB, "against"), (CAROL, "for"), (DAN, "for"), (BOB, "for")):
        await vote(room, 1, voter, answer)  # Bob changes his mind: his latest counts
    said = await room.say("!endmeeting", ALICE, level=CHAIR)
    results = next(m for m in said if m.body and m.body.startswith("Vote #1 closed"))
    assert results.body.splitlines()[1:4] == ["For: 3", "Against: 0", "Abstain: 0"]
    summary = next(m for m in said if m.body and m.body.startswith("Meeting #1 ended"))
    assert "Nothing is attributed: attendance is kept by organisation only." in summary.body
    for message in said:
        assert not any(n in json.dumps(message.content) for n in needles())


# --- Chatham House meetings ------------------------------------------------------------------


async def test_a_chatham_house_meeting_keeps_no_user_id_in_any_row_or_export(room: Room, db):
    await chatham_meeting(room)
    # While nothing else names them, no row of any table holds a member's id or name.
    assert scan(db, needles()) == []
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ChathamMeeting)) == 1
        counts = [
            (c.organisation, c.members)
            for c in s.scalars(select(AttendanceCount).order_by(AttendanceCount.position))
        ]
        assert counts == [("MAEE", 1), ("Amnesty", 2), (None, 2)]  # Alice (chair) and Dan
        assert s.scalars(select(Attendee)).all() == []
        assert s.scalars(select(AttendanceMark)).all() == []
        senders = set(s.scalars(select(LogEntry.sender)))
        assert senders == {""}
        assert set(s.scalars(select(MinutesItem.author))) == {""}
        (action,) = s.scalars(select(ActionItem)).all()
        assert action.creator == ""
        assert list(s.scalars(select(ActionAssignee.assignee))) == ["Secretariat"]
        meeting = MinutesRepository(s).by_short_id(ROOM, 1)
        assert (meeting.started_by, meeting.ended_by, meeting.chairs) == ("", None, [])
        # The vote: counted, nobody named (each voter's responses under one stand-in).
        (poll,) = PollRepository(s).of_room(ROOM, 10)
        senders = [r.sender for r in s.scalars(select(PollResponse))]
        assert len(senders) == 4 and len(set(senders)) == 3
        assert all(x.startswith("(anonymous ") for x in senders)
        assert (poll.creator, poll.closed_by) == ("", None)
        assert current_tally(s, poll).count("for") == 3
        counts = VoteRepository(s).get(poll.id).counts
        assert (counts["for"], counts["voters"]["for"]) == (3, ["", "", ""])
        register = DecisionRepository(s).of_room(ROOM)
        assert [(d.text, d.author) for d in register] == [
            ("Publish the statement", ""),
            ("Paragraph 3 is reworded", ""),
        ]
        # Apologies keep their organisation only; Frank's (without one) is not kept.
        apologies = [
            (a.user_id, a.display_name, a.organisation, a.given_by)
            for a in s.scalars(select(Apology))
        ]
        assert apologies == [(None, None, "Greenpeace", "")]
    # Every export: the four formats of the minutes and the operator's export.
    for form in ("md", "html", "txt", "json"):
        data = (await minutes(room, 1, form)).decode()
        assert not any(n in data for n in needles()), form
        assert "Our report is due in March" in data
    doc = json.loads(await minutes(room, 1, "json"))
    assert doc["chairs"] == [] and doc["attendees"] == []
    assert doc["present"] == {
        "organisations": [{"name": "MAEE", "members": 1}, {"name": "Amnesty", "members": 2}],
        "without_organisation": 2,
    }
    assert {line["sender"] for line in doc["log"]} == {""}
    md = (await minutes(room, 1, "md")).decode()
    assert "- **MAEE:** 1 member" in md and "- **Amnesty:** 2 members" in md
    assert "- *Without organisation:* 2 members" in md
    assert "- Greenpeace" in md
    assert "- **Idea:** A joint statement — " in md
    # `wgbot export`: the meeting's rows name nobody (the `!minutes` commands above, after
    # it, are the room's log as usual).
    rows = [json.loads(line) for line in exported(db).splitlines()]
    of_meeting = [r for r in rows if r["meeting"] == 1]
    assert len(of_meeting) == 11  # from !startmeeting to !endmeeting
    assert not any(n in json.dumps(of_meeting) for n in needles())
    assert {r["sender"] for r in of_meeting} == {""}


async def test_after_a_chatham_meeting_any_member_amends_and_room_chairs_approve(room: Room, db):
    await chatham_meeting(room)
    (amended,) = await room.say("!minutes 1 amend Paragraph 4 too", DAN)
    assert "Amendment 1" in amended.body
    (refused,) = await room.say("!minutes 1 approve", ALICE)
    assert refused.body.startswith("Only the meeting's chairs may use")
    await room.say("!minutes 1 accept 1", ALICE, level=CHAIR)
    (approved,) = await room.say("!minutes 1 approve", ALICE, level=CHAIR)
    assert "approved" in approved.body
    doc = json.loads(await minutes(room, 1, "json"))
    assert doc["present"]["without_organisation"] == 2


async def test_in_a_chatham_meeting_edits_are_not_applied_and_only_chairs_undo(room: Room, db):
    await room.say("!startmeeting Plenary --chatham", ALICE, level=CHAIR)
    said, _r = await room.send("First version", BOB)
    await room.edit(said, "Second version", BOB)
    (reply,) = await room.say("!info Carol's note", CAROL)
    (refused,) = await room.say("!undo", CAROL)
    assert "Info recorded" in reply.body and "Removed" not in refused.body
    (undone,) = await room.say("!undo", ALICE, level=CHAIR)
    assert undone.body == "Removed the info: Carol's note"
    await room.say("!endmeeting", ALICE, level=CHAIR)
    md = (await minutes(room, 1, "md")).decode()
    assert "First version" in md and "Second version" not in md


async def test_chatham_house_with_the_agenda_syntax_and_a_flag_in_quotes(room: Room, db):
    with db.transaction() as s:
        MeetingRepository(s).add(
            room_id=ROOM,
            title="Quarterly plenary",
            start_at=START + timedelta(hours=1),
            end_at=START + timedelta(hours=2),
            timezone="Europe/Luxembourg",
            rrule=None,
            place=None,
            creator=ALICE,
            now=START,
        )
    (start, *_rest) = await room.say("!startmeeting #1 --chatham", ALICE, level=CHAIR)
    assert "Meeting #1 started: Quarterly plenary." in start.body
    assert "Chatham House rule" in start.body
    await room.say("!endmeeting", ALICE, level=CHAIR)
    (start, *_rest) = await room.say('!startmeeting "Rules --chatham"', ALICE, level=CHAIR)
    assert "Rules --chatham" in start.body and "Chatham House rule" not in start.body
    with db.transaction() as s:
        assert list(s.scalars(select(ChathamMeeting.meeting_id))) == [
            MinutesRepository(s).by_short_id(ROOM, 1).id
        ]


async def test_a_chatham_meeting_without_a_title_changes_nothing(room: Room, db):
    (reply,) = await room.say("!startmeeting --chatham", ALICE, level=CHAIR)
    assert reply.body.splitlines()[0] == "Give the meeting a title, e.g. “Plenary”."
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ChathamMeeting)) == 0
        assert MinutesRepository(s).running(ROOM) is None


async def test_unattributed_minutes_of_an_ordinary_meeting(room: Room, db):
    (start,) = await room.say("!startmeeting Plenary", ALICE, level=CHAIR)
    await room.post("m.reaction", reaction(start.event_id, "✅"), EVE)
    await room.say("The ministry cannot support paragraph 3.", BOB)
    await room.say("!info Our report is due in March", CAROL)
    await room.say("!idea A joint statement", DAN)
    await room.say('!vote "Publish it"', ALICE, level=CHAIR)
    await vote(room, 1, BOB, "for")
    await room.say("!endmeeting", ALICE, level=CHAIR)
    named = (await minutes(room, 1, "md")).decode()
    assert "Bob Ministry" in named and "Carol NGO" in named  # the ordinary view names them
    for form in ("md", "html", "txt", "json"):
        data = (await minutes(room, 1, form, "--unattributed")).decode()
        assert not any(n in data for n in needles()), form
        assert "A joint statement" in data
    doc = json.loads(await minutes(room, 1, "json", "--UNATTRIBUTED"))
    assert doc["present"]["organisations"] == [
        {"name": "MAEE", "members": 1},
        {"name": "Amnesty", "members": 2},
    ]
    assert doc["present"]["without_organisation"] == 2  # Alice (the chair) and Dan
    (voted,) = [i for t in doc["topics"] for i in t["items"] if i["kind"] == "vote"]
    assert voted["vote"]["for"] == 1 and voted["vote"]["voters"]["for"] == [""]
    # Render time only: the rows still name who said what.
    with db.transaction() as s:
        assert BOB in set(s.scalars(select(LogEntry.sender)))
    (bad,) = await room.say("!minutes 1 pdf --unattributed", ALICE)
    assert bad.body.splitlines()[0] == "Choose one of: md, html, txt, json."


# --- !forget me --------------------------------------------------------------------------


def snapshot(db: Database) -> dict[str, list]:
    """Every row that `!forget me` may touch, comparable."""
    with db.transaction() as s:
        return {
            "log": sorted((e.room_id, e.sender, e.event_id) for e in s.scalars(select(LogEntry))),
            "items": sorted((i.id, i.author, i.text) for i in s.scalars(select(MinutesItem))),
            "actions": sorted((a.id, a.creator) for a in s.scalars(select(ActionItem))),
            "assignees": sorted(
                (a.action_id, a.assignee) for a in s.scalars(select(ActionAssignee))
            ),
            "orgs": sorted((o.room_id, o.user_id) for o in s.scalars(select(Organisation))),
            "rsvps": sorted((r.meeting_id, r.user_id) for r in s.scalars(select(Rsvp))),
            "attendees": sorted((a.meeting_id, a.user_id) for a in s.scalars(select(Attendee))),
            "responses": sorted((r.id, r.sender) for r in s.scalars(select(PollResponse))),
            "requests": sorted((r.room_id, r.user_id) for r in s.scalars(select(ForgetRequest))),
        }


async def vote(room: Room, poll: int, sender: str, answer: str) -> None:
    with room.db.transaction() as s:
        start = PollRepository(s).by_short_id(ROOM, poll).start_event_id
    await room.post(POLL_RESPONSE, response_content(start, [answer]), sender)


async def bob_everywhere(room: Room, db: Database) -> None:
    """Bob speaks, records, is assigned, votes, answers an invitation and attends in this room;
    he says something in another room's meeting too."""
    (start,) = await room.say("!startmeeting Plenary", ALICE, level=CHAIR)
    await room.say("My phone number is 555 0100", BOB)
    await room.say("!info The ministry's position is unchanged", BOB)
    await room.say("!topic Budget", ALICE, level=CHAIR)
    await room.say(f"!action {CAROL} send the figures", BOB)
    await room.say(f"!action {BOB}, {DAN} check the annex", ALICE, level=CHAIR)
    await room.say("Thanks Bob.", CAROL)
    await room.say("!agreed The ministry joins the statement", BOB)
    await room.say('!vote "Adopt the budget"', ALICE, level=CHAIR)  # poll #1, closed at the end
    await vote(room, 1, BOB, "for")
    await vote(room, 1, CAROL, "for")
    await room.say("!endmeeting", ALICE, level=CHAIR)
    await room.say('!poll "Closed question?" "Yes" "No"', ALICE)
    await vote(room, 2, BOB, "a1")
    await vote(room, 2, CAROL, "a2")
    await room.say("!poll close 2", ALICE)
    await room.say('!poll "Open question?" "Yes" "No"', ALICE)
    await vote(room, 3, BOB, "a1")
    with db.transaction() as s:
        meeting = MeetingRepository(s).add(
            room_id=ROOM,
            title="Next plenary",
            start_at=START + timedelta(days=7),
            end_at=START + timedelta(days=7, hours=1),
            timezone="Europe/Luxembourg",
            rrule=None,
            place=None,
            creator=ALICE,
            now=START,
        )
        MeetingRepository(s).set_rsvp(meeting.id, BOB, "yes", START)
        MeetingRepository(s).set_rsvp(meeting.id, CAROL, "no", START)
    other = Room(db, room.clock, room_id=OTHER_ROOM)
    await other.say("!startmeeting Elsewhere", ALICE, level=CHAIR)
    await other.say("Bob's words in another room", BOB)
    await other.say("!info Bob's item elsewhere", BOB)
    await other.say("!endmeeting", ALICE, level=CHAIR)


async def test_forget_me_removes_exactly_that_members_rows_in_this_room(room: Room, db, clock):
    await bob_everywhere(room, db)
    (approved,) = await room.say("!minutes 1 approve", ALICE, level=CHAIR)
    assert "approved" in approved.body
    await room.say('!silence "Adopt the annex"', ALICE, level=CHAIR)
    await room.say("!silence object S1 Not before the ministry has read it", BOB)
    before = snapshot(db)
    (explained,) = await room.say("!forget me", BOB)
    assert explained.body.startswith("This erases, for good, what you said and did in this room:")
    assert "To go ahead, type !forget me confirm within 10 minutes." in explained.body
    with db.transaction() as s:
        assert s.get(ForgetRequest, (ROOM, BOB)).asked_at == clock.now
    clock.advance(minutes=9)
    (done,) = await room.say("!forget me confirm", BOB)
    assert done.body.splitlines() == [
        "Erased in this room:",
        "6 messages or commands removed from the log.",  # with his `!forget me`
        # His info and decision, and the minutes' item of the action he gave Carol (hers).
        "3 items of the minutes now read “(removed at the author's request)”.",
        "1 action item no longer names you as its creator.",
        "You are no longer assigned 1 action item: a chair may give it to someone else.",
        "1 answer to a meeting invitation deleted.",
        "The attendance of 1 meeting no longer names you.",
        "Your vote in 1 open poll is withdrawn.",
        "Your votes in 2 closed polls stay counted, without your name.",
        "1 decision of the register no longer names you as its author.",
        "1 objection to a written procedure deleted.",
        "Your organisation in this room is forgotten.",
        "The approved minutes of 1 meeting say they were amended after approval.",
    ]
    # Nothing in this room names Bob any more; the other room keeps what he said there.
    hits = scan(db, (BOB, "Bob Ministry"), skip={"room_members", "alembic_version"})
    with db.transaction() as s:
        elsewhere = MinutesRepository(s).by_short_id(OTHER_ROOM, 1).id
        alice_typed = s.scalar(
            select(LogEntry.payload)
            .where(LogEntry.sender == ALICE, LogEntry.room_id == ROOM)
            .where(LogEntry.payload["body"].as_string().like("!action%"))
        )
    assert sorted((t, c) for t, c, _v in hits) == [
        ("attendees", "display_name"),  # his attendance in the other room's meeting
        ("attendees", "user_id"),
        ("log_entries", "payload"),  # what Alice typed: "!action @bob…, @dan… check the annex"
        ("log_entries", "sender"),  # his two lines in the other room
        ("log_entries", "sender"),
        ("minutes_items", "author"),  # his item there
    ]
    assert alice_typed["body"].startswith(f"!action {BOB}")
    assert elsewhere
    with db.transaction() as s:
        assert {e.room_id for e in s.scalars(select(LogEntry).where(LogEntry.sender == BOB))} == {
            OTHER_ROOM
        }
        elsewhere = MinutesRepository(s).by_short_id(OTHER_ROOM, 1)
        assert [i.author for i in MinutesRepository(s).items(elsewhere.id)] == [BOB]
        erased = [i for i in s.scalars(select(MinutesItem)) if i.author == "" and i.text == ""]
        assert len(erased) == 3 and all(i.event_id is None and i.url is None for i in erased)
        assert s.get(MinutesApproval, MinutesRepository(s).by_short_id(ROOM, 1).id).redactions == 1
        adopted = PollRepository(s).by_short_id(ROOM, 1)
        counts = VoteRepository(s).get(adopted.id).counts
        assert counts["for"] == 2 and BOB not in json.dumps(counts)
        (decision, agreed) = DecisionRepository(s).of_room(ROOM)
        assert (agreed.text, agreed.author) == ("The ministry joins the statement", None)
        assert decision.counts["for"] == 2 and BOB not in json.dumps(decision.counts)
        closed = PollRepository(s).by_short_id(ROOM, 2)
        tally = current_tally(s, closed)
        assert (tally.count("a1"), tally.count("a2")) == (1, 1)  # still counted
        assert BOB not in json.dumps(closed.result)
        still_open = PollRepository(s).by_short_id(ROOM, 3)
        assert current_tally(s, still_open).votes == 0  # withdrawn
    after = snapshot(db)
    assert after["orgs"] == [r for r in before["orgs"] if r[1] != BOB]
    assert after["rsvps"] == [r for r in before["rsvps"] if r[1] != BOB]
    assert [r for r in after["assignees"]] == [r for r in before["assignees"] if r[1] != BOB]
    assert [r for r in after["log"] if r[1] != ""] == [
        r for r in before["log"] if r[1] != BOB or r[0] == OTHER_ROOM
    ]
    assert CAROL in {r[1] for r in after["log"]}  # others' rows stay
    md = (await minutes(room, 1, "md")).decode()
    assert "(removed at the author's request)" in md
    assert "555 0100" not in md and "unchanged" not in md
    assert "- **Amended after approval:** 1 redaction" in md
    # `wgbot export`: no row of the room is his; Alice's typed text still says his id.
    rows = [json.loads(line) for line in exported(db).splitlines()]
    assert BOB not in {r["sender"] for r in rows}
    assert [r["body"] for r in rows if BOB in json.dumps(r)] == [
        f"!action {BOB}, {DAN} check the annex"
    ]
    assert BOB in {json.loads(line)["sender"] for line in exported(db, OTHER_ROOM).splitlines()}


async def test_forget_me_in_french(room: Room, db):
    await room.say("!lang fr", ALICE, level=CHAIR)
    (explained,) = await room.say("!oublier moi", DAN)
    assert "!forget me confirm" in explained.body
    (done,) = await room.say("!oublier moi confirmer", DAN)
    assert done.body.splitlines() == [
        "Effacé dans ce salon :",
        "1 message ou commande retiré du journal.",
    ]


def test_nothing_to_erase_says_so():
    assert removed_lines(Forgotten(), translator("de")) == [
        "Von Ihnen war in diesem Raum nichts gespeichert: Es gab nichts zu löschen."
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("!forget", "Say “forget me” to have what you said in this room erased."),
        (
            f"!forget {BOB}",
            "Nobody can have someone else's words erased, not even a chair: only "
            f"{BOB} can ask for it, with “forget me”.",
        ),
        ("!forget me please", "Confirm with “forget me confirm”, nothing else."),
        (
            "!forget me confirm",
            "Nothing to confirm: first type !forget me to see what would be erased.",
        ),
    ],
)
async def test_bad_forget_requests_change_nothing(room: Room, db, command, expected):
    await bob_everywhere(room, db)
    before = snapshot(db)
    (reply,) = await room.say(command, ALICE, level=CHAIR)
    assert reply.body.splitlines()[0] == expected
    after = snapshot(db)
    # The dispatcher does not log a command that failed: every row is as it was.
    assert after == before


async def test_a_confirmation_after_ten_minutes_changes_nothing(room: Room, db, clock):
    await bob_everywhere(room, db)
    await room.say("!forget me", BOB)
    clock.advance(minutes=10, seconds=1)
    before = snapshot(db)
    (reply,) = await room.say("!forget me confirm", BOB)
    assert reply.body.splitlines()[0] == (
        "Your request is more than 10 minutes old: type !forget me again."
    )
    assert snapshot(db) == before
    # Asked again, it goes ahead.
    await room.say("!forget me", BOB)
    (done,) = await room.say("!forget me confirm", BOB)
    assert done.body.startswith("Erased in this room:")


async def test_a_chair_cannot_confirm_for_someone_else(room: Room, db):
    await bob_everywhere(room, db)
    await room.say("!forget me", BOB)
    before = snapshot(db)
    (reply,) = await room.say("!forget me confirm", ALICE, level=CHAIR)
    assert reply.body.splitlines()[0] == (
        "Nothing to confirm: first type !forget me to see what would be erased."
    )
    assert snapshot(db) == before
