"""What a member does with the bot in the integration tests: a room with the bot in it, a command
and the bot's reply to it (a notice or a file), the replies to an event."""

from __future__ import annotations

import nio
from botproc import BotProcess
from members import DEFAULT_TIMEOUT, Member, reply_target


async def room_with_bot(
    member: Member, bot: BotProcess, *, encrypted: bool = True, invite=()
) -> str:
    """A new room of `member` (encrypted unless told), the bot joined, `invite` invited."""
    room_id = await member.create_room(encrypted=encrypted, invite=[bot.user_id, *invite])
    await member.wait_joined(room_id, bot.user_id)
    return room_id


async def ask(
    member: Member,
    room_id: str,
    bot: BotProcess,
    body: str,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
) -> nio.Event:
    """Send a command and return the bot's decrypted reply to it."""
    event_id = await member.send(room_id, body)
    return await member.wait_for_reply(room_id, event_id, sender=bot.user_id, timeout=timeout)


def is_file_reply(bot: BotProcess, to_event_id: str):
    """A file from the bot replying to `to_event_id`."""

    def predicate(event) -> bool:
        return (
            isinstance(event, nio.RoomEncryptedFile)
            and event.sender == bot.user_id
            and reply_target(event) == to_event_id
        )

    return predicate


async def ask_file(
    member: Member, room_id: str, bot: BotProcess, body: str
) -> tuple[nio.RoomEncryptedFile, bytes]:
    """Send a command answered with a file; the file event and its decrypted bytes."""
    event_id = await member.send(room_id, body)
    event = await member.wait_for(is_file_reply(bot, event_id), room_id=room_id)
    return event, await member.download_decrypted(event)


def replies_to(member: Member, room_id: str, event_id: str) -> list:
    """Every event `member` has seen in `room_id` that replies to `event_id`."""
    return [e for e in member.events(room_id) if reply_target(e) == event_id]


def from_bot(bot: BotProcess, event_type: str, relates_to: str | None = None):
    """A (decrypted) event of this type from the bot, relating to `relates_to` if given."""

    def predicate(event) -> bool:
        source = getattr(event, "source", {}) or {}
        relates = (source.get("content") or {}).get("m.relates_to") or {}
        return (
            source.get("type") == event_type
            and source.get("sender") == bot.user_id
            and (relates_to is None or relates.get("event_id") == relates_to)
        )

    return predicate
