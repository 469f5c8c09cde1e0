"""Action items: who does what by when, tracked in a register, in a meeting or outside one.

`!action` is owned here; during a recorded meeting it is also an item of the minutes. Who may
change an item (done, reopen, due date, assignees): its assignees, whoever created it, and
chairs. Dropping it: whoever created it, and chairs. Anyone may add a note.

Notices about them come in rounds (due-day reminders, the weekly digest): see
commands/action_rounds.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.actions import item_line, record_in_minutes, show_due
from bot.args import QUOTE_PAIRS, parse_number, parse_one_number, parse_user, read_due
from bot.dispatch import CommandContext
from bot.features import command
from bot.format import Clock, and_more, joined, user_ids
from bot.i18n import N_
from bot.parsing import UsageError, split_args
from bot.replies import Reply, bold, code, fmt, mention
from storage.actions import (
    ActionRepository,
    Listing,
)
from storage.minutes import MinutesRepository
from storage.models import ActionItem
from storage.status import ActionStatus

MAX_TEXT, MAX_NAME, MAX_ASSIGNEES = 1000, 64, 10
DUE_TRIES = 3  # due words tried from the end: "…drafted by the team by Friday"
LIST_LIMIT = 20


# --- Pure argument parsers ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionArgs:
    """`!action`: the assignees (user ids or names) and the rest (text, maybe a due date)."""

    assignees: tuple[str, ...]
    text: str


# A quoted name (one group per pair of quotes) or a word.
_TOKEN = re.compile("|".join(f"{o}([^{c}]*){c}" for o, c in QUOTE_PAIRS) + r"|(\S+)")
# Words before a due date: "by Friday", "due 3 December", "avant le 3 décembre", "bis Freitag".
_DUE = re.compile(
    r"(?:^|\s)(?:due(?:\s+(?:by|on))?|by|avant(?:\s+le)?|bis(?:\s+(?:zum|am|spätestens))?)\s+(?=\S)",
    re.I,
)


_NEXT = re.compile(r"\s*.?", re.S)  # the next character that is not a space


def parse_assignees(raw: str) -> tuple[tuple[str, ...], str]:
    """Leading assignees and the rest: `@a:s @b:s text`, `Name text`, `"Two words", @c:s text`,
    `Name, Other: text`. Names are separated by commas; a colon ends the list."""
    assignees: list[str] = []
    pos, names_allowed = 0, True
    for match in _TOKEN.finditer(raw):
        quoted = next((g for g in match.groups()[:4] if g is not None), None)
        word = match.group(5) or ""
        after = _NEXT.match(raw, match.end()).group()  # not a copy of the rest: linear time
        if quoted is None and not word.strip(",;:"):  # a separator standing alone
            pos = match.end()
            if ":" in word:
                break
            names_allowed = True
            continue
        if quoted is None and word.startswith("@"):
            name, names_allowed = parse_user(word.rstrip(",:;")), word.endswith(",")
        elif names_allowed:
            name = (quoted if quoted is not None else word.rstrip(",:;")).strip()
            names_allowed = word.endswith(",") or (quoted is not None and after.startswith(","))
        else:
            break
        if not name or len(name) > MAX_NAME:
            raise UsageError(
                N_("Say who does it first (a user id or a name of up to {limit} characters)."),
                limit=MAX_NAME,
            )
        assignees.append(name)
        pos = match.end()
        if word.endswith(":"):
            break
        if not names_allowed and not after.lstrip().startswith("@"):
            break
    if len(assignees) > MAX_ASSIGNEES:
        raise UsageError(N_("At most {limit} people per action."), limit=MAX_ASSIGNEES)
    return tuple(dict.fromkeys(assignees)), raw[pos:].strip()


def parse_action(raw: str) -> ActionArgs:
    """`<@user or name>… <text> [by|due <when>]`."""
    assignees, text = parse_assignees(raw.strip())
    if not assignees or not text:
        raise UsageError(
            N_("Say who does what, e.g. @alice:example.org send the invitations by Friday.")
        )
    if len(text) > MAX_TEXT:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_TEXT)
    return ActionArgs(assignees, " ".join(text.split()))


def due_candidates(text: str) -> list[tuple[int, int]]:
    """(where the due words start, where the date starts), the last first."""
    return [(m.start(), m.end()) for m in _DUE.finditer(text)][::-1]


NOT_A_NUMBER = N_("“{value}” is not an action number.")


def parse_short_id(token: str) -> int:
    return parse_number(token, NOT_A_NUMBER)


def parse_ids(raw: str) -> tuple[int, ...]:
    """One or more action numbers: `3`, `#3 4`."""
    words = split_args(raw.replace(",", " "))
    if not words or len(words) > LIST_LIMIT:
        raise UsageError(N_("Give the action's number, e.g. 3."))
    return tuple(dict.fromkeys(parse_short_id(w) for w in words))


def parse_id(raw: str) -> int:
    return parse_one_number(raw, N_("Give the action's number, e.g. 3."), NOT_A_NUMBER)


def parse_id_and_text(raw: str) -> tuple[int, str]:
    words = raw.strip().split(maxsplit=1)
    if len(words) != 2:
        raise UsageError(N_("Give the action's number and then the text, e.g. 3 draft sent."))
    text = " ".join(words[1].split())
    if len(text) > MAX_TEXT:
        raise UsageError(N_("The item is too long (at most {limit} characters)."), limit=MAX_TEXT)
    return parse_short_id(words[0]), text


def parse_assign(raw: str) -> tuple[int, tuple[str, ...]]:
    """`<id> <@user or name>…` (names separated by commas)."""
    words = raw.strip().split(maxsplit=1)
    if len(words) != 2:
        raise UsageError(N_("Give the action's number and who does it, e.g. 3 @bob:example.org."))
    short_id = parse_short_id(words[0])
    rest = words[1].strip()
    # Every word here names someone: "MAEE, ASTI" or "@a:s @b:s".
    assignees, leftover = parse_assignees(rest.replace(" ", ", ") if "," not in rest else rest)
    if leftover:
        raise UsageError(N_("Separate names with commas, e.g. 3 MAEE, @bob:example.org."))
    return short_id, assignees


_NONE_WORDS = {"none", "off", "aucune", "aucun", "keine", "keins", "-"}


def parse_due_change(raw: str) -> tuple[int, str | None]:
    """`<id> <when>` or `<id> none`."""
    words = raw.strip().split(maxsplit=1)
    if len(words) != 2:
        raise UsageError(N_("Give the action's number and its due date, e.g. 3 Friday, or 3 none."))
    phrase = words[1].strip()
    return parse_short_id(words[0]), None if phrase.lower() in _NONE_WORDS else phrase


_FILTERS = {
    "open": "open",
    "mine": "mine",
    "me": "mine",
    "moi": "mine",
    "mes": "mine",
    "meine": "mine",
    "ich": "mine",
    "all": "all",
    "tout": "all",
    "toutes": "all",
    "tous": "all",
    "alle": "all",
    "overdue": "overdue",
    "late": "overdue",
    "retard": "overdue",
    "überfällig": "overdue",
    "done": "done",
    "fait": "done",
    "faites": "done",
    "erledigt": "done",
    "dropped": "dropped",
    "abandonnées": "dropped",
    "verworfen": "dropped",
}


@dataclass(frozen=True)
class ListArgs:
    which: str  # open | mine | all | overdue | done | dropped | person
    person: str | None = None


def parse_listing(raw: str) -> ListArgs:
    """`[mine|all|overdue|done|dropped|@user|name]`; nothing: the room's open items."""
    text = " ".join(split_args(raw))
    if not text:
        return ListArgs("open")
    which = _FILTERS.get(text.lower())
    if which:
        return ListArgs(which)
    if text.startswith("@"):
        return ListArgs("person", parse_user(text))
    if len(text) > MAX_NAME:
        raise UsageError(N_("Choose one of: {formats}."), formats="mine, all, overdue, done, @user")
    return ListArgs("person", text)


# --- Commands ----------------------------------------------------------------------------


def _item(ctx: CommandContext, short_id: int) -> ActionItem:
    item = ActionRepository(ctx.session).by_short_id(ctx.room_id, short_id)
    if item is None:
        raise UsageError(N_("There is no action #{id} in this room."), id=short_id)
    return item


def _may_change(ctx: CommandContext, item: ActionItem, assignees: list[str]) -> None:
    """Assignees, the creator and chairs may change an item."""
    if ctx.sender in assignees or ctx.sender == item.creator or ctx.is_chair:
        return
    if not item.creator:
        raise UsageError(
            N_("Only its assignees or a chair may change action #{id}."), id=item.short_id
        )
    raise UsageError(
        N_("Only its assignees, {creator} who created it, or a chair may change action #{id}."),
        creator=item.creator,
        id=item.short_id,
    )


def split_due(ctx: CommandContext, text: str) -> tuple[str, datetime | None, bool]:
    """The text without its trailing due date, and the due date (if one was said)."""
    for start, phrase_start in due_candidates(text)[:DUE_TRIES]:
        due = read_due(ctx, text[phrase_start:])
        if due is not None and text[:start].strip():
            return text[:start].strip(), due[0], due[1]
    return text, None, False


@command(
    "action",
    usage="<@user or name>… <text> [by|due <when>]",
    help=N_("Record an action item (also in the minutes during a meeting)."),
    parse=parse_action,
)
async def add_action(ctx: CommandContext, args: ActionArgs) -> Reply:
    """Create an action item; in a recorded meeting it is also an item of the minutes."""
    _ = ctx._
    text, due_at, has_time = split_due(ctx, args.text)
    meeting = MinutesRepository(ctx.session).running(ctx.room_id)
    actions = ActionRepository(ctx.session)
    # A Chatham House meeting's action names its assignees, nobody else (bot/confidential.py).
    creator = (
        MinutesRepository(ctx.session).attributed(meeting, ctx.sender) if meeting else ctx.sender
    )
    item = actions.add(
        room_id=ctx.room_id,
        text=text,
        creator=creator,
        assignees=args.assignees,
        now=ctx.now,
        due_at=due_at,
        due_has_time=has_time,
        meeting_id=meeting.id if meeting else None,
        event_id=ctx.event_id,
    )
    if meeting is not None:
        record_in_minutes(ctx.session, meeting, item, creator, ctx.now, ctx.event_id)
    first = fmt(_("Action #{id} recorded."), id=str(item.short_id))
    lines: list = [
        first,
        item_line(item, list(args.assignees), ctx.timezone, ctx.language, _, ctx.now),
    ]
    if meeting is not None:
        lines.append(fmt(_("Also in the minutes of meeting #{id}."), id=str(meeting.short_id)))
    lines.append(
        fmt(_("Mark it done with {command}."), command=code(f"{ctx.prefix}done {item.short_id}"))
    )
    return Reply.of(*lines, mentions=user_ids(args.assignees))


def _listing(ctx: CommandContext, args: ListArgs) -> tuple[str, Listing]:
    _ = ctx._
    actions = ActionRepository(ctx.session)
    if args.which == "mine":
        return _("Your open actions"), actions.open_for(ctx.room_id, ctx.sender, LIST_LIMIT)
    if args.which == "person":
        assert args.person is not None
        title = _("Open actions of {person}").format(person=args.person)
        return title, actions.open_for(ctx.room_id, args.person, LIST_LIMIT)
    if args.which == "overdue":
        return _("Overdue actions"), actions.overdue(ctx.room_id, ctx.now, LIST_LIMIT)
    if args.which == "done":
        return _("Actions done"), actions.closed(ctx.room_id, ActionStatus.DONE, LIST_LIMIT)
    if args.which == "dropped":
        return _("Actions dropped"), actions.closed(ctx.room_id, ActionStatus.DROPPED, LIST_LIMIT)
    if args.which == "all":
        return _("All actions, latest first"), actions.everything(ctx.room_id, LIST_LIMIT)
    return _("Open actions"), actions.open_in_room(ctx.room_id, LIST_LIMIT)


@command(
    "actions",
    usage="[mine|all|overdue|done|dropped|@user|<name>]",
    help=N_("List action items: open ones by default, soonest due first."),
    parse=parse_listing,
)
async def list_actions(ctx: CommandContext, args: ListArgs) -> Reply:
    _ = ctx._
    title, listing = _listing(ctx, args)
    if not listing.items:
        return Reply.of(
            fmt(_("{title}: none."), title=bold(title)),
            fmt(
                _("Record one with {example}."),
                example=code(
                    f"{ctx.prefix}action @alice:example.org send the invitations by Friday"
                ),
            ),
        )
    people = ActionRepository(ctx.session).assignees(i.id for i in listing.items)
    lines: list = [fmt(_("{title} ({count})"), title=bold(title), count=str(listing.total))]
    for item in listing.items:
        lines.append(item_line(item, people[item.id], ctx.timezone, ctx.language, _, ctx.now))
    if listing.total > len(listing.items):
        lines.append(and_more(listing.total - len(listing.items), _))
    return Reply.of(*lines)


@command(
    "done",
    usage="<id>…",
    help=N_("Mark action items done (assignees, whoever created them, chairs)."),
    parse=parse_ids,
)
async def mark_done(ctx: CommandContext, ids: tuple[int, ...]) -> Reply:
    _ = ctx._
    actions = ActionRepository(ctx.session)
    items = [_item(ctx, short_id) for short_id in ids]
    people = actions.assignees(i.id for i in items)
    lines: list = []
    for item in items:
        _may_change(ctx, item, people[item.id])
        if item.status == ActionStatus.DONE:
            lines.append(fmt(_("Action #{id} was done already."), id=str(item.short_id)))
            continue
        actions.close(item, ActionStatus.DONE, ctx.sender, ctx.now)
        lines.append(fmt(_("Done: #{id} {text}"), id=str(item.short_id), text=item.text))
    return Reply.of(*lines)


@command(
    "action reopen",
    usage="<id>",
    help=N_("Reopen an action item done or dropped."),
    parse=parse_id,
)
async def reopen_action(ctx: CommandContext, short_id: int) -> Reply:
    item = _item(ctx, short_id)
    actions = ActionRepository(ctx.session)
    _may_change(ctx, item, actions.assignees([item.id])[item.id])
    if item.status == ActionStatus.OPEN:
        raise UsageError(N_("Action #{id} is open already."), id=short_id)
    actions.reopen(item)
    return Reply.of(fmt(ctx._("Action #{id} is open again."), id=str(short_id)))


@command(
    "action drop",
    usage="<id>",
    help=N_("Drop an action item nobody will do (whoever created it, chairs)."),
    parse=parse_id,
)
async def drop_action(ctx: CommandContext, short_id: int) -> Reply:
    item = _item(ctx, short_id)
    if not item.creator and not ctx.is_chair:
        raise UsageError(N_("Only a chair may drop action #{id}."), id=short_id)
    if ctx.sender != item.creator and not ctx.is_chair:
        raise UsageError(
            N_("Only {creator}, who created action #{id}, or a chair may drop it."),
            creator=item.creator,
            id=short_id,
        )
    if item.status == ActionStatus.DROPPED:
        raise UsageError(N_("Action #{id} was dropped already."), id=short_id)
    ActionRepository(ctx.session).close(item, ActionStatus.DROPPED, ctx.sender, ctx.now)
    return Reply.of(fmt(ctx._("Action #{id} dropped."), id=str(short_id)))


@command(
    "action assign",
    usage="<id> <@user or name>…",
    help=N_("Give an action item to other people (replaces its assignees)."),
    parse=parse_assign,
)
async def assign_action(ctx: CommandContext, args: tuple[int, tuple[str, ...]]) -> Reply:
    short_id, assignees = args
    item = _item(ctx, short_id)
    actions = ActionRepository(ctx.session)
    _may_change(ctx, item, actions.assignees([item.id])[item.id])
    actions.set_assignees(item, assignees)
    return Reply.of(
        fmt(ctx._("Action #{id} is now for {people}."), id=str(short_id), people=joined(assignees)),
        mentions=user_ids(assignees),
    )


@command(
    "action due",
    usage="<id> <when>|none",
    help=N_("Set or remove an action item's due date."),
    parse=parse_due_change,
)
async def set_due(ctx: CommandContext, args: tuple[int, str | None]) -> Reply:
    short_id, phrase = args
    item = _item(ctx, short_id)
    actions = ActionRepository(ctx.session)
    _may_change(ctx, item, actions.assignees([item.id])[item.id])
    if phrase is None:
        actions.set_due(item, None, False)
        return Reply.of(fmt(ctx._("Action #{id} has no due date now."), id=str(short_id)))
    due = read_due(ctx, phrase)
    if due is None:
        raise UsageError(
            N_("I could not read a date in “{phrase}”; try e.g. “Friday” or “3 December”."),
            phrase=phrase[:80],
        )
    actions.set_due(item, *due)
    return Reply.of(
        fmt(
            ctx._("Action #{id} is due {date}."),
            id=str(short_id),
            date=show_due(item, ctx.timezone, ctx.language),
        )
    )


@command(
    "action note",
    usage="<id> <text>",
    help=N_("Add a note to an action item."),
    parse=parse_id_and_text,
)
async def add_note(ctx: CommandContext, args: tuple[int, str]) -> Reply:
    short_id, text = args
    item = _item(ctx, short_id)
    ActionRepository(ctx.session).add_note(item, text, ctx.sender, ctx.now, ctx.event_id)
    return Reply.of(fmt(ctx._("Note added to action #{id}."), id=str(short_id)))


@command(
    "action show",
    usage="<id>",
    help=N_("Show an action item with its notes."),
    parse=parse_id,
)
async def show_action(ctx: CommandContext, short_id: int) -> Reply:
    _ = ctx._
    item = _item(ctx, short_id)
    actions = ActionRepository(ctx.session)
    people = actions.assignees([item.id])[item.id]
    clock = Clock(ctx.timezone, ctx.language)
    lines: list = [
        item_line(item, people, ctx.timezone, ctx.language, _, ctx.now),
        fmt(
            _("Created by {person}, {date}"),
            person=mention(item.creator),
            date=clock.day(item.created_at),
        )
        if item.creator  # NOBODY: Chatham House, or erased (bot/confidential.py)
        else fmt(_("Created {date}"), date=clock.day(item.created_at)),
    ]
    if item.closed_by and item.closed_at:
        lines.append(
            fmt(
                _("Closed by {person}, {date}"),
                person=mention(item.closed_by),
                date=clock.day(item.closed_at),
            )
        )
    for note in actions.notes(item.id):
        lines.append([f"• {clock.day(note.created_at)} ", mention(note.author), f": {note.text}"])
    return Reply.of(*lines)
