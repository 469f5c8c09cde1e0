"""What happens to minutes after the meeting, as values: errata (accepted amendments), the
approval record or the procedure under way, and lines removed under a retention policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Erratum:
    """An accepted amendment: applied to the minutes as a correction."""

    number: int
    text: str
    author: str
    accepted_by: str
    accepted_at: datetime


@dataclass(frozen=True)
class Standing:
    """Where the minutes stand: a draft (maybe circulated until a deadline), or approved (who,
    when, the SHA-256 of their JSON then, and what changed them since)."""

    approved_at: datetime | None = None
    approved_by: str | None = None  # None once approved: by silence procedure
    sha256: str | None = None
    redactions: int = 0  # honoured since the approval
    removed: int = 0  # lines removed under the retention policy since the approval
    circulated_until: datetime | None = None  # a draft circulated, objections until then

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


@dataclass(frozen=True)
class Removal:
    """Lines of the log deleted under the room's retention policy, where they were."""

    seq: int  # the meeting's order: where the first of them was
    lines: int
