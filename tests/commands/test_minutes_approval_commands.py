"""Minutes after the meeting through the dispatcher and the timer service, on SQLite and
PostgreSQL, with an injected clock: amendments, approval and its hash, the silence procedure
(the deadline, late, once; an objection), and bad input that changes nothing."""

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.features import Runtime
from bot.scheduler import TimerService
from commands.minutes_approval import DEADLINES
from storage.db import Database
from storage.models_after import MinutesAmendment, MinutesApproval, MinutesCirculation
from tests.room import TEST_DEFAULTS, Clock, Room

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    return Room(db, clock)


@pytest.fixture
def scheduler(db: Database, clock: Clock):
    return TimerService(Runtime(db, clock, TEST_DEFAULTS), [DEADLINES])


async def held(room: Room) -> dict[str, str]:
    """Meeting #1 held and ended: Alice chairs, Bob speaks and records; event ids by name."""
    await room.say("!startmeeting Plenary", ALICE)
    hello, _said = await room.send("Hello from the ministry", BOB)
    await room.say("!topic Budget", ALICE)
    await room.say("!agreed Meet every 3-4 months", ALICE)
    await room.say(f"!action {BOB} draft the note", ALICE)
    await room.say("!endmeeting", ALICE)
    return {"hello": hello}


async def export(room: Room, form: str, who: str = BOB) -> bytes:
    (sent,) = await room.say(f"!minutes 1 {form}", who)
    assert sent.filename and sent.filename.endswith("." + form), sent.body
    return sent.data


def canonical_sha256(doc: dict) -> str:
    """What a member checking the hash computes from the JSON export (as documented)."""
    kept = {k: v for k, v in doc.items() if k not in ("approval", "open_actions", "language")}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count(db: Database, model) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


async def test_amend_accept_reject_approve_and_the_hash(db, room: Room):
    ids = await held(room)
    (draft,) = await room.say("!minutes list", BOB)
    assert draft.body.splitlines()[1].endswith(", 6 messages, draft")

    (amended,) = await room.say("!minutes 1 amend Carol (MAEE) was present too", BOB)
    assert amended.body.splitlines() == [
        "Amendment 1 to the minutes of meeting #1 recorded: Carol (MAEE) was present too",
        "Chairs accept it with !minutes 1 accept 1 or reject it with !minutes 1 reject 1.",
    ]
    # The other word order works too.
    (second,) = await room.say("!minutes amend 1 The budget was 12%", BOB)
    assert second.body.startswith("Amendment 2 to the minutes of meeting #1 recorded")
    (refused,) = await room.say("!minutes 1 accept 1", BOB)
    assert refused.body.splitlines()[0] == (
        f"Only the meeting's chairs may use !minutes 1 accept; chairs: {ALICE}."
    )
    (accepted,) = await room.say("!minutes 1 accept 1", ALICE)
    assert accepted.body == (
        "Amendment 1 accepted: it is in the errata of the minutes of meeting #1."
    )
    (twice,) = await room.say("!minutes 1 reject 1", ALICE)
    assert twice.body.splitlines()[0] == f"Amendment 1 was accepted already, by {ALICE}."
    (undecided,) = await room.say("!minutes 1 approve", ALICE)
    assert undecided.body.splitlines()[0] == (
        "Amendment 2 is not decided yet: accept or reject it first, with "
        "!minutes 1 accept|reject 2."
    )
    (rejected,) = await room.say("!minutes 1 reject 2", ALICE)
    assert rejected.body == "Amendment 2 to the minutes of meeting #1 rejected."

    markdown = (await export(room, "md")).decode()
    assert "- **Status:** draft" in markdown
    errata = markdown.split("## Errata\n\n")[1].split("\n")[0]
    assert errata.startswith("- Amendment 1: Carol (MAEE) was present too (proposed by ")
    assert "12%" not in markdown  # a rejected amendment is not an erratum

    (approved,) = await room.say("!minutes 1 approve", ALICE)
    lines = approved.body.splitlines()
    assert lines[0] == (
        f"The minutes of meeting #1 are approved by {ALICE}, "
        "Mon, 23 Nov 2026, 10:16 (Europe/Luxembourg)."
    )
    digest = lines[1].removeprefix("SHA-256 of the approved JSON: ")
    assert len(digest) == 64 and int(digest, 16) >= 0
    with db.transaction() as s:
        (approval,) = s.scalars(select(MinutesApproval)).all()
        assert (approval.approved_by, approval.sha256, approval.redactions) == (ALICE, digest, 0)

    # The hash is the export's, every time, and every format shows it.
    first = json.loads(await export(room, "json"))
    again = json.loads(await export(room, "json", ALICE))
    assert canonical_sha256(first) == canonical_sha256(again) == digest
    assert first["approval"] == {
        "status": "approved",
        "approved_by": ALICE,
        "by_silence_procedure": False,
        "approved_at": "2026-11-23T10:16:00+01:00",
        "sha256": digest,
        "amended_after_approval": {"redactions": 0, "removed": 0},
    }
    assert [e["text"] for e in first["errata"]] == ["Carol (MAEE) was present too"]
    for form in ("md", "txt", "html"):
        assert digest in (await export(room, form)).decode(), form
    (listing,) = await room.say("!minutes list", BOB)
    assert listing.body.splitlines()[1].endswith(f", approved, SHA-256 {digest}")

    # What happens to the register or the room's settings later does not change them.
    await room.say("!done 1", BOB)
    await room.say("!timezone America/New_York", ALICE, level=50)
    later = json.loads(await export(room, "json"))
    assert later["actions"][0]["status"] == "open"  # as approved
    assert later["start"] == "2026-11-23T10:01:00+01:00"  # in the zone approved in
    assert canonical_sha256(later) == digest

    # Approved minutes no longer change…
    for command in ("!minutes 1 amend One more thing", "!minutes 1 accept 2"):
        (refused,) = await room.say(command, ALICE)
        assert refused.body.splitlines()[0] == (
            "The minutes of meeting #1 were approved on Mon, 23 Nov 2026, 04:16 "
            "(America/New_York): they no longer change (but for redactions)."
        ), command
    assert count(db, MinutesAmendment) == 2
    # …but for a redaction, which the approval record counts.
    await room.redact(ids["hello"], BOB)
    redacted = json.loads(await export(room, "json"))
    assert "Hello from the ministry" not in json.dumps(redacted)
    assert canonical_sha256(redacted) != digest
    assert redacted["approval"]["sha256"] == digest
    assert redacted["approval"]["amended_after_approval"] == {"redactions": 1, "removed": 0}
    assert "- **Amended after approval:** 1 redaction" in (await export(room, "md")).decode()


async def test_only_those_present_amend_and_bad_input_changes_nothing(db, room: Room):
    await room.say("!startmeeting Plenary", ALICE)
    (running,) = await room.say("!minutes 1 approve", ALICE)
    assert running.body.splitlines()[0] == (
        "Meeting #1 is still being recorded: its minutes are not written yet."
    )
    (running,) = await room.say("!minutes 1 amend typo", ALICE)
    assert running.body.startswith("Meeting #1 is still being recorded")
    await room.say("Hello", BOB)
    summary, _file = await room.say("!endmeeting", ALICE)
    assert summary.body.splitlines()[-2] == (
        "They are a draft: corrections with !minutes 1 amend <text>; chairs approve them with "
        "!minutes 1 approve|circulate."
    )
    (absent,) = await room.say("!minutes 1 amend I was there", CAROL)
    assert absent.body.splitlines()[0] == (
        "Only members who took part in meeting #1 (a message or an item in its log) "
        "or its chairs may amend its minutes."
    )
    cases = {
        "!minutes 1 amend": "Say what to correct, e.g. “Bob was present”.",
        '!minutes 1 amend ""': "Say what to correct, e.g. “Bob was present”.",
        "!minutes 1 amend " + "x" * 2001: "The text is too long (at most 2000 characters).",
        "!minutes 9 amend typo": "There is no recorded meeting #9 in this room.",
        "!minutes 1 accept": "Give the meeting and the amendment's number, e.g. 3 1.",
        "!minutes 1 accept x": "“x” is not an amendment number.",
        "!minutes 1 accept 4": "The minutes of meeting #1 have no amendment 4.",
        "!minutes 1 approve now": "Say which meeting's minutes, e.g. 3.",
        "!minutes 1 circulate soon": (
            "Give the deadline after --until, e.g. --until next Friday 17:00."
        ),
        "!minutes 1 circulate --until yesterday 10:00": (
            "Sun, 22 Nov 2026, 10:00 (Europe/Luxembourg) is in the past."
        ),
        "!minutes 1 circulate --until whenever": (
            "I could not read a date and time in “whenever”; try e.g. “next Tuesday 14:00”."
        ),
        "!minutes 1 object": "Say why you object, e.g. “item 2 is wrong”.",
        "!minutes 1 object too short": (
            "The minutes of meeting #1 are not circulated: there is nothing to object to."
        ),
    }
    for command, error in cases.items():
        (reply,) = await room.say(command, BOB if "amend" in command else ALICE)
        assert reply.body.splitlines()[0] == error, command
    for model in (MinutesAmendment, MinutesApproval, MinutesCirculation):
        assert count(db, model) == 0


async def test_circulated_minutes_are_approved_at_the_deadline_once(db, room, clock, scheduler):
    await held(room)
    (amended,) = await room.say("!minutes 1 amend Carol was present", BOB)
    (undecided,) = await room.say("!minutes 1 circulate", ALICE)
    assert undecided.body.startswith("Amendment 1 is not decided yet")
    await room.say("!minutes 1 accept 1", ALICE)
    notice, draft = await room.say("!minutes 1 circulate", ALICE)
    assert notice.body.splitlines() == [
        "The draft minutes of meeting #1 are circulated: they are approved on "
        "Mon, 30 Nov 2026, 10:10 (Europe/Luxembourg) unless someone objects before then.",
        "To object: !minutes 1 object <reason>. The draft is attached.",
    ]
    assert draft.filename == "minutes-1-2026-11-23-draft.md"
    text = draft.data.decode()
    assert "- **Status:** draft, circulated: approved unless someone objects by Mon, 30 Nov" in text
    assert "Carol was present" in text
    (again,) = await room.say("!minutes 1 circulate", ALICE)
    assert again.body.splitlines()[0] == (
        "The minutes of meeting #1 are circulated until Mon, 30 Nov 2026, 10:10 "
        "(Europe/Luxembourg): they change only if someone objects first."
    )
    (frozen,) = await room.say("!minutes 1 amend Another", BOB)
    assert frozen.body.startswith("Amendment 2 to the minutes")  # proposals stay possible…
    (frozen,) = await room.say("!minutes 1 accept 2", ALICE)
    assert frozen.body.startswith("The minutes of meeting #1 are circulated until")  # …not changes
    await room.say("!minutes 1 reject 2", ALICE)

    with db.transaction() as s:
        (circulation,) = s.scalars(select(MinutesCirculation)).all()
    clock.now = circulation.due_at
    assert await scheduler.fire("circulation", circulation.id) is True
    assert await scheduler.fire("circulation", circulation.id) is False
    (told,) = room.take()
    assert told.in_reply_to is None
    digest = told.body.splitlines()[1].removeprefix("SHA-256 of the approved JSON: ")
    assert told.body.splitlines()[0] == (
        "No objection by the deadline (Mon, 30 Nov 2026, 10:10 (Europe/Luxembourg)): "
        "the minutes of meeting #1 are approved by silence procedure."
    )
    doc = json.loads(await export(room, "json"))
    assert doc["approval"]["by_silence_procedure"] is True
    assert doc["approval"]["sha256"] == digest == canonical_sha256(doc)
    assert "approved by silence procedure on Mon, 30 Nov 2026, 10:10" in (
        (await export(room, "txt")).decode()
    )
    (late,) = await room.say("!minutes 1 object I was away", BOB)
    assert late.body.splitlines()[0] == (
        "Too late: the minutes of meeting #1 were approved on Mon, 30 Nov 2026, 10:10 "
        "(Europe/Luxembourg)."
    )
    (approved,) = await room.say("!minutes 1 circulate", ALICE)
    assert approved.body.startswith("The minutes of meeting #1 were approved on")
    with db.transaction() as s:
        assert [c.status for c in s.scalars(select(MinutesCirculation))] == ["approved"]


async def test_a_deadline_passed_while_the_bot_was_down_is_said_late(db, room, clock, scheduler):
    await held(room)
    await room.say("!minutes 1 circulate --until tomorrow 18:00", ALICE)
    room.take()
    clock.advance(days=2)
    with db.transaction() as s:
        (circulation,) = s.scalars(select(MinutesCirculation)).all()
    (too_late,) = await room.say("!minutes 1 object Too late", BOB)
    assert too_late.body.splitlines()[0] == (
        "Too late: the deadline for objections to the minutes of meeting #1 was "
        "Tue, 24 Nov 2026, 18:00 (Europe/Luxembourg)."
    )
    assert await scheduler.fire("circulation", circulation.id) is True
    (told,) = room.take()
    assert told.body.splitlines()[0] == (
        "No objection (late: the deadline was Tue, 24 Nov 2026, 18:00 (Europe/Luxembourg)): "
        "the minutes of meeting #1 are approved by silence procedure."
    )


async def test_an_objection_breaks_the_procedure(db, room, clock, scheduler):
    await held(room)
    await room.say("!minutes 1 circulate --until tomorrow 18:00", ALICE)
    objection, (said,) = await room.send("!minutes 1 object The budget figure is wrong", CAROL)
    assert said.body.splitlines() == [
        f"{CAROL} objects: the silence procedure for the minutes of meeting #1 is broken; "
        "they stay a draft.",
        "Reason: The budget figure is wrong",
        "The chairs may amend and circulate them again, or approve them with !minutes 1 approve.",
    ]
    assert said.mentions == (ALICE,)
    (twice,) = await room.say("!minutes 1 object Me too", BOB)
    assert twice.body.splitlines()[0] == (
        f"{CAROL} objected already: the silence procedure for meeting #1 is stopped."
    )
    with db.transaction() as s:
        (circulation,) = s.scalars(select(MinutesCirculation)).all()
        assert (circulation.status, circulation.objected_by) == ("objected", CAROL)
        assert circulation.reason == "The budget figure is wrong"
    clock.advance(days=2)
    assert await scheduler.fire("circulation", circulation.id) is False
    assert room.take() == []
    assert json.loads(await export(room, "json"))["approval"]["status"] == "draft"
    # Redacting the objection keeps the procedure broken but forgets its words.
    await room.redact(objection, CAROL)
    with db.transaction() as s:
        (circulation,) = s.scalars(select(MinutesCirculation)).all()
        assert (circulation.status, circulation.reason) == ("objected", None)
    # The chairs may circulate again, then approve before the deadline.
    notice, _draft = await room.say("!minutes 1 circulate --until Friday 12:00", ALICE)
    assert notice.body.startswith("The draft minutes of meeting #1 are circulated")
    (approved,) = await room.say("!minutes 1 approve", ALICE)
    assert approved.body.splitlines()[1] == (
        "The silence procedure ends: the chairs approved the minutes."
    )
    with db.transaction() as s:
        statuses = [c.status for c in s.scalars(select(MinutesCirculation).order_by("id"))]
    assert statuses == ["objected", "cancelled"]


async def test_a_redacted_amendment_is_gone(db, room: Room):
    await held(room)
    amendment, _said = await room.send("!minutes 1 amend My phone is 555 0100", BOB)
    await room.say("!minutes 1 accept 1", ALICE)
    await room.redact(amendment, BOB)
    assert count(db, MinutesAmendment) == 0
    assert "555" not in (await export(room, "md")).decode()
