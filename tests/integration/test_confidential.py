"""Confidentiality, as members see it and as the operator's database holds it: a real Synapse,
real E2EE clients, one bot for the module. A Chatham House meeting of members of two
organisations (and one of none) whose rows, minutes and `wgbot export` hold no member's id;
`!forget me` removing exactly that member's rows in one room and none in another."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import nio
from botproc import BotProcess
from helpers import ask, ask_file, is_file_reply, room_with_bot
from members import Member, expect

from bot.msc3381 import POLL_RESPONSE, POLL_START, response_content


def roll_call_check(roll_call_id: str) -> dict:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": roll_call_id, "key": "✅"}}


def db(bot: BotProcess) -> sqlite3.Connection:
    return sqlite3.connect(bot.data_dir / "wgbot.db")


def meeting_rows(bot: BotProcess, room_id: str, short_id: int) -> dict[str, list[tuple]]:
    """Every row of a recorded meeting, as the operator would read them: the meeting, every row
    of every table with its meeting_id, its log lines, its action items' assignees and notes,
    and every log entry of the room written while it ran."""
    with db(bot) as con:
        (meeting_id, started, ended) = con.execute(
            "SELECT id, started_at, ended_at FROM minutes_meetings WHERE room_id = ? AND short_id = ?",
            (room_id, short_id),
        ).fetchone()
        found = {
            "minutes_meetings": con.execute(
                "SELECT * FROM minutes_meetings WHERE id = ?", (meeting_id,)
            ).fetchall()
        }
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
            if "meeting_id" in columns:
                found[table] = con.execute(
                    f"SELECT * FROM {table} WHERE meeting_id = ?",  # noqa: S608
                    (meeting_id,),
                ).fetchall()
        found["log_entries"] = con.execute(
            "SELECT * FROM log_entries WHERE room_id = ? AND ts >= ? AND ts <= ?",
            (room_id, started, ended),
        ).fetchall()
        polls = "SELECT poll_id FROM votes WHERE meeting_id = ?"
        for table, key in (("polls", "id"), ("poll_responses", "poll_id")):
            found[table] = con.execute(
                f"SELECT * FROM {table} WHERE {key} IN ({polls})",  # noqa: S608
                (meeting_id,),
            ).fetchall()
        actions = "SELECT id FROM action_items WHERE meeting_id = ?"
        for table in ("action_assignees", "action_notes"):
            found[table] = con.execute(
                f"SELECT * FROM {table} WHERE action_id IN ({actions})",  # noqa: S608
                (meeting_id,),
            ).fetchall()
    return found


def holding(rows: dict[str, list[tuple]], needles: list[str]) -> list[tuple]:
    return [
        (table, cell)
        for table, found in rows.items()
        for row in found
        for cell in row
        if cell is not None and any(n in str(cell) for n in needles)
    ]


def export(bot: BotProcess, room_id: str) -> list[dict]:
    """`wgbot export` of a room, as the operator runs it while the bot runs."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "export",
            "--config",
            str(bot.config_path),
            "--room",
            room_id,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


async def named(members, *names: tuple[str, str]) -> list[Member]:
    found = []
    for localpart, display in names:
        member = await members(localpart)
        expect(
            await member.client.set_displayname(display), nio.ProfileSetDisplayNameResponse, "name"
        )
        found.append(member)
    return found


async def test_a_chatham_house_meeting_keeps_no_member_id(members, bot):
    alice, bob, carol, dan = await named(
        members,
        ("alice", "Alice Chair"),
        ("bob", "Bob Ministry"),
        ("carol", "Carol NGO"),
        ("dan", "Dan Independent"),
    )
    room_id = await room_with_bot(alice, bot, invite=[m.user_id for m in (bob, carol, dan)])
    for member in (bob, carol, dan):
        await member.join(room_id)
    await ask(bob, room_id, bot, '!org me "MAEE"')
    await ask(carol, room_id, bot, '!org me "Amnesty"')
    await ask(alice, room_id, bot, '!org me "Amnesty"')

    started = await ask(alice, room_id, bot, "!startmeeting Sensitive plenary --chatham")
    assert (
        "Chatham House rule: nothing said in this meeting will be attributed to anyone."
        in started.body.splitlines()
    )
    await dan.send_raw(room_id, "m.reaction", roll_call_check(started.event_id))
    await bob.send(room_id, "Off the record, the ministry will abstain.")
    await ask(carol, room_id, bot, "!info Two cases documented this month")
    await ask(dan, room_id, bot, "!idea Ask the ombudsman")
    await ask(alice, room_id, bot, "!agreed Publish the joint statement")
    await ask(alice, room_id, bot, "!action Secretariat circulate the statement")
    known = {getattr(e, "event_id", None) for e in alice.events(room_id)}
    await ask(alice, room_id, bot, '!vote "Publish the statement now"')
    start = await alice.wait_for(
        lambda e: (
            (getattr(e, "source", {}) or {}).get("type") == POLL_START
            and e.sender == bot.user_id
            and e.event_id not in known
        ),
        room_id=room_id,
    )
    for member, answer in ((bob, "against"), (carol, "for"), (dan, "for"), (alice, "for")):
        await member.send_raw(room_id, POLL_RESPONSE, response_content(start.event_id, [answer]))
    end = await alice.send(room_id, "!endmeeting")
    closed = await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and e.body.startswith("Vote #1 closed")
        ),
        room_id=room_id,
    )
    assert closed.body.splitlines()[1:4] == ["For: 3", "Against: 1", "Abstain: 0"]
    summary = await alice.wait_for(
        lambda e: (
            isinstance(e, nio.RoomMessageNotice)
            and e.sender == bot.user_id
            and e.body.startswith("Meeting #1 ended")
        ),
        room_id=room_id,
    )
    await alice.wait_for(is_file_reply(bot, end), room_id=room_id)
    people = [m.user_id for m in (alice, bob, carol, dan)]
    names = ["Alice Chair", "Bob Ministry", "Carol NGO", "Dan Independent"]
    assert not any(n in summary.body + closed.body for n in people + names)

    rows = meeting_rows(bot, room_id, 1)
    assert len(rows["log_entries"]) >= 8 and len(rows["minutes_items"]) == 5  # with the vote
    assert len(rows["poll_responses"]) == 4 and len(rows["votes"]) == 1
    assert holding(rows, people + names) == []
    meeting_id = rows["minutes_meetings"][0][0]
    # Alice and Carol for Amnesty, Bob for the MAEE (named first in the room), Dan for none.
    assert sorted(rows["attendance_counts"], key=lambda r: r[1]) == [
        (meeting_id, 1, "MAEE", 1),
        (meeting_id, 2, "Amnesty", 2),
        (meeting_id, 3, None, 1),
    ]

    _event, raw = await ask_file(carol, room_id, bot, "!minutes 1 json")
    assert not any(n in raw.decode() for n in people + names)
    doc = json.loads(raw)
    assert doc["present"] == {
        "organisations": [{"name": "MAEE", "members": 1}, {"name": "Amnesty", "members": 2}],
        "without_organisation": 1,
    }
    assert "Off the record, the ministry will abstain." in [line["body"] for line in doc["log"]]
    _event, md = await ask_file(carol, room_id, bot, "!minutes 1 md")
    assert not any(n in md.decode() for n in people + names)

    exported = [r for r in export(bot, room_id) if r["meeting"] == 1]
    assert len(exported) == len(rows["log_entries"])
    assert not any(n in json.dumps(exported) for n in people + names)


async def test_forget_me_removes_exactly_that_members_rows(members, bot):
    alice, bob = await named(members, ("alice", "Alice Chair"), ("bob", "Bob Ministry"))
    here = await room_with_bot(alice, bot, invite=[bob.user_id])
    elsewhere = await room_with_bot(alice, bot, invite=[bob.user_id])
    for room_id in (here, elsewhere):
        await bob.join(room_id)
        await ask(bob, room_id, bot, '!org me "MAEE"')
        await ask(alice, room_id, bot, "!startmeeting Plenary")
        await bob.send(room_id, "My private number is 555 0100")
        await ask(bob, room_id, bot, "!info The ministry's position")
        await ask(alice, room_id, bot, f"!action {bob.user_id} send the figures")
        end = await alice.send(room_id, "!endmeeting")
        await alice.wait_for(is_file_reply(bot, end), room_id=room_id)

    def bobs(room_id: str) -> dict[str, int]:
        with db(bot) as con:
            meetings = "SELECT id FROM minutes_meetings WHERE room_id = ?"
            count = {
                "log": "SELECT count(*) FROM log_entries WHERE room_id = ? AND sender = ?",
                "items": f"SELECT count(*) FROM minutes_items WHERE meeting_id IN ({meetings}) "
                "AND author = ?",
                "orgs": "SELECT count(*) FROM organisations WHERE room_id = ? AND user_id = ?",
                "assigned": "SELECT count(*) FROM action_assignees WHERE room_id = ? "
                "AND assignee = ?",
                "attendance": f"SELECT count(*) FROM attendees WHERE meeting_id IN ({meetings}) "
                "AND user_id = ?",
            }
            return {
                k: con.execute(q, (room_id, bob.user_id)).fetchone()[0] for k, q in count.items()
            }

    before_elsewhere = bobs(elsewhere)
    assert bobs(here) == {"log": 3, "items": 1, "orgs": 1, "assigned": 1, "attendance": 1}
    explained = await ask(bob, here, bot, "!forget me")
    assert explained.body.startswith("This erases, for good, what you said and did in this room:")
    refused = await ask(alice, here, bot, f"!forget {bob.user_id}")
    assert refused.body.startswith("Nobody can have someone else's words erased, not even a chair")
    done = await ask(bob, here, bot, "!forget me confirm")
    assert done.body.splitlines()[:2] == [
        "Erased in this room:",
        "4 messages or commands removed from the log.",  # with his `!forget me`
    ]
    assert bobs(here) == {"log": 0, "items": 0, "orgs": 0, "assigned": 0, "attendance": 0}
    assert bobs(elsewhere) == before_elsewhere
    with db(bot) as con:
        erased = con.execute(
            "SELECT text, author FROM minutes_items JOIN erased_items ON item_id = id"
        ).fetchall()
    assert erased == [("", "")]
    _event, md = await ask_file(alice, here, bot, "!minutes 1 md")
    text = md.decode()
    assert "(removed at the author's request)" in text and "555 0100" not in text
    assert bob.user_id not in {r["sender"] for r in export(bot, here)}
    assert bob.user_id in {r["sender"] for r in export(bot, elsewhere)}
