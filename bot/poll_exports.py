"""`!poll export <id> csv|json`: a poll as a file, one row per voter with their counted answers
and when they gave them; a secret poll only as its counts, and only once it is closed.

The CSV is UTF-8 with a byte-order mark (so spreadsheet programs read accents right), and
what members typed (options, display names) never starts a formula (bot/export.py `safe_cell`).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.export import write_csv
from bot.format import Clock
from bot.msc3381 import latest_responses, validate
from bot.polls import current_tally, cutoff, responses_of, who_has_not_voted
from bot.replies import Attachment
from storage.members import MemberRepository
from storage.models import Poll

FORMS = ("csv", "json")
MIMETYPES = {"csv": "text/csv", "json": "application/json"}
BALLOT_COLUMNS = ("user_id", "display_name", "answers", "voted_at")
COUNT_COLUMNS = ("option", "votes", "percent")
# Several answers of one voter in one CSV cell (JSON keeps them a list).
ANSWER_SEPARATOR = "; "


@dataclass(frozen=True)
class Ballot:
    """A voter's counted answers (their latest valid response) and its server time."""

    user_id: str
    answers: tuple[str, ...]
    voted_at: datetime


def ballots(session: Session, poll: Poll) -> list[Ballot]:
    """Each voter's counted answers, in the order they gave them, as the tally counts them."""
    known = [a["id"] for a in poll.answers]
    texts = {a["id"]: a["text"] for a in poll.answers}
    found = []
    for response in latest_responses(responses_of(session, poll), cutoff(poll)):
        counted = validate(response.answers, known, poll.max_selections)
        if isinstance(counted, list):
            found.append(Ballot(response.sender, tuple(texts[a] for a in counted), response.ts))
    return found


def poll_record(session: Session, poll: Poll, zone: str, now: datetime) -> dict:
    """The poll as the JSON export holds it (times in `zone`, with their offset)."""
    clock = Clock(zone, "en")
    counted = current_tally(session, poll)
    record: dict = {
        "poll": poll.short_id,
        "question": poll.question,
        "status": poll.status,
        "secret": poll.secret,
        "max_selections": poll.max_selections,
        "created_by": poll.creator,
        "created_at": clock.iso(poll.created_at),
        "closes_at": clock.iso(poll.closes_at),
        "closed_at": clock.iso(poll.closed_at),
        "timezone": zone,
        "exported_at": clock.iso(now),
        "options": [
            {
                "id": a["id"],
                "text": a["text"],
                "votes": counted.count(a["id"]),
                "percent": counted.percent(a["id"]),
            }
            for a in poll.answers
        ],
        "voters": counted.people,
        "votes": counted.votes,
        "not_voted": who_has_not_voted(session, poll, counted),
    }
    if not poll.secret:
        names = MemberRepository(session).display_names(poll.room_id)
        record["ballots"] = [
            {
                "user_id": b.user_id,
                "display_name": names.get(b.user_id),
                "answers": list(b.answers),
                "voted_at": clock.iso(b.voted_at),
            }
            for b in ballots(session, poll)
        ]
    return record


def poll_csv(record: dict) -> str:
    """One row per voter; for a secret poll, one row per option with its count."""
    out = io.StringIO()
    if "ballots" in record:
        rows = ({**b, "answers": ANSWER_SEPARATOR.join(b["answers"])} for b in record["ballots"])
        write_csv(BALLOT_COLUMNS, rows, out, free=("display_name", "answers"))
    else:
        rows = ({"option": o["text"], **o} for o in record["options"])
        write_csv(COUNT_COLUMNS, rows, out, free=("option",))
    return out.getvalue()


def poll_file(session: Session, poll: Poll, form: str, zone: str, now: datetime) -> Attachment:
    """The poll's export as an attachment (encrypted in encrypted rooms when sent)."""
    record = poll_record(session, poll, zone, now)
    if form == "csv":
        data = poll_csv(record).encode("utf-8-sig")
    else:
        data = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return Attachment(f"poll-{poll.short_id}.{form}", MIMETYPES[form], data)
