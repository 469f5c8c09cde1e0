"""Action items through the dispatcher, and their rounds (due-day reminders, weekly digest)
through the scheduler, with an injected clock, on SQLite and PostgreSQL."""

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.features import Runtime
from bot.scheduler import TimerService
from commands.action_rounds import ROUNDS as ROUND_TIMER
from commands.action_rounds import Rounds, plan_rounds
from storage.actions import ActionRepository, TimerRepository
from storage.db import Database
from storage.status import RoundKind
from tests.room import TEST_DEFAULTS, Clock, Room, pilled

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 in Luxembourg
SETTINGS = replace(TEST_DEFAULTS, action_reminders=time(9, 0), digest=(0, time(9, 30)))
ROUNDS = Rounds(
    reminders=time(9, 0), digest=(0, time(9, 30)), timezone="Europe/Luxembourg", language="en"
)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    return Room(db, clock)


@pytest.fixture
def rounds(db: Database, clock: Clock):
    with db.transaction() as s:
        plan_rounds(s, ROUNDS, clock.now)
    assert Rounds.of(SETTINGS) == ROUNDS
    return TimerService(Runtime(db, clock, SETTINGS), [ROUND_TIMER])


def pending_rounds(db: Database) -> dict[str, datetime]:
    with db.transaction() as s:
        timers = TimerRepository(s)
        return {
            kind: t.due_at
            for kind in (RoundKind.DUE, RoundKind.DIGEST)
            for t in timers.pending_of(kind)
        }


async def test_an_action_from_creation_to_done(room: Room):
    (made,) = await room.say(f"!action {BOB}, MAEE draft the explanatory note by Friday", ALICE)
    assert made.body.splitlines() == [
        "Action #1 recorded.",
        f"#1 draft the explanatory note → {BOB}, MAEE — due Fri, 27 Nov 2026",
        "Mark it done with !done 1.",
    ]
    assert made.mentions == (BOB,)
    assert f'<a href="https://matrix.to/#/{BOB}">' in made.html
    (timed,) = await room.say(f"!action {CAROL} call the embassy due tomorrow 15:00", ALICE)
    assert timed.body.splitlines()[1] == (
        f"#2 call the embassy → {CAROL} — due Tue, 24 Nov 2026, 15:00 (Europe/Luxembourg)"
    )
    (kept,) = await room.say("!action ASTI ask by email", ALICE)  # "by email" is no date
    assert kept.body.splitlines()[1] == "#3 ask by email → ASTI"

    (listing,) = await room.say("!actions", BOB)
    assert listing.body.splitlines() == [
        "Open actions (3)",
        f"#2 call the embassy → {CAROL} — due Tue, 24 Nov 2026, 15:00 (Europe/Luxembourg)",
        f"#1 draft the explanatory note → {BOB}, MAEE — due Fri, 27 Nov 2026",
        "#3 ask by email → ASTI",
    ]
    assert listing.mentions == ()  # a listing shows people without pinging them
    (mine,) = await room.say("!actions mine", BOB)
    assert mine.body.splitlines()[0] == "Your open actions (1)"
    (theirs,) = await room.say(f"!actions {CAROL}", BOB)
    assert theirs.body.splitlines()[1].startswith("#2 call the embassy")
    (named,) = await room.say("!actions MAEE", BOB)
    assert named.body.splitlines()[0] == "Open actions of MAEE (1)"

    (refused,) = await room.say("!done 2", BOB)
    assert refused.body.splitlines()[0] == (
        f"Only its assignees, {ALICE} who created it, or a chair may change action #2."
    )
    (done,) = await room.say("!done 1", BOB)
    assert done.body == "Done: #1 draft the explanatory note"
    (again,) = await room.say("!done 1", BOB)
    assert again.body == "Action #1 was done already."
    (chair,) = await room.say("!done #3", CAROL, level=50)
    assert chair.body == "Done: #3 ask by email"
    (listing,) = await room.say("!actions done", BOB)
    assert listing.body.splitlines()[0] == "Actions done (2)"
    (reopened,) = await room.say("!action reopen 1", ALICE)
    assert reopened.body == "Action #1 is open again."
    (moved,) = await room.say("!action due 1 3 December", BOB)
    assert moved.body == "Action #1 is due Thu, 3 Dec 2026."
    (given,) = await room.say(f"!action assign 1 {CAROL}", ALICE)
    assert given.body == f"Action #1 is now for {CAROL}."
    assert given.mentions == (CAROL,)
    (noted,) = await room.say("!action note 1 first draft shared with the MAEE", CAROL)
    assert noted.body == "Note added to action #1."
    (shown,) = await room.say("!action show 1", BOB)
    assert shown.body.splitlines()[0] == (
        f"#1 draft the explanatory note → {CAROL} — due Thu, 3 Dec 2026"
    )
    assert shown.body.splitlines()[-1].endswith(f"{CAROL}: first draft shared with the MAEE")
    (refused,) = await room.say("!action drop 1", CAROL)
    assert refused.body.startswith(f"Only {ALICE}, who created action #1, or a chair may drop it.")
    (dropped,) = await room.say("!action drop 1", ALICE)
    assert dropped.body == "Action #1 dropped."


# What Element Web sends when a member types "!action ", picks Alice Martin from the
# @-completion and goes on typing: her name in the body, a link to her in the HTML.
ELEMENT_ACTION = pilled("!action ", ALICE, "Alice Martin", ": send the report by Friday")


def assignees(db: Database, room_id: str) -> dict[int, list[str]]:
    """Each item's assignees as stored, by short id."""
    with db.transaction() as s:
        actions = ActionRepository(s)
        items = actions.everything(room_id, 100).items
        people = actions.assignees(item.id for item in items)
        return {item.short_id: people[item.id] for item in items}


async def test_a_person_picked_from_the_completion_is_that_user(room: Room, db: Database):
    (made,) = await room.say_content(ELEMENT_ACTION, BOB)
    assert made.body.splitlines()[1] == f"#1 send the report → {ALICE} — due Fri, 27 Nov 2026"
    assert made.mentions == (ALICE,)
    assert f'<a href="https://matrix.to/#/{ALICE}">' in made.html
    assert assignees(db, room.room_id) == {1: [ALICE]}

    (hers,) = await room.say_content(pilled("!actions ", ALICE, "Alice Martin"), BOB)
    assert hers.body.splitlines() == [
        f"Open actions of {ALICE} (1)",
        f"#1 send the report → {ALICE} — due Fri, 27 Nov 2026",
    ]
    (mine,) = await room.say("!actions mine", ALICE)
    assert mine.body.splitlines()[0] == "Your open actions (1)"
    (given,) = await room.say_content(pilled("!action assign 1 ", CAROL, "Carol"), ALICE)
    assert given.body == f"Action #1 is now for {CAROL}."
    assert given.mentions == (CAROL,)
    assert assignees(db, room.room_id) == {1: [CAROL]}
    # Two people, one typed as an id; a name that is no pill stays a name.
    two = pilled("!action ", BOB, "Bob Dupont", f", {CAROL}, MAEE: call the embassy")
    (made,) = await room.say_content(two, ALICE)
    assert made.body.splitlines()[1] == f"#2 call the embassy → {BOB}, {CAROL}, MAEE"
    assert made.mentions == (BOB, CAROL)
    assert assignees(db, room.room_id) == {1: [CAROL], 2: [BOB, CAROL, "MAEE"]}


async def test_a_mentioned_name_without_a_pill_is_that_user(room: Room, db: Database):
    """Element with Markdown off links nobody: m.mentions says who, and the sync loop hands
    over the mentioned members' display names from the room's state."""
    content = {
        "msgtype": "m.text",
        "body": "!action Alice Martin: send the report by Friday",
        "format": "org.matrix.custom.html",
        "formatted_body": "!action Alice Martin: send the report by Friday",
        "m.mentions": {"user_ids": [ALICE]},
    }
    (made,) = await room.say_content(content, BOB, names=(("Alice Martin", ALICE),))
    assert made.body.splitlines()[1] == f"#1 send the report → {ALICE} — due Fri, 27 Nov 2026"
    assert made.mentions == (ALICE,)
    assert assignees(db, room.room_id) == {1: [ALICE]}


async def test_a_stale_html_is_not_believed(room: Room):
    # The body was changed (by a bridge, a bot), its HTML not: what the body says is done.
    stale = {**ELEMENT_ACTION, "body": "!action Bob: send the report by Friday"}
    (made,) = await room.say_content(stale, CAROL)
    assert made.body.splitlines()[1] == "#1 send the report → Bob — due Fri, 27 Nov 2026"
    assert made.mentions == ()


async def test_bad_input_is_refused(room: Room):
    answers = [
        await room.say("!done 9", ALICE),
        await room.say("!done x", ALICE),
        await room.say("!action", ALICE),
        await room.say("!action Marie", ALICE),
        await room.say("!action @marie do it", ALICE),
        await room.say(f"!action {BOB} report by 31/02/2027", ALICE),
        await room.say(f"!action {BOB} report by 3 March 2020", ALICE),
        await room.say("!action due 1 soon", ALICE),
        await room.say("!actions " + "x" * 80, ALICE),
    ]
    assert [a[0].body.splitlines()[0] for a in answers] == [
        "There is no action #9 in this room.",
        "“x” is not an action number.",
        "Say who does what, e.g. @alice:example.org send the invitations by Friday.",
        "Say who does what, e.g. @alice:example.org send the invitations by Friday.",
        "“@marie” is not a Matrix user id; write it like @alice:example.org.",
        "“31/02/2027” is not a date that exists.",
        "The due date Tue, 3 Mar 2020 is in the past.",
        "There is no action #1 in this room.",
        "Choose one of: mine, all, overdue, done, @user.",
    ]
    (listing,) = await room.say("!actions all", ALICE)
    assert listing.body.startswith("All actions, latest first: none.")


async def test_open_actions_are_carried_into_the_next_minutes(room: Room):
    await room.say("!startmeeting First", ALICE)
    await room.say(f"!action {BOB} prepare the note by 15 December 2026", ALICE)
    await room.say(f"!action {CAROL} book the room", ALICE)
    await room.say("!endmeeting", ALICE)
    await room.say("!done 2", CAROL)
    await room.say("!action MAEE between meetings", ALICE)
    await room.say("!startmeeting Second", ALICE)
    await room.say("!endmeeting", ALICE)
    (sent,) = await room.say("!minutes 2 json", ALICE)
    doc = json.loads(sent.data)
    assert [(a["id"], a["text"]) for a in doc["open_actions"]] == [
        (1, "prepare the note"),
        (3, "between meetings"),
    ]
    (first,) = await room.say("!minutes 1 json", ALICE)
    assert [a["status"] for a in json.loads(first.data)["actions"]] == ["open", "done"]


async def test_the_due_day_reminder_mentions_the_assignees_once(
    db: Database, room: Room, clock: Clock, rounds: TimerService
):
    assert pending_rounds(db) == {
        RoundKind.DUE: datetime(2026, 11, 23, 8, 0, tzinfo=UTC),  # today 09:00 in Luxembourg
        RoundKind.DIGEST: datetime(2026, 11, 23, 8, 30, tzinfo=UTC),  # Monday 09:30
    }
    await room.say(f"!action {BOB} send the agenda by today", ALICE)
    await room.say(f"!action {CAROL} later by Wednesday", ALICE)
    await room.say(f"!action {BOB} done before by today", ALICE)
    await room.say("!done 3", BOB)
    clock.now = datetime(2026, 11, 23, 8, 0, 1, tzinfo=UTC)
    with db.transaction() as s:
        (due_id,) = [t.id for t in TimerRepository(s).pending_of(RoundKind.DUE)]
    assert await rounds.fire("action-round", due_id) is True
    assert await rounds.fire("action-round", due_id) is False
    (reminder,) = room.take()
    assert reminder.body.splitlines() == [
        "Reminder: this action is due today.",
        f"• #1 send the agenda → {BOB} — due Mon, 23 Nov 2026",
    ]
    assert reminder.mentions == (BOB,) and reminder.in_reply_to is None
    assert pending_rounds(db)[RoundKind.DUE] == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


async def test_a_round_missed_while_down_goes_out_late_for_every_missed_day(
    db: Database, room: Room, clock: Clock, rounds: TimerService
):
    await room.say(f"!action {BOB} monday task by today", ALICE)
    await room.say(f"!action {CAROL} tuesday task by tomorrow", ALICE)
    await room.say(f"!action {BOB} thursday task by Thursday", ALICE)
    # The bot is down from Monday 08:30 until Wednesday 10:00: at start the overdue rows are
    # found (marked late) and the first to fire claims every row due by then.
    clock.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    with db.transaction() as s:
        plan_rounds(s, ROUNDS, clock.now)
        (due_id,) = [t.id for t in TimerRepository(s).pending_of(RoundKind.DUE)]
    assert rounds.pick_up() == 2
    assert await rounds.fire("action-round", due_id) is True
    sent = room.take()
    due = [m for m in sent if m.body.startswith("Reminder")]
    (late,) = due
    assert late.body.splitlines() == [
        "Reminder (late): these actions were due on the days I was away.",
        f"• #1 monday task → {BOB} — due Mon, 23 Nov 2026 (overdue)",
        f"• #2 tuesday task → {CAROL} — due Tue, 24 Nov 2026 (overdue)",
    ]
    assert set(late.mentions) == {BOB, CAROL}
    digest = [m for m in sent if m.body.startswith("Weekly digest")]
    assert len(digest) == 1 and "(late: I was away at its time)" in digest[0].body
    assert pending_rounds(db) == {
        RoundKind.DUE: datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
        RoundKind.DIGEST: datetime(2026, 11, 30, 8, 30, tzinfo=UTC),
    }


async def test_the_weekly_digest_lists_open_and_overdue_per_room(
    db: Database, room: Room, clock: Clock, rounds: TimerService
):
    await room.say(f"!action {BOB} overdue soon by today", ALICE)
    await room.say("!action MAEE no due date", ALICE)
    other = Room(room.db, clock, room_id="!other:example.org")
    await other.say("!lang de", ALICE, level=100)
    await other.say(f"!action {CAROL} Bericht bis Freitag", ALICE)
    room.take()
    clock.now = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # the next Monday 09:30
    with db.transaction() as s:
        (digest_id,) = [t.id for t in TimerRepository(s).pending_of(RoundKind.DIGEST)]
        # Move this week's digest to next Monday, as if the bot had run through the week.
        TimerRepository(s).get(digest_id).due_at = clock.now
    assert await rounds.fire("action-round", digest_id) is True
    sent = {m.body.splitlines()[0]: m for m in room.take()}
    english = sent["Weekly digest of action items: 2 open, 1 overdue."]
    assert english.body.splitlines()[1:] == [
        "Overdue",
        f"• #1 overdue soon → {BOB} — due Mon, 23 Nov 2026 (overdue)",
        "Open",
        "• #2 no due date → MAEE",
        "The full list: !actions.",
    ]
    assert english.mentions == (BOB,)
    german = sent["Wöchentliche Übersicht der Aufgaben: 1 offen, 1 überfällig."]
    assert f"• #1 Bericht → {CAROL} — fällig Fr., 27. Nov. 2026 (überfällig)" in german.body
    assert pending_rounds(db)[RoundKind.DIGEST] == datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


async def test_rounds_follow_the_config(db: Database, clock: Clock):
    with db.transaction() as s:
        plan_rounds(s, ROUNDS, clock.now)
    assert len(pending_rounds(db)) == 2
    later = Rounds(time(17, 0), (4, time(12, 0)), "Europe/Luxembourg", "en")
    with db.transaction() as s:
        plan_rounds(s, later, clock.now)
    assert pending_rounds(db) == {
        RoundKind.DUE: datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
        RoundKind.DIGEST: datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
    }
    with db.transaction() as s:
        plan_rounds(s, Rounds(None, None, "Europe/Luxembourg", "en"), clock.now)
    assert pending_rounds(db) == {}
    assert timedelta(0) == timedelta(0)
