"""A bare matrix-nio E2EE echo bot: the baseline wgbot's latency and memory are compared with.

Usage: python bench/echo_bot.py HOMESERVER USER_ID PASSWORD STORE_DIR [PREFIX]
Answers messages starting with PREFIX (default "!ping") with an m.notice "pong" in reply; prints
"ready" on stderr once caught up. Its device is kept in STORE_DIR/credentials.json, so a restart
restores the same device and crypto store instead of logging in again.
"""

import asyncio
import json
import sys
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main(homeserver: str, user_id: str, password: str, store: str, prefix: str) -> None:
    client = AsyncClient(
        homeserver, user_id, store_path=store, config=AsyncClientConfig(encryption_enabled=True)
    )
    saved = Path(store) / "credentials.json"
    if saved.exists():
        login = json.loads(saved.read_text())
        client.restore_login(login["user_id"], login["device_id"], login["access_token"])
    else:
        response = await client.login(password, device_name="echo")
        saved.write_text(
            json.dumps(
                {
                    "user_id": response.user_id,
                    "device_id": response.device_id,
                    "access_token": response.access_token,
                }
            )
        )
    if client.should_upload_keys:
        await client.keys_upload()
    await client.sync(timeout=0, full_state=True)

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != client.user_id and event.body.startswith(prefix):
            await client.room_send(
                room.room_id,
                "m.room.message",
                {
                    "msgtype": "m.notice",
                    "body": "pong",
                    "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
                },
                ignore_unverified_devices=True,
            )

    async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == client.user_id and event.membership == "invite":
            await client.join(room.room_id)

    client.add_event_callback(on_message, RoomMessageText)
    client.add_event_callback(on_invite, InviteMemberEvent)
    print("ready", file=sys.stderr, flush=True)
    await client.sync_forever(timeout=30000)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5], sys.argv[5] if len(sys.argv) > 5 else "!ping"))
