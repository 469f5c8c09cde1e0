"""Repositories of minutes and action items, and migration 0005 over a database in use."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from storage.actions import ActionRepository, TimerRepository
from storage.db import Database
from storage.log import LogRepository
from storage.meetings import MeetingRepository
from storage.minutes import MinutesRepository
from storage.rooms import RoomRepository
from storage.status import ActionStatus, LogKind
from storage.sync import SyncRepository

ROOM, OTHER = "!room:example.org", "!other:example.org"
ALICE, BOB = "@alice:example.org", "@bob:example.org"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migration_0005_keeps_rows_of_0004(database_url):
    db = Database(database_url)
    db.upgrade("0004")
    with db.transaction() as s:
        RoomRepository(s).set_language(ROOM, "fr")
        SyncRepository(s).mark_handled("$old", ROOM, NOW)
        MeetingRepository(s).add(
            room_id=ROOM,
            title="Plénière",
            start_at=NOW + timedelta(days=3),
            end_at=NOW + timedelta(days=3, hours=1),
            timezone="Europe/Luxembourg",
            rrule=None,
            place=None,
            creator=ALICE,
            now=NOW,
        )
        # The log as revision 0004 knew it.
        s.execute(
            text(
                "INSERT INTO log_entries (event_id, room_id, sender, ts, kind, payload)"
                " VALUES ('$cmd', :room, :sender, :ts, 'command', '{\"commands\": [\"help\"]}')"
            ),
            {"room": ROOM, "sender": ALICE, "ts": NOW.replace(tzinfo=None)},
        )
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "minutes_meetings",
        "minutes_items",
        "minutes_lines",
        "action_items",
        "action_assignees",
        "action_notes",
        "action_timers",
    } <= tables
    with db.transaction() as s:
        assert RoomRepository(s).get(ROOM).language == "fr"
        assert SyncRepository(s).is_handled("$old")
        assert MeetingRepository(s).by_short_id(ROOM, 1).title == "Plénière"
        (old,) = LogRepository(s).in_room(ROOM)
        assert (old.kind, old.payload) == ("command", {"commands": ["help"]})
        minutes = MinutesRepository(s)
        meeting = minutes.start(
            room_id=ROOM, title="Suivi", started_by=ALICE, now=NOW, event_id="$start"
        )
        minutes.record(
            meeting,
            event_id="$m1",
            sender=BOB,
            ts=NOW,
            kind=LogKind.MESSAGE,
            payload={"body": "hi"},
        )
        ActionRepository(s).add(room_id=ROOM, text="note", creator=ALICE, assignees=[BOB], now=NOW)
    db.upgrade()  # a second run changes nothing
    db.close()


def test_a_logged_command_keeps_one_row_per_event(db: Database):
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.start(room_id=ROOM, title="T", started_by=ALICE, now=NOW, event_id="$s")
        minutes.record(
            meeting,
            event_id="$e",
            sender=BOB,
            ts=NOW,
            kind=LogKind.MESSAGE,
            payload={"body": "!info x"},
        )
        # What the dispatcher appends once the message's commands ran.
        LogRepository(s).append(
            event_id="$e", room_id=ROOM, sender=BOB, ts=NOW, kind="command",
            payload={"commands": ["info"]},
        )  # fmt: skip
    with db.transaction() as s:
        (entry,) = [e for e in LogRepository(s).in_room(ROOM) if e.event_id == "$e"]
        assert (entry.kind, entry.payload) == (
            LogKind.MESSAGE,
            {"body": "!info x", "commands": ["info"]},
        )
        assert [seq for seq, _e in MinutesRepository(s).lines(meeting.id)] == [1]


def test_redaction_removes_rows_items_actions_and_title(db: Database):
    with db.transaction() as s:
        minutes, actions = MinutesRepository(s), ActionRepository(s)
        meeting = minutes.start(
            room_id=ROOM, title="Secret", started_by=ALICE, now=NOW, event_id="$start"
        )
        minutes.record(meeting, event_id="$x", sender=BOB, ts=NOW, kind=LogKind.MESSAGE, payload={})
        minutes.record(meeting, event_id="$gap", sender=BOB, ts=NOW, kind=LogKind.GAP, payload={})
        action = actions.add(
            room_id=ROOM, text="t", creator=ALICE, assignees=[BOB], now=NOW, event_id="$x",
            meeting_id=meeting.id,
        )  # fmt: skip
        minutes.add_item(
            meeting, kind="action", text="t", author=ALICE, now=NOW, event_id="$x",
            action_id=action.id,
        )  # fmt: skip
        minutes.add_item(meeting, kind="info", text="kept", author=ALICE, now=NOW, event_id="$y")
    with db.transaction() as s:
        # Another room's redaction of the same id touches nothing here.
        assert MinutesRepository(s).redact(OTHER, "$x").items == 0
        removed = MinutesRepository(s).redact(ROOM, "$x")
        assert (removed.log_entries, removed.items, len(removed.action_ids)) == (1, 1, 1)
        assert MinutesRepository(s).redact(ROOM, "$start").titles == 1
    with db.transaction() as s:
        minutes = MinutesRepository(s)
        meeting = minutes.by_short_id(ROOM, 1)
        assert meeting.title == ""
        assert [i.text for i in minutes.items(meeting.id)] == ["kept"]
        assert [e.event_id for _seq, e in minutes.lines(meeting.id)] == ["$gap"]


def test_listings_are_bounded_and_ordered(db: Database):
    with db.transaction() as s:
        actions = ActionRepository(s)
        for n in range(30):
            due = NOW + timedelta(days=n - 5) if n % 3 else None
            actions.add(
                room_id=ROOM, text=f"item {n}", creator=ALICE,
                assignees=[BOB] if n % 2 else ["MAEE"], now=NOW, due_at=due, due_has_time=True,
            )  # fmt: skip
        actions.add(room_id=OTHER, text="elsewhere", creator=ALICE, assignees=[BOB], now=NOW)
        first = actions.by_short_id(ROOM, 1)
        actions.close(first, ActionStatus.DONE, BOB, NOW)
    with db.transaction() as s:
        actions = ActionRepository(s)
        listing = actions.open_in_room(ROOM, 5)
        assert listing.total == 29 and len(listing.items) == 5
        dues = [i.due_at for i in listing.items]
        assert dues == sorted(dues) and all(d is not None for d in dues)
        overdue = actions.overdue(ROOM, NOW, 100)
        assert all(i.due_at < NOW and i.status == ActionStatus.OPEN for i in overdue.items)
        assert overdue.total == 3
        assert actions.open_for(ROOM, BOB, 100).total == 15
        assert actions.open_for(ROOM, "MAEE", 100).total == 14
        assert [i.short_id for i in actions.closed(ROOM, ActionStatus.DONE, 10).items] == [1]
        assert actions.rooms_with_open_items() == [OTHER, ROOM]


def test_timers_are_claimed_once(db: Database):
    with db.transaction() as s:
        timer = TimerRepository(s).add("due", NOW)
    with db.transaction() as s:
        timers = TimerRepository(s)
        assert timers.due(NOW, 10) == [timer.id]
        assert timers.claim(timer.id, NOW) is True
        assert timers.claim(timer.id, NOW) is False
        assert timers.pending() == []


def test_a_persons_listing_follows_status_and_due_changes(db: Database):
    with db.transaction() as s:
        actions = ActionRepository(s)
        first = actions.add(room_id=ROOM, text="a", creator=ALICE, assignees=[BOB], now=NOW)
        second = actions.add(
            room_id=ROOM, text="b", creator=ALICE, assignees=[BOB], now=NOW,
            due_at=NOW + timedelta(days=2),
        )  # fmt: skip
        actions.add(room_id=OTHER, text="c", creator=ALICE, assignees=[BOB], now=NOW)
    with db.transaction() as s:
        actions = ActionRepository(s)
        assert [i.text for i in actions.open_for(ROOM, BOB, 10).items] == ["b", "a"]
        actions.set_due(actions.get(first.id), NOW + timedelta(days=1), True)
        actions.close(actions.get(second.id), ActionStatus.DONE, BOB, NOW)
        listing = actions.open_for(ROOM, BOB, 10)
        assert ([i.text for i in listing.items], listing.total) == (["a"], 1)
        actions.reopen(actions.get(second.id))
        actions.set_assignees(actions.get(first.id), ["MAEE"])
        assert [i.text for i in actions.open_for(ROOM, BOB, 10).items] == ["b"]
        assert [i.text for i in actions.open_for(ROOM, "MAEE", 10).items] == ["a"]
