"""Repository of per-room settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Room


class RoomRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, room_id: str) -> Room | None:
        return self.session.get(Room, room_id)

    def _get_or_create(self, room_id: str) -> Room:
        room = self.session.get(Room, room_id)
        if room is None:
            room = Room(room_id=room_id)
            self.session.add(room)
        return room

    def set_language(self, room_id: str, language: str) -> None:
        self._get_or_create(room_id).language = language

    def set_timezone(self, room_id: str, timezone: str) -> None:
        self._get_or_create(room_id).timezone = timezone

    def claim_unencrypted_notice(self, room_id: str, now: datetime) -> bool:
        """True the first time only: the room gets one notice that the bot needs encryption."""
        room = self._get_or_create(room_id)
        if room.unencrypted_notice_at is not None:
            return False
        room.unencrypted_notice_at = now
        return True
