"""Polls' dealings with the homeserver and the clock: closing times, and responses fetched.

The rows are the truth. Every open poll with a closing time gets a timer (`poll-close:<id>`, the
id as its only argument); one found overdue at start fires at once, after the first sync has
caught up. A firing timer first fetches the poll's responses from the homeserver, then closes
the poll (`UPDATE … WHERE status = 'open'`, so exactly once) in the transaction that queues its
end event and results.

Responses sent while the bot was down reach it through the sync catch-up; to miss none (a gap
the server left, a key that came late) the bot also asks the server for every event that refers
to each poll's start (`/relations`, MSC3381's advice) when it starts and when it closes a poll.
Once the poll's end event is sent, the same fetch gives the end's own `origin_server_ts`, the time
after which clients ignore votes: the count is settled on it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from nio import AsyncClient, EncryptionError, MegolmEvent
from sqlalchemy.orm import Session

from bot.dispatch import RoomEvent
from storage.db import Database
from storage.models import Poll
from storage.polls import PollClosings, PollRepository

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)
PAGE = 100
MAX_PAGES = 100  # 10,000 related events: more than any poll of a working group gets

# (session, poll id, fetched events, the bot's user id, now) -> the bot's end time, if fetched.
Keep = Callable[[Session, int, list[RoomEvent], str, datetime], datetime | None]
# (session, poll id, now) -> whether it was closed now.
CloseDue = Callable[[Session, int, datetime], bool]
# (session, poll id, the end's time, now) -> whether a correction was queued.
Settle = Callable[[Session, int, datetime, datetime], bool]


def _ts(milliseconds: Any) -> datetime:
    return datetime.fromtimestamp(int(milliseconds) / 1000, UTC)


class RelationsError(Exception):
    """The homeserver did not give the related events."""


async def _get(client: AsyncClient, path: str) -> dict[str, Any]:
    response = await client.send(
        "GET", path, headers={"Authorization": f"Bearer {client.access_token}"}
    )
    body = await response.json()
    if response.status != 200:
        raise RelationsError(f"{response.status} {body.get('errcode', '')}".strip())
    return body


async def fetch_related(client: AsyncClient, room_id: str, event_id: str) -> list[RoomEvent]:
    """Every event that refers to `event_id` (`m.reference`), oldest first, decrypted where the
    bot has the key (the others are left out: they come through sync when the key arrives)."""
    room = client.rooms.get(room_id)
    room_encrypted = bool(room and room.encrypted) or room_id in client.encrypted_rooms
    base = (
        f"/_matrix/client/v1/rooms/{quote(room_id, safe='')}/relations/"
        f"{quote(event_id, safe='')}/m.reference"
    )
    events: list[RoomEvent] = []
    token = None
    for _page in range(MAX_PAGES):
        query = {"dir": "f", "limit": str(PAGE), **({"from": token} if token else {})}
        body = await _get(client, f"{base}?{urlencode(query)}")
        for raw in body.get("chunk", []):
            event = _readable(client, room_id, raw, room_encrypted)
            if event is not None:
                events.append(event)
        token = body.get("next_batch")
        if not token:
            break
    return events


def _readable(
    client: AsyncClient, room_id: str, raw: dict[str, Any], room_encrypted: bool
) -> RoomEvent | None:
    """A fetched event as the dispatcher would see it; None if redacted or unreadable."""
    if "redacted_because" in (raw.get("unsigned") or {}):
        return None  # a redacted vote no longer counts (MSC3381: the previous one does)
    source, encrypted = raw, False
    if raw.get("type") == "m.room.encrypted":
        try:
            decrypted = client.decrypt_event(MegolmEvent.from_dict({**raw, "room_id": room_id}))
        except (EncryptionError, KeyError, ValueError, TypeError):
            return None
        source = getattr(decrypted, "source", None)
        if not isinstance(source, dict) or source.get("type") == "m.room.encrypted":
            return None
        encrypted = True
    try:
        return RoomEvent(
            room_id=room_id,
            event_id=str(raw["event_id"]),
            sender=str(raw["sender"]),
            type=str(source.get("type", "")),
            content=source.get("content"),
            ts=_ts(raw["origin_server_ts"]),
            room_encrypted=room_encrypted,
            event_encrypted=encrypted,
            sender_level=0,
        )
    except (KeyError, TypeError, ValueError):
        return None


class PollKeeper:
    """Closes polls at their time and keeps their responses complete, from the homeserver."""

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        clock: Callable[[], datetime],
        *,
        keep: Keep,
        close_due: CloseDue,
        settle: Settle,
        on_outbox: Callable[[], None] = lambda: None,
    ):
        self.client = client
        self.db = db
        self.clock = clock
        self.keep = keep
        self.close_due = close_due
        self.settle = settle
        self.on_outbox = on_outbox
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._seen_up_to = 0  # polls are only ever added with growing ids
        self._wake = asyncio.Event()
        self._caught_up = False

    def start(self) -> int:
        """Start the timers (once the first sync has caught up) and the catch-up of responses."""
        self._scheduler.start()
        self._wake.set()
        return self.pick_up()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def wake(self) -> None:
        """A poll's end event was sent: settle its count."""
        self._wake.set()

    def pick_up(self) -> int:
        """Give every open poll with a closing time not seen yet its timer; how many were added."""
        with self.db.transaction() as session:
            rows = PollClosings(session).pending(after_id=self._seen_up_to)
        now = self.clock()
        for poll_id, closes_at in rows:
            self._schedule(poll_id, max(closes_at, now))
        if rows:
            self._seen_up_to = rows[-1][0]
        return len(rows)

    def _schedule(self, poll_id: int, run_at: datetime) -> None:
        self._scheduler.add_job(
            self.fire,
            "date",
            run_date=run_at,
            args=(poll_id,),
            id=f"poll-close:{poll_id}",
            replace_existing=True,
            misfire_grace_time=None,  # however late, close it
        )

    async def fire(self, poll_id: int) -> bool:
        """The closing time has come: fetch the responses, then close; False if closed already."""
        with self.db.transaction() as session:
            poll = PollRepository(session).get(poll_id)
        if poll is None or poll.status != "open":
            return False
        try:
            await self.refresh(poll)
        except RelationsError:
            pass  # close on what sync brought: the count is settled on the end's time later
        now = self.clock()
        try:
            with self.db.transaction() as session:
                closed = self.close_due(session, poll_id, now)
        except Exception:
            ref = secrets.token_hex(2)
            log.exception("closing poll %d failed (ref %s); trying again later", poll_id, ref)
            self._schedule(poll_id, now + RETRY_AFTER)
            return False
        if closed:
            log.info("poll %d closed at its time", poll_id)
            self.on_outbox()
        return closed

    async def refresh(self, poll: Poll) -> datetime | None:
        """Fetch and keep the poll's responses; the time of the bot's end event, if there is one."""
        if poll.start_event_id is None:
            return None
        try:
            events = await fetch_related(self.client, poll.room_id, poll.start_event_id)
        except Exception as exc:  # the server or the network: sync still brings what it can
            log.warning("could not fetch the responses to poll %d: %s", poll.id, exc)
            raise RelationsError(str(exc)) from exc
        with self.db.transaction() as session:
            return self.keep(session, poll.id, events, self.client.user_id, self.clock())

    async def run(self) -> None:
        """Catch up once started, then settle the count of each poll whose end was sent."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._work()
            except Exception:
                log.exception("poll upkeep failed; trying again in a minute")
                self._retry()

    def _retry(self) -> None:
        if self._scheduler.running:
            self._scheduler.add_job(
                self.wake,
                "date",
                run_date=self.clock() + RETRY_AFTER,
                id="poll-upkeep",
                replace_existing=True,
            )

    async def _work(self) -> None:
        with self.db.transaction() as session:
            polls = PollRepository(session)
            todo = polls.listening() if not self._caught_up else polls.unsettled()
        failed = False
        for poll in todo:
            try:
                ended_at = await self.refresh(poll)
            except RelationsError:
                failed = True
                continue
            if ended_at is None:
                if poll.end_event_id is not None:
                    failed = True  # sent, but not yet among its relations: ask again later
                continue
            with self.db.transaction() as session:
                corrected = self.settle(session, poll.id, ended_at, self.clock())
            log.info("poll %d settled on its end's time", poll.id)
            if corrected:
                self.on_outbox()
        if not self._caught_up:
            log.info("responses of %d poll(s) fetched", len(todo))
        self._caught_up = True
        if failed:
            self._retry()
