"""Getting replies out: too large ones, one room's flood against another's, and a homeserver that
cannot be reached at start (or stops answering during it)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path

import nio
import pytest
from botproc import BotProcess
from helpers import ask, replies_to, room_with_bot
from members import Member

from bot.homeserver import Homeserver, free_port, start_homeserver
from bot.replies import Reply
from bot.sender import MAX_CONTENT_BYTES, content_size
from storage.db import Database
from storage.outbox import OutboxRepository

# Synapse's own default for messages (synapse/config/ratelimiting.py): a burst of 10, then one
# message every 5 s. The other limiters stay off: they would only slow the set-up down.
DEFAULT_MESSAGE_RATE = {"per_second": 0.2, "burst_count": 10}


async def test_an_unknown_command_of_30000_characters_is_answered(members, bot):
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    answer = await ask(alice, room_id, bot, "!" + "x" * 30_000)
    assert answer.body.startswith("Unknown command !xxx")
    assert len(answer.body) < 5000


async def test_the_sender_splits_shortens_or_explains_what_the_server_would_refuse(members, bot):
    """Rows queued as any producer could: each reaches the room in a form the server takes."""
    alice = await members("alice")
    room_id = await room_with_bot(alice, bot)
    asked = {name: await alice.send(room_id, name) for name in ("many", "one", "odd")}
    lines = [f"{i:05d} " + "words " * 16 for i in range(1000)]  # ~100,000 characters
    db = Database(f"sqlite:///{bot.data_dir / 'wgbot.db'}")
    with db.transaction() as session:
        outbox = OutboxRepository(session)
        many = Reply.of(*lines).content(asked["many"])
        outbox.add(room_id, "m.room.message", many, datetime.now(UTC))
        one = Reply.of("y" * 200_000).content(asked["one"])
        outbox.add(room_id, "m.room.message", one, datetime.now(UTC))
        # Not a message, so nothing to split: the server refuses it as too large.
        odd = {"data": "z" * 100_000, "m.relates_to": {"m.in_reply_to": {"event_id": asked["odd"]}}}
        outbox.add(room_id, "org.example.bulky", odd, datetime.now(UTC))
    db.close()
    await ask(alice, room_id, bot, "!settings")  # wakes the sender; the rows were queued first

    await alice.wait_for_reply(room_id, asked["odd"], sender=bot.user_id)
    parts = replies_to(alice, room_id, asked["many"])
    assert len(parts) > 1
    assert "\n".join(p.body for p in parts) == many["body"]
    assert (
        "<br>".join(p.source["content"]["formatted_body"] for p in parts) == many["formatted_body"]
    )
    assert all(content_size(p.source["content"]) <= MAX_CONTENT_BYTES for p in parts)
    [shortened] = replies_to(alice, room_id, asked["one"])
    assert shortened.body.startswith("yyyy") and shortened.body.endswith("y … (cut)")
    [notice] = replies_to(alice, room_id, asked["odd"])
    assert notice.body.startswith("My reply was too large to send (ref ")
    assert isinstance(notice, nio.RoomMessageNotice)
    for secret in ("yyyyyyyy", "zzzzzzzz", "words words"):
        assert secret not in bot.log


async def test_a_flood_in_one_room_does_not_hold_another_rooms_answer(members, tmp_path):
    """At Synapse's default message rate, 20 replies take ~50 s; another room waits for one."""
    hs = start_homeserver(tmp_path / "synapse", overrides={"rc_message": DEFAULT_MESSAGE_RATE})
    bot = BotProcess.create(hs, tmp_path / "bot")
    alice = None
    try:
        await bot.start()
        alice = await Member.register(hs, "alice", tmp_path / "stores")
        flooded = await room_with_bot(alice, bot)
        quiet = await room_with_bot(alice, bot)
        flood = await alice.send(flooded, "\n".join(["!settings"] * 20))
        started = time.monotonic()
        answer = await ask(alice, quiet, bot, "!settings")
        waited = time.monotonic() - started
        await alice.sync()
        done = len(replies_to(alice, flooded, flood))
        assert answer.body.startswith("Settings of this room")
        assert done < 20, f"the other room waited for the whole flood ({waited:.1f} s)"
        assert waited < 15
    finally:
        if alice:
            await alice.close()
        # Not stop(): it would spend its shutdown grace sending the rest of the flood.
        await bot.kill()
        hs.stop()


def unreachable_bot(workdir: Path, homeserver: str) -> BotProcess:
    """A bot configured for a homeserver that cannot be reached (no account: it never logs in)."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.toml"
    config.write_text(
        f"""
[matrix]
homeserver = "{homeserver}"
user_id = "@wgbot:localhost"
password = "not-needed"

[bot]
data_dir = "./data"

[storage]
url = "sqlite:///./data/wgbot.db"
""",
        encoding="utf-8",
    )
    config.chmod(0o600)
    return BotProcess(config_path=config, data_dir=workdir / "data", user_id="@wgbot:localhost")


async def stop_quickly(bot: BotProcess) -> float:
    """SIGTERM; the seconds until the bot exited (it must, with status 0)."""
    started = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(bot.process.wait(), 5)
    except TimeoutError:
        await bot.kill()
        raise AssertionError(f"no exit within 5 s of SIGTERM:\n{bot.log[-3000:]}") from None
    await bot.stop()  # collects the rest of the log
    assert code == 0, bot.log[-3000:]
    return time.monotonic() - started


async def plain_http_server() -> asyncio.Server:
    """A server answering in plain HTTP, where the bot is told to speak TLS."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


@pytest.mark.parametrize(
    ("where", "reason"),
    [("refused", "connection refused"), ("dns", "DNS failure"), ("tls", "TLS error")],
)
async def test_an_unreachable_homeserver_is_named_retried_and_sigterm_stops_the_wait(
    tmp_path, where, reason
):
    server = await plain_http_server()
    host = {
        "refused": f"http://127.0.0.1:{free_port()}",
        "dns": "http://wgbot.invalid:8008",
        "tls": f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}",
    }[where]
    bot = unreachable_bot(tmp_path, host)
    try:
        await bot.launch()
        # Tries at 0, 1 and 3 s (waits of 1, 2, then 4 s): SIGTERM lands in the 4 s wait. The
        # back-off is the same whatever the reason: watched once.
        count = 3 if where == "refused" else 1
        lines = await bot.wait_for_log("cannot reach the homeserver", count=count, timeout=15)
        await stop_quickly(bot)
    finally:
        await bot.kill()
        server.close()
    assert all(host in line and reason in line for line in lines), lines
    assert [line.rsplit("again in ", 1)[1] for line in lines] == ["1 s", "2 s", "4 s"][:count]
    assert "Timed out" not in bot.log
    assert "Traceback" not in bot.log
    assert "stopped before the bot was logged in" in bot.log


class Relay:
    """A TCP relay to the homeserver on a free port; `pipes` says what happens to the bytes of
    one connection, each way."""

    def __init__(self, hs: Homeserver):
        self.homeserver = hs
        self.target = hs.base_url.removeprefix("http://").split(":")
        self.url = ""
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task] = set()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self.url

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = self.target
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        for task in self.pipes(reader, up_writer, up_reader, writer):
            self.tasks.add(asyncio.create_task(task))

    def pipes(self, reader, up_writer, up_reader, writer) -> tuple[Coroutine, Coroutine]:
        """The coroutine relaying requests upstream, and the one relaying answers back."""
        raise NotImplementedError

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.server:
            self.server.close()

    def bot(self, workdir: Path) -> BotProcess:
        """A bot (not started) whose config names this started relay instead of the homeserver."""
        bot = BotProcess.create(self.homeserver, workdir)
        config = bot.config_path.read_text().replace(self.homeserver.base_url, self.url)
        bot.config_path.write_text(config, encoding="utf-8")
        return bot


class HoldingProxy(Relay):
    """A relay that stops relaying at the first request for `path`: the bot then waits for an
    answer that never comes, as with a homeserver that hangs."""

    def __init__(self, hs: Homeserver, path: str):
        super().__init__(hs)
        self.path = path.encode()
        self.held = asyncio.Event()

    def pipes(self, reader, up_writer, up_reader, writer) -> tuple[Coroutine, Coroutine]:
        return self._relay(reader, up_writer, True), self._relay(up_reader, writer, False)

    async def _relay(self, source, sink, upstream: bool) -> None:
        while data := await source.read(65536):
            if upstream and (self.held.is_set() or self.path in data):
                self.held.set()
                continue  # swallowed: the request hangs
            sink.write(data)
            await sink.drain()
        sink.close()


@pytest.mark.parametrize(
    "path",
    ["/login", "/keys/upload", "/keys/query", "/sync"],
    ids=["login", "key-upload", "cross-signing", "first-sync"],
)
async def test_sigterm_stops_a_start_up_stuck_on_the_homeserver(homeserver, tmp_path, path):
    proxy = HoldingProxy(homeserver, path)
    await proxy.start()
    bot = proxy.bot(tmp_path)
    try:
        await bot.launch()
        await asyncio.wait_for(proxy.held.wait(), 30)
        await stop_quickly(bot)
        assert " ready as " not in bot.log
        assert "Traceback" not in bot.log
        if path == "/sync":
            assert "logged in as" in bot.log
    finally:
        await bot.kill()
        await proxy.close()


class CuttingProxy(Relay):
    """A relay that cuts off, once, the answer to the first incremental sync: its headers
    arrive, then the connection closes in the middle of the body."""

    def __init__(self, hs: Homeserver):
        super().__init__(hs)
        self.cut = asyncio.Event()

    def pipes(self, reader, up_writer, up_reader, writer) -> tuple[Coroutine, Coroutine]:
        doomed = asyncio.Event()  # this connection's next answer is the one to cut
        return self._up(reader, up_writer, doomed), self._down(up_reader, writer, doomed)

    async def _up(self, source, sink, doomed: asyncio.Event) -> None:
        while data := await source.read(65536):
            if not self.cut.is_set() and b"/sync?" in data and b"since=" in data:
                doomed.set()
            sink.write(data)
            await sink.drain()
        sink.close()

    async def _down(self, source, sink, doomed: asyncio.Event) -> None:
        while data := await source.read(65536):
            if doomed.is_set() and b"\r\n\r\n" in data:
                sink.write(data[: data.index(b"\r\n\r\n") + 4 + 20])
                await sink.drain()
                self.cut.set()
                break
            sink.write(data)
            await sink.drain()
        sink.close()


async def test_a_sync_answer_cut_off_mid_body_is_fetched_again(members, homeserver, tmp_path):
    """The connection drops after the answer's headers: the bot syncs again and misses nothing."""
    proxy = CuttingProxy(homeserver)
    await proxy.start()
    bot = proxy.bot(tmp_path)
    try:
        await bot.start()
        alice = await members("alice")
        room_id = await room_with_bot(alice, bot)  # the invite comes in the answer that is cut
        answer = await ask(alice, room_id, bot, "!settings")
        assert "Europe/Luxembourg" in answer.body
        assert proxy.cut.is_set()
        assert "sync interrupted" in bot.log
        assert bot.process.returncode is None
        await stop_quickly(bot)
        assert "Traceback" not in bot.log
    finally:
        await bot.kill()
        await proxy.close()
