"""Agenda-driven minutes, as values: the scheduled meeting a recorded meeting is linked to, its
agenda items reached or not, which item `!next` takes up, and how the minutes show them.

Pure: bot/minutes/planned.py reads the rows, the writers (bot/minutes/writers.py) call the
`agenda_*` functions here for their own section, so each format says the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.format import Clock
from bot.i18n import Translate

if TYPE_CHECKING:
    from bot.minutes.items import Minutes


@dataclass(frozen=True)
class ScheduledLink:
    """The scheduled meeting (`!meeting add`) a recorded meeting is linked to: its number and
    title, and the occurrence recorded (a series' occurrence)."""

    id: int  # the short id members type
    title: str
    start_at: datetime
    end_at: datetime
    place: str | None = None  # where it was planned to be held (`!meeting add … at <place>`)


@dataclass(frozen=True)
class AgendaEntry:
    """An agenda item as the minutes show it."""

    position: int
    text: str
    reached: bool


class Reachable(Protocol):
    @property
    def position(self) -> int: ...

    @property
    def reached(self) -> bool: ...


Planned = TypeVar("Planned", bound=Reachable)


def next_planned(agenda: Sequence[Planned]) -> Planned | None:
    """The item `!next` takes up: the one after the last reached (the first if none was);
    None when the agenda is empty or its last item was reached."""
    after = max((item.position for item in agenda if item.reached), default=0)
    return next((item for item in agenda if item.position > after), None)


# --- In the minutes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaView:
    """The agenda section of the minutes: its heading and one line per item."""

    heading: str
    items: list[tuple[int, str, str | None]]  # position, text, note ("not reached") or None


def agenda_facts(minutes: Minutes, _: Translate, one_line: Callable[[str], str]) -> list:
    """The fact saying which scheduled meeting the minutes record, if any."""
    link = minutes.scheduled
    if link is None:
        return []
    when = Clock(minutes.timezone, minutes.language).span(link.start_at, link.end_at)
    title = one_line(link.title) or _("(title removed)")
    facts = [(_("Scheduled meeting"), f"#{link.id} {title} — {when}")]
    if link.place and one_line(link.place):
        facts.append((_("Place"), one_line(link.place)))
    return facts


def agenda_view(
    minutes: Minutes, _: Translate, one_line: Callable[[str], str]
) -> AgendaView | None:
    """The agenda with the items not reached marked; None when the meeting had none."""
    if minutes.scheduled is None and not minutes.agenda:
        return None
    note = _("not reached")
    return AgendaView(
        heading=_("Agenda"),
        items=[
            (entry.position, one_line(entry.text), None if entry.reached else note)
            for entry in minutes.agenda
        ],
    )


def agenda_markdown(view: AgendaView | None, e: Callable[[str], str], empty: str) -> list[str]:
    if view is None:
        return []
    out = [f"## {e(view.heading)}", ""]
    for position, text, note in view.items:
        out.append(f"{position}. {e(text)}" + (f" *({e(note)})*" if note else ""))
    if not view.items:
        out.append(e(empty))
    return [*out, ""]


def agenda_text(view: AgendaView | None, empty: str) -> list[str]:
    if view is None:
        return []
    out = ["", view.heading, "-" * min(len(view.heading), 80)]
    for position, text, note in view.items:
        out.append(f"{position}. {text}" + (f" ({note})" if note else ""))
    if not view.items:
        out.append(empty)
    return out


def agenda_json(minutes: Minutes, clock: Clock, clean: Callable[[str], str]) -> dict[str, Any]:
    """`scheduled_meeting` (null when not linked) and `agenda` (each item reached or not)."""
    link = minutes.scheduled
    scheduled = None
    if link is not None:
        scheduled = {
            "id": link.id,
            "title": clean(link.title) or None,
            "start": clock.iso(link.start_at),
            "end": clock.iso(link.end_at),
        }
    return {
        "scheduled_meeting": scheduled,
        "agenda": [
            {"position": e.position, "text": clean(e.text), "reached": e.reached}
            for e in minutes.agenda
        ],
    }
