"""Meeting mode, the log, exports and redactions through the dispatcher, on SQLite and
PostgreSQL, with an injected clock (the chat paths are in tests/integration)."""

import json
import re
from datetime import UTC, datetime

import pytest

from storage.actions import ActionRepository
from storage.db import Database
from storage.log import LogRepository
from tests.room import ROOM, Clock, Room, pilled

ALICE, BOB, CAROL = "@alice:example.org", "@bob:example.org", "@carol:example.org"
START = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 22:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    return Room(db, clock)


async def minutes_json(room: Room, meeting: int = 1) -> dict:
    (sent,) = await room.say(f"!minutes {meeting} json", ALICE)
    assert sent.filename and sent.filename.endswith(".json"), sent.body
    return json.loads(sent.data)


async def test_a_meeting_from_start_to_minutes(room: Room):
    (started,) = await room.say("!startmeeting Plenary", ALICE)
    assert started.body.startswith("Meeting #1 started: Plenary.")
    await room.say("Good evening everyone", BOB)
    (topic,) = await room.say("!topic Budget 2027", ALICE)
    assert topic.body == "Topic: Budget 2027"
    replies = await room.say("!info The ministry proposes 10% more\n!idea Ask the NGOs", BOB)
    assert [r.body for r in replies] == [
        "Info recorded: The ministry proposes 10% more",
        "Idea recorded: Ask the NGOs",
    ]
    (decision,) = await room.say("!decision Meet every 3-4 months", ALICE)
    assert decision.body == "Decision D1 recorded: Meet every 3-4 months"
    (action,) = await room.say(f"!action {BOB} draft the note by 15 December 2026", ALICE)
    assert action.body.splitlines()[:3] == [
        "Action #1 recorded.",
        f"#1 draft the note → {BOB} — due Tue, 15 Dec 2026",
        "Also in the minutes of meeting #1.",
    ]
    assert action.mentions == (BOB,)
    (link,) = await room.say("!link https://example.org/report.pdf The report", CAROL)
    assert link.body == "Link recorded: The report"
    # Past midnight: still one meeting.
    room.clock.advance(hours=2)
    await room.say("Sorry I am late", CAROL)
    summary, minutes = await room.say("!endmeeting", ALICE)
    assert summary.in_reply_to and minutes.in_reply_to
    lines = summary.body.splitlines()
    assert lines[0] == "Meeting #1 ended: Plenary (2 hours 8 minutes)."
    assert lines[1:5] == [
        "Decisions",
        "• D1 Agreed: Meet every 3-4 months",
        "Actions",
        f"• #1 draft the note → {BOB}",
    ]
    assert lines[5] == f"Attendees: {ALICE}, {BOB}, {CAROL}"
    assert (
        lines[-1] == "The full minutes are attached; any time later: !minutes 1 md|html|txt|json."
    )
    assert summary.mentions == (BOB,)
    assert minutes.filename == "minutes-1-2026-11-23.md"
    text = minutes.data.decode()
    assert "# Minutes: Plenary" in text
    assert "### 1. Before the first topic" not in text
    assert "### 1. Budget 2027 (23 Nov 22:03)" in text
    assert f"- **Agreed (D1):** Meet every 3-4 months — {ALICE}, 23 Nov 22:05" in text
    assert "`24 Nov 00:08`" in text  # log times carry the day once the meeting spans two

    doc = await minutes_json(room)
    assert doc["schema"] == "wgbot.minutes/2"
    assert (doc["title"], doc["start"], doc["end"]) == (
        "Plenary",
        "2026-11-23T22:01:00+01:00",
        "2026-11-24T00:09:00+01:00",
    )
    assert doc["chairs"] == [ALICE]
    assert doc["attendees"] == [ALICE, BOB, CAROL]
    assert [t["title"] for t in doc["topics"]] == ["Budget 2027"]
    assert [i["kind"] for i in doc["topics"][0]["items"]] == [
        "info",
        "idea",
        "agreed",
        "action",
        "link",
    ]
    assert doc["actions"] == [
        {
            "id": 1,
            "text": "draft the note",
            "assignees": [BOB],
            "assignee_names": [BOB],  # the room driver's members have no display name
            "status": "open",
            "due": "2026-12-15T23:59:00+01:00",
            "due_has_time": False,
        }
    ]
    assert [(e["sender"], e["body"], e["topic"]) for e in doc["log"]][:3] == [
        (ALICE, "!startmeeting Plenary", None),
        (BOB, "Good evening everyone", None),
        (ALICE, "!topic Budget 2027", None),
    ]
    assert doc["log"][3]["topic"] == "Budget 2027"
    assert doc["log"][-1]["body"] == "!endmeeting"
    assert doc["gaps"] == []


async def test_chairs_control_topic_end_and_undo(room: Room):
    await room.say("!startmeeting Jour fixe", ALICE)
    (refused,) = await room.say("!topic Mine now", BOB)
    assert refused.body.splitlines()[0] == (
        f"Only the meeting's chairs may use !topic; chairs: {ALICE}."
    )
    (refused,) = await room.say("!endmeeting", BOB)
    assert refused.body.startswith("Only the meeting's chairs may use !endmeeting")
    (nothing,) = await room.say("!undo", BOB)
    assert nothing.body.startswith("There is nothing to undo in this meeting.")
    await room.say("!info first", ALICE)
    (own,) = await room.say("!undo", BOB)
    assert own.body.startswith("You have recorded nothing to undo; only chairs may undo")
    await room.say(f"!action {CAROL} call the embassy", BOB)
    (undone,) = await room.say("!undo", BOB)
    assert undone.body == "Removed the action: call the embassy"
    (listing,) = await room.say("!actions", BOB)
    assert listing.body.startswith("Open actions: none.")
    (chaired,) = await room.say(f"!chair {BOB}", ALICE)
    assert chaired.body == f"Chairs: {ALICE}, {BOB}"
    (topic,) = await room.say("!topic Now Bob may", BOB)
    assert topic.body == "Topic: Now Bob may"
    (undone,) = await room.say("!undo", BOB)  # a chair undoes the latest, anyone's
    assert undone.body == "Removed the topic: Now Bob may"
    (undone,) = await room.say("!undo", BOB)
    assert undone.body == "Removed the info: first"
    (stays,) = await room.say(f"!unchair {ALICE}", BOB)
    assert stays.body.startswith(f"{ALICE} started the meeting and stays a chair.")
    (unchaired,) = await room.say(f"!unchair {BOB}", ALICE)
    assert unchaired.body == f"Chairs: {ALICE}"
    # A room moderator may act as a chair (a meeting whose starter left can be ended).
    summary, _file = await room.say("!endmeeting", CAROL, level=50)
    assert summary.body.startswith("Meeting #1 ended: Jour fixe")


async def test_chairs_named_with_pills(room: Room):
    await room.say("!startmeeting Jour fixe", ALICE)
    (chaired,) = await room.say_content(pilled("!chair ", BOB, "Bob Dupont"), ALICE)
    assert chaired.body == f"Chairs: {ALICE}, {BOB}"
    (topic,) = await room.say("!topic Bob chairs now", BOB)
    assert topic.body == "Topic: Bob chairs now"
    # In a reply (Element's fallback quotes the message answered), with a matrix: URI.
    reply = {
        "msgtype": "m.text",
        "body": "> <@bob:example.org> Topic: Bob chairs now\n\n!unchair Bob Dupont",
        "format": "org.matrix.custom.html",
        "formatted_body": (
            '<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$x">'
            'In reply to</a> <a href="https://matrix.to/#/@bob:example.org">@bob:example.org</a>'
            "<br>Topic: Bob chairs now</blockquote></mx-reply>"
            '!unchair <a href="matrix:u/bob:example.org">Bob Dupont</a>'
        ),
        "m.relates_to": {"m.in_reply_to": {"event_id": "$x"}},
        "m.mentions": {"user_ids": [BOB]},
    }
    (unchaired,) = await room.say_content(reply, ALICE)
    assert unchaired.body == f"Chairs: {ALICE}"
    # The log keeps what was typed: the name as the room saw it.
    doc = await minutes_json(room)
    assert [line["body"] for line in doc["log"]][1] == "!chair Bob Dupont"


async def test_bad_input_gets_clear_replies_and_changes_nothing(room: Room, db: Database):
    (no_meeting,) = await room.say("!endmeeting", ALICE)
    assert no_meeting.body.splitlines() == [
        "No meeting is being recorded here; start one with !startmeeting <title>.",
        "Usage: !endmeeting",
    ]
    (no_title,) = await room.say("!startmeeting", ALICE)
    assert no_title.body.startswith("Give the meeting a title")
    await room.say("!startmeeting One", ALICE)
    (twice,) = await room.say("!startmeeting Two", ALICE)
    assert twice.body.startswith("Meeting #1 (One) is being recorded already")
    (bad_link,) = await room.say("!link javascript:alert(1) click", ALICE)
    assert bad_link.body.startswith("Give an http(s) link first")
    (bad_chair,) = await room.say("!chair bob", ALICE)
    assert bad_chair.body.startswith("“bob” is not a Matrix user id")
    (unknown,) = await room.say("!minutes 7", ALICE)
    assert unknown.body.startswith("There is no recorded meeting #7 in this room.")
    (form,) = await room.say("!minutes 1 pdf", ALICE)
    assert form.body.startswith("Choose one of: md, html, txt, json.")
    (empty,) = await room.say("!info", ALICE)
    assert empty.body.startswith("Say what to record")
    long = "x" * 5000
    (too_long,) = await room.say(f"!info {long}", ALICE)
    assert too_long.body.startswith("This command is too long")
    # A very long ordinary message is logged whole.
    await room.say("y" * 30_000, BOB)
    doc = await minutes_json(room)
    assert [i["kind"] for t in doc["topics"] for i in t["items"]] == []
    assert doc["log"][-2]["body"] == "y" * 30_000


async def test_edits_gaps_and_redactions(room: Room, db: Database):
    await room.say("!startmeeting Review", ALICE)
    typo, _ = await room.send("The budgett is fine", BOB)
    await room.edit(typo, "The budget is fine", BOB)
    await room.edit(typo, "Hijacked by Carol", CAROL)  # not her message: ignored
    secret, _ = await room.send("my home address is 12 rue X", BOB)
    gap = await room.undecryptable(CAROL)
    late = await room.undecryptable(CAROL)
    action, _ = await room.send(f"!action {BOB} send the secret list", ALICE)
    topic, _ = await room.send("!topic Sensitive topic", ALICE)
    await room.say("under that topic", BOB)
    doc = await minutes_json(room)
    bodies = [(e["type"], e["body"]) for e in doc["log"]]
    assert ("m.text", "The budget is fine") in bodies
    assert ("m.text", "my home address is 12 rue X") in bodies
    assert [g["event_id"] for g in doc["gaps"]] == [gap, late]
    assert doc["log"][-2]["topic"] == "Sensitive topic"

    # The key of one arrives: the gap becomes its message, where it was said.
    gap_ts = next(e for e in doc["log"] if e["event_id"] == late)["at"]
    await room.decrypted_later(late, "readable at last", CAROL, datetime.fromisoformat(gap_ts))

    assert await room.redact(secret, BOB) == []
    await room.redact(action, ALICE)
    await room.redact(topic, ALICE)
    summary, minutes = await room.say("!endmeeting", ALICE)
    text = minutes.data.decode()
    assert "1 message could not be decrypted." in summary.body
    assert "home address" not in text and "secret list" not in text
    assert "Sensitive topic" not in text
    assert "readable at last" in text
    doc = await minutes_json(room)
    assert "home address" not in json.dumps(doc)
    assert doc["actions"] == [] and doc["topics"] == []
    assert [g["event_id"] for g in doc["gaps"]] == [gap]
    (listing,) = await room.say("!actions all", ALICE)
    assert "secret list" not in listing.body

    # Redacting an edit brings back the text before it.
    with db.transaction() as s:
        entry = LogRepository(s).by_event(typo)
        edit_id = entry.payload["versions"][0]["event_id"]
    await room.redact(edit_id, BOB)
    doc = await minutes_json(room)
    assert ("m.text", "The budgett is fine") in [(e["type"], e["body"]) for e in doc["log"]]
    with db.transaction() as s:
        assert ActionRepository(s).by_event(ROOM, action) == []
        rows = LogRepository(s).in_room(ROOM)
        assert all("home address" not in json.dumps(r.payload) for r in rows)


async def test_a_reply_is_logged_without_the_quote_of_what_it_answers(room: Room):
    await room.say("!startmeeting Review", ALICE)
    said, _ = await room.send("The budget is fine", BOB)
    reply = {
        "msgtype": "m.text",
        "body": f"> <{BOB}> The budget is fine\n\nAgreed, and the annex too",
        "m.relates_to": {"m.in_reply_to": {"event_id": said}},
    }
    await room.say_content(reply, ALICE)
    doc = await minutes_json(room)
    assert doc["log"][-2]["body"] == "Agreed, and the annex too"  # the last: !minutes itself


async def test_redacting_the_start_removes_the_title(room: Room):
    start, _ = await room.send("!startmeeting Confidential plans", ALICE)
    await room.redact(start, ALICE)
    summary, minutes = await room.say("!endmeeting", ALICE)
    assert "Confidential" not in summary.body + minutes.data.decode()
    assert summary.body.startswith("Meeting #1 ended: (title removed)")


async def test_injection_is_inert_in_every_format(room: Room):
    await room.say("!startmeeting <script>alert('t')</script>", ALICE)
    await room.say("!topic [click](javascript:alert(1)) <img src=x onerror=alert(1)>", ALICE)
    await room.say("!info **bold** `code` <b>b</b> &amp; \u202eevil", BOB)
    await room.say('<a href="javascript:alert(1)">x</a>\n# heading\n---', BOB)
    await room.say('!link https://example.org/"><script>alert(1)</script> ok', BOB)
    await room.say("!endmeeting", ALICE)
    for form in ("md", "html", "txt"):
        (sent,) = await room.say(f"!minutes 1 {form}", ALICE)
        text = sent.data.decode()
        assert "\u202e" not in text
        if form == "html":
            assert "<script>" not in text and "<img" not in text and "<b>b</b>" not in text
            assert 'href="javascript' not in text and "&lt;script&gt;" in text
        if form == "md":
            # Every < is escaped, but the one around the link target the writer makes.
            assert re.findall(r"(?<!\\)<(?!https://example)", text) == []
            assert not re.search(r"(?<!\\)\]\(javascript", text)
            assert "\n# heading" not in text
    doc = await minutes_json(room)
    assert doc["title"] == "<script>alert('t')</script>"  # JSON keeps text as text
    assert doc["topics"][0]["items"][0]["text"] == "**bold** `code` <b>b</b> &amp; evil"


async def test_list_and_export_later_in_the_room_language(room: Room):
    await room.say("!startmeeting Première réunion", ALICE)
    await room.say("!endmeeting", ALICE)
    await room.say("!lang fr", ALICE, level=100)
    (listing,) = await room.say("!minutes list", ALICE)
    assert listing.body.splitlines()[0] == "Réunions enregistrées"
    assert listing.body.splitlines()[1].startswith("#1 Première réunion — lun. 23 nov. 2026, 22:01")
    (html,) = await room.say("!minutes 1 html", ALICE)
    assert html.filename == "minutes-1-2026-11-23.html"
    assert '<html lang="fr">' in html.data.decode()
    assert "Procès-verbal" in html.data.decode()
    (txt,) = await room.say("!minutes 1 txt", ALICE)
    assert txt.data.decode().startswith("Procès-verbal : Première réunion")
