"""Every status and kind a row can have, defined once. StrEnums: stored and compared as the plain
strings the columns hold, so rows written before these types existed read the same."""

from __future__ import annotations

from enum import StrEnum


class TimerStatus(StrEnum):
    """A timed row (a meeting reminder, an action round): claimed once, when it is sent."""

    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PollKind(StrEnum):
    POLL = "poll"
    # The earlier find-a-time: one multi-select poll of the slots (kept for polls stored then).
    FINDTIME = "findtime"
    FINDTIME_SLOT = "findtime-slot"  # one slot of a find-a-time: Yes / If need be / No
    VOTE = "vote"  # a formal vote of a recorded meeting: For / Against / Abstain


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class RoundKind(StrEnum):
    """The rounds of notices about action items."""

    DUE = "due"  # daily: items due that day
    DIGEST = "digest"  # weekly: open and overdue items


class MinutesStatus(StrEnum):
    RUNNING = "running"
    ENDED = "ended"


class LogKind(StrEnum):
    """An entry of a recorded meeting's log."""

    MESSAGE = "message"
    GAP = "gap"  # a message the bot could not decrypt (yet)
    EDIT = "edit"  # an edit of a logged message (kept so its redaction is found)


class AttendanceWay(StrEnum):
    """How a member was counted present at a recorded meeting."""

    REACTION = "reaction"  # ✅ on the roll call
    HERE = "here"  # `!here`
    SPOKE = "spoke"  # a message of the log (read from it; a mark in a Chatham House meeting)


class QuorumKind(StrEnum):
    """What a room's quorum counts among those present."""

    ORGANISATIONS = "organisations"  # at least n organisations
    MEMBERS = "members"  # at least n members
    PERCENT = "percent"  # at least p % of the organisations known in the room


class DecisionOutcome(StrEnum):
    """What a register entry records."""

    AGREED = "agreed"  # !agreed
    ADOPTED = "adopted"  # a vote with more For than Against
    REJECTED = "rejected"  # !rejected, or a vote with more Against than For
    DEFERRED = "deferred"  # !deferred


class DecisionStatus(StrEnum):
    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


class VoteOutcome(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIED = "tied"
    NO_QUORUM = "no_quorum"


class AmendmentStatus(StrEnum):
    """A proposed correction of a meeting's minutes (`!minutes <id> amend`)."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"  # applied to the minutes as an erratum
    REJECTED = "rejected"


class CirculationStatus(StrEnum):
    """Minutes circulated under the silence procedure (`!minutes <id> circulate`)."""

    PENDING = "pending"  # waiting for objections until its deadline
    APPROVED = "approved"  # no objection by the deadline
    OBJECTED = "objected"  # stopped by an objection
    CANCELLED = "cancelled"  # the chairs approved them before the deadline
