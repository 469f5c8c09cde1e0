"""A meeting's minutes as a file to attach (`!endmeeting`, `!minutes <id> <format>`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Translate
from bot.minutes.items import Minutes
from bot.minutes.writers import MIMETYPES, render
from bot.replies import Attachment


def minutes_file(minutes: Minutes, form: str, _: Translate, now: datetime) -> Attachment:
    day = minutes.started_at.astimezone(ZoneInfo(minutes.timezone)).date().isoformat()
    return Attachment(
        filename=f"minutes-{minutes.id}-{day}.{form}",
        mimetype=MIMETYPES[form],
        data=render(minutes, form, _, now),
    )
