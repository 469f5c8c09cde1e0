"""Agenda-driven meetings through the dispatcher, on SQLite and PostgreSQL, with an injected
clock: `!startmeeting` linked to the scheduled meeting (by time or by `#id`), `!next` through
its agenda and past its end, and the minutes marking the items reached or not."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.minutes import MinutesRepository
from storage.minutes_agenda import MinutesAgendaRepository
from tests.room import ROOM, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
MONDAY = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Luxembourg
CHAIR = 100


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks, as a room chair, unless a test says otherwise; the clock moves when told."""
    return Room(db, clock, step=timedelta(0), sender=ALICE, level=CHAIR)


async def plenary(room: Room, when: str = "today 14:00", items=("Budget 2027", "Elections")):
    """Schedule a meeting with an agenda; its number."""
    (reply,) = await room.say(f'!meeting add "Plenary" {when}')
    number = int(reply.body.split("#", 1)[1].split(" ", 1)[0])
    for item in items:
        await room.say(f"!meeting agenda {number} {item}")
    return number


def recorded(db: Database, short_id: int = 1):
    """The recorded meeting's link and its agenda (position, text, reached) as stored."""
    with db.transaction() as s:
        meeting = MinutesRepository(s).by_short_id(ROOM, short_id)
        items = MinutesAgendaRepository(s).items(meeting.id)
        return (
            meeting.scheduled_meeting_id,
            meeting.scheduled_at,
            [(i.position, i.text, i.reached) for i in items],
        )


def item_count(db: Database, short_id: int = 1) -> int:
    with db.transaction() as s:
        meeting = MinutesRepository(s).by_short_id(ROOM, short_id)
        return len(MinutesRepository(s).items(meeting.id))


async def export(room: Room, form: str, short_id: int = 1) -> str:
    (sent,) = await room.say(f"!minutes {short_id} {form}")
    assert sent.filename and sent.filename.endswith(f".{form}"), sent.body
    return sent.data.decode()


async def test_startmeeting_links_the_nearest_meeting_within_two_hours(db, room, clock):
    await plenary(room, "today 14:00")  # in an hour
    clock.now = MONDAY - timedelta(hours=3)
    await plenary(room, "today 11:30", items=("Other",))  # started an hour and a half ago
    clock.now = MONDAY
    await plenary(room, "tomorrow 13:00", items=())  # a day away: never
    (started,) = await room.say("!startmeeting")
    assert started.body.splitlines() == [
        "Meeting #1 started: Plenary. Everything said here is recorded until !endmeeting.",
        f"Chair: {ALICE}. Record with !topic !info !idea !agreed !action !link !undo.",
        "Linked to meeting #1 Plenary; agenda: 2 items.",
        "Take up its items in turn with !next; !topic still sets any other topic.",
        "Roll call: react ✅ to this message or type !here to be counted present.",
    ]
    assert "<b>Plenary</b>; agenda: 2 items." in started.html
    scheduled_id, scheduled_at, agenda = recorded(db)
    assert scheduled_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert agenda == [(1, "Budget 2027", False), (2, "Elections", False)]


async def test_a_meeting_further_than_two_hours_is_not_linked(db, room, clock):
    await plenary(room, "today 15:01")  # two hours and a minute away
    refused = await room.say("!startmeeting")
    assert refused[0].body.startswith("Give the meeting a title, e.g. “Plenary”.")
    (started,) = await room.say("!startmeeting Ad hoc")
    assert "Linked" not in started.body  # no link
    assert recorded(db) == (None, None, [])
    await room.say("!endmeeting")
    # The minutes of an unlinked meeting have no agenda section and say so in JSON.
    assert "## Agenda" not in await export(room, "md")
    doc = json.loads(await export(room, "json"))
    assert (doc["scheduled_meeting"], doc["agenda"]) == (None, [])
    # Two minutes later it starts within two hours: linked, with its title kept as given.
    clock.advance(minutes=2)
    (started,) = await room.say("!startmeeting Plenary, second part")
    assert started.body.startswith("Meeting #2 started: Plenary, second part.")
    assert started.body.splitlines()[2] == "Linked to meeting #1 Plenary; agenda: 2 items."


async def test_startmeeting_names_a_meeting_by_its_number(db, room):
    await plenary(room, "next Friday 10:00", items=("Only item",))
    await plenary(room, "today 14:00")
    (started,) = await room.say("!startmeeting #1 Preparatory session")
    assert started.body.startswith("Meeting #1 started: Preparatory session.")
    assert started.body.splitlines()[2] == "Linked to meeting #1 Plenary; agenda: 1 item."
    _id, scheduled_at, agenda = recorded(db)
    assert scheduled_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert agenda == [(1, "Only item", False)]
    await room.say("!endmeeting")
    # The log keeps the command as typed.
    doc = json.loads(await export(room, "json"))
    assert doc["log"][0]["body"] == "!startmeeting #1 Preparatory session"
    assert doc["scheduled_meeting"] == {
        "id": 1,
        "title": "Plenary",
        "start": "2026-11-27T10:00:00+01:00",
        "end": "2026-11-27T11:00:00+01:00",
    }


async def test_bad_links_are_refused_and_nothing_is_recorded(db, room):
    await plenary(room, "today 14:00")
    await room.say("!meeting cancel 1")
    for command, answer in [
        ("!startmeeting #7", "There is no meeting #7 in this room."),
        ("!startmeeting #1", "Meeting #1 is cancelled."),
        ("!startmeeting #0 Plenary", "“#0” is not a meeting number."),
    ]:
        (reply,) = await room.say(command)
        assert reply.body.startswith(answer), (command, reply.body)
    with db.transaction() as s:
        assert MinutesRepository(s).recent(ROOM, 10) == ([], 0)
    # A cancelled meeting is not linked by time either; "#hashtag" is a title.
    (started,) = await room.say("!startmeeting #hashtag review")
    assert started.body.startswith("Meeting #1 started: #hashtag review.")
    assert recorded(db) == (None, None, [])


async def test_a_series_links_the_occurrence_of_the_day(db, room, clock):
    await plenary(room, "today 14:00 every week", items=("Round table",))
    clock.advance(weeks=2, minutes=90)  # Monday 7 Dec, 14:30: the occurrence began 30 min ago
    (started,) = await room.say("!startmeeting")
    assert started.body.startswith("Meeting #1 started: Plenary.")
    _id, scheduled_at, _agenda = recorded(db)
    assert scheduled_at == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    await room.say("!endmeeting")
    facts = await export(room, "txt")
    assert (
        "Scheduled meeting: #1 Plenary — Mon, 7 Dec 2026, 14:00–15:00 (Europe/Luxembourg)"
        in facts.splitlines()
    )


async def test_next_goes_through_the_agenda_and_refuses_past_its_end(db, room):
    await plenary(room, "today 14:00")
    await room.say("!startmeeting")
    refused = await room.say("!next", sender=BOB, level=0)
    assert refused[0].body.startswith("Only the meeting's chairs may use !next")
    assert item_count(db) == 0
    (first,) = await room.say("!next")
    assert first.body == "Topic: Budget 2027 (agenda item 1/2)"
    assert "<b>Budget 2027</b>" in first.html
    await room.say("!info Ten percent more", sender=BOB, level=0)
    (other,) = await room.say("!topic Any other business")
    assert other.body == "Topic: Any other business"
    (second,) = await room.say("!next")
    assert second.body == "Topic: Elections (agenda item 2/2)"
    await room.say("!agreed Elections in March", sender=BOB, level=0)
    count = item_count(db)
    (past,) = await room.say("!next")
    assert past.body.splitlines()[0] == (
        "No agenda item is left: the last, 2. Elections, was taken up. "
        "Set another topic with !topic <topic>."
    )
    assert item_count(db) == count  # nothing stored
    assert [reached for *_, reached in recorded(db)[2]] == [True, True]
    await room.say("!endmeeting")
    markdown = await export(room, "md")
    topics = [line for line in markdown.splitlines() if line.startswith("### ")]
    assert topics[0].startswith("### 1. Budget 2027 (")
    assert topics[1].startswith("### 2. Any other business (")
    assert topics[2].startswith("### 3. Elections (")
    assert "- **Agreed (D1):** Elections in March" in markdown.split("### 3. Elections")[1]


async def test_next_with_no_agenda_or_no_meeting_is_refused(db, room, clock):
    (reply,) = await room.say("!next")
    assert reply.body.startswith("No meeting is being recorded here; start one with")
    await room.say("!startmeeting Ad hoc")
    (reply,) = await room.say("!next")
    assert reply.body.splitlines()[0] == (
        "This meeting has no agenda: it is linked to no scheduled meeting. "
        "Set the topic with !topic <topic>."
    )
    await room.say("!endmeeting")
    await plenary(room, "today 14:00", items=())
    (started,) = await room.say("!startmeeting")
    assert started.body.splitlines()[2:-1] == ["Linked to meeting #1 Plenary; agenda: 0 items."]
    (reply,) = await room.say("!next")
    assert reply.body.splitlines()[0] == (
        "The agenda of this meeting is empty; set the topic with !topic <topic>."
    )
    assert item_count(db, 2) == 0
    # An item added to the scheduled agenda meanwhile is taken up.
    await room.say("!meeting agenda 1 Late addition")
    (reply,) = await room.say("!next")
    assert reply.body == "Topic: Late addition (agenda item 1/1)"


async def test_the_minutes_mark_the_items_not_reached_in_every_format(db, room):
    await plenary(room, "today 14:00", items=("Budget 2027", "Elections", "Any <b>other</b>"))
    await room.say("!startmeeting")
    await room.say("!next")
    # Undone, the item is not reached any more; the next !next takes it up again.
    await room.say("!next")
    await room.say("!undo")
    assert [reached for *_, reached in recorded(db)[2]] == [True, False, False]
    (again,) = await room.say("!next")
    assert again.body == "Topic: Elections (agenda item 2/3)"
    await room.say("!undo")
    # Added during the meeting, never taken up: listed, not reached.
    await room.say("!meeting agenda 1 Date of the next plenary")
    summary, attached = await room.say("!endmeeting")
    markdown = attached.data.decode()
    agenda = markdown.split("## Agenda\n\n")[1].split("\n\n")[0].splitlines()
    assert agenda == [
        "1. Budget 2027",
        "2. Elections *(not reached)*",
        r"3. Any \<b\>other\</b\> *(not reached)*",
        "4. Date of the next plenary *(not reached)*",
    ]
    assert (
        r"- **Scheduled meeting:** \#1 Plenary — Mon, 23 Nov 2026, 14:00–15:00 (Europe/Luxembourg)"
        in markdown
    )
    text = await export(room, "txt")
    assert "2. Elections (not reached)" in text.splitlines()
    html = await export(room, "html")
    assert '<li value="1">Budget 2027</li>' in html
    assert (
        '<li value="3">Any &lt;b&gt;other&lt;/b&gt; <span class="note">(not reached)</span>' in html
    )
    doc = json.loads(await export(room, "json"))
    assert doc["agenda"] == [
        {"position": 1, "text": "Budget 2027", "reached": True},
        {"position": 2, "text": "Elections", "reached": False},
        {"position": 3, "text": "Any <b>other</b>", "reached": False},
        {"position": 4, "text": "Date of the next plenary", "reached": False},
    ]
    # An item added after the meeting ended is not part of its minutes.
    room.clock.advance(minutes=1)
    await room.say("!meeting agenda 1 Afterthought")
    doc = json.loads(await export(room, "json"))
    assert len(doc["agenda"]) == 4


async def test_the_minutes_speak_the_rooms_language(db, room):
    await room.say("!lang fr")
    await plenary(room, "aujourd'hui 14:00", items=("Budget", "Élections"))
    (started,) = await room.say("!startmeeting")
    assert "Lié à la réunion #1 Plenary ; ordre du jour : 2 points." in started.body.splitlines()
    (first,) = await room.say("!suivant")
    assert first.body == "Sujet : Budget (point 1/2 de l'ordre du jour)"
    await room.say("!endmeeting")
    markdown = await export(room, "md")
    assert "## Ordre du jour" in markdown
    assert "2. Élections *(non abordé)*" in markdown
