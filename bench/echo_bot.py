"""A bare matrix-nio E2EE echo bot: the baseline wgbot's reply latency is compared with.

Usage: python bench/echo_bot.py HOMESERVER USER_ID PASSWORD STORE_DIR
Answers "!ping" with an m.notice "pong" in reply; prints "ready" on stderr once caught up.
"""

import asyncio
import sys

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main(homeserver: str, user_id: str, password: str, store: str) -> None:
    client = AsyncClient(
        homeserver, user_id, store_path=store, config=AsyncClientConfig(encryption_enabled=True)
    )
    await client.login(password, device_name="echo")
    await client.keys_upload()
    await client.sync(timeout=0, full_state=True)

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != client.user_id and event.body.startswith("!ping"):
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
    asyncio.run(main(*sys.argv[1:5]))
