"""The meeting state machine: who may do what while a meeting is recorded.

Pure: a `LiveMeeting` value and the rules that move it on. Handlers load it from storage, ask
it, and store what it decides. Chairs are the starter and those added with `!chair`; room
chairs (moderators) may act as chairs too, so a meeting whose starter left can be ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.i18n import N_
from bot.minutes.items import Item, Kind
from bot.parsing import UsageError
from storage.status import MinutesStatus


@dataclass(frozen=True)
class LiveMeeting:
    """A recorded meeting as the rules need it."""

    short_id: int
    title: str
    status: str
    started_by: str
    chairs: tuple[str, ...]
    items: tuple[Item, ...] = ()

    @property
    def running(self) -> bool:
        return self.status == MinutesStatus.RUNNING

    def is_chair(self, user: str, room_chair: bool = False) -> bool:
        return room_chair or user in self.chairs

    def require_chair(self, user: str, room_chair: bool, command: str) -> None:
        """Only chairs change the topic, end the meeting, add or remove chairs."""
        if not self.is_chair(user, room_chair):
            raise UsageError(
                N_("Only the meeting's chairs may use {command}; chairs: {chairs}."),
                command=command,
                chairs=", ".join(self.chairs),
            )

    def add_chairs(
        self, user: str, room_chair: bool, people: Sequence[str], command: str
    ) -> LiveMeeting:
        self.require_chair(user, room_chair, command)
        return replace(self, chairs=tuple(dict.fromkeys((*self.chairs, *people))))

    def remove_chairs(
        self, user: str, room_chair: bool, people: Sequence[str], command: str
    ) -> LiveMeeting:
        self.require_chair(user, room_chair, command)
        if self.started_by in people:
            raise UsageError(
                N_("{user} started the meeting and stays a chair."), user=self.started_by
            )
        missing = [p for p in people if p not in self.chairs]
        if missing:
            raise UsageError(N_("{users} is not a chair."), users=", ".join(missing))
        return replace(self, chairs=tuple(c for c in self.chairs if c not in people))

    def undo_target(self, user: str, room_chair: bool) -> Item:
        """The item `!undo` removes: the latest one for a chair, the sender's latest otherwise."""
        if not self.items:
            raise UsageError(N_("There is nothing to undo in this meeting."))
        if self.is_chair(user, room_chair):
            return self.items[-1]
        own = [item for item in self.items if item.author == user]
        if not own:
            raise UsageError(
                N_("You have recorded nothing to undo; only chairs may undo others' items.")
            )
        return own[-1]

    def may_record(self, kind: Kind, user: str, room_chair: bool, command: str) -> None:
        """Anyone records info, ideas, decisions, actions and links; topics are the chairs'."""
        if kind is Kind.TOPIC:
            self.require_chair(user, room_chair, command)
