"""Repository of confidentiality: what a Chatham House meeting keeps once it ends (attendance
as counts per organisation, no one named), and the erasure of one member's rows in a room
(`!forget me`), with its pending requests. The rules are in bot/confidential.py."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.approval import ApprovalRepository
from storage.confidential_models import NOBODY, AttendanceCount, ErasedItem, ForgetRequest
from storage.models import (
    ActionAssignee,
    ActionItem,
    ActionNote,
    LogEntry,
    Meeting,
    MinutesItem,
    MinutesLine,
    MinutesMeeting,
    Poll,
    PollResponse,
    Rsvp,
    UndecryptableEvent,
)
from storage.plenary_models import Apology, AttendanceMark, Attendee, Organisation
from storage.register_models import Decision, Vote
from storage.silence_models import SilenceObjection, SilenceProcedure
from storage.status import PollStatus


@dataclass(frozen=True)
class Forgotten:
    """What `!forget me` removed in a room, counted."""

    messages: int = 0  # log rows: messages said in meetings, commands
    items: int = 0  # minutes items, now "removed at the author's request"
    actions_created: int = 0  # action items that keep their text but lose their creator
    assignments: int = 0  # action items no longer assigned to them
    notes: int = 0  # notes on action items, deleted
    organisation: int = 0  # their organisation in the room (0 or 1)
    rsvps: int = 0
    attendance: int = 0  # meetings whose attendance named them
    apologies: int = 0
    open_votes: int = 0  # responses to polls still open: withdrawn
    counted_votes: int = 0  # responses to closed polls: counted, no longer theirs
    decisions: int = 0  # register entries that keep their text but lose their author
    objections: int = 0  # objections to written (silence) procedures, deleted
    approved: tuple[int, ...] = ()  # approved meetings changed (counted as redactions)

    @property
    def total(self) -> int:
        return sum(
            (
                self.messages,
                self.items,
                self.actions_created,
                self.assignments,
                self.notes,
                self.organisation,
                self.rsvps,
                self.attendance,
                self.apologies,
                self.open_votes,
                self.counted_votes,
                self.decisions,
                self.objections,
            )
        )


class ConfidentialRepository:
    def __init__(self, session: Session):
        self.session = session

    # --- Chatham House meetings ---------------------------------------------------------

    def counts(self, meeting_id: int) -> list[tuple[str | None, int]]:
        """A Chatham House meeting's attendance: (organisation or None, members), in order."""
        rows = self.session.execute(
            select(AttendanceCount.organisation, AttendanceCount.members)
            .where(AttendanceCount.meeting_id == meeting_id)
            .order_by(AttendanceCount.position)
        )
        return [(row[0], row[1]) for row in rows]

    def erased(self, meeting_id: int) -> set[int]:
        """The ids of a meeting's items erased at their author's request."""
        return set(
            self.session.scalars(
                select(ErasedItem.item_id)
                .join(MinutesItem, MinutesItem.id == ErasedItem.item_id)
                .where(MinutesItem.meeting_id == meeting_id)
            )
        )

    def has_counts(self, meeting_id: int) -> bool:
        return (
            self.session.scalar(
                select(AttendanceCount.meeting_id).where(AttendanceCount.meeting_id == meeting_id)
            )
            is not None
        )

    def keep_counts_only(
        self, meeting: MinutesMeeting, counts: Iterable[tuple[str | None, int]]
    ) -> None:
        """The meeting ended: its attendance becomes counts; every row that named someone in
        it is deleted or loses the name (apologies keep their organisation only)."""
        for position, (organisation, members) in enumerate(counts, start=1):
            self.session.add(
                AttendanceCount(
                    meeting_id=meeting.id,
                    position=position,
                    organisation=organisation,
                    members=members,
                )
            )
        self.session.execute(delete(AttendanceMark).where(AttendanceMark.meeting_id == meeting.id))
        self.session.execute(delete(Attendee).where(Attendee.meeting_id == meeting.id))
        self.session.execute(
            delete(Apology).where(Apology.meeting_id == meeting.id, Apology.organisation.is_(None))
        )
        self.session.execute(
            update(Apology)
            .where(Apology.meeting_id == meeting.id)
            .values(user_id=None, display_name=None, given_by=NOBODY)
        )
        gaps = (
            select(LogEntry.event_id)
            .join(MinutesLine, MinutesLine.log_entry_id == LogEntry.id)
            .where(MinutesLine.meeting_id == meeting.id)
        )
        # Kept to tell a sender their message could not be read: a Chatham meeting's gaps stay.
        self.session.execute(
            delete(UndecryptableEvent).where(
                UndecryptableEvent.room_id == meeting.room_id,
                UndecryptableEvent.event_id.in_(gaps),
            )
        )
        self.session.execute(
            update(ActionItem)
            .where(ActionItem.meeting_id == meeting.id)
            .values(creator=NOBODY, closed_by=None)
        )
        meeting.started_by, meeting.ended_by, meeting.chairs = NOBODY, None, []
        self.session.flush()

    # --- Erasure requests ---------------------------------------------------------------

    def ask(self, room_id: str, user_id: str, now: datetime) -> None:
        """A member asked to be forgotten in a room (a later request replaces it)."""
        row = self.session.get(ForgetRequest, (room_id, user_id))
        if row is None:
            self.session.add(ForgetRequest(room_id=room_id, user_id=user_id, asked_at=now))
        else:
            row.asked_at = now
        self.session.flush()

    def asked_at(self, room_id: str, user_id: str) -> datetime | None:
        row = self.session.get(ForgetRequest, (room_id, user_id))
        return None if row is None else row.asked_at

    def drop_stale(self, before: datetime) -> int:
        """Forget requests asked before then (never confirmed in time)."""
        removed = self.session.execute(
            delete(ForgetRequest).where(ForgetRequest.asked_at < before)
        ).rowcount
        return removed or 0

    def drop_request(self, room_id: str, user_id: str) -> None:
        self.session.execute(
            delete(ForgetRequest).where(
                ForgetRequest.room_id == room_id, ForgetRequest.user_id == user_id
            )
        )

    # --- Erasure ------------------------------------------------------------------------

    def forget(self, room_id: str, user_id: str, now: datetime) -> Forgotten:
        """Delete or anonymise every row of the room that holds what the member said or that
        names them (see README, "Confidentiality"); what was removed, counted."""
        s = self.session
        meetings = select(MinutesMeeting.id).where(MinutesMeeting.room_id == room_id)
        touched = set(
            s.scalars(
                select(MinutesLine.meeting_id)
                .join(LogEntry, LogEntry.id == MinutesLine.log_entry_id)
                .where(LogEntry.room_id == room_id, LogEntry.sender == user_id)
            )
        )
        messages = s.execute(
            delete(LogEntry).where(LogEntry.room_id == room_id, LogEntry.sender == user_id)
        ).rowcount
        items = list(
            s.scalars(
                select(MinutesItem).where(
                    MinutesItem.meeting_id.in_(meetings), MinutesItem.author == user_id
                )
            )
        )
        for item in items:
            item.text, item.url, item.author, item.event_id = "", None, NOBODY, None
            s.add(ErasedItem(item_id=item.id, erased_at=now))
            touched.add(item.meeting_id)
        s.execute(
            update(MinutesMeeting)
            .where(MinutesMeeting.room_id == room_id, MinutesMeeting.ended_by == user_id)
            .values(ended_by=None)
        )
        for meeting in s.scalars(select(MinutesMeeting).where(MinutesMeeting.room_id == room_id)):
            if user_id in meeting.chairs:
                meeting.chairs = [c for c in meeting.chairs if c != user_id]
            if meeting.started_by == user_id:
                meeting.started_by = NOBODY
        actions = select(ActionItem.id).where(ActionItem.room_id == room_id)
        created = s.execute(
            update(ActionItem)
            .where(ActionItem.room_id == room_id, ActionItem.creator == user_id)
            .values(creator=NOBODY)
        ).rowcount
        s.execute(
            update(ActionItem)
            .where(ActionItem.room_id == room_id, ActionItem.closed_by == user_id)
            .values(closed_by=None)
        )
        assignments = s.execute(
            delete(ActionAssignee).where(
                ActionAssignee.room_id == room_id, ActionAssignee.assignee == user_id
            )
        ).rowcount
        notes = s.execute(
            delete(ActionNote).where(
                ActionNote.action_id.in_(actions), ActionNote.author == user_id
            )
        ).rowcount
        organisation = s.execute(
            delete(Organisation).where(
                Organisation.room_id == room_id, Organisation.user_id == user_id
            )
        ).rowcount
        s.execute(
            update(Organisation)
            .where(Organisation.room_id == room_id, Organisation.set_by == user_id)
            .values(set_by=NOBODY)
        )
        rsvps = s.execute(
            delete(Rsvp).where(
                Rsvp.meeting_id.in_(select(Meeting.id).where(Meeting.room_id == room_id)),
                Rsvp.user_id == user_id,
            )
        ).rowcount
        attended = set(
            s.scalars(
                select(Attendee.meeting_id).where(
                    Attendee.meeting_id.in_(meetings), Attendee.user_id == user_id
                )
            )
        )
        attended.update(
            s.scalars(
                select(AttendanceMark.meeting_id).where(
                    AttendanceMark.meeting_id.in_(meetings), AttendanceMark.user_id == user_id
                )
            )
        )
        s.execute(
            delete(Attendee).where(Attendee.meeting_id.in_(meetings), Attendee.user_id == user_id)
        )
        s.execute(
            delete(AttendanceMark).where(
                AttendanceMark.meeting_id.in_(meetings), AttendanceMark.user_id == user_id
            )
        )
        apologies = s.execute(
            delete(Apology).where(Apology.meeting_id.in_(meetings), Apology.user_id == user_id)
        ).rowcount
        s.execute(
            update(Apology)
            .where(Apology.meeting_id.in_(meetings), Apology.given_by == user_id)
            .values(given_by=NOBODY)
        )
        open_votes, counted_votes = self._forget_votes(room_id, user_id)
        decisions = s.execute(
            update(Decision)
            .where(Decision.room_id == room_id, Decision.author == user_id)
            .values(author=None)
        ).rowcount
        s.execute(
            update(Decision)
            .where(Decision.room_id == room_id, Decision.changed_by == user_id)
            .values(changed_by=None)
        )
        procedures = select(SilenceProcedure.id).where(SilenceProcedure.room_id == room_id)
        objections = s.execute(
            delete(SilenceObjection).where(
                SilenceObjection.procedure_id.in_(procedures), SilenceObjection.author == user_id
            )
        ).rowcount
        s.execute(
            update(SilenceProcedure)
            .where(SilenceProcedure.room_id == room_id, SilenceProcedure.opened_by == user_id)
            .values(opened_by=NOBODY)
        )
        s.execute(
            delete(UndecryptableEvent).where(
                UndecryptableEvent.room_id == room_id, UndecryptableEvent.sender == user_id
            )
        )
        approvals = ApprovalRepository(s)
        for approval in approvals.of_meetings(list(s.scalars(meetings))).values():
            # The action items as approved: their assignees without them.
            if any(user_id in (a.get("assignees") or []) for a in approval.actions):
                approval.actions = [
                    {**a, "assignees": [p for p in a.get("assignees") or [] if p != user_id]}
                    for a in approval.actions
                ]
                touched.add(approval.meeting_id)
        # Approved minutes stay approved: the erasure counts as a redaction would.
        approved = sorted(approvals.of_meetings(sorted(touched)))
        approvals.note_redactions(touched)
        s.execute(
            delete(ForgetRequest).where(
                ForgetRequest.room_id == room_id, ForgetRequest.user_id == user_id
            )
        )
        s.flush()
        return Forgotten(
            messages=messages or 0,
            items=len(items),
            actions_created=created or 0,
            assignments=assignments or 0,
            notes=notes or 0,
            organisation=organisation or 0,
            rsvps=rsvps or 0,
            attendance=len(attended),
            apologies=apologies or 0,
            open_votes=open_votes,
            counted_votes=counted_votes,
            objections=objections or 0,
            decisions=decisions or 0,
            approved=tuple(approved),
        )

    def _forget_votes(self, room_id: str, user_id: str) -> tuple[int, int]:
        """Their responses to the room's polls lose their sender. In an open poll the row stays
        without one (the tally ignores it, and fetching the poll's responses again does not
        bring it back): the vote is withdrawn. In a closed one the sender becomes a token that
        names nobody (`anonymous`): the count stays, in the posted tally too."""
        s = self.session
        rows = s.execute(
            select(PollResponse, Poll)
            .join(Poll, Poll.id == PollResponse.poll_id)
            .where(Poll.room_id == room_id, PollResponse.sender == user_id)
        ).all()
        open_polls, closed_polls = set(), {}
        for response, poll in rows:
            if poll.status == PollStatus.OPEN:
                response.sender, response.answers = NOBODY, None
                open_polls.add(poll.id)
            else:
                token = closed_polls.setdefault(poll.id, anonymous())
                response.sender = token
        for poll in s.scalars(select(Poll).where(Poll.room_id == room_id)):
            if poll.creator == user_id:
                poll.creator = NOBODY
            if poll.closed_by == user_id:
                poll.closed_by = None
            token = closed_polls.get(poll.id) or anonymous()
            if poll.result and _names(poll.result, user_id):
                poll.result = _renamed(poll.result, user_id, token)
            # A formal vote's counts, and its register entry's, name voters too.
            vote = s.get(Vote, poll.id)
            if vote is not None and vote.counts and _names(vote.counts, user_id):
                vote.counts = _renamed(vote.counts, user_id, token)
        for decision in s.scalars(select(Decision).where(Decision.room_id == room_id)):
            if decision.counts and _names(decision.counts, user_id):
                decision.counts = _renamed(decision.counts, user_id, anonymous())
        return len(open_polls), len(closed_polls)

    def anonymise_responses(self, poll_id: int) -> int:
        """A closed vote of a Chatham House meeting: each voter's responses get a token that
        names nobody (distinct per voter, so the count stays), its posted tally too."""
        tokens: dict[str, str] = {}
        for response in self.session.scalars(
            select(PollResponse).where(PollResponse.poll_id == poll_id)
        ):
            if response.sender and not response.sender.startswith("("):
                response.sender = tokens.setdefault(response.sender, anonymous())
        poll = self.session.get(Poll, poll_id)
        if poll is not None:
            for user_id, token in tokens.items():
                if poll.result and _names(poll.result, user_id):
                    poll.result = _renamed(poll.result, user_id, token)
            poll.creator, poll.closed_by = NOBODY, None
        self.session.flush()
        return len(tokens)


def anonymous() -> str:
    """A voter's stand-in that names nobody: random, never derived from who they are."""
    return f"(anonymous {secrets.token_hex(4)})"


def _names(result: dict, user_id: str) -> bool:
    lists = [*(result.get("voters") or {}).values(), result.get("spoilt"), result.get("withdrawn")]
    return any(isinstance(v, list) and user_id in v for v in lists)


def _renamed(result: dict, user_id: str, token: str) -> dict:
    """A posted tally with the member's name replaced by a token: still counted."""

    def scrub(values: object) -> object:
        if isinstance(values, list):
            return [(token if v == user_id else v) for v in values]
        return values

    voters = result.get("voters")
    changed = dict(result)
    if isinstance(voters, dict):
        changed["voters"] = {k: scrub(v) for k, v in voters.items()}
    for key in ("spoilt", "withdrawn"):
        if key in changed:
            changed[key] = scrub(changed[key])
    return changed
