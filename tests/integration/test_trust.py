"""Trust, as a member's client sees it: a cross-signed bot device, guards against plaintext."""

from __future__ import annotations

import subprocess
import sys

import nio
import pytest
from botproc import BotProcess
from members import Member
from test_foundation import ask, replies_to, room_with_bot

from bot.crosssigning import device_cross_signed, fingerprint, only_key, query_keys


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
