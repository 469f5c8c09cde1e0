"""Minutes and action items, as members see them: a real Synapse, real E2EE clients, the bot
as a process. Minutes files are downloaded and decrypted as a member's client would."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import nio
import pytest
from botproc import BotProcess
from helpers import ask, ask_file, is_file_reply, room_with_bot
from members import Member, expect, reply_target

from bot.minutes.writers import md_escape

LUX = ZoneInfo("Europe/Luxembourg")
# The group's first meeting retold as a chat, in the project's words (tests/fixtures).
FIRST_MEETING = Path(__file__).resolve().parents[1] / "fixtures" / "first_meeting_fr.txt"


async def end_meeting(member: Member, room_id: str, bot: BotProcess):
    """`!endmeeting`: the summary notice, and the minutes file with its decrypted bytes."""
    event_id = await member.send(room_id, "!endmeeting")
    summary = await member.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and reply_target(e) == event_id
        ),
        room_id=room_id,
    )
    event = await member.wait_for(is_file_reply(bot, event_id), room_id=room_id)
    return summary, event, await member.download_decrypted(event)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


async def test_a_meeting_with_two_members_its_minutes_and_every_export(members, bot):
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    started = await ask(alice, room_id, bot, "!startmeeting Plenary")
    assert started.body.startswith("Meeting #1 started: Plenary.")
    await bob.send(room_id, "Hello, sorry for the delay")
    assert (await ask(alice, room_id, bot, "!topic Budget")).body == "Topic: Budget"
    refused = await ask(bob, room_id, bot, "!topic Mine")
    assert refused.body.startswith("Only the meeting's chairs may use !topic")
    await ask(bob, room_id, bot, "!info <b>Ten</b> percent more")
    secret = await bob.send(room_id, "my phone number is 555 0100")
    await ask(alice, room_id, bot, "!agreed Meet every 3-4 months")
    action = await ask(alice, room_id, bot, f"!action {bob.user_id} draft the note by 3 Dec 2030")
    assert action.body.splitlines()[1] == (
        f"#1 draft the note → {bob.user_id} — due Tue, 3 Dec 2030"
    )
    assert action.source["content"]["m.mentions"] == {"user_ids": [bob.user_id]}

    # Bob takes his message back before the meeting ends.
    expect(
        await bob.client.room_redact(room_id, secret, reason="private"),
        nio.RoomRedactResponse,
        "redact",
    )
    summary, file_event, data = await end_meeting(alice, room_id, bot)
    assert summary.body.splitlines()[:5] == [
        summary.body.splitlines()[0],
        "Decisions",
        "• D1 Agreed: Meet every 3-4 months",
        "Actions",
        f"• #1 draft the note → {bob.user_id}",
    ]
    assert summary.body.startswith("Meeting #1 ended: Plenary (")
    assert f"Attendees: {alice.user_id}, {bob.user_id}" in summary.body.splitlines()
    assert summary.source["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
    wire = await alice.raw_event(room_id, file_event.event_id)
    assert wire["type"] == "m.room.encrypted"
    assert file_event.body.startswith("minutes-1-") and file_event.body.endswith(".md")
    markdown = data.decode()
    assert "# Minutes: Plenary" in markdown
    assert "### 1. Budget" in markdown
    assert "Meet every 3-4 months" in markdown
    assert r"\<b\>Ten\</b\> percent more" in markdown  # escaped: stays text
    assert "Hello, sorry for the delay" in markdown
    assert "555 0100" not in markdown

    _event, html = await ask_file(alice, room_id, bot, "!minutes 1 html")
    parser = _Tags()
    parser.feed(html.decode())
    assert "b" not in parser.tags and "&lt;b&gt;Ten&lt;/b&gt;" in html.decode()
    _event, text = await ask_file(bob, room_id, bot, "!minutes 1 txt")
    assert text.decode().startswith("Minutes: Plenary\n")
    _event, raw = await ask_file(bob, room_id, bot, "!minutes 1 json")
    doc = json.loads(raw)
    assert doc["schema"] == "wgbot.minutes/2"
    assert doc["attendees"] == [alice.user_id, bob.user_id]
    assert doc["decisions"] == ["Meet every 3-4 months"]
    assert [a["assignees"] for a in doc["actions"]] == [[bob.user_id]]
    assert all("555" not in (line["body"] or "") for line in doc["log"])

    # A redaction after the meeting removes the line from every later export.
    hello = next(line["event_id"] for line in doc["log"] if line["body"].startswith("Hello"))
    expect(await bob.client.room_redact(room_id, hello), nio.RoomRedactResponse, "redact")
    await asyncio.sleep(0.5)
    await ask(alice, room_id, bot, "!minutes list")  # the redaction is handled before this
    _event, raw = await ask_file(bob, room_id, bot, "!minutes 1 json")
    assert all(line["event_id"] != hello for line in json.loads(raw)["log"])
    _event, markdown = await ask_file(bob, room_id, bot, "!minutes 1")
    assert "Hello, sorry" not in markdown.decode()

    # The action lives on after the meeting.
    mine = await ask(bob, room_id, bot, "!actions mine")
    assert mine.body.splitlines()[0] == "Your open actions (1)"
    refused = await ask(alice, room_id, bot, "!done 7")
    assert refused.body.startswith("There is no action #7 in this room.")
    done = await ask(bob, room_id, bot, "!done 1")
    assert done.body == "Done: #1 draft the note"
    assert alice.undecryptable(room_id) == []


def element_pill(before: str, user_id: str, name: str, after: str = "") -> dict:
    """What Element Web sends when a member picks a person from the @-completion."""
    return {
        "msgtype": "m.text",
        "body": f"{before}{name}{after}",
        "format": "org.matrix.custom.html",
        "formatted_body": f'{before}<a href="https://matrix.to/#/{user_id}">{name}</a>{after}',
        "m.mentions": {"user_ids": [user_id]},
    }


async def test_people_picked_as_pills_are_those_users(members, bot):
    """Alice picks Bob from Element's @-completion: the body holds "Bob Dupont", the encrypted
    HTML a link to him; the action and the meeting's chairs are Bob's user id."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    content = element_pill("!action ", bob.user_id, "Bob Dupont", ": send the report by Friday")
    event_id = await alice.send_raw(room_id, "m.room.message", content)
    assert (await alice.raw_event(room_id, event_id))["type"] == "m.room.encrypted"
    made = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    assert made.body.splitlines()[1].startswith(f"#1 send the report → {bob.user_id} — due ")
    assert made.source["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
    listing = await ask(alice, room_id, bot, "!actions")
    assert listing.body.splitlines()[0] == "Open actions (1)"
    assert listing.body.splitlines()[1].startswith(f"#1 send the report → {bob.user_id} — due ")
    mine = await ask(bob, room_id, bot, "!actions mine")
    assert mine.body.splitlines()[0] == "Your open actions (1)"

    # Element with Markdown off sends no link: m.mentions says who, the room what he is called.
    expect(
        await bob.client.set_displayname("Bob Dupont"), nio.ProfileSetDisplayNameResponse, "name"
    )
    await alice.sync_until(
        lambda: alice.client.rooms[room_id].user_name(bob.user_id) == "Bob Dupont", "Bob's name"
    )
    text = "!action Bob Dupont: check the figures"
    content = {**element_pill("", bob.user_id, ""), "body": text, "formatted_body": text}
    event_id = await alice.send_raw(room_id, "m.room.message", content)
    made = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    assert made.body.splitlines()[1] == f"#2 check the figures → {bob.user_id}"

    await ask(alice, room_id, bot, "!startmeeting Pills")
    event_id = await alice.send_raw(
        room_id, "m.room.message", element_pill("!chair ", bob.user_id, "Bob Dupont")
    )
    chaired = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    assert chaired.body == f"Chairs: {alice.user_id}, {bob.user_id}"
    assert (await ask(bob, room_id, bot, "!topic Bob chairs")).body == "Topic: Bob chairs"


def transcript(text: str) -> list[tuple[str, str]]:
    """The lines of a chat fixture: (member, message), skipping comments and blank lines."""
    lines = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            who, said = line.split(": ", 1)
            lines.append((who, said))
    return lines


# The group's list of who came (organisation, then its people), in its order: the member who
# speaks for each in the replay, and the display name they have in the room. The first four
# speak; the others never say a word and are counted present by ✅ on the roll call.
GROUP = [
    ("MAEE – Direction politique", "maee", "Anne Muller"),
    ("MAEE – Direction de la coopération", "coop", "Léa Hoffmann"),
    ("Ministère de la Justice", "justice", "Jean Weber"),
    ("Commission nationale pour l'Unesco", "unesco", "Sara Klein"),
    ("SIP", "sip", "Marc Thill"),
    ("Université du Luxembourg", "uni", "Inès Faber"),
    ("CCDH", "ccdh", "Paul Reding"),
    ("Amnesty International Luxembourg", "amnesty", "Claire Schmit"),
    ("ASTI", "asti", "Tom Reuter"),
    ("Action solidarité Tiers-Monde", "astm", "Nina Berg"),
    ("Frères des Hommes", "fdh", "Luc Kieffer"),
    ("OGBL", "ogbl", "Eva Wagner"),
    ("SOS Faim", "sosfaim", "Yves Hansen"),
]
SPEAKERS = ("maee", "amnesty", "asti", "justice")


async def test_the_groups_first_meeting_replayed_in_french(members, bot):
    """The first meeting of 3 December 2019, said as a chat in French by the thirteen
    organisations of the group's list, set by `!org`: four speak, nine only react ✅ to the
    roll call. The minutes' attendance reads like the group's own list: present by
    organisation in its order, each with the display name of its member; then the topics,
    the priorities, the two decisions and the MAEE's follow-up."""
    chat = transcript(FIRST_MEETING.read_text(encoding="utf-8"))
    people: dict[str, Member] = {}
    for _organisation, account, name in GROUP:
        people[account] = member = await members(account)
        expect(await member.client.set_displayname(name), nio.ProfileSetDisplayNameResponse, "name")
    maee = people["maee"]
    others = [m for account, m in people.items() if account != "maee"]
    room_id = await room_with_bot(maee, bot, invite=[m.user_id for m in others])
    for member in others:
        await member.join(room_id)
    await ask(maee, room_id, bot, "!lang fr")

    # The organisations, in the group's order: the speakers say theirs, the chair sets the others'.
    for organisation, account, name in GROUP:
        if account in SPEAKERS:
            said = await ask(people[account], room_id, bot, f'!org me "{organisation}"')
        else:
            said = await ask(
                maee, room_id, bot, f'!org set {people[account].user_id} "{organisation}"'
            )
        assert said.body == f"{name} représente {organisation} dans ce salon."
    await ask(maee, room_id, bot, "!quorum 50%")

    silent = [people[account] for _o, account, _n in GROUP if account not in SPEAKERS]
    for who, said in chat:
        if said.startswith("!startmeeting"):
            started = await ask(people[who], room_id, bot, said)
            assert started.body.startswith(
                "Réunion n°1 ouverte : Première réunion du groupe de travail"
            )
            assert started.body.splitlines()[-1].startswith("Appel : ")
            for member in silent:
                await member.send_raw(room_id, "m.reaction", roll_call_check(started.event_id))
        else:
            await people[who].send(room_id, said)
    state = await ask(maee, room_id, bot, "!quorum")
    assert state.body.splitlines()[1] == (
        "Quorum atteint : 13 organisations présentes ; il en faut 7."
    )
    summary, _event, data = await end_meeting(maee, room_id, bot)

    assert "Le groupe se réunit tous les 3 à 4 mois" in summary.body
    assert "• #1 Rédiger une note de présentation de la plateforme d'appui" in summary.body
    minutes = data.decode()
    assert minutes.startswith("# Procès-verbal : Première réunion du groupe de travail")
    # Present: the group's list, organisation by organisation, silent members included.
    present = minutes.split("**Présents**\n\n", 1)[1].split("\n\n", 1)[0]
    assert present.splitlines() == [
        f"- **{md_escape(organisation)}:** {name}" for organisation, _a, name in GROUP
    ]
    assert "- Quorum atteint : 13 organisations présentes ; il en faut 7." in minutes
    # Those who spoke and the chair are named as members see them, not by their ids.
    spoke = next(line for line in minutes.splitlines() if "Participants" in line)
    assert spoke.endswith(
        ":** Anne Muller (MAEE – Direction politique), Claire Schmit (Amnesty International"
        " Luxembourg), Tom Reuter (ASTI), Jean Weber (Ministère de la Justice)"
    )
    assert "- **Présidence:** Anne Muller (MAEE – Direction politique)" in minutes
    assert "@" not in minutes.split("## Journal", 1)[0]  # no user id before the log…
    assert "**Tom Reuter (ASTI)**: Bonjour, l'ASTI est là aussi" in minutes  # …nor in it
    topics = [said.removeprefix("!topic ") for _who, said in chat if said.startswith("!topic ")]
    assert len(topics) == 8
    headings = re.findall(r"^### \d+\. (.+?)(?: \(\d\d:\d\d\))?$", minutes, re.M)
    assert headings == ["Avant le premier sujet", *topics]
    assert "« Shelter Cities »" in headings[4]
    priorities = minutes.split("### 4. ", 1)[1].split("### 5. ", 1)[0]
    for priority in ("femmes défenseuses", "LGBTI+, migrants/réfugiés", "médias libres"):
        assert priority in priorities
    assert "— Claire Schmit (Amnesty International Luxembourg), " in priorities
    decisions = minutes.split("## Décisions", 1)[1].split("##", 1)[0]
    assert decisions.strip().splitlines() == [
        "- D1 Décision : Le groupe se réunit tous les 3 à 4 mois",
        "- D2 Décision : Mettre en place une plateforme électronique de collaboration à partir"
        " d'outils qui existent déjà",
    ]
    by_person = minutes.split("## Actions par personne", 1)[1].split("##", 1)[0]
    assert "**MAEE**" in by_person and "note de présentation" in by_person

    # The JSON keeps the ids, with the names next to them; the HTML shows the same table.
    _event, raw = await ask_file(maee, room_id, bot, "!minutes 1 json")
    doc = json.loads(raw)
    assert doc["schema"] == "wgbot.minutes/2"
    assert [
        (o["name"], [(p["user_id"], p["name"], p["counted_by"]) for p in o["members"]])
        for o in doc["present"]["organisations"]
    ] == [
        (
            organisation,
            [
                (
                    people[account].user_id,
                    name,
                    ["spoke"] if account in SPEAKERS else ["reaction"],
                )
            ],
        )
        for organisation, account, name in GROUP
    ]
    assert doc["present"]["without_organisation"] == [] and doc["apologies"] == []
    assert [(d["number"], d["outcome"]) for d in doc["register"]] == [
        ("D1", "agreed"),
        ("D2", "agreed"),
    ]
    assert doc["chairs"] == [maee.user_id] and doc["chair_names"] == ["Anne Muller"]
    assert doc["attendee_names"] == ["Anne Muller", "Claire Schmit", "Tom Reuter", "Jean Weber"]
    assert {"user_id": maee.user_id, "name": "Anne Muller", "organisation": GROUP[0][0]} in (
        doc["people"]
    )
    assert doc["quorum"] == {
        "rule": "percent",
        "value": 50,
        "required": 7,
        "present": 13,
        "reached": True,
    }
    _event, page = await ask_file(maee, room_id, bot, "!minutes 1 html")
    html = page.decode()
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', html)
    organisations = {organisation for organisation, _a, _n in GROUP}
    assert [(unescape(o), n) for o, n in rows if unescape(o) in organisations] == [
        (organisation, name) for organisation, _a, name in GROUP
    ]
    assert maee.undecryptable(room_id) == []


async def test_a_restart_mid_meeting_loses_nothing_and_the_due_day_reminder_comes(
    members, homeserver, tmp_path
):
    """The bot stops in the middle of a meeting and comes back: what was said meanwhile is in
    the minutes. The daily round (set to a few seconds from now) reminds Bob of his action."""
    now = datetime.now(LUX)
    at = now + timedelta(seconds=45)
    if at.date() != now.date():
        pytest.skip("too close to midnight for a due-today reminder")
    bot = BotProcess.create(
        homeserver,
        tmp_path / "bot",
        config_extra=f'action_reminders = "{at:%H:%M:%S}"\ndigest = "off"',
    )
    alice = await members("alice")
    bob = await members("bob")
    await bot.start()
    try:
        room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
        await bob.join(room_id)
        await ask(alice, room_id, bot, "!startmeeting Follow-up")
        await ask(alice, room_id, bot, "!topic Tasks")
        made = await ask(alice, room_id, bot, f"!action {bob.user_id} call the embassy by today")
        assert made.body.startswith("Action #1 recorded.")
        assert await bot.stop() == 0

        await bob.send(room_id, "said while the bot was down")
        await alice.send(room_id, "!info noted while it was down")
        await bot.start()
        summary, _event, data = await end_meeting(alice, room_id, bot)
        minutes = data.decode()
        assert "said while the bot was down" in minutes
        assert "- **Info:** noted while it was down" in minutes
        assert summary.body.startswith("Meeting #1 ended: Follow-up (")

        reminder = await bob.wait_for(
            lambda e: (
                isinstance(e, nio.RoomMessageNotice)
                and e.sender == bot.user_id
                and e.body.startswith("Reminder")
                and "#1 call the embassy" in e.body
            ),
            room_id=room_id,
            timeout=120,
        )
        assert reminder.decrypted
        assert reminder.source["content"]["m.mentions"] == {"user_ids": [bob.user_id]}
        assert f"#1 call the embassy → {bob.user_id}" in reminder.body
    finally:
        await bot.stop()


def roll_call_check(roll_call_id: str) -> dict:
    """✅ on the roll call, as Element sends it."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": roll_call_id, "key": "✅"}}


async def test_attendance_by_organisation_with_a_silent_member_and_quorum(members, bot):
    """Alice and Bob speak for the MAEE, Carol and Dan for Amnesty; Dan never says a word and
    is counted by ✅ on the roll call. Two organisations make a quorum: the first meeting has
    only the MAEE (Amnesty sends apologies), the second both."""
    alice, bob, carol, dan = [await members(n) for n in ("alice", "bob", "carol", "dan")]
    names = {alice: "Alice Martin", bob: "Bob Weber", carol: "Carol Schmit", dan: "Dan Silent"}
    for member, name in names.items():
        expect(await member.client.set_displayname(name), nio.ProfileSetDisplayNameResponse, "name")
    room_id = await room_with_bot(alice, bot, invite=[m.user_id for m in (bob, carol, dan)])
    for member in (bob, carol, dan):
        await member.join(room_id)

    assert (await ask(alice, room_id, bot, '!org me "MAEE"')).body == (
        "Alice Martin speaks for MAEE in this room."
    )
    await ask(alice, room_id, bot, f'!org set {bob.user_id} "MAEE"')
    await ask(carol, room_id, bot, '!org me "Amnesty International"')
    refused = await ask(carol, room_id, bot, f'!org set {dan.user_id} "Amnesty International"')
    assert refused.body.startswith("Only chairs (power level 50 or more) may use !org set")
    await ask(dan, room_id, bot, "!org me amnesty international")  # the room's spelling
    listing = await ask(bob, room_id, bot, "!orgs")
    assert listing.body.splitlines()[:3] == [
        "Organisations in this room",
        "MAEE: Alice Martin, Bob Weber",
        "Amnesty International: Carol Schmit, Dan Silent",
    ]
    assert (await ask(alice, room_id, bot, "!quorum 0")).body.startswith(
        "A quorum is at least 1: give a number from 1 to 10000."
    )
    set_ = await ask(alice, room_id, bot, "!quorum 2 organisations")
    assert set_.body == "Quorum set: 2 organisations."

    # The first meeting: only the MAEE comes; Amnesty sends its apologies.
    started = await ask(alice, room_id, bot, "!startmeeting Plenary")
    assert started.body.splitlines()[-1] == (
        "Roll call: react ✅ to this message or type !here to be counted present."
    )
    assert (await ask(bob, room_id, bot, "!here")).body == "Bob Weber is counted present for MAEE."
    no_org = await ask(bob, room_id, bot, "!here for")
    assert no_org.body.startswith("Say which organisation, e.g. “Amnesty International”.")
    apologies = await ask(alice, room_id, bot, '!apologies "amnesty international"')
    assert apologies.body == "Apologies recorded for Amnesty International."
    state = await ask(bob, room_id, bot, "!quorum")
    assert state.body.splitlines()[1] == "No quorum: 1 organisation present, 2 required."
    summary, _event, data = await end_meeting(alice, room_id, bot)
    assert "No quorum: 1 organisation present, 2 required." in summary.body.splitlines()
    first = data.decode()
    assert (
        "**Present**\n\n- **MAEE:** Alice Martin, Bob Weber\n\n"
        "**Apologies**\n\n- Amnesty International\n"
    ) in first

    # The second: Dan reacts ✅ on the roll call and says nothing; Carol types !here.
    started = await ask(alice, room_id, bot, "!startmeeting Second plenary")
    await dan.send_raw(room_id, "m.reaction", roll_call_check(started.event_id))
    await ask(carol, room_id, bot, "!here")
    state = await ask(bob, room_id, bot, "!quorum")
    assert state.body.splitlines()[1:] == [
        "Quorum reached: 2 organisations present, 2 required.",
        "Organisations present: MAEE and Amnesty International.",
    ]
    summary, _event, data = await end_meeting(alice, room_id, bot)
    assert "Quorum reached: 2 organisations present, 2 required." in summary.body.splitlines()
    second = data.decode()
    assert (
        "**Present**\n\n- **MAEE:** Alice Martin, Bob Weber\n"
        "- **Amnesty International:** Carol Schmit, Dan Silent\n"
    ) in second
    assert "**Apologies**" not in second
    _event, raw = await ask_file(bob, room_id, bot, "!minutes 2 json")
    doc = json.loads(raw)
    organisations = doc["present"]["organisations"]
    assert [o["name"] for o in organisations] == ["MAEE", "Amnesty International"]
    assert [(p["user_id"], p["name"], p["counted_by"]) for p in organisations[1]["members"]] == [
        (carol.user_id, "Carol Schmit", ["here", "spoke"]),
        (dan.user_id, "Dan Silent", ["reaction"]),
    ]
    assert doc["quorum"] == {
        "rule": "organisations",
        "value": 2,
        "required": 2,
        "present": 2,
        "reached": True,
    }
    # Dan said nothing: he is present, not among those who spoke.
    assert dan.user_id not in doc["attendees"]
    # The first meeting's minutes still say what they said.
    _event, again = await ask_file(bob, room_id, bot, "!minutes 1")
    assert "- **MAEE:** Alice Martin, Bob Weber\n\n**Apologies**" in again.decode()
    assert alice.undecryptable(room_id) == []


async def test_a_meeting_linked_to_its_scheduled_meeting_follows_the_agenda(members, bot):
    """Alice schedules the plenary with a two-item agenda and starts it: the recording takes
    its title and agenda; `!next` takes up the first item, Bob (no chair) cannot move on; the
    minutes list the agenda with the second item not reached."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    added = await ask(alice, room_id, bot, '!meeting add "Plenary" in 30 minutes')
    assert added.body.splitlines()[0] == "Meeting #1 scheduled: Plenary"
    await ask(alice, room_id, bot, "!meeting agenda 1 Budget 2027")
    agenda = await ask(bob, room_id, bot, "!meeting agenda 1 Elections")
    assert agenda.body.splitlines()[-2:] == ["1. Budget 2027", "2. Elections"]

    started = await ask(alice, room_id, bot, "!startmeeting")
    assert started.body.splitlines()[0].startswith("Meeting #1 started: Plenary.")
    assert "Linked to meeting #1 Plenary; agenda: 2 items." in started.body.splitlines()
    first = await ask(alice, room_id, bot, "!next")
    assert first.body == "Topic: Budget 2027 (agenda item 1/2)"
    await ask(bob, room_id, bot, "!info Ten percent more")
    refused = await ask(bob, room_id, bot, "!next")
    assert refused.body.startswith("Only the meeting's chairs may use !next")

    _summary, _file, data = await end_meeting(alice, room_id, bot)
    markdown = data.decode()
    assert markdown.split("## Agenda\n\n")[1].split("\n\n")[0].splitlines() == [
        "1. Budget 2027",
        "2. Elections *(not reached)*",
    ]
    assert "### 1. Budget 2027" in markdown
    assert r"- **Scheduled meeting:** \#1 Plenary — " in markdown
    _event, raw = await ask_file(bob, room_id, bot, "!minutes 1 json")
    doc = json.loads(raw)
    assert doc["scheduled_meeting"]["id"] == 1 and doc["scheduled_meeting"]["title"] == "Plenary"
    assert [(item["text"], item["reached"]) for item in doc["agenda"]] == [
        ("Budget 2027", True),
        ("Elections", False),
    ]
    assert [t["title"] for t in doc["topics"]] == ["Budget 2027"]
