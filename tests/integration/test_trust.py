"""Trust, as a member's client sees it: a cross-signed bot device, guards against plaintext."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request

import nio
import pytest
from botproc import BotProcess
from helpers import ask, replies_to, room_with_bot
from members import Member, reply_target

from bot.crosssigning import bootstrap, device_cross_signed, fingerprint, only_key, query_keys


def wgbot_info(bot: BotProcess) -> dict[str, str]:
    """What `wgbot info` prints, as {label: value}."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "info", "--config", str(bot.config_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pairs = (line.split(":", 1) for line in result.stdout.strip().splitlines())
    return {label.strip(): value.strip() for label, value in pairs}


async def bot_keys(member, bot: BotProcess) -> tuple[str, str, bool]:
    """The bot's master key, its device key, and whether the chain verifies — as a member sees them."""
    answer = await query_keys(member.client, [bot.user_id])
    device = answer["device_keys"][bot.user_id][bot.device_id]
    return (
        only_key(answer["master_keys"][bot.user_id]),
        device["keys"][f"ed25519:{bot.device_id}"],
        device_cross_signed(answer, bot.user_id, device),
    )


async def test_the_bot_device_is_cross_signed_and_stays_so(members, homeserver, tmp_path):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    first_device = bot.device_id
    master, device_key, chain_ok = await bot_keys(alice, bot)
    assert chain_ok, "device <- self-signing key <- master key must verify"
    assert await bot.stop() == 0

    info = wgbot_info(bot)
    assert info["user id"] == bot.user_id
    assert info["device id"] == first_device
    assert info["device fingerprint"] == fingerprint(device_key)
    assert info["master key"] == fingerprint(master)

    # A restart changes nothing.
    await bot.start()
    assert await bot.stop() == 0
    assert bot.device_id == first_device
    assert await bot_keys(alice, bot) == (master, device_key, True)
    assert "uploaded cross-signing keys" not in bot.log.split("ready as")[-2]

    # The crypto store lost: a new device, signed under the same master key.
    (bot.data_dir / "store" / "crypto.db").unlink()
    await bot.start()
    assert await bot.stop() == 0
    assert bot.device_id != first_device
    new_master, _, chain_ok = await bot_keys(alice, bot)
    assert (new_master, chain_ok) == (master, True)


MEGOLM = "m.megolm.v1.aes-sha2"
GRACE = "\n[security]\nundecryptable_grace_seconds = 4\n"


async def send_withholding_key(member: Member, room_id: str, bot: BotProcess, body: str):
    """Send a message whose room key the bot does not get; return its id and that key."""
    client, olm = member.client, member.client.olm
    device = client.device_store[bot.user_id][bot.device_id]
    client.blacklist_device(device)  # nio drops the room's session here: make ours after
    olm.create_outbound_group_session(room_id)
    session = olm.outbound_group_sessions[room_id]
    key = {
        "algorithm": MEGOLM,
        "room_id": room_id,
        "session_id": session.id,
        "session_key": session.session_key,
    }
    event_id = await member.send(room_id, body)
    assert event_id and key["session_id"] == session.id
    client.unblacklist_device(device)
    olm.outbound_group_sessions.pop(room_id, None)  # later messages use a session the bot gets
    return event_id, key


async def deliver_key(member: Member, bot: BotProcess, key: dict) -> None:
    """Send the withheld room key to the bot's device, Olm-encrypted, as a late m.room_key."""
    client = member.client
    device = client.device_store[bot.user_id][bot.device_id]
    olm_session = client.olm.session_store.get(device.curve25519)
    content = client.olm._olm_encrypt(olm_session, device, "m.room_key", key)
    await client.to_device(
        nio.ToDeviceMessage("m.room.encrypted", bot.user_id, bot.device_id, content)
    )


@pytest.fixture(scope="module")
async def patient_bot(homeserver, tmp_path_factory):
    bot = BotProcess.create(homeserver, tmp_path_factory.mktemp("bot"), config_extra=GRACE)
    await bot.start()
    yield bot
    assert await bot.stop() == 0


async def test_a_message_is_handled_once_its_key_arrives(members, patient_bot):
    bot = patient_bot
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, bot, "!settings")  # an Olm session between alice and the bot

    event_id, key = await send_withholding_key(alice, room_id, bot, "!timezone Asia/Tokyo")
    await deliver_key(alice, bot, key)
    reply = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    assert reply.body == "Times in this room are now in Asia/Tokyo."

    marker = await ask(alice, room_id, bot, "!settings")
    assert "Time zone: Asia/Tokyo" in marker.body
    assert len(replies_to(alice, room_id, event_id)) == 1


async def test_a_message_whose_key_never_arrives_gets_one_notice(members, patient_bot):
    bot = patient_bot
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, bot, "!lang fr")

    event_id, _key = await send_withholding_key(alice, room_id, bot, "!help")
    notice = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
    assert notice.body.startswith(f"{alice.user_id} : je n'ai pas pu déchiffrer ce message")
    assert notice.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}

    # Long enough for a second notice, were the bot to send one; then a marker command.
    await alice.sync(timeout_ms=5000)
    await ask(alice, room_id, bot, "!settings")
    assert len(replies_to(alice, room_id, event_id)) == 1


def send_plaintext(member: Member, room_id: str, body: str) -> str:
    """Send an unencrypted m.room.message, bypassing the client's encryption (as a buggy client might)."""
    request = urllib.request.Request(
        f"{member.hs.base_url}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}"
        f"/send/m.room.message/plain{secrets.token_hex(4)}",
        data=json.dumps({"msgtype": "m.text", "body": body}).encode(),
        headers={"Authorization": f"Bearer {member.client.access_token}"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["event_id"]


async def test_commands_arriving_unencrypted_in_an_encrypted_room_are_ignored(members, patient_bot):
    bot = patient_bot
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    plain = send_plaintext(alice, room_id, "!lang de")
    marker = await ask(alice, room_id, bot, "!settings")
    assert "Language: en" in marker.body
    assert replies_to(alice, room_id, plain) == []


async def test_a_public_room_is_left_with_a_notice(members, patient_bot):
    bot = patient_bot
    alice = await members("alice")
    room_id = await alice.create_room(invite=[bot.user_id])
    await alice.client.room_put_state(room_id, "m.room.join_rules", {"join_rule": "public"})
    notice = await alice.wait_for(
        lambda e: isinstance(e, nio.RoomMessageNotice) and e.sender == bot.user_id, room_id=room_id
    )
    assert notice.body.startswith("I am leaving: anyone can join this room")
    await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "leave"
        ),
        room_id=room_id,
    )


async def test_a_store_that_fails_to_load_stops_the_bot_before_it_sends(
    members, homeserver, tmp_path
):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    room_id = await room_with_bot(alice, bot)
    await ask(alice, room_id, bot, "!settings")
    assert await bot.stop() == 0

    (bot.data_dir / "pickle_key").write_text("not the key this store was written with")
    pending = await alice.send(room_id, "!help")
    assert await bot.run_to_exit() == 1
    assert "crypto store could not be loaded" in bot.log
    # Nothing was sent: the command waits, unanswered, for a bot that can encrypt.
    await alice.sync()
    assert replies_to(alice, room_id, pending) == []
    assert handled_nothing_after(bot, pending)


def handled_nothing_after(bot: BotProcess, event_id: str) -> bool:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        handled = db.execute(
            "SELECT 1 FROM handled_events WHERE event_id = ?", (event_id,)
        ).fetchone()
        queued = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
    return handled is None and queued == 0


async def test_secrets_and_bodies_stay_out_of_debug_logs(members, homeserver, tmp_path):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    bot.config_path.chmod(0o644)
    await bot.start("-v")
    try:
        room_id = await room_with_bot(alice, bot)
        secret_text = "!timezone Europe/Vilnius"
        reply = await ask(alice, room_id, bot, secret_text)
        assert reply.body == "Times in this room are now in Europe/Vilnius."
    finally:
        assert await bot.stop() == 0
    assert " DEBUG " in bot.log, "the bot did not log at DEBUG"
    assert "holds a password and is readable by other users" in bot.log
    password = bot.config_path.read_text().split('password = "')[1].split('"')[0]
    pickle_key = (bot.data_dir / "pickle_key").read_text()
    for secret in (bot.credentials["access_token"], password, pickle_key, "Vilnius", secret_text):
        assert secret not in bot.log


async def cross_sign(member: Member, tmp_path) -> None:
    """Give a member's device a cross-signing identity, as Element does at set-up."""
    await bootstrap(
        member.client,
        tmp_path / f"{member.device_id}-cross-signing.json",
        member.password,
        lambda path, text: path.write_text(text),
    )


async def test_cross_signed_policy_shares_keys_only_with_cross_signed_devices(
    members, homeserver, tmp_path
):
    alice = await members("alice")  # her device is cross-signed
    bob = await members("bob")  # his is not
    await cross_sign(alice, tmp_path)
    bot = BotProcess.create(
        homeserver, tmp_path / "bot", config_extra='\n[security]\ntrust = "cross-signed"\n'
    )
    await bot.start()
    try:
        room_id = await alice.create_room(invite=[bot.user_id, bob.user_id])
        await bob.join(room_id)
        await alice.wait_joined(room_id, bot.user_id)
        event_id = await alice.send(room_id, "!settings")
        reply = await alice.wait_for_reply(room_id, event_id, sender=bot.user_id)
        assert reply.body.startswith("Settings of this room")

        seen_by_bob = await bob.wait_for(
            lambda e: reply_target(e) == event_id and e.sender == bot.user_id, room_id=room_id
        )
        assert isinstance(seen_by_bob, nio.MegolmEvent), "bob's unsigned device must get no key"
    finally:
        assert await bot.stop() == 0
    assert "is not cross-signed: it gets no room keys" in bot.log


async def test_tofu_warns_the_room_once_when_a_device_key_changes(members, homeserver, tmp_path):
    alice = await members("alice")
    carol = await members("carol")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    try:
        room_id = await alice.create_room(invite=[bot.user_id, carol.user_id])
        await carol.join(room_id)
        await alice.wait_joined(room_id, bot.user_id)
        await ask(carol, room_id, bot, "!settings")  # the bot has seen and pinned carol's device

        # Someone logs in as carol's device with new keys (a reinstall, or an impostor).
        impostor = nio.AsyncClient(
            homeserver.base_url,
            carol.user_id,
            device_id=carol.device_id,
            store_path=str(tmp_path / "impostor"),
            config=nio.AsyncClientConfig(encryption_enabled=True, store=nio.store.SqliteStore),
        )
        (tmp_path / "impostor").mkdir()
        login = await impostor.login(carol.password)
        assert isinstance(login, nio.LoginResponse)
        # Device keys only: its fresh one-time key ids would clash with the real device's.
        device_keys = impostor.olm.share_keys()["device_keys"]
        upload = await impostor.send(
            "POST",
            "/_matrix/client/v3/keys/upload",
            json.dumps({"device_keys": device_keys}),
            headers={"Authorization": f"Bearer {impostor.access_token}"},
        )
        assert upload.status == 200
        await impostor.close()

        warning = await alice.wait_for(
            lambda e: isinstance(e, nio.RoomMessageNotice) and "has changed" in e.body,
            room_id=room_id,
        )
        assert warning.body.startswith(
            f"Warning: the encryption key of {carol.user_id}'s device {carol.device_id} has changed."
        )
        assert warning.source["content"]["m.mentions"] == {"user_ids": [carol.user_id]}
        await ask(alice, room_id, bot, "!settings")
        warnings = [
            e
            for e in alice.events(room_id)
            if isinstance(e, nio.RoomMessageNotice) and "has changed" in e.body
        ]
        assert len(warnings) == 1
    finally:
        assert await bot.stop() == 0


async def test_lost_cross_signing_keys_are_replaced_with_the_password(
    members, homeserver, tmp_path
):
    alice = await members("alice")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    assert await bot.stop() == 0
    old_master, _, _ = await bot_keys(alice, bot)

    (bot.data_dir / "cross_signing.json").unlink()
    await bot.start()  # the homeserver asks for interactive auth: the bot answers with its password
    assert await bot.stop() == 0
    new_master, _, chain_ok = await bot_keys(alice, bot)
    assert new_master != old_master and chain_ok
    assert "replacing the cross-signing keys requires the account password" in bot.log
    assert wgbot_info(bot)["master key"] == fingerprint(new_master)
