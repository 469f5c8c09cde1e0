"""From stored rows to the values of the minutes: what the commands (commands/minutes.py) export
and the benchmark (bench/minutes.py) renders. With bot/minutes/planned.py (the scheduled
meeting and its agenda), the only module of bot/minutes that reads the database; the state
machine, the items and the writers stay pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot.attendance import meeting_quorum, present
from bot.confidential import item_text, unattributed
from bot.minutes.items import ActionEntry, Item, Kind, Line, Minutes, VoteEntry
from bot.minutes.lifecycle import Erratum, Removal, Standing
from bot.minutes.planned import load_plan
from storage.actions import ActionRepository
from storage.approval import AmendmentRepository, ApprovalRepository, CirculationRepository
from storage.confidential import ConfidentialRepository
from storage.decisions import DecisionRepository, VoteRepository
from storage.minutes import MinutesRepository
from storage.models import ActionItem, LogEntry, MinutesMeeting
from storage.retention import RetentionRepository
from storage.status import AmendmentStatus, CirculationStatus, LogKind

CARRIED_LIMIT = 100  # open actions from before a meeting listed in its minutes


def action_entry(item: ActionItem, assignees: list[str]) -> ActionEntry:
    return ActionEntry(
        id=item.short_id,
        text=item.text,
        assignees=tuple(assignees),
        status=item.status,
        due_at=item.due_at,
        due_has_time=item.due_has_time,
    )


def line_of(seq: int, entry: LogEntry) -> Line:
    payload = entry.payload or {}
    if entry.kind == LogKind.GAP:
        return Line(seq, entry.ts, entry.sender or "", None, "gap", event_id=entry.event_id)
    return Line(
        seq=seq,
        at=entry.ts,
        sender=entry.sender or "",  # "": nobody named (Chatham House)
        body=str(payload.get("body", "")),
        msgtype=str(payload.get("msgtype", "m.text")),
        edited=bool(payload.get("versions")),
        event_id=entry.event_id,
    )


def register_of(
    session: Session, item_ids: list[int]
) -> tuple[dict[int, int], dict[int, VoteEntry]]:
    """For the items of a meeting: their register numbers, and the votes whose outcome they are."""
    numbers = {i: d.number for i, d in DecisionRepository(session).by_items(item_ids).items()}
    votes = {}
    for item_id, vote in VoteRepository(session).by_items(item_ids).items():
        counts = vote.counts or {}
        voters = counts.get("voters") or {}
        votes[item_id] = VoteEntry(
            outcome=vote.outcome or "",
            votes_for=int(counts.get("for", 0)),
            against=int(counts.get("against", 0)),
            abstain=int(counts.get("abstain", 0)),
            per_org=vote.per_org,
            voters={k: tuple(v) for k, v in voters.items()},
        )
    return numbers, votes


def load_minutes(
    session: Session, meeting: MinutesMeeting, *, language: str, timezone: str, now: datetime
) -> Minutes:
    """Everything the minutes of a meeting say, as they stand now (redactions honoured)."""
    minutes = minutes_repo = MinutesRepository(session)
    actions = ActionRepository(session)
    rows = minutes.items(meeting.id)
    erased = ConfidentialRepository(session).erased(meeting.id)
    linked = actions.get_many([r.action_id for r in rows if r.action_id is not None])
    end = meeting.ended_at or now
    carried = actions.open_at(
        meeting.room_id,
        before=meeting.started_at,
        at=end,
        exclude_meeting=meeting.id,
        limit=CARRIED_LIMIT,
    )
    people = actions.assignees([*linked, *(a.id for a in carried.items)])
    entries = {i: action_entry(a, people[i]) for i, a in linked.items()}
    numbers, votes = register_of(session, [row.id for row in rows])
    items = tuple(
        Item(
            seq=row.seq,
            kind=Kind(row.kind),
            text=item_text(row, erased, language),
            author=row.author or "",
            at=row.created_at,
            url=row.url,
            action=entries.get(row.action_id) if row.action_id is not None else None,
            decision=numbers.get(row.id),
            vote=votes.get(row.id),
        )
        for row in rows
    )
    attendance = present(session, meeting)
    scheduled, agenda = load_plan(session, meeting, now)
    minutes = Minutes(
        id=meeting.short_id,
        room_id=meeting.room_id,
        title=meeting.title,
        started_by=meeting.started_by or "",
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        chairs=tuple(meeting.chairs),
        timezone=timezone,
        language=language,
        items=items,
        lines=tuple(line_of(seq, entry) for seq, entry in minutes.lines(meeting.id)),
        open_actions=tuple(action_entry(a, people[a.id]) for a in carried.items),
        open_actions_total=carried.total,
        attendance=attendance,
        quorum=meeting_quorum(session, meeting, attendance),
        scheduled=scheduled,
        agenda=agenda,
    )
    minutes = after_meeting(session, meeting, minutes)
    return unattributed(minutes) if minutes_repo.is_chatham(meeting) else minutes


def after_meeting(session: Session, meeting: MinutesMeeting, minutes: Minutes) -> Minutes:
    """The minutes with their errata, where they stand (approved ones in their approved zone,
    with their action items as approved) and the marks of lines removed by retention."""
    errata = tuple(
        Erratum(a.number, a.text, a.author, a.decided_by or "", a.decided_at or a.created_at)
        for a in AmendmentRepository(session).of_meeting(meeting.id, AmendmentStatus.ACCEPTED)
    )
    removals = _removals(session, meeting, minutes)
    approval = ApprovalRepository(session).get(meeting.id)
    if approval is None:
        circulation = CirculationRepository(session).latest(meeting.id)
        pending = circulation is not None and circulation.status == CirculationStatus.PENDING
        standing = Standing(circulated_until=circulation.due_at if pending else None)
        return replace(minutes, errata=errata, standing=standing, removals=removals)
    standing = Standing(
        approved_at=approval.approved_at,
        approved_by=approval.approved_by,
        sha256=approval.sha256,
        redactions=approval.redactions,
        removed=RetentionRepository(session).removed_after_approval(meeting.id),
    )
    approved = {a["id"]: a for a in approval.actions if isinstance(a, dict) and "id" in a}
    items = tuple(
        replace(item, action=_approved_action(approved[item.action.id]))
        if item.action is not None and item.action.id in approved
        else item
        for item in minutes.items
    )
    return replace(
        minutes,
        timezone=approval.timezone,
        items=items,
        errata=errata,
        standing=standing,
        removals=removals,
    )


def standings(session: Session, meeting_ids: list[int]) -> dict[int, Standing]:
    """Where each meeting's minutes stand (for lists: without what changed them since)."""
    approvals = ApprovalRepository(session).of_meetings(meeting_ids)
    circulations = CirculationRepository(session).of_meetings(meeting_ids)
    found = {}
    for meeting_id in meeting_ids:
        approval, circulation = approvals.get(meeting_id), circulations.get(meeting_id)
        if approval is not None:
            found[meeting_id] = Standing(
                approved_at=approval.approved_at,
                approved_by=approval.approved_by,
                sha256=approval.sha256,
                redactions=approval.redactions,
            )
        elif circulation is not None and circulation.status == CirculationStatus.PENDING:
            found[meeting_id] = Standing(circulated_until=circulation.due_at)
        else:
            found[meeting_id] = Standing()
    return found


def action_snapshot(minutes: Minutes) -> list[dict]:
    """The minutes' action items as approved: kept with the approval, shown from then on."""
    return [
        {
            "id": a.id,
            "text": a.text,
            "assignees": list(a.assignees),
            "status": a.status,
            "due_at": a.due_at.isoformat() if a.due_at else None,
            "due_has_time": a.due_has_time,
        }
        for a in minutes.actions
    ]


def _approved_action(value: dict) -> ActionEntry:
    due = value.get("due_at")
    return ActionEntry(
        id=int(value["id"]),
        text=str(value.get("text", "")),
        assignees=tuple(str(a) for a in value.get("assignees", [])),
        status=str(value.get("status", "open")),
        due_at=datetime.fromisoformat(due) if isinstance(due, str) else None,
        due_has_time=bool(value.get("due_has_time")),
    )


def _removals(session: Session, meeting: MinutesMeeting, minutes: Minutes) -> tuple[Removal, ...]:
    """Marks of removed lines; marks with no kept line between them are one."""
    kept = [line.seq for line in minutes.lines]
    merged: list[Removal] = []
    for row in RetentionRepository(session).removals(meeting.id):
        if merged and not any(merged[-1].seq < seq < row.first_seq for seq in kept):
            merged[-1] = Removal(merged[-1].seq, merged[-1].lines + row.lines)
        else:
            merged.append(Removal(row.first_seq, row.lines))
    return tuple(merged)
