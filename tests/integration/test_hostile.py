"""A hostile member, as the bot meets one: malformed events in clear and encrypted, payloads that
lie about themselves, floods. The bot stays up, answers others at once, comes back after a
restart, and its log holds nothing anyone wrote."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any
from urllib.parse import quote

import nio
from botproc import BotProcess
from helpers import ask, replies_to, room_with_bot
from members import MatrixError, Member, reply_target

from bot.msc3381 import POLL_RESPONSE

# Answered "at once": nothing a hostile member sent may hold up another room.
PROMPTLY = 10.0


async def put(
    member: Member, room_id: str, event_type: str, content: Any, *, refusable: bool = False
) -> str | None:
    """Send an event exactly as given, past nio (so in clear, even into an encrypted room);
    None if `refusable` and Synapse refused it (it checks a few fields of messages in clear)."""
    path = (
        f"/_matrix/client/v3/rooms/{quote(room_id, safe='')}/send/"
        f"{quote(event_type, safe='')}/{uuid.uuid4().hex}"
    )
    headers = {
        "Authorization": f"Bearer {member.client.access_token}",
        "Content-Type": "application/json",
    }
    async with await member.client.send("PUT", path, json.dumps(content), headers) as response:
        body = await response.json()
        if refusable and response.status == 400:
            return None
        if response.status != 200:
            raise MatrixError(f"PUT {event_type}: {response.status} {body}")
        return body["event_id"]


async def put_encrypted(member: Member, room_id: str, payload: dict[str, Any]) -> str:
    """Encrypt any payload (type, content and what else it claims) with the member's room key."""
    await member.send(room_id, "key share")  # the room key reaches every device first
    encrypted = member.client.olm.group_encrypt(room_id, dict(payload))
    return await put(member, room_id, "m.room.encrypted", encrypted)


def poison(mark: str, target: str) -> list[tuple[str, Any]]:
    """Contents of every wrong JSON type where the bot reads a field, each carrying `mark`."""
    return [
        (
            "m.room.message",
            {"msgtype": "m.text", "body": f"!settings {mark}", "m.relates_to": ["x"]},
        ),
        ("m.room.message", {"msgtype": "m.text", "body": f"!help {mark}", "m.relates_to": mark}),
        ("m.room.message", {"msgtype": ["m.text"], "body": mark}),
        ("m.room.message", {"msgtype": "m.text", "body": [mark]}),
        ("m.room.message", {"msgtype": "m.text", "note": mark}),
        ("m.room.message", {"body": mark}),
        ("m.room.message", {"msgtype": "m.text", "body": {"text": mark}, "format": 1}),
        (
            "m.room.message",
            {
                "msgtype": 7,
                "body": mark,
                "m.relates_to": {"rel_type": ["m.replace"], "event_id": {"id": mark}},
            },
        ),
        (
            "m.room.message",
            {
                "msgtype": "m.text",
                "body": f"* {mark}",
                "m.new_content": [mark],
                "m.relates_to": {"rel_type": "m.replace", "event_id": target},
            },
        ),
        (
            "m.room.message",
            {"msgtype": "m.text", "body": f"> {mark}", "m.relates_to": {"m.in_reply_to": mark}},
        ),
        ("m.reaction", {"m.relates_to": mark}),
        (
            "m.reaction",
            {"msgtype": [mark], "m.relates_to": {"rel_type": "m.annotation", "event_id": [mark]}},
        ),
        (
            POLL_RESPONSE,
            {"m.relates_to": {"rel_type": "m.reference", "event_id": 5}, POLL_RESPONSE: mark},
        ),
    ]


def lying_payloads(mark: str, mallory: str, alice: str) -> list[dict[str, Any]]:
    """Encrypted payloads claiming what only the homeserver may say: state, ids, senders."""
    return [
        {
            "type": "m.room.power_levels",
            "state_key": "",
            "content": {"users": {mallory: 100}, "users_default": 100},
        },
        {"type": "m.room.message", "content": mark, "event_id": "$claimed", "sender": alice},
        {"type": ["m.room.message"], "content": {"msgtype": "m.text", "body": mark}},
        {"type": "m.room.message", "content": {"body": f"!settings {mark}"}},
    ]


def odd_commands(mark: str) -> list[str]:
    """Ids in superscript digits and time offsets no calendar holds (each an internal error once)."""
    return [
        "!done ¹",
        "!poll close ²",
        "!meeting show ³",
        "!minutes ²",
        f"!meeting add Test {mark} in 9000 years at 10:00",
        "!meeting add Test in 99999999 days at 10:00",
        "!meeting add Test tomorrow 10:00 for 9999999999 hours",
    ]


async def send_poison(mallory: Member, room_id: str, mark: str, alice: str) -> list[bool]:
    """Every poison, in clear and encrypted; which ones Synapse took in clear."""
    target = await mallory.send(room_id, "an honest message")
    taken = []
    for event_type, content in poison(mark, target):
        taken.append(await put(mallory, room_id, event_type, content, refusable=True) is not None)
        await mallory.send_raw(room_id, event_type, content)  # encrypted by nio
    for payload in lying_payloads(mark, mallory.user_id, alice):
        await put_encrypted(mallory, room_id, payload)
    return taken


async def test_poison_events_never_stop_the_bot_nor_reach_its_log(members, homeserver, tmp_path):
    alice = await members("alice")
    mallory = await members("mallory")
    mark = f"MARK{secrets.token_hex(6)}"
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    try:
        hostile = await room_with_bot(alice, bot, invite=[mallory.user_id])
        await mallory.join(hostile)
        quiet = await room_with_bot(alice, bot)
        # A running meeting puts every message through the minutes' log too.
        await ask(alice, hostile, bot, "!startmeeting Under attack")

        # The killers (a list or a string as m.relates_to) and others pass Synapse.
        taken = await send_poison(mallory, hostile, mark, alice.user_id)
        assert taken[:2] == [True, True] and sum(taken) >= 7
        settings = await ask(alice, quiet, bot, "!settings", timeout=PROMPTLY)
        assert settings.body.startswith("Settings of this room")
        # Events of a room are handled in order: this answer comes after all the poison.
        # The power levels Mallory claimed in an encrypted payload gave her nothing.
        refused = await ask(mallory, hostile, bot, "!lang de")
        assert refused.body == "Only chairs (power level 50 or more) may use !lang."
        # Odd ids and offsets past the calendar: a clear answer each, never an internal error.
        odd = await mallory.send(hostile, "\n".join(odd_commands(mark)))
        await mallory.sync_until(
            lambda: len(replies_to(mallory, hostile, odd)) >= len(odd_commands(mark)),
            "a reply to each odd command",
        )
        answers = [e.body for e in replies_to(mallory, hostile, odd)]
        assert not [a for a in answers if "Internal error" in a], answers
        assert sum("is not" in a for a in answers) >= 4, answers  # "“¹” is not an action number."
        assert bot.process.returncode is None

        # Sent while the bot is down, the same events come in its catch-up after a restart.
        assert await bot.stop() == 0
        await send_poison(mallory, hostile, mark, alice.user_id)
        await bot.start()
        settings = await ask(alice, quiet, bot, "!settings", timeout=PROMPTLY)
        assert settings.body.startswith("Settings of this room")
        ended = await ask(alice, hostile, bot, "!endmeeting")
        assert ended.body.startswith("Meeting #1 ended: Under attack")
    finally:
        assert await bot.stop() == 0
    assert mark not in bot.log
    assert "Traceback" not in bot.log
    assert re.search(rf"command settings in {re.escape(quiet)}: ok \(\d+ ms\)", bot.log)
    assert re.search(rf"command lang in {re.escape(hostile)}: refused \(\d+ ms\)", bot.log)
    assert "skipped a malformed m.room.encrypted event" in bot.log


async def test_a_flood_is_cut_at_twenty_commands_and_echoes_are_short(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    flood = await alice.send(room_id, "\n".join(["!settings"] * 300))
    await alice.sync_until(
        lambda: len([e for e in alice.events(room_id) if reply_target(e) == flood]) >= 21,
        "21 replies to the flood",
    )
    replies = [e for e in alice.events(room_id) if reply_target(e) == flood]
    assert len(replies) == 21
    assert all(r.body.startswith("Settings of this room") for r in replies[:20])
    assert replies[20].body == (
        "This message holds 300 commands: I ran only the first 20. "
        "Send the others in another message."
    )

    word = "x" * 30_000
    unknown = await ask(alice, room_id, bot, "!" + word)
    assert unknown.body.splitlines()[0] == f"Unknown command !{'x' * 40}…."
    assert word[:100] not in bot.log
    assert re.search(rf"command \(unknown\) in {re.escape(room_id)}: unknown \(\d+ ms\)", bot.log)

    await ask(alice, room_id, bot, "!lang fr")
    flood = await alice.send(room_id, "\n".join(["!settings"] * 21))
    await alice.sync_until(
        lambda: len([e for e in alice.events(room_id) if reply_target(e) == flood]) >= 21,
        "21 replies to the flood",
    )
    notice = [e for e in alice.events(room_id) if reply_target(e) == flood][-1]
    assert notice.body == (
        "Ce message contient 21 commandes : je n'ai exécuté que les 20 premières. "
        "Envoyez les autres dans un autre message."
    )
    assert isinstance(notice, nio.RoomMessageNotice)


async def test_a_promotion_after_a_command_does_not_grant_it(members, homeserver, tmp_path):
    alice = await members("alice")
    bob = await members("bob")
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    try:
        room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
        await bob.join(room_id)
        assert await bot.stop() == 0

        # While the bot is down: Bob (level 0) asks, then Alice promotes him.
        command = await bob.send(room_id, "!lang de")
        levels = await alice.client.room_get_state_event(room_id, "m.room.power_levels")
        assert isinstance(levels, nio.RoomGetStateEventResponse)
        users = {**levels.content.get("users", {}), bob.user_id: 100}
        promoted = await alice.client.room_put_state(
            room_id, "m.room.power_levels", {**levels.content, "users": users}
        )
        assert isinstance(promoted, nio.RoomPutStateResponse)
        await bot.start()

        refused = await bob.wait_for_reply(room_id, command, sender=bot.user_id)
        assert refused.body == "Only chairs (power level 50 or more) may use !lang."
        settings = await ask(bob, room_id, bot, "!settings")
        assert "Language: en" in settings.body
        # From his promotion on, he is a chair.
        applied = await ask(bob, room_id, bot, "!lang de")
        assert applied.body == "Ich spreche in diesem Raum jetzt Deutsch."
    finally:
        assert await bot.stop() == 0
