"""`wgbot demo`: a throwaway homeserver on this machine, the bot, a member account and an
encrypted room, to try the bot with any Matrix app. `--replay` has scripted members hold a short
plenary there in French; `--output DIR` keeps its minutes; Ctrl-C removes everything."""

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READY_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
WAIT_TIMEOUT = 60.0
LONG_POLL_MS = 1000
ROOM_NAME = "wgbot demo"
MEGOLM = "m.megolm.v1.aes-sha2"
# Synapse sends only the last 10 timeline events per room by default; the scripted members
# must see every reply of the bot.
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 500}}}


class DemoError(RuntimeError):
    """The demo could not go on; the message says why."""


# --- The scripted plenary --------------------------------------------------------------------

# Who takes part: localpart, display name. The first one chairs (room power level 50).
SPEAKERS = (
    ("maee", "Marie (MAEE)"),
    ("amnesty", "Paul (Amnesty International Luxembourg)"),
    ("asti", "Sofia (ASTI)"),
    ("justice", "Jean (ministère de la Justice)"),
)


@dataclass(frozen=True)
class Say:
    """A step of the replay: someone says something; a command waits for the bot's answer."""

    who: str
    text: str
    expect: str = ""  # how the bot's answer starts, when the replay depends on it


@dataclass(frozen=True)
class Vote:
    """A step of the replay: someone answers the latest poll, as Element sends it."""

    who: str
    answer: str  # the text of the chosen option


# `{amnesty}` and the like are the speakers' user ids.
PLENARY = (
    Say("maee", "Bonjour à toutes et à tous, je passe le bot en français."),
    Say("maee", "!lang fr"),
    Say(
        "maee",
        '!meeting add "Plénière du groupe de travail" mardi prochain à 14h pendant 2h',
        expect="Réunion #1 planifiée",
    ),
    Say("maee", "!meeting agenda 1 Tour de table des organisations"),
    Say("amnesty", "!meeting agenda 1 Accueillir des défenseur·e·s au Luxembourg"),
    Say("asti", "!meeting agenda 1 Sécurité physique, numérique et juridique"),
    Say("amnesty", "!meeting rsvp 1 oui"),
    Say("asti", "!meeting rsvp 1 peut-être"),
    Say("maee", '!poll "Sous quelle forme tenir la plénière ?" "Sur place" "En ligne" "Hybride"'),
    Vote("amnesty", "Hybride"),
    Vote("asti", "Hybride"),
    Vote("justice", "Sur place"),
    Say("maee", "!poll close 1"),
    Say("maee", "!startmeeting Plénière du groupe de travail", expect="Réunion n°1 ouverte"),
    Say("amnesty", "Bonjour, Amnesty International Luxembourg est là."),
    Say("asti", "Bonjour de l'ASTI !"),
    Say("justice", "Bonjour, pour le ministère de la Justice."),
    Say(
        "maee",
        "!info Organisations présentes : MAEE, ministère de la Justice, "
        "Amnesty International Luxembourg, ASTI",
    ),
    Say("maee", "!topic Accueillir des défenseur·e·s au Luxembourg"),
    Say("amnesty", "!idea S'inspirer du modèle néerlandais des « Shelter Cities »"),
    Say("justice", "!info Le ministère de la Justice examinera les questions de séjour"),
    Say("maee", "!agreed Préparer un projet pilote d'accueil temporaire"),
    Say("maee", "!topic Sécurité des défenseur·e·s"),
    Say("asti", "!idea Une formation à la sécurité numérique pour les membres du groupe"),
    Say("maee", "!topic Modalités de travail"),
    Say("maee", "!agreed Le groupe se réunit tous les 3 à 4 mois, en format hybride"),
    Say("maee", "!agreed La collaboration passe par des salons Matrix chiffrés"),
    Say(
        "maee",
        "!action {amnesty} Rédiger une note sur le modèle des « Shelter Cities » "
        "avant vendredi prochain",
    ),
    Say("maee", "!action ASTI, MAEE: Proposer un programme de formation à la sécurité numérique"),
    Say("maee", "!endmeeting"),
)

MINUTES_FORMATS = ("md", "html", "json")


# --- A scripted member -----------------------------------------------------------------------


def reply_target(event: Any) -> str | None:
    """The event id an event replies to, if any."""
    relates = (getattr(event, "source", None) or {}).get("content", {}).get("m.relates_to") or {}
    return (relates.get("m.in_reply_to") or {}).get("event_id")


class Speaker:
    """A scripted member: one matrix-nio client with encryption, one device, driven in turn."""

    def __init__(self, client: Any, localpart: str):
        self.client = client
        self.localpart = localpart
        self.seen: list[tuple[str, Any]] = []  # every timeline event synced, oldest first

    @property
    def user_id(self) -> str:
        return self.client.user_id

    @classmethod
    async def register(cls, base_url: str, localpart: str, name: str, store: Path) -> Speaker:
        import nio
        from nio.store import SqliteStore

        await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
        config = nio.AsyncClientConfig(
            encryption_enabled=True,
            store=SqliteStore,
            store_sync_tokens=False,
            pickle_key=secrets.token_urlsafe(24),
            max_limit_exceeded=0,
            max_timeouts=2,
            request_timeout=30,
        )
        client = nio.AsyncClient(base_url, store_path=str(store), config=config)
        speaker = cls(client, localpart)
        try:
            response = await client.register(localpart, secrets.token_urlsafe(16), name)
            if not isinstance(response, nio.RegisterResponse) or client.olm is None:
                raise DemoError(f"cannot register {localpart}: {response}")
            await client.set_displayname(name)
            await speaker.sync()
        except BaseException:
            await speaker.close()
            raise
        return speaker

    async def close(self) -> None:
        await self.client.close()
        if self.client.store is not None:
            self.client.store.database.close()

    async def sync(self, timeout_ms: int = 0) -> None:
        """One /sync, keeping its timeline, then the key upkeep nio's sync_forever does."""
        import nio

        client = self.client
        response = await client.sync(timeout=timeout_ms, sync_filter=SYNC_FILTER)
        if not isinstance(response, nio.SyncResponse):
            raise DemoError(f"sync of {self.user_id} failed: {response}")
        for room_id, info in response.rooms.join.items():
            self.seen.extend((room_id, event) for event in info.timeline.events)
        await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def wait_for(self, predicate: Callable[[Any], bool], room_id: str) -> Any:
        """The first event of the room (seen or to come) that matches."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_TIMEOUT
        checked = 0
        while True:
            for seen_room, event in self.seen[checked:]:
                if seen_room == room_id and predicate(event):
                    return event
            checked = len(self.seen)
            if loop.time() > deadline:
                raise DemoError(f"{self.user_id} waited {WAIT_TIMEOUT:.0f} s for the bot in vain")
            await self.sync(LONG_POLL_MS)

    async def join(self, room_id: str) -> None:
        import nio

        response = await self.client.join(room_id)
        if not isinstance(response, nio.JoinResponse):
            raise DemoError(f"{self.user_id} cannot join the room: {response}")
        await self.sync()

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send an event, encrypted for every device in the room; its event id."""
        import nio

        client = self.client
        await self.sync()  # a recent join or a new device must be known before sending
        room = client.rooms[room_id]
        if not room.encrypted:
            raise DemoError("the demo room lost its encryption")
        if not room.members_synced:
            await client.joined_members(room_id)
        if client.should_query_keys:
            await client.keys_query()
        response = await client.room_send(
            room_id, event_type, content, ignore_unverified_devices=True
        )
        if not isinstance(response, nio.RoomSendResponse):
            raise DemoError(f"{self.user_id} cannot send: {response}")
        return response.event_id

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})

    async def download(self, event: Any) -> bytes:
        """An encrypted attachment, downloaded and decrypted as a member's app does."""
        import nio
        from nio.crypto.attachments import decrypt_attachment

        response = await self.client.download(mxc=event.url)
        if not isinstance(response, nio.MemoryDownloadResponse):
            raise DemoError(f"cannot download {event.url}: {response}")
        return decrypt_attachment(response.body, event.key["k"], event.hashes["sha256"], event.iv)


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
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(self.config_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # Ctrl-C reaches the demo, which stops the bot first
        )
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
    speakers: dict[str, Speaker] = field(default_factory=dict)
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
            for localpart, name in SPEAKERS:
                self.speakers[localpart] = await Speaker.register(
                    hs.base_url, localpart, name, self.workdir / "members" / localpart
                )
        self.room_id = await self._create_room()
        for speaker in self.speakers.values():
            await speaker.join(self.room_id)

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
                invite=[self.bot_id, *(s.user_id for s in self.speakers.values())],
                initial_state=[
                    {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}
                ],
            )
            if not isinstance(created, nio.RoomCreateResponse):
                raise DemoError(f"cannot create the room: {created}")
            if self.speakers:
                await self._make_chair(client, created.room_id, self.chair.user_id)
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

    @property
    def chair(self) -> Speaker:
        """The scripted member who chairs the plenary."""
        return self.speakers[SPEAKERS[0][0]]

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
        chair = self.chair
        say("\nThe plenary starts as soon as you have signed in (Ctrl-C to stop).")
        while not list(chair.client.device_store.active_user_devices(self.you_id)):
            await chair.sync(LONG_POLL_MS * 5)

    async def replay(self) -> dict[str, Path]:
        """The scripted plenary; with an output directory, the minutes fetched into it."""
        from bot.msc3381 import POLL_RESPONSE, POLL_START, TEXT, response_content

        ids = {name: s.user_id for name, s in self.speakers.items()}
        poll: Any = None
        say("Replaying a plenary in French…")
        for step in PLENARY:
            speaker = self.speakers[step.who]
            if isinstance(step, Vote):
                if poll is None:
                    raise DemoError("the bot did not start the poll; see its log")
                answers = poll.source["content"][POLL_START]["answers"]
                choice = next(a["id"] for a in answers if a[TEXT] == step.answer)
                await speaker.send(
                    self.room_id, POLL_RESPONSE, response_content(poll.event_id, [choice])
                )
                continue
            text = step.text.format(**ids)
            event_id = await speaker.say(self.room_id, text)
            if not text.startswith("!"):
                continue
            reply = await speaker.wait_for(self._reply_to(event_id), self.room_id)
            body = getattr(reply, "body", "")
            if not body.startswith(step.expect):
                raise DemoError(f"the bot answered {text!r} with {body!r}")
            if text.startswith("!poll ") and not text.startswith("!poll close"):
                poll = await speaker.wait_for(self._bot_event(POLL_START), self.room_id)
        if self.output is None:
            return {}
        return await self._fetch_minutes()

    async def _fetch_minutes(self) -> dict[str, Path]:
        """`!minutes 1 md|html|json`, each file downloaded and decrypted into the output dir."""
        import nio

        assert self.output is not None
        self.output.mkdir(parents=True, exist_ok=True)
        chair = self.chair
        written: dict[str, Path] = {}
        for kind in MINUTES_FORMATS:
            event_id = await chair.say(self.room_id, f"!minutes 1 {kind}")
            event = await chair.wait_for(
                lambda e, to=event_id: (
                    isinstance(e, nio.RoomEncryptedFile)
                    and e.sender == self.bot_id
                    and reply_target(e) == to
                ),
                self.room_id,
            )
            path = self.output / Path(event.body).name
            path.write_bytes(await chair.download(event))
            written[kind] = path
        return written

    def _reply_to(self, event_id: str) -> Callable[[Any], bool]:
        def predicate(event: Any) -> bool:
            return getattr(event, "sender", None) == self.bot_id and reply_target(event) == event_id

        return predicate

    def _bot_event(self, event_type: str) -> Callable[[Any], bool]:
        def predicate(event: Any) -> bool:
            source = getattr(event, "source", None) or {}
            return source.get("type") == event_type and source.get("sender") == self.bot_id

        return predicate

    async def tear_down(self) -> None:
        """Stop the bot, then the homeserver; remove the temporary directory."""
        for speaker in self.speakers.values():
            await speaker.close()
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
    except DemoError as exc:
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
