"""Test users as real matrix-nio clients with end-to-end encryption, driven explicitly by tests."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import nio
from nio.crypto.attachments import decrypt_attachment

from bot.homeserver import Homeserver
from bot.replay import close_client, member_client

# nio logs every request and key operation at INFO/DEBUG; tests only care about problems.
logging.getLogger("nio").setLevel(logging.WARNING)

MEGOLM = "m.megolm.v1.aes-sha2"
# Synapse returns only the last 10 timeline events per room and sync by default; a bot may
# send more than that between two syncs of a member, and the history must have no gaps.
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 500}}}
# Waits take a `timeout` (ruff ASYNC109 suppressed) instead of relying on the caller's
# asyncio.timeout(): cancelling mid-sync could interrupt key upload/claim requests and leave
# nio's Olm state half-updated; a deadline checked between syncs never does.
DEFAULT_TIMEOUT = 30.0
LONG_POLL_MS = 1000

TimelineEvent = nio.Event | nio.BadEvent | nio.UnknownBadEvent
Predicate = Callable[[TimelineEvent], bool]
ResponseT = TypeVar("ResponseT")
# What the `members` fixture yields: `await members("alice")` registers a fresh member.
MemberFactory = Callable[[str], Awaitable["Member"]]


class MatrixError(RuntimeError):
    """A Matrix request of the harness failed."""


def expect(response: object, kind: type[ResponseT], action: str) -> ResponseT:
    """Return response if it is of the expected type, else raise with the server's error."""
    if not isinstance(response, kind):
        raise MatrixError(f"{action} failed: {response!r}")
    return response


def describe(event: TimelineEvent) -> str:
    """One line about an event for timeout messages."""
    if isinstance(event, nio.MegolmEvent):
        return f"MegolmEvent (UNDECRYPTABLE) from {event.sender}, session {event.session_id}"
    if isinstance(event, nio.UnknownBadEvent):
        return f"UnknownBadEvent {event.source!r:.120}"
    content = event.source.get("content", {})
    body = content.get("body")
    detail = f" {body!r}" if body is not None else f" {event.source.get('type')}"
    return f"{type(event).__name__} from {event.sender}:{detail}"


def is_text(
    body: str | None = None, *, sender: str | None = None, msgtype: str | None = None
) -> Predicate:
    """Predicate for a (decrypted) m.room.message, optionally with this body/sender/msgtype."""

    def predicate(event: TimelineEvent) -> bool:
        if not isinstance(event, nio.RoomMessage):
            return False
        content = event.source.get("content", {})
        return (
            (body is None or content.get("body") == body)
            and (sender is None or event.sender == sender)
            and (msgtype is None or content.get("msgtype") == msgtype)
        )

    return predicate


def reply_target(event: TimelineEvent) -> str | None:
    """Event id that event replies to (m.relates_to.m.in_reply_to), if any."""
    if isinstance(event, nio.UnknownBadEvent):
        return None
    # Hostile members send relations of any JSON type (tests/integration/test_hostile.py).
    content = event.source.get("content")
    relates = content.get("m.relates_to") if isinstance(content, dict) else None
    reply = relates.get("m.in_reply_to") if isinstance(relates, dict) else None
    return reply.get("event_id") if isinstance(reply, dict) else None


def localpart_for(name: str) -> str:
    """A fresh, valid and unique Matrix localpart derived from a readable name."""
    slug = re.sub(r"[^a-z0-9._=-]", "", name.lower()) or "user"
    return f"{slug}-{uuid.uuid4().hex[:8]}"


class Member:
    """A registered test user: one nio client, one device, one crypto store, one event history.

    Drive each member from one task at a time: nio does not support concurrent syncs.
    """

    def __init__(self, hs: Homeserver, client: nio.AsyncClient, name: str, password: str) -> None:
        self.hs = hs
        self.client = client
        self.name = name
        self.password = password
        # Every timeline event seen by any sync, in arrival order, as nio left it
        # (decrypted where possible, MegolmEvent where not).
        self._seen: list[tuple[str, TimelineEvent]] = []
        # Rooms this member created encrypted: sending there must never go out in clear.
        self._created_encrypted: set[str] = set()

    def __repr__(self) -> str:
        return f"<Member {self.user_id} device {self.device_id}>"

    @property
    def user_id(self) -> str:
        """Full Matrix user id."""
        return self.client.user_id

    @property
    def device_id(self) -> str:
        """This member's only device."""
        return str(self.client.device_id)

    @classmethod
    async def register(cls, hs: Homeserver, name: str, store_dir: Path) -> Member:
        """Register a fresh user, load its crypto store, sync once and upload its device keys."""
        localpart = localpart_for(name)
        store_path = store_dir / localpart
        store_path.mkdir(parents=True, exist_ok=True)
        client = member_client(hs.base_url, store_path)
        password = secrets.token_urlsafe(16)
        member = cls(hs, client, name, password)
        try:
            expect(
                await client.register(localpart, password, device_name=f"{name} (test)"),
                nio.RegisterResponse,
                f"register {localpart}",
            )
            # register() restores the login, which loads the store and creates the Olm account.
            if client.olm is None:
                raise MatrixError(f"crypto store not loaded for {localpart}")
            await member.sync(full_state=True)
            if client.should_upload_keys:
                expect(await client.keys_upload(), nio.KeysUploadResponse, "keys_upload")
        except BaseException:
            await member.close()
            raise
        return member

    async def close(self) -> None:
        """Close the HTTP session and the crypto store; the device stays logged in."""
        await close_client(self.client)

    async def sync(self, timeout_ms: int = 0, *, full_state: bool = False) -> nio.SyncResponse:
        """One /sync (long-polling up to timeout_ms), buffering its timeline, then key upkeep."""
        response = expect(
            await self.client.sync(
                timeout=timeout_ms, sync_filter=SYNC_FILTER, full_state=full_state or None
            ),
            nio.SyncResponse,
            f"sync of {self.user_id}",
        )
        # nio has already replaced every MegolmEvent it could decrypt in this response.
        for room_id, info in response.rooms.join.items():
            self._seen.extend((room_id, event) for event in info.timeline.events)
        await self._key_upkeep()
        return response

    async def _key_upkeep(self) -> None:
        """The key maintenance nio's sync_forever does after each sync."""
        client = self.client
        for result in await client.send_to_device_messages():
            expect(result, nio.ToDeviceResponse, "send_to_device")
        if client.should_upload_keys:
            expect(await client.keys_upload(), nio.KeysUploadResponse, "keys_upload")
        if client.should_query_keys:
            expect(await client.keys_query(), nio.KeysQueryResponse, "keys_query")
        if client.should_claim_keys:
            users = client.get_users_for_key_claiming()
            expect(await client.keys_claim(users), nio.KeysClaimResponse, "keys_claim")

    async def sync_until(
        self,
        condition: Callable[[], bool],
        what: str,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> None:
        """Long-poll sync until condition() holds; TimeoutError naming what was awaited."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{self.user_id}: no {what} within {timeout:.0f} s")
            await self.sync(int(min(remaining, LONG_POLL_MS / 1000) * 1000))

    async def create_room(
        self,
        *,
        encrypted: bool = True,
        invite: Iterable[str] = (),
        name: str | None = None,
        power_levels: dict[str, Any] | None = None,
        room_version: str | None = None,
    ) -> str:
        """Create a private room (private_chat preset), encrypted unless told otherwise."""
        initial_state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}]
            if encrypted
            else []
        )
        response = expect(
            await self.client.room_create(
                preset=nio.RoomPreset.private_chat,
                name=name,
                invite=list(invite),
                initial_state=initial_state,
                power_level_override=power_levels,
                room_version=room_version,
            ),
            nio.RoomCreateResponse,
            "room_create",
        )
        room_id = response.room_id
        if encrypted:
            self._created_encrypted.add(room_id)
        await self.sync_until(
            lambda: (
                room_id in self.client.rooms and self.client.rooms[room_id].encrypted == encrypted
            ),
            f"room {room_id} in sync",
        )
        return room_id

    async def invite(self, room_id: str, user_id: str) -> None:
        """Invite user_id into room_id."""
        expect(
            await self.client.room_invite(room_id, user_id),
            nio.RoomInviteResponse,
            f"invite {user_id}",
        )

    async def join(self, room_id: str) -> None:
        """Join room_id and sync until this member sees itself joined."""
        expect(await self.client.join(room_id), nio.JoinResponse, f"join {room_id}")
        await self.wait_joined(room_id, self.user_id)

    def is_joined(self, room_id: str, user_id: str) -> bool:
        """Whether this member's synced state shows user_id joined to room_id."""
        room = self.client.rooms.get(room_id)
        user = room.users.get(user_id) if room else None
        return user is not None and not user.invited

    async def wait_joined(
        self,
        room_id: str,
        user_id: str,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> None:
        """Sync until this member sees user_id's membership in room_id as join."""
        await self.sync_until(
            lambda: self.is_joined(room_id, user_id), f"join of {user_id} in {room_id}", timeout
        )

    async def send(
        self,
        room_id: str,
        body: str,
        *,
        msgtype: str = "m.text",
        formatted_body: str | None = None,
    ) -> str:
        """Send an m.room.message (encrypted in encrypted rooms); return its event id."""
        content: dict[str, Any] = {"msgtype": msgtype, "body": body}
        if formatted_body is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = formatted_body
        return await self.send_raw(room_id, "m.room.message", content)

    async def send_raw(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send any room event after bringing room state and device keys up to date."""
        client = self.client
        # Without a fresh sync a recent join is unknown and the newcomer gets no room key.
        await self.sync()
        room = client.rooms.get(room_id)
        if room is None:
            raise MatrixError(f"{self.user_id} is not in room {room_id}")
        if room_id in self._created_encrypted and not room.encrypted:
            raise AssertionError(f"room {room_id} was created encrypted but nio thinks not")
        if room.encrypted:
            if not room.members_synced:
                expect(await client.joined_members(room_id), nio.JoinedMembersResponse, "members")
            if client.should_query_keys:
                expect(await client.keys_query(), nio.KeysQueryResponse, "keys_query")
        response = expect(
            await client.room_send(room_id, event_type, content, ignore_unverified_devices=True),
            nio.RoomSendResponse,
            f"send {event_type} to {room_id}",
        )
        return response.event_id

    def events(self, room_id: str) -> list[TimelineEvent]:
        """Timeline events of room_id seen so far, oldest first."""
        return [event for seen_room, event in self._seen if seen_room == room_id]

    def undecryptable(self, room_id: str | None = None) -> list[nio.MegolmEvent]:
        """Events nio could not decrypt (in room_id, or anywhere)."""
        return [
            event
            for seen_room, event in self._seen
            if isinstance(event, nio.MegolmEvent) and room_id in (None, seen_room)
        ]

    async def wait_for(
        self,
        predicate: Predicate,
        *,
        room_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> TimelineEvent:
        """First event (history first, then new syncs) in room_id (or any room) matching."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = 0
        while True:
            for seen_room, event in self._seen[checked:]:
                if room_id in (None, seen_room) and predicate(event):
                    return event
            checked = len(self._seen)
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self.sync(int(min(remaining, LONG_POLL_MS / 1000) * 1000))
        seen = [
            f"  [{seen_room}] {describe(event)}"
            for seen_room, event in self._seen
            if room_id in (None, seen_room)
        ]
        raise TimeoutError(
            f"{self.user_id}: no matching event in {room_id or 'any room'} within "
            f"{timeout:.0f} s; saw {len(seen)} event(s):\n" + "\n".join(seen[-30:])
        )

    async def wait_for_reply(
        self,
        room_id: str,
        to_event_id: str,
        *,
        sender: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> TimelineEvent:
        """First event in room_id replying to to_event_id (optionally from sender)."""
        event = await self.wait_for(
            lambda e: (
                reply_target(e) == to_event_id
                and (sender is None or getattr(e, "sender", None) == sender)
            ),
            room_id=room_id,
            timeout=timeout,
        )
        # Relations stay in clear on the wire, so an undecryptable reply still matches:
        # fail loudly here rather than with an AttributeError in the test.
        if isinstance(event, nio.MegolmEvent):
            raise AssertionError(f"{self.user_id} could not decrypt the reply: {describe(event)}")
        return event

    async def download_decrypted(self, event: nio.RoomEncryptedMedia) -> bytes:
        """Download an encrypted attachment (m.file/m.image/...) and decrypt it."""
        response = expect(
            await self.client.download(mxc=event.url),
            nio.MemoryDownloadResponse,
            f"download {event.url}",
        )
        return decrypt_attachment(response.body, event.key["k"], event.hashes["sha256"], event.iv)

    async def raw_event(self, room_id: str, event_id: str) -> dict[str, Any]:
        """The event as the server stores it (not decrypted), to check what went on the wire."""
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}"
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        # send() is nio's raw transport: no receive_response(), hence no decryption.
        async with await self.client.send("GET", path, headers=headers) as response:
            if response.status != 200:
                raise MatrixError(f"GET {path}: {response.status} {await response.text()}")
            return dict(await response.json())
