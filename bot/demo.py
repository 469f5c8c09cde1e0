"""`wgbot demo`: a throwaway homeserver on this machine, the bot, a member account and an
encrypted room, to try the bot with any Matrix app. `--replay` has scripted members hold a short
plenary there in French (bot/replay.py); `--output DIR` keeps its minutes; Ctrl-C removes
everything."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import secrets
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.replay import LONG_POLL_MS, WAIT_TIMEOUT, Plenary, ReplayError

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
ROOM_NAME = "wgbot demo"
MEGOLM = "m.megolm.v1.aes-sha2"


async def spawn_bot(
    config_path: Path, *args: str, new_session: bool = False
) -> asyncio.subprocess.Process:
    """`python -m bot [args] run --config …`, its stderr piped: the bot as an operator runs it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "run",
        "--config",
        str(config_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=new_session,
    )


class DemoError(RuntimeError):
    """The demo could not go on; the message says why."""


# --- The bot, as the operator runs it ----------------------------------------------------------


@dataclass
class BotRunner:
    """`python -m bot run --config …` in its own session; its log kept in a file."""

    config_path: Path
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task | None = None
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Start the bot and wait until it has caught up with the homeserver."""
        # A session of its own: Ctrl-C reaches the demo, which stops the bot first.
        self.process = await spawn_bot(self.config_path, new_session=True)
        self._reader = asyncio.create_task(self._read())
        ready = asyncio.create_task(self._ready.wait())
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait(
            {ready, exited}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        ready.cancel()
        exited.cancel()
        if ready not in done:
            raise DemoError(f"the bot did not start; its log:\n{self.tail()}")

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with self.log_path.open("w", encoding="utf-8") as out:
            async for raw in self.process.stderr:
                line = raw.decode(errors="replace")
                out.write(line)
                out.flush()
                if " ready as " in line:
                    self._ready.set()

    def tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        """SIGTERM, as a service manager would; SIGKILL if it does not stop in time."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await self._reader


def write_bot_config(workdir: Path, base_url: str, user_id: str, password: str) -> Path:
    """The bot's config.toml (0600), data in workdir/data."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.toml"
    path.write_text(
        f"""[matrix]
homeserver = "{base_url}"
user_id = "{user_id}"
password = "{password}"
device_name = "wgbot demo"

[bot]
data_dir = "./data"

[storage]
url = "sqlite:///./data/wgbot.db"
""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


# --- The demo --------------------------------------------------------------------------------


@dataclass
class Demo:
    """Everything the demo started, so that it can all be stopped and removed."""

    workdir: Path
    output: Path | None
    homeserver: Any = None
    bot: BotRunner | None = None
    plenary: Plenary = field(default_factory=Plenary)  # no speakers without --replay
    room_id: str = ""
    bot_id: str = ""
    you_id: str = ""
    you_password: str = ""

    async def set_up(self, replay: bool) -> None:
        """Homeserver, accounts, the bot running, and the encrypted room with everyone in it."""
        from bot.homeserver import start_homeserver

        say("Starting a throwaway Matrix homeserver (Synapse) on this machine…")
        # Blocking for a few seconds: a Ctrl-C meanwhile cancels the demo once Synapse is up,
        # and the clean-up then stops it; started earlier or later, nothing is left behind.
        self.homeserver = start_homeserver(self.workdir / "synapse", own_session=True)
        hs = self.homeserver
        bot_password = secrets.token_urlsafe(16)
        self.bot_id = hs.register("wgbot", bot_password)
        self.you_password = secrets.token_urlsafe(12)
        self.you_id = hs.register("you", self.you_password)
        config = write_bot_config(self.workdir / "bot", hs.base_url, self.bot_id, bot_password)
        self.bot = BotRunner(config, self.workdir / "bot" / "wgbot.log")
        say("Starting the bot…")
        await self.bot.start()
        if replay:
            await self.plenary.register(hs.base_url, self.workdir / "members")
        self.room_id = await self._create_room()
        await self.plenary.join(self.room_id)

    async def _create_room(self) -> str:
        """The member creates the encrypted room, invites the bot and the speakers, and waits
        for the bot; then its session ends, so the app it logs in with is its only device."""
        import nio

        client = nio.AsyncClient(self.homeserver.base_url, self.you_id)
        try:
            login = await client.login(self.you_password, device_name="wgbot demo setup")
            if not isinstance(login, nio.LoginResponse):
                raise DemoError(f"cannot log in as {self.you_id}: {login}")
            created = await client.room_create(
                preset=nio.RoomPreset.private_chat,
                name=ROOM_NAME,
                topic="Try the bot: type !help",
                invite=[self.bot_id, *self.plenary.user_ids],
                initial_state=[
                    {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
                ],
            )
            if not isinstance(created, nio.RoomCreateResponse):
                raise DemoError(f"cannot create the room: {created}")
            if self.plenary.speakers:
                await self._make_chair(client, created.room_id, self.plenary.chair.user_id)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WAIT_TIMEOUT
            while not self._bot_joined(client, created.room_id):
                if loop.time() > deadline:
                    raise DemoError(f"the bot did not join the room; its log:\n{self.bot.tail()}")
                await client.sync(timeout=LONG_POLL_MS, full_state=True)
            await client.logout()
            return created.room_id
        finally:
            await client.close()

    @staticmethod
    async def _make_chair(client: Any, room_id: str, user_id: str) -> None:
        """Power level 50 for the scripted chair (the room's creator may not be listed)."""
        import nio

        state = await client.room_get_state_event(room_id, "m.room.power_levels")
        if not isinstance(state, nio.RoomGetStateEventResponse):
            raise DemoError(f"cannot read the room's power levels: {state}")
        content = dict(state.content)
        content["users"] = {**content.get("users", {}), user_id: 50}
        done = await client.room_put_state(room_id, "m.room.power_levels", content)
        if not isinstance(done, nio.RoomPutStateResponse):
            raise DemoError(f"cannot make {user_id} a chair: {done}")

    def _bot_joined(self, client: Any, room_id: str) -> bool:
        room = client.rooms.get(room_id)
        return room is not None and self.bot_id in room.users and room.encrypted

    def print_login(self) -> None:
        say(
            f"""
The demo is running. Sign in with a Matrix app on this machine:

  homeserver  {self.homeserver.base_url}
  user        you      (full id {self.you_id})
  password    {self.you_password}

Element Desktop, FluffyChat or nheko work ("Sign in", change the homeserver, paste the address
above); Element Web served over https cannot reach a plain-http homeserver. Open the encrypted
room "{ROOM_NAME}", where the bot ({self.bot_id}) waits, and type !help.
Ctrl-C stops everything and removes it ({self.workdir})."""
        )

    async def wait_for_your_device(self) -> None:
        """Until the member's app has logged in, so that it can read what is said next."""
        say("\nThe plenary starts as soon as you have signed in (Ctrl-C to stop).")
        await self.plenary.wait_for_device(self.you_id)

    async def replay(self) -> dict[str, Path]:
        """The scripted plenary; with an output directory, the minutes fetched into it."""
        say("Replaying a plenary in French…")
        await self.plenary.hold(self.room_id, self.bot_id)
        if self.output is None:
            return {}
        return await self.plenary.fetch_minutes(self.room_id, self.bot_id, self.output)

    async def tear_down(self) -> None:
        """Stop the bot, then the homeserver; remove the temporary directory."""
        await self.plenary.close()
        if self.bot is not None:
            await self.bot.stop()
        if self.homeserver is not None:
            self.homeserver.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def say(text: str) -> None:
    print(text, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replay", action="store_true", help="scripted members hold a short plenary (in French)"
    )
    parser.add_argument("--output", help="write the plenary's minutes (md, html, json) here")
    parser.add_argument("--exit", action="store_true", help="stop after the replay")


async def run_demo(replay: bool, output: Path | None, exit_after: bool) -> int:
    """Start everything, replay if asked, serve until Ctrl-C (or exit), remove everything."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    demo = Demo(Path(tempfile.mkdtemp(prefix="wgbot-demo-")), output)
    try:
        await demo.set_up(replay)
        if not exit_after:
            demo.print_login()
        if replay:
            if not exit_after:
                await demo.wait_for_your_device()
            written = await demo.replay()
            say("The plenary is over.")
            for path in written.values():
                say(f"  minutes: {path}")
        if not exit_after:
            await asyncio.Event().wait()  # until Ctrl-C
        return 0
    except asyncio.CancelledError:
        say("\nStopping…")
        return 0
    except (DemoError, ReplayError) as exc:
        print(f"wgbot demo: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not stop the clean-up
            loop.add_signal_handler(sig, lambda: None)
        await demo.tear_down()
        say(f"Stopped; {demo.workdir} removed.")


def main(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("synapse") is None:
        print(
            'wgbot demo needs the homeserver: pip install ".[demo]" (installs matrix-synapse)',
            file=sys.stderr,
        )
        return 2
    if args.output and not args.replay:
        print(
            "wgbot demo: --output needs --replay (it writes the plenary's minutes)",
            file=sys.stderr,
        )
        return 2
    output = Path(args.output).resolve() if args.output else None
    if not args.verbose:
        # nio warns of every Olm session it sets up for the scripted members: noise here.
        logging.getLogger("nio").setLevel(logging.ERROR)
    return asyncio.run(run_demo(args.replay, output, args.exit))
