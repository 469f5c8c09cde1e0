"""The sync loop: invites, decrypted room events to the dispatcher, the resume token saved last."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from aiohttp import ClientError
from nio import (
    AsyncClient,
    BadEvent,
    EncryptionError,
    Event,
    InviteMemberEvent,
    JoinError,
    MatrixRoom,
    MegolmEvent,
    MessageDirection,
    RedactionEvent,
    RoomCreateEvent,
    RoomKeyEvent,
    RoomMemberEvent,
    RoomMessagesError,
    SyncError,
    SyncResponse,
    UnknownBadEvent,
    UploadFilterResponse,
)

from bot.content import Content, text
from bot.dispatch import UNDECRYPTABLE, Dispatcher, RoomEvent
from bot.errors import log_internal_error
from bot.levels import CREATOR_LEVEL, creators_of, levels_along, power_levels_of, user_level
from bot.retention import note_retention
from bot.trust import Trust
from storage.db import Database
from storage.members import MemberRepository
from storage.sync import SyncRepository
from storage.undecryptable import UndecryptableRepository

log = logging.getLogger(__name__)

SYNC_TIMEOUT_MS = 30_000
SYNC_FILTER = {
    "presence": {"not_types": ["*"]},
    "room": {"timeline": {"limit": 50}},
}


def inviter_allowed(inviter: str, allowed: Iterable[str], server_name: str) -> bool:
    """Whether an invite is accepted: user-id globs, by default anyone on the bot's server."""
    patterns = list(allowed) or [f"@*:{server_name}"]
    return any(fnmatchcase(inviter, pattern) for pattern in patterns)


class Syncer:
    """Pulls events from the homeserver and hands each member message to the dispatcher once."""

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        dispatcher: Dispatcher,
        trust: Trust,
        allowed_inviters: Iterable[str],
        server_name: str,
        grace: timedelta = timedelta(seconds=60),
        refuse_public_rooms: bool = True,
        leave_after_sending: Callable[[str], Awaitable[None]] | None = None,
        on_ready: Callable[[], None] = lambda: None,
    ):
        self.client = client
        self.db = db
        self.dispatcher = dispatcher
        self.trust = trust
        self.allowed_inviters = tuple(allowed_inviters)
        self.server_name = server_name
        self.grace = grace
        self.refuse_public_rooms = refuse_public_rooms
        self.leave_after_sending = leave_after_sending
        self.on_ready = on_ready
        # nio keeps no record of who created a room, which decides power in room v12.
        self._creators: dict[str, frozenset[str]] = {}
        # Each room's latest power levels, as the homeserver sent them (see `_levels_along`).
        self._power: dict[str, Mapping[str, Any]] = {}
        self._filter: str | dict = SYNC_FILTER

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until `stop` is set; the event in hand is finished, the rest waits for next start."""
        harden_decryption(self.client)
        with self.db.transaction() as session:
            token = SyncRepository(session).token()
        uploaded = await self.client.upload_filter(**SYNC_FILTER)
        # A filter id spares the server parsing the filter on every sync.
        self._filter = (
            uploaded.filter_id if isinstance(uploaded, UploadFilterResponse) else SYNC_FILTER
        )
        # Full state at every start: nio keeps no room state across restarts, and needs it
        # to know which rooms are encrypted and who is in them.
        response = await self._sync(stop, since=token, full_state=True, wait_ms=0)
        if response is None:
            return
        # On the very first start there is nothing to catch up on: history is not replayed.
        await self._process(response, stop, since=token, dispatch=token is not None)
        self.on_ready()
        while not stop.is_set():
            token = response.next_batch
            wait_ms = self._wait_ms()
            response = await self._sync(stop, since=token, full_state=False, wait_ms=wait_ms)
            if response is None:
                return
            await self._process(response, stop, since=token, dispatch=True)

    async def _sync(
        self, stop: asyncio.Event, *, since: str | None, full_state: bool, wait_ms: int
    ) -> SyncResponse | None:
        """One sync request, abandoned if the bot is asked to stop meanwhile."""
        while not stop.is_set():
            request = asyncio.ensure_future(
                self.client.sync(
                    timeout=wait_ms, sync_filter=self._filter, since=since, full_state=full_state
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not request.done():
                request.cancel()
                return None
            try:
                response = request.result()
            except (ClientError, TimeoutError) as exc:
                # Cut off while reading the answer (after its headers): waited out like an outage.
                log.warning("sync interrupted (%s); retrying", type(exc).__name__)
                await asyncio.wait({asyncio.ensure_future(stop.wait())}, timeout=2)
                continue
            if isinstance(response, SyncResponse):
                return response
            assert isinstance(response, SyncError)
            if response.status_code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"):
                raise RuntimeError(
                    "the homeserver no longer accepts the saved access token; "
                    "remove credentials.json from the data directory and start again with the password"
                )
            log.warning("sync failed (%s); retrying", response.status_code)
            await asyncio.wait({asyncio.ensure_future(stop.wait())}, timeout=2)
        return None

    async def _process(
        self, response: SyncResponse, stop: asyncio.Event, *, since: str | None, dispatch: bool
    ) -> None:
        await self._keys()
        await self._invites(response)
        for room_id, info in response.rooms.join.items():
            for event in (*info.state, *info.timeline.events):
                if isinstance(event, RoomCreateEvent):
                    self._creators[room_id] = creators_of(event)
        left = (
            await self._leave_public_rooms(response.rooms.join)
            if self.refuse_public_rooms
            else set()
        )
        self._note_members(response, left)
        note_retention(self.db, response.rooms.join, left)  # m.room.retention (MSC1763)
        for room_id, info in response.rooms.join.items():
            if room_id in left:
                continue
            if not dispatch:
                self._levels_along(room_id, info.state, info.timeline.events)
                continue
            events, first = await self._timeline(room_id, info.timeline, since)
            levels = self._levels_along(room_id, info.state, events)
            for event, in_force in zip(events[first:], levels[first:], strict=True):
                if stop.is_set():
                    return  # token not saved: the rest comes again next start, handled once
                await self._event(room_id, event, in_force)
        await asyncio.sleep(0)  # let the sender start on any reply before this bookkeeping
        with self.db.transaction() as session:
            SyncRepository(session).save_token(response.next_batch)
        await self._retry_undecryptable(response)
        self.dispatcher.explain_undecryptable(received_before=self.dispatcher.clock() - self.grace)

    def _note_members(self, response: SyncResponse, left: set[str]) -> None:
        """Keep storage/members.py's snapshot of each room whose membership or names changed."""
        changed = {
            room_id
            for room_id, info in response.rooms.join.items()
            if room_id not in left
            and any(isinstance(e, RoomMemberEvent) for e in (*info.state, *info.timeline.events))
        }
        gone = left | set(response.rooms.leave)
        if not changed and not gone:
            return
        with self.db.transaction() as session:
            members = MemberRepository(session)
            for room_id in changed:
                room = self.client.rooms.get(room_id)
                if room is not None:
                    members.replace(room_id, joined_members(room, self.client.user_id))
            for room_id in gone:
                members.forget_room(room_id)

    async def _leave_public_rooms(self, rooms: Iterable[str]) -> set[str]:
        """Leave rooms anyone can join or read, saying why: members' words must not leak there."""
        left = set()
        for room_id in list(rooms):
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            public = room.join_rule == "public"
            if public or room.history_visibility == "world_readable":
                log.warning(
                    "leaving %s: %s", room_id, "public" if public else "world-readable history"
                )
                self.dispatcher.refuse_room(room_id, public=public)
                if self.leave_after_sending:
                    await self.leave_after_sending(room_id)
                left.add(room_id)
        return left

    def _wait_ms(self) -> int:
        """Long-poll no longer than until the next undecryptable message is due for a notice."""
        with self.db.transaction() as session:
            oldest = UndecryptableRepository(session).oldest_unnotified()
        if oldest is None:
            return SYNC_TIMEOUT_MS
        due_in = (oldest + self.grace - self.dispatcher.clock()).total_seconds()
        log.debug("an undecryptable message is due for a notice in %.1f s", due_in)
        return max(0, min(SYNC_TIMEOUT_MS, int(due_in * 1000) + 1))

    async def _retry_undecryptable(self, response: SyncResponse) -> None:
        """When room keys arrive, decrypt the messages that waited for them and handle them once."""
        sessions = {e.session_id for e in response.to_device_events if isinstance(e, RoomKeyEvent)}
        with self.db.transaction() as session:
            waiting = UndecryptableRepository(session).for_sessions(sessions)
        for kept in waiting:
            try:
                decrypted = self.client.decrypt_event(MegolmEvent.from_dict(kept.source))
            except EncryptionError:
                continue
            except Exception:  # the one guard, for an event that never reaches `_event`
                log_internal_error(log, "skipped event %s in %s", kept.event_id, kept.room_id)
                self._mark_handled(kept.room_id, kept.event_id)
            else:
                log.info("decrypted event %s now that its key arrived", kept.event_id)
                # Judged by the room's levels now: its place in the timeline is long past.
                await self._event(kept.room_id, decrypted, self._power.get(kept.room_id))
            with self.db.transaction() as session:
                UndecryptableRepository(session).remove(kept.event_id)

    async def _keys(self) -> None:
        """What sync_forever does between syncs: to-device messages, key upload, query, claim."""
        client = self.client
        try:
            await client.send_to_device_messages()
            if client.should_upload_keys:
                await client.keys_upload()
            await self.trust.refresh()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
        except (ClientError, TimeoutError) as exc:
            # Cut off mid-answer: nio still knows what is left to do, so the next sync does it.
            log.warning(
                "key exchange interrupted (%s); trying again after the next sync",
                type(exc).__name__,
            )

    async def _invites(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            inviter = next(
                (
                    e.sender
                    for e in info.invite_state
                    if isinstance(e, InviteMemberEvent)
                    and e.state_key == self.client.user_id
                    and e.membership == "invite"
                ),
                None,
            )
            if inviter and inviter_allowed(inviter, self.allowed_inviters, self.server_name):
                result = await self.client.join(room_id)
                if isinstance(result, JoinError):
                    log.warning("could not join %s: %s", room_id, result.status_code)
                else:
                    log.info("joined %s, invited by %s", room_id, inviter)
            else:
                await self.client.room_leave(room_id)
                log.info(
                    "rejected an invite to %s from %s (not in allowed_inviters)", room_id, inviter
                )

    async def _timeline(self, room_id: str, timeline, since: str | None) -> tuple[list, int]:
        """The room's new events in order, with any gap the server left (limited timeline) filled,
        and the index of the first one to handle: events from before the bot joined are
        history, not commands to it."""
        events = list(timeline.events)
        if timeline.limited and since and not self._joined_in(events):
            events = await self._fill_gap(room_id, timeline.prev_batch, since) + events
        for index in range(len(events) - 1, -1, -1):
            if self._is_own_join(events[index]):
                return events, index + 1
        return events, 0

    def _levels_along(
        self, room_id: str, state: Iterable, events: Sequence
    ) -> list[Mapping[str, Any] | None]:
        """The power levels in force at each event, in timeline order: a promotion applies to
        the events after it, never to a command before it in the same batch."""
        before = self._power.get(room_id)
        for event in state:  # the state at the timeline's start
            before = power_levels_of(event) or before
        levels, after = levels_along(events, before)
        if after is not None:
            self._power[room_id] = after
        return levels

    def _joined_in(self, events: list) -> bool:
        return any(self._is_own_join(e) for e in events)

    def _is_own_join(self, event) -> bool:
        return (
            isinstance(event, RoomMemberEvent)
            and event.state_key == self.client.user_id
            and event.membership == "join"
            and event.prev_membership != "join"
        )

    def _level(self, room_id: str, user_id: str, levels: Mapping[str, Any] | None) -> int:
        """A member's power level under `levels`; 0 where the room's levels are not known yet
        (never nio's merged view: it keeps levels a later event removed)."""
        if user_id in self._creators.get(room_id, ()):
            return CREATOR_LEVEL
        return 0 if levels is None else user_level(levels, user_id)

    async def _fill_gap(self, room_id: str, start: str | None, until: str) -> list:
        """Page backwards from the timeline's start to the previous sync token."""
        older: list = []
        while start:
            page = await self.client.room_messages(
                room_id, start=start, end=until, direction=MessageDirection.back, limit=100
            )
            if isinstance(page, RoomMessagesError) or not page.chunk:
                break
            older.extend(page.chunk)
            start = page.end
        older.reverse()
        return older

    async def _event(self, room_id: str, event, levels: Mapping[str, Any] | None) -> None:
        """Hand one timeline event, decrypted if it could be, to the dispatcher; `levels`, the
        power levels in force at its place in the timeline.

        This is the one guard around every event: one that cannot be understood, or whose
        handling fails, is logged without its content, marked handled (never retried, even
        after a restart) and skipped; the next event and the sync token go on."""
        event_id = getattr(event, "event_id", None)
        try:
            if isinstance(event, BadEvent | UnknownBadEvent):
                log.warning(
                    "skipped a malformed %s event %s in %s", loggable(event), event_id, room_id
                )
                self._mark_handled(room_id, event_id)
                return
            if event.sender == self.client.user_id:
                return
            await self._hand_over(room_id, event, levels)
        except Exception:
            log_internal_error(
                log, "skipped the %s event %s in %s", loggable(event), event_id, room_id
            )
            self._mark_handled(room_id, event_id)

    def _mark_handled(self, room_id: str, event_id: object) -> None:
        """Record an event that will not be handled as handled, so it never comes back."""
        if not isinstance(event_id, str):
            return
        try:
            with self.db.transaction() as session:
                sync = SyncRepository(session)
                if not sync.is_handled(event_id):
                    sync.mark_handled(event_id, room_id, self.dispatcher.clock())
        except Exception:
            log_internal_error(log, "marking event %s in %s handled", event_id, room_id)

    async def _hand_over(self, room_id: str, event, levels: Mapping[str, Any] | None) -> None:
        room = self.client.rooms.get(room_id)
        if isinstance(event, MegolmEvent):
            log.warning("could not decrypt event %s in %s yet", event.event_id, room_id)
            with self.db.transaction() as session:
                if SyncRepository(session).is_handled(event.event_id):
                    return
                UndecryptableRepository(session).keep(
                    event_id=event.event_id,
                    room_id=room_id,
                    sender=event.sender,
                    session_id=event.session_id,
                    source={**event.source, "room_id": room_id},
                    now=self.dispatcher.clock(),
                )
            await self.dispatcher.note_undecryptable(self._room_event(room, room_id, event, levels))
            return
        await self.dispatcher.handle(self._room_event(room, room_id, event, levels))

    def _room_event(self, room, room_id: str, event, levels: Mapping[str, Any] | None) -> RoomEvent:
        """The dispatcher's view of a nio event: its type and its content, typed."""
        source = event.source
        undecryptable = isinstance(event, MegolmEvent)
        redacts = event.redacts if isinstance(event, RedactionEvent) else None
        content = (
            Content() if undecryptable else Content.read(source.get("content"), redacts=redacts)
        )
        return RoomEvent(
            room_id=room_id,
            event_id=event.event_id,
            sender=event.sender,
            type=UNDECRYPTABLE if undecryptable else text(source.get("type")) or "",
            content=content,
            ts=datetime.fromtimestamp(event.server_timestamp / 1000, UTC),
            room_encrypted=bool(room and room.encrypted) or room_id in self.client.encrypted_rooms,
            event_encrypted=bool(getattr(event, "decrypted", False)),
            sender_level=self._level(room_id, event.sender, levels),
            names=mentioned_names(room, content.mentions),
        )


def joined_members(room: MatrixRoom, own_id: str) -> list[tuple[str, str | None]]:
    """The room's joined members other than the bot, with the display names they set."""
    return [
        (user_id, user.display_name if user.display_name != user_id else None)
        for user_id, user in room.users.items()
        if user_id != own_id and user_id not in room.invited_users
    ]


def mentioned_names(
    room: MatrixRoom | None, user_ids: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """The display name of each mentioned member that no other member of the room bears."""
    if room is None:
        return ()
    names = []
    for user_id in user_ids:
        user = room.users.get(user_id)
        name = user.display_name if user else None
        if name and room.names.get(name) == [user_id]:
            names.append((name, user_id))
    return tuple(names)


def harden_decryption(client: AsyncClient) -> None:
    """Make nio's decryption of room events total and truthful.

    nio parses a decrypted payload as if the homeserver had sent it: a payload that fails
    validation becomes a BadEvent with the event id and sender the payload claims, and one that
    claims to be state changes nio's room state (any member could make themselves a chair with
    an encrypted "m.room.power_levels"). Such a payload, or one nio fails on, is made an
    unreadable event under the outer event's (the homeserver's) ids instead."""
    olm = client.olm
    if olm is None or getattr(olm, "_wgbot_hardened", False):
        return
    decrypt = olm.decrypt_megolm_event

    def decrypt_megolm_event(event: MegolmEvent, room_id: str | None = None):
        try:
            result = decrypt(event, room_id)
        except EncryptionError:
            raise
        except Exception:
            log_internal_error(log, "decrypting event %s", event.event_id)
            return unreadable(event)
        if not isinstance(result, Event) or "state_key" in result.source:
            return unreadable(event)
        return result

    olm.decrypt_megolm_event = decrypt_megolm_event
    olm._wgbot_hardened = True


def unreadable(event: MegolmEvent) -> BadEvent:
    """An encrypted event whose payload makes no sense, under the homeserver's ids."""
    return BadEvent(
        source=event.source,
        event_id=event.event_id,
        sender=event.sender,
        server_timestamp=event.server_timestamp,
        type="m.room.encrypted",
    )


def loggable(event: object) -> str:
    """An event's type for the log: its sender chose it, so it is shortened."""
    source = getattr(event, "source", None)
    kind = source.get("type") if isinstance(source, Mapping) else None
    if not isinstance(kind, str):
        return "(untyped)"
    return kind if len(kind) <= 60 else kind[:60] + "…"
