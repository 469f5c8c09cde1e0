"""Polls: native Matrix polls (MSC3381) with Element's count, closing times, secret results,
and find-a-time polls whose best slot becomes a meeting in one command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.args import parse_number, when_error
from bot.dispatch import (
    QUOTES,
    CommandContext,
    RoomEvent,
    UsageError,
    command,
    on_event,
    split_args,
)
from bot.i18n import N_, Translate, translator
from bot.msc3381 import (
    MAX_ANSWERS,
    POLL_END,
    POLL_RESPONSE,
    POLL_START,
    STABLE_POLL_END,
    STABLE_POLL_RESPONSE,
    Answer,
    Response,
    Tally,
    answer_ids,
    end_content,
    reference_of,
    selection_of,
    start_content,
    tally,
)
from bot.replies import Fragment, Reply, bold, code, fmt, mention
from bot.when import When, WhenError, parse_when
from commands.meetings import DEFAULT_DURATION, MAX_TITLE, show_span, show_time
from storage.models import Poll
from storage.outbox import OutboxRepository
from storage.polls import CLOSED, FINDTIME, OPEN, POLL, PollRepository
from storage.rooms import RoomRepository

MIN_OPTIONS = 2
MAX_QUESTION, MAX_OPTION = 500, 200
LIST_LIMIT = 10


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class PollArgs:
    """`!poll`: the question, the options, and the flags (the closing time still a phrase)."""

    question: str
    options: tuple[str, ...]
    multi: bool = False
    secret: bool = False
    closes: str | None = None


@dataclass(frozen=True)
class FindTimeArgs:
    """`!findtime`: the meeting's title and the candidate slots, each a time phrase."""

    title: str
    slots: tuple[str, ...]
    closes: str | None = None


def _check_options(options: list[str]) -> None:
    if len(options) < MIN_OPTIONS:
        raise UsageError(
            N_("A poll needs at least {min} options; you gave {count}."),
            min=MIN_OPTIONS,
            count=len(options),
        )
    if len(options) > MAX_ANSWERS:
        raise UsageError(
            N_("A poll has at most {max} options; you gave {count}."),
            max=MAX_ANSWERS,
            count=len(options),
        )
    seen: set[str] = set()
    for option in options:
        if len(option) > MAX_OPTION:
            raise UsageError(
                N_("An option is too long (at most {limit} characters)."), limit=MAX_OPTION
            )
        folded = " ".join(option.casefold().split())
        if folded in seen:
            raise UsageError(N_("“{option}” is given twice."), option=option)
        seen.add(folded)


def parse_poll(raw: str) -> PollArgs:
    """`"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]`.

    The closing time takes every word after `--closes` up to the next option (`--…`)."""
    multi = secret = False
    closes: list[str] | None = None
    rest: list[str] = []
    collecting = False
    for word in split_args(raw):
        flag = word.lower()
        if flag.startswith("--") and len(flag) > 2:
            collecting = False
            if flag == "--multi":
                multi = True
            elif flag == "--secret":
                secret = True
            elif flag == "--closes":
                closes, collecting = [], True
            else:
                raise UsageError(
                    N_(
                        "Unknown option {option}; the options are "
                        "--multi, --secret and --closes <when>."
                    ),
                    option=word[:20],
                )
        elif collecting:
            closes.append(word)
        else:
            rest.append(word)
    if closes is not None and not closes:
        raise UsageError(N_("Say when the poll closes, e.g. --closes tomorrow 18:00."))
    if not rest or not rest[0].strip():
        raise UsageError(N_("Give the question and the options, each in quotes."))
    question, options = rest[0].strip(), [o.strip() for o in rest[1:] if o.strip()]
    if len(question) > MAX_QUESTION:
        raise UsageError(
            N_("The question is too long (at most {limit} characters)."), limit=MAX_QUESTION
        )
    _check_options(options)
    return PollArgs(
        question=question,
        options=tuple(options),
        multi=multi,
        secret=secret,
        closes=" ".join(closes) if closes else None,
    )


_CLOSES_TAIL = re.compile(r"(?:^|\s)--closes(?:\s+(.*))?$", re.I | re.S)


def parse_findtime(raw: str) -> FindTimeArgs:
    """`"<title>" <when> | <when> | … [--closes <when>]`."""
    raw = raw.strip()
    closes = None
    tail = _CLOSES_TAIL.search(raw)
    if tail:
        closes = (tail.group(1) or "").strip()
        if not closes:
            raise UsageError(N_("Say when the poll closes, e.g. --closes tomorrow 18:00."))
        raw = raw[: tail.start()].strip()
    if not raw or raw[0] not in QUOTES:
        raise UsageError(N_("Give the meeting's title in quotes, then the times separated by |."))
    end = raw.find(QUOTES[raw[0]], 1)
    if end < 0:
        raise UsageError(N_("A quote is not closed: {text}"), text=raw[:40])
    title = raw[1:end].strip()
    if not title:
        raise UsageError(N_("Give the meeting's title in quotes, then the times separated by |."))
    if len(title) > MAX_TITLE:
        raise UsageError(N_("The title is too long (at most {limit} characters)."), limit=MAX_TITLE)
    slots = [s.strip() for s in raw[end + 1 :].split("|")]
    if any(not s for s in slots) and len(slots) > 1:
        raise UsageError(N_("A time between two | is missing."))
    slots = [s for s in slots if s]
    if len(slots) < MIN_OPTIONS:
        raise UsageError(
            N_("A poll needs at least {min} options; you gave {count}."),
            min=MIN_OPTIONS,
            count=len(slots),
        )
    if len(slots) > MAX_ANSWERS:
        raise UsageError(
            N_("A poll has at most {max} options; you gave {count}."),
            max=MAX_ANSWERS,
            count=len(slots),
        )
    return FindTimeArgs(title=title, slots=tuple(slots), closes=closes)


def parse_short_id(token: str) -> int:
    """A poll's number as shown by the bot: `3` or `#3`."""
    return parse_number(token, N_("“{value}” is not a poll number."))


def parse_id(raw: str) -> int:
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Give the poll's number, e.g. 3."))
    return parse_short_id(words[0])


# --- Times --------------------------------------------------------------------------------


def read_time(ctx: CommandContext, phrase: str) -> When:
    """A time phrase in the room's language and zone; unreadable, vague or past ones refused."""
    try:
        when = parse_when(phrase, lang=ctx.language, tz=ctx.timezone, now=ctx.now)
    except WhenError as exc:
        raise when_error(exc) from None
    if when.title:
        raise UsageError(N_("I understood the time but not “{words}”."), words=when.title[:200])
    if when.start <= ctx.now:
        raise UsageError(
            N_("{when} is in the past."), when=show_time(when.start, ctx.timezone, ctx.language)
        )
    return when


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


def _quoted(text: str) -> str:
    """Text in quotes the command parser reads back whole (quotes it does not contain)."""
    for opening, closing in (('"', '"'), ("“", "”"), ("«", "»"), ("„", "“")):
        if opening not in text and closing not in text:
            return f"{opening}{text}{closing}"
    return f'"{text.replace(chr(34), chr(39))}"'


def schedule_command(poll: Poll, answer: dict, prefix: str, room_zone: str, now: datetime) -> str:
    """The `!meeting add` that schedules a find-a-time slot."""
    start = datetime.fromisoformat(answer["start"])
    end = datetime.fromisoformat(answer["end"])
    phrase, tz = slot_phrase(start, end, room_zone, now)
    title = poll.question
    line = f"{prefix}meeting add {_quoted(title)} {phrase}"
    return f"{line} --tz {tz}" if tz else line


# --- How polls read -----------------------------------------------------------------------


def _answers(poll: Poll) -> list[Answer]:
    return [Answer(a["id"], a["text"]) for a in poll.answers]


def current_tally(session: Session, poll: Poll) -> Tally:
    """The poll's count now: responses on or before its end (its close, until the end's time
    is known) count."""
    cutoff = poll.ended_at or (poll.closed_at if poll.status == CLOSED else None)
    responses = [
        Response(r.sender, r.answers, r.ts) for r in PollRepository(session).responses(poll.id)
    ]
    return tally([a["id"] for a in poll.answers], poll.max_selections, responses, cutoff)


def _people(user_ids: tuple[str, ...]) -> list[Fragment | str]:
    parts: list[Fragment | str] = []
    for user_id in user_ids:
        if parts:
            parts.append(", ")
        parts.append(mention(user_id))
    return parts


def _texts(poll: Poll, ids: list[str]) -> list[str]:
    by_id = {a["id"]: a["text"] for a in poll.answers}
    return [by_id[i] for i in ids]


def _list(words: list[str], _: Translate) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def end_text(poll: Poll, counted: Tally, _: Translate) -> str:
    """The poll end's text fallback (what apps without polls show), as Element words it."""
    leaders = counted.leaders()
    if not leaders:
        return _("The poll has ended. No votes were cast.")
    return _("The poll has ended. Top answer: {answers}").format(
        answers=_list(_texts(poll, leaders), _)
    )


def results_lines(
    poll: Poll, counted: Tally, ctx_: Translate, *, final: bool, prefix: str, room_zone: str
) -> list:
    """The readable tally: per option its votes and share, who voted (unless secret)."""
    _ = ctx_
    heading = (
        _("Results of poll #{id} (closed): {question}")
        if final
        else _("Results of poll #{id} so far: {question}")
    )
    lines: list = [fmt(heading, id=str(poll.short_id), question=bold(poll.question))]
    for answer in poll.answers:
        voters = counted.voters[answer["id"]]
        line: list = [
            fmt(
                _("{option}: {count} ({percent}%)"),
                option=bold(answer["text"]),
                count=str(len(voters)),
                percent=str(counted.percent(answer["id"])),
            )
        ]
        if voters and not poll.secret:
            line.extend([" — ", *_people(voters)])
        lines.append(line)
    lines.append(
        _("Voters: {people}; votes cast: {votes}.").format(
            people=counted.people, votes=counted.votes
        )
    )
    if counted.spoilt:
        lines.append(_("Spoilt votes (not counted): {count}.").format(count=len(counted.spoilt)))
    if final:
        lines.extend(_outcome(poll, counted, _, prefix=prefix, room_zone=room_zone))
    return lines


def _outcome(poll: Poll, counted: Tally, _: Translate, *, prefix: str, room_zone: str) -> list:
    leaders = counted.leaders()
    if not leaders:
        return [_("No votes were cast.")]
    texts = _texts(poll, leaders)
    if poll.kind != FINDTIME:
        if len(leaders) == 1:
            return [fmt(_("Top answer: {answer}"), answer=bold(texts[0]))]
        return [fmt(_("Tie between {answers}."), answers=_list(texts, _))]
    by_id = {a["id"]: a for a in poll.answers}
    if len(leaders) == 1:
        lines: list = [fmt(_("Best time: {slot}"), slot=bold(texts[0]))]
        lines.append(_("To schedule it as a meeting:"))
    else:
        lines = [fmt(_("Tie between {answers}."), answers=_list(texts, _))]
        lines.append(_("To schedule one of them as a meeting:"))
    now = datetime.now(UTC) if poll.closed_at is None else poll.closed_at
    for answer_id in leaders:
        lines.append(code(schedule_command(poll, by_id[answer_id], prefix, room_zone, now)))
    return lines


def results_reply(
    session: Session, poll: Poll, _: Translate, *, prefix: str, room_zone: str, final: bool
) -> Reply:
    counted = current_tally(session, poll)
    return Reply.of(
        *results_lines(poll, counted, _, final=final, prefix=prefix, room_zone=room_zone)
    )


# --- Closing ------------------------------------------------------------------------------


def close(
    session: Session,
    poll: Poll,
    *,
    closed_by: str | None,
    now: datetime,
    language: str,
    room_zone: str,
    prefix: str,
    send_end: bool = True,
) -> Reply | None:
    """Close an open poll: queue its end event, store and return its results (None if it was
    closed already). Runs in one transaction with whatever decided the close."""
    if not PollRepository(session).claim_close(poll.id, closed_by, now):
        return None
    _ = translator(language)
    counted = current_tally(session, poll)
    poll.result = counted.to_json()
    if poll.start_event_id and send_end:
        OutboxRepository(session).add(
            poll.room_id,
            POLL_END,
            end_content(poll.start_event_id, end_text(poll, counted, _)),
            now,
            purpose=f"poll-end:{poll.id}",
        )
    lines = results_lines(poll, counted, _, final=True, prefix=prefix, room_zone=room_zone)
    mentions = () if poll.secret else tuple(u for v in counted.voters.values() for u in v)
    return Reply.of(*lines, mentions=mentions)


def _room(session: Session, room_id: str, language: str, zone: str) -> tuple[str, str]:
    room = RoomRepository(session).get(room_id)
    return (room and room.language) or language, (room and room.timezone) or zone


def close_when_due(
    session: Session, poll_id: int, now: datetime, *, language: str, timezone: str, prefix: str
) -> bool:
    """The closing time of a poll has come: close it and post its results (False if it was
    closed already). `language` and `timezone` are the defaults of rooms without settings."""
    poll = PollRepository(session).get(poll_id)
    if poll is None or poll.status != OPEN:
        return False
    language, zone = _room(session, poll.room_id, language, timezone)
    reply = close(
        session, poll, closed_by=None, now=now, language=language, room_zone=zone, prefix=prefix
    )
    if reply is None:
        return False
    OutboxRepository(session).add(poll.room_id, "m.room.message", reply.content(), now)
    return True


def settle(
    session: Session,
    poll_id: int,
    ended_at: datetime,
    now: datetime,
    *,
    language: str,
    timezone: str,
    prefix: str,
) -> bool:
    """The poll end's own time is known: count exactly as clients do from now on; if that
    changes the posted results (a vote sent just before the end reached the bot after it),
    post the corrected ones. True if a correction was queued."""
    poll = PollRepository(session).get(poll_id)
    if poll is None or poll.ended_at is not None:
        return False
    poll.ended_at = ended_at
    counted = current_tally(session, poll)
    if counted.to_json() == poll.result:
        return False
    poll.result = counted.to_json()
    language, zone = _room(session, poll.room_id, language, timezone)
    _ = translator(language)
    lines = [
        _("Corrected count: votes sent just before the end reached me after it."),
        *results_lines(poll, counted, _, final=True, prefix=prefix, room_zone=zone),
    ]
    OutboxRepository(session).add(poll.room_id, "m.room.message", Reply.of(*lines).content(), now)
    return True


def record_sent(session: Session, purpose: str, event_id: str) -> None:
    """The sender tells us the event id of a poll's start or end once sent."""
    kind, _sep, value = purpose.partition(":")
    if not value.isdigit():
        return
    if kind == "poll":
        PollRepository(session).set_start_event(int(value), event_id)
    elif kind == "poll-end":
        PollRepository(session).set_end_event(int(value), event_id)


# --- Commands -----------------------------------------------------------------------------


def _poll(ctx: CommandContext, short_id: int) -> Poll:
    poll = PollRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if poll is None:
        raise UsageError(N_("There is no poll #{id} in this room."), id=short_id)
    return poll


def _start(
    ctx: CommandContext,
    *,
    kind: str,
    question: str,
    answers: list[dict],
    multi: bool,
    secret: bool,
    closes: str | None,
) -> tuple[Poll, list]:
    """Store a poll and queue its start event; the lines that announce it."""
    _ = ctx._
    closes_at = read_time(ctx, closes).start.astimezone(UTC) if closes else None
    poll = PollRepository(ctx.session).add(
        room_id=ctx.room_id,
        kind=kind,
        question=question,
        answers=answers,
        max_selections=len(answers) if multi else 1,
        secret=secret,
        timezone=ctx.timezone,
        creator=ctx.sender,
        closes_at=closes_at,
        now=ctx.now,
    )
    content = start_content(
        question if kind == POLL else _("When shall we meet for {title}?").format(title=question),
        _answers(poll),
        max_selections=poll.max_selections,
        disclosed=not secret,
    )
    # Queued before the reply: the poll shows first, then what the bot says about it.
    OutboxRepository(ctx.session).add(
        ctx.room_id, POLL_START, content, ctx.now, purpose=f"poll:{poll.id}"
    )
    lines: list = []
    if multi:
        lines.append(_("Several answers may be chosen."))
    if secret:
        lines.append(_("Secret: the results are shown when the poll closes."))
    if closes_at:
        lines.append(
            fmt(_("Closes: {when}"), when=bold(show_time(closes_at, ctx.timezone, ctx.language)))
        )
    lines.append(
        fmt(
            _("Vote in the poll above; {results} shows the results, {close} closes it."),
            results=code(f"{ctx.prefix}poll results {poll.short_id}"),
            close=code(f"{ctx.prefix}poll close {poll.short_id}"),
        )
    )
    return poll, lines


@command(
    "poll",
    usage='"<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]',
    help=N_("Start a poll (votes are native: Element shows it); --secret hides the results."),
    parse=parse_poll,
)
async def create_poll(ctx: CommandContext, args: PollArgs) -> Reply:
    """Start a native poll and remember it."""
    ids = answer_ids(len(args.options))
    poll, lines = _start(
        ctx,
        kind=POLL,
        question=args.question,
        answers=[{"id": i, "text": t} for i, t in zip(ids, args.options, strict=True)],
        multi=args.multi,
        secret=args.secret,
        closes=args.closes,
    )
    heading = fmt(
        ctx._("Poll #{id} started: {question}"),
        id=str(poll.short_id),
        question=bold(args.question),
    )
    return Reply.of(heading, *lines)


@command(
    "findtime",
    usage='"<title>" <when> | <when> | … [--closes <when>]',
    help=N_("Find a time to meet: a poll of the times given, the best one then scheduled."),
    parse=parse_findtime,
)
async def find_time(ctx: CommandContext, args: FindTimeArgs) -> Reply:
    """A multiple-choice poll of candidate slots, shown in the room's zone."""
    _ = ctx._
    slots: list[tuple[datetime, datetime]] = []
    for phrase in args.slots:
        when = read_time(ctx, phrase)
        if when.recurrence:
            raise UsageError(N_("“{phrase}” repeats; give single times."), phrase=phrase)
        start = when.start.astimezone(UTC)
        end = (when.end or when.start + DEFAULT_DURATION).astimezone(UTC)
        if (start, end) in slots:
            raise UsageError(N_("“{option}” is given twice."), option=phrase)
        slots.append((start, end))
    ids = answer_ids(len(slots))
    answers = [
        {
            "id": answer_id,
            "text": show_span(start, end, ctx.timezone, ctx.language),
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        for answer_id, (start, end) in zip(ids, slots, strict=True)
    ]
    poll, lines = _start(
        ctx,
        kind=FINDTIME,
        question=args.title,
        answers=answers,
        multi=True,
        secret=False,
        closes=args.closes,
    )
    heading = fmt(
        _("Poll #{id}: when shall we meet for {title}? Choose every time you can make."),
        id=str(poll.short_id),
        title=bold(args.title),
    )
    return Reply.of(heading, *lines)


@command(
    "poll close",
    usage="<id>",
    help=N_("Close a poll and post its results (whoever started it, or a chair)."),
    parse=parse_id,
)
async def close_poll(ctx: CommandContext, short_id: int) -> Reply:
    """Close a poll now: the end event for every app, the results for everyone."""
    poll = _poll(ctx, short_id)
    if poll.status != OPEN:
        raise UsageError(N_("Poll #{id} is closed already."), id=short_id)
    if poll.creator != ctx.sender and not ctx.is_chair:
        raise UsageError(
            N_("Only {creator}, who started poll #{id}, or a chair may close it."),
            creator=poll.creator,
            id=short_id,
        )
    reply = close(
        ctx.session,
        poll,
        closed_by=ctx.sender,
        now=ctx.now,
        language=ctx.language,
        room_zone=ctx.timezone,
        prefix=ctx.prefix,
    )
    assert reply is not None  # it was open, and nothing else runs in this transaction
    return reply


@command(
    "poll results",
    usage="<id>",
    help=N_("Show a poll's results (of a secret poll, only how many voted until it closes)."),
    parse=parse_id,
)
async def show_results(ctx: CommandContext, short_id: int) -> Reply:
    """The count so far, or the final one."""
    _ = ctx._
    poll = _poll(ctx, short_id)
    if poll.status == OPEN and poll.secret:
        counted = current_tally(ctx.session, poll)
        return Reply.of(
            fmt(
                _("Poll #{id} is secret: its results are shown when it closes."),
                id=str(poll.short_id),
            ),
            _("Voters so far: {people}.").format(people=counted.people),
        )
    return results_reply(
        ctx.session,
        poll,
        _,
        prefix=ctx.prefix,
        room_zone=ctx.timezone,
        final=poll.status == CLOSED,
    )


@command(
    "poll list",
    help=N_("List the room's open polls and the latest closed ones."),
    aliases=("polls",),
    parse=lambda raw: None,
)
async def list_polls(ctx: CommandContext, _args: None) -> Reply:
    """Open polls first, then the latest closed ones."""
    _ = ctx._
    polls = PollRepository(ctx.session).of_room(ctx.room_id, LIST_LIMIT)
    if not polls:
        return Reply.of(
            _("No polls yet."),
            fmt(
                _("Start one with {example}."),
                example=code(f'{ctx.prefix}poll "Lunch?" "Pizza" "Pasta"'),
            ),
        )
    lines: list = [bold(_("Polls"))]
    for poll in polls:
        if poll.status == OPEN and poll.closes_at:
            state = _("open, closes {when}").format(
                when=show_time(poll.closes_at, ctx.timezone, ctx.language)
            )
        elif poll.status == OPEN:
            state = _("open")
        else:
            state = _("closed")
        lines.append([f"#{poll.short_id} ", bold(poll.question), f" — {state}"])
    return Reply.of(*lines)


# --- Responses ----------------------------------------------------------------------------


def keep_response(session: Session, event: RoomEvent, now: datetime) -> bool:
    """Keep a response to one of the bot's polls (every one: the tally decides what counts).

    One that came in clear into an encrypted room is ignored, as the dispatcher ignores such
    commands: anyone on the homeserver could have forged it."""
    if event.type not in (POLL_RESPONSE, STABLE_POLL_RESPONSE):
        return False
    if event.room_encrypted and not event.event_encrypted:
        return False
    start = reference_of(event.content)
    polls = PollRepository(session)
    poll = polls.by_start_event(event.room_id, start) if start else None
    if poll is None:
        return False
    return polls.add_response(
        poll.id,
        event_id=event.event_id,
        sender=event.sender,
        answers=selection_of(event.content),
        ts=event.ts,
        now=now,
    )


def keep_fetched(
    session: Session, poll_id: int, events: list[RoomEvent], bot_user: str, now: datetime
) -> datetime | None:
    """Keep the responses fetched from the homeserver; the time of the bot's end of the poll
    (the earliest, should there be several), if it is among the events."""
    poll = PollRepository(session).get(poll_id)
    if poll is None:
        return None
    ends = []
    for event in events:
        if reference_of(event.content) != poll.start_event_id:
            continue
        if event.type in (POLL_END, STABLE_POLL_END) and event.sender == bot_user:
            ends.append(event.ts)
        else:
            keep_response(session, event, now)
    return min(ends, default=None)


@on_event(POLL_RESPONSE, STABLE_POLL_RESPONSE)
async def record_response(ctx: CommandContext, event: RoomEvent) -> None:
    """A vote, a changed vote or a withdrawn one: kept; nothing is said back."""
    keep_response(ctx.session, event, ctx.now)


@on_event("m.room.redaction")
async def forget_redacted_response(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted response no longer counts: the sender's previous one does again (MSC3381)."""
    redacts = event.content.redacts
    if redacts is not None:
        PollRepository(ctx.session).remove_response(ctx.room_id, redacts)


@on_event(POLL_END, STABLE_POLL_END)
async def ended_in_an_app(ctx: CommandContext, event: RoomEvent) -> Reply | None:
    """A chair ended one of the bot's polls from their app (Element offers it to those who may
    remove others' messages): it is closed at that end's time, and the results are posted."""
    if event.room_encrypted and not event.event_encrypted:
        return None
    start = reference_of(event.content)
    poll = PollRepository(ctx.session).by_start_event(ctx.room_id, start) if start else None
    if poll is None or poll.status != OPEN or not ctx.is_chair:
        return None
    reply = close(
        ctx.session,
        poll,
        closed_by=ctx.sender,
        now=event.ts,
        language=ctx.language,
        room_zone=ctx.timezone,
        prefix=ctx.prefix,
        send_end=False,
    )
    poll.ended_at = event.ts
    return reply
