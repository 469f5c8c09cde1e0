"""`!help` through the dispatcher, as a room reads it: one line per area, then an area's or a
command's details, in English, French and German."""

from datetime import UTC, datetime

import pytest

from storage.db import Database
from tests.room import Clock, Room

ALICE = "@alice:example.org"
CHAIR = 50


@pytest.fixture
def room(db: Database) -> Room:
    return Room(db, Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)))


async def ask(room: Room, body: str) -> str:
    (reply,) = await room.say(body, ALICE, level=CHAIR)
    return reply.body


async def test_help_is_one_line_per_area_naming_its_commands(room: Room):
    (reply,) = await room.say("!help", ALICE)
    assert reply.body.splitlines() == [
        "Commands",
        "Meetings: !meeting add|list|show|cancel|move|agenda|rsvp|reminders|cycle|ics",
        "Polls: !poll, !poll results|close|list|export",
        "Find a time: !findtime, !findtime results|close|book|list|export",
        "Minutes: !startmeeting, !topic, !next, !info, !idea, !agreed, !rejected, !deferred, "
        "!vote, !vote close, !action, !link, !chair, !unchair, !undo, !endmeeting, !minutes, "
        "!minutes list|amend|accept|reject|approve|circulate|object",
        "Organisations and attendance: !org me|set|clear, !orgs, !here, !apologies, !quorum",
        "Decisions: !decisions, !decisions export, !decision show|supersede|revoke, "
        "!silence, !silence object|withdraw|list|show",
        "Actions: !action, !action reopen|drop|assign|due|note|show, !actions, !done",
        "Settings: !settings, !lang, !timezone, !retention, !help",
        "Confidentiality: !startmeeting, !minutes, !retention, !forget",
        "Details: !help meetings for an area, !help meeting add for one command.",
    ]
    assert reply.html.startswith("<b>Commands</b><br><b>Meetings</b>: <code>!meeting add|")
    assert (
        "<b>Polls</b>: <code>!poll</code>, <code>!poll results|close|list|export</code>"
        in reply.html
    )


async def test_help_for_an_area_in_english(room: Room):
    lines = (await ask(room, "!help meetings")).splitlines()
    assert lines[0] == "Meetings"
    assert lines[1].startswith("!meeting add <title> <when> [for <duration>]")
    assert "!meeting rsvp <id> yes|no|maybe — Say whether you will come" in lines[7]
    assert lines[-1] == "Only chairs may use !meeting reminders, !meeting cycle."
    assert len(lines) == 12  # the title, ten commands, who may use what
    # The singular, any case, and the title as shown all name the area.
    for word in ("meeting", "Meetings", "!meetings"):
        assert (await ask(room, f"!help {word}")).splitlines()[0] == "Meetings"
    polls = await ask(room, "!help polls")
    assert polls.splitlines()[1].startswith('!poll "<question>" "<option>"')
    assert await ask(room, '!help "find a time"') == await ask(room, "!help find-a-time")
    actions = (await ask(room, "!help actions")).splitlines()
    assert actions[0] == "Actions" and actions[2].startswith("!actions [mine|all|overdue")


async def test_help_for_an_area_in_french(room: Room):
    await ask(room, "!lang fr")
    overview = (await ask(room, "!aide")).splitlines()
    assert overview[0] == "Commandes"
    assert overview[1] == (
        "Réunions : !meeting add|list|show|cancel|move|agenda|rsvp|reminders|cycle|ics"
    )
    assert (
        overview[-1]
        == "Détails : !help réunions pour un domaine, !help meeting add pour une commande."
    )
    lines = (await ask(room, "!aide réunions")).splitlines()
    assert lines[0] == "Réunions"
    assert (
        lines[1].startswith("!meeting add <title> <when>") and "Planifier une réunion" in lines[1]
    )
    assert lines[-1] == ("Réservées aux présidents de séance : !meeting reminders, !meeting cycle.")
    assert await ask(room, "!aide reunions") == "\n".join(lines)  # without the accent too
    minutes = (await ask(room, "!aide procès-verbal")).splitlines()
    assert minutes[0] == "Procès-verbaux"
    assert "!agreed <decision> — Consigner une décision." in minutes
    settings = (await ask(room, "!aide réglages")).splitlines()
    assert settings[0] == "Réglages"
    assert settings[-1] == "Réservées aux présidents de séance : !lang, !timezone, !retention."


async def test_help_for_an_area_in_german(room: Room):
    await ask(room, "!lang de")
    overview = (await ask(room, "!hilfe")).splitlines()
    assert overview[0] == "Befehle"
    assert overview[3] == "Terminsuche: !findtime, !findtime results|close|book|list|export"
    lines = (await ask(room, "!hilfe umfragen")).splitlines()
    assert lines[0] == "Umfragen"
    assert lines[3].startswith("!poll close <id> — ")
    assert lines[5].startswith("!poll export <id> csv|json — Eine Umfrage als Datei senden")
    assert len(lines) == 6
    tasks = (await ask(room, "!hilfe Aufgaben")).splitlines()
    assert tasks[0] == "Aufgaben"
    assert tasks[1].startswith("!action <@user or name>… <text> [by|due <when>] — ")
    protocol = (await ask(room, "!hilfe protokoll")).splitlines()
    assert protocol[0] == "Protokolle" and protocol[1].startswith(
        "!startmeeting [#<meeting id>] [<title>] [--chatham] — "
    )


async def test_help_for_a_command_and_for_nothing_known(room: Room):
    assert await ask(room, "!help lang") == (
        "!lang en|fr|de\nSet the language I use in this room.\nOnly chairs may use it."
    )
    assert await ask(room, "!help !agreed") == (
        "!agreed <decision>\nRecord a decision.\nAlso: !decision, !décision, !beschluss"
    )
    assert (await ask(room, "!help poll close")).startswith("!poll close <id>\nClose a poll")
    assert await ask(room, "!help metings") == (
        "There is no command or area metings.\n"
        "Did you mean !help meetings, !help meeting, !help settings?\n"
        "Type !help for the list of commands."
    )
