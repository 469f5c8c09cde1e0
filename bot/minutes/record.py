"""What minutes say about their life after the meeting, for every writer: where they stand
(draft, circulated, approved with its record), their errata, and the marks of lines removed
under the room's retention policy."""

from __future__ import annotations

from typing import Any

from bot.format import Clock
from bot.i18n import Translate
from bot.minutes.items import Minutes
from bot.minutes.lifecycle import Erratum, Removal, Standing
from bot.minutes.people import Names, names_of
from bot.replies import clean


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


def standing_facts(minutes: Minutes, _: Translate) -> list[tuple[str, str]]:
    """Where ended minutes stand: a draft (maybe circulated), or approved with its record."""
    standing = minutes.standing
    clock = Clock(minutes.timezone, minutes.language)
    if standing.approved_at is None:
        if standing.circulated_until is not None:
            status = _("draft, circulated: approved unless someone objects by {deadline}")
            deadline = clock.span(standing.circulated_until, None)
            return [(_("Status"), status.format(deadline=deadline))]
        return [(_("Status"), _("draft"))]
    when = clock.span(standing.approved_at, None)
    if standing.approved_by is None:
        status = _("approved by silence procedure on {when}").format(when=when)
    else:
        status = _("approved by {who} on {when}").format(
            who=names_of(minutes).shown(standing.approved_by), when=when
        )
    facts = [(_("Status"), status), (_("SHA-256 of the approved JSON"), standing.sha256 or "")]
    changes = []
    if standing.redactions:
        changes.append(
            _.ngettext("{count} redaction", "{count} redactions", standing.redactions).format(
                count=standing.redactions
            )
        )
    if standing.removed:
        changes.append(removal_note(standing.removed, _))
    if changes:
        facts.append((_("Amended after approval"), ", ".join(changes)))
    return facts


def list_state(standing: Standing, clock: Clock, _: Translate) -> str:
    """Where ended minutes stand, as `!minutes list` says it."""
    if standing.approved_at is not None:
        return _("approved, SHA-256 {hash}").format(hash=standing.sha256)
    if standing.circulated_until is not None:
        return _("draft, circulated until {when}").format(
            when=clock.span(standing.circulated_until, None)
        )
    return _("draft")


def erratum_line(erratum: Erratum, clock: Clock, _: Translate, names: Names | None = None) -> str:
    """An accepted amendment as the errata list it: its number, text, who and when."""
    line = _("Amendment {number}: {text} (proposed by {author}, accepted by {chair}, {when})")
    shown = names.shown if names is not None else _one_line
    return line.format(
        number=erratum.number,
        text=_one_line(erratum.text),
        author=shown(erratum.author),
        chair=shown(erratum.accepted_by),
        when=clock.span(erratum.accepted_at, None),
    )


def removal_note(count: int, _: Translate) -> str:
    """What the log says where retention removed lines."""
    return _.ngettext(
        "{count} message removed under the room's retention policy",
        "{count} messages removed under the room's retention policy",
        count,
    ).format(count=count)


def removal_json(minutes: Minutes, mark: Removal) -> dict[str, Any]:
    """A mark of removed lines in the JSON log, where they were."""
    current = minutes.topic_of(mark.seq)
    return {
        "at": None,
        "sender": None,
        "sender_name": None,
        "type": "removed",
        "body": None,
        "edited": False,
        "topic": clean(current.text) if current else None,
        "event_id": None,
        "lines": mark.lines,
    }


def errata_json(minutes: Minutes, clock: Clock) -> list[dict[str, Any]]:
    return [
        {
            "number": e.number,
            "text": clean(e.text),
            "author": e.author,
            "accepted_by": e.accepted_by,
            "accepted_at": clock.iso(e.accepted_at),
        }
        for e in minutes.errata
    ]


def standing_json(minutes: Minutes, clock: Clock) -> dict[str, Any]:
    """The JSON's approval block (left out of the approved minutes' hash)."""
    standing = minutes.standing
    if minutes.ended_at is None:
        return {"status": "running"}
    if standing.approved_at is None:
        return {"status": "draft", "circulated_until": clock.iso(standing.circulated_until)}
    return {
        "status": "approved",
        "approved_by": standing.approved_by,
        "by_silence_procedure": standing.approved_by is None,
        "approved_at": clock.iso(standing.approved_at),
        "sha256": standing.sha256,
        "amended_after_approval": {"redactions": standing.redactions, "removed": standing.removed},
    }
