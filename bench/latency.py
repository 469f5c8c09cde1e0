"""Reply latency of wgbot vs. a bare matrix-nio echo bot, both E2EE, on a local Synapse.

Usage: python bench/latency.py [N]      (from the repository root, in the dev virtualenv)

Starts Synapse on a free loopback port, the echo bot and wgbot as processes, and one E2EE member who
sends N commands to each (interleaved, one at a time) and times command -> decrypted reply.
Prints p50/p95 for both and the ratios; the target is wgbot/echo <= 1.15.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from botproc import BotProcess, register_account  # noqa: E402
from members import Member  # noqa: E402

from bot.homeserver import start_homeserver  # noqa: E402


async def start_echo_bot(hs, workdir: Path) -> tuple[asyncio.subprocess.Process, str]:
    password = secrets.token_urlsafe(12)
    user_id = register_account(hs, f"echo{secrets.token_hex(3)}", password)
    store = workdir / "echo-store"
    store.mkdir()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "echo_bot.py"),
        hs.base_url,
        user_id,
        password,
        str(store),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    while b"ready" not in await asyncio.wait_for(process.stderr.readline(), 60):
        pass
    return process, user_id


async def timed(member: Member, room_id: str, bot_id: str, body: str) -> float:
    start = time.perf_counter()
    event_id = await member.send(room_id, body)
    await member.wait_for_reply(room_id, event_id, sender=bot_id)
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        hs = start_homeserver(workdir / "synapse")
        echo = None
        wgbot = BotProcess.create(hs, workdir / "wgbot")
        try:
            echo, echo_id = await start_echo_bot(hs, workdir)
            await wgbot.start()
            member = await Member.register(hs, "bench", workdir / "members")
            echo_room = await member.create_room(invite=[echo_id])
            wg_room = await member.create_room(invite=[wgbot.user_id])
            await member.wait_joined(echo_room, echo_id)
            await member.wait_joined(wg_room, wgbot.user_id)
            # Warm-up: first messages set up Olm/Megolm sessions in both directions.
            for _ in range(3):
                await timed(member, echo_room, echo_id, "!ping")
                await timed(member, wg_room, wgbot.user_id, "!settings")
            results: dict[str, list[float]] = {"echo": [], "wgbot": []}
            for _ in range(n):
                results["echo"].append(await timed(member, echo_room, echo_id, "!ping"))
                results["wgbot"].append(await timed(member, wg_room, wgbot.user_id, "!settings"))
            await member.close()
        finally:
            await wgbot.stop()
            if echo:
                echo.terminate()
                await echo.wait()
            hs.stop()

    print(f"commands per bot: {n} (E2EE, local Synapse, one at a time)")
    print(f"{'':8}{'p50 ms':>10}{'p95 ms':>10}{'mean ms':>10}")
    for name, values in results.items():
        print(
            f"{name:8}{percentile(values, 0.5) * 1000:10.1f}{percentile(values, 0.95) * 1000:10.1f}"
            f"{statistics.mean(values) * 1000:10.1f}"
        )
    for label, q in (("p50", 0.5), ("p95", 0.95)):
        ratio = percentile(results["wgbot"], q) / percentile(results["echo"], q)
        print(f"ratio wgbot/echo {label}: {ratio:.2f} (target <= 1.15)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
