"""Organisations, the roll call, `!here`, `!apologies` and `!quorum` through the dispatcher, on
SQLite and PostgreSQL, with an injected clock; what the minutes say about attendance in every
format. Bad input gets a clear reply and changes no row."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.members import MemberRepository
from storage.plenary_models import (
    Apology,
    AttendanceMark,
    Attendee,
    Organisation,
    QuorumRule,
    RollCall,
)
from tests.room import ROOM, Clock, Room

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
DAN, EVE, FRANK = "@dan:example.org", "@eve:example.org", "@frank:example.org"
NAMES = {
    ALICE: "Alice Chair",
    BOB: "Bob Ministry",
    CAROL: "Carol NGO",
    DAN: "Dan Silent",
    EVE: "Eve Late",
    FRANK: "Frank Away",
}
CHAIR = 50
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def room(db: Database) -> Room:
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, NAMES.items())
    return Room(db, Clock(START))


def rows(db: Database) -> dict[str, list[tuple]]:
    """Every row the plenary keeps, as comparable tuples."""
    with db.transaction() as s:
        return {
            "organisations": [
                (o.room_id, o.user_id, o.name, o.key)
                for o in s.scalars(select(Organisation).order_by(Organisation.user_id))
            ],
            "quorum": [(q.room_id, q.kind, q.value) for q in s.scalars(select(QuorumRule))],
            "marks": [
                (m.event_id, m.user_id, m.way)
                for m in s.scalars(select(AttendanceMark).order_by(AttendanceMark.event_id))
            ],
            "attendees": [
                (a.meeting_id, a.user_id, a.display_name, a.organisation, a.organisation_said)
                for a in s.scalars(select(Attendee).order_by(Attendee.user_id))
            ],
            "apologies": [
                (a.user_id, a.organisation, a.event_id)
                for a in s.scalars(select(Apology).order_by(Apology.id))
            ],
        }


async def one(room: Room, body: str, sender: str = ALICE, level: int = 0) -> str:
    (reply,) = await room.say(body, sender, level=level)
    return reply.body


async def export(room: Room, form: str, meeting: int = 1) -> bytes:
    (sent,) = await room.say(f"!minutes {meeting} {form}", ALICE)
    assert sent.filename and sent.filename.endswith(f".{form}"), sent.body
    return sent.data


# --- Organisations ------------------------------------------------------------------------


async def test_organisations_are_set_listed_and_compared_without_case(room: Room, db: Database):
    assert await one(room, '!org me "Amnesty International"', CAROL) == (
        "Carol NGO speaks for Amnesty International in this room."
    )
    # Another spelling of the same organisation is the room's spelling.
    assert await one(room, "!org me amnesty   INTERNATIONAL", EVE) == (
        "Eve Late speaks for Amnesty International in this room."
    )
    reply = await room.say(f'!org set {BOB} "MAEE"', ALICE, level=CHAIR)
    assert reply[0].body == "Bob Ministry speaks for MAEE in this room."
    assert '<a href="https://matrix.to/#/@bob:example.org">Bob Ministry</a>' in reply[0].html
    assert reply[0].mentions == ()  # naming someone does not ping them
    listing = (await one(room, "!orgs", DAN)).splitlines()
    assert listing == [
        "Organisations in this room",
        "Amnesty International: Carol NGO, Eve Late",
        "MAEE: Bob Ministry",
        "Without organisation: Alice Chair, Dan Silent, Frank Away",
        'Say yours with !org me "<organisation>".',
    ]
    assert (await one(room, "!org list", DAN)).splitlines() == listing
    assert (await one(room, "!org", DAN)).splitlines() == listing
    assert [(u, n, k) for _r, u, n, k in rows(db)["organisations"]] == [
        (BOB, "MAEE", "maee"),
        (CAROL, "Amnesty International", "amnesty international"),
        (EVE, "Amnesty International", "amnesty international"),
    ]
    # A member changes organisation; clearing their own needs no chair.
    assert await one(room, '!org me "ASTI"', EVE) == "Eve Late speaks for ASTI in this room."
    assert await one(room, "!org clear", CAROL) == (
        "Carol NGO no longer speaks for Amnesty International in this room."
    )
    assert await one(room, f"!org clear {EVE}", ALICE, level=CHAIR) == (
        "Eve Late no longer speaks for ASTI in this room."
    )
    assert [u for _r, u, _n, _k in rows(db)["organisations"]] == [BOB]


async def test_organisation_names_are_cleaned(room: Room, db: Database):
    reply = await one(room, '!org me "\u202eCCDH\u2066 \x07 national"', CAROL)
    assert reply == "Carol NGO speaks for CCDH national in this room."
    assert rows(db)["organisations"][0][2] == "CCDH national"


async def test_no_organisation_in_the_room_yet(room: Room):
    assert (await one(room, "!orgs")).splitlines() == [
        "No member has said which organisation they speak for.",
        "Without organisation: Alice Chair, Bob Ministry, Carol NGO, Dan Silent, Eve Late, "
        "Frank Away",
        'Say yours with !org me "<organisation>".',
    ]


@pytest.mark.parametrize(
    ("body", "sender", "level", "expected"),
    [
        ("!org me", CAROL, 0, "Say which organisation, e.g. “Amnesty International”."),
        ('!org me ""', CAROL, 0, "Say which organisation, e.g. “Amnesty International”."),
        ("!org me \u202e\u2066", CAROL, 0, "Say which organisation, e.g. “Amnesty International”."),
        (
            "!org me " + "x" * 101,
            CAROL,
            0,
            "The organisation's name is too long (at most 100 characters).",
        ),
        ('!org me "unclosed', CAROL, 0, "A quote is not closed: "),
        ('!org set @bob "MAEE"', ALICE, CHAIR, "“@bob” is not a Matrix user id"),
        (f"!org set {BOB}", ALICE, CHAIR, "Say which organisation, e.g."),
        ("!org set", ALICE, CHAIR, "Say who and which organisation"),
        (f'!org set {BOB} "MAEE"', CAROL, 0, "Only chairs (power level 50 or more) may use"),
        (f"!org clear {BOB}", CAROL, 0, "Only chairs may clear another member's organisation."),
        (f"!org clear {BOB} {CAROL}", ALICE, CHAIR, "Clear one member's organisation at a time."),
        ("!org clear", DAN, 0, f"{DAN} has no organisation in this room."),
        ("!org clear nobody", DAN, 0, "“nobody” is not a Matrix user id"),
        ('!org mine "X"', DAN, 0, "Say what to do: !org me"),
    ],
)
async def test_bad_organisation_commands_change_nothing(
    room: Room, db: Database, body, sender, level, expected
):
    await room.say(f'!org set {BOB} "MAEE"', ALICE, level=CHAIR)
    before = rows(db)
    (reply,) = await room.say(body, sender, level=level)
    assert reply.body.startswith(expected), reply.body
    assert rows(db) == before


# --- The roll call and attendance -----------------------------------------------------------


async def plenary(room: Room) -> None:
    """Two organisations: Bob (MAEE), Carol and Eve (Amnesty); Alice, chair, has none."""
    await room.say(f'!org set {BOB} "MAEE"', ALICE, level=CHAIR)
    await room.say('!org me "Amnesty International"', CAROL)


async def test_roll_call_here_speaking_and_apologies_make_the_attendance(room: Room, db: Database):
    await plenary(room)
    (start,) = await room.say("!startmeeting Plenary", ALICE)
    assert start.body.splitlines()[-1] == (
        "Roll call: react ✅ to this message or type !here to be counted present."
    )
    assert "<code>!here</code>" in start.html
    with db.transaction() as s:
        (call,) = s.scalars(select(RollCall)).all()
        assert call.event_id == start.event_id  # recorded once sent
    # Dan never speaks: ✅ on the roll call counts him (with the text variation selector too).
    await room.post("m.reaction", reaction(start.event_id, "✅\ufe0f"), DAN)
    # A ✅ elsewhere, or another key on the roll call, counts nobody.
    greeting, _said = await room.send("Good morning", BOB)
    await room.post("m.reaction", reaction(greeting, "✅"), FRANK)
    await room.post("m.reaction", reaction(start.event_id, "👍"), FRANK)
    assert await one(room, "!here", CAROL) == (
        "Carol NGO is counted present for Amnesty International."
    )
    assert (await one(room, '!here for "amnesty international"', EVE)).splitlines() == [
        "Eve Late is counted present for Amnesty International.",
        "It is now your organisation in this room too.",
    ]
    assert await one(room, f"!apologies {FRANK}", BOB) == "Apologies recorded for Frank Away."
    assert await one(room, '!apologies "ASTI"', BOB) == "Apologies recorded for ASTI."
    # A member's display name typed without a pill means them (no organisation is called so).
    assert await one(room, "!apologies frank away", CAROL) == "Apologies recorded for Frank Away."
    # Apologies for someone who then comes are not listed: Bob is here.
    await room.say(f"!apologies {BOB}", CAROL)
    assert sorted((u, w) for _e, u, w in rows(db)["marks"]) == [
        (CAROL, "here"),
        (DAN, "reaction"),
        (EVE, "here"),
    ]
    summary, file = await room.say("!endmeeting", ALICE)
    text = file.data.decode()
    assert (
        "## Attendance\n\n**Present**\n\n"
        "- **MAEE:** Bob Ministry\n"
        "- **Amnesty International:** Carol NGO, Eve Late\n"
        "- *Without organisation:* Alice Chair, Dan Silent\n\n"
        "**Apologies**\n\n- Frank Away\n- ASTI\n"
    ) in text
    plain = (await export(room, "txt")).decode()
    assert (
        "Present:\n * MAEE: Bob Ministry\n * Amnesty International: Carol NGO, Eve Late\n"
        " * Without organisation: Alice Chair, Dan Silent\nApologies:\n * Frank Away\n * ASTI\n"
    ) in plain
    page = (await export(room, "html")).decode()
    assert '<tr><th scope="row">MAEE</th><td>Bob Ministry</td></tr>' in page
    assert (
        '<tr><th scope="row" class="without">Without organisation</th>'
        "<td>Alice Chair, Dan Silent</td></tr>"
    ) in page
    assert "<h3>Apologies</h3>\n<ul>\n<li>Frank Away</li>\n<li>ASTI</li>" in page
    doc = json.loads(await export(room, "json"))
    assert doc["present"]["organisations"] == [
        {
            "name": "MAEE",
            "members": [
                {
                    "user_id": BOB,
                    "name": "Bob Ministry",
                    "organisation": "MAEE",
                    "counted_by": ["spoke"],
                }
            ],
        },
        {
            "name": "Amnesty International",
            "members": [
                {
                    "user_id": CAROL,
                    "name": "Carol NGO",
                    "organisation": "Amnesty International",
                    "counted_by": ["here", "spoke"],
                },
                {
                    "user_id": EVE,
                    "name": "Eve Late",
                    "organisation": "Amnesty International",
                    "counted_by": ["here", "spoke"],
                },
            ],
        },
    ]
    assert doc["present"]["without_organisation"] == [
        {"user_id": ALICE, "name": "Alice Chair", "organisation": None, "counted_by": ["spoke"]},
        {"user_id": DAN, "name": "Dan Silent", "organisation": None, "counted_by": ["reaction"]},
    ]
    assert doc["apologies"] == [
        {"user_id": FRANK, "name": "Frank Away", "organisation": None},
        {"user_id": None, "name": None, "organisation": "ASTI"},
    ]
    assert doc["quorum"] is None


def reaction(to: str, key: str) -> dict:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": to, "key": key}}


async def test_a_redacted_check_mark_or_here_no_longer_counts(room: Room, db: Database):
    (start,) = await room.say("!startmeeting Plenary", ALICE)
    check = await room.post("m.reaction", reaction(start.event_id, "✅"), DAN)
    here, _said = await room.send("!here", EVE)
    apology, _said = await room.send(f"!apologies {FRANK}", BOB)
    assert {u for _e, u, _w in rows(db)["marks"]} == {DAN, EVE}
    await room.redact(check, DAN)
    await room.redact(here, EVE)
    await room.redact(apology, BOB)
    assert rows(db)["marks"] == [] and rows(db)["apologies"] == []
    await room.say("!endmeeting", ALICE)
    doc = json.loads(await export(room, "json"))
    # Eve's !here was redacted, and with it her only line in the log: she is not present;
    # nor is Bob, whose only message was the redacted apology.
    people = [p["user_id"] for p in doc["present"]["without_organisation"]]
    assert people == [ALICE]
    assert doc["apologies"] == []


async def test_a_check_mark_after_the_end_or_on_an_old_roll_call_counts_nobody(
    room: Room, db: Database
):
    (start,) = await room.say("!startmeeting First", ALICE)
    await room.say("!endmeeting", ALICE)
    await room.post("m.reaction", reaction(start.event_id, "✅"), DAN)
    await room.say("!startmeeting Second", ALICE)
    await room.post("m.reaction", reaction(start.event_id, "✅"), DAN)
    assert rows(db)["marks"] == []


async def test_names_and_organisations_are_kept_as_they_were(room: Room, db: Database):
    await plenary(room)
    await room.say("!startmeeting Plenary", ALICE)
    await room.say("!here", CAROL)
    await room.say(f"!apologies {BOB}", ALICE)
    await room.say("!endmeeting", ALICE)
    before = (await export(room, "md")).decode()
    assert "- **Amnesty International:** Carol NGO\n" in before
    assert "- MAEE" not in before and "- Bob Ministry (MAEE)" in before
    # After the meeting Carol is renamed and moves to another organisation; MAEE is renamed.
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, {**NAMES, CAROL: "Carol Renamed"}.items())
    await room.say('!org me "Frères des Hommes"', CAROL)
    await room.say(f'!org set {BOB} "Ministère"', ALICE, level=CHAIR)
    after = (await export(room, "md")).decode()
    assert _attendance(after) == _attendance(before)


def _attendance(markdown: str) -> str:
    return markdown.split("## Attendance", 1)[1].split("## Topics", 1)[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("!here for", "Say which organisation, e.g. “Amnesty International”."),
        ('!here for ""', "Say which organisation, e.g. “Amnesty International”."),
        ("!here pour", "Say which organisation, e.g. “Amnesty International”."),
        ('!here "ASTI"', 'Type !here, or !here for "<organisation>" to say whom you attend for.'),
        ("!here now", 'Type !here, or !here for "<organisation>" to say whom you attend for.'),
        ("!apologies", "Say whose apologies: a member (@alice:example.org) or an organisation"),
        ("!apologies @frank", "“@frank” is not a Matrix user id"),
        (f"!apologies {FRANK} bob", "“bob” is not a Matrix user id"),
        ('!apologies ""', "Say which organisation, e.g."),
    ],
)
async def test_bad_attendance_commands_change_nothing(room: Room, db: Database, body, expected):
    await room.say("!startmeeting Plenary", ALICE)
    before = rows(db)
    reply = await one(room, body, EVE)
    assert reply.startswith(expected), reply
    assert rows(db) == before


async def test_here_and_apologies_need_a_running_meeting(room: Room, db: Database):
    for body in ("!here", '!here for "ASTI"', f"!apologies {FRANK}", '!apologies "ASTI"'):
        assert (await one(room, body, EVE)).startswith(
            "No meeting is being recorded here; start one with !startmeeting <title>."
        )
    assert rows(db) == {k: [] for k in rows(db)}


async def test_here_for_another_organisation_is_for_this_meeting_only(room: Room, db: Database):
    await plenary(room)
    await room.say("!startmeeting Plenary", ALICE)
    assert await one(room, '!here for "ASTI"', CAROL) == "Carol NGO is counted present for ASTI."
    # Her organisation in the room is unchanged; at this meeting she attended for ASTI.
    listing = (await one(room, "!orgs")).splitlines()
    assert "Amnesty International: Carol NGO" in listing
    await room.say("!endmeeting", ALICE)
    doc = json.loads(await export(room, "json"))
    assert [o["name"] for o in doc["present"]["organisations"]] == ["ASTI"]


# --- Quorum -----------------------------------------------------------------------------------


async def test_quorum_is_set_shown_and_measured(room: Room, db: Database):
    assert (await one(room, "!quorum")).splitlines() == [
        "No quorum is set in this room.",
        "Chairs set one with !quorum <n> organisations|<n> members|<p>%.",
    ]
    assert (
        "Quorum: off (chairs change it with !quorum)" in (await one(room, "!settings")).splitlines()
    )
    assert await one(room, "!quorum 2 organisations", ALICE, CHAIR) == (
        "Quorum set: 2 organisations."
    )
    assert (
        "Quorum: 2 organisations (chairs change it with !quorum)"
        in (await one(room, "!settings")).splitlines()
    )
    assert await one(room, "!quorum", DAN) == "Quorum: 2 organisations."
    await plenary(room)
    await room.say("!startmeeting Plenary", ALICE)
    await room.say("!here", BOB)
    assert (await one(room, "!quorum", DAN)).splitlines() == [
        "Quorum: 2 organisations.",
        "No quorum: 1 organisation present, 2 required.",
        "Organisations present: MAEE.",
    ]
    await room.say("!here", CAROL)
    assert (await one(room, "!quorum", DAN)).splitlines()[1:] == [
        "Quorum reached: 2 organisations present, 2 required.",
        "Organisations present: MAEE and Amnesty International.",
    ]
    summary, _file = await room.say("!endmeeting", ALICE)
    assert "Quorum reached: 2 organisations present, 2 required." in summary.body.splitlines()
    # A later rule does not change what the minutes of this meeting say.
    await room.say("!quorum 5 members", ALICE, level=CHAIR)
    text = (await export(room, "md")).decode()
    assert (
        "**Quorum**\n\n- Rule: 2 organisations.\n"
        "- Quorum reached: 2 organisations present, 2 required.\n"
    ) in text
    # The next meeting measures the new rule: three members present, five required.
    await room.say("!startmeeting Second", ALICE)
    await room.say("!here", BOB)
    await room.say("!here", CAROL)
    summary, file = await room.say("!endmeeting", ALICE)
    assert "No quorum: 3 members present, 5 required." in summary.body.splitlines()
    doc = json.loads(await export(room, "json", meeting=2))
    assert doc["quorum"] == {
        "rule": "members",
        "value": 5,
        "required": 5,
        "present": 3,
        "reached": False,
    }
    assert await one(room, "!quorum off", ALICE, CHAIR) == (
        "Quorum off: meetings in this room need none."
    )
    assert rows(db)["quorum"] == []


async def test_a_percentage_of_the_known_organisations(room: Room):
    await plenary(room)
    await room.say('!org me "ASTI"', EVE)
    # 50% of three organisations: two, rounded up.
    assert await one(room, "!quorum 50%", ALICE, CHAIR) == (
        "Quorum set: 50% of the organisations known in the room."
    )
    await room.say("!startmeeting Plenary", ALICE)
    await room.say("!here", EVE)
    assert (await one(room, "!quorum", DAN)).splitlines()[1] == (
        "No quorum: 1 organisation present, 2 required."
    )


@pytest.mark.parametrize(
    ("body", "level", "expected"),
    [
        ("!quorum 0", CHAIR, "A quorum is at least 1: give a number from 1 to 10000."),
        ("!quorum 0 organisations", CHAIR, "A quorum is at least 1: give a number from 1 to"),
        ("!quorum 0%", CHAIR, "A quorum is at least 1: give a number from 1 to 100."),
        ("!quorum 101%", CHAIR, "Give a number from 1 to 100."),
        ("!quorum 3", CHAIR, "Say the quorum as <n> organisations, <n> members, <p>%, off."),
        ("!quorum 3 apples", CHAIR, "Say the quorum as"),
        ("!quorum -1 members", CHAIR, "“-1” is not a number."),
        ("!quorum ² members", CHAIR, "“²” is not a number."),
        ("!quorum 3 members", 0, "Only chairs may change the quorum"),
        ("!quorum off", 0, "Only chairs may change the quorum"),
    ],
)
async def test_bad_quorum_commands_change_nothing(room: Room, db: Database, body, level, expected):
    await room.say("!quorum 2 organisations", ALICE, level=CHAIR)
    before = rows(db)
    reply = await one(room, body, BOB, level)
    assert reply.startswith(expected), reply
    assert rows(db) == before
