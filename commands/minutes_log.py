"""The log of a recorded meeting (see commands/minutes.py): while a meeting runs every message
goes in (its latest version if edited; a marked gap if the bot could not decrypt it), and a
redaction removes the message from the log and whatever it created. Nothing is said back."""

from __future__ import annotations

from bot.attendance import count_present
from bot.content import Content, without_reply_fallback
from bot.dispatch import CommandContext, RoomEvent
from bot.features import on_event
from storage.actions import ActionRepository
from storage.confidential_models import NOBODY
from storage.log import LogRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting
from storage.status import AttendanceWay, LogKind

# A message longer than a Matrix event can be is cut (64 KiB is the protocol's limit anyway).
MAX_BODY = 65_536
LOGGED_MSGTYPES = {"m.text", "m.notice", "m.emote", "m.file", "m.image", "m.audio", "m.video"}


def _reply_fallback_removed(content: Content) -> str:
    """The body without the quoted fallback older clients put before a reply."""
    body = content.body or ""
    if content.relation.in_reply_to and body.startswith("> "):
        body = "\n".join(without_reply_fallback(body.splitlines())).lstrip("\n")
    return body[:MAX_BODY]


def _edit(ctx: CommandContext, event: RoomEvent, original_id: str) -> None:
    """An edit replaces the text of the logged message (its sender's own edits only: none in a
    Chatham House meeting, whose lines do not say whose they are)."""
    minutes = MinutesRepository(ctx.session)
    original = minutes.line(original_id)
    if original is None or original.sender != event.sender or original.kind != LogKind.MESSAGE:
        return
    new = event.content.new_content
    body = new.body if new else None
    if body is None:
        return
    payload = dict(original.payload)
    payload.setdefault("original_body", payload.get("body", ""))
    versions = [*payload.get("versions", []), {"event_id": event.event_id, "body": body[:MAX_BODY]}]
    payload.update(versions=versions, body=body[:MAX_BODY])
    original.payload = payload
    # The edit itself is an event of the log too (without text), so its redaction is found.
    LogRepository(ctx.session).append(
        event_id=event.event_id,
        room_id=ctx.room_id,
        sender=event.sender,
        ts=event.ts,
        kind=LogKind.EDIT,
        payload={"replaces": original_id},
    )


@on_event("m.room.message")
async def log_message(ctx: CommandContext, event: RoomEvent) -> None:
    """While a meeting runs, every message goes into the log; a gap is filled when decrypted."""
    content = event.content
    relation = content.relation
    if relation.rel_type == "m.replace":
        if relation.event_id is not None:
            _edit(ctx, event, relation.event_id)
        return
    msgtype = content.msgtype
    if msgtype not in LOGGED_MSGTYPES or content.body is None:
        return  # a message without text (as clients send them) is nothing to record
    payload = {"msgtype": msgtype, "body": _reply_fallback_removed(content)}
    minutes = MinutesRepository(ctx.session)
    gap = minutes.line(event.event_id)
    if gap is not None:
        if gap.kind == LogKind.GAP:  # its key arrived: the gap becomes the message
            gap.kind, gap.payload = LogKind.MESSAGE, payload
        return
    meeting = minutes.running(ctx.room_id)
    if meeting is not None:
        minutes.record(
            meeting,
            event_id=event.event_id,
            sender=_sender(ctx, meeting, event),
            ts=event.ts,
            kind=LogKind.MESSAGE,
            payload=payload,
        )


def _sender(ctx: CommandContext, meeting: MinutesMeeting, event: RoomEvent) -> str:
    """Who the log line names: nobody in a Chatham House meeting, where speaking counts the
    member present by a mark instead (deleted with the names when it ends)."""
    if MinutesRepository(ctx.session).attributed(meeting, event.sender):
        return event.sender
    count_present(ctx.session, meeting, event.sender, AttendanceWay.SPOKE, event.event_id, event.ts)
    return NOBODY


@on_event("m.room.encrypted")
async def log_gap(ctx: CommandContext, event: RoomEvent) -> None:
    """A message the bot could not decrypt is a marked gap (once: it may be offered again)."""
    minutes = MinutesRepository(ctx.session)
    meeting = minutes.running(ctx.room_id)
    if meeting is None or LogRepository(ctx.session).by_event(event.event_id) is not None:
        return
    minutes.record(
        meeting,
        event_id=event.event_id,
        sender=_sender(ctx, meeting, event),
        ts=event.ts,
        kind=LogKind.GAP,
        payload={},
    )


@on_event("m.room.redaction")
async def honour_redaction(ctx: CommandContext, event: RoomEvent) -> None:
    """A redacted message leaves the log, the minutes and every later export, with what it made."""
    redacts = event.content.redacts
    if redacts is None:
        return
    log = LogRepository(ctx.session)
    entry = log.by_event(redacts)
    if entry is not None and entry.room_id == ctx.room_id and entry.kind == LogKind.EDIT:
        _revert_edit(ctx, str(entry.payload.get("replaces", "")), redacts)
    removed = MinutesRepository(ctx.session).redact(ctx.room_id, redacts)
    actions = ActionRepository(ctx.session)
    doomed = {a.id: a for a in actions.by_event(ctx.room_id, redacts)}
    doomed.update(actions.get_many(removed.action_ids))
    for action in doomed.values():
        actions.remove(action)
    actions.remove_notes_of_event(redacts)


def _revert_edit(ctx: CommandContext, original_id: str, edit_id: str) -> None:
    """A redacted edit: the message reads as before it (its previous version, or the original)."""
    original = MinutesRepository(ctx.session).line(original_id)
    if original is None:
        return
    payload = dict(original.payload)
    versions = [v for v in payload.get("versions", []) if v.get("event_id") != edit_id]
    body = versions[-1]["body"] if versions else payload.get("original_body", "")
    payload.update(versions=versions, body=body)
    if not versions:
        payload.pop("original_body", None)
        payload.pop("versions", None)
    original.payload = payload
