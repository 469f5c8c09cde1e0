"""Find-a-time polls of the earlier kind (one multi-select poll of the slots, `PollKind.FINDTIME`,
stored before find-a-time had its own polls per slot): how a slot reads back as the `!meeting add`
that schedules it, and what such a poll says at its close. Polls (bot/polls.py) still count and
close them; this is the find-a-time part of what they say."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.args import quoted
from bot.format import join_list
from bot.i18n import Translate
from bot.meetings import DEFAULT_DURATION
from bot.replies import bold, code, fmt
from bot.rooms import RoomSettings
from bot.when import WhenError, parse_when
from storage.models import Poll


def slot_phrase(start: datetime, end: datetime, zone: str, now: datetime) -> tuple[str, str | None]:
    """A phrase `!meeting add` reads back as exactly this slot, and the `--tz` it needs (or None).

    Day-first numbers and "for N minutes" are read in every language. A local time that occurs
    twice (the autumn change) is said in UTC instead."""
    minutes = int((end - start).total_seconds() // 60)
    duration = "" if timedelta(minutes=minutes) == DEFAULT_DURATION else f" for {minutes} minutes"
    for tz in (zone, "UTC"):
        local = start.astimezone(ZoneInfo(tz))
        phrase = f"{local:%d/%m/%Y %H:%M}{duration}"
        try:
            back = parse_when(phrase, lang="en", tz=tz, now=now)
        except WhenError:
            continue
        if back.start == start and (back.end or back.start + DEFAULT_DURATION) == end:
            return phrase, (None if tz == zone else tz)
    return f"{start:%d/%m/%Y %H:%M}{duration}", "UTC"


def schedule_command(poll: Poll, answer: dict, prefix: str, room_zone: str, now: datetime) -> str:
    """The `!meeting add` that schedules a find-a-time slot."""
    start = datetime.fromisoformat(answer["start"])
    end = datetime.fromisoformat(answer["end"])
    phrase, tz = slot_phrase(start, end, room_zone, now)
    title = poll.question
    line = f"{prefix}meeting add {quoted(title)} {phrase}"
    return f"{line} --tz {tz}" if tz else line


def slot_outcome(
    poll: Poll, leaders: list[str], _: Translate, *, room: RoomSettings, now: datetime
) -> list:
    """The end of a closed find-a-time poll's results: the best slot (or the tied ones) and the
    `!meeting add` that schedules each."""
    by_id = {a["id"]: a for a in poll.answers}
    texts = [by_id[i]["text"] for i in leaders]
    if len(leaders) == 1:
        lines: list = [fmt(_("Best time: {slot}"), slot=bold(texts[0]))]
        lines.append(_("To schedule it as a meeting:"))
    else:
        lines = [fmt(_("Tie between {answers}."), answers=join_list(texts, _))]
        lines.append(_("To schedule one of them as a meeting:"))
    closed_at = poll.closed_at or now
    for answer_id in leaders:
        command = schedule_command(poll, by_id[answer_id], room.prefix, room.timezone, closed_at)
        lines.append(code(command))
    return lines
