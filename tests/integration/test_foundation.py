"""The foundation, as members see it: a real Synapse, real E2EE clients, the bot as a process."""

from __future__ import annotations

import sqlite3
import stat

import nio
from botproc import BotProcess
from helpers import ask, replies_to, room_with_bot
from members import Member, reply_target

from bot.homeserver import start_homeserver

CHAIR_ONLY = {"users_default": 0, "events": {}, "state_default": 50}


def handled(bot: BotProcess, event_id: str) -> bool:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return (
            db.execute("SELECT 1 FROM handled_events WHERE event_id = ?", (event_id,)).fetchone()
            is not None
        )


async def test_help_is_an_encrypted_html_notice_in_reply(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    reply = await ask(alice, room_id, bot, "!help")

    assert isinstance(reply, nio.RoomMessageNotice)
    assert reply.decrypted, "the reply must have been encrypted on the wire"
    assert reply.body.startswith("Commands\nMeetings: !meeting add|list|show|")
    assert reply.body.endswith(
        "\nDetails: !help meetings for an area, !help meeting add for one command."
    )
    # One line per area, not every command (the lines themselves: tests/commands/test_help_commands.py).
    assert len(reply.body.splitlines()) < 12
    content = reply.source["content"]
    assert content["format"] == "org.matrix.custom.html"
    assert "<b>Commands</b><br><b>Meetings</b>: <code>!meeting add|" in content["formatted_body"]
    assert content["m.mentions"] == {}
    assert alice.undecryptable(room_id) == []

    detail = await ask(alice, room_id, bot, "!help lang")
    assert detail.body == (
        "!lang en|fr|de\nSet the language I use in this room.\nOnly chairs may use it."
    )


async def test_french_then_german(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)

    assert (await ask(alice, room_id, bot, "!lang fr")).body == (
        "Je parlerai désormais Français dans ce salon."
    )
    assert (await ask(alice, room_id, bot, "!help")).body.startswith(
        "Commandes\nRéunions : !meeting add|list|show|"
    )
    assert (await ask(alice, room_id, bot, "!aide sondages")).body.startswith(
        'Sondages\n!poll "<question>"'
    )
    assert (await ask(alice, room_id, bot, "!lang de")).body == (
        "Ich spreche in diesem Raum jetzt Deutsch."
    )
    settings = await ask(alice, room_id, bot, "!settings")
    assert settings.body.startswith(
        "Einstellungen dieses Raums\nSprache: de\nZeitzone: Europe/Luxembourg"
    )


async def test_two_commands_in_one_message_get_two_replies(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    event_id = await alice.send(room_id, "Two things:\n!timezone America/New_York\n!settings")

    first = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    second = await alice.wait_for(
        lambda e: reply_target(e) == event_id and e is not first, room_id=room_id
    )
    assert first.body == "Times in this room are now in America/New_York."
    assert "Time zone: America/New_York" in second.body


async def test_bad_input_gets_a_clear_reply_and_changes_nothing(members, bot):
    alice = await members("alice")
    bob = await members("bob")
    room_id = await alice.create_room(invite=[bot.user_id, bob.user_id])
    await bob.join(room_id)
    await alice.wait_joined(room_id, bot.user_id)

    broken = await ask(alice, room_id, bot, '!timezone "Europe/Paris')
    assert broken.body == (
        'A quote is not closed: "Europe/Paris\nUsage: !timezone <IANA zone, e.g. Europe/Luxembourg>'
    )
    unknown = await ask(alice, room_id, bot, "!hepl")
    assert unknown.body.startswith("Unknown command !hepl.\nDid you mean !help?")
    zone = await ask(alice, room_id, bot, "!timezone Mars/Olympus")
    assert zone.body.startswith("Mars/Olympus is not a time zone I know.")

    refused = await ask(bob, room_id, bot, "!lang fr")
    assert refused.body == "Only chairs (power level 50 or more) may use !lang."
    settings = await ask(bob, room_id, bot, "!settings")
    assert "Language: en" in settings.body and "Time zone: Europe/Luxembourg" in settings.body

    huge = await ask(alice, room_id, bot, "!settings " + "x" * 5000)
    assert huge.body.startswith("This command is too long (5009 characters; the limit is 4000).")


async def test_unencrypted_room_gets_one_notice_and_no_command_runs(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot, encrypted=False)
    first = await ask(alice, room_id, bot, "!help")
    assert first.body.startswith("I only work in encrypted rooms")
    assert not first.decrypted

    second_id = await alice.send(room_id, "!help")
    await alice.sync_until(lambda: handled(bot, second_id), "the bot handling the second command")
    await alice.sync()
    bot_messages = [
        e
        for e in alice.events(room_id)
        if isinstance(e, nio.RoomMessage) and e.sender == bot.user_id
    ]
    assert [e.body[:30] for e in bot_messages] == ["I only work in encrypted rooms"]


async def test_invite_from_a_user_not_allowed_is_rejected(members, homeserver, tmp_path):
    alice = await members("alice")
    mallory = await members("mallory")
    bot = BotProcess.create(homeserver, tmp_path / "bot", allowed_inviters=f'["{alice.user_id}"]')
    await bot.start()
    try:
        bad_room = await mallory.create_room(invite=[bot.user_id])
        await mallory.wait_for(
            lambda e: (
                isinstance(e, nio.RoomMemberEvent)
                and e.state_key == bot.user_id
                and e.membership == "leave"
            ),
            room_id=bad_room,
        )
        assert not mallory.is_joined(bad_room, bot.user_id)

        good_room = await room_with_bot(alice, bot)
        assert (await ask(alice, good_room, bot, "!settings")).body.startswith(
            "Settings of this room"
        )
    finally:
        assert await bot.stop() == 0
    assert "rejected an invite" in bot.log


async def test_restart_same_device_no_history_replay_and_exactly_once(
    members, homeserver, tmp_path
):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    # Invited and addressed before its very first start: that history is not replayed.
    room_id = await alice.create_room(invite=[bot.user_id])
    before_first_start = await alice.send(room_id, "!help")

    await bot.start()
    await alice.wait_joined(room_id, bot.user_id)
    device = bot.device_id
    assert (await ask(alice, room_id, bot, "!settings")).body.startswith("Settings of this room")
    assert await bot.stop() == 0

    while_down = await alice.send(room_id, "!lang fr\n!settings")
    await bot.start()
    assert bot.device_id == device
    answers = [
        await alice.wait_for_reply(room_id, while_down, sender=bot.user_id),
    ]
    answers.append(
        await alice.wait_for(
            lambda e: reply_target(e) == while_down and e is not answers[0], room_id=room_id
        )
    )
    assert [a.body.split("\n")[0] for a in answers] == [
        "Je parlerai désormais Français dans ce salon.",
        "Paramètres de ce salon",
    ]
    # A third start must not answer the same command again, and a command buried under more
    # messages than one sync returns (a limited timeline) is still found and answered.
    assert await bot.stop() == 0
    buried = await alice.send(room_id, "!timezone Europe/Berlin")
    for i in range(60):
        await alice.send(room_id, f"chatter {i}")
    await bot.start()
    assert bot.device_id == device
    answer = await alice.wait_for_reply(room_id, buried, sender=bot.user_id)
    assert answer.body == "Les heures de ce salon sont désormais en Europe/Berlin."
    marker = await ask(alice, room_id, bot, "!help")
    assert marker.body.startswith("Commandes")
    assert await bot.stop() == 0

    assert len(replies_to(alice, room_id, while_down)) == 2
    assert replies_to(alice, room_id, before_first_start) == []
    assert bot.server_devices() == [device], "one device for the bot's whole life"

    # Secrets stay private and out of the log; no message body is logged at INFO.
    assert stat.S_IMODE(bot.data_dir.stat().st_mode) == 0o700
    files = [p for p in bot.data_dir.rglob("*") if p.is_file()]
    assert {"credentials.json", "pickle_key", "crypto.db", "wgbot.db"} <= {p.name for p in files}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), files
    pickle_key = (bot.data_dir / "pickle_key").read_text()
    assert len(pickle_key) >= 40 and pickle_key != "DEFAULT_KEY"
    for secret in (bot.credentials["access_token"], pickle_key, "Paramètres de ce salon"):
        assert secret not in bot.log


async def test_notices_of_other_bots_are_ignored(members, bot):
    alice = await members("alice")
    other_bot = await members("otherbot")
    room_id = await room_with_bot(alice, bot, invite=[other_bot.user_id])
    await other_bot.join(room_id)
    notice = await other_bot.send(room_id, "!help", msgtype="m.notice")
    # Events of a room are handled in order: once this is answered, the notice was seen.
    await ask(other_bot, room_id, bot, "!settings")
    assert replies_to(other_bot, room_id, notice) == []


async def test_replies_wait_out_rate_limits(members, tmp_path):
    """With a strict homeserver (burst 2, then one message per 2 s) every reply still arrives."""
    strict = start_homeserver(
        tmp_path / "strict-synapse", overrides={"rc_message": {"per_second": 0.5, "burst_count": 2}}
    )
    bot = BotProcess.create(strict, tmp_path / "bot")
    alice = None
    try:
        await bot.start()
        alice = await Member.register(strict, "alice", tmp_path / "stores")
        room_id = await room_with_bot(alice, bot)
        event_id = await alice.send(room_id, "\n".join(["!settings"] * 5))
        await alice.sync_until(
            lambda: len(replies_to(alice, room_id, event_id)) == 5, "five replies", timeout=60
        )
        assert all(
            r.body.startswith("Settings of this room") for r in replies_to(alice, room_id, event_id)
        )
    finally:
        if alice:
            await alice.close()
        await bot.stop()
        strict.stop()


def joined_as_stored(bot: BotProcess, room_id: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute(
            "SELECT user_id, display_name FROM room_members WHERE room_id = ? ORDER BY user_id",
            (room_id,),
        ).fetchall()


async def test_the_bot_knows_who_is_in_the_room_and_by_which_name(members, bot):
    alice = await members("alice")
    bob = await members("bob")
    await bob.client.set_displayname("Bob from the Ministry")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)
    await alice.wait_joined(room_id, bob.user_id)
    await ask(bob, room_id, bot, "!settings")  # the bot has synced past bob's join

    alice_name = alice.user_id[1:].split(":")[0]  # Synapse's default display name
    assert joined_as_stored(bot, room_id) == [
        (alice.user_id, alice_name),
        (bob.user_id, "Bob from the Ministry"),
    ]
    await bob.client.room_leave(room_id)
    await ask(alice, room_id, bot, "!settings")
    assert joined_as_stored(bot, room_id) == [(alice.user_id, alice_name)]
