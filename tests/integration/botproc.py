"""The bot as the operator runs it: `python -m bot run --config …` in its own process."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot.demo import spawn_bot
from bot.homeserver import Homeserver

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def register_account(hs: Homeserver, localpart: str, password: str) -> str:
    """Create the bot's account without logging in: the bot makes its own (only) device."""
    return hs.register(localpart, password)


@dataclass
class BotProcess:
    """A running (or stopped) wgbot with its config, data directory and captured log."""

    config_path: Path
    data_dir: Path
    user_id: str
    extra_args: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task | None = None
    _new_line: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def create(
        cls, hs: Homeserver, workdir: Path, *, config_extra: str = "", allowed_inviters: str = "[]"
    ) -> BotProcess:
        """Register a bot account and write its config.toml (0600) into `workdir`."""
        localpart = f"wgbot{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(16)
        user_id = register_account(hs, localpart, password)
        workdir.mkdir(parents=True, exist_ok=True)
        config_path = workdir / "config.toml"
        config_path.write_text(
            f"""
[matrix]
homeserver = "{hs.base_url}"
user_id = "{user_id}"
password = "{password}"
device_name = "wgbot under test"

[bot]
data_dir = "./data"
allowed_inviters = {allowed_inviters}
{config_extra}

[storage]
url = "sqlite:///./data/wgbot.db"
""",
            encoding="utf-8",
        )
        config_path.chmod(0o600)
        return cls(config_path=config_path, data_dir=workdir / "data", user_id=user_id)

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    @property
    def credentials(self) -> dict:
        return json.loads((self.data_dir / "credentials.json").read_text())

    @property
    def device_id(self) -> str:
        return self.credentials["device_id"]

    def server_devices(self) -> list[str]:
        """The bot account's devices as the homeserver lists them."""
        credentials = self.credentials
        request = urllib.request.Request(
            f"{credentials['homeserver']}/_matrix/client/v3/devices",
            headers={"Authorization": f"Bearer {credentials['access_token']}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return [d["device_id"] for d in json.load(response)["devices"]]

    async def _spawn(self, args: tuple[str, ...], ready: asyncio.Event) -> None:
        """`python -m bot [args] run --config …`, its stderr captured line by line."""
        assert self.process is None or self.process.returncode is not None, "already running"
        self.process = await spawn_bot(self.config_path, *args)
        self._reader = asyncio.create_task(self._read(self.process, ready))

    async def start(self, *args: str) -> None:
        """Start the bot and wait until it says it is ready (it has caught up with the server)."""
        ready = asyncio.Event()
        await self._spawn(args, ready)
        waiter = asyncio.create_task(ready.wait())
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait(
            {waiter, exited}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        exited.cancel()
        if waiter not in done:
            await self.kill()
            raise RuntimeError(f"the bot did not become ready:\n{self.log[-4000:]}")

    async def run_to_exit(self, *args: str) -> int:
        """Start the bot expecting it to refuse to run; its exit code."""
        await self._spawn(args, asyncio.Event())
        code = await asyncio.wait_for(self.process.wait(), READY_TIMEOUT)
        await self._reader
        return code

    async def launch(self, *args: str) -> None:
        """Start the bot without waiting for anything (it may never become ready)."""
        await self._spawn(args, asyncio.Event())

    async def wait_for_log(self, text: str, count: int = 1, timeout: float = 30.0) -> list[str]:  # noqa: ASYNC109
        """The first `count` lines of its log holding `text`, as soon as they are written."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [line for line in self.lines if text in line]
            if len(found) >= count:
                return found[:count]
            if self._reader.done():
                raise AssertionError(f"the bot exited without logging {text!r}:\n{self.log}")
            self._new_line.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                await asyncio.wait_for(self._new_line.wait(), max(remaining, 0))
            except TimeoutError:
                raise AssertionError(
                    f"no {count} line(s) with {text!r} within {timeout:.0f} s:\n{self.log[-4000:]}"
                ) from None

    async def _read(self, process: asyncio.subprocess.Process, ready: asyncio.Event) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            self._new_line.set()
            if " ready as " in line:
                ready.set()
        self._new_line.set()  # the end of the log: a waiter sees the exit

    async def stop(self) -> int:
        """SIGTERM, as a service manager would; returns the exit code."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                await self.kill()
                raise RuntimeError(
                    f"the bot did not stop on SIGTERM:\n{self.log[-4000:]}"
                ) from None
        if self._reader:
            await self._reader
        return self.process.returncode

    async def kill(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
