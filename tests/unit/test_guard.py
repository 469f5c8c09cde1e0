"""The send guard: nothing goes into an encrypted room without a loaded crypto store."""

import pytest
from nio import AsyncClient, MatrixRoom

from bot.replies import Reply
from bot.sender import NotSyncedYet, RefusedToSend, Sender, UnknownRoom

ROOM = "!room:example.org"


def client_without_store(*, encrypted_state: bool, known_encrypted: bool) -> AsyncClient:
    # Port 9 (discard): were the guard to let anything through, the request would fail loudly.
    client = AsyncClient("http://127.0.0.1:9", "@bot:example.org")
    client.rooms[ROOM] = MatrixRoom(ROOM, "@bot:example.org", encrypted=encrypted_state)
    if known_encrypted:
        client.encrypted_rooms.add(ROOM)
    return client


@pytest.mark.parametrize(("encrypted_state", "known_encrypted"), [(True, False), (False, True)])
async def test_refuses_plaintext_into_an_encrypted_room(encrypted_state, known_encrypted):
    client = client_without_store(encrypted_state=encrypted_state, known_encrypted=known_encrypted)
    assert client.olm is None
    sender = Sender(client, db=None)
    with pytest.raises(RefusedToSend, match="crypto store is not loaded"):
        await sender.send(ROOM, "m.room.message", Reply.of("secret").content(), "txn1")
    await client.close()


async def test_refuses_a_room_it_does_not_know():
    client = AsyncClient("http://127.0.0.1:9", "@bot:example.org")
    client.next_batch = "s1"  # synced: the room is really unknown
    with pytest.raises(UnknownRoom, match="not known"):
        await Sender(client, db=None).send("!other:example.org", "m.room.message", {}, "txn2")
    await client.close()


async def test_waits_for_the_first_sync_before_judging_a_room():
    client = AsyncClient("http://127.0.0.1:9", "@bot:example.org")
    with pytest.raises(NotSyncedYet):
        await Sender(client, db=None).send("!other:example.org", "m.room.message", {}, "txn3")
    await client.close()
