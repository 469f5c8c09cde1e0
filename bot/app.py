"""Wires the bot together and runs it until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aiohttp import ClientError
from sqlalchemy.orm import Session

import commands
from bot.config import Config
from bot.dispatch import Defaults, Dispatcher
from bot.features import Registry, Runtime
from bot.matrix import connect, unreachable_reason, warn_if_config_exposed
from bot.scheduler import TimerService
from bot.sender import Sender
from bot.sync import Syncer
from bot.trust import Trust
from storage.db import Database
from storage.outbox import Purpose

log = logging.getLogger(__name__)
T = TypeVar("T")

SHUTDOWN_GRACE_S = 10
# After a stop is asked, how long the event in hand may take before it is abandoned (it is not
# marked handled then, and comes again at the next start).
STOP_GRACE_S = 2


def utcnow() -> datetime:
    return datetime.now(UTC)


async def until_stopped(stop: asyncio.Event, work: Awaitable[T], grace: float = 0) -> T | None:
    """The result of `work`, or None if `stop` is set first: then `work` has `grace` seconds to
    finish on its own before it is cancelled."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            await asyncio.wait({task}, timeout=grace)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return None
        return task.result()
    finally:
        stopping.cancel()


async def run(config: Config) -> None:
    """Run the bot: migrate, log in, catch up, then serve until asked to stop."""
    # First of all: SIGTERM and Ctrl-C stop the bot at any stage, waiting for the homeserver too.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    os.umask(0o077)  # everything the bot writes (database, store, secrets) is private to it
    warn_if_config_exposed(config)
    registry = Registry(commands.MODULES)
    db = Database(config.storage.url)
    db.upgrade()

    log.info("connecting to %s", config.matrix.homeserver)
    client = await until_stopped(stop, connect(config))
    if client is None:
        db.close()
        log.info("stopped before the bot was logged in")
        return

    settings = Defaults(
        prefix=config.bot.command_prefix,
        language=config.bot.language,
        timezone=config.bot.timezone,
        chair_level=config.bot.chair_power_level,
        allow_unencrypted_rooms=config.bot.allow_unencrypted_rooms,
        action_reminders=config.bot.action_reminders,
        digest=config.bot.digest,
        max_retention=config.storage.max_retention,
    )

    def record_sent(session: Session, purpose: Purpose, event_id: str) -> None:
        # What a feature queues here is sent by the same drain that sent this event.
        registry.record_sent(session, purpose, event_id, utcnow())
        timers.sent(purpose.kind)  # e.g. a poll's end: its count is settled on its own time

    sender = Sender(client, db, on_sent=record_sent, language=config.bot.language)
    # Every feature's timers and workers, on one scheduler.
    runtime = Runtime(db, utcnow, settings, client=client, on_outbox=sender.wake)
    timers = TimerService(runtime, registry.timers, registry.workers)

    def after_commands() -> None:
        sender.wake()
        timers.pick_up()  # timers for the rows the commands just committed

    dispatcher = Dispatcher(registry, db, settings, clock=utcnow, on_reply=after_commands)

    trust = Trust(client, db, config.security.trust, dispatcher.warn_key_changed, utcnow)
    sender.trust = trust

    def ready() -> None:
        sender.wake()  # replies decided before a crash go out now
        timers.caught_up()  # e.g. polls' closing times and responses, once caught up
        log.info("ready as %s (device %s)", client.user_id, client.device_id)

    async def leave_after_sending(room_id: str) -> None:
        await sender.drain()
        await client.room_leave(room_id)

    syncer = Syncer(
        client,
        db,
        dispatcher,
        trust,
        allowed_inviters=config.bot.allowed_inviters,
        server_name=config.matrix.server_name,
        grace=timedelta(seconds=config.security.undecryptable_grace_seconds),
        refuse_public_rooms=config.security.refuse_public_rooms,
        leave_after_sending=leave_after_sending,
        on_ready=ready,
    )
    sending = asyncio.create_task(sender.run())
    with db.transaction() as session:
        registry.start(session, settings, utcnow())  # each feature's start-up plans
    log.info("timers set for %d pending row(s)", timers.start())
    try:
        # The syncer watches `stop` itself between requests and events; a start-up request
        # (filter, key upload) waiting for the homeserver is abandoned.
        await until_stopped(stop, syncer.run(stop), grace=STOP_GRACE_S)
    finally:
        log.info("stopping")
        timers.shutdown()
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        # Replies already decided go out now if the homeserver answers; else at the next start.
        client.keep_trying = False
        try:
            await asyncio.wait_for(sender.drain(), SHUTDOWN_GRACE_S)
        except (TimeoutError, ClientError) as exc:
            log.warning(
                "replies left unsent (%s) go out at the next start", unreachable_reason(exc)
            )
        # Never log out: that would delete the device and its keys on the server.
        await client.close()
        db.close()
        log.info("stopped")
