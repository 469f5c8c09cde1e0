"""Self-tests of the integration harness: what real users see on a real homeserver."""

from __future__ import annotations

import io

import nio
import pytest
from members import MEGOLM, MemberFactory, is_text


async def test_encrypted_room_message_is_decrypted_for_the_invitee(
    members: MemberFactory,
) -> None:
    """Bob reads alice's message in clear, although it travelled encrypted."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await alice.create_room(invite=[bob.user_id], name="harness e2e")
    await bob.join(room_id)
    await alice.wait_joined(room_id, bob.user_id)

    event_id = await alice.send(room_id, "hello bob")

    event = await bob.wait_for(is_text("hello bob", sender=alice.user_id), room_id=room_id)
    assert isinstance(event, nio.RoomMessageText)
    assert event.event_id == event_id
    assert event.body == "hello bob"
    assert event.decrypted
    wire = await bob.raw_event(room_id, event_id)
    assert wire["type"] == "m.room.encrypted"
    assert wire["content"]["algorithm"] == MEGOLM
    assert "hello bob" not in str(wire)
    assert bob.undecryptable(room_id) == []


async def test_unencrypted_room_carries_plain_messages(members: MemberFactory) -> None:
    """In a room created without encryption both sides see a plain m.room.message."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await alice.create_room(encrypted=False, invite=[bob.user_id])
    await bob.join(room_id)

    event_id = await alice.send(room_id, "plain hello")

    event = await bob.wait_for(is_text("plain hello"), room_id=room_id)
    assert isinstance(event, nio.RoomMessageText)
    assert not event.decrypted
    assert not bob.client.rooms[room_id].encrypted
    wire = await bob.raw_event(room_id, event_id)
    assert wire["type"] == "m.room.message"
    assert wire["content"]["body"] == "plain hello"


@pytest.mark.parametrize("room_version", ["10", "12"])
async def test_power_level_override_sets_chair_and_member(
    members: MemberFactory, room_version: str
) -> None:
    """The power_levels override makes bob chair (50) and leaves carol at the default 0."""
    alice = await members("alice")
    bob = await members("bob")
    carol = await members("carol")
    users = {bob.user_id: 50}
    if room_version == "10":
        # Before v12 the creator's 100 lives in `users` and an override replaces that map.
        users[alice.user_id] = 100
    room_id = await alice.create_room(
        invite=[bob.user_id, carol.user_id],
        power_levels={"users": users},
        room_version=room_version,
    )
    await bob.join(room_id)
    await carol.join(room_id)

    response = await carol.client.room_get_state_event(room_id, "m.room.power_levels")

    assert isinstance(response, nio.RoomGetStateEventResponse)
    levels = response.content
    assert levels["users"][bob.user_id] == 50
    assert levels["users"].get(carol.user_id, levels.get("users_default", 0)) == 0
    # From v12 on (Synapse's default) creators have unlimited power and must not be listed.
    assert (alice.user_id in levels["users"]) == (room_version == "10")
    # nio's view of the same state, as the bot will read it.
    room = carol.client.rooms[room_id]
    assert room.room_version == room_version
    assert room.power_levels.get_user_level(bob.user_id) == 50
    assert room.power_levels.get_user_level(carol.user_id) == 0


async def test_reply_is_found_by_wait_for_reply(members: MemberFactory) -> None:
    """A reply (m.in_reply_to) in an encrypted room is found by wait_for_reply."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await alice.create_room(invite=[bob.user_id])
    await bob.join(room_id)
    question = await alice.send(room_id, "ping")
    await bob.wait_for(is_text("ping"), room_id=room_id)

    reply_content = {
        "msgtype": "m.text",
        "body": "pong",
        "m.relates_to": {"m.in_reply_to": {"event_id": question}},
    }
    answer = await bob.send_raw(room_id, "m.room.message", reply_content)

    reply = await alice.wait_for_reply(room_id, question, sender=bob.user_id)
    assert reply.event_id == answer
    assert isinstance(reply, nio.RoomMessageText) and reply.body == "pong"
    assert alice.undecryptable() == []


async def test_encrypted_attachment_is_downloaded_and_decrypted(members: MemberFactory) -> None:
    """An m.file sent with an encrypted upload is readable by the recipient, opaque on the server."""
    alice = await members("alice")
    bob = await members("bob")
    room_id = await alice.create_room(invite=[bob.user_id])
    await bob.join(room_id)
    data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    upload, keys = await alice.client.upload(
        io.BytesIO(data),
        content_type="text/calendar",
        filename="meeting.ics",
        encrypt=True,
        filesize=len(data),
    )
    assert isinstance(upload, nio.UploadResponse) and keys is not None
    file_info = {"url": upload.content_uri, "mimetype": "text/calendar", **keys}
    content = {"msgtype": "m.file", "body": "meeting.ics", "file": file_info}
    await alice.send_raw(room_id, "m.room.message", content)

    event = await bob.wait_for(lambda e: isinstance(e, nio.RoomEncryptedFile), room_id=room_id)
    assert isinstance(event, nio.RoomEncryptedFile)
    assert await bob.download_decrypted(event) == data
    ciphertext = await bob.client.download(mxc=event.url)
    assert isinstance(ciphertext, nio.MemoryDownloadResponse)
    assert ciphertext.body != data


async def test_late_joiner_sees_earlier_message_as_undecryptable(members: MemberFactory) -> None:
    """Undecryptable events stay visible, so tests can assert that users never get any."""
    alice = await members("alice")
    carol = await members("carol")
    room_id = await alice.create_room()
    await alice.send(room_id, "before carol")
    await alice.invite(room_id, carol.user_id)
    await carol.join(room_id)

    await alice.send(room_id, "after carol")

    await carol.wait_for(is_text("after carol"), room_id=room_id)
    (missed,) = carol.undecryptable(room_id)
    assert missed.sender == alice.user_id
    assert not any(is_text("before carol")(event) for event in carol.events(room_id))
