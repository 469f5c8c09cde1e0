"""50 members issuing commands at once in 20 encrypted rooms: none lost, none answered twice.

Usage: python bench/concurrency.py [MEMBERS] [ROOMS]      (from the repository root, dev virtualenv)

Starts Synapse on a free loopback port and wgbot as a process; every member sends `!settings` at the
same moment (and a second round after a bot restart in the middle of the burst); prints how many
commands were answered exactly once, lost, or answered twice, and the time to the last reply.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from botproc import BotProcess  # noqa: E402
from members import Member, reply_target  # noqa: E402

from bot.homeserver import start_homeserver  # noqa: E402


async def burst(members: list[Member], rooms: dict[Member, str], bot: BotProcess) -> list[tuple]:
    """Everyone sends at once; returns (member, room, event id) per command."""
    ids = await asyncio.gather(*(m.send(rooms[m], "!settings") for m in members))
    return [(m, rooms[m], event_id) for m, event_id in zip(members, ids, strict=True)]


async def count_replies(sent: list[tuple], bot: BotProcess, wait_s: float) -> Counter:
    """Per command, how many replies the bot sent (read by its author)."""

    async def wait(member: Member, room_id: str, event_id: str) -> None:
        try:
            await member.wait_for_reply(room_id, event_id, sender=bot.user_id, timeout=wait_s)
        except TimeoutError:
            pass

    await asyncio.gather(*(wait(*s) for s in sent))
    counts: Counter = Counter()
    for member, room_id, event_id in sent:
        counts[event_id] = sum(1 for e in member.events(room_id) if reply_target(e) == event_id)
    return counts


async def main(n_members: int, n_rooms: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        hs = start_homeserver(workdir / "synapse")
        bot = BotProcess.create(hs, workdir / "wgbot")
        members: list[Member] = []
        try:
            await bot.start()
            members = list(
                await asyncio.gather(
                    *(Member.register(hs, f"m{i}", workdir / "members") for i in range(n_members))
                )
            )
            owners = members[:n_rooms]
            room_of_owner = {}
            for index, owner in enumerate(owners):
                guests = [m.user_id for m in members[n_rooms:][index::n_rooms]]
                room_of_owner[owner] = await owner.create_room(invite=[bot.user_id, *guests])
            rooms: dict[Member, str] = dict(room_of_owner)
            for index, member in enumerate(members[n_rooms:]):
                rooms[member] = room_of_owner[owners[index % n_rooms]]
                await member.join(rooms[member])
            for owner, room_id in room_of_owner.items():
                await owner.wait_joined(room_id, bot.user_id)

            started = time.perf_counter()
            first = await burst(members, rooms, bot)
            counts = await count_replies(first, bot, wait_s=120)
            elapsed = time.perf_counter() - started

            # Second round: the bot is stopped right after the burst and started again.
            second_sent = await burst(members, rooms, bot)
            await bot.stop()
            await bot.start()
            counts2 = await count_replies(second_sent, bot, wait_s=120)
        finally:
            for member in members:
                await member.close()
            if bot.process and bot.process.returncode is None:
                await bot.stop()
            hs.stop()

    for label, result in (("burst", counts), ("burst across a restart", counts2)):
        histogram = Counter(result.values())
        print(
            f"{label}: {len(result)} commands in {n_rooms} rooms — answered once: {histogram[1]}, "
            f"lost: {histogram[0]}, answered more than once: {sum(v for k, v in histogram.items() if k > 1)}"
        )
    print(f"time from the burst to the last reply: {elapsed:.2f} s")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args or [50, 20])))
