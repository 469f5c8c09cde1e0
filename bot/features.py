"""What a feature module declares, and the registry that collects it at start.

A feature declares, next to each other:
- its `@command`s: names, usage, help, who may run it, how its arguments parse;
- its `@on_event` hooks: handlers of room events of some types (reactions, poll responses…);
- its `Timer`s: rows with a due time (a repository of `TimedRows`), an optional async
  preparation, and what a claimed row delivers;
- `@on_sent(kind)`: what to record once a message it asked for is sent (its event id), and
  what to send next that needs that id;
- `@at_start`: what it plans when the bot starts (in one transaction, before the timers run);
- its `Worker`s: background work that asks the homeserver, woken when some message is sent.
The `Registry` collects them all from `commands.MODULES`; bot/app.py only walks the registry,
bot/dispatch.py runs its commands and hooks.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.ids import EventId
from bot.parsing import split_args
from bot.replies import Said, ToRoom, queue
from storage.db import Database
from storage.outbox import Purpose, PurposeKind

if TYPE_CHECKING:
    from bot.dispatch import CommandContext, Defaults, RoomEvent


class Permission(enum.Enum):
    """Who may run a command: any member, or chairs only (their power level)."""

    MEMBER = "member"
    CHAIR = "chair"


# A handler returns its reply, or several messages (e.g. a poll's start event, then the reply).
Handler = Callable[["CommandContext", Any], Awaitable[Said]]


@dataclass(frozen=True)
class Command:
    """A declared command: its names, usage, help, who may run it, how its arguments parse."""

    name: str
    handler: Handler
    usage: str
    help: str
    aliases: tuple[str, ...]
    permission: Permission
    parse: Callable[[str], Any]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def command(
    name: str,
    *,
    help: str,
    usage: str = "",
    aliases: Sequence[str] = (),
    permission: Permission = Permission.MEMBER,
    parse: Callable[[str], Any] = split_args,
) -> Callable[[Handler], Command]:
    """Declare a handler as a command; the module lists it, the registry collects it at start."""

    def wrap(handler: Handler) -> Command:
        return Command(name, handler, usage, help, tuple(aliases), permission, parse)

    return wrap


EventHandler = Callable[["CommandContext", "RoomEvent"], Awaitable[Said]]


@dataclass(frozen=True)
class OnEvent:
    """A declared handler of room events of some types (reactions, poll responses, redactions…)."""

    handler: EventHandler
    types: frozenset[str]


def on_event(*types: str) -> Callable[[EventHandler], OnEvent]:
    """Declare a handler of these event types; the registry collects it like a command."""

    def wrap(handler: EventHandler) -> OnEvent:
        return OnEvent(handler, frozenset(types))

    return wrap


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


# (session, id, event id) -> what to send next, now that the event id is known (e.g. polls in
# the thread of the message just sent), or None.
SentHandler = Callable[[Session, int, str], Iterable[ToRoom] | None]


@dataclass(frozen=True)
class OnSent:
    """What to record once a message of this purpose kind is sent: (session, id, event id);
    it may return messages that need that event id, queued in the same transaction."""

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


class Registry:
    """Every declaration of the feature modules, built from their explicit list: commands by
    name and alias, event hooks, timers, sent-hooks, start-up work and workers."""

    def __init__(self, modules: Iterable[ModuleType]):
        self.commands: list[Command] = []
        self.event_handlers: list[OnEvent] = []
        self.timers: list[Timer] = []
        self.sent_hooks: list[OnSent] = []
        self.start_hooks: list[AtStart] = []
        self.workers: list[Worker] = []
        self._by_name: dict[str, Command] = {}
        collected = {
            OnEvent: self.event_handlers,
            Timer: self.timers,
            OnSent: self.sent_hooks,
            AtStart: self.start_hooks,
            Worker: self.workers,
        }
        for module in modules:
            for value in vars(module).values():
                if isinstance(value, Command):
                    self._add(value)
                elif type(value) in collected:
                    collected[type(value)].append(value)
        kinds = [timer.kind for timer in self.timers]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"a timer kind is declared twice: {sorted(kinds)}")

    def record_sent(
        self, session: Session, purpose: Purpose, event_id: EventId, now: datetime
    ) -> int:
        """A message with a purpose was sent: its feature records the event id, and what it
        says next is queued in the same transaction; how many messages that queued."""
        queued = 0
        for hook in self.sent_hooks:
            if hook.kind is purpose.kind:
                for out in hook.handler(session, purpose.id, event_id) or ():
                    queue(session, out.room_id, out.message, now)
                    queued += 1
        return queued

    def start(self, session: Session, settings: Defaults, now: datetime) -> None:
        """Each feature's start-up work (e.g. planning rows for its timers)."""
        for hook in self.start_hooks:
            hook.handler(session, settings, now)

    def _add(self, cmd: Command) -> None:
        for name in cmd.names:
            if name in self._by_name:
                raise ValueError(f"command name {name!r} is declared twice")
            self._by_name[name] = cmd
        self.commands.append(cmd)

    def handlers_for(self, event_type: str) -> list[OnEvent]:
        return [h for h in self.event_handlers if event_type in h.types]

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def resolve(self, line: str) -> tuple[Command | None, str, str]:
        """The command a line names (longest name first, e.g. "meeting add"), its word, the rest.

        A number between the two words of a name is that command's first argument:
        "minutes 3 approve" is "minutes approve" with "3", as members say it."""
        numbered = line.split(maxsplit=3)
        number = numbered[1].removeprefix("#") if len(numbered) >= 3 else ""
        if number.isascii() and number.isdigit():
            name = f"{numbered[0]} {numbered[2]}".lower()
            if name in self._by_name and " ".join(numbered[:2]).lower() not in self._by_name:
                rest = " ".join([numbered[1], *numbered[3:]])
                return self._by_name[name], name, rest
        words = line.split(maxsplit=2)
        for count in (2, 1):
            if len(words) >= count:
                name = " ".join(words[:count]).lower()
                if name in self._by_name:
                    rest = line.split(maxsplit=count)
                    return self._by_name[name], name, rest[count] if len(rest) > count else ""
        return None, words[0].lower() if words else "", ""

    def suggest(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, list(self._by_name), n=3, cutoff=0.6)
