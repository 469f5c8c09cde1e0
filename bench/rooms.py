"""Memory of wgbot in 500 encrypted rooms, beside a bare matrix-nio bot in the same rooms.

Usage: python bench/rooms.py [--rooms N] [--commands N]     (repository root, dev virtualenv)

Starts Synapse on a free loopback port, wgbot and the bare nio bot (bench/echo_bot.py, answering
every "!" message) as processes, then creates N encrypted rooms (default 500) of 6 members each:
both bots and 4 people. People are plain HTTP accounts, one device each with real signed device
keys and one-time keys (so the bots track, query and encrypt to 2,000 devices), who join with
/join; 5 of them are E2EE nio clients who send the commands. Prints VmRSS and VmHWM (the peak) of
both bots from /proc/<pid>/status: started with no room, after joining every room, after the
commands (each answered by both bots), and after a restart of both (caught up again).

Figures of 2026-11-28 (VM with 2 vCPU AMD EPYC, 24 GB, Linux 6.18; Python 3.11.7, matrix-nio 0.26.0,
Synapse 1.163.2 on SQLite; the dev virtualenv; other test suites were running on the machine, so
only the memory, not the 10 min each run took, is meaningful). RSS / peak in MiB, 500 rooms:

  before the lazy imports    nio RSS   peak  wgbot RSS   peak  ratio RSS   peak
    started (no room)            62.1   62.1      116.0  116.0       1.87   1.87
    after joining 500 rooms      75.1   75.1      129.6  131.9       1.73   1.76
    after 50 commands            75.1   75.1      131.6  131.9       1.75   1.76
    after a restart              85.6   85.7      135.9  137.8       1.59   1.61
  with Jinja2, icalendar and Alembic loaded only when needed (commits after this script's first)
    started (no room)            62.1   62.1      111.6  111.6       1.80   1.80
    after joining 500 rooms      75.1   75.2      125.2  128.0       1.67   1.70
    after 50 commands            75.1   75.2      127.3  128.0       1.70   1.70
    after a restart              85.0   85.6      120.8  122.6       1.42   1.43

wgbot stays well under the 200 MB target. The rooms add about the same to both bots (13-23 MiB:
nio's room state and 2,000 devices' keys); the gap is there before the first room and is the cost
of importing wgbot's libraries: `python -c "import bot.app"` 112 MiB before, 97 MiB after, against
61 MiB for `python -c "import nio"`. The first start of a new database still loads Alembic to
migrate, hence "started" and "after joining" gain only Jinja2 and icalendar (4.4 MiB); a restart
on an up-to-date schema gains all three (15 MiB). What remains is mostly SQLAlchemy with its ORM
(17 MiB) and cryptography (9 MiB, used for cross-signing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import vodozemac

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import botproc  # noqa: E402
from botproc import BotProcess  # noqa: E402
from members import Member  # noqa: E402

from bot.homeserver import Homeserver, start_homeserver  # noqa: E402

PEOPLE_PER_ROOM = 4  # plus wgbot and the bare nio bot: 6 members
COMMANDERS = 5
MEGOLM = "m.megolm.v1.aes-sha2"
CLIENT = "/_matrix/client/v3"
# A working group's everyday commands; each room gets one, in this order.
COMMANDS = (
    "!help",
    "!settings",
    '!meeting add "Plenary" next Tuesday at 10:00 for 1h',
    "!meetings",
    '!poll "Lunch on Friday?" "Yes" "No"',
    "!help polls",
    "!action {me} draft the note by Friday",
    "!actions",
    '!findtime "Retreat" Monday 10:00 | Tuesday 14:00',
    "!polls",
)
# nio warns of every device it has no Olm session with yet, just before claiming keys for it.
logging.getLogger("nio").setLevel(logging.ERROR)
READY_TIMEOUT = 900.0  # the first sync of a restart in 500 rooms is long on a small machine
REPLY_TIMEOUT = 600.0


def memory(pid: int) -> tuple[float, float]:
    """Resident set size and its peak (VmRSS, VmHWM) of a process, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def canonical(value: dict[str, Any]) -> bytes:
    """Matrix canonical JSON (what a signature covers)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class Api:
    """Plain client-server API calls, a bounded number at a time."""

    def __init__(self, base_url: str, parallel: int) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300))
        self.gate = asyncio.Semaphore(parallel)

    async def call(
        self, method: str, path: str, token: str | None = None, body: dict | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            self.gate,
            self.session.request(
                method, self.base_url + CLIENT + path, json=body, headers=headers
            ) as response,
        ):
            data = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {data}")
            return data

    async def close(self) -> None:
        await self.session.close()


@dataclass(frozen=True)
class Person:
    """A member who only joins: an account with one device and its keys on the server."""

    user_id: str
    token: str


async def register_person(api: Api, name: str) -> Person:
    """Register an account (one device) and upload signed device keys and two one-time keys."""
    account = await api.call(
        "POST",
        "/register",
        body={
            "username": name,
            "password": secrets.token_urlsafe(12),
            "auth": {"type": "m.login.dummy"},
        },
    )
    user_id, device_id, token = account["user_id"], account["device_id"], account["access_token"]
    olm = vodozemac.Account()

    def signed(value: dict[str, Any]) -> dict[str, Any]:
        signature = olm.sign(canonical(value)).to_base64()
        return {**value, "signatures": {user_id: {f"ed25519:{device_id}": signature}}}

    device_keys = signed(
        {
            "user_id": user_id,
            "device_id": device_id,
            "algorithms": ["m.olm.v1.curve25519-aes-sha2", MEGOLM],
            "keys": {
                f"curve25519:{device_id}": olm.curve25519_key.to_base64(),
                f"ed25519:{device_id}": olm.ed25519_key.to_base64(),
            },
        }
    )
    olm.generate_one_time_keys(2)
    one_time_keys = {
        f"signed_curve25519:{key_id}": signed({"key": key.to_base64()})
        for key_id, key in olm.one_time_keys.items()
    }
    await api.call(
        "POST",
        "/keys/upload",
        token,
        {"device_keys": device_keys, "one_time_keys": one_time_keys},
    )
    return Person(user_id, token)


async def make_room(api: Api, owner: Person, bots: list[str], guests: list[Person]) -> str:
    """One createRoom call (encrypted, everyone invited), then the guests join."""
    created = await api.call(
        "POST",
        "/createRoom",
        owner.token,
        {
            "preset": "private_chat",
            "invite": [*bots, *(g.user_id for g in guests)],
            "initial_state": [
                {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
            ],
        },
    )
    room_id = created["room_id"]
    for guest in guests:
        await api.call("POST", f"/join/{quote(room_id)}", guest.token, {})
    return room_id


async def wait_all_joined(api: Api, token: str, rooms: int) -> None:
    """Poll the server until this bot is in every room (it joins on its own as invites arrive)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while len((await api.call("GET", "/joined_rooms", token))["joined_rooms"]) < rooms:
        if time.monotonic() > deadline:
            raise TimeoutError(f"a bot joined fewer than {rooms} rooms in {READY_TIMEOUT:.0f} s")
        await asyncio.sleep(1)  # no event to await from outside the bot


class EchoBot:
    """The bare nio bot (bench/echo_bot.py) as a process, answering every "!" message."""

    def __init__(self, hs: Homeserver, workdir: Path) -> None:
        self.hs = hs
        self.password = secrets.token_urlsafe(12)
        self.user_id = hs.register(f"nio{secrets.token_hex(3)}", self.password)
        self.store = workdir / "nio-store"
        self.store.mkdir(parents=True)
        self.process: asyncio.subprocess.Process | None = None

    @property
    def token(self) -> str:
        return json.loads((self.store / "credentials.json").read_text())["access_token"]

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
            self.hs.base_url,
            self.user_id,
            self.password,
            str(self.store),
            "!",
            stdin=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stderr is not None
        while b"ready" not in await asyncio.wait_for(self.process.stderr.readline(), READY_TIMEOUT):
            pass
        # nio logs nothing more by default; keep the pipe drained all the same.
        self._drain = asyncio.create_task(self.process.stderr.read())

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
            await self._drain


async def command(member: Member, room_id: str, body: str, bots: list[str]) -> None:
    """Send one command and wait until every bot has answered it."""
    event_id = await member.send(room_id, body)
    for bot in bots:
        await member.wait_for_reply(room_id, event_id, sender=bot, timeout=REPLY_TIMEOUT)


async def main(n_rooms: int, n_commands: int) -> None:
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    phases: dict[str, float] = {}
    botproc.READY_TIMEOUT = READY_TIMEOUT
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        hs = start_homeserver(workdir / "synapse")
        wgbot = BotProcess.create(hs, workdir / "wgbot")
        nio_bot = EchoBot(hs, workdir)
        api = Api(hs.base_url, parallel=8)
        commanders: list[Member] = []

        def measure(stage: str) -> None:
            assert wgbot.process and nio_bot.process
            figures[stage] = {
                "nio": memory(nio_bot.process.pid),
                "wgbot": memory(wgbot.process.pid),
            }
            phases[stage] = time.monotonic() - started
            print(f"[{phases[stage]:6.0f} s] {stage}: {figures[stage]}", file=sys.stderr)

        try:
            await wgbot.start()
            await nio_bot.start()
            bots = [wgbot.user_id, nio_bot.user_id]
            measure("started (no room)")

            commanders = list(
                await asyncio.gather(
                    *(
                        Member.register(hs, f"chair{i}", workdir / "members")
                        for i in range(COMMANDERS)
                    )
                )
            )
            command_rooms = min(n_rooms, n_commands)
            people = await asyncio.gather(
                *(
                    register_person(api, f"p{i}-{secrets.token_hex(3)}")
                    for i in range(n_rooms * PEOPLE_PER_ROOM - command_rooms)
                )
            )
            print(f"[{time.monotonic() - started:6.0f} s] {len(people)} people", file=sys.stderr)
            # Room i < command_rooms belongs to commander i % COMMANDERS, who commands there.
            chairs = [Person(c.user_id, c.client.access_token) for c in commanders]
            people_left = iter(people)
            rooms = []
            for index in range(n_rooms):
                owner = chairs[index % COMMANDERS] if index < command_rooms else next(people_left)
                guests = [next(people_left) for _ in range(PEOPLE_PER_ROOM - 1)]
                rooms.append((owner, guests))
            room_ids = await asyncio.gather(*(make_room(api, o, bots, g) for o, g in rooms))
            print(f"[{time.monotonic() - started:6.0f} s] {n_rooms} rooms", file=sys.stderr)
            await wait_all_joined(api, wgbot.credentials["access_token"], n_rooms)
            await wait_all_joined(api, nio_bot.token, n_rooms)
            # A first command proves both bots have synced every join before measuring.
            await command(commanders[0], room_ids[0], "!settings", bots)
            measure(f"after joining {n_rooms} rooms")

            async def chair(index: int) -> None:
                own = room_ids[index:command_rooms:COMMANDERS]
                for turn, k in enumerate(range(index, n_commands, COMMANDERS)):
                    body = COMMANDS[k % len(COMMANDS)].format(me=commanders[index].user_id)
                    await command(commanders[index], own[turn % len(own)], body, bots)

            await asyncio.gather(*(chair(i) for i in range(COMMANDERS)))
            measure(f"after {n_commands} commands")

            await wgbot.stop()
            await nio_bot.stop()
            await wgbot.start()
            await nio_bot.start()
            await command(commanders[1 % COMMANDERS], room_ids[1 % n_rooms], "!settings", bots)
            measure("after a restart")
        finally:
            for member in commanders:
                await member.close()
            await api.close()
            await nio_bot.stop()
            if wgbot.process and wgbot.process.returncode is None:
                await wgbot.stop()
            hs.stop()

    print(
        f"{n_rooms} encrypted rooms of 6 members (wgbot, a bare matrix-nio bot, 4 people with one "
        f"device each); {n_commands} commands answered by both bots"
    )
    print(
        f"{'MiB':24}{'nio RSS':>9}{'peak':>7}{'wgbot RSS':>11}{'peak':>7}"
        f"{'ratio RSS':>11}{'peak':>7}{'at s':>7}"
    )
    for stage, values in figures.items():
        (nio_rss, nio_peak), (wg_rss, wg_peak) = values["nio"], values["wgbot"]
        print(
            f"{stage:24}{nio_rss:9.1f}{nio_peak:7.1f}{wg_rss:11.1f}{wg_peak:7.1f}"
            f"{wg_rss / nio_rss:11.2f}{wg_peak / nio_peak:7.2f}{phases[stage]:7.0f}"
        )
    worst = max(max(v["wgbot"]) for v in figures.values())
    print(f"wgbot's highest figure: {worst:.1f} MiB (target < 200 MB = 190.7 MiB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=500, help="encrypted rooms (default 500)")
    parser.add_argument(
        "--commands", type=int, default=50, help="commands answered by both bots (default 50)"
    )
    args = parser.parse_args()
    if args.rooms < COMMANDERS:
        parser.error(f"--rooms must be at least {COMMANDERS}")
    asyncio.run(main(args.rooms, args.commands))
