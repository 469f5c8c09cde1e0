"""People as the minutes name them: by the display name they had at the meeting, with their
organisation where the room knows it ("Anne Muller (MAEE)"), never as `@id:server`; the JSON
keeps the ids and adds the names next to them.

Pure: the names come with the minutes (bot/minutes/rows.py reads them through
bot/attendance.py `names_at`, kept in the meeting's rows when it ends), so a later rename
does not rewrite old minutes, nor the hash of approved ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.replies import clean

if TYPE_CHECKING:
    from bot.minutes.items import Minutes


@dataclass(frozen=True)
class Person:
    """Someone named in a meeting's minutes: their display name then, their organisation."""

    name: str
    organisation: str | None = None


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


def looks_like_user(text: str) -> bool:
    """A Matrix user id ("@anne:example.org"), not a name typed as an assignee ("MAEE")."""
    return text.startswith("@") and ":" in text and " " not in text


def unambiguous(names: Mapping[str, Person]) -> dict[str, Person]:
    """The names, with the user id after those that two people of the meeting share."""
    counts: dict[str, int] = {}
    for person in names.values():
        key = _one_line(person.name).casefold()
        counts[key] = counts.get(key, 0) + 1
    return {
        user_id: person
        if counts[_one_line(person.name).casefold()] == 1 or person.name == user_id
        else Person(f"{person.name} ({user_id})", person.organisation)
        for user_id, person in names.items()
    }


class Names:
    """How a meeting's minutes write each person."""

    def __init__(self, people: Mapping[str, Person]):
        self.people = people

    def name(self, who: str) -> str:
        """Their display name then, on one line (the id, or the text typed, if not known)."""
        person = self.people.get(who)
        return _one_line(person.name) if person is not None else _one_line(who)

    def organisation(self, who: str) -> str | None:
        person = self.people.get(who)
        if person is None or not person.organisation:
            return None
        return _one_line(person.organisation)

    def shown(self, who: str) -> str:
        """ "Anne Muller (MAEE)", "Anne Muller", or what was typed for someone not known."""
        organisation = self.organisation(who)
        name = self.name(who)
        return f"{name} ({organisation})" if organisation else name

    def all(self, people: Iterable[str]) -> str:
        return ", ".join(self.shown(p) for p in people)


def names_of(minutes: Minutes) -> Names:
    return Names(minutes.people)


def named_in(minutes: Minutes) -> list[str]:
    """Everyone the minutes name by user id: chairs, who spoke or recorded an item, assignees."""
    people = [minutes.started_by, *minutes.chairs, *minutes.attendees]
    for action in minutes.actions:  # not the open actions of earlier meetings: shown live
        people.extend(a for a in action.assignees if looks_like_user(a))
    return list(dict.fromkeys(p for p in people if p))


def people_json(minutes: Minutes) -> list[dict[str, Any]]:
    """The `people` of the JSON minutes: each user id named, with the name and organisation
    the minutes show for them."""
    names = names_of(minutes)
    return [
        {"user_id": who, "name": names.name(who), "organisation": names.organisation(who)}
        for who in named_in(minutes)
    ]
