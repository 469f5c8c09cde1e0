"""Polls, as members see them: a real Synapse, real E2EE clients sending the poll responses
Element sends, the bot as a process: counts, who has not voted, --remind across a restart,
exports decrypted and parsed."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from datetime import UTC, datetime

import nio
from botproc import BotProcess
from helpers import ask, ask_file, from_bot, room_with_bot
from members import Member, reply_target

from bot.msc3381 import POLL_END, POLL_RESPONSE, POLL_START, TEXT, response_content


def notice_starting(bot: BotProcess, text: str):
    def predicate(event) -> bool:
        return (
            isinstance(event, nio.RoomMessageNotice)
            and event.sender == bot.user_id
            and event.body.startswith(text)
        )

    return predicate


async def start_poll(member: Member, room_id: str, bot: BotProcess, command: str):
    """Send a poll command; the poll start event and the notice that follows it."""
    known = {getattr(e, "event_id", None) for e in member.events(room_id)}
    notice = await ask(member, room_id, bot, command)
    start = await member.wait_for(
        lambda e: from_bot(bot, POLL_START)(e) and e.event_id not in known, room_id=room_id
    )
    return start, notice


async def vote(member: Member, room_id: str, start_id: str, answers: list) -> str:
    """A poll response exactly as Element sends it (encrypted: the rooms are)."""
    return await member.send_raw(room_id, POLL_RESPONSE, response_content(start_id, answers))


def poll_row(bot: BotProcess, room_id: str) -> tuple:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute(
            "SELECT status, closes_at, ended_at, end_event_id FROM polls WHERE room_id = ?"
            " ORDER BY id",
            (room_id,),
        ).fetchone()


def reminder_rows(bot: BotProcess) -> list[tuple]:
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        return db.execute("SELECT status, due_at FROM poll_reminders ORDER BY id").fetchall()


def utc(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


async def test_element_counting_changed_spoilt_truncated_withdrawn_and_late_votes(members, bot):
    alice, bob, carol, dan = [await members(n) for n in ("alice", "bob", "carol", "dan")]
    room_id = await room_with_bot(alice, bot, invite=[m.user_id for m in (bob, carol, dan)])
    for member in (bob, carol, dan):
        await member.join(room_id)

    start, notice = await start_poll(alice, room_id, bot, '!poll "Lunch?" Pizza Pasta Soup')
    assert start.decrypted
    wire = await alice.raw_event(room_id, start.event_id)
    assert wire["type"] == "m.room.encrypted"
    poll = start.source["content"][POLL_START]
    assert poll["question"][TEXT] == "Lunch?"
    assert [a[TEXT] for a in poll["answers"]] == ["Pizza", "Pasta", "Soup"]
    assert poll["max_selections"] == 1
    assert start.source["content"][TEXT] == "Lunch?\n1. Pizza\n2. Pasta\n3. Soup"
    assert notice.body.splitlines()[0] == "Poll #1 started: Lunch?"
    pizza, pasta, soup = (a["id"] for a in poll["answers"])

    await vote(alice, room_id, start.event_id, [pizza])
    await vote(alice, room_id, start.event_id, [pasta])  # a change of mind: the latest counts
    await vote(bob, room_id, start.event_id, ["not-an-answer"])  # spoilt
    await vote(carol, room_id, start.event_id, [soup, pizza])  # one answer allowed: Soup
    await vote(dan, room_id, start.event_id, [pizza])
    await vote(dan, room_id, start.event_id, [])  # withdrawn
    results = await ask(bob, room_id, bot, "!poll results 1")
    assert results.body.splitlines() == [
        "Results of poll #1 so far: Lunch?",
        "Pizza: 0 (0%)",
        f"Pasta: 1 (50%) — {alice.user_id}",
        f"Soup: 1 (50%) — {carol.user_id}",
        "Voters: 2; votes cast: 2.",
        "Spoilt votes (not counted): 1.",
        # Bob's vote is spoilt, Dan's withdrawn: neither counts.
        f"Not voted yet: {', '.join(sorted((bob.user_id, dan.user_id)))}",
    ]

    close_id = await alice.send(room_id, "!poll close 1")
    end = await alice.wait_for(from_bot(bot, POLL_END, start.event_id), room_id=room_id)
    assert end.source["content"][POLL_END] == {}
    assert end.source["content"]["m.relates_to"]["rel_type"] == "m.reference"
    assert end.source["content"][TEXT] == "The poll has ended. Top answer: Pasta and Soup"
    final = await alice.wait_for_reply(room_id, close_id, sender=bot.user_id)
    assert final.body.splitlines() == [
        "Results of poll #1 (closed): Lunch?",
        "Pizza: 0 (0%)",
        f"Pasta: 1 (50%) — {alice.user_id}",
        f"Soup: 1 (50%) — {carol.user_id}",
        "Voters: 2; votes cast: 2.",
        "Spoilt votes (not counted): 1.",
        "Tie between Pasta and Soup.",
        f"Did not vote: {', '.join(sorted((bob.user_id, dan.user_id)))}",
    ]
    # Bob saw the end, then voted: too late, for the bot as for every app.
    await bob.wait_for(from_bot(bot, POLL_END, start.event_id), room_id=room_id)
    await vote(bob, room_id, start.event_id, [pizza])
    after = await ask(dan, room_id, bot, "!poll results 1")
    assert after.body.splitlines()[:4] == final.body.splitlines()[:4]
    listing = await ask(dan, room_id, bot, "!polls")
    assert listing.body.splitlines() == ["Polls", "#1 Lunch? — closed"]
    assert alice.undecryptable(room_id) == []


async def test_secret_poll_and_a_close_refused_to_others(members, bot):
    alice, bob = await members("alice"), await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    start, notice = await start_poll(
        alice, room_id, bot, '!poll "Who chairs?" "Ana" "Ben" --secret --multi'
    )
    content = start.source["content"][POLL_START]
    assert content["kind"] == "org.matrix.msc3381.poll.undisclosed"
    assert content["max_selections"] == 2
    ana, ben = (a["id"] for a in content["answers"])
    await vote(bob, room_id, start.event_id, [ana, ben])
    await vote(alice, room_id, start.event_id, [ana])

    hidden = await ask(bob, room_id, bot, "!poll results 1")
    assert hidden.body.splitlines() == [
        "Poll #1 is secret: its results are shown when it closes.",
        "Voters so far: 2.",
        "Everyone has voted.",
    ]
    refused = await ask(bob, room_id, bot, "!poll close 1")
    assert refused.body.splitlines()[0] == (
        f"Only {alice.user_id}, who started poll #1, or a chair may close it."
    )
    final = await ask(alice, room_id, bot, "!poll close 1")
    assert final.body.splitlines() == [
        "Results of poll #1 (closed): Who chairs?",
        "Ana: 2 (67%)",
        "Ben: 1 (33%)",
        "Voters: 2; votes cast: 3.",
        "Top answer: Ana",
        "Everyone voted.",
    ]
    assert final.source["content"]["m.mentions"] == {}
    again = await ask(alice, room_id, bot, "!poll close 1")
    assert again.body.splitlines()[0] == "Poll #1 is closed already."


async def test_who_has_not_voted_and_the_exports_as_encrypted_files(members, bot):
    alice, bob, carol = [await members(n) for n in ("alice", "bob", "carol")]
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id, carol.user_id])
    for member in (bob, carol):
        await member.join(room_id)

    start, notice = await start_poll(
        alice, room_id, bot, '!poll "Venue?" "=Ministry" "NGO office" --multi'
    )
    assert notice.body.splitlines()[2].startswith(
        "Note: Element Web, Element Desktop and the iOS apps let a member choose only one answer"
    )
    ministry, ngo = (a["id"] for a in start.source["content"][POLL_START]["answers"])
    await vote(alice, room_id, start.event_id, [ministry, ngo])
    await vote(bob, room_id, start.event_id, [ngo])
    results = await ask(carol, room_id, bot, "!poll results 1")
    assert results.body.splitlines()[-1] == f"Not voted yet: {carol.user_id}"
    assert results.source["content"]["m.mentions"] == {}  # named, not notified

    file_event, data = await ask_file(alice, room_id, bot, "!poll export 1 csv")
    assert file_event.body == "poll-1.csv"
    assert (await alice.raw_event(room_id, file_event.event_id))["type"] == "m.room.encrypted"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["user_id"], r["answers"]) for r in rows] == [
        (alice.user_id, "'=Ministry; NGO office"),  # a formula never
        (bob.user_id, "NGO office"),
    ]
    # Synapse names a new account after its localpart.
    assert rows[1]["display_name"] == bob.user_id[1:].split(":")[0]
    assert all(datetime.fromisoformat(r["voted_at"]).utcoffset() is not None for r in rows)

    json_event, data = await ask_file(bob, room_id, bot, "!poll export 1 json")
    assert json_event.body == "poll-1.json"
    record = json.loads(data)
    assert [(o["text"], o["votes"]) for o in record["options"]] == [
        ("=Ministry", 1),
        ("NGO office", 2),
    ]
    assert [(b["user_id"], b["answers"]) for b in record["ballots"]] == [
        (alice.user_id, ["=Ministry", "NGO office"]),
        (bob.user_id, ["NGO office"]),
    ]
    assert record["not_voted"] == [carol.user_id]

    refused = await ask(bob, room_id, bot, "!poll export 1 xlsx")
    assert refused.body.splitlines()[0] == "“xlsx” is not a format I export; choose csv or json."
    unknown = await ask(bob, room_id, bot, "!poll export 9 csv")
    assert unknown.body.splitlines()[0] == "There is no poll #9 in this room."
    no_close = await ask(bob, room_id, bot, '!poll "Q?" A B --remind 1h')
    assert no_close.body.splitlines()[0] == (
        "--remind needs a closing time: add --closes <when>, e.g. --closes Friday 18:00 --remind 1d."
    )


async def test_closing_time_across_a_restart_counts_votes_sent_while_down(
    members, homeserver, tmp_path
):
    alice, bob, carol = [await members(n) for n in ("alice", "bob", "carol")]
    bot = BotProcess.create(homeserver, tmp_path / "bot")
    await bot.start()
    try:
        room_id = await room_with_bot(alice, bot, invite=[bob.user_id, carol.user_id])
        await bob.join(room_id)
        await carol.join(room_id)
        start, notice = await start_poll(
            alice, room_id, bot, '!poll "Adopt the budget?" Yes No --closes in 2 minutes'
        )
        assert notice.body.splitlines()[1].startswith("Closes: ")
        yes, no = (a["id"] for a in start.source["content"][POLL_START]["answers"])
        # A second poll reminds, 8 minutes before it closes, those who have not voted.
        venue, venue_notice = await start_poll(
            alice,
            room_id,
            bot,
            '!poll "Venue?" Here There --closes in 10 minutes --remind 8 minutes',
        )
        assert venue_notice.body.splitlines()[2].startswith("Those who have not voted by ")
        here, _there = (a["id"] for a in venue.source["content"][POLL_START]["answers"])
        await vote(bob, room_id, start.event_id, [yes])
        await vote(bob, room_id, venue.event_id, [here])
        await ask(alice, room_id, bot, "!polls")  # the bot has seen Bob's votes
        assert await bot.stop() == 0

        await vote(carol, room_id, start.event_id, [no])  # while the bot is down
        await vote(carol, room_id, venue.event_id, [here])
        status, closes, _ended, _end = poll_row(bot, room_id)
        assert status == "open"
        ((remind_status, remind_due),) = reminder_rows(bot)
        assert remind_status == "pending"
        # The bot is down across the closing time of the first poll and the second's reminder.
        wake = max(utc(closes), utc(remind_due))
        await asyncio.sleep(max(0.0, (wake - datetime.now(UTC)).total_seconds()) + 1)

        await bot.start()
        reminder = await alice.wait_for(notice_starting(bot, "Reminder (late"), room_id=room_id)
        assert reminder.body.splitlines() == [
            reminder.body.splitlines()[0],
            f"Not voted yet: {alice.user_id}",  # Carol's vote, sent while down, counts
        ]
        assert reminder.body.splitlines()[0].startswith(
            "Reminder (late: I was offline at its time): poll #2 closes "
        )
        assert reminder.body.splitlines()[0].endswith(" (Europe/Luxembourg): Venue?")
        assert reminder.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}
        assert reply_target(reminder) is None
        end = await alice.wait_for(from_bot(bot, POLL_END, start.event_id), room_id=room_id)
        results = await alice.wait_for(
            notice_starting(bot, "Results of poll #1 (closed)"), room_id=room_id
        )
        assert reply_target(results) is None
        assert results.body.splitlines() == [
            "Results of poll #1 (closed): Adopt the budget?",
            f"Yes: 1 (50%) — {bob.user_id}",
            f"No: 1 (50%) — {carol.user_id}",
            "Voters: 2; votes cast: 2.",
            "Tie between Yes and No.",
            f"Did not vote: {alice.user_id}",
        ]
        # The count settles on the end event's own time, which the bot fetches.
        for _ in range(50):
            status, _closes, ended, end_id = poll_row(bot, room_id)
            if ended:
                break
            await asyncio.sleep(0.2)
        assert (status, end_id) == ("closed", end.event_id)
        assert ended is not None
        # A restart closes nothing twice, and reminds nobody twice.
        assert await bot.stop() == 0
        await bot.start()
        await ask(alice, room_id, bot, "!polls")
    finally:
        await bot.stop()
    ends = [e for e in alice.events(room_id) if from_bot(bot, POLL_END)(e)]
    assert len(ends) == 1
    reminders = [e for e in alice.events(room_id) if notice_starting(bot, "Reminder")(e)]
    assert len(reminders) == 1
    assert reminder_rows(bot) == [("sent", remind_due)]


async def test_a_meetings_vote_changed_votes_its_close_and_the_register(members, bot):
    alice, bob, carol = [await members(n) for n in ("alice", "bob", "carol")]
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id, carol.user_id])
    for member in (bob, carol):
        await member.join(room_id)

    outside = await ask(alice, room_id, bot, '!vote "Adopt the budget"')
    assert outside.body.startswith("Votes are held in meetings, and none is being recorded here")
    await ask(alice, room_id, bot, "!startmeeting Plenary")
    await ask(alice, room_id, bot, "!topic Budget 2027")
    refused = await ask(bob, room_id, bot, '!vote "Adopt the budget"')
    assert refused.body.startswith("Only the meeting's chairs may use !vote")
    start, notice = await start_poll(alice, room_id, bot, '!vote "Adopt the budget"')
    assert notice.body.splitlines()[0] == "Vote #1: Adopt the budget"
    wire = await alice.raw_event(room_id, start.event_id)
    assert wire["type"] == "m.room.encrypted"
    content = start.source["content"][POLL_START]
    assert [a[TEXT] for a in content["answers"]] == ["For", "Against", "Abstain"]
    assert content["max_selections"] == 1
    yes, no, abstain = (a["id"] for a in content["answers"])

    await vote(bob, room_id, start.event_id, [no])
    await vote(carol, room_id, start.event_id, [yes])
    await vote(alice, room_id, start.event_id, [abstain])
    await vote(bob, room_id, start.event_id, [yes])  # Bob changes his mind: the latest counts
    close_id = await alice.send(room_id, "!vote close")
    end = await alice.wait_for(from_bot(bot, POLL_END, start.event_id), room_id=room_id)
    assert end.source["content"][TEXT] == (
        "The vote has ended: adopted (For 2, Against 0, Abstain 1)."
    )
    final = await alice.wait_for_reply(room_id, close_id, sender=bot.user_id)
    assert final.body.splitlines() == [
        "Vote #1 closed: Adopt the budget",
        f"For: 2 — {carol.user_id}, {bob.user_id}",
        "Against: 0",
        f"Abstain: 1 — {alice.user_id}",
        "Outcome: adopted, entered as D1.",
    ]
    rejected = await ask(alice, room_id, bot, "!rejected Double the budget")
    assert rejected.body == "Rejection D2 recorded: Double the budget"
    shown = await ask(carol, room_id, bot, "!decision show D1")
    assert shown.body.splitlines()[:2] == ["D1 — Adopted: Adopt the budget", "Status: in force"]
    assert "Topic: Budget 2027" in shown.body.splitlines()
    assert "Votes: For 2, Against 0, Abstain 1" in shown.body.splitlines()
    with sqlite3.connect(bot.data_dir / "wgbot.db") as db:
        rows = db.execute(
            "SELECT number, outcome, text, topic, status FROM decisions WHERE room_id = ?"
            " ORDER BY number",
            (room_id,),
        ).fetchall()
    assert rows == [
        (1, "adopted", "Adopt the budget", "Budget 2027", "in_force"),
        (2, "rejected", "Double the budget", "Budget 2027", "in_force"),
    ]
    _event, data = await ask_file(alice, room_id, bot, "!decisions export json")
    register = json.loads(data)["decisions"]
    assert [(d["number"], d["votes_for"], d["abstain"]) for d in register] == [
        ("D1", 2, 1),
        ("D2", None, None),
    ]
    assert alice.undecryptable(room_id) == []


async def test_the_register_across_two_meetings_with_a_supersede(members, bot):
    alice, bob = await members("alice"), await members("bob")
    room_id = await room_with_bot(alice, bot, invite=[bob.user_id])
    await bob.join(room_id)

    await ask(alice, room_id, bot, "!startmeeting First plenary")
    first = await ask(bob, room_id, bot, "!agreed Meet every three months")
    assert first.body == "Decision D1 recorded: Meet every three months"
    deferred = await ask(bob, room_id, bot, "!deferred The annual report")
    assert deferred.body == "Deferral D2 recorded: The annual report"
    await alice.send(room_id, "!endmeeting")
    await ask(alice, room_id, bot, "!startmeeting Second plenary")
    second = await ask(alice, room_id, bot, "!agreed Meet every two months")
    assert second.body == "Decision D3 recorded: Meet every two months"
    refused = await ask(bob, room_id, bot, "!decision supersede D1 by D3")
    assert refused.body.startswith("Only chairs")
    itself = await ask(alice, room_id, bot, "!decision supersede D3 by D3")
    assert itself.body.splitlines()[0] == "A decision cannot supersede itself."
    unknown = await ask(alice, room_id, bot, "!decision supersede D1 by D9")
    assert unknown.body.splitlines()[0] == "There is no decision D9 in this room."
    done = await ask(alice, room_id, bot, "!decision supersede D1 by D3")
    assert done.body == "D1 is now superseded by D3: Meet every three months"
    listing = await ask(bob, room_id, bot, "!decisions months")
    assert [line.split(" — ")[1].split(";")[0] for line in listing.body.splitlines()[1:]] == [
        "Agreed, in force",
        "Agreed, superseded by D3",
    ]
    _event, data = await ask_file(bob, room_id, bot, "!decisions export csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [(r["number"], r["meeting"], r["status"], r["superseded_by"]) for r in rows] == [
        ("D1", "1", "superseded", "D3"),
        ("D2", "1", "in_force", ""),
        ("D3", "2", "in_force", ""),
    ]


async def test_a_per_organisation_vote_and_the_quorum_from_attendance(members, bot):
    alice, bob, carol, dan = [await members(n) for n in ("alice", "bob", "carol", "dan")]
    room_id = await room_with_bot(alice, bot, invite=[m.user_id for m in (bob, carol, dan)])
    for member in (bob, carol, dan):
        await member.join(room_id)
    for member, organisation in ((alice, "MAEE"), (bob, "MAEE"), (carol, "CCDH")):
        await ask(alice, room_id, bot, f'!org set {member.user_id} "{organisation}"')
    await ask(alice, room_id, bot, "!quorum 2 organisations")
    await ask(alice, room_id, bot, "!startmeeting Plenary")
    await ask(bob, room_id, bot, "!here")
    await carol.send(room_id, "Good afternoon")

    start, notice = await start_poll(alice, room_id, bot, '!vote "Adopt the statement" --per-org')
    assert notice.body.splitlines()[1] == (
        "One vote per organisation: the latest vote of any of its members counts."
    )
    yes, no, _abstain = (a["id"] for a in start.source["content"][POLL_START]["answers"])
    await vote(alice, room_id, start.event_id, [no])
    await vote(carol, room_id, start.event_id, [yes])
    await vote(bob, room_id, start.event_id, [yes])  # later than Alice: MAEE votes For
    await vote(dan, room_id, start.event_id, [no])  # not present: named, not counted
    results = await ask(alice, room_id, bot, "!vote close")
    assert results.body.splitlines() == [
        "Vote #1 closed: Adopt the statement",
        "For: 2 — CCDH, MAEE",
        "Against: 0",
        "Abstain: 0",
        "One vote per organisation: the latest vote of its members counted.",
        f"Not counted, not present at the meeting: {dan.user_id}.",
        "Outcome: adopted, entered as D1.",
    ]

    await ask(alice, room_id, bot, "!quorum 3 organisations")
    start, _notice = await start_poll(alice, room_id, bot, '!vote "Adopt the annex"')
    yes = start.source["content"][POLL_START]["answers"][0]["id"]
    await vote(bob, room_id, start.event_id, [yes])
    results = await ask(alice, room_id, bot, "!vote close")
    assert results.body.splitlines()[-1] == (
        "Outcome: no quorum; the quorum was not reached when the vote closed."
    )
    summary = await ask(alice, room_id, bot, "!endmeeting")
    assert "• D1 Adopted: Adopt the statement (For 2, Against 0, Abstain 0; one vote per " in (
        summary.body
    )
    _event, data = await ask_file(alice, room_id, bot, "!minutes 1 json")
    items = [i for t in json.loads(data)["topics"] for i in t["items"] if i["kind"] == "vote"]
    assert [(i["decision"], i["vote"]["outcome"], i["vote"]["voters"]["for"]) for i in items] == [
        ("D1", "adopted", ["CCDH", "MAEE"]),
        (None, "no_quorum", [bob.user_id]),
    ]
