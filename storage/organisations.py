"""Repository of the organisations members speak for, per room (`!org`), kept across meetings.

A name is stored as first written in the room with its `key` (how names compare: "amnesty" and
"Amnesty" are one organisation); bot/attendance.py cleans names and makes keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.plenary_models import Organisation


class OrganisationRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, room_id: str, user_id: str) -> Organisation | None:
        return self.session.get(Organisation, (room_id, user_id))

    def of_room(self, room_id: str) -> list[Organisation]:
        """Every member's organisation in the room, in the order they were given."""
        return list(
            self.session.scalars(
                select(Organisation)
                .where(Organisation.room_id == room_id)
                .order_by(Organisation.since, Organisation.user_id)
            )
        )

    def spelling(self, room_id: str, key: str) -> str | None:
        """How the room already writes the organisation with this key, if it knows it."""
        return self.session.scalar(
            select(Organisation.name)
            .where(Organisation.room_id == room_id, Organisation.key == key)
            .order_by(Organisation.since, Organisation.user_id)
            .limit(1)
        )

    def set(
        self, room_id: str, user_id: str, name: str, key: str, by: str, now: datetime
    ) -> Organisation:
        """The member speaks for this organisation from now on."""
        row = self.get(room_id, user_id)
        if row is None:
            row = Organisation(room_id=room_id, user_id=user_id)
            self.session.add(row)
        if row.key != key:
            row.since = now
        row.name, row.key, row.set_by = name, key, by
        self.session.flush()
        return row

    def clear(self, room_id: str, user_id: str) -> bool:
        """The member no longer speaks for an organisation; False if they had none."""
        removed = self.session.execute(
            delete(Organisation).where(
                Organisation.room_id == room_id, Organisation.user_id == user_id
            )
        ).rowcount
        return bool(removed)
