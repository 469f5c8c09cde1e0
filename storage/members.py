"""Who is in each room now, as the bot's sync last saw it: joined members and their display names.

Features that name people ("Not voted yet: …", attendance) read this instead of the Matrix client;
bot/sync.py rewrites a room's rows whenever its membership or names change."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import RoomMember


class MemberRepository:
    def __init__(self, session: Session):
        self.session = session

    def replace(self, room_id: str, members: Iterable[tuple[str, str | None]]) -> None:
        """The room's joined members are now exactly `members` (user id, display name)."""
        self.session.execute(delete(RoomMember).where(RoomMember.room_id == room_id))
        self.session.add_all(
            RoomMember(room_id=room_id, user_id=user_id, display_name=name or None)
            for user_id, name in dict(members).items()
        )

    def forget_room(self, room_id: str) -> None:
        self.session.execute(delete(RoomMember).where(RoomMember.room_id == room_id))

    def joined(self, room_id: str) -> list[RoomMember]:
        """The room's joined members other than the bot, by user id."""
        return list(
            self.session.scalars(
                select(RoomMember).where(RoomMember.room_id == room_id).order_by(RoomMember.user_id)
            )
        )

    def display_name(self, room_id: str, user_id: str) -> str | None:
        return self.session.scalar(
            select(RoomMember.display_name).where(
                RoomMember.room_id == room_id, RoomMember.user_id == user_id
            )
        )

    def display_names(self, room_id: str) -> dict[str, str]:
        """Each joined member's display name, where they set one."""
        return {m.user_id: m.display_name for m in self.joined(room_id) if m.display_name}
