"""The decision register: every agreed, adopted, rejected or deferred item of a room has a number
(D1, D2…) given when it is recorded (by `!agreed`, `!rejected`, `!deferred` in commands/minutes.py
and by votes, bot/votes.py). Here members list and search it, read one entry, and chairs mark an
entry superseded or revoked; the whole register comes as a file on request."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.args import parse_number, unquote
from bot.decisions import (
    EXPORT_FORMATS,
    EXPORT_MIMETYPES,
    counts_text,
    outcome_label,
    ref,
    register_item,
    render_register,
    status_text,
)
from bot.dispatch import CommandContext
from bot.features import Permission, command
from bot.format import Clock, show_time
from bot.i18n import N_, Translate
from bot.minutes.items import Kind
from bot.parsing import UsageError, split_args
from bot.replies import Attachment, Reply, bold, code, fmt
from storage.decisions import DecisionRepository
from storage.minutes import MinutesRepository
from storage.register_models import Decision
from storage.silence import SilenceRepository
from storage.status import DecisionStatus

PAGE = 20
MAX_ITEM, MAX_SHOWN = 2000, 300  # as commands/minutes.py: an item's length, and as said back
MAX_WORDS, MAX_PAGE = 10, 100_000
LIST_TEXT = 200
NOT_A_NUMBER = N_("“{value}” is not a decision number; write it like D3.")
BY_WORDS = ("by", "par", "durch", "with", "avec", "mit")


# --- Pure argument parsers ----------------------------------------------------------------


def parse_decision_number(token: str) -> int:
    """A register number as the bot shows it: `D3`, `d3`, `#3` or `3`."""
    value = token[1:] if token[:1] in ("D", "d") else token
    try:
        return parse_number(value, NOT_A_NUMBER)
    except UsageError:
        raise UsageError(NOT_A_NUMBER, value=token[:20]) from None


def parse_one_decision(raw: str) -> int:
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Give the decision's number, e.g. D3."))
    return parse_decision_number(words[0])


@dataclass(frozen=True)
class Search:
    """`!decisions [<words>] [--page <n>]`: words the text must all contain, which page."""

    words: tuple[str, ...] = ()
    page: int = 1


def fold(text: str) -> str:
    """Text as the search compares it: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_search(raw: str) -> Search:
    words = split_args(raw)
    page = 1
    if "--page" in (w.lower() for w in words):
        at = [w.lower() for w in words].index("--page")
        if at + 1 >= len(words):
            raise UsageError(N_("Say which page, e.g. --page 2."))
        page = parse_number(words[at + 1], N_("“{value}” is not a page number."))
        if page > MAX_PAGE:
            raise UsageError(N_("“{value}” is not a page number."), value=words[at + 1][:20])
        words = words[:at] + words[at + 2 :]
    folded = tuple(dict.fromkeys(fold(w) for w in words if fold(w).strip()))
    if len(folded) > MAX_WORDS:
        raise UsageError(N_("Search with at most {limit} words."), limit=MAX_WORDS)
    return Search(folded, page)


@dataclass(frozen=True)
class Supersede:
    number: int
    by: int


def parse_supersede(raw: str) -> Supersede:
    """`<n> by <m>` (also par, durch)."""
    words = split_args(raw)
    if len(words) != 3 or words[1].lower() not in BY_WORDS:
        raise UsageError(N_("Say which decision and by which, e.g. D3 by D7."))
    number, by = parse_decision_number(words[0]), parse_decision_number(words[2])
    if number == by:
        raise UsageError(N_("A decision cannot supersede itself."))
    return Supersede(number, by)


def parse_format(raw: str) -> str:
    words = split_args(raw)
    form = words[0].lower().lstrip(".") if len(words) == 1 else ""
    form = {"markdown": "md"}.get(form, form)
    if form not in EXPORT_FORMATS:
        raise UsageError(N_("Choose one of: {formats}."), formats=", ".join(EXPORT_FORMATS))
    return form


# --- How entries read -------------------------------------------------------------------------


def _shorten(text: str, limit: int = LIST_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def standing(decision: Decision, _: Translate) -> str:
    """ "Agreed, in force", "Adopted, superseded by D7", "Rejected"."""
    status = status_text(decision, _)
    label = outcome_label(decision.outcome, _)
    if decision.status == DecisionStatus.IN_FORCE and decision.outcome in ("rejected", "deferred"):
        return label
    return _("{outcome}, {status}").format(outcome=label, status=status)


def _decision(ctx: CommandContext, number: int) -> Decision:
    decision = DecisionRepository(ctx.session).by_number(ctx.room_id, number)
    if decision is None:
        raise UsageError(N_("There is no decision {number} in this room."), number=ref(number))
    return decision


# --- Recording outcomes in a meeting (`!agreed` is in commands/minutes.py) ----------------


def parse_outcome(raw: str) -> str:
    """The text of `!rejected` or `!deferred`, as the minutes' items read."""
    text = " ".join(unquote(raw).split())
    if not text:
        raise UsageError(N_("Say what to record, e.g. the decision itself."))
    if len(text) > MAX_ITEM:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_ITEM)
    return text


async def _record(ctx: CommandContext, kind: Kind, text: str) -> Reply:
    """An item of the running meeting under its current topic, entered in the register."""
    minutes = MinutesRepository(ctx.session)
    meeting = minutes.running(ctx.room_id)
    if meeting is None:
        raise UsageError(
            N_("No meeting is being recorded here; start one with {command}."),
            command=f"{ctx.prefix}startmeeting <title>",
        )
    item = minutes.add_item(
        meeting,
        kind=kind.value,
        text=text,
        author=minutes.attributed(meeting, ctx.sender),  # nobody in a Chatham House meeting
        now=ctx.now,
        event_id=ctx.event_id,
    )
    registered = register_item(ctx.session, meeting, item, kind, _shorten(text, MAX_SHOWN), ctx._)
    assert registered is not None  # both kinds are outcomes
    return Reply.of(registered)


@command(
    "rejected",
    usage="<proposal>",
    help=N_("Record a proposal the meeting rejected."),
    aliases=("rejeté", "abgelehnt"),
    parse=parse_outcome,
)
async def add_rejection(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.REJECTED, text)


@command(
    "deferred",
    usage="<proposal>",
    help=N_("Record a question the meeting put off to later."),
    aliases=("reporté", "vertagt"),
    parse=parse_outcome,
)
async def add_deferral(ctx: CommandContext, text: str) -> Reply:
    return await _record(ctx, Kind.DEFERRED, text)


# --- The register -------------------------------------------------------------------------


@command(
    "decisions",
    usage="[<words>] [--page <n>]",
    help=N_("List the decision register, newest first; words search the decisions' text."),
    aliases=("décisions", "beschlüsse"),
    parse=parse_search,
)
async def list_decisions(ctx: CommandContext, search: Search) -> Reply:
    _ = ctx._
    entries = DecisionRepository(ctx.session).of_room(ctx.room_id)
    if not entries:
        return Reply.of(
            _("The decision register of this room is empty."),
            fmt(
                _("Record decisions in a meeting with {commands}."),
                commands=code("!agreed !rejected !deferred !vote".replace("!", ctx.prefix)),
            ),
        )
    if search.words:
        entries = [e for e in entries if all(w in fold(e.text) for w in search.words)]
        if not entries:
            return Reply.of(
                fmt(_("No decision matches {words}."), words=bold(" ".join(search.words)))
            )
    shown = entries[(search.page - 1) * PAGE : search.page * PAGE]
    if not shown:
        raise UsageError(N_("There are only {count} decisions to show."), count=len(entries))
    clock = Clock(ctx.timezone, ctx.language)
    heading = (
        _("Decisions matching {words}, newest first")
        if search.words
        else _("Decision register, newest first")
    )
    lines: list = [fmt(heading, words=bold(" ".join(search.words)))]
    for entry in shown:
        facts = f"{standing(entry, _)}; {clock.day(entry.decided_at)}"
        lines.append([bold(ref(entry.number)), f" {_shorten(entry.text)} — {facts}"])
    rest = len(entries) - search.page * PAGE
    if rest > 0:
        more = " ".join(search.words + ("--page", str(search.page + 1)))
        lines.append(
            fmt(
                _.ngettext("{count} more: {command}", "{count} more: {command}", rest),
                count=str(rest),
                command=code(f"{ctx.prefix}decisions {more}"),
            )
        )
    return Reply.of(*lines)


@command(
    "decision show",
    usage="<n>",
    help=N_("Show a decision of the register: its meeting, topic, date, votes and status."),
    parse=parse_one_decision,
)
async def show_decision(ctx: CommandContext, number: int) -> Reply:
    _ = ctx._
    entry = _decision(ctx, number)
    lines: list = [
        [
            bold(ref(entry.number)),
            " — ",
            fmt(_("{outcome}: {text}"), outcome=outcome_label(entry.outcome, _), text=entry.text),
        ],
        fmt(_("Status: {status}"), status=status_text(entry, _)),
    ]
    when = show_time(entry.decided_at, ctx.timezone, ctx.language)
    lines.append(fmt(_("Date: {when}"), when=when))
    procedure = SilenceRepository(ctx.session).by_decision(ctx.room_id, entry.number)
    if procedure is not None:
        said = _("Adopted by silence procedure {number}, opened by {person}.")
        lines.append(fmt(said, number=f"S{procedure.number}", person=procedure.opened_by))
    meeting = MinutesRepository(ctx.session).get(entry.meeting_id) if entry.meeting_id else None
    if meeting is not None:
        title = meeting.title or _("(title removed)")
        lines.append(fmt(_("Meeting: #{id} {title}"), id=str(meeting.short_id), title=bold(title)))
    if entry.topic:
        lines.append(fmt(_("Topic: {text}"), text=entry.topic))
    if entry.counts:
        lines.append(fmt(_("Votes: {counts}"), counts=counts_text(entry.counts, _)))
    if entry.author:
        lines.append(fmt(_("Recorded by: {person}"), person=entry.author))
    if entry.changed_at and entry.changed_by:
        changed = show_time(entry.changed_at, ctx.timezone, ctx.language)
        lines.append(
            fmt(_("Status changed by {person} on {when}."), person=entry.changed_by, when=changed)
        )
    return Reply.of(*lines)


@command(
    "decision supersede",
    usage="<n> by <m>",
    help=N_("Mark a decision as superseded by a later one (chairs)."),
    permission=Permission.CHAIR,
    parse=parse_supersede,
)
async def supersede_decision(ctx: CommandContext, args: Supersede) -> Reply:
    entry = _decision(ctx, args.number)
    by = _decision(ctx, args.by)
    _ = ctx._
    if by.status != DecisionStatus.IN_FORCE:
        raise UsageError(
            N_("{by} is {status}; only a decision that stands may supersede another."),
            by=ref(by.number),
            status=status_text(by, _),
        )
    if entry.status == DecisionStatus.REVOKED:
        raise UsageError(N_("{number} is revoked already."), number=ref(entry.number))
    if entry.superseded_by == by.number:
        raise UsageError(
            N_("{number} is superseded by {by} already."),
            number=ref(entry.number),
            by=ref(by.number),
        )
    DecisionRepository(ctx.session).supersede(entry, by.number, ctx.sender, ctx.now)
    return Reply.of(
        fmt(
            _("{number} is now superseded by {by}: {text}"),
            number=bold(ref(entry.number)),
            by=bold(ref(by.number)),
            text=_shorten(entry.text),
        )
    )


@command(
    "decision revoke",
    usage="<n>",
    help=N_("Mark a decision as revoked (chairs)."),
    permission=Permission.CHAIR,
    parse=parse_one_decision,
)
async def revoke_decision(ctx: CommandContext, number: int) -> Reply:
    entry = _decision(ctx, number)
    if entry.status == DecisionStatus.REVOKED:
        raise UsageError(N_("{number} is revoked already."), number=ref(entry.number))
    DecisionRepository(ctx.session).revoke(entry, ctx.sender, ctx.now)
    return Reply.of(
        fmt(
            ctx._("{number} is now revoked: {text}"),
            number=bold(ref(entry.number)),
            text=_shorten(entry.text),
        )
    )


@command(
    "decisions export",
    usage="md|csv|json",
    help=N_("Send the whole decision register as a file."),
    parse=parse_format,
)
async def export_decisions(ctx: CommandContext, form: str) -> Reply:
    entries = DecisionRepository(ctx.session).of_room(ctx.room_id)
    minutes = MinutesRepository(ctx.session)
    meetings = {}
    for meeting_id in {e.meeting_id for e in entries if e.meeting_id is not None}:
        meeting = minutes.get(meeting_id)
        if meeting is not None:
            meetings[meeting_id] = meeting.short_id
    clock = Clock(ctx.timezone, ctx.language)
    data = render_register(entries, meetings, form, ctx._, clock, ctx._("Decision register"))
    day = ctx.now.astimezone(ZoneInfo(ctx.timezone)).date().isoformat()
    return Reply.file(
        Attachment(filename=f"decisions-{day}.{form}", mimetype=EXPORT_MIMETYPES[form], data=data)
    )
