"""Room settings: language and time zone (and the retention in force, shown)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.attendance import describe_rule
from bot.config import LANGUAGES
from bot.dispatch import CommandContext
from bot.features import Permission, command
from bot.i18n import N_, translator
from bot.parsing import UsageError, split_args
from bot.replies import Reply, bold, code, fmt
from bot.retention import describe, room_in_force
from storage.attendance import QuorumRepository
from storage.rooms import RoomRepository
from storage.status import QuorumKind

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}


def parse_language(raw: str) -> str:
    """The language code of `!lang`: one of en, fr, de."""
    words = split_args(raw)
    if len(words) != 1 or words[0].lower() not in LANGUAGES:
        raise UsageError(N_("Choose one of: {languages}."), languages=", ".join(LANGUAGES))
    return words[0].lower()


def parse_timezone(raw: str) -> str:
    """The IANA zone of `!timezone`, e.g. Europe/Luxembourg."""
    words = split_args(raw)
    if len(words) != 1:
        raise UsageError(N_("Give one time zone, e.g. Europe/Luxembourg."))
    try:
        ZoneInfo(words[0])
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(N_("{zone} is not a time zone I know."), zone=words[0]) from None
    return words[0]


@command(
    "lang",
    usage="en|fr|de",
    help=N_("Set the language I use in this room."),
    permission=Permission.CHAIR,
    parse=parse_language,
)
async def set_language(ctx: CommandContext, language: str) -> Reply:
    """Change the room's language; the reply is already in the new one."""
    RoomRepository(ctx.session).set_language(ctx.room_id, language)
    ctx.language = language
    _ = translator(language)
    return Reply.of(
        fmt(_("I will now speak {language} in this room."), language=bold(LANGUAGE_NAMES[language]))
    )


@command(
    "timezone",
    usage="<IANA zone, e.g. Europe/Luxembourg>",
    help=N_("Set the time zone in which I read and show times in this room."),
    permission=Permission.CHAIR,
    parse=parse_timezone,
)
async def set_timezone(ctx: CommandContext, zone: str) -> Reply:
    """Change the room's time zone."""
    RoomRepository(ctx.session).set_timezone(ctx.room_id, zone)
    ctx.timezone = zone
    return Reply.of(fmt(ctx._("Times in this room are now in {zone}."), zone=bold(zone)))


@command("settings", help=N_("Show this room's settings."), parse=lambda raw: None)
async def show_settings(ctx: CommandContext, _args: None) -> Reply:
    """List the room's settings and how to change them."""
    _ = ctx._
    rule = QuorumRepository(ctx.session).get(ctx.room_id)
    quorum = describe_rule(QuorumKind(rule.kind), rule.value, _) if rule else _("off")
    ceiling = ctx.defaults.max_retention if ctx.defaults else None
    return Reply.of(
        bold(_("Settings of this room")),
        fmt(_("Language: {language}"), language=code(ctx.language)),
        fmt(_("Time zone: {zone}"), zone=code(ctx.timezone)),
        fmt(_("Command prefix: {prefix}"), prefix=code(ctx.prefix)),
        describe(room_in_force(ctx.session, ctx.room_id, ceiling), _, ctx.language, ctx.prefix),
        fmt(
            _("Quorum: {rule} (chairs change it with {command})"),
            rule=quorum,
            command=code(ctx.prefix + "quorum"),
        ),
        fmt(
            _("Chairs may change them with {lang} and {timezone}."),
            lang=code(ctx.prefix + "lang"),
            timezone=code(ctx.prefix + "timezone"),
        ),
    )
