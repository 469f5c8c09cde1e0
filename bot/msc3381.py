"""Native Matrix polls (MSC3381) as Element sends, renders and counts them: event contents and the tally.

Element (matrix-js-sdk) sends the unstable names: `org.matrix.msc3381.poll.start` with an
`org.matrix.msc1767.text` fallback, `…poll.response` and `…poll.end`, each response and end a
reference (`m.reference`) to the start. The stable `m.poll.*` names are read as well.

How votes count (MSC3381; matrix-js-sdk's PollResponseEvent and Element's MPollBody):
- only responses on or before the poll's end (the end event's `origin_server_ts`) count;
- each person's latest response by `origin_server_ts` replaces their earlier ones, even when it is
  invalid; of two with the same timestamp the first received stays;
- a response whose answers are not a list of strings, or name an answer the poll does not have,
  is spoilt: that person's vote counts for nothing (their earlier vote is gone too);
- an empty list withdraws the vote (Element calls it spoilt: the effect is the same);
- the answers are truncated to `max_selections`, after the check for unknown ones;
- an answer repeated (after truncation) counts once: the MSC gives each sender one vote per
  answer. (Element counts a repeat twice, but no Element sends one.)
- percentages are of all votes cast, rounded half up, as Element draws its bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content import Content

POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE = "org.matrix.msc3381.poll.response"
POLL_END = "org.matrix.msc3381.poll.end"
STABLE_POLL_START = "m.poll.start"
STABLE_POLL_RESPONSE = "m.poll.response"
STABLE_POLL_END = "m.poll.end"
TEXT = "org.matrix.msc1767.text"
DISCLOSED = "org.matrix.msc3381.poll.disclosed"
UNDISCLOSED = "org.matrix.msc3381.poll.undisclosed"
MAX_ANSWERS = 20  # clients truncate the answers to 20


@dataclass(frozen=True)
class Answer:
    """One option of a poll: its opaque id (what responses name) and its text."""

    id: str
    text: str


def answer_ids(count: int) -> list[str]:
    """Ids for a poll's answers; opaque to clients, short and stable for us."""
    return [f"a{n}" for n in range(1, count + 1)]


def fallback_text(question: str, answers: Sequence[Answer]) -> str:
    """The text clients without polls show: the question and the numbered options."""
    return "\n".join([question, *(f"{n}. {a.text}" for n, a in enumerate(answers, 1))])


def start_content(
    question: str, answers: Sequence[Answer], *, max_selections: int, disclosed: bool
) -> dict[str, Any]:
    """The content of a poll start, as Element sends it."""
    if not 1 <= len(answers) <= MAX_ANSWERS:
        raise ValueError(f"a poll has 1 to {MAX_ANSWERS} answers")
    if not 1 <= max_selections <= len(answers):
        raise ValueError("max_selections is between 1 and the number of answers")
    return {
        POLL_START: {
            "question": {TEXT: question, "body": question, "msgtype": "m.text"},
            "kind": DISCLOSED if disclosed else UNDISCLOSED,
            "max_selections": max_selections,
            "answers": [{"id": a.id, TEXT: a.text} for a in answers],
        },
        TEXT: fallback_text(question, answers),
    }


def end_content(start_event_id: str, text: str) -> dict[str, Any]:
    """The content of a poll end referencing its start, with a text fallback of the results."""
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        POLL_END: {},
        TEXT: text,
        "body": text,
    }


def response_content(start_event_id: str, answers: Sequence[str]) -> dict[str, Any]:
    """The content of a poll response, as Element sends it (tests and benchmarks send these)."""
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        POLL_RESPONSE: {"answers": list(answers)},
    }


def reference_of(content: Content) -> str | None:
    """The event a response or end refers to (`m.reference`), if any."""
    relation = content.relation
    return relation.event_id if relation.rel_type == "m.reference" else None


def selection_of(content: Content) -> list[str] | None:
    """The answers a response names, as sent (not checked against the poll); None: no list of
    strings, a spoilt vote."""
    answers = content.poll_answers
    return None if answers is None else list(answers)


@dataclass(frozen=True)
class Response:
    """A person's response as received: the answers as sent (None: no list), its server time."""

    sender: str
    answers: Sequence[Any] | None
    ts: datetime


SPOILT, WITHDRAWN = "spoilt", "withdrawn"


def validate(
    answers: Sequence[Any] | None, known: Sequence[str], max_selections: int
) -> list[str] | str:
    """The answers a response counts for, or SPOILT / WITHDRAWN."""
    if answers is None or any(not isinstance(a, str) for a in answers):
        return SPOILT
    if not answers:
        return WITHDRAWN
    if any(a not in known for a in answers):
        return SPOILT
    return list(dict.fromkeys(answers[: max(1, max_selections)]))


@dataclass(frozen=True)
class Tally:
    """Who counts for what: per answer (in the poll's order) the voters, in the order they voted."""

    voters: dict[str, tuple[str, ...]]
    spoilt: tuple[str, ...] = field(default=())
    withdrawn: tuple[str, ...] = field(default=())

    def count(self, answer_id: str) -> int:
        return len(self.voters[answer_id])

    @property
    def votes(self) -> int:
        """All votes cast (a multiple-choice voter counts once per answer), as Element totals."""
        return sum(len(v) for v in self.voters.values())

    @property
    def people(self) -> int:
        """How many people have a counted vote."""
        return len({user for users in self.voters.values() for user in users})

    def percent(self, answer_id: str) -> int:
        """Share of all votes, rounded half up (JavaScript's Math.round, as Element)."""
        total = self.votes
        return 0 if total == 0 else (200 * self.count(answer_id) + total) // (2 * total)

    def leaders(self) -> list[str]:
        """The answers with the most votes (several on a tie); none when nobody voted."""
        best = max((self.count(a) for a in self.voters), default=0)
        return [a for a in self.voters if best and self.count(a) == best]

    def to_json(self) -> dict[str, Any]:
        return {
            "voters": {a: list(v) for a, v in self.voters.items()},
            "spoilt": list(self.spoilt),
            "withdrawn": list(self.withdrawn),
        }


def latest_responses(
    responses: Iterable[Response], ended_at: datetime | None = None
) -> list[Response]:
    """Each person's response that counts (their latest on or before the end), oldest first;
    `responses` in the order they were received."""
    latest: dict[str, Response] = {}
    for response in responses:
        if ended_at is not None and response.ts > ended_at:
            continue  # after the end: as if never sent
        current = latest.get(response.sender)
        if current is None or current.ts < response.ts:
            latest[response.sender] = response
    return sorted(latest.values(), key=lambda r: r.ts)


def tally(
    known: Sequence[str],
    max_selections: int,
    responses: Iterable[Response],
    ended_at: datetime | None = None,
) -> Tally:
    """Count a poll exactly as Element does; `responses` in the order they were received."""
    voters: dict[str, list[str]] = {a: [] for a in known}
    spoilt, withdrawn = [], []
    for response in latest_responses(responses, ended_at):
        counted = validate(response.answers, known, max_selections)
        if counted == SPOILT:
            spoilt.append(response.sender)
        elif counted == WITHDRAWN:
            withdrawn.append(response.sender)
        else:
            for answer in counted:
                voters[answer].append(response.sender)
    return Tally({a: tuple(v) for a, v in voters.items()}, tuple(spoilt), tuple(withdrawn))
