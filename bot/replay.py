"""The scripted plenary of `wgbot demo --replay`: five members of five organisations, each a
matrix-nio client with encryption, hold a short plenary in French with the bot (organisations,
a meeting with its roll call, a poll, minutes), as members would from their apps; `--output`
keeps the minutes they fetch."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WAIT_TIMEOUT = 60.0
LONG_POLL_MS = 1000
# Synapse sends only the last 10 timeline events per room by default; the scripted members
# must see every reply of the bot.
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 500}}}


class ReplayError(RuntimeError):
    """The plenary could not go on; the message says why."""


# --- The script ------------------------------------------------------------------------------

# Who takes part: localpart, display name. The first one chairs (room power level 50); the
# last never says a word and is counted present by ✅ on the roll call.
SPEAKERS = (
    ("maee", "Marie Weis"),
    ("amnesty", "Paul Hansen"),
    ("asti", "Sofia Lopes"),
    ("justice", "Jean Klein"),
    ("ccdh", "Claire Reding"),
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


@dataclass(frozen=True)
class Present:
    """A step of the replay: someone reacts ✅ on the roll call of the meeting started last."""

    who: str


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
    Say("maee", '!org me "MAEE"', expect="Marie Weis représente MAEE"),
    Say("justice", '!org me "ministère de la Justice"', expect="Jean Klein représente"),
    Say("amnesty", '!org me "Amnesty International Luxembourg"', expect="Paul Hansen représente"),
    Say("asti", '!org me "ASTI"', expect="Sofia Lopes représente ASTI"),
    Say("maee", '!org set {ccdh} "CCDH"', expect="Claire Reding représente CCDH"),
    Say("maee", "!startmeeting Plénière du groupe de travail", expect="Réunion n°1 ouverte"),
    Present("ccdh"),
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


def member_client(base_url: str, store: Path) -> Any:
    """An encrypting nio client for a scripted member, on its own crypto store. A 429 or a dead
    homeserver fails at once (no silent retries): the homeserver is a local, unlimited one."""
    import nio
    from nio.store import SqliteStore

    config = nio.AsyncClientConfig(
        encryption_enabled=True,
        store=SqliteStore,
        store_sync_tokens=False,
        pickle_key=secrets.token_urlsafe(24),
        max_limit_exceeded=0,
        max_timeouts=2,
        request_timeout=30,
    )
    return nio.AsyncClient(base_url, store_path=str(store), config=config)


async def close_client(client: Any) -> None:
    """Close a nio client's HTTP session and its crypto store; the device stays logged in."""
    await client.close()
    if client.store is not None:
        client.store.database.close()


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

        await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
        client = member_client(base_url, store)
        speaker = cls(client, localpart)
        try:
            response = await client.register(localpart, secrets.token_urlsafe(16), name)
            if not isinstance(response, nio.RegisterResponse) or client.olm is None:
                raise ReplayError(f"cannot register {localpart}: {response}")
            await client.set_displayname(name)
            await speaker.sync()
        except BaseException:
            await speaker.close()
            raise
        return speaker

    async def close(self) -> None:
        await close_client(self.client)

    async def sync(self, timeout_ms: int = 0) -> None:
        """One /sync, keeping its timeline, then the key upkeep nio's sync_forever does."""
        import nio

        client = self.client
        response = await client.sync(timeout=timeout_ms, sync_filter=SYNC_FILTER)
        if not isinstance(response, nio.SyncResponse):
            raise ReplayError(f"sync of {self.user_id} failed: {response}")
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
                raise ReplayError(f"{self.user_id} waited {WAIT_TIMEOUT:.0f} s for the bot in vain")
            await self.sync(LONG_POLL_MS)

    async def join(self, room_id: str) -> None:
        import nio

        response = await self.client.join(room_id)
        if not isinstance(response, nio.JoinResponse):
            raise ReplayError(f"{self.user_id} cannot join the room: {response}")
        await self.sync()

    async def send(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send an event, encrypted for every device in the room; its event id."""
        import nio

        client = self.client
        await self.sync()  # a recent join or a new device must be known before sending
        room = client.rooms[room_id]
        if not room.encrypted:
            raise ReplayError("the demo room lost its encryption")
        if not room.members_synced:
            await client.joined_members(room_id)
        if client.should_query_keys:
            await client.keys_query()
        response = await client.room_send(
            room_id, event_type, content, ignore_unverified_devices=True
        )
        if not isinstance(response, nio.RoomSendResponse):
            raise ReplayError(f"{self.user_id} cannot send: {response}")
        return response.event_id

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})

    async def download(self, event: Any) -> bytes:
        """An encrypted attachment, downloaded and decrypted as a member's app does."""
        import nio
        from nio.crypto.attachments import decrypt_attachment

        response = await self.client.download(mxc=event.url)
        if not isinstance(response, nio.MemoryDownloadResponse):
            raise ReplayError(f"cannot download {event.url}: {response}")
        return decrypt_attachment(response.body, event.key["k"], event.hashes["sha256"], event.iv)


# --- The plenary -----------------------------------------------------------------------------


@dataclass
class Plenary:
    """The scripted members, and what they say to the bot in the room."""

    speakers: dict[str, Speaker] = field(default_factory=dict)

    async def register(self, base_url: str, stores: Path) -> None:
        """Every speaker's account and device (each kept as soon as made, to be closed)."""
        for localpart, name in SPEAKERS:
            self.speakers[localpart] = await Speaker.register(
                base_url, localpart, name, stores / localpart
            )

    @property
    def user_ids(self) -> list[str]:
        return [s.user_id for s in self.speakers.values()]

    @property
    def chair(self) -> Speaker:
        """The scripted member who chairs the plenary."""
        return self.speakers[SPEAKERS[0][0]]

    async def join(self, room_id: str) -> None:
        for speaker in self.speakers.values():
            await speaker.join(room_id)

    async def wait_for_device(self, user_id: str) -> None:
        """Until a member (the demo's user) has a device, so that it can read what is said next."""
        chair = self.chair
        while not list(chair.client.device_store.active_user_devices(user_id)):
            await chair.sync(LONG_POLL_MS * 5)

    async def hold(self, room_id: str, bot_id: str) -> None:
        """Every step of the script, each command waiting for the bot's answer."""
        from bot.msc3381 import POLL_RESPONSE, POLL_START, TEXT, response_content

        ids = {name: s.user_id for name, s in self.speakers.items()}
        poll: Any = None
        roll_call: str | None = None
        for step in PLENARY:
            speaker = self.speakers[step.who]
            if isinstance(step, Present):
                if roll_call is None:
                    raise ReplayError("no meeting was started for a roll call")
                check = {"rel_type": "m.annotation", "event_id": roll_call, "key": "✅"}
                await speaker.send(room_id, "m.reaction", {"m.relates_to": check})
                continue
            if isinstance(step, Vote):
                if poll is None:
                    raise ReplayError("the bot did not start the poll; see its log")
                answers = poll.source["content"][POLL_START]["answers"]
                choice = next(a["id"] for a in answers if a[TEXT] == step.answer)
                await speaker.send(
                    room_id, POLL_RESPONSE, response_content(poll.event_id, [choice])
                )
                continue
            text = step.text.format(**ids)
            event_id = await speaker.say(room_id, text)
            if not text.startswith("!"):
                continue
            reply = await speaker.wait_for(reply_from(bot_id, event_id), room_id)
            body = getattr(reply, "body", "")
            if not body.startswith(step.expect):
                raise ReplayError(f"the bot answered {text!r} with {body!r}")
            if text.startswith("!startmeeting"):
                roll_call = reply.event_id  # its answer is the roll call
            if text.startswith("!poll ") and not text.startswith("!poll close"):
                poll = await speaker.wait_for(event_from(bot_id, POLL_START), room_id)

    async def fetch_minutes(self, room_id: str, bot_id: str, output: Path) -> dict[str, Path]:
        """`!minutes 1 md|html|json`, each file downloaded and decrypted into the output dir."""
        import nio

        await asyncio.to_thread(output.mkdir, parents=True, exist_ok=True)
        chair = self.chair
        written: dict[str, Path] = {}
        for kind in MINUTES_FORMATS:
            event_id = await chair.say(room_id, f"!minutes 1 {kind}")
            event = await chair.wait_for(
                lambda e, to=event_id: (
                    isinstance(e, nio.RoomEncryptedFile)
                    and e.sender == bot_id
                    and reply_target(e) == to
                ),
                room_id,
            )
            path = output / Path(event.body).name
            path.write_bytes(await chair.download(event))
            written[kind] = path
        return written

    async def close(self) -> None:
        for speaker in self.speakers.values():
            await speaker.close()


def reply_from(bot_id: str, event_id: str) -> Callable[[Any], bool]:
    """Whether an event is the bot's reply to an event."""

    def predicate(event: Any) -> bool:
        return getattr(event, "sender", None) == bot_id and reply_target(event) == event_id

    return predicate


def event_from(bot_id: str, event_type: str) -> Callable[[Any], bool]:
    """Whether an event is one of this type the bot sent."""

    def predicate(event: Any) -> bool:
        source = getattr(event, "source", None) or {}
        return source.get("type") == event_type and source.get("sender") == bot_id

    return predicate
