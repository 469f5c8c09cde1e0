"""The decision register as members read it, shared by the minutes (`!agreed`, `!rejected`,
`!deferred`, their writers), the votes (bot/votes.py) and the register's commands
(commands/decisions.py): entering an item's outcome, the words for outcomes, counts and
statuses, and the register's exports (Markdown, CSV safe for spreadsheets, JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.format import Clock
from bot.i18n import Translate
from bot.minutes.items import Item, Kind, VoteEntry
from bot.replies import Fragment, bold, clean, fmt
from storage.decisions import DecisionRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesItem, MinutesMeeting
from storage.register_models import Decision
from storage.status import DecisionOutcome, DecisionStatus

# Items entered in the decision register by the command that records them, and as what.
REGISTERED = {
    Kind.AGREED: DecisionOutcome.AGREED,
    Kind.REJECTED: DecisionOutcome.REJECTED,
    Kind.DEFERRED: DecisionOutcome.DEFERRED,
}
EXPORT_FORMATS = ("md", "csv", "json")
EXPORT_MIMETYPES = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}
EXPORT_SCHEMA = "wgbot.decisions/1"
# Cells a spreadsheet would take for a formula are prefixed with an apostrophe (as bot/export.py).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


def ref(number: int) -> str:
    """A register number as members see and type it: D3."""
    return f"D{number}"


def topic_before(session: Session, meeting: MinutesMeeting, seq: int) -> str | None:
    """The meeting's topic current at `seq` (the last set before it), if any."""
    topic = None
    for row in MinutesRepository(session).items(meeting.id):
        if row.seq >= seq:
            break
        if row.kind == "topic":
            topic = row.text
    return topic


def enter(
    session: Session,
    meeting: MinutesMeeting,
    item: MinutesItem,
    outcome: str,
    counts: dict[str, Any] | None = None,
) -> Decision:
    """Enter a meeting item's outcome in the room's register, under the topic current then."""
    return DecisionRepository(session).add(
        room_id=meeting.room_id,
        outcome=outcome,
        text=item.text,
        decided_at=item.created_at,
        author=item.author,
        meeting_id=meeting.id,
        item_id=item.id,
        topic=topic_before(session, meeting, item.seq),
        counts=counts,
    )


def register_item(
    session: Session,
    meeting: MinutesMeeting,
    item: MinutesItem,
    kind: Kind,
    shown: str,
    _: Translate,
) -> Fragment | None:
    """Enter an `!agreed`, `!rejected` or `!deferred` item in the register; what the reply says
    (None for items that are not outcomes)."""
    if kind not in REGISTERED:
        return None
    number = ref(enter(session, meeting, item, REGISTERED[kind]).number)
    said = {
        Kind.AGREED: _("Decision {number} recorded: {text}"),
        Kind.REJECTED: _("Rejection {number} recorded: {text}"),
        Kind.DEFERRED: _("Deferral {number} recorded: {text}"),
    }[kind]
    return fmt(said, number=bold(number), text=shown)


# --- Words ------------------------------------------------------------------------------------


def outcome_label(outcome: str, _: Translate) -> str:
    """An outcome in a word: an entry's (agreed, adopted…) or a vote's (tied, no quorum)."""
    labels = {
        "agreed": _("Agreed"),
        "adopted": _("Adopted"),
        "rejected": _("Rejected"),
        "deferred": _("Deferred"),
        "tied": _("Tied"),
        "no_quorum": _("No quorum"),
    }
    return labels.get(outcome, outcome)


def counts_text(counts: dict[str, Any], _: Translate) -> str:
    """A vote's counts: "For 3, Against 1, Abstain 0" (of organisations, for a per-org vote)."""
    values = {
        "votes_for": counts.get("for", 0),
        "against": counts.get("against", 0),
        "abstain": counts.get("abstain", 0),
    }
    if counts.get("per_org"):
        return _(
            "For {votes_for}, Against {against}, Abstain {abstain}; one vote per organisation"
        ).format(**values)
    return _("For {votes_for}, Against {against}, Abstain {abstain}").format(**values)


def status_text(decision: Decision, _: Translate) -> str:
    """Where an entry stands: in force, superseded by D<m>, revoked (an agreed or adopted one);
    a rejected or deferred one is what it is unless superseded or revoked."""
    if decision.status == DecisionStatus.SUPERSEDED and decision.superseded_by is not None:
        return _("superseded by {number}").format(number=ref(decision.superseded_by))
    if decision.status == DecisionStatus.REVOKED:
        return _("revoked")
    if decision.outcome == "rejected":
        return _("rejected")
    if decision.outcome == "deferred":
        return _("deferred")
    return _("in force")


def _vote_counts(vote: VoteEntry, _: Translate) -> str:
    counts = {
        "for": vote.votes_for,
        "against": vote.against,
        "abstain": vote.abstain,
        "per_org": vote.per_org,
    }
    return counts_text(counts, _)


def numbered(label: str, item: Item) -> str:
    """An item's label, with its register number if it has one: "Agreed (D3)"."""
    return f"{label} ({ref(item.decision)})" if item.decision is not None else label


def item_text(item: Item, _: Translate) -> str:
    """An item's text on one line; a vote's motion with its outcome and counts: "Adopt it:
    adopted (For 3, …)"."""
    vote = item.vote
    if vote is None:
        return _one_line(item.text)
    return _("{motion}: {outcome} ({counts})").format(
        motion=_one_line(item.text),
        outcome=outcome_label(vote.outcome, _).lower(),
        counts=_vote_counts(vote, _),
    )


def outcome_line(item: Item, _: Translate) -> str:
    """An outcome as the list of decisions shows it: "D3 Agreed: …", "D4 Adopted: <motion>
    (For 3, …)", "Tied: …" (a vote that decided nothing has no number)."""
    outcome = item.vote.outcome if item.vote else item.kind.value
    text = _one_line(item.text)
    if item.vote is not None:
        text = _("{motion} ({counts})").format(motion=text, counts=_vote_counts(item.vote, _))
    label = outcome_label(outcome, _)
    if item.decision is None:
        return _("{outcome}: {text}").format(outcome=label, text=text)
    return _("{number} {outcome}: {text}").format(
        number=ref(item.decision), outcome=label, text=text
    )


def vote_json(vote: VoteEntry | None) -> dict[str, Any] | None:
    """A vote's outcome as the minutes' JSON gives it."""
    if vote is None:
        return None
    return {
        "outcome": vote.outcome,
        "for": vote.votes_for,
        "against": vote.against,
        "abstain": vote.abstain,
        "per_org": vote.per_org,
        "voters": {answer: list(names) for answer, names in vote.voters.items()},
    }


def register_json(items: Sequence[Item]) -> list[dict[str, Any]]:
    """The register entries a meeting made, as the minutes' JSON lists them."""
    return [
        {
            "number": ref(i.decision),
            "outcome": i.vote.outcome if i.vote else i.kind.value,
            "text": clean(i.text),
        }
        for i in items
        if i.decision is not None
    ]


# --- Exports ----------------------------------------------------------------------------------


def _row(decision: Decision, meetings: dict[int, int], clock: Clock) -> dict[str, Any]:
    counts = decision.counts or {}
    return {
        "number": ref(decision.number),
        "outcome": decision.outcome,
        "text": clean(decision.text),
        "status": decision.status,
        "superseded_by": ref(decision.superseded_by) if decision.superseded_by else None,
        "decided_at": clock.iso(decision.decided_at),
        "meeting": meetings.get(decision.meeting_id) if decision.meeting_id else None,
        "topic": clean(decision.topic) if decision.topic else None,
        "author": decision.author,
        "votes_for": counts.get("for"),
        "against": counts.get("against"),
        "abstain": counts.get("abstain"),
        "per_org": counts.get("per_org") if counts else None,
    }


COLUMNS = (
    "number",
    "outcome",
    "status",
    "superseded_by",
    "decided_at",
    "meeting",
    "topic",
    "text",
    "author",
    "votes_for",
    "against",
    "abstain",
    "per_org",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _md(text: str) -> str:
    return (
        " ".join(text.split())
        .replace("\\", "\\\\")
        .translate({ord(c): "\\" + c for c in "`*_[]<>&~|#"})
    )


def render_register(
    decisions: Sequence[Decision],
    meetings: dict[int, int],
    form: str,
    _: Translate,
    clock: Clock,
    heading: str,
) -> bytes:
    """The register (oldest first) as Markdown, CSV or JSON, UTF-8."""
    rows = [_row(d, meetings, clock) for d in sorted(decisions, key=lambda d: d.number)]
    if form == "json":
        document = {"schema": EXPORT_SCHEMA, "timezone": clock.zone, "decisions": rows}
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            # As bot/export.py: only free text is neutralised, ids and numbers are the bot's own.
            writer.writerow(
                [
                    _cell(row[c])
                    if c in ("text", "topic")
                    else ("" if row[c] is None else str(row[c]))
                    for c in COLUMNS
                ]
            )
        return out.getvalue().encode("utf-8")
    lines = [f"# {_md(heading)}", ""]
    if not decisions:
        lines.append(_md(_("The register is empty.")))
    for decision, row in zip(sorted(decisions, key=lambda d: d.number), rows, strict=True):
        facts = [outcome_label(decision.outcome, _), status_text(decision, _)]
        facts.append(clock.day(decision.decided_at))
        if row["meeting"]:
            facts.append(_("meeting #{id}").format(id=row["meeting"]))
        if decision.counts:
            facts.append(counts_text(decision.counts, _))
        lines.append(f"- **{row['number']}** {_md(decision.text)} — {'; '.join(facts)}")
        if decision.topic:
            lines.append(f"  - {_md(_('Topic: {text}').format(text=decision.topic))}")
    lines += ["", f"*{_md(_('Register written by wgbot.'))}*", ""]
    return "\n".join(lines).encode("utf-8")
