"""What a feature module declares besides its commands and event hooks.

Next to its `@command`s and `@on_event` hooks (bot/dispatch.py) a feature declares:
- its `Timer`s: rows with a due time (a repository of `TimedRows`), an optional async
  preparation, and what a claimed row delivers;
- `@on_sent(kind)`: what to record once a message it asked for is sent (its event id);
- `@at_start`: what it plans when the bot starts (in one transaction, before the timers run);
- its `Worker`s: background work that asks the homeserver, woken when some message is sent.
The registry collects them all from `commands.MODULES`; bot/app.py only walks the registry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.replies import ToRoom, queue
from storage.db import Database
from storage.outbox import PurposeKind

if TYPE_CHECKING:
    from bot.dispatch import Defaults


class DueRows(Protocol):
    """Rows with a due time that are claimed once (storage/timed.py implements it)."""

    def pending(self, after_id: int = 0) -> list[tuple[int, datetime]]:
        """(id, due time) of every pending row with an id above `after_id`, by id."""
        ...

    def due(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending rows whose time has come, earliest first."""
        ...

    def claim(self, row_id: int, now: datetime) -> bool:
        """Mark a pending row done; True for exactly one caller."""
        ...

    def get(self, row_id: int) -> Any:
        """The row (with `id` and `due_at`), or None."""
        ...


@dataclass
class Runtime:
    """What timers' preparations and workers may use: the database, the clock, the bot's
    settings, the Matrix client (to read from the homeserver, never to send), and `apply`,
    the way to queue what they say."""

    db: Database
    clock: Callable[[], datetime]
    settings: Defaults
    client: Any = None
    on_outbox: Callable[[], None] = lambda: None

    def apply(self, work: Callable[[Session], Iterable[ToRoom]]) -> int:
        """Run `work` in one transaction together with queueing what it says; how many."""
        with self.db.transaction() as session:
            now = self.clock()
            said = list(work(session))
            for out in said:
                queue(session, out.room_id, out.message, now)
        if said:
            self.on_outbox()
        return len(said)


# (session, the claimed row, now, whether it is late, the bot's settings) -> what to send.
Deliver = Callable[[Session, Any, datetime, bool, "Defaults"], Iterable[ToRoom]]
# Before a row is claimed (outside any transaction): e.g. fetch what the homeserver has.
Prepare = Callable[[Runtime, int], Awaitable[None]]


@dataclass(frozen=True)
class Timer:
    """Rows of a kind that each fire once at their time; job ids are `<kind>:<row id>`.

    A timer with a preparation is claimed alone (its rows each need their own); others claim
    every row of their kind due by then in one transaction. `after_sync` timers start once the
    first sync has caught up (what they prepare depends on it)."""

    kind: str
    rows: Callable[[Session], DueRows]
    deliver: Deliver
    prepare: Prepare | None = None
    after_sync: bool = False


SentHandler = Callable[[Session, int, str], None]


@dataclass(frozen=True)
class OnSent:
    """What to record once a message of this purpose kind is sent: (session, id, event id)."""

    kind: PurposeKind
    handler: SentHandler


def on_sent(kind: PurposeKind) -> Callable[[SentHandler], OnSent]:
    """Declare what happens once a message this feature asked for is sent."""

    def wrap(handler: SentHandler) -> OnSent:
        return OnSent(kind, handler)

    return wrap


StartHandler = Callable[[Session, "Defaults", datetime], None]


@dataclass(frozen=True)
class AtStart:
    """Work done once at start, in one transaction, before the timers are set."""

    handler: StartHandler


def at_start(handler: StartHandler) -> AtStart:
    """Declare what a feature plans when the bot starts (e.g. rows for its timers)."""
    return AtStart(handler)


@dataclass(frozen=True)
class Worker:
    """Background work started once the first sync has caught up, run again whenever a
    message of a `wake_on` kind is sent. `run(runtime, first)` does one pass and returns
    False when something must be tried again (a minute later)."""

    name: str
    run: Callable[[Runtime, bool], Awaitable[bool]]
    wake_on: frozenset[PurposeKind] = field(default_factory=frozenset)
