"""Formal votes through the dispatcher and the poll timer service, on SQLite and PostgreSQL: the
native poll For / Against / Abstain, closing by command, by its time, by !poll close and by
!endmeeting, the outcome in the reply, the minutes and the register, per-organisation votes and
the quorum (the real homeserver paths are in tests/integration/test_minutes.py)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

import bot.votes
from bot.features import Runtime
from bot.msc3381 import DISCLOSED, POLL_END, POLL_RESPONSE, POLL_START, TEXT, response_content
from bot.scheduler import TimerService
from bot.votes import Presence
from commands.poll_closing import CLOSINGS
from storage.db import Database
from storage.decisions import DecisionRepository, VoteRepository
from storage.minutes import MinutesRepository
from storage.polls import PollRepository
from tests.room import ROOM, TEST_DEFAULTS, Clock, Room

ALICE, BOB, CAROL, DAN = (f"@{n}:example.org" for n in ("alice", "bob", "carol", "dan"))
CHAIR = 50
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 15:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks (and starts the meeting) unless a test says otherwise."""
    return Room(db, clock, sender=ALICE)


def start_of(room: Room, short_id: int) -> str:
    with room.db.transaction() as s:
        return PollRepository(s).by_short_id(ROOM, short_id).start_event_id


async def vote(room: Room, sender: str, answer: str, poll: int = 1) -> str:
    """A response as Element sends it, a minute after the last event."""
    return await room.post(POLL_RESPONSE, response_content(start_of(room, poll), [answer]), sender)


def stored(db: Database) -> tuple[list, list, list]:
    """(polls, votes, register) of the room."""
    with db.transaction() as s:
        polls = PollRepository(s).of_room(ROOM, 100)
        votes = [VoteRepository(s).get(p.id) for p in polls]
        return polls, [v for v in votes if v], DecisionRepository(s).of_room(ROOM)


async def test_a_vote_is_a_native_poll_and_its_close_records_the_outcome(db, room):
    await room.say("!startmeeting Plenary")
    await room.say("!topic Budget")
    command, (notice,) = await room.send('!vote "Adopt the 2027 budget"')
    start = room.sent[-2]
    assert start.type == POLL_START
    assert start.content[POLL_START] == {
        "question": {
            TEXT: "Adopt the 2027 budget",
            "body": "Adopt the 2027 budget",
            "msgtype": "m.text",
        },
        "kind": DISCLOSED,
        "max_selections": 1,
        "answers": [
            {"id": "for", TEXT: "For"},
            {"id": "against", TEXT: "Against"},
            {"id": "abstain", TEXT: "Abstain"},
        ],
    }
    assert notice.in_reply_to == command
    assert notice.body.splitlines() == [
        "Vote #1: Adopt the 2027 budget",
        "Vote For, Against or Abstain in the poll above; !vote close 1 closes it and records "
        "the outcome.",
    ]
    await vote(room, ALICE, "for")
    await vote(room, BOB, "against")
    await vote(room, CAROL, "for")
    await vote(room, DAN, "abstain")
    await vote(room, BOB, "for")  # changed his mind: the latest counts
    (results,) = await room.say("!vote close", level=0)
    end = [s for s in room.sent if s.type == POLL_END][-1]
    assert end.content["m.relates_to"] == {"rel_type": "m.reference", "event_id": start.event_id}
    assert end.content["body"] == "The vote has ended: adopted (For 3, Against 0, Abstain 1)."
    assert results.body.splitlines() == [
        "Vote #1 closed: Adopt the 2027 budget",
        f"For: 3 — {ALICE}, {CAROL}, {BOB}",
        "Against: 0",
        f"Abstain: 1 — {DAN}",
        "Outcome: adopted, entered as D1.",
    ]
    assert results.mentions == ()  # voters are named, not pinged
    polls, votes, register = stored(db)
    assert polls[0].status == "closed" and polls[0].kind == "vote"
    assert votes[0].outcome == "adopted" and votes[0].counts["for"] == 3
    (entry,) = register
    assert (entry.number, entry.outcome, entry.text, entry.topic, entry.author) == (
        1,
        "adopted",
        "Adopt the 2027 budget",
        "Budget",
        ALICE,
    )
    assert entry.counts["against"] == 0 and entry.counts["abstain"] == 1
    (shown,) = await room.say("!decision show D1")
    assert shown.body.splitlines()[:2] == [
        "D1 — Adopted: Adopt the 2027 budget",
        "Status: in force",
    ]
    assert "Votes: For 3, Against 0, Abstain 1" in shown.body.splitlines()
    summary, file = await room.say("!endmeeting")
    assert "• D1 Adopted: Adopt the 2027 budget (For 3, Against 0, Abstain 1)" in (
        summary.body.splitlines()
    )
    text = file.data.decode()
    assert (
        f"- **Vote (D1):** Adopt the 2027 budget: adopted (For 3, Against 0, Abstain 1) — {ALICE}"
        in text.split("### 1. Budget", 1)[1]
    )
    doc = json.loads((await room.say("!minutes 1 json"))[0].data)
    (item,) = doc["topics"][0]["items"]
    assert item["kind"] == "vote" and item["decision"] == "D1"
    assert item["vote"] == {
        "outcome": "adopted",
        "for": 3,
        "against": 0,
        "abstain": 1,
        "per_org": False,
        "voters": {"for": [ALICE, CAROL, BOB], "against": [], "abstain": [DAN]},
        # their display names then (the room driver's members have none: their ids)
        "voter_names": {"for": [ALICE, CAROL, BOB], "against": [], "abstain": [DAN]},
    }
    assert doc["register"] == [
        {"number": "D1", "outcome": "adopted", "text": "Adopt the 2027 budget"}
    ]


async def test_rejected_and_tied_votes(db, room):
    await room.say("!startmeeting Plenary")
    await room.say('!vote "Meet weekly"')
    await vote(room, BOB, "against")
    await vote(room, CAROL, "abstain")
    (rejected,) = await room.say("!vote close 1")
    assert rejected.body.splitlines()[-1] == "Outcome: rejected, entered as D1."
    await room.say("!vote Meet monthly")  # the motion need not be quoted
    await vote(room, BOB, "against", poll=2)
    await vote(room, CAROL, "for", poll=2)
    (tied,) = await room.say("!vote close #2")
    assert tied.body.splitlines()[0] == "Vote #2 closed: Meet monthly"
    assert tied.body.splitlines()[-1] == (
        "Outcome: tied; nothing is entered in the decision register."
    )
    _polls, votes, register = stored(db)
    assert [v.outcome for v in votes] == ["tied", "rejected"]
    assert [(d.number, d.outcome, d.text) for d in register] == [(1, "rejected", "Meet weekly")]
    (listing,) = await room.say("!decisions")
    assert listing.body.splitlines()[1] == "D1 Meet weekly — Rejected; Mon, 23 Nov 2026"
    summary, _file = await room.say("!endmeeting")
    assert summary.body.splitlines()[1:4] == [
        "Decisions",
        "• D1 Rejected: Meet weekly (For 0, Against 1, Abstain 1)",
        "• Tied: Meet monthly (For 1, Against 1, Abstain 0)",
    ]


async def test_per_organisation_votes_name_the_organisations(db, room, monkeypatch):
    orgs = {ALICE: "MAEE", BOB: "MAEE", CAROL: "CCDH"}
    monkeypatch.setattr(bot.votes, "presence", lambda *a: Presence(orgs))
    await room.say("!startmeeting Plenary")
    (notice,) = await room.say('!vote "Adopt the statement" --per-org')
    assert notice.body.splitlines()[1] == (
        "One vote per organisation: the latest vote of any of its members counts."
    )
    await vote(room, ALICE, "for")
    await vote(room, CAROL, "against")
    await vote(room, DAN, "against")  # no organisation: counts alone
    await vote(room, BOB, "abstain")  # later than Alice: MAEE abstains
    (results,) = await room.say("!vote close")
    assert results.body.splitlines() == [
        "Vote #1 closed: Adopt the statement",
        "For: 0",
        f"Against: 2 — CCDH, {DAN}",
        "Abstain: 1 — MAEE",
        "One vote per organisation: the latest vote of its members counted.",
        "Outcome: rejected, entered as D1.",
    ]
    _polls, _votes, (entry,) = stored(db)
    assert entry.counts["per_org"] is True
    assert entry.counts["voters"] == {"for": [], "against": ["CCDH", DAN], "abstain": ["MAEE"]}
    (shown,) = await room.say("!decision show 1")
    assert "Votes: For 0, Against 2, Abstain 1; one vote per organisation" in shown.body


async def test_without_quorum_nothing_is_decided(db, room, monkeypatch):
    monkeypatch.setattr(bot.votes, "presence", lambda *a: Presence(quorum=False))
    await room.say("!startmeeting Plenary")
    await room.say('!vote "Adopt the statement"')
    await vote(room, BOB, "for")
    (results,) = await room.say("!vote close")
    assert results.body.splitlines()[-1] == (
        "Outcome: no quorum; the quorum was not reached when the vote closed."
    )
    _polls, votes, register = stored(db)
    assert votes[0].outcome == "no_quorum" and register == []


async def test_endmeeting_closes_the_open_votes_first(db, room):
    await room.say("!startmeeting Plenary")
    await room.say('!vote "One"')
    await room.say('!vote "Two"')
    await vote(room, BOB, "for", poll=2)
    (several,) = await room.say("!vote close")
    assert several.body.splitlines()[0] == (
        "Several votes are open (#1, #2); say which, e.g. !vote close 1."
    )
    said = await room.say("!endmeeting")
    assert [s.body.splitlines()[0] for s in said] == [
        "Vote #1 closed: One",
        "Vote #2 closed: Two",
        "Meeting #1 ended: Plenary (5 minutes).",
        "minutes-1-2026-11-23.md",
    ]
    ends = [s for s in room.sent if s.type == POLL_END]
    assert len(ends) == 2
    assert "- **Vote (D1):** Two: adopted" in said[-1].data.decode()
    polls, votes, _register = stored(db)
    assert {p.status for p in polls} == {"closed"}


async def test_poll_close_and_a_closing_time_record_the_outcome_too(db, room, clock):
    await room.say("!startmeeting Plenary")
    await room.say("!topic Statement")
    (notice,) = await room.say('!vote "Adopt it" --closes in 10 minutes')
    assert notice.body.splitlines()[1] == "Closes: Mon, 23 Nov 2026, 15:13 (Europe/Luxembourg)"
    await vote(room, BOB, "for")
    clock.now += timedelta(minutes=20)
    service = TimerService(Runtime(db, clock, TEST_DEFAULTS), [CLOSINGS])
    assert await service.fire("poll-close", 1)
    end, results = room.take()
    assert end.type == POLL_END
    assert results.body.splitlines()[-1] == "Outcome: adopted, entered as D1."
    await room.say('!vote "Adopt the other"')
    await vote(room, BOB, "against", poll=2)
    (closed,) = await room.say("!poll close 2")
    assert closed.body.splitlines()[-1] == "Outcome: rejected, entered as D2."
    with db.transaction() as s:
        meeting = MinutesRepository(s).running(ROOM)
        kinds = [(i.kind, i.text) for i in MinutesRepository(s).items(meeting.id)]
    assert kinds == [("topic", "Statement"), ("vote", "Adopt it"), ("vote", "Adopt the other")]


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ('!vote "Adopt it" --closes', "Say when the vote closes, e.g. --closes 16:30."),
        ("!vote --per-org", "Give the motion to vote on, in quotes."),
        (
            '!vote "Adopt it" --secret',
            "Unknown option --secret; the options are --per-org and --closes <when>.",
        ),
        (
            '!vote "Adopt it" --closes yesterday 10:00',
            "Sun, 22 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        ),
        ("!vote close 7", "There is no vote #7 in this room."),
        ("!vote close 1", "There is no vote #1 in this room."),  # a poll, not a vote
        ("!vote close", "No vote is open in this meeting."),
        ("!vote close x", "“x” is not a vote number."),
    ],
)
async def test_bad_input_is_answered_and_stores_nothing(db, room, command, answer):
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    await room.say("!startmeeting Plenary")
    (reply,) = await room.say(command, level=CHAIR)
    assert reply.body.splitlines()[0] == answer
    polls, votes, register = stored(db)
    assert [p.kind for p in polls] == ["poll"] and votes == [] and register == []


async def test_votes_belong_to_meetings_and_their_chairs(db, room):
    (outside,) = await room.say('!vote "Adopt it"')
    assert outside.body.splitlines()[0] == (
        "Votes are held in meetings, and none is being recorded here; start one with "
        "!startmeeting <title>."
    )
    (outside,) = await room.say("!vote close")
    assert outside.body.startswith("Votes are held in meetings")
    await room.say("!startmeeting Plenary")
    (refused,) = await room.say('!vote "Adopt it"', BOB)
    assert refused.body.splitlines()[0] == (
        f"Only the meeting's chairs may use !vote; chairs: {ALICE}."
    )
    assert stored(db) == ([], [], [])
    await room.say(f"!chair {BOB}")
    await room.say('!vote "Adopt it"', BOB)  # a chair now
    (refused,) = await room.say("!vote close", CAROL)
    assert refused.body.startswith("Only the meeting's chairs may use !vote close;")
    (closed,) = await room.say("!vote close", CAROL, level=CHAIR)  # a room chair
    assert closed.body.splitlines()[-1] == (
        "Outcome: tied; nothing is entered in the decision register."
    )
    (again,) = await room.say("!vote close 1")
    assert again.body.splitlines()[0] == "Vote #1 is closed already."


async def test_a_vote_in_french(db, room):
    await room.say("!lang fr", level=CHAIR)
    await room.say("!startmeeting Plénière")
    await room.say('!vote "Adopter le budget"')
    start = [s for s in room.sent if s.type == POLL_START][-1]
    answers = [a[TEXT] for a in start.content[POLL_START]["answers"]]
    assert answers == ["Pour", "Contre", "Abstention"]
    await vote(room, BOB, "for")
    (results,) = await room.say("!vote close")
    assert results.body.splitlines()[1] == f"Pour : 1 — {BOB}"
    assert results.body.splitlines()[-1] == "Résultat : adopté, inscrit sous D1."


async def test_undoing_or_redacting_a_vote_takes_its_entry(db, room):
    await room.say("!startmeeting Plenary")
    command, _ = await room.send('!vote "Adopt it"')
    await vote(room, BOB, "for")
    await room.say("!vote close")
    assert [d.number for d in stored(db)[2]] == [1]
    await room.redact(command, ALICE)
    assert stored(db)[2] == []
    await room.say('!vote "Adopt the other"')
    await vote(room, BOB, "for", poll=2)
    (closed,) = await room.say("!vote close")
    assert closed.body.splitlines()[-1] == "Outcome: adopted, entered as D2."
    (undone,) = await room.say("!undo")
    assert undone.body == "Removed the vote: Adopt the other"
    assert stored(db)[2] == []


async def test_redacting_an_open_votes_command_withdraws_it(db, room):
    await room.say("!startmeeting Plenary")
    command, _ = await room.send('!vote "A motion said by mistake"')
    await vote(room, BOB, "for")
    said = await room.redact(command, ALICE)
    end, notice = said
    assert end.type == POLL_END and end.content["body"] == "The vote was withdrawn."
    assert notice.body == "Vote #1 was withdrawn: its motion was redacted; nothing is recorded."
    polls, votes, register = stored(db)
    assert (polls[0].status, polls[0].question) == ("closed", "")
    assert votes == [] and register == []
    (closing,) = await room.say("!vote close")
    assert closing.body.splitlines()[0] == "No vote is open in this meeting."
    _summary, file = await room.say("!endmeeting")
    assert "mistake" not in file.data.decode()
    assert await room.redact(command, ALICE) == []  # once


async def test_per_organisation_votes_of_members_not_present_are_named_not_counted(
    db, room, monkeypatch
):
    orgs = {ALICE: "MAEE", BOB: "MAEE", CAROL: "CCDH"}
    there = Presence(orgs, present=frozenset({ALICE, CAROL}), quorum=True)
    monkeypatch.setattr(bot.votes, "presence", lambda *a: there)
    await room.say("!startmeeting Plenary")
    await room.say('!vote "Adopt the statement" --per-org')
    await vote(room, ALICE, "for")
    await vote(room, CAROL, "for")
    await vote(room, BOB, "against")  # later, but Bob is not present: MAEE's vote is Alice's
    (results,) = await room.say("!vote close")
    assert results.body.splitlines()[1:] == [
        "For: 2 — MAEE, CCDH",
        "Against: 0",
        "Abstain: 0",
        "One vote per organisation: the latest vote of its members counted.",
        f"Not counted, not present at the meeting: {BOB}.",
        "Outcome: adopted, entered as D1.",
    ]


async def test_organisations_and_quorum_come_from_attendance(db, room):
    """No stand-in: organisations set with !org, presence by speaking or !here, the quorum."""
    await room.say(f'!org set {ALICE} "MAEE"', level=CHAIR)
    await room.say(f'!org set {BOB} "maee"', level=CHAIR)  # the same organisation
    await room.say(f'!org set {CAROL} "CCDH"', level=CHAIR)
    await room.say("!quorum 2 organisations", level=CHAIR)
    await room.say("!startmeeting Plenary")  # Alice speaks: present
    await room.say("!here", BOB)
    await room.say("Good afternoon", CAROL)
    await room.say('!vote "Adopt the statement" --per-org')
    await vote(room, ALICE, "against")
    await vote(room, CAROL, "for")
    await vote(room, BOB, "for")  # later than Alice: MAEE votes For
    await vote(room, DAN, "against")  # not present: not counted
    (results,) = await room.say("!vote close")
    assert results.body.splitlines()[1:] == [
        "For: 2 — CCDH, MAEE",
        "Against: 0",
        "Abstain: 0",
        "One vote per organisation: the latest vote of its members counted.",
        f"Not counted, not present at the meeting: {DAN}.",
        "Outcome: adopted, entered as D1.",
    ]
    # Three organisations required, two present: no quorum, whatever the counts.
    await room.say("!quorum 3 organisations", level=CHAIR)
    await room.say('!vote "Adopt the annex"')
    await vote(room, BOB, "for", poll=2)
    (results,) = await room.say("!vote close")
    assert results.body.splitlines()[-1] == (
        "Outcome: no quorum; the quorum was not reached when the vote closed."
    )
    _polls, votes, register = stored(db)
    assert [v.outcome for v in votes] == ["no_quorum", "adopted"]
    assert [d.text for d in register] == ["Adopt the statement"]
