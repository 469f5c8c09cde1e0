"""What minutes are made of, as values: items, log lines, gaps, actions, and the minutes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.minutes.agenda import AgendaEntry, ScheduledLink
from bot.minutes.lifecycle import Erratum, Removal, Standing

if TYPE_CHECKING:  # values of bot/attendance.py, which reads the database
    from bot.attendance import Attendance, QuorumState


class Kind(enum.StrEnum):
    TOPIC = "topic"
    INFO = "info"
    IDEA = "idea"
    AGREED = "agreed"
    ACTION = "action"
    LINK = "link"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    VOTE = "vote"  # a vote's outcome, its text the motion


# Items that record an outcome: each gets a number in the decision register (a vote only when
# adopted or rejected).
OUTCOME_KINDS = frozenset({Kind.AGREED, Kind.REJECTED, Kind.DEFERRED, Kind.VOTE})


@dataclass(frozen=True)
class ActionEntry:
    """An action item as the minutes show it (its state when they are rendered)."""

    id: int  # the short id members type
    text: str
    assignees: tuple[str, ...]
    status: str  # open | done | dropped
    due_at: datetime | None = None
    due_has_time: bool = False


@dataclass(frozen=True)
class VoteEntry:
    """A vote's outcome as the minutes show it: the counts, and who (or which organisations)
    voted what."""

    outcome: str  # adopted | rejected | tied | no_quorum
    votes_for: int
    against: int
    abstain: int
    per_org: bool = False
    voters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # for|against|abstain


@dataclass(frozen=True)
class Item:
    """One thing recorded in a meeting: a topic, an info, an idea, a decision, an action, a link."""

    seq: int
    kind: Kind
    text: str
    author: str
    at: datetime
    url: str | None = None
    action: ActionEntry | None = None
    decision: int | None = None  # its number in the decision register (D<n>)
    vote: VoteEntry | None = None


@dataclass(frozen=True)
class Line:
    """A message said during the meeting (its latest version), or a gap: one not decrypted."""

    seq: int
    at: datetime
    sender: str
    body: str | None  # None for a gap
    msgtype: str = "m.text"
    edited: bool = False
    event_id: str | None = None

    @property
    def is_gap(self) -> bool:
        return self.body is None


@dataclass(frozen=True)
class Topic:
    """A topic (None before the first one) and the items recorded under it."""

    item: Item | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Minutes:
    """Everything the minutes of one meeting say; writers turn it into a document."""

    id: int
    room_id: str
    title: str
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    chairs: tuple[str, ...]
    timezone: str
    language: str
    items: tuple[Item, ...] = ()
    lines: tuple[Line, ...] = ()
    # Items still open from before this meeting ("open actions"), and how many in all.
    open_actions: tuple[ActionEntry, ...] = ()
    open_actions_total: int = 0
    # Who was present (✅, !here, spoke) and who sent apologies; the quorum (bot/attendance.py).
    attendance: Attendance | None = None
    quorum: QuorumState | None = None
    # The scheduled meeting it records, and that meeting's agenda (bot/minutes/agenda.py).
    scheduled: ScheduledLink | None = None
    agenda: tuple[AgendaEntry, ...] = ()
    bot: str | None = field(default=None, compare=False)
    # After the meeting (bot/minutes/lifecycle.py): errata, approval, lines removed by retention.
    errata: tuple[Erratum, ...] = ()
    standing: Standing = Standing()
    removals: tuple[Removal, ...] = ()

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended_at is None else self.ended_at - self.started_at

    @property
    def attendees(self) -> tuple[str, ...]:
        """Who spoke (a message, read or not), in the order they first did; the starter first."""
        people = [self.started_by]
        people.extend(line.sender for line in self.lines)
        people.extend(item.author for item in self.items)
        # "" is nobody named (a Chatham House meeting, bot/confidential.py).
        return tuple(dict.fromkeys(p for p in people if p and p != self.bot))

    @property
    def gaps(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.is_gap)

    @property
    def decisions(self) -> tuple[Item, ...]:
        """Items that record an outcome: agreed, rejected, deferred, votes."""
        return tuple(i for i in self.items if i.kind in OUTCOME_KINDS)

    @property
    def actions(self) -> tuple[ActionEntry, ...]:
        return tuple(i.action for i in self.items if i.kind is Kind.ACTION and i.action)

    def topics(self) -> list[Topic]:
        """Items grouped under the topic set before them; items before any topic come first."""
        groups: list[Topic] = []
        current: Item | None = None
        pending: list[Item] = []
        for item in self.items:
            if item.kind is Kind.TOPIC:
                if current is not None or pending:
                    groups.append(Topic(current, tuple(pending)))
                current, pending = item, []
            else:
                pending.append(item)
        if current is not None or pending:
            groups.append(Topic(current, tuple(pending)))
        return groups

    def topic_of(self, seq: int) -> Item | None:
        """The topic current at a point of the meeting (the last one set before it)."""
        found = None
        for item in self.items:
            if item.seq > seq:
                break
            if item.kind is Kind.TOPIC:
                found = item
        return found

    def actions_by_person(self) -> list[tuple[str | None, tuple[ActionEntry, ...]]]:
        """Each assignee with their actions, in the order they were first given one;
        actions without an assignee last (None)."""
        people: dict[str | None, list[ActionEntry]] = {}
        for action in self.actions:
            for person in action.assignees or (None,):
                people.setdefault(person, []).append(action)
        ordered = [(p, tuple(a)) for p, a in people.items() if p is not None]
        if None in people:
            ordered.append((None, tuple(people[None])))
        return ordered
