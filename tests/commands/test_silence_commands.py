"""Written (silence) procedures through the dispatcher and the timer service, on SQLite and
PostgreSQL, with an injected clock: opening, objections (once, before the deadline), the
deadline (adopted into the register or broken; late; once), withdrawal and redactions, and bad
input that changes nothing."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.features import Runtime
from bot.scheduler import TimerService
from commands.silence import DEADLINES
from storage.db import Database
from storage.register_models import Decision
from storage.silence_models import SilenceObjection, SilenceProcedure
from tests.room import TEST_DEFAULTS, Clock, Room

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
CHAIR = 50
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    return Room(db, clock)


@pytest.fixture
def scheduler(db: Database, clock: Clock):
    return TimerService(Runtime(db, clock, TEST_DEFAULTS), [DEADLINES])


async def chair(room: Room, body: str) -> list:
    return await room.say(body, ALICE, level=CHAIR)


def procedures(db: Database) -> list[SilenceProcedure]:
    with db.transaction() as s:
        return list(s.scalars(select(SilenceProcedure).order_by(SilenceProcedure.id)))


def count(db: Database, model) -> int:
    with db.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


async def test_adopted_at_the_deadline_once_and_registered(db, room, clock, scheduler):
    await room.say("!startmeeting Plenary", ALICE, level=CHAIR)
    await room.say("!agreed Meet every 3-4 months", ALICE, level=CHAIR)
    await room.say("!endmeeting", ALICE, level=CHAIR)
    room.take()
    (opened,) = await chair(room, '!silence "The annual report is adopted as circulated"')
    assert opened.body.splitlines() == [
        f"Silence procedure S1 opened by {ALICE}: The annual report is adopted as circulated",
        "It is adopted on Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg) unless a member objects "
        "before then; adopted, it enters the decision register.",
        "To object: !silence object S1 <reason>.",
    ]
    (listed,) = await room.say("!silence list", BOB)
    assert listed.body.splitlines() == [
        "Silence procedures:",
        "• S1 — open until Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg): "
        "The annual report is adopted as circulated",
    ]
    (procedure,) = procedures(db)
    clock.now = procedure.due_at
    assert await scheduler.fire("silence", procedure.id) is True
    assert await scheduler.fire("silence", procedure.id) is False
    (told,) = room.take()
    assert told.in_reply_to is None
    assert told.body.splitlines() == [
        "No objection to silence procedure S1 by the deadline "
        "(Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg)): adopted as decision D2.",
        "Text: The annual report is adopted as circulated",
    ]
    with db.transaction() as s:
        entry = s.scalar(select(Decision).where(Decision.number == 2))
        assert (entry.outcome, entry.status, entry.text) == (
            "adopted",
            "in_force",
            "The annual report is adopted as circulated",
        )
        assert (entry.meeting_id, entry.author, entry.decided_at) == (None, None, procedure.due_at)
    (procedure,) = procedures(db)
    assert (procedure.status, procedure.decision_number, procedure.late) == ("adopted", 2, False)
    (shown,) = await room.say("!decision show D2", BOB)
    assert "Adopted by silence procedure S1, opened by @alice:example.org." in shown.body
    (late,) = await room.say("!silence object S1 I was away", BOB)
    assert late.body.splitlines()[0] == (
        "Too late: the deadline for objections to silence procedure S1 was "
        "Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg)."
    )
    (shown,) = await room.say("!silence show 1", BOB)
    assert shown.body.splitlines() == [
        "S1 — The annual report is adopted as circulated",
        f"Opened by {ALICE} on Mon, 23 Nov 2026, 10:04 (Europe/Luxembourg).",
        "Deadline: Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg)",
        "Outcome: adopted on Mon, 30 Nov 2026, 10:04 (Europe/Luxembourg), decision D2",
        "No objection.",
    ]
    assert count(db, SilenceObjection) == 0


async def test_a_deadline_passed_while_the_bot_was_down_is_said_late(db, room, clock, scheduler):
    await chair(room, '!silence "Budget line 4 moves to 2027" --until tomorrow 18:00')
    clock.advance(days=2)
    (too_late,) = await room.say("!silence object 1 Too late", BOB)
    assert too_late.body.splitlines()[0] == (
        "Too late: the deadline for objections to silence procedure S1 was "
        "Tue, 24 Nov 2026, 18:00 (Europe/Luxembourg)."
    )
    (procedure,) = procedures(db)
    assert await scheduler.fire("silence", procedure.id) is True
    assert await scheduler.fire("silence", procedure.id) is False
    (told,) = room.take()
    assert told.body.splitlines()[0] == (
        "No objection to silence procedure S1 (late: the deadline was "
        "Tue, 24 Nov 2026, 18:00 (Europe/Luxembourg)): adopted as decision D1."
    )
    (procedure,) = procedures(db)
    assert (procedure.status, procedure.late) == ("adopted", True)
    (shown,) = await room.say("!silence show S1", BOB)
    assert shown.body.splitlines()[3] == (
        "Outcome: adopted on Tue, 24 Nov 2026, 18:00 (Europe/Luxembourg), decision D1 "
        "(announced late: the bot was not running at the deadline)"
    )


async def test_objections_break_the_procedure(db, room, clock, scheduler):
    await chair(room, '!silence "Close the office in August" --until Friday 12:00')
    objection, (said,) = await room.send("!silence object S1 Our staff work in August", CAROL)
    assert said.body.splitlines() == [
        f"{CAROL} objects to silence procedure S1, opened by {ALICE}: Close the office in August",
        "Reason: Our staff work in August",
        "Unless every objection is withdrawn (its message redacted) before "
        "Fri, 27 Nov 2026, 12:00 (Europe/Luxembourg), the procedure is broken and the text is "
        "not adopted.",
    ]
    assert said.mentions == (ALICE,)
    (twice,) = await room.say("!silence object S1 Me again", CAROL)
    assert twice.body.splitlines()[0] == (
        "You objected to silence procedure S1 already, on Mon, 23 Nov 2026, 10:02 "
        "(Europe/Luxembourg)."
    )
    await room.say("!silence object S1 Not before the audit", BOB)
    (listed,) = await room.say("!silence list", BOB)
    assert listed.body.splitlines()[1].startswith(
        "• S1 — open until Fri, 27 Nov 2026, 12:00 (Europe/Luxembourg), 2 objections: Close"
    )
    # A redacted objection goes; the other still breaks the procedure.
    await room.redact(objection, CAROL)
    assert [o.author for o in _objections(db)] == [BOB]
    (procedure,) = procedures(db)
    clock.now = procedure.due_at
    assert await scheduler.fire("silence", procedure.id) is True
    assert await scheduler.fire("silence", procedure.id) is False
    (told,) = room.take()
    assert told.body.splitlines() == [
        "Silence procedure S1 is broken at its deadline "
        "(Fri, 27 Nov 2026, 12:00 (Europe/Luxembourg)); the text is not adopted. Objections:",
        f"• {BOB}: Not before the audit",
    ]
    assert told.mentions == (ALICE,)
    assert count(db, Decision) == 0  # a broken procedure is no decision
    (shown,) = await room.say("!silence show S1", CAROL)
    assert shown.body.splitlines()[3:] == [
        "Outcome: broken by objections on Fri, 27 Nov 2026, 12:00 (Europe/Luxembourg)",
        "Objections:",
        f"• {BOB} (Mon, 23 Nov 2026, 10:04 (Europe/Luxembourg)): Not before the audit",
    ]


def _objections(db: Database) -> list[SilenceObjection]:
    with db.transaction() as s:
        return list(s.scalars(select(SilenceObjection).order_by(SilenceObjection.id)))


async def test_withdrawn_by_a_chair_or_by_redacting_it(db, room, clock, scheduler):
    await chair(room, '!silence "First text"')
    opening, _said = await room.send('!silence "Second text"', ALICE, level=CHAIR)
    await room.say("!silence object S2 No", BOB)
    (refused,) = await room.say("!silence withdraw S1", BOB)
    assert refused.body.startswith("Only chairs (power level 50 or more) may use")
    (withdrawn,) = await chair(room, "!silence withdraw S1")
    assert withdrawn.body == (f"Silence procedure S1 withdrawn by {ALICE}: it will not be adopted.")
    (again,) = await chair(room, "!silence withdraw S1")
    assert again.body.splitlines()[0] == "Silence procedure S1 was withdrawn."
    (closed,) = await room.say("!silence object S1 Late", BOB)
    assert closed.body.splitlines()[0] == "Silence procedure S1 was withdrawn."
    (told,) = await room.redact(opening, ALICE)
    assert told.body == "Silence procedure S2 is withdrawn: its message was redacted."
    first, second = procedures(db)
    assert (first.status, first.withdrawn_by, first.text) == ("withdrawn", ALICE, "First text")
    assert (second.status, second.text) == ("withdrawn", None)
    assert count(db, SilenceObjection) == 0
    (listed,) = await room.say("!silence list", BOB)
    assert listed.body.splitlines()[1:] == [
        "• S2 — withdrawn on Mon, 23 Nov 2026, 10:08 (Europe/Luxembourg): "
        "(text removed by its author)",
        "• S1 — withdrawn on Mon, 23 Nov 2026, 10:05 (Europe/Luxembourg): First text",
    ]
    clock.advance(days=8)
    assert await scheduler.fire("silence", first.id) is False
    assert await scheduler.fire("silence", second.id) is False
    assert room.take() == []
    assert count(db, Decision) == 0
    # Numbers are never given twice.
    (third,) = await chair(room, '!silence "Third text"')
    assert third.body.startswith("Silence procedure S3 opened by")


async def test_bad_input_changes_nothing(db, room: Room):
    (empty,) = await room.say("!silence list", BOB)
    assert empty.body == (
        'No silence procedure in this room yet; chairs open one with !silence "<proposal>" '
        "[--until <when>]."
    )
    (refused,) = await room.say('!silence "A text"', BOB)
    assert refused.body.startswith("Only chairs (power level 50 or more) may use")
    cases = {
        "!silence": 'Say what is proposed, e.g. !silence "The note is adopted as circulated".',
        '!silence ""': 'Say what is proposed, e.g. !silence "The note is adopted as circulated".',
        '!silence "Text" --until': (
            "Give the deadline after --until, e.g. --until next Friday 17:00."
        ),
        '!silence "Text" --until yesterday 10:00': (
            "Sun, 22 Nov 2026, 10:00 (Europe/Luxembourg) is in the past."
        ),
        '!silence "Text" --until whenever': (
            "I could not read a date and time in “whenever”; try e.g. “next Tuesday 14:00”."
        ),
        "!silence " + "x" * 2001: "The text is too long (at most 2000 characters).",
        "!silence object": "Give the procedure's number, e.g. S1.",
        "!silence object S1": "Say why you object, e.g. “the figures are not final”.",
        "!silence object X1 why": "“X1” is not a procedure number; write it like S1.",
        "!silence object S4 why": "There is no silence procedure S4 in this room.",
        "!silence show": "Give the procedure's number, e.g. S1.",
        "!silence show S1 S2": "Give the procedure's number, e.g. S1.",
        "!silence show S9": "There is no silence procedure S9 in this room.",
        "!silence withdraw S9": "There is no silence procedure S9 in this room.",
        "!silence list all": "!silence list takes no arguments.",
    }
    for command, error in cases.items():
        (reply,) = await chair(room, command)
        assert reply.body.splitlines()[0] == error, command
    assert count(db, SilenceProcedure) == 0
    assert count(db, SilenceObjection) == 0


async def test_until_in_a_quoted_text_is_the_text(db, room: Room):
    (opened,) = await chair(room, '!silence "Valid --until revoked" --until Friday 12:00')
    assert opened.body.splitlines()[0].endswith(": Valid --until revoked")
    assert "Fri, 27 Nov 2026, 12:00" in opened.body.splitlines()[1]
