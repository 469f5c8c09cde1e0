"""`!findtime export <id> csv|json`: a find-a-time as a file, one row per member (who answered,
then who did not) and one column per slot, each cell the member's counted answer: yes, maybe
(if need be) or no, empty when they gave none. Slot times are in the room's zone.

The CSV is UTF-8 with a byte-order mark (spreadsheet programs then read accents right), and
what members typed (display names, the title) never starts a formula (bot/export.py)."""

from __future__ import annotations

import io
import json
from datetime import datetime

from sqlalchemy.orm import Session

from bot.export import write_csv
from bot.findtime import answers_of, best_slots, respondents, waiting_for
from bot.format import Clock, show_span
from bot.replies import Attachment
from storage.findtime_models import FindTime
from storage.meetings import MeetingRepository
from storage.members import MemberRepository

FORMS = ("csv", "json")
MIMETYPES = {"csv": "text/csv", "json": "application/json"}
MEMBER_COLUMNS = ("user_id", "display_name")


def findtime_record(session: Session, findtime: FindTime, zone: str, now: datetime) -> dict:
    """The find-a-time as the JSON export holds it (times in `zone`, with their offset)."""
    clock = Clock(zone, "en")
    slots = answers_of(session, findtime)
    best = best_slots(slots)
    waiting = waiting_for(session, findtime, slots) or []
    names = MemberRepository(session).display_names(findtime.room_id)
    meeting = MeetingRepository(session).get(findtime.meeting_id) if findtime.meeting_id else None
    return {
        "findtime": findtime.short_id,
        "title": findtime.title,
        "status": findtime.status,
        "created_by": findtime.creator,
        "created_at": clock.iso(findtime.created_at),
        "closes_at": clock.iso(findtime.closes_at),
        "closed_at": clock.iso(findtime.closed_at),
        "timezone": zone,
        "exported_at": clock.iso(now),
        "slots": [
            {
                "slot": s.slot.slot,
                "text": show_span(s.slot.start_at, s.slot.end_at, zone, "en"),
                "start": clock.iso(s.slot.start_at),
                "end": clock.iso(s.slot.end_at),
                "yes": s.count("yes"),
                "maybe": s.count("maybe"),
                "no": s.count("no"),
            }
            for s in slots
        ],
        "best_slot": best[0].slot.slot if best else None,
        "booked_meeting": meeting.short_id if meeting else None,
        "answers": [
            {
                "user_id": user,
                "display_name": names.get(user),
                "slots": {str(s.slot.slot): s.answers.get(user) for s in slots},
            }
            for user in [*respondents(slots), *waiting]
        ],
        "not_answered": waiting,
    }


def findtime_csv(record: dict) -> str:
    """A row per member, a column per slot ("1. Tue, 3 Dec 2030, 14:00–15:00 (…)")."""
    heads = {str(s["slot"]): f"{s['slot']}. {s['text']}" for s in record["slots"]}
    rows = (
        {
            "user_id": a["user_id"],
            "display_name": a["display_name"],
            **{heads[n]: given for n, given in a["slots"].items()},
        }
        for a in record["answers"]
    )
    out = io.StringIO()
    write_csv((*MEMBER_COLUMNS, *heads.values()), rows, out, free=("display_name",))
    return out.getvalue()


def findtime_file(
    session: Session, findtime: FindTime, form: str, zone: str, now: datetime
) -> Attachment:
    """The find-a-time's export as an attachment (encrypted in encrypted rooms when sent)."""
    record = findtime_record(session, findtime, zone, now)
    if form == "csv":
        data = findtime_csv(record).encode("utf-8-sig")
    else:
        data = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return Attachment(f"findtime-{findtime.short_id}.{form}", MIMETYPES[form], data)
