"""Which member devices get the room keys of the bot's messages: the trust policy.

tofu: every device, its signing key pinned when first seen; a changed key is announced once in the
rooms the bot shares with its owner. cross-signed: only devices their owner's self-signing key
signed (MSC4153); the others are blacklisted in nio, so its key sharing skips them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from nio import AsyncClient, KeysQueryResponse

from bot.crosssigning import CrossSigningError, device_cross_signed, query_keys
from storage.db import Database
from storage.devices import DevicePinRepository

log = logging.getLogger(__name__)


class Trust:
    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        policy: str,
        on_key_changed: Callable[[str, str, list[str]], None],
        clock,
    ):
        self.client = client
        self.db = db
        self.policy = policy
        self.on_key_changed = on_key_changed
        self.clock = clock

    async def ready(self, room_id: str) -> None:
        """Before encrypting for a room: its members and their devices known and judged."""
        room = self.client.rooms.get(room_id)
        if room is not None and room.encrypted and not room.members_synced:
            await self.client.joined_members(room_id)
        await self.refresh()

    async def refresh(self) -> None:
        """Query changed device lists and apply the policy to what comes back."""
        if not self.client.should_query_keys:
            return
        response = await self.client.keys_query()
        if not isinstance(response, KeysQueryResponse):
            log.warning("keys query failed: %s", getattr(response, "status_code", response))
            return
        self._pin(response)
        if self.policy == "cross-signed":
            await self._require_cross_signing(list(response.device_keys))

    def _pin(self, response: KeysQueryResponse) -> None:
        changed = []
        with self.db.transaction() as session:
            pins = DevicePinRepository(session)
            for user_id, devices in response.device_keys.items():
                if user_id == self.client.user_id:
                    continue
                for device_id, payload in devices.items():
                    key = payload.get("keys", {}).get(f"ed25519:{device_id}")
                    if key and pins.see(user_id, device_id, key, self.clock()):
                        changed.append((user_id, device_id))
        for user_id, device_id in changed:
            log.warning("the signing key of %s's device %s changed", user_id, device_id)
            rooms = [r.room_id for r in self.client.rooms.values() if user_id in r.users]
            self.on_key_changed(user_id, device_id, rooms)

    async def _require_cross_signing(self, user_ids: list[str]) -> None:
        others = [u for u in user_ids if u != self.client.user_id]
        if not others:
            return
        try:
            answer = await query_keys(self.client, others)
        except CrossSigningError as exc:
            log.warning("cannot check cross-signing (%s): sharing with no new device", exc)
            answer = {}
        for user_id in others:
            for device in self.client.device_store.active_user_devices(user_id):
                payload = answer.get("device_keys", {}).get(user_id, {}).get(device.id)
                if payload and device_cross_signed(answer, user_id, payload):
                    if device.blacklisted:
                        self.client.unblacklist_device(device)
                    self.client.verify_device(device)
                elif not device.blacklisted:
                    log.info(
                        "%s's device %s is not cross-signed: it gets no room keys",
                        user_id,
                        device.id,
                    )
                    self.client.blacklist_device(device)
