"""Meetings: scheduled in plain words, listed, moved, cancelled; agenda, RSVP, reminders, .ics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_skeleton, format_timedelta
from sqlalchemy.orm import Session

from bot.args import parse_number, when_error
from bot.dispatch import (
    QUOTES,
    CommandContext,
    Permission,
    RoomEvent,
    UsageError,
    command,
    on_event,
    reaction_key,
    split_args,
)
from bot.features import on_sent
from bot.i18n import N_, Translate
from bot.ics import CalendarMeeting, render_ics
from bot.recurrence import DEFAULT_OFFSETS, next_occurrence, plan_reminders
from bot.replies import Attachment, Fragment, Purpose, PurposeKind, Reply, bold, code, fmt, mention
from bot.when import When, WhenError, parse_when
from storage.meetings import SCHEDULED, MeetingRepository, ReminderRepository
from storage.models import Meeting

DEFAULT_DURATION = timedelta(hours=1)
MAX_TITLE, MAX_PLACE, MAX_ITEM = 200, 500, 500
MAX_OFFSETS, MAX_OFFSET_MINUTES = 6, 28 * 24 * 60
LIST_LIMIT = 20
BABEL_LOCALES = {"en": "en_GB", "fr": "fr", "de": "de"}
REACTIONS = {"✅": "yes", "❌": "no", "❓": "maybe"}


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class AddArgs:
    """`!meeting add`: a quoted title (or None: the title is in the phrase), the time phrase,
    the place or link, an explicit zone."""

    title: str | None
    phrase: str
    place: str | None
    zone: str | None


@dataclass(frozen=True)
class MoveArgs:
    short_id: int
    phrase: str
    zone: str | None


_ZONE_OPTION = re.compile(r"(?:^|\s)--tz(?:=|\s+)(\S+)")
_LINK = re.compile(
    r"(?:(?<=\s)|^)(?:(?:at|à|au|via|on|sur|auf|unter|über|bei|@)\s+)?(https?://\S+)", re.I
)
# Words that put a place at the end: "at the Ministry", "à la Chambre", "im Ministerium".
_PLACE_MARK = re.compile(
    r"(?<!\S)(?:at|à|au|chez|dans la salle|im|bei|beim|in der|in dem|place:|lieu:|ort:)\s+(?=\S)",
    re.I,
)
_REFERENCE_NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
_ANSWERS = {
    "yes": "yes",
    "y": "yes",
    "oui": "yes",
    "ja": "yes",
    "no": "no",
    "n": "no",
    "non": "no",
    "nein": "no",
    "maybe": "maybe",
    "peut-être": "maybe",
    "peut-etre": "maybe",
    "peutêtre": "maybe",
    "vielleicht": "maybe",
    "?": "maybe",
}
_OFFSET = re.compile(r"(\d{1,5})\s*(std|min|mn|w|d|j|t|h|m)", re.I)
_UNIT_MINUTES = {"w": 7 * 1440, "d": 1440, "j": 1440, "t": 1440, "h": 60, "std": 60}
_OFF_WORDS = {"off", "none", "aucun", "aucune", "keine", "aus"}


def _take_zone(raw: str) -> tuple[str, str | None]:
    """Remove a `--tz Zone` option; the zone must exist."""
    match = _ZONE_OPTION.search(raw)
    if match is None:
        return raw, None
    zone = match.group(1)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(N_("{zone} is not a time zone I know."), zone=zone) from None
    return f"{raw[: match.start()]} {raw[match.end() :]}".strip(), zone


def _take_quoted(raw: str) -> tuple[str | None, str]:
    """A leading quoted text and what follows it."""
    raw = raw.strip()
    if not raw or raw[0] not in QUOTES:
        return None, raw
    end = raw.find(QUOTES[raw[0]], 1)
    if end < 0:
        raise UsageError(N_("A quote is not closed: {text}"), text=raw[:40])
    return raw[1:end].strip() or None, raw[end + 1 :].strip()


def _names_a_place(words: str) -> bool:
    """Whether trailing words are a place: no date or time can be read in them at all."""
    try:
        parse_when(words, lang="en", tz="UTC", now=_REFERENCE_NOW)
    except WhenError as exc:
        return exc.reason == "unparsed"
    return False


def split_place(text: str) -> tuple[str, str | None]:
    """Split `<when> at <place or link>` into the time phrase and the place (or None)."""
    link = _LINK.search(text)
    if link:
        url = link.group(1).rstrip(".,;)")
        return f"{text[: link.start()]} {text[link.end() :]}".strip(" ,"), url
    # The first marker after which no time is said: "at 14:00 at the Ministry" keeps 14:00.
    # What follows a later marker is part of what follows an earlier one, so once a marker is
    # followed by no time neither is any later one: after the first marker (the usual place),
    # a binary search reads the phrase log(markers) times, not once per marker.
    marks = list(_PLACE_MARK.finditer(text))
    low, high = 1, len(marks)
    if marks and _names_a_place(text[marks[0].end() :]):
        low = high = 0
    while low < high:
        middle = (low + high) // 2
        if _names_a_place(text[marks[middle].end() :]):
            high = middle
        else:
            low = middle + 1
    if low >= len(marks):
        return text, None
    return text[: marks[low].start()].strip(" ,"), text[marks[low].end() :].strip(" ,")


def parse_add(raw: str) -> AddArgs:
    """`[\"<title>\"] <when> [for <duration>] [every …] [at <place or link>] [--tz <zone>]`."""
    raw, zone = _take_zone(raw)
    title, rest = _take_quoted(raw)
    phrase, place = split_place(rest)
    if not phrase:
        raise UsageError(N_("Say when the meeting is, e.g. “next Tuesday 14:00”."))
    if title and len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    if place and len(place) > MAX_PLACE:
        raise UsageError(N_("The place is too long (at most {limit} characters)."), limit=MAX_PLACE)
    return AddArgs(title=title, phrase=phrase, place=place, zone=zone)


def parse_short_id(token: str) -> int:
    """A meeting's number as shown by the bot: `3` or `#3`."""
    return parse_number(token, N_("“{value}” is not a meeting number."))


def parse_id(raw: str) -> int:
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Give the meeting's number, e.g. 3."))
    return parse_short_id(words[0])


def parse_move(raw: str) -> MoveArgs:
    raw, zone = _take_zone(raw)
    words = raw.split(maxsplit=1)
    if len(words) != 2:
        raise UsageError(
            N_("Give the meeting's number and its new time, e.g. 3 next Monday 10:00.")
        )
    return MoveArgs(parse_short_id(words[0]), words[1], zone)


def parse_agenda(raw: str) -> tuple[int, str | None]:
    """The meeting's number and the item to add (None: show the agenda)."""
    words = raw.split(maxsplit=1)
    if not words:
        raise UsageError(N_("Give the meeting's number, e.g. 3."))
    short_id = parse_short_id(words[0])
    item = words[1].strip() if len(words) > 1 else ""
    quoted, rest = _take_quoted(item)
    item = quoted if quoted and not rest else item
    if len(item) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return short_id, item or None


def parse_rsvp(raw: str) -> tuple[int, str]:
    """The meeting's number and yes, no or maybe (also in French and German)."""
    words = split_args(raw)
    answer = _ANSWERS.get(words[-1].lower()) if len(words) == 2 else None
    if answer is None:
        raise UsageError(N_("Answer yes, no or maybe, e.g. 3 yes."))
    return parse_short_id(words[0]), answer


def parse_offsets(raw: str) -> tuple[int, ...]:
    """Reminder offsets in minutes from `1d 1h 15m` (also `1h30m`, `2w`); `off` for none."""
    words = split_args(raw)
    if len(words) == 1 and words[0].lower() in _OFF_WORDS:
        return ()
    if not words or len(words) > MAX_OFFSETS:
        raise UsageError(
            N_("Give up to {count} times before the meeting, e.g. 1d 1h 15m, or off."),
            count=MAX_OFFSETS,
        )
    offsets = []
    for word in words:
        parts = _OFFSET.findall(word)
        if not parts or "".join(n + u for n, u in parts).lower() != word.lower().replace(" ", ""):
            raise UsageError(
                N_("“{value}” is not a time before the meeting; write e.g. 1d, 2h, 15m or 1h30m."),
                value=word[:20],
            )
        minutes = sum(int(n) * _UNIT_MINUTES.get(u.lower(), 1) for n, u in parts)
        if not 0 < minutes <= MAX_OFFSET_MINUTES:
            raise UsageError(
                N_("“{value}” is out of range: between 1 minute and 4 weeks."), value=word[:20]
            )
        offsets.append(minutes)
    return tuple(sorted(set(offsets), reverse=True))


# --- How meetings read --------------------------------------------------------------------


def _locale(language: str) -> str:
    return BABEL_LOCALES.get(language, "en_GB")


def show_time(moment: datetime, zone: str, language: str) -> str:
    """A date and time with its zone: "Tue, 24 Nov 2026, 14:00 (Europe/Luxembourg)"."""
    tz, locale = ZoneInfo(zone), _locale(language)
    day = format_skeleton("yMMMEd", moment, tzinfo=tz, locale=locale)
    return f"{day}, {format_skeleton('Hm', moment, tzinfo=tz, locale=locale)} ({zone})"


def show_span(start: datetime, end: datetime, zone: str, language: str) -> str:
    """Start to end with the zone; the day is said once when both are on the same day."""
    tz, locale = ZoneInfo(zone), _locale(language)
    if start.astimezone(tz).date() != end.astimezone(tz).date():
        return f"{show_time(start, zone, language)} – {show_time(end, zone, language)}"
    day = format_skeleton("yMMMEd", start, tzinfo=tz, locale=locale)
    hours = [format_skeleton("Hm", t, tzinfo=tz, locale=locale) for t in (start, end)]
    return f"{day}, {hours[0]}–{hours[1]} ({zone})"


def show_minutes(minutes: int, language: str) -> str:
    """A time before a meeting in words: "1 day", "1 hour 30 minutes"."""
    locale, parts = _locale(language), []
    for size in (7 * 1440, 1440, 60, 1):
        count, minutes = divmod(minutes, size)
        if count:
            delta = timedelta(minutes=count * size)
            parts.append(format_timedelta(delta, threshold=1, locale=locale, format="long"))
    return " ".join(parts)


def _list(words: list[str], _: Translate) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


_ORDINALS = {
    1: N_("first"),
    2: N_("second"),
    3: N_("third"),
    4: N_("fourth"),
    -1: N_("last"),
}
_BYDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_MONTHLY_BYDAY = re.compile(r"^(-?\d)(MO|TU|WE|TH|FR|SA|SU)$")


def describe_recurrence(rrule: str, first: datetime, zone: str, _: Translate, language: str) -> str:
    """An RRULE in words ("every 2 weeks on Tuesday"); the rule itself if it is unusual."""
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1"))
    byday = parts.pop("BYDAY", None)
    local = first.astimezone(ZoneInfo(zone))
    weekday = format_date(local.date(), "EEEE", locale=_locale(language))
    if parts:
        return rrule
    if freq == "DAILY" and not byday:
        return _("every day") if interval == 1 else _("every {n} days").format(n=interval)
    if freq == "WEEKLY" and not byday:
        if interval == 1:
            return _("every week on {weekday}").format(weekday=weekday)
        return _("every {n} weeks on {weekday}").format(n=interval, weekday=weekday)
    if freq == "MONTHLY" and byday and _MONTHLY_BYDAY.match(byday):
        nth, day = _MONTHLY_BYDAY.match(byday).groups()
        if int(nth) in _ORDINALS:
            day_name = format_date(
                local.date() + timedelta(days=(_BYDAY[day] - local.weekday()) % 7),
                "EEEE",
                locale=_locale(language),
            )
            text = _("on the {nth} {weekday} of every month") if interval == 1 else None
            if text:
                return text.format(nth=_(_ORDINALS[int(nth)]), weekday=day_name)
        return rrule
    if freq == "MONTHLY" and not byday:
        return _("every month") if interval == 1 else _("every {n} months").format(n=interval)
    if freq == "YEARLY" and not byday:
        return _("every year") if interval == 1 else _("every {n} years").format(n=interval)
    return rrule


def _offsets(session: Session, room_id: str) -> tuple[int, ...]:
    chosen = MeetingRepository(session).reminder_offsets(room_id)
    return DEFAULT_OFFSETS if chosen is None else tuple(chosen)


def _describe_offsets(offsets: tuple[int, ...], _: Translate, language: str) -> str:
    if not offsets:
        return _("No reminders in this room.")
    words = [show_minutes(m, language) for m in sorted(offsets, reverse=True)]
    return _("Reminders: {offsets} before.").format(offsets=_list(words, _))


def _next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start of the coming (or current) occurrence; None once a single meeting is over."""
    duration = meeting.end_at - meeting.start_at
    return next_occurrence(meeting.start_at, meeting.timezone, meeting.rrule, after=now - duration)


def when_lines(
    meeting: Meeting, start: datetime, room_zone: str, _: Translate, language: str
) -> list:
    """When (in the room's zone, and in the meeting's own if it differs), and how it repeats."""
    end = start + (meeting.end_at - meeting.start_at)
    lines: list = [fmt(_("When: {when}"), when=bold(show_span(start, end, room_zone, language)))]
    if meeting.timezone != room_zone:
        lines.append(
            fmt(
                _("In its own zone: {when}"), when=show_span(start, end, meeting.timezone, language)
            )
        )
    if meeting.rrule:
        lines.append(
            fmt(
                _("Repeats: {rule}"),
                rule=describe_recurrence(
                    meeting.rrule, meeting.start_at, meeting.timezone, _, language
                ),
            )
        )
    if meeting.place:
        lines.append(fmt(_("Where: {place}"), place=meeting.place))
    return lines


def mentions_of(user_ids: list[str]) -> list[Fragment | str]:
    parts: list[Fragment | str] = []
    for user_id in user_ids:
        if parts:
            parts.append(", ")
        parts.append(mention(user_id))
    return parts


# --- Reminders ----------------------------------------------------------------------------


def schedule_reminders(session: Session, meeting: Meeting, now: datetime) -> int:
    """Create the meeting's reminder rows still to come (the next occurrence's, for a series)."""
    reminders = ReminderRepository(session)
    plan = plan_reminders(
        meeting.start_at,
        meeting.timezone,
        meeting.rrule,
        _offsets(session, meeting.room_id),
        now=now,
        planned=reminders.planned(meeting.id),
    )
    for item in plan:
        reminders.add(meeting.id, item.occurrence_at, item.due_at, item.offset_minutes)
    return len(plan)


@on_sent(PurposeKind.MEETING)
def record_announcement(session: Session, meeting_id: int, event_id: str) -> None:
    """A meeting's announcement was sent: reactions to it are answers."""
    MeetingRepository(session).set_announcement(meeting_id, event_id)


# --- Commands -----------------------------------------------------------------------------


def _understand(
    ctx: CommandContext, phrase: str, zone: str, *, allow_title: bool
) -> tuple[When, str | None]:
    """Read a time phrase in the room's language; bad or past times are usage errors."""
    try:
        when = parse_when(phrase, lang=ctx.language, tz=zone, now=ctx.now)
    except WhenError as exc:
        raise when_error(exc) from None
    if when.title and not allow_title:
        raise UsageError(
            N_("I understood the time but not “{words}”."), words=when.title[:MAX_TITLE]
        )
    if when.start <= ctx.now:
        raise UsageError(
            N_("{when} is in the past."), when=show_time(when.start, zone, ctx.language)
        )
    return when, when.title


def _meeting(ctx: CommandContext, short_id: int, *, scheduled: bool = True) -> Meeting:
    meeting = MeetingRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if meeting is None:
        raise UsageError(N_("There is no meeting #{id} in this room."), id=short_id)
    if scheduled and meeting.status != SCHEDULED:
        raise UsageError(N_("Meeting #{id} is cancelled."), id=short_id)
    return meeting


def _may_change(ctx: CommandContext, meeting: Meeting) -> None:
    if meeting.creator != ctx.sender and not ctx.is_chair:
        raise UsageError(
            N_("Only {creator}, who scheduled meeting #{id}, or a chair may change it."),
            creator=meeting.creator,
            id=meeting.short_id,
        )


@command(
    "meeting",
    usage="add|list|show|cancel|move|agenda|rsvp|reminders|ics …",
    help=N_("Meetings: the subcommands below."),
    parse=lambda raw: split_args(raw)[:1],
)
async def meeting_subcommands(ctx: CommandContext, words: tuple[str, ...]) -> Reply:
    """`!meeting` alone or with an unknown word: what can be done with meetings."""
    _ = ctx._
    lines: list = []
    if words:
        lines.append(
            fmt(_("There is no {command}."), command=code(f"{ctx.prefix}meeting {words[0]}"))
        )
    lines.append(bold(_("Meetings")))
    for cmd in ctx.registry.commands:
        if cmd.name.startswith("meeting "):
            lines.append([code(f"{ctx.prefix}{cmd.name} {cmd.usage}".rstrip()), " — ", _(cmd.help)])
    return Reply.of(*lines)


@command(
    "meeting add",
    usage="<title> <when> [for <duration>] [every …] [at <place or link>] [--tz <zone>]",
    help=N_("Schedule a meeting, e.g. “Plenary next Tuesday 14:00 for 2h every 3 months”."),
    parse=parse_add,
)
async def add_meeting(ctx: CommandContext, args: AddArgs) -> Reply:
    """Schedule a meeting and echo how it was understood; the reply is its announcement."""
    _ = ctx._
    zone = args.zone or ctx.timezone
    when, leftover = _understand(ctx, args.phrase, zone, allow_title=not args.title)
    title = args.title or leftover
    if not title:
        raise UsageError(
            N_("Give the meeting a title, e.g. “Plenary” next Tuesday 14:00."),
        )
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    end = when.end or when.start + DEFAULT_DURATION
    meeting = MeetingRepository(ctx.session).add(
        room_id=ctx.room_id,
        title=title,
        start_at=when.start.astimezone(UTC),
        end_at=end.astimezone(UTC),
        timezone=zone,
        rrule=when.recurrence,
        place=args.place,
        creator=ctx.sender,
        now=ctx.now,
    )
    schedule_reminders(ctx.session, meeting, ctx.now)
    lines: list = [
        fmt(
            _("Meeting #{id} scheduled: {title}"),
            id=str(meeting.short_id),
            title=bold(title),
        ),
        *when_lines(meeting, meeting.start_at, ctx.timezone, _, ctx.language),
        _describe_offsets(_offsets(ctx.session, ctx.room_id), _, ctx.language),
        fmt(
            _("Answer with ✅ ❌ ❓ on this message, or {rsvp}."),
            rsvp=code(f"{ctx.prefix}meeting rsvp {meeting.short_id} yes|no|maybe"),
        ),
    ]
    return Reply.of(*lines).for_purpose(Purpose(PurposeKind.MEETING, meeting.id))


@command(
    "meeting list",
    help=N_("List the meetings to come."),
    aliases=("meetings",),
    parse=lambda raw: None,
)
async def list_meetings(ctx: CommandContext, _args: None) -> Reply:
    """The room's meetings to come, soonest first."""
    _ = ctx._
    upcoming = []
    for meeting in MeetingRepository(ctx.session).scheduled(ctx.room_id, ctx.now):
        start = _next_start(meeting, ctx.now)
        if start is not None:
            upcoming.append((start, meeting))
    if not upcoming:
        return Reply.of(
            _("No meetings to come."),
            fmt(
                _("Schedule one with {example}."),
                example=code(f"{ctx.prefix}meeting add Plenary next Tuesday 14:00"),
            ),
        )
    upcoming.sort(key=lambda pair: (pair[0], pair[1].short_id))
    lines: list = [bold(_("Meetings to come"))]
    for start, meeting in upcoming[:LIST_LIMIT]:
        end = start + (meeting.end_at - meeting.start_at)
        line: list = [
            f"#{meeting.short_id} ",
            bold(meeting.title),
            " — ",
            show_span(start, end, ctx.timezone, ctx.language),
        ]
        if meeting.rrule:
            rule = describe_recurrence(
                meeting.rrule, meeting.start_at, meeting.timezone, _, ctx.language
            )
            line.append(f" ({rule})")
        lines.append(line)
    if len(upcoming) > LIST_LIMIT:
        lines.append(_("… and {count} more.").format(count=len(upcoming) - LIST_LIMIT))
    return Reply.of(*lines)


@command(
    "meeting show",
    usage="<id>",
    help=N_("Show a meeting: time, place, agenda and answers."),
    parse=parse_id,
)
async def show_meeting(ctx: CommandContext, short_id: int) -> Reply:
    """Everything about one meeting."""
    _ = ctx._
    meeting = _meeting(ctx, short_id, scheduled=False)
    meetings = MeetingRepository(ctx.session)
    heading = fmt(_("Meeting #{id}: {title}"), id=str(meeting.short_id), title=bold(meeting.title))
    lines: list = [heading]
    if meeting.status != SCHEDULED:
        lines.append(_("This meeting is cancelled."))
    start = _next_start(meeting, ctx.now) or meeting.start_at
    lines.extend(when_lines(meeting, start, ctx.timezone, _, ctx.language))
    lines.append([_("Scheduled by: "), mention(meeting.creator)])
    agenda = meetings.agenda(meeting.id)
    if agenda:
        lines.append(bold(_("Agenda")))
        lines.extend(f"{item.position}. {item.text}" for item in agenda)
    else:
        lines.append(
            fmt(
                _("No agenda yet; add items with {command}."),
                command=code(f"{ctx.prefix}meeting agenda {meeting.short_id} <item>"),
            )
        )
    answers = meetings.rsvps(meeting.id)
    labels = {"yes": _("Yes"), "no": _("No"), "maybe": _("Maybe")}
    if not answers:
        lines.append(_("Nobody has answered yet."))
    for answer, label in labels.items():
        people = [user for user, given in answers.items() if given == answer]
        if people:
            lines.append([f"{label} ({len(people)}): ", *mentions_of(people)])
    return Reply.of(*lines)


@command(
    "meeting cancel",
    usage="<id>",
    help=N_("Cancel a meeting (whoever scheduled it, or a chair)."),
    parse=parse_id,
)
async def cancel_meeting(ctx: CommandContext, short_id: int) -> Reply:
    """Cancel a meeting and its reminders."""
    meeting = _meeting(ctx, short_id)
    _may_change(ctx, meeting)
    MeetingRepository(ctx.session).cancel(meeting)
    return Reply.of(
        fmt(
            ctx._("Meeting #{id} ({title}) is cancelled; no reminders will be sent."),
            id=str(meeting.short_id),
            title=bold(meeting.title),
        )
    )


@command(
    "meeting move",
    usage="<id> <when> [--tz <zone>]",
    help=N_("Move a meeting to another time (whoever scheduled it, or a chair)."),
    parse=parse_move,
)
async def move_meeting(ctx: CommandContext, args: MoveArgs) -> Reply:
    """Give a meeting a new time; a series keeps its rhythm unless a new one is said."""
    _ = ctx._
    meeting = _meeting(ctx, args.short_id)
    _may_change(ctx, meeting)
    zone = args.zone or ctx.timezone
    when, _leftover = _understand(ctx, args.phrase, zone, allow_title=False)
    end = when.end or when.start + (meeting.end_at - meeting.start_at)
    meetings = MeetingRepository(ctx.session)
    meetings.move(
        meeting, when.start.astimezone(UTC), end.astimezone(UTC), when.recurrence or meeting.rrule
    )
    meeting.timezone = zone
    schedule_reminders(ctx.session, meeting, ctx.now)
    return Reply.of(
        fmt(_("Meeting #{id} moved: {title}"), id=str(meeting.short_id), title=bold(meeting.title)),
        *when_lines(meeting, meeting.start_at, ctx.timezone, _, ctx.language),
    )


@command(
    "meeting agenda",
    usage="<id> [<item>]",
    help=N_("Add an item to a meeting's agenda, or show the agenda."),
    parse=parse_agenda,
)
async def add_agenda_item(ctx: CommandContext, args: tuple[int, str | None]) -> Reply:
    """Append an agenda item; without one, show the agenda."""
    _ = ctx._
    short_id, item = args
    meeting = _meeting(ctx, short_id)
    meetings = MeetingRepository(ctx.session)
    lines: list = []
    if item:
        position = meetings.add_agenda_item(meeting.id, item, ctx.sender, ctx.now)
        lines.append(
            fmt(
                _("Added as item {position} of the agenda of meeting #{id}."),
                position=str(position),
                id=str(meeting.short_id),
            )
        )
    agenda = meetings.agenda(meeting.id)
    lines.append(fmt(_("Agenda of {title}"), title=bold(meeting.title)))
    if not agenda:
        lines.append(_("(empty)"))
    lines.extend(f"{entry.position}. {entry.text}" for entry in agenda)
    return Reply.of(*lines)


@command(
    "meeting rsvp",
    usage="<id> yes|no|maybe",
    help=N_("Say whether you will come (also oui/non/peut-être, ja/nein/vielleicht)."),
    parse=parse_rsvp,
)
async def rsvp(ctx: CommandContext, args: tuple[int, str]) -> Reply:
    """Record the sender's answer; a later answer replaces an earlier one."""
    _ = ctx._
    short_id, answer = args
    meeting = _meeting(ctx, short_id)
    MeetingRepository(ctx.session).set_rsvp(meeting.id, ctx.sender, answer, ctx.now)
    texts = {
        "yes": _("Noted: you are coming to {title} (#{id})."),
        "no": _("Noted: you are not coming to {title} (#{id})."),
        "maybe": _("Noted: you may come to {title} (#{id})."),
    }
    return Reply.of(fmt(texts[answer], title=bold(meeting.title), id=str(meeting.short_id)))


@command(
    "meeting reminders",
    usage="<time before>… | off",
    help=N_("Choose when this room is reminded of meetings, e.g. 1d 1h 15m (default 1d 15m)."),
    permission=Permission.CHAIR,
    parse=parse_offsets,
)
async def set_reminders(ctx: CommandContext, offsets: tuple[int, ...]) -> Reply:
    """Set the room's reminder offsets and re-plan the reminders of its meetings."""
    meetings = MeetingRepository(ctx.session)
    meetings.set_reminder_offsets(ctx.room_id, offsets)
    for meeting in meetings.scheduled(ctx.room_id, ctx.now):
        ReminderRepository(ctx.session).cancel_pending(meeting.id)
        schedule_reminders(ctx.session, meeting, ctx.now)
    return Reply.of(_describe_offsets(offsets, ctx._, ctx.language))


@command(
    "meeting ics",
    usage="<id>",
    help=N_("Send a meeting as an .ics file for Outlook, Thunderbird, Google or Apple Calendar."),
    parse=parse_id,
)
async def send_ics(ctx: CommandContext, short_id: int) -> Reply:
    """The meeting as an iCalendar attachment (encrypted in encrypted rooms)."""
    meeting = _meeting(ctx, short_id, scheduled=False)
    return Reply.file(
        Attachment(
            filename=f"meeting-{meeting.short_id}.ics",
            mimetype="text/calendar",
            data=render_ics(calendar_meeting(ctx.session, meeting, ctx.now)),
        )
    )


@on_event("m.reaction")
async def rsvp_by_reaction(ctx: CommandContext, event: RoomEvent) -> None:
    """✅ ❌ ❓ on a meeting's announcement count as yes, no, maybe; nothing is said back."""
    relation = event.content.relation
    if relation.rel_type != "m.annotation" or relation.key is None or relation.event_id is None:
        return
    answer = REACTIONS.get(reaction_key(relation.key))
    if answer is None:
        return
    meetings = MeetingRepository(ctx.session)
    meeting = meetings.by_announcement(ctx.room_id, relation.event_id)
    if meeting is not None and meeting.status == SCHEDULED:
        meetings.set_rsvp(meeting.id, ctx.sender, answer, ctx.now)


def calendar_meeting(session: Session, meeting: Meeting, now: datetime) -> CalendarMeeting:
    """What the .ics says; the UID is stable, so importing it again updates the event."""
    zone = ZoneInfo(meeting.timezone)
    server = meeting.room_id.partition(":")[2] or "wgbot"
    return CalendarMeeting(
        uid=f"meeting-{meeting.id}-{int(meeting.created_at.timestamp())}@{server}",
        title=meeting.title,
        start=meeting.start_at.astimezone(zone),
        end=meeting.end_at.astimezone(zone),
        zone=meeting.timezone,
        rrule=meeting.rrule,
        place=meeting.place,
        agenda=[item.text for item in MeetingRepository(session).agenda(meeting.id)],
        organizer=meeting.creator,
        room=meeting.room_id,
        cancelled=meeting.status != SCHEDULED,
        stamp=now,
    )
