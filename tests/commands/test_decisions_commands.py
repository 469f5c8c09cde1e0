"""The decision register through the dispatcher, on SQLite and PostgreSQL: numbers given by
!agreed, !rejected and !deferred across meetings, listing and search, supersede and revoke,
exports read back, redactions and undo, and bad input that changes nothing."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from storage.db import Database
from storage.decisions import DecisionRepository
from storage.register_models import Decision
from tests.room import ROOM, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
CHAIR = 50
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 18:00 in Luxembourg


@pytest.fixture
def room(db: Database) -> Room:
    return Room(db, Clock(START), sender=ALICE)


def register(db: Database) -> list[Decision]:
    with db.transaction() as s:
        return DecisionRepository(s).of_room(ROOM)


async def two_meetings(room: Room) -> None:
    """D1–D3 in meeting #1 (no topic, then "Budget"), D4 in meeting #2 under "Calendar"."""
    await room.say("!startmeeting Plenary")
    assert (await room.say("!agreed Meet every 3-4 months"))[0].body == (
        "Decision D1 recorded: Meet every 3-4 months"
    )
    await room.say("!topic Budget")
    assert (await room.say("!rejected Double the budget", BOB))[0].body == (
        "Rejection D2 recorded: Double the budget"
    )
    assert (await room.say("!deferred Hire a secretary"))[0].body == (
        "Deferral D3 recorded: Hire a secretary"
    )
    await room.say("!endmeeting")
    await room.say("!startmeeting Second plenary")
    await room.say("!topic Calendar")
    assert (await room.say("!agreed Meet every two months"))[0].body == (
        "Decision D4 recorded: Meet every two months"
    )
    await room.say("!endmeeting")


async def test_numbers_run_on_across_meetings_and_the_register_lists_newest_first(db, room):
    await two_meetings(room)
    (listing,) = await room.say("!decisions", BOB)
    assert listing.body.splitlines() == [
        "Decision register, newest first",
        "D4 Meet every two months — Agreed, in force; Mon, 23 Nov 2026",
        "D3 Hire a secretary — Deferred; Mon, 23 Nov 2026",
        "D2 Double the budget — Rejected; Mon, 23 Nov 2026",
        "D1 Meet every 3-4 months — Agreed, in force; Mon, 23 Nov 2026",
    ]
    assert "<b>D4</b>" in listing.html
    (shown,) = await room.say("!decision show D4", BOB)
    assert shown.body.splitlines() == [
        "D4 — Agreed: Meet every two months",
        "Status: in force",
        "Date: Mon, 23 Nov 2026, 18:09 (Europe/Luxembourg)",
        "Meeting: #2 Second plenary",
        "Topic: Calendar",
        f"Recorded by: {ALICE}",
    ]
    (first,) = await room.say("!decision show #1", BOB)
    assert "Topic:" not in first.body and "Meeting: #1 Plenary" in first.body
    rows = [(d.number, d.outcome, d.topic, d.author) for d in register(db)]
    assert rows == [
        (4, "agreed", "Calendar", ALICE),
        (3, "deferred", "Budget", ALICE),
        (2, "rejected", "Budget", BOB),
        (1, "agreed", None, ALICE),
    ]


async def test_minutes_show_the_numbers_and_outcomes(room):
    await two_meetings(room)
    summary = (await room.say("!minutes 1 md"))[0].data.decode()
    assert "- **Agreed (D1):** Meet every 3-4 months" in summary
    assert f"- **Rejected (D2):** Double the budget — {BOB}" in summary
    assert "- **Deferred (D3):** Hire a secretary" in summary
    decisions = summary.split("## Decisions", 1)[1].split("##", 1)[0].strip().splitlines()
    assert decisions == [
        "- D1 Agreed: Meet every 3-4 months",
        "- D2 Rejected: Double the budget",
        "- D3 Deferred: Hire a secretary",
    ]
    text = (await room.say("!minutes 1 txt"))[0].data.decode()
    assert "* Rejected (D2): Double the budget" in text
    page = (await room.say("!minutes 1 html"))[0].data.decode()
    assert "Deferred (D3):</span> Hire a secretary" in page
    doc = json.loads((await room.say("!minutes 1 json"))[0].data)
    assert doc["decisions"] == ["Meet every 3-4 months"]
    assert doc["register"] == [
        {"number": "D1", "outcome": "agreed", "text": "Meet every 3-4 months"},
        {"number": "D2", "outcome": "rejected", "text": "Double the budget"},
        {"number": "D3", "outcome": "deferred", "text": "Hire a secretary"},
    ]
    items = doc["topics"][1]["items"]
    assert [(i["kind"], i["decision"]) for i in items] == [
        ("rejected", "D2"),
        ("deferred", "D3"),
    ]


async def test_the_summary_of_endmeeting_names_the_outcomes(room):
    await room.say("!startmeeting Plenary")
    await room.say("!agreed Meet monthly\n!rejected Meet weekly")
    summary, _file = await room.say("!endmeeting")
    assert summary.body.splitlines()[1:4] == [
        "Decisions",
        "• D1 Agreed: Meet monthly",
        "• D2 Rejected: Meet weekly",
    ]


async def test_supersede_and_revoke_by_chairs(db, room):
    await two_meetings(room)
    (refused,) = await room.say("!decision supersede D1 by D4", BOB, level=0)
    assert refused.body.startswith("Only chairs")
    (done,) = await room.say("!decision supersede D1 by D4", BOB, level=CHAIR)
    assert done.body == "D1 is now superseded by D4: Meet every 3-4 months"
    (shown,) = await room.say("!decision show 1")
    assert "Status: superseded by D4" in shown.body.splitlines()
    assert f"Status changed by {BOB} on Mon, 23 Nov 2026, 18:12 (Europe/Luxembourg)." in (
        shown.body
    )
    (again,) = await room.say("!decision supersede D1 by D4", level=CHAIR)
    assert again.body.splitlines()[0] == "D1 is superseded by D4 already."
    (revoked,) = await room.say("!decision revoke d3", level=CHAIR)
    assert revoked.body == "D3 is now revoked: Hire a secretary"
    (by_revoked,) = await room.say("!decision supersede D2 by D3", level=CHAIR)
    assert (
        by_revoked.body.splitlines()[0]
        == "D3 is revoked; only a decision that stands may supersede another."
    )
    (by_superseded,) = await room.say("!decision supersede D2 by D1", level=CHAIR)
    assert by_superseded.body.startswith("D1 is superseded by D4;")
    (twice,) = await room.say("!decision revoke D3", level=CHAIR)
    assert twice.body.splitlines()[0] == "D3 is revoked already."
    (listing,) = await room.say("!decisions")
    assert listing.body.splitlines()[2:] == [
        "D3 Hire a secretary — Deferred, revoked; Mon, 23 Nov 2026",
        "D2 Double the budget — Rejected; Mon, 23 Nov 2026",
        "D1 Meet every 3-4 months — Agreed, superseded by D4; Mon, 23 Nov 2026",
    ]
    statuses = {d.number: (d.status, d.superseded_by, d.changed_by) for d in register(db)}
    assert statuses == {
        4: ("in_force", None, None),
        3: ("revoked", None, ALICE),
        2: ("in_force", None, None),
        1: ("superseded", 4, BOB),
    }


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("!decision supersede D1 by D1", "A decision cannot supersede itself."),
        ("!decision supersede 4 by #4", "A decision cannot supersede itself."),
        ("!decision supersede D1 by D9", "There is no decision D9 in this room."),
        ("!decision supersede D9 by D1", "There is no decision D9 in this room."),
        ("!decision supersede D1 D4", "Say which decision and by which, e.g. D3 by D7."),
        ("!decision revoke D0", "“D0” is not a decision number; write it like D3."),
        ("!decision revoke X3", "“X3” is not a decision number; write it like D3."),
        ("!decision show", "Give the decision's number, e.g. D3."),
        ("!decision show D12", "There is no decision D12 in this room."),
        ("!decisions export pdf", "Choose one of: md, csv, json."),
        ("!decisions --page", "Say which page, e.g. --page 2."),
        ("!decisions --page 9", "There are only 4 decisions to show."),
    ],
)
async def test_bad_input_is_answered_and_changes_nothing(db, room, command, answer):
    await two_meetings(room)
    before = [(d.number, d.status, d.superseded_by) for d in register(db)]
    (reply,) = await room.say(command, level=CHAIR)
    assert reply.body.splitlines()[0] == answer
    assert [(d.number, d.status, d.superseded_by) for d in register(db)] == before


async def test_search_folds_case_and_accents_and_pages_by_twenty(room):
    await room.say("!startmeeting Plenary")
    await room.say("!agreed Le budget de la Coopération est adopté")
    for n in range(2, 26):
        await room.say(f"!agreed Item {n}")
    (found,) = await room.say("!decisions COOPERATION budget")
    assert found.body.splitlines() == [
        "Decisions matching cooperation budget, newest first",
        "D1 Le budget de la Coopération est adopté — Agreed, in force; Mon, 23 Nov 2026",
    ]
    (nothing,) = await room.say("!decisions budget weekly")
    assert nothing.body == "No decision matches budget weekly."
    (first,) = await room.say("!decisions")
    lines = first.body.splitlines()
    assert len(lines) == 22 and lines[1].startswith("D25 Item 25")
    assert lines[-1] == "5 more: !decisions --page 2"
    (second,) = await room.say("!decisions --page 2")
    lines = second.body.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["D5", "D4", "D3", "D2", "D1"]
    (item,) = await room.say("!decisions item --page 2")
    assert [line.split()[0] for line in item.body.splitlines()[1:]] == ["D5", "D4", "D3", "D2"]


async def test_an_empty_register(room):
    (reply,) = await room.say("!decisions")
    assert reply.body.splitlines() == [
        "The decision register of this room is empty.",
        "Record decisions in a meeting with !agreed !rejected !deferred !vote.",
    ]
    (file,) = await room.say("!decisions export json")
    assert json.loads(file.data)["decisions"] == []


async def test_exports_read_back_and_csv_is_safe_for_spreadsheets(room):
    await two_meetings(room)
    await room.say("!startmeeting Third")
    await room.say('!agreed =HYPERLINK("https://evil.example") +1 -2 @me')
    await room.say("!endmeeting")
    await room.say("!decision supersede D1 by D4", level=CHAIR)
    (file,) = await room.say("!decisions export csv")
    assert file.filename == "decisions-2026-11-23.csv" and file.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(file.data.decode())))
    assert [r["number"] for r in rows] == ["D1", "D2", "D3", "D4", "D5"]
    assert rows[0]["status"] == "superseded" and rows[0]["superseded_by"] == "D4"
    assert rows[1]["outcome"] == "rejected" and rows[1]["topic"] == "Budget"
    assert rows[3]["meeting"] == "2" and rows[3]["author"] == ALICE
    assert rows[4]["text"] == '\'=HYPERLINK("https://evil.example") +1 -2 @me'
    (file,) = await room.say("!decisions export json")
    doc = json.loads(file.data)
    assert doc["schema"] == "wgbot.decisions/1"
    assert doc["decisions"][0] == {
        "number": "D1",
        "outcome": "agreed",
        "text": "Meet every 3-4 months",
        "status": "superseded",
        "superseded_by": "D4",
        "decided_at": "2026-11-23T18:02:00+01:00",
        "meeting": 1,
        "topic": None,
        "author": ALICE,
        "votes_for": None,
        "against": None,
        "abstain": None,
        "per_org": None,
    }
    assert doc["decisions"][4]["text"].startswith("=HYPERLINK")  # JSON keeps the text as said
    (file,) = await room.say("!decisions export markdown")
    text = file.data.decode()
    assert text.startswith("# Decision register\n")
    assert (
        "- **D1** Meet every 3-4 months — Agreed; superseded by D4; Mon, 23 Nov 2026; meeting #1"
        in text
    )
    assert "  - Topic: Budget" in text


async def test_a_redacted_or_undone_item_takes_its_entry_and_numbers_are_not_given_again(db, room):
    await room.say("!startmeeting Plenary")
    agreed, _ = await room.send("!agreed Secret arrangement")
    await room.say("!rejected Something")
    await room.redact(agreed, ALICE)
    assert [d.number for d in register(db)] == [2]
    await room.say("!undo")  # the rejection
    assert register(db) == []
    (reply,) = await room.say("!agreed Next")
    assert reply.body == "Decision D3 recorded: Next"
    (shown,) = await room.say("!decision show D1")
    assert shown.body.splitlines()[0] == "There is no decision D1 in this room."


async def test_entries_without_meeting_or_author_are_added_by_the_repository(db, room):
    with db.transaction() as s:
        entry = DecisionRepository(s).add(
            room_id=ROOM,
            outcome="adopted",
            text="Silence procedure: the statement",
            decided_at=START,
        )
        assert entry.number == 1 and entry.author is None and entry.meeting_id is None
    (shown,) = await room.say("!decision show D1")
    assert shown.body.splitlines() == [
        "D1 — Adopted: Silence procedure: the statement",
        "Status: in force",
        "Date: Mon, 23 Nov 2026, 18:00 (Europe/Luxembourg)",
    ]
    await room.say("!startmeeting Plenary")
    (reply,) = await room.say("!agreed After the procedure")
    assert reply.body == "Decision D2 recorded: After the procedure"


async def test_rejected_and_deferred_need_a_meeting_and_a_text(db, room):
    (outside,) = await room.say("!rejected Something")
    assert outside.body.startswith("No meeting is being recorded here")
    await room.say("!startmeeting Plenary")
    (empty,) = await room.say("!deferred   ")
    assert empty.body.startswith("Say what to record")
    assert register(db) == []
