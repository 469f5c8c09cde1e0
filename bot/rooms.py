"""A room's settings as resolved: its own language and zone, or the bot's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from bot.i18n import Translator, translator
from storage.rooms import RoomRepository

if TYPE_CHECKING:
    from bot.dispatch import CommandContext


class Defaults(Protocol):
    """The bot's own settings (bot/dispatch.py's `Defaults`, or a feature's copy of them)."""

    language: str
    timezone: str
    prefix: str


@dataclass(frozen=True)
class RoomSettings:
    """What a message to a room is said in: its language and zone, and the command prefix."""

    language: str
    timezone: str
    prefix: str

    @property
    def _(self) -> Translator:
        return translator(self.language)


def room_language(session: Session, room_id: str, default: str) -> str:
    """The language the room chose (`!lang`), or the bot's default."""
    room = RoomRepository(session).get(room_id)
    return (room and room.language) or default


def room_settings(session: Session, room_id: str, defaults: Defaults) -> RoomSettings:
    """The room's language and zone where it chose them, the bot's defaults elsewhere."""
    room = RoomRepository(session).get(room_id)
    return RoomSettings(
        language=(room and room.language) or defaults.language,
        timezone=(room and room.timezone) or defaults.timezone,
        prefix=defaults.prefix,
    )


def settings_of(ctx: CommandContext) -> RoomSettings:
    """The settings a command runs with (the dispatcher resolved them for its room)."""
    return RoomSettings(language=ctx.language, timezone=ctx.timezone, prefix=ctx.prefix)
