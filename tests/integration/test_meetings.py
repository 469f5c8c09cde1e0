"""Meetings, as members see them: a real Synapse, real E2EE clients, the bot as a process."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import nio
from botproc import BotProcess
from helpers import ask, room_with_bot
from icalendar import Calendar
from members import reply_target

LUX = ZoneInfo("Europe/Luxembourg")
# Waiting for a reminder: it is due within a minute of scheduling, plus sync and send time.
REMINDER_TIMEOUT = 150.0


def is_reminder(bot: BotProcess, title: str):
    def predicate(event) -> bool:
        return (
            isinstance(event, nio.RoomMessageNotice)
            and event.sender == bot.user_id
            and event.body.startswith("Reminder")
            and f": {title} (#" in event.body.splitlines()[0]
        )

    return predicate


def reminders_in_db(bot: BotProcess, room_id: str) -> list[tuple[str, str]]:
    """(status, due_at) of the reminders of the room's meetings, as the bot stored them."""
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute(
            "SELECT r.status, r.due_at FROM reminders r JOIN meetings m ON m.id = r.meeting_id"
            " WHERE m.room_id = ? ORDER BY r.id",
            (room_id,),
        ).fetchall()


async def test_add_list_move_cancel_with_the_echo(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)

    added = await ask(
        alice,
        room_id,
        bot,
        "!meeting add Plenary 3 December 2030 14:00 for 2h every 3 months at the Ministry",
    )
    assert isinstance(added, nio.RoomMessageNotice) and added.decrypted
    assert added.body.splitlines() == [
        "Meeting #1 scheduled: Plenary",
        "When: Tue, 3 Dec 2030, 14:00–16:00 (Europe/Luxembourg)",
        "Repeats: every 3 months",
        "Where: the Ministry",
        "Reminders: 1 day and 15 minutes before.",
        "Answer with ✅ ❌ ❓ on this message, or !meeting rsvp 1 yes|no|maybe.",
    ]
    assert "<b>Plenary</b>" in added.source["content"]["formatted_body"]
    second = await ask(alice, room_id, bot, '!meeting add "Budget, 2nd reading" 10/12/2030 9:30')
    assert second.body.startswith("Meeting #2 scheduled: Budget, 2nd reading\n")

    listing = await ask(alice, room_id, bot, "!meetings")
    assert listing.body.splitlines() == [
        "Meetings to come",
        "#1 Plenary — Tue, 3 Dec 2030, 14:00–16:00 (Europe/Luxembourg) (every 3 months)",
        "#2 Budget, 2nd reading — Tue, 10 Dec 2030, 09:30–10:30 (Europe/Luxembourg)",
    ]
    moved = await ask(alice, room_id, bot, "!meeting move 2 11 December 2030 at 15:00")
    assert moved.body.splitlines()[:2] == [
        "Meeting #2 moved: Budget, 2nd reading",
        "When: Wed, 11 Dec 2030, 15:00–16:00 (Europe/Luxembourg)",
    ]
    cancelled = await ask(alice, room_id, bot, "!meeting cancel 1")
    assert cancelled.body == "Meeting #1 (Plenary) is cancelled; no reminders will be sent."
    listing = await ask(alice, room_id, bot, "!meeting list")
    assert listing.body.splitlines() == [
        "Meetings to come",
        "#2 Budget, 2nd reading — Wed, 11 Dec 2030, 15:00–16:00 (Europe/Luxembourg)",
    ]

    # The room's language and zone apply to what is read and shown.
    await ask(alice, room_id, bot, "!lang fr")
    await ask(alice, room_id, bot, "!timezone America/New_York")
    french = await ask(alice, room_id, bot, "!meeting add Comité le 3 décembre 2030 à 10h")
    assert french.body.splitlines()[:2] == [
        "Réunion #3 planifiée : Comité",
        "Quand : mar. 3 déc. 2030, 10:00–11:00 (America/New_York)",
    ]
    assert alice.undecryptable(room_id) == []


async def test_bad_input_gets_a_clear_reply(members, bot):
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    past = await ask(alice, room_id, bot, "!meeting add Budget 3 March 2020 at 10:00")
    assert past.body.splitlines() == [
        "Tue, 3 Mar 2020, 10:00 (Europe/Luxembourg) is in the past.",
        "Usage: !meeting add <title> <when> [for <duration>] [every …] [at <place or link>] "
        "[--tz <zone>]",
    ]
    unreadable = await ask(alice, room_id, bot, "!meeting add Budget whenever suits")
    assert unreadable.body.startswith("I could not read a date and time in “Budget whenever")
    unknown = await ask(alice, room_id, bot, "!meeting show 42")
    assert unknown.body.startswith("There is no meeting #42 in this room.")
    zone = await ask(alice, room_id, bot, "!meeting add Budget 3 Dec 2030 10:00 --tz Mars/Base")
    assert zone.body.startswith("Mars/Base is not a time zone I know.")

    await ask(alice, room_id, bot, "!meeting add Plenary 3 December 2030 14:00")
    refused = await ask(bob, room_id, bot, "!meeting cancel 1")
    assert refused.body.startswith(
        f"Only {alice.user_id}, who scheduled meeting #1, or a chair may change it."
    )
    still = await ask(bob, room_id, bot, "!meeting show 1")
    assert "cancelled" not in still.body
    assert still.body.startswith("Meeting #1: Plenary\nWhen: Tue, 3 Dec 2030, 14:00–15:00")


async def test_rsvp_by_command_and_by_reaction_and_the_reminder(members, bot):
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    assert (await ask(alice, room_id, bot, "!meeting reminders 1m")).body == (
        "Reminders: 1 minute before."
    )
    # Due within a minute: the start is the next whole minute after two minutes from now.
    command_id = await alice.send(room_id, "!meeting add Standup in 2 minutes")
    announcement = await alice.wait_for_reply(room_id, command_id, sender=bot.user_id)
    assert announcement.body.startswith("Meeting #1 scheduled: Standup\n")
    await ask(alice, room_id, bot, "!meeting agenda 1 Budget figures")

    await alice.send_raw(
        room_id,
        "m.reaction",
        {
            "m.relates_to": {
                "rel_type": "m.annotation",
                "event_id": announcement.event_id,
                "key": "✅",
            }
        },
    )
    no = await ask(bob, room_id, bot, "!meeting rsvp 1 nein")
    assert no.body == "Noted: you are not coming to Standup (#1)."
    show = await ask(bob, room_id, bot, "!meeting show 1")
    assert f"Yes (1): {alice.user_id}" in show.body.splitlines()
    assert f"No (1): {bob.user_id}" in show.body.splitlines()

    reminder = await alice.wait_for(
        is_reminder(bot, "Standup"), room_id=room_id, timeout=REMINDER_TIMEOUT
    )
    assert reminder.decrypted
    lines = reminder.body.splitlines()
    assert lines[0] == "Reminder: Standup (#1) starts in 1 minute."
    assert lines[2:] == ["Agenda", "1. Budget figures", f"Coming: {alice.user_id}"]
    assert reminder.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}
    assert reply_target(reminder) is None
    assert [status for status, _ in reminders_in_db(bot, room_id)] == ["sent"]


async def test_ics_is_an_encrypted_attachment_in_the_meeting_zone(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, bot, "!meeting add Jour fixe 3 December 2030 14:00 every 2 weeks")
    await ask(alice, room_id, bot, "!meeting agenda 1 Minutes of the last meeting")

    file_event = await ask(alice, room_id, bot, "!meeting ics 1")
    assert isinstance(file_event, nio.RoomEncryptedFile), type(file_event)
    assert file_event.body == "meeting-1.ics"
    wire = await alice.raw_event(room_id, file_event.event_id)
    assert wire["type"] == "m.room.encrypted"
    calendar = Calendar.from_ical(await alice.download_decrypted(file_event))
    (event,) = calendar.walk("VEVENT")
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Luxembourg"]
    assert event["DTSTART"].params["TZID"] == "Europe/Luxembourg"
    assert event.decoded("DTSTART") == datetime(2030, 12, 3, 14, 0, tzinfo=LUX)
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2"
    assert str(event["SUMMARY"]) == "Jour fixe"
    assert "1. Minutes of the last meeting" in str(event["DESCRIPTION"])


async def test_a_reminder_due_while_the_bot_is_down_comes_once_marked_late(
    members, homeserver, tmp_path
):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    try:
        room_id = await room_with_bot(alice, bot)
        await ask(alice, room_id, bot, "!meeting reminders 1m")
        await ask(alice, room_id, bot, "!meeting add Review in 2 minutes")
        assert await bot.stop() == 0

        ((status, due),) = reminders_in_db(bot, room_id)
        assert status == "pending"
        due_at = datetime.fromisoformat(due).replace(tzinfo=UTC)
        # The bot is down across the reminder's time (the database says when that is).
        await asyncio.sleep(max(0.0, (due_at - datetime.now(UTC)).total_seconds()) + 2)

        await bot.start()
        late = await alice.wait_for(is_reminder(bot, "Review"), room_id=room_id, timeout=60)
        local_due = due_at.astimezone(LUX).strftime("%H:%M")
        assert late.body.splitlines()[0].startswith("Reminder (late: was due at ")
        assert f", {local_due} (Europe/Luxembourg)): Review (#1)." in late.body.splitlines()[0]

        # A restart does not send it again.
        assert await bot.stop() == 0
        await bot.start()
        await ask(alice, room_id, bot, "!meetings")
    finally:
        await bot.stop()
    reminders = [e for e in alice.events(room_id) if is_reminder(bot, "Review")(e)]
    assert len(reminders) == 1
    assert reminders_in_db(bot, room_id) == [("sent", due)]
