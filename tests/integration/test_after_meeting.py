"""After the meeting, as members see it: a real Synapse, real E2EE clients, the bot as a process
(one for the module, stopped and started again where a test needs the bot down). Amendments
and approval with the hash; the silence procedure approved late, once, across a restart; an
objection that breaks it; retention deleting old log rows at start while the items stay; written
(silence) procedures between meetings, one adopted late once with its D-number, one broken."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import nio
from botproc import BotProcess
from helpers import ask, ask_file, is_file_reply, room_with_bot
from members import Member, expect, reply_target

DAY_MS = 86_400_000


def rows(bot: BotProcess, query: str, *args) -> list[tuple]:
    """What the bot stored (its SQLite database), read as the operator would."""
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute(query, args).fetchall()


def canonical_sha256(doc: dict) -> str:
    """The hash as README documents it: the JSON export without approval, open_actions and
    language, with sorted keys and no spaces."""
    kept = {k: v for k, v in doc.items() if k not in ("approval", "open_actions", "language")}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def hold_meeting(alice: Member, bob: Member, room_id: str, bot: BotProcess) -> str:
    """Meeting #1, ended: Bob's message (its event id is returned), a topic, a decision."""
    await ask(alice, room_id, bot, "!startmeeting Plenary")
    said = await bob.send(room_id, "The ministry agrees, off the record")
    await ask(alice, room_id, bot, "!topic Budget")
    await ask(alice, room_id, bot, "!agreed Meet every 3-4 months")
    end = await alice.send(room_id, "!endmeeting")
    await alice.wait_for(is_file_reply(bot, end), room_id=room_id)
    return said


async def two_members(members, bot: BotProcess) -> tuple[Member, Member, str]:
    alice = await members("alice")
    bob = await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)
    return alice, bob, room_id


def notices_from(bot: BotProcess, member: Member, room_id: str, start: str) -> list:
    return [
        e
        for e in member.events(room_id)
        if isinstance(e, nio.RoomMessageNotice)
        and e.sender == bot.user_id
        and e.body.startswith(start)
    ]


async def test_amend_accept_approve_and_the_hash_changed_only_by_a_redaction(members, bot):
    alice, bob, room_id = await two_members(members, bot)
    said = await hold_meeting(alice, bob, room_id, bot)

    amended = await ask(bob, room_id, bot, "!minutes 1 amend Carol (MAEE) was present too")
    assert amended.body.splitlines()[0] == (
        "Amendment 1 to the minutes of meeting #1 recorded: Carol (MAEE) was present too"
    )
    accepted = await ask(alice, room_id, bot, "!minutes 1 accept 1")
    assert accepted.body.startswith("Amendment 1 accepted")
    approved = await ask(alice, room_id, bot, "!minutes 1 approve")
    lines = approved.body.splitlines()
    assert lines[0].startswith(f"The minutes of meeting #1 are approved by {alice.user_id}, ")
    digest = lines[1].removeprefix("SHA-256 of the approved JSON: ")

    _event, first = await ask_file(bob, room_id, bot, "!minutes 1 json")
    _event, again = await ask_file(alice, room_id, bot, "!minutes 1 json")
    doc = json.loads(first)
    assert canonical_sha256(doc) == canonical_sha256(json.loads(again)) == digest
    assert doc["approval"]["sha256"] == digest
    assert doc["errata"][0]["text"] == "Carol (MAEE) was present too"
    _event, markdown = await ask_file(bob, room_id, bot, "!minutes 1 md")
    alice_name = alice.user_id[1:].split(":")[0]  # her display name: Synapse's default
    assert f"approved by {alice_name} on " in markdown.decode() and digest in markdown.decode()
    listing = await ask(bob, room_id, bot, "!minutes list")
    assert listing.body.splitlines()[1].endswith(f"approved, SHA-256 {digest}")
    refused = await ask(bob, room_id, bot, "!minutes 1 amend Another thing")
    assert "they no longer change (but for redactions)" in refused.body.splitlines()[0]

    # Bob takes his words back: the minutes honour it, the record says so, the hash stays.
    expect(await bob.client.room_redact(room_id, said), nio.RoomRedactResponse, "redact")
    await asyncio.sleep(0.5)
    await ask(alice, room_id, bot, "!minutes list")  # the redaction is handled before this
    _event, raw = await ask_file(bob, room_id, bot, "!minutes 1 json")
    redacted = json.loads(raw)
    assert "off the record" not in raw.decode()
    assert redacted["approval"]["sha256"] == digest != canonical_sha256(redacted)
    assert redacted["approval"]["amended_after_approval"]["redactions"] == 1
    _event, text = await ask_file(bob, room_id, bot, "!minutes 1 txt")
    assert "Amended after approval: 1 redaction" in text.decode()


async def test_a_deadline_passed_while_the_bot_was_down_approves_late_once(members, bot):
    alice, bob, room_id = await two_members(members, bot)
    await hold_meeting(alice, bob, room_id, bot)
    deadline = (datetime.now(UTC) + timedelta(seconds=25)).replace(microsecond=0)
    command = await alice.send(room_id, f"!minutes 1 circulate --until {deadline.isoformat()}")
    notice = await alice.wait_for_reply(room_id, command, sender=bot.user_id)
    assert notice.body.startswith("The draft minutes of meeting #1 are circulated")
    draft = await alice.wait_for(is_file_reply(bot, command), room_id=room_id)
    assert draft.body.endswith("-draft.md")
    assert b"draft, circulated" in await alice.download_decrypted(draft)

    assert await bot.stop() == 0
    ((status, due),) = rows(bot, "SELECT status, due_at FROM minutes_circulations")
    assert status == "pending"
    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 2)
    await bot.start()
    late = await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and e.body.startswith("No objection (late: the deadline was ")
        ),
        room_id=room_id,
        timeout=60,
    )
    assert reply_target(late) is None
    assert "the minutes of meeting #1 are approved by silence procedure." in late.body
    digest = late.body.splitlines()[1].removeprefix("SHA-256 of the approved JSON: ")

    # Once: a restart does not approve them again.
    assert await bot.stop() == 0
    await bot.start()
    too_late = await ask(bob, room_id, bot, "!minutes 1 object I was away")
    assert too_late.body.startswith("Too late: the minutes of meeting #1 were approved on ")
    listing = await ask(alice, room_id, bot, "!minutes list")
    assert listing.body.splitlines()[1].endswith(f"approved, SHA-256 {digest}")
    assert len(notices_from(bot, alice, room_id, "No objection")) == 1
    assert rows(bot, "SELECT status FROM minutes_circulations") == [("approved",)]
    assert rows(bot, "SELECT approved_by, sha256 FROM minutes_approvals")[-1] == (None, digest)


async def test_an_objection_breaks_the_silence_procedure(members, bot):
    alice, bob, room_id = await two_members(members, bot)
    await hold_meeting(alice, bob, room_id, bot)
    command = await alice.send(room_id, "!minutes 1 circulate")
    notice = await alice.wait_for_reply(room_id, command, sender=bot.user_id)
    assert "unless someone objects before then" in notice.body
    objected = await ask(bob, room_id, bot, "!minutes 1 object Item 2 is wrong")
    assert objected.body.splitlines()[:2] == [
        f"{bob.user_id} objects: the silence procedure for the minutes of meeting #1 is broken; "
        "they stay a draft.",
        "Reason: Item 2 is wrong",
    ]
    assert objected.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}
    twice = await ask(alice, room_id, bot, "!minutes 1 object Me too")
    assert twice.body.startswith(f"{bob.user_id} objected already")
    listing = await ask(alice, room_id, bot, "!minutes list")
    assert listing.body.splitlines()[1].endswith(", draft")


async def test_retention_from_the_room_state_deletes_old_rows_at_start_items_stay(members, bot):
    alice, bob, room_id = await two_members(members, bot)
    await hold_meeting(alice, bob, room_id, bot)
    expect(
        await alice.client.room_put_state(
            room_id, "m.room.retention", {"max_lifetime": 30 * DAY_MS}
        ),
        nio.RoomPutStateResponse,
        "retention state",
    )
    settings = await ask(bob, room_id, bot, "!settings")
    assert "Retention: 30 days (the room's m.room.retention setting)." in settings.body.splitlines()
    (meeting_id,) = rows(bot, "SELECT id FROM minutes_meetings WHERE room_id = ?", room_id)[0]
    logged = rows(bot, "SELECT count(*) FROM minutes_lines WHERE meeting_id = ?", meeting_id)
    assert logged[0][0] >= 5

    # The bot is down while the meeting ages past the room's retention (the clock the round
    # compares with is moved by ageing the rows: the bot runs on the real one).
    assert await bot.stop() == 0
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        db.execute(
            "UPDATE log_entries SET ts = datetime(ts, '-40 days') WHERE room_id = ?", (room_id,)
        )
    await bot.start()  # a retention round at every start
    _event, markdown = await ask_file(bob, room_id, bot, "!minutes 1 md")
    text = markdown.decode()
    assert "off the record" not in text
    assert "### 1. Budget" in text and "Meet every 3-4 months" in text
    assert f"({logged[0][0]} messages removed under the room's retention policy)" in text
    assert rows(bot, "SELECT count(*) FROM minutes_lines WHERE meeting_id = ?", meeting_id) == [
        (0,)
    ]
    old = rows(
        bot,
        "SELECT count(*) FROM log_entries WHERE room_id = ? AND ts < datetime('now', '-1 day')",
        room_id,
    )
    assert old == [(0,)]
    assert rows(bot, "SELECT count(*) FROM minutes_items WHERE meeting_id = ?", meeting_id) == [
        (2,)
    ]
    # `wgbot export` reads the same table: nothing of the meeting is left to export.
    assert all(
        "off the record" not in str(payload)
        for (payload,) in rows(bot, "SELECT payload FROM log_entries WHERE room_id = ?", room_id)
    )


async def test_written_procedures_adopted_late_once_and_broken_by_an_objection(members, bot):
    alice, bob, room_id = await two_members(members, bot)
    deadline = (datetime.now(UTC) + timedelta(seconds=25)).replace(microsecond=0)
    until = f"--until {deadline.isoformat()}"
    opened = await ask(alice, room_id, bot, f'!silence "The annual report is adopted" {until}')
    assert opened.body.splitlines()[0] == (
        f"Silence procedure S1 opened by {alice.user_id}: The annual report is adopted"
    )
    assert opened.body.splitlines()[2] == "To object: !silence object S1 <reason>."
    await ask(alice, room_id, bot, f'!silence "The office closes in August" {until}')
    objected = await ask(bob, room_id, bot, "!silence object S2 Our staff work in August")
    assert objected.body.splitlines()[:2] == [
        f"{bob.user_id} objects to silence procedure S2, opened by {alice.user_id}: "
        "The office closes in August",
        "Reason: Our staff work in August",
    ]
    assert alice.user_id in objected.source["content"]["m.mentions"]["user_ids"]
    twice = await ask(bob, room_id, bot, "!silence object S2 Again")
    assert twice.body.startswith("You objected to silence procedure S2 already, on ")

    assert await bot.stop() == 0
    procedures = "FROM silence_procedures WHERE room_id = ? ORDER BY number"
    assert rows(bot, f"SELECT number, status {procedures}", room_id) == [
        (1, "pending"),
        (2, "pending"),
    ]
    await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 2)
    await bot.start()
    adopted = await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and e.body.startswith("No objection to silence procedure S1 (late: the deadline was ")
        ),
        room_id=room_id,
        timeout=60,
    )
    assert reply_target(adopted) is None
    assert adopted.body.splitlines() == [
        adopted.body.splitlines()[0],
        "Text: The annual report is adopted",
    ]
    assert adopted.body.splitlines()[0].endswith("): adopted as decision D1.")
    broken = await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and e.body.startswith("Silence procedure S2 is broken (late: the deadline was ")
        ),
        room_id=room_id,
        timeout=60,
    )
    assert broken.body.splitlines()[1:] == [f"• {bob.user_id}: Our staff work in August"]

    # Once: a restart does not close them again.
    assert await bot.stop() == 0
    await bot.start()
    too_late = await ask(bob, room_id, bot, "!silence object S1 I was away")
    assert too_late.body.startswith("Too late: the deadline for objections to silence procedure S1")
    shown = await ask(bob, room_id, bot, "!decision show D1")
    assert shown.body.splitlines()[0] == "D1 — Adopted: The annual report is adopted"
    assert f"Adopted by silence procedure S1, opened by {alice.user_id}." in shown.body
    assert len(notices_from(bot, alice, room_id, "No objection to silence procedure")) == 1
    assert len(notices_from(bot, alice, room_id, "Silence procedure S2 is broken")) == 1
    assert rows(bot, f"SELECT number, status, late, decision_number {procedures}", room_id) == [
        (1, "adopted", 1, 1),
        (2, "broken", 1, None),
    ]
    register = "SELECT number, outcome, status, author FROM decisions WHERE room_id = ?"
    assert rows(bot, register, room_id) == [(1, "adopted", "in_force", None)]
