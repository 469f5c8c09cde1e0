"""`!help`, generated from the declared commands."""

from __future__ import annotations

from bot.dispatch import Command, CommandContext, Permission, UsageError, command, split_args
from bot.i18n import N_
from bot.replies import Reply, bold, code, fmt


def parse_topic(raw: str) -> str | None:
    """The command asked about, if any, without prefix ("!help meeting add")."""
    words = split_args(raw)
    return " ".join(words).lstrip("!").lower() or None


def _synopsis(ctx: CommandContext, cmd: Command):
    return code(f"{ctx.prefix}{cmd.name} {cmd.usage}".rstrip())


@command(
    "help",
    usage="[command]",
    help=N_("List the commands, or explain one."),
    aliases=("aide", "hilfe"),
    parse=parse_topic,
)
async def show_help(ctx: CommandContext, topic: str | None) -> Reply:
    """List every command, or explain one."""
    _ = ctx._
    if topic is None:
        lines: list = [bold(_("Commands"))]
        for cmd in ctx.registry.commands:
            lines.append([_synopsis(ctx, cmd), " — ", _(cmd.help)])
        lines.append(
            fmt(_("Type {example} for details."), example=code(ctx.prefix + "help <command>"))
        )
        return Reply.of(*lines)
    cmd = ctx.registry.get(topic)
    if cmd is None:
        raise UsageError(N_("There is no command {command}."), command=ctx.prefix + topic)
    lines = [_synopsis(ctx, cmd), _(cmd.help)]
    if cmd.aliases:
        lines.append(
            fmt(_("Also: {aliases}"), aliases=code(", ".join(ctx.prefix + a for a in cmd.aliases)))
        )
    if cmd.permission is Permission.CHAIR:
        lines.append(_("Only chairs may use it."))
    return Reply.of(*lines)
