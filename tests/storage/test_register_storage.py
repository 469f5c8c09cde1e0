"""The decision register's repository and migration 0012 over a database in use (meetings, items
and polls of the previous revision stay; numbers are never given twice in a room)."""

from datetime import UTC, datetime

from sqlalchemy import inspect

from storage.db import Database
from storage.decisions import DecisionRepository, VoteRepository
from storage.minutes import MinutesRepository
from storage.polls import PollRepository
from storage.status import PollKind

ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE = "@alice:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migration_0012_keeps_rows_of_0011(database_url):
    db = Database(database_url)
    db.upgrade("0011")
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.start(
            room_id=ROOM, title="Plénière", started_by=ALICE, now=NOW, event_id="$s"
        )
        minutes.add_item(
            meeting, kind="agreed", text="Old decision", author=ALICE, now=NOW, event_id="$a"
        )
        PollRepository(s).add(
            room_id=ROOM,
            kind=PollKind.POLL,
            question="Lunch?",
            answers=[{"id": "a1", "text": "Pizza"}, {"id": "a2", "text": "Pasta"}],
            max_selections=1,
            secret=False,
            timezone="Europe/Luxembourg",
            creator=ALICE,
            closes_at=None,
            now=NOW,
        )
    db.upgrade()
    assert {"decisions", "decision_numbers", "votes"} <= set(inspect(db.engine).get_table_names())
    with db.transaction() as s:
        meeting = MinutesRepository(s).by_short_id(ROOM, 1)
        (item,) = MinutesRepository(s).items(meeting.id)
        assert item.text == "Old decision"
        assert PollRepository(s).by_short_id(ROOM, 1).question == "Lunch?"
        # Items recorded before the register have no number; new entries start at D1.
        decision = DecisionRepository(s).add(
            room_id=ROOM,
            outcome="agreed",
            text=item.text,
            decided_at=NOW,
            author=ALICE,
            meeting_id=meeting.id,
            item_id=item.id,
        )
        assert decision.number == 1
        VoteRepository(s).add(poll_id=1, meeting_id=meeting.id, per_org=True, event_id="$v")
    db.upgrade()  # a second run changes nothing
    db.close()


def test_numbers_per_room_never_given_twice_and_entries_follow_their_item(db: Database):
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="P", started_by=ALICE, now=NOW, event_id="$s")
        item = minutes.add_item(
            meeting, kind="agreed", text="A", author=ALICE, now=NOW, event_id="$a"
        )
        register = DecisionRepository(s)
        first = register.add(
            room_id=ROOM, outcome="agreed", text="A", decided_at=NOW, item_id=item.id
        )
        other = register.add(room_id=OTHER, outcome="deferred", text="B", decided_at=NOW)
        second = register.add(room_id=ROOM, outcome="adopted", text="C", decided_at=NOW)
        assert (first.number, other.number, second.number) == (1, 1, 2)
        minutes.remove_item(item)
    with db.transaction() as s:
        register = DecisionRepository(s)
        assert [d.number for d in register.of_room(ROOM)] == [2]  # the item took its entry
        register.revoke(register.by_number(ROOM, 2), ALICE, NOW)
        assert register.add(room_id=ROOM, outcome="agreed", text="D", decided_at=NOW).number == 3
        assert [d.status for d in register.of_room(ROOM)] == ["in_force", "revoked"]
