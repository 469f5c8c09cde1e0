"""`wgbot export`: the structured log of a room as JSON Lines and CSV, run as the operator runs it."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from storage.db import Database
from tests.cli import config_for, wgbot
from tests.room import ROOM, Clock, Room

ALICE, BOB = "@alice:example.org", "@bob:example.org"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def logged(db: Database, database_url: str, tmp_path):
    """A room with a recorded meeting; the config of a bot using that database."""
    clock = Clock(START)
    room = Room(db, clock)
    await room.say("!help", ALICE)  # before the meeting: only the command is logged
    await room.say("!startmeeting Budget", ALICE)
    await room.say('=HYPERLINK("https://evil.example","click")', BOB)
    await room.say("!topic Figures", ALICE)
    secret, _ = await room.send("to be redacted", BOB)
    typo, _ = await room.send("teh figures", BOB)
    await room.edit(typo, "the figures", BOB)
    await room.redact(secret, BOB)
    clock.advance(days=2)
    await room.say("!endmeeting", ALICE)
    return config_for(database_url, tmp_path)


async def test_jsonl_has_every_event_with_meeting_and_topic(logged):
    result = wgbot("export", "--config", str(logged), "--room", ROOM, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["body"], r["meeting"], r["topic"]) for r in rows] == [
        ("command", None, None, None),
        ("message", "!startmeeting Budget", 1, None),
        ("message", '=HYPERLINK("https://evil.example","click")', 1, None),
        ("message", "!topic Figures", 1, None),
        ("message", "the figures", 1, "Figures"),
        ("edit", None, None, None),
        ("message", "!endmeeting", 1, "Figures"),
    ]
    assert rows[0]["payload"] == {"commands": ["help"]}
    assert rows[4]["payload"] == {"msgtype": "m.text", "body": "the figures", "edited": True}
    assert "to be redacted" not in result.stdout and "teh figures" not in result.stdout
    assert rows[0]["ts"] == "2026-11-23T09:01:00+00:00"


async def test_csv_neutralises_formulas_and_since_filters(logged, tmp_path):
    out = tmp_path / "log.csv"
    result = wgbot(
        "export", "--config", str(logged), "--room", ROOM, "--format", "csv",
        "--since", "2026-11-25", "--output", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["body"] for r in rows] == ["!endmeeting"]
    result = wgbot("export", "--config", str(logged), "--room", ROOM, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "ts", "event_id", "room_id", "sender", "kind", "meeting", "topic", "body", "payload",
    ]  # fmt: skip
    assert rows[2]["body"] == '\'=HYPERLINK("https://evil.example","click")'
    assert rows[2]["sender"] == BOB and rows[2]["meeting"] == "1"
    bad = wgbot("export", "--config", str(logged), "--room", ROOM, "--since", "last week")
    assert bad.returncode == 1 and "--since is not an ISO date" in bad.stderr
