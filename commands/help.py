"""`!help`: one line per feature area, then an area's or a command's details, from the declarations."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from bot.dispatch import CommandContext
from bot.features import Command, Permission, command
from bot.i18n import N_
from bot.parsing import split_args
from bot.replies import Fragment, Reply, bold, code, fmt


@dataclass(frozen=True)
class Area:
    """A feature area as `!help` shows it: its title, the words that name it, its commands."""

    title: str
    words: dict[str, str]  # the word for `!help <area>` in each language
    also: tuple[str, ...]  # other words that name it (singular, without accents, …)
    commands: tuple[str, ...]  # in the order they are shown


AREAS = (
    Area(
        N_("Meetings"),
        {"en": "meetings", "fr": "réunions", "de": "sitzungen"},
        ("meeting", "réunion", "sitzung", "termine"),
        (
            "meeting add",
            "meeting list",
            "meeting show",
            "meeting cancel",
            "meeting move",
            "meeting agenda",
            "meeting rsvp",
            "meeting reminders",
            "meeting cycle",
            "meeting ics",
        ),
    ),
    Area(
        N_("Polls"),
        {"en": "polls", "fr": "sondages", "de": "umfragen"},
        ("sondage", "umfrage", "abstimmungen"),
        ("poll", "poll results", "poll close", "poll list", "poll export"),
    ),
    Area(
        N_("Find a time"),
        {"en": "find-a-time", "fr": "trouver-une-date", "de": "terminsuche"},
        ("find a time", "trouver une date", "terminfindung"),
        (
            "findtime",
            "findtime results",
            "findtime close",
            "findtime book",
            "findtime list",
            "findtime export",
        ),
    ),
    Area(
        N_("Minutes"),
        {"en": "minutes", "fr": "procès-verbal", "de": "protokoll"},
        ("procès-verbaux", "protokolle", "pv"),
        (
            "startmeeting",
            "topic",
            "next",
            "info",
            "idea",
            "agreed",
            "rejected",
            "deferred",
            "vote",
            "vote close",
            "action",
            "link",
            "chair",
            "unchair",
            "undo",
            "endmeeting",
            "minutes",
            "minutes list",
            "minutes amend",
            "minutes accept",
            "minutes reject",
            "minutes approve",
            "minutes circulate",
            "minutes object",
        ),
    ),
    Area(
        N_("Organisations and attendance"),
        {"en": "organisations", "fr": "organisations", "de": "organisationen"},
        (
            "organisation",
            "organizations",
            "organisations and attendance",
            "organisations et présences",
            "organisationen und anwesenheit",
            "attendance",
            "présences",
            "anwesenheit",
            "quorum",
        ),
        ("org me", "org set", "org clear", "orgs", "here", "apologies", "quorum"),
    ),
    Area(
        N_("Decisions"),
        # "décisions" folds to the English word: `!help décisions` finds it.
        {"en": "decisions", "fr": "decisions", "de": "beschlüsse"},
        (
            "decision",
            "beschluss",
            "register",
            "registre",
            "silence procedure",
            "written procedure",
            "procédure écrite",
            "schweigeverfahren",
            "umlaufverfahren",
        ),
        (
            "decisions",
            "decision show",
            "decision supersede",
            "decision revoke",
            "decisions export",
            "silence",
            "silence object",
            "silence withdraw",
            "silence list",
            "silence show",
        ),
    ),
    Area(
        N_("Actions"),
        {"en": "actions", "fr": "actions", "de": "aufgaben"},
        ("aufgabe",),
        (
            "action",
            "actions",
            "done",
            "action reopen",
            "action drop",
            "action assign",
            "action due",
            "action note",
            "action show",
        ),
    ),
    Area(
        N_("Settings"),
        {"en": "settings", "fr": "réglages", "de": "einstellungen"},
        ("paramètres", "réglage", "einstellung"),
        ("settings", "lang", "timezone", "retention", "help"),
    ),
    Area(
        N_("Confidentiality"),
        {"en": "confidentiality", "fr": "confidentialité", "de": "vertraulichkeit"},
        ("privacy", "chatham", "datenschutz", "vie privée"),
        ("startmeeting", "minutes", "retention", "forget"),
    ),
)


def fold(word: str) -> str:
    """A word as `!help` compares it: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


AREA_BY_WORD = {fold(word): area for area in AREAS for word in (*area.words.values(), *area.also)}


def parse_topic(raw: str) -> str | None:
    """The area or command asked about, if any, without prefix ("!help meeting add")."""
    words = split_args(raw)
    return " ".join(words).lstrip("!").lower() or None


def _synopsis(ctx: CommandContext, cmd: Command) -> Fragment:
    return code(f"{ctx.prefix}{cmd.name} {cmd.usage}".rstrip())


def _names(ctx: CommandContext, area: Area) -> Fragment:
    """An area's commands, one code span per first word: `!poll`, `!poll results|close|list`."""
    groups: dict[str, list[str]] = {}
    for name in area.commands:
        head, _space, sub = name.partition(" ")
        groups.setdefault(head, []).append(sub)
    parts: list[Fragment] = []
    for head, subs in groups.items():
        if "" in subs:
            parts.append(code(ctx.prefix + head))
        rest = [s for s in subs if s]
        if rest:
            parts.append(code(f"{ctx.prefix}{head} {'|'.join(rest)}"))
    return Fragment(", ".join(p.plain for p in parts), ", ".join(p.html for p in parts))


def _overview(ctx: CommandContext) -> Reply:
    _ = ctx._
    lines: list = [bold(_("Commands"))]
    for area in AREAS:
        lines.append(
            fmt(_("{area}: {commands}"), area=bold(_(area.title)), commands=_names(ctx, area))
        )
    example = AREAS[0].words.get(ctx.language, AREAS[0].words["en"])
    lines.append(
        fmt(
            _("Details: {area} for an area, {command} for one command."),
            area=code(f"{ctx.prefix}help {example}"),
            command=code(f"{ctx.prefix}help meeting add"),
        )
    )
    return Reply.of(*lines)


def _area(ctx: CommandContext, area: Area) -> Reply:
    _ = ctx._
    lines: list = [bold(_(area.title))]
    chairs = []
    for name in area.commands:
        cmd = ctx.registry.get(name)
        if cmd is None:
            continue
        lines.append([_synopsis(ctx, cmd), " — ", _(cmd.help)])
        if cmd.permission is Permission.CHAIR:
            chairs.append(ctx.prefix + cmd.name)
    if chairs:
        lines.append(fmt(_("Only chairs may use {commands}."), commands=code(", ".join(chairs))))
    return Reply.of(*lines)


def _command(ctx: CommandContext, cmd: Command) -> Reply:
    _ = ctx._
    lines: list = [_synopsis(ctx, cmd), _(cmd.help)]
    if cmd.aliases:
        lines.append(
            fmt(_("Also: {aliases}"), aliases=code(", ".join(ctx.prefix + a for a in cmd.aliases)))
        )
    if cmd.permission is Permission.CHAIR:
        lines.append(_("Only chairs may use it."))
    return Reply.of(*lines)


def _unknown(ctx: CommandContext, topic: str) -> Reply:
    _ = ctx._
    lines: list = [fmt(_("There is no command or area {topic}."), topic=code(topic))]
    names = (name for cmd in ctx.registry.commands for name in cmd.names)
    known = list(dict.fromkeys([*AREA_BY_WORD, *names]))
    close = difflib.get_close_matches(fold(topic), known, n=3, cutoff=0.6)
    if close:
        suggestions = ", ".join(f"{ctx.prefix}help {word}" for word in close)
        lines.append(fmt(_("Did you mean {commands}?"), commands=code(suggestions)))
    lines.append(fmt(_("Type {help} for the list of commands."), help=code(ctx.prefix + "help")))
    return Reply.of(*lines)


@command(
    "help",
    usage="[<area>|<command>]",
    help=N_("List the commands by area, or explain an area or a command."),
    aliases=("aide", "hilfe"),
    parse=parse_topic,
)
async def show_help(ctx: CommandContext, topic: str | None) -> Reply:
    """The areas and their commands; with a word, that area's or that command's details."""
    if topic is None:
        return _overview(ctx)
    area = AREA_BY_WORD.get(fold(topic))
    if area is not None:
        return _area(ctx, area)
    cmd = ctx.registry.get(topic)
    if cmd is None:
        return _unknown(ctx, topic)
    return _command(ctx, cmd)
