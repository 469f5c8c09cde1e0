"""From a member's message to replies: prefix, several commands, quotes, permission, parse, handle.

Everything a message causes is committed in one transaction together with the id of the event,
so a command is handled exactly once however often the homeserver delivers it. What a handler
sees: the `RoomEvent`, its `CommandContext`, the bot's `Defaults`. The commands and hooks
come declared in the registry (bot/features.py); their words are read by bot/parsing.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dt_time

from sqlalchemy.orm import Session

from bot.content import Content
from bot.errors import log_internal_error
from bot.features import Command, OnEvent, Permission, Registry
from bot.i18n import Translate, translator
from bot.ids import EventId, RoomId, UserId
from bot.parsing import UsageError, command_lines
from bot.replies import Message, Reply, Said, code, fmt, mention, messages, queue
from bot.rooms import room_language, room_settings
from storage.db import Database
from storage.log import LogRepository
from storage.rooms import RoomRepository
from storage.sync import SyncRepository
from storage.undecryptable import UndecryptableRepository

log = logging.getLogger(__name__)

MAX_COMMAND_LENGTH = 4000
# Commands run per message: the rest get one notice, so no message floods a room's replies.
MAX_COMMANDS = 20
# Characters of an unknown command's name said back: the echo of a huge word must stay small.
MAX_ECHO = 40
OK = "ok"


def reaction_key(key: str) -> str:
    """A reaction key without emoji variation selectors: "✅\ufe0f" and "✅" are one answer."""
    return key.replace("\ufe0f", "").replace("\ufe0e", "").strip()


# Sent in clear even in encrypted rooms: nio does not encrypt reactions, redactions never are.
CLEAR_TYPES = frozenset({"m.reaction", "m.room.redaction"})
# The type under which an event the bot could not decrypt (yet) is offered to handlers.
UNDECRYPTABLE = "m.room.encrypted"


@dataclass(frozen=True)
class RoomEvent:
    """A room event as features see it, decrypted (no Matrix client types past sync).

    Its content is typed at construction: given raw JSON (any value), it holds the `Content`
    read from it, so no handler ever meets a field of the wrong JSON type."""

    room_id: RoomId
    event_id: EventId
    sender: UserId
    type: str
    content: Content
    ts: datetime
    room_encrypted: bool
    event_encrypted: bool
    sender_level: int
    # The display names of the members the message mentions, with their user ids, from the
    # room's state: how a name typed without a pill is known to mean someone.
    names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.content, Content):
            object.__setattr__(self, "content", Content.read(self.content))

    def command_text(self) -> str:
        """The text commands may be read from: a member's m.text message, not an edit of one;
        people inserted as pills are there as their user ids."""
        content = self.content
        if self.type != "m.room.message" or content.msgtype != "m.text":
            return ""
        if content.relation.rel_type == "m.replace":
            return ""
        return content.command_body(self.names)


@dataclass
class CommandContext:
    """What a handler may know and touch: the room, the sender, its language, one transaction."""

    room_id: RoomId
    event_id: EventId
    sender: UserId
    language: str
    timezone: str
    session: Session
    now: datetime
    is_chair: bool
    registry: Registry
    prefix: str
    _: Translate = field(repr=False)
    # The bot's settings from its config (e.g. the ceiling of every room's retention).
    defaults: Defaults | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Defaults:
    """The bot's settings from its config, as features see them (rooms may override the
    language and zone)."""

    prefix: str
    language: str
    timezone: str
    chair_level: int
    allow_unencrypted_rooms: bool
    # Action items' rounds: the daily due-day reminders and the weekly digest (None = off).
    action_reminders: dt_time | None = None
    digest: tuple[int, dt_time] | None = None
    # The longest any room's log is kept (`[storage] max_retention`); None = no ceiling.
    max_retention: timedelta | None = None


class Dispatcher:
    """Runs the commands of incoming messages, each message in one transaction."""

    def __init__(
        self,
        registry: Registry,
        db: Database,
        defaults: Defaults,
        clock: Callable[[], datetime],
        on_reply: Callable[[], None] = lambda: None,
    ):
        self.registry = registry
        self.db = db
        self.defaults = defaults
        self.clock = clock
        self.on_reply = on_reply

    async def handle(self, event: RoomEvent) -> bool:
        """Handle an event once: its handlers, then its commands; True if handled now."""
        lines = command_lines(event.command_text(), self.defaults.prefix)
        hooks = self.registry.handlers_for(event.type)
        if not lines and not hooks:
            return False
        if event.room_encrypted and not event.event_encrypted and event.type not in CLEAR_TYPES:
            log.warning("ignored an unencrypted %s in encrypted room %s", event.type, event.room_id)
            return False
        started = time.perf_counter()
        with self.db.transaction() as session:
            sync = SyncRepository(session)
            if sync.is_handled(event.event_id):
                return False
            now = self.clock()
            sync.mark_handled(event.event_id, event.room_id, now)
            said = await self._run(session, event, hooks, lines, now)
            self._queue(session, event, said, now)
        log.debug("handled %s in %.1f ms", event.event_id, (time.perf_counter() - started) * 1000)
        return True

    async def note_undecryptable(self, event: RoomEvent) -> None:
        """Offer an event the bot cannot read yet to its handlers, without marking it handled:
        it comes again, decrypted, if its key arrives."""
        hooks = self.registry.handlers_for(UNDECRYPTABLE)
        if not hooks:
            return
        with self.db.transaction() as session:
            now = self.clock()
            ctx = self._context(session, event, now)
            self._queue(session, event, await self._run_hooks(ctx, hooks, event), now)

    def _queue(
        self, session: Session, event: RoomEvent, said: list[Message], now: datetime
    ) -> None:
        """Put what was said about an event into the outbox, in its transaction; replies answer
        the event."""
        for message in said:
            queue(session, event.room_id, message, now, in_reply_to=event.event_id)
        if said:
            self.on_reply()

    def _context(self, session: Session, event: RoomEvent, now: datetime) -> CommandContext:
        room = room_settings(session, event.room_id, self.defaults)
        return CommandContext(
            room_id=event.room_id,
            event_id=event.event_id,
            sender=event.sender,
            language=room.language,
            timezone=room.timezone,
            session=session,
            now=now,
            is_chair=event.sender_level >= self.defaults.chair_level,
            registry=self.registry,
            prefix=self.defaults.prefix,
            _=room._,
            defaults=self.defaults,
        )

    async def _run_hooks(
        self, ctx: CommandContext, hooks: list[OnEvent], event: RoomEvent
    ) -> list[Message]:
        """Each handler in its own savepoint: one that fails leaves nothing half-written."""
        said: list[Message] = []
        for declared in hooks:
            with ctx.session.begin_nested() as savepoint:
                try:
                    said += messages(await declared.handler(ctx, event))
                except Exception:
                    log_internal_error(log, "handling a %s event in %s", event.type, event.room_id)
                    savepoint.rollback()
                    continue
        return said

    def _language(self, session: Session, room_id: RoomId) -> str:
        return room_language(session, room_id, self.defaults.language)

    def explain_undecryptable(self, received_before: datetime) -> None:
        """Tell each sender once, in the room's language, that the bot could not read their message."""
        with self.db.transaction() as session:
            kept = UndecryptableRepository(session)
            now = self.clock()
            for event in kept.due_for_notice(received_before):
                _ = translator(self._language(session, event.room_id))
                reply = Reply.of(
                    fmt(
                        _(
                            "{sender}: I could not decrypt this message: your app did not share its key with me."
                        ),
                        sender=mention(event.sender),
                    ),
                    _(
                        "Please verify my device (the bot's operator can show its fingerprints), "
                        "then send the message again."
                    ),
                    mentions=[event.sender],
                )
                queue(session, event.room_id, reply, now, in_reply_to=event.event_id)
                event.notified_at = now
        self.on_reply()

    def warn_key_changed(self, user_id: UserId, device_id: str, room_ids: list[RoomId]) -> None:
        """Tell each room shared with a member, once, that one of their devices changed its key."""
        with self.db.transaction() as session:
            for room_id in room_ids:
                _ = translator(self._language(session, room_id))
                reply = Reply.of(
                    fmt(
                        _("Warning: the encryption key of {user}'s device {device} has changed."),
                        user=mention(user_id),
                        device=code(device_id),
                    ),
                    _(
                        "If they did not reinstall their app, someone may be impersonating them: "
                        "verify them before saying anything sensitive."
                    ),
                    mentions=[user_id],
                )
                queue(session, room_id, reply, self.clock())
        self.on_reply()

    def refuse_room(self, room_id: RoomId, *, public: bool) -> None:
        """Say, in the room's language, why the bot leaves a room others can read."""
        with self.db.transaction() as session:
            _ = translator(self._language(session, room_id))
            if public:
                why = _("anyone can join this room")
            else:
                why = _("this room's history is readable by anyone")
            reply = Reply.of(
                _("I am leaving: {why}, and what is said to me is sensitive.").format(why=why),
                _("Invite me again into a private, encrypted room."),
            )
            queue(session, room_id, reply, self.clock())
        self.on_reply()

    async def _run(
        self,
        session: Session,
        event: RoomEvent,
        hooks: list[OnEvent],
        lines: list[str],
        now: datetime,
    ) -> list[Message]:
        if not event.room_encrypted and not self.defaults.allow_unencrypted_rooms:
            if lines and RoomRepository(session).claim_unencrypted_notice(event.room_id, now):
                _ = translator(self._language(session, event.room_id))
                return [
                    Reply.of(
                        _(
                            "I only work in encrypted rooms: everything said here is sensitive. "
                            "Please enable encryption in the room settings, then try again."
                        )
                    )
                ]
            return []
        ctx = self._context(session, event, now)
        said = await self._run_hooks(ctx, hooks, event)
        done = []
        for line in lines[:MAX_COMMANDS]:
            # Each command in its own savepoint: a failing one leaves its siblings' work intact.
            with session.begin_nested() as savepoint:
                cmd, output = await self._run_line(ctx, line)
                if cmd is None:
                    savepoint.rollback()
                else:
                    done.append(cmd.name)
            said += output
            # A handler may change the room's language: later replies follow it.
            ctx._ = translator(ctx.language)
        if len(lines) > MAX_COMMANDS:
            log.info(
                "%d commands in one message in %s: %d not run",
                len(lines),
                event.room_id,
                len(lines) - MAX_COMMANDS,
            )
            text = ctx._(
                "This message holds {count} commands: I ran only the first {limit}. "
                "Send the others in another message."
            )
            said.append(Reply.of(text.format(count=len(lines), limit=MAX_COMMANDS)))
        if done:
            LogRepository(session).append(
                event_id=event.event_id,
                room_id=event.room_id,
                sender=event.sender,
                ts=event.ts,
                kind="command",
                payload={"commands": done},
            )
        return said

    async def _run_line(
        self, ctx: CommandContext, line: str
    ) -> tuple[Command | None, list[Message]]:
        """Run one command line, logged with its name, outcome and time (never its words);
        the command is None when it failed and its work must go."""
        started = time.perf_counter()
        cmd, name, rest = self.registry.resolve(line)
        outcome, said = await self._outcome(ctx, cmd, name, rest, len(line))
        log.info(
            "command %s in %s: %s (%.0f ms)",
            cmd.name if cmd else "(unknown)",
            ctx.room_id,
            outcome,
            (time.perf_counter() - started) * 1000,
        )
        return (cmd if outcome == OK else None), messages(said)

    async def _outcome(
        self, ctx: CommandContext, cmd: Command | None, name: str, rest: str, length: int
    ) -> tuple[str, Said]:
        """What running a resolved command line came to (for the log), and what it says."""
        _ = ctx._
        if cmd is None:
            return "unknown", self._unknown(ctx, name)
        if length > MAX_COMMAND_LENGTH:
            text = _("This command is too long ({length} characters; the limit is {limit}).")
            return "too long", Reply.of(text.format(length=length, limit=MAX_COMMAND_LENGTH))
        if cmd.permission is Permission.CHAIR and not ctx.is_chair:
            text = _("Only chairs (power level {level} or more) may use {command}.")
            return "refused", Reply.of(
                fmt(text, level=str(self.defaults.chair_level), command=code(ctx.prefix + name))
            )
        try:
            args = cmd.parse(rest)
            return OK, await cmd.handler(ctx, args)
        except UsageError as exc:
            return "usage error", self._usage(ctx, cmd, exc)
        except Exception:
            ref = log_internal_error(log, "in %s in %s", cmd.name, ctx.room_id)
            return f"internal error (ref {ref})", Reply.of(
                _("Internal error (ref {ref}).").format(ref=ref)
            )

    def _usage(self, ctx: CommandContext, cmd: Command, error: UsageError) -> Reply:
        usage = code(f"{ctx.prefix}{cmd.name} {cmd.usage}".rstrip())
        return Reply.of(error.render(ctx._), fmt(ctx._("Usage: {usage}"), usage=usage))

    def _unknown(self, ctx: CommandContext, name: str) -> Reply:
        _ = ctx._
        shown = name if len(name) <= MAX_ECHO else name[:MAX_ECHO] + "…"
        lines = [fmt(_("Unknown command {command}."), command=code(ctx.prefix + shown))]
        suggestions = self.registry.suggest(name[: MAX_ECHO + 1])
        if suggestions:
            names = ", ".join(ctx.prefix + s for s in suggestions)
            lines.append(fmt(_("Did you mean {commands}?"), commands=code(names)))
        lines.append(
            fmt(_("Type {help} for the list of commands."), help=code(ctx.prefix + "help"))
        )
        return Reply.of(*lines)
