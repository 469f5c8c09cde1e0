"""The attendance part of the minutes, for every writer (bot/minutes/writers.py): **Present**
by organisation (the organisation, then its people by the names they had), then those present
without one, then **Apologies**, and whether there was a quorum. JSON keeps user ids;
when nobody is named (bot/confidential.py) it says how many members each organisation had."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.attendance import Attendance, Present, QuorumState, describe_rule, describe_state
from bot.i18n import Translate
from bot.minutes.items import Minutes
from bot.replies import clean


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


@dataclass(frozen=True)
class AttendanceView:
    """What the minutes say about attendance, as plain strings in the room's language."""

    labels: dict[str, str]
    groups: list[tuple[str, list[str]]]  # organisation, its people's names
    without: list[str]  # present without organisation
    apologies: list[str]  # "Name (Organisation)", "Name" or "Organisation"
    quorum: list[str]  # the rule, then whether it was reached; empty without a quorum


def _names(people: tuple[Present, ...], unnamed: bool, _: Translate) -> list[str]:
    """Their names; "3 members" when nobody is named (bot/confidential.py)."""
    if unnamed:
        count = len(people)
        return [_.ngettext("{count} member", "{count} members", count).format(count=count)]
    return [_one_line(p.name) for p in people]


def attendance_view(minutes: Minutes, _: Translate) -> AttendanceView | None:
    """The attendance of the minutes as the writers show it (None when not known)."""
    attendance = minutes.attendance
    if attendance is None:
        return None
    apologies = []
    for excused in attendance.apologies:
        name = _one_line(excused.name) if excused.name else None
        organisation = _one_line(excused.organisation) if excused.organisation else None
        if name and organisation:
            apologies.append(f"{name} ({organisation})")
        else:
            apologies.append(name or organisation or "")
    return AttendanceView(
        labels={
            "attendance": _("Attendance"),
            "present": _("Present"),
            "without": _("Without organisation"),
            "apologies": _("Apologies"),
            "nobody": _("Nobody was counted present."),
            "quorum": _("Quorum"),
        },
        groups=[
            (_one_line(organisation), _names(people, attendance.unnamed, _))
            for organisation, people in attendance.by_organisation()
        ],
        without=_names(attendance.without_organisation, attendance.unnamed, _)
        if attendance.without_organisation
        else [],
        apologies=apologies,
        quorum=_quorum_lines(minutes.quorum, _),
    )


def _quorum_lines(state: QuorumState | None, _: Translate) -> list[str]:
    if state is None:
        return []
    return [
        _("Rule: {rule}.").format(rule=describe_rule(state.kind, state.value, _)),
        describe_state(state, _),
    ]


def attendance_markdown(view: AttendanceView | None, e: Callable[[str], str]) -> list[str]:
    """The Markdown lines of the attendance section (`e` escapes Markdown)."""
    if view is None:
        return []
    labels = view.labels
    out = ["", f"## {e(labels['attendance'])}", "", f"**{e(labels['present'])}**", ""]
    if not view.groups and not view.without:
        out.append(e(labels["nobody"]))
    for organisation, names in view.groups:
        out.append(f"- **{e(organisation)}:** {e(', '.join(names))}")
    if view.without:
        out.append(f"- *{e(labels['without'])}:* {e(', '.join(view.without))}")
    if view.apologies:
        out += ["", f"**{e(labels['apologies'])}**", ""]
        out += [f"- {e(a)}" for a in view.apologies]
    if view.quorum:
        out += ["", f"**{e(labels['quorum'])}**", ""]
        out += [f"- {e(line)}" for line in view.quorum]
    return out


def attendance_text(view: AttendanceView | None) -> list[str]:
    """The plain-text lines of the attendance section."""
    if view is None:
        return []
    labels = view.labels
    out = ["", labels["attendance"], "-" * min(len(labels["attendance"]), 80)]
    out.append(f"{labels['present']}:")
    if not view.groups and not view.without:
        out.append(f" {labels['nobody']}")
    out += [f" * {organisation}: {', '.join(names)}" for organisation, names in view.groups]
    if view.without:
        out.append(f" * {labels['without']}: {', '.join(view.without)}")
    if view.apologies:
        out.append(f"{labels['apologies']}:")
        out += [f" * {a}" for a in view.apologies]
    if view.quorum:
        out.append(f"{labels['quorum']}:")
        out += [f" * {line}" for line in view.quorum]
    return out


def attendance_json(attendance: Attendance | None, state: QuorumState | None) -> dict[str, Any]:
    """The attendance fields of the JSON minutes: user ids with names and organisations."""
    if attendance is None:
        return {}

    def person(p: Present) -> dict[str, Any]:
        return {
            "user_id": p.user_id,
            "name": clean(p.name),
            "organisation": clean(p.organisation) if p.organisation else None,
            "counted_by": [str(w) for w in p.ways],
        }

    def members(people: tuple[Present, ...]) -> Any:
        """Each member; only how many when nobody is named."""
        return len(people) if attendance.unnamed else [person(p) for p in people]

    return {
        "present": {
            "organisations": [
                {"name": clean(organisation), "members": members(people)}
                for organisation, people in attendance.by_organisation()
            ],
            "without_organisation": members(attendance.without_organisation),
        },
        "apologies": [
            {
                "user_id": a.user_id,
                "name": clean(a.name) if a.name else None,
                "organisation": clean(a.organisation) if a.organisation else None,
            }
            for a in attendance.apologies
        ],
        "quorum": None
        if state is None
        else {
            "rule": str(state.kind),
            "value": state.value,
            "required": state.required,
            "present": state.present,
            "reached": state.reached,
        },
    }
