"""Poll commands, responses, closing times and find-a-time through the dispatcher and the poll
timer service, on SQLite and PostgreSQL, with an injected clock and a stand-in homeserver for /relations
(the chat paths, with real clients, are in tests/integration/test_polls.py)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest
from nio import EncryptionError
from sqlalchemy import select

from bot.dispatch import RoomEvent
from bot.features import Runtime
from bot.msc3381 import (
    DISCLOSED,
    POLL_END,
    POLL_RESPONSE,
    POLL_START,
    TEXT,
    UNDISCLOSED,
    response_content,
)
from bot.poll_responses import keep_fetched
from bot.scheduler import TimerService
from commands.poll_closing import CLOSINGS, REMINDERS, keep_up, settle
from storage.db import Database
from storage.members import MemberRepository
from storage.models import PollReminder
from storage.polls import PollReminders, PollRepository
from storage.rooms import RoomRepository
from tests.room import ROOM, TEST_DEFAULTS, Clock, Room

BOT = "@wgbot:example.org"
ALICE, BOB, CAROL, DAN = (f"@{n}:example.org" for n in ("alice", "bob", "carol", "dan"))
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # 10:00 in Luxembourg


@pytest.fixture
def clock() -> Clock:
    return Clock(SUNDAY)


@pytest.fixture
def room(db: Database, clock: Clock) -> Room:
    """Alice speaks unless a test says otherwise; the clock moves only when told."""
    return Room(db, clock, step=timedelta(0), sender=ALICE)


async def vote(room: Room, sender: str, answers: Any, seconds: float = 0, poll: int = 1) -> str:
    """A response (as Element sends it) to poll `poll`, `seconds` after the clock's now."""
    content = response_content(start_of(room, poll), [])
    content[POLL_RESPONSE]["answers"] = answers
    return await room.post(
        POLL_RESPONSE, content, sender, ts=room.clock() + timedelta(seconds=seconds)
    )


def start_of(room: Room, short_id: int) -> str:
    with room.db.transaction() as s:
        return PollRepository(s).by_short_id(ROOM, short_id).start_event_id


def polls(db: Database) -> list:
    with db.transaction() as s:
        return PollRepository(s).of_room(ROOM, 100)


async def test_a_poll_is_a_native_poll_start_then_a_notice(db, room):
    command, _ = await room.send('!poll "Lunch?" "Pizza" "Pasta" "Soup"')
    start, notice = room.sent
    assert start.type == POLL_START
    assert start.content == {
        POLL_START: {
            "question": {TEXT: "Lunch?", "body": "Lunch?", "msgtype": "m.text"},
            "kind": DISCLOSED,
            "max_selections": 1,
            "answers": [
                {"id": "a1", TEXT: "Pizza"},
                {"id": "a2", TEXT: "Pasta"},
                {"id": "a3", TEXT: "Soup"},
            ],
        },
        TEXT: "Lunch?\n1. Pizza\n2. Pasta\n3. Soup",
    }
    assert notice.type == "m.room.message"
    assert notice.content["m.relates_to"] == {"m.in_reply_to": {"event_id": command}}
    assert notice.body.splitlines() == [
        "Poll #1 started: Lunch?",
        "Vote in the poll above; !poll results 1 shows the results, !poll close 1 closes it.",
    ]
    (poll,) = polls(db)
    assert (poll.start_event_id, poll.status, poll.creator) == (start.event_id, "open", ALICE)

    await room.say('!poll "Which days?" Mon Tue Wed --multi --secret --closes tomorrow 18:00')
    multi = room.sent[-2].content
    assert multi[POLL_START]["max_selections"] == 3
    assert multi[POLL_START]["kind"] == UNDISCLOSED
    assert room.sent[-1].body.splitlines()[1:5] == [
        "Several answers may be chosen.",
        "Note: Element Web, Element Desktop and the iOS apps let a member choose only one answer "
        "today (choosing another replaces the first). To find a date, use !findtime: one poll "
        "per time, each answered on its own.",
        "Secret: the results are shown when the poll closes.",
        "Closes: Mon, 23 Nov 2026, 18:00 (Europe/Luxembourg)",
    ]


async def test_votes_count_as_element_counts_them(db, room, clock):
    await room.say('!poll "Lunch?" "Pizza" "Pasta" "Soup"')
    await vote(room, ALICE, ["a1"], 1)
    await vote(room, BOB, ["a1"], 2)
    await vote(room, ALICE, ["a2"], 3)  # changed her mind: the latest counts
    await vote(room, CAROL, ["a3"], 4)
    await vote(room, CAROL, ["a9"], 5)  # names an answer the poll does not have: spoilt
    await vote(room, DAN, ["a3"], 6)
    await vote(room, DAN, [], 7)  # withdrawn
    clock.now += timedelta(minutes=1)
    (results,) = await room.say("!poll results 1", sender=BOB)
    assert results.body.splitlines() == [
        "Results of poll #1 so far: Lunch?",
        f"Pizza: 1 (50%) — {BOB}",
        f"Pasta: 1 (50%) — {ALICE}",
        "Soup: 0 (0%)",
        "Voters: 2; votes cast: 2.",
        "Spoilt votes (not counted): 1.",
    ]
    # Every response is kept, the tally decides.
    with db.transaction() as s:
        assert len(PollRepository(s).responses(polls(db)[0].id)) == 7


async def test_close_by_creator_or_chair_only_once_and_late_votes_do_not_count(db, room, clock):
    await room.say('!poll "Budget?" "Yes" "No"', sender=ALICE)
    await vote(room, BOB, ["a1"], 1)
    await vote(room, CAROL, ["a2"], 2)
    clock.now += timedelta(minutes=5)
    (refused,) = await room.say("!poll close 1", sender=BOB)
    assert refused.body.splitlines()[0] == (
        f"Only {ALICE}, who started poll #1, or a chair may close it."
    )
    assert polls(db)[0].status == "open"
    close, _ = await room.send("!poll close 1", ALICE)
    end, results = room.sent[-2:]
    start = start_of(room, 1)
    assert end.type == POLL_END
    assert end.content["m.relates_to"] == {"rel_type": "m.reference", "event_id": start}
    assert end.content[POLL_END] == {}
    assert end.content[TEXT] == "The poll has ended. Top answer: Yes and No"
    assert results.content["m.relates_to"] == {"m.in_reply_to": {"event_id": close}}
    assert results.body.splitlines() == [
        "Results of poll #1 (closed): Budget?",
        f"Yes: 1 (50%) — {BOB}",
        f"No: 1 (50%) — {CAROL}",
        "Voters: 2; votes cast: 2.",
        "Tie between Yes and No.",
    ]
    assert results.content["m.mentions"] == {"user_ids": [BOB, CAROL]}
    (poll,) = polls(db)
    assert (poll.status, poll.closed_by, poll.end_event_id) == ("closed", ALICE, end.event_id)
    assert poll.result["voters"] == {"a1": [BOB], "a2": [CAROL]}

    await vote(room, DAN, ["a1"], 1)  # after the close
    (again,) = await room.say("!poll close 1", sender=ALICE, level=100)
    assert again.body.splitlines()[0] == "Poll #1 is closed already."
    (final,) = await room.say("!poll results 1")
    assert f"Yes: 1 (50%) — {BOB}" in final.body.splitlines()
    # A chair may close what someone else started.
    await room.say('!poll "Venue?" "A" "B"', sender=ALICE)
    (chair,) = await room.say("!poll close 2", sender=BOB, level=50)
    assert chair.body.splitlines()[0] == "Results of poll #2 (closed): Venue?"
    assert chair.body.splitlines()[-1] == "No votes were cast."


async def test_the_end_time_settles_the_count_and_a_difference_is_corrected(db, room, clock):
    await room.say('!poll "Budget?" "Yes" "No"')
    await vote(room, BOB, ["a1"], 1)
    clock.now += timedelta(minutes=1)
    await room.say("!poll close 1")
    (poll,) = polls(db)
    end_at = clock.now + timedelta(milliseconds=300)  # the end event's origin_server_ts
    # Carol voted 100 ms after the bot decided, before the end reached the server: every app
    # counts her, so the bot must too; Dan's vote came after the end.
    fetched = [
        _fetched(POLL_RESPONSE, response_content(poll.start_event_id, ["a2"]), CAROL, 0.1),
        _fetched(POLL_RESPONSE, response_content(poll.start_event_id, ["a2"]), DAN, 0.4),
        _fetched(
            POLL_END,
            {"m.relates_to": {"rel_type": "m.reference", "event_id": poll.start_event_id}},
            BOT,
            0.3,
        ),
    ]
    fetched = [_shift(e, clock.now) for e in fetched]
    with room.db.transaction() as s:
        assert keep_fetched(s, poll.id, fetched, BOT, clock.now) == end_at
    runtime = Runtime(db, clock, TEST_DEFAULTS)
    assert runtime.apply(lambda s: settle(s, poll.id, end_at, TEST_DEFAULTS)) == 1
    (correction,) = room.take()
    assert correction.body.splitlines()[:4] == [
        "Corrected count: votes sent just before the end reached me after it.",
        "Results of poll #1 (closed): Budget?",
        f"Yes: 1 (50%) — {BOB}",
        f"No: 1 (50%) — {CAROL}",
    ]
    assert runtime.apply(lambda s: settle(s, poll.id, end_at, TEST_DEFAULTS)) == 0  # once


async def test_a_secret_poll_shows_only_how_many_voted_until_it_closes(db, room, clock):
    await room.say('!poll "Chair?" "Ana" "Ben" --secret')
    await vote(room, BOB, ["a1"], 1)
    await vote(room, CAROL, ["a1"], 2)
    (hidden,) = await room.say("!poll results 1", sender=BOB)
    assert hidden.body.splitlines() == [
        "Poll #1 is secret: its results are shown when it closes.",
        "Voters so far: 2.",
    ]
    clock.now += timedelta(minutes=1)
    (final,) = await room.say("!poll close 1")
    assert final.body.splitlines()[:4] == [
        "Results of poll #1 (closed): Chair?",
        "Ana: 2 (100%)",  # nobody named
        "Ben: 0 (0%)",
        "Voters: 2; votes cast: 2.",
    ]
    assert BOB not in final.body and CAROL not in final.body
    assert room.sent[-1].content["m.mentions"] == {}


async def test_bad_input_is_refused_and_nothing_is_stored(db, room, clock):
    many = " ".join(f'"{n}"' for n in range(21))
    answers = [
        await room.say('!poll "Lunch?" "Pizza"'),
        await room.say(f'!poll "Lunch?" {many}'),
        await room.say('!poll "Lunch?" "Pizza" "pizza "'),
        await room.say('!poll "Lunch?" "Pizza" "Pasta" --closes 21/11/2026 10:00'),
        await room.say('!poll "Lunch?" "Pizza" "Pasta" --closes whenever'),
        await room.say("!poll close 4"),
        await room.say("!poll results x"),
        await room.say('!findtime "Plenary" tomorrow 10:00 | tomorrow 10:00'),
        await room.say('!findtime "Plenary" 21/11/2026 10:00 | tomorrow 10:00'),
    ]
    firsts = [a[0].body.splitlines()[0] for a in answers]
    assert firsts == [
        "A poll needs at least 2 options; you gave 1.",
        "A poll has at most 20 options; you gave 21.",
        "“pizza” is given twice.",
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
        "I could not read a date and time in “whenever”; try e.g. “next Tuesday 14:00”.",
        "There is no poll #4 in this room.",
        "“x” is not a poll number.",
        "“tomorrow 10:00” is given twice.",
        "Sat, 21 Nov 2026, 10:00 (Europe/Luxembourg) is in the past.",
    ]
    assert answers[0][0].body.splitlines()[1] == (
        'Usage: !poll "<question>" "<option>" "<option>"… [--multi] [--secret] [--closes <when>]'
        " [--remind <duration>]"
    )
    assert polls(db) == []
    assert [sent.type for sent in room.sent] == ["m.room.message"] * len(answers)
    # In the room's language.
    with db.transaction() as s:
        RoomRepository(s).set_language(ROOM, "fr")
    (french,) = await room.say('!poll "Déjeuner ?" "Pizza"')
    assert (
        french.body.splitlines()[0]
        == "Un sondage a besoin d’au moins 2 options ; vous en avez donné 1."
    )


async def test_a_redacted_response_gives_back_the_previous_one(db, room):
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    await vote(room, BOB, ["a1"], 1)
    second = await vote(room, BOB, ["a2"], 2)
    await room.post("m.room.redaction", {"redacts": second}, BOB, ts=SUNDAY, event_encrypted=False)
    (results,) = await room.say("!poll results 1")
    assert f"Pizza: 1 (100%) — {BOB}" in results.body.splitlines()


async def test_responses_in_clear_in_an_encrypted_room_are_ignored(db, room):
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    content = response_content(start_of(room, 1), ["a1"])
    await room.post(POLL_RESPONSE, content, BOB, ts=SUNDAY, event_encrypted=False)
    (results,) = await room.say("!poll results 1")
    assert "Voters: 0; votes cast: 0." in results.body.splitlines()


async def test_a_chair_ending_the_poll_in_their_app_closes_it_at_that_time(db, room, clock):
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    await vote(room, BOB, ["a1"], 1)
    start = start_of(room, 1)
    end = {"m.relates_to": {"rel_type": "m.reference", "event_id": start}, POLL_END: {}}
    await room.post(POLL_END, end, CAROL, ts=SUNDAY + timedelta(seconds=5))  # not a chair
    assert polls(db)[0].status == "open"
    await vote(room, CAROL, ["a2"], 10)
    await room.post(POLL_END, end, DAN, level=50, ts=SUNDAY + timedelta(seconds=5))
    (poll,) = polls(db)
    assert (poll.status, poll.closed_by, poll.ended_at) == (
        "closed",
        DAN,
        SUNDAY + timedelta(seconds=5),
    )
    (results,) = room.take()
    assert results.body.splitlines()[1:3] == [f"Pizza: 1 (100%) — {BOB}", "Pasta: 0 (0%)"]
    assert [sent.type for sent in room.sent].count(POLL_END) == 0  # one end is enough


# --- Closing times, with a stand-in homeserver ---------------------------------------------


def _fetched(type_: str, content: dict, sender: str, seconds: float) -> RoomEvent:
    return RoomEvent(
        room_id=ROOM,
        event_id=f"${type_}-{sender}-{seconds}",
        sender=sender,
        type=type_,
        content=content,
        ts=SUNDAY + timedelta(seconds=seconds),
        room_encrypted=True,
        event_encrypted=True,
        sender_level=0,
    )


def _shift(event: RoomEvent, base: datetime) -> RoomEvent:
    """The same event, its time counted from `base` instead of SUNDAY."""
    values = {**event.__dict__, "ts": base + (event.ts - SUNDAY)}
    return RoomEvent(**values)


class Homeserver:
    """Answers /relations with the events it holds, as raw JSON; "decrypts" what it encrypted."""

    def __init__(self):
        self.related: dict[str, list[dict]] = {}
        self.plaintexts: dict[str, dict] = {}
        self.rooms = {ROOM: SimpleNamespace(encrypted=True)}
        self.encrypted_rooms = {ROOM}
        self.user_id = BOT
        self.access_token = "token"

    def add(self, start: str, type_: str, content: dict, sender: str, ts: datetime) -> None:
        """An event referring to `start`, encrypted as members' apps send it (the relation in clear)."""
        events = self.related.setdefault(start, [])
        event_id = f"$fetched{len(events)}"
        events.append(
            {
                "event_id": event_id,
                "type": "m.room.encrypted",
                "sender": sender,
                "content": {
                    "algorithm": "m.megolm.v1.aes-sha2",
                    "ciphertext": "…",
                    "sender_key": "key",
                    "session_id": "session",
                    "device_id": "DEVICE",
                    "m.relates_to": content.get("m.relates_to"),
                },
                "origin_server_ts": int(ts.timestamp() * 1000),
            }
        )
        if type_ is not None:
            self.plaintexts[event_id] = {"type": type_, "content": content}

    async def send(self, method: str, path: str, headers=None):
        start = unquote(path.split("/relations/")[1].split("/")[0])
        chunk = self.related.get(start, [])

        class Answer:
            status = 200

            async def json(self):
                return {"chunk": chunk}

        return Answer()

    def decrypt_event(self, event):
        if event.event_id not in self.plaintexts:
            raise EncryptionError("no key for this session")
        return SimpleNamespace(source={**self.plaintexts[event.event_id], "sender": event.sender})


def keeper(db, clock, server, outbox_woken=None) -> TimerService:
    """The timer service with polls' closing times, asking `server` for responses."""
    runtime = Runtime(
        db, clock, TEST_DEFAULTS, client=server, on_outbox=outbox_woken or (lambda: None)
    )
    return TimerService(runtime, [CLOSINGS])


async def test_a_poll_closes_at_its_time_with_the_responses_the_server_has(db, room, clock):
    server = Homeserver()
    await room.say('!poll "Lunch?" "Pizza" "Pasta" --closes in 10 minutes')
    await vote(room, BOB, ["a1"], 1)
    (poll,) = polls(db)
    assert poll.closes_at == datetime(2026, 11, 22, 9, 10, tzinfo=UTC)
    # Carol's vote never came through sync (the bot was down, the gap was too long): the
    # server has it, with the related events the keeper asks for.
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": poll.start_event_id}}
    server.add(poll.start_event_id, None, relation, DAN, SUNDAY)  # no key for it: left out
    server.add(
        poll.start_event_id,
        POLL_RESPONSE,
        response_content(poll.start_event_id, ["a2"]),
        CAROL,
        SUNDAY + timedelta(seconds=2),
    )
    woken = []
    first = keeper(db, clock, server, lambda: woken.append(1))
    first.start()
    first.caught_up()  # closing times are set once the first sync has caught up
    try:
        assert [j.id for j in first._scheduler.get_jobs()] == [f"poll-close:{poll.id}"]
    finally:
        first.shutdown()

    # The bot restarts after the closing time: a new keeper finds the row and closes it at once.
    clock.now = poll.closes_at + timedelta(minutes=3)
    second = keeper(db, clock, server, lambda: woken.append(2))
    assert await second.fire("poll-close", poll.id)
    assert not await second.fire("poll-close", poll.id)  # once
    assert woken == [2]
    end, results = room.take()
    assert end.type == POLL_END
    assert results.body.splitlines()[:3] == [
        "Results of poll #1 (closed): Lunch?",
        f"Pizza: 1 (50%) — {BOB}",
        f"Pasta: 1 (50%) — {CAROL}",
    ]
    assert "m.in_reply_to" not in results.content.get("m.relates_to", {})
    # Once its end event is sent, the keeper settles the count on the end's time.
    server.add(
        poll.start_event_id,
        POLL_END,
        {"m.relates_to": {"rel_type": "m.reference", "event_id": poll.start_event_id}},
        BOT,
        clock.now + timedelta(milliseconds=200),
    )
    assert await keep_up(second.runtime, first=False)
    with db.transaction() as s:
        settled = PollRepository(s).get(poll.id)
        assert settled.ended_at == clock.now + timedelta(milliseconds=200)
        assert PollRepository(s).unsettled() == []
    assert room.take() == []  # nothing changed: no correction


# --- Who has not voted, --remind, exports ---------------------------------------------------


def members(db: Database, *users: str, names: dict | None = None) -> None:
    """The room's joined members as the sync notes them (the bot is never among them)."""
    with db.transaction() as s:
        MemberRepository(s).replace(ROOM, [(u, (names or {}).get(u)) for u in users])


def reminders(db: Database) -> list[tuple[datetime, str]]:
    with db.transaction() as s:
        return [
            (r.due_at, r.status) for r in s.scalars(select(PollReminder).order_by(PollReminder.id))
        ]


async def test_results_end_with_who_has_not_voted_only_who_also_when_secret(db, room, clock):
    members(db, ALICE, BOB, CAROL, DAN)
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    await vote(room, BOB, ["a1"], 1)
    await vote(room, CAROL, ["a2"], 2)
    await vote(room, CAROL, [], 3)  # withdrawn: not a vote any more
    await vote(room, "@gone:example.org", ["a2"], 4)  # voted, then left: counted, not listed
    clock.now += timedelta(minutes=1)
    (results,) = await room.say("!poll results 1", sender=BOB)
    assert results.body.splitlines()[-1] == f"Not voted yet: {ALICE}, {CAROL}, {DAN}"
    assert f'<a href="https://matrix.to/#/{DAN}">{DAN}</a>' in results.html
    assert results.mentions == ()  # named, not notified, when someone merely asks

    await room.say('!poll "Chair?" "Ann" "Ben" --secret')
    await vote(room, DAN, ["a2"], 1, poll=2)
    (secret,) = await room.say("!poll results 2")
    assert secret.body.splitlines() == [
        "Poll #2 is secret: its results are shown when it closes.",
        "Voters so far: 1.",
        f"Not voted yet: {ALICE}, {BOB}, {CAROL}",
    ]
    assert "Ben" not in secret.body

    # Closing: "did not vote", and only the voters are notified (of a non-secret poll).
    clock.now += timedelta(minutes=1)
    _command, replies = await room.send("!poll close 1")
    (closed,) = replies
    assert closed.body.splitlines()[-1] == f"Did not vote: {ALICE}, {CAROL}, {DAN}"
    assert set(closed.mentions) == {BOB, "@gone:example.org"}
    (secret_closed,) = await room.say("!poll close 2")
    assert secret_closed.body.splitlines()[-1] == f"Did not vote: {ALICE}, {BOB}, {CAROL}"
    assert secret_closed.mentions == ()

    # Everyone voted.
    await room.say('!poll "Tea?" "Yes" "No"')
    for n, user in enumerate((ALICE, BOB, CAROL, DAN)):
        await vote(room, user, ["a1"], n, poll=3)
    clock.now += timedelta(minutes=1)
    (everyone,) = await room.say("!poll results 3")
    assert everyone.body.splitlines()[-1] == "Everyone has voted."
    (done,) = await room.say("!poll close 3")
    assert done.body.splitlines()[-1] == "Everyone voted."


async def test_nothing_is_said_of_who_has_not_voted_while_the_members_are_unknown(db, room):
    await room.say('!poll "Lunch?" "Pizza" "Pasta"')
    (results,) = await room.say("!poll results 1")
    assert results.body.splitlines()[-1] == "Voters: 0; votes cast: 0."


def reminding(db, clock, server) -> TimerService:
    runtime = Runtime(db, clock, TEST_DEFAULTS, client=server)
    return TimerService(runtime, [CLOSINGS, REMINDERS])


async def test_remind_mentions_who_has_not_voted_once_even_after_a_restart(db, room, clock):
    members(db, ALICE, BOB, CAROL, DAN)
    server = Homeserver()
    command, (notice,) = await room.send(
        '!poll "Budget?" "Yes" "No" --closes today 18:00 --remind 2h'
    )
    assert notice.body.splitlines()[1:] == [
        "Closes: Sun, 22 Nov 2026, 18:00 (Europe/Luxembourg)",
        "Those who have not voted by Sun, 22 Nov 2026, 16:00 (Europe/Luxembourg) are reminded "
        "then.",
        "Vote in the poll above; !poll results 1 shows the results, !poll close 1 closes it.",
    ]
    (poll,) = polls(db)
    due = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    assert reminders(db) == [(due, "pending")]
    await vote(room, BOB, ["a1"], 1)
    # Carol voted while the bot was down: only the server has her vote.
    server.add(
        poll.start_event_id,
        POLL_RESPONSE,
        response_content(poll.start_event_id, ["a2"]),
        CAROL,
        SUNDAY + timedelta(hours=2),
    )
    first = reminding(db, clock, server)
    first.start()
    first.caught_up()
    try:
        jobs = sorted(j.id for j in first._scheduler.get_jobs())
        assert jobs == [f"poll-close:{poll.id}", "poll-remind:1"]
    finally:
        first.shutdown()

    # The bot comes back 30 minutes after the reminder's time: it reminds, late, once.
    clock.now = due + timedelta(minutes=30)
    second = reminding(db, clock, server)
    assert await second.fire("poll-remind", 1)
    assert not await second.fire("poll-remind", 1)
    (reminder,) = room.take()
    assert reminder.body.splitlines() == [
        "Reminder (late: I was offline at its time): poll #1 closes Sun, 22 Nov 2026, 18:00 "
        "(Europe/Luxembourg): Budget?",
        f"Not voted yet: {ALICE}, {DAN}",
    ]
    assert reminder.mentions == (ALICE, DAN)
    assert reminder.in_reply_to is None
    assert reminders(db) == [(due, "sent")]
    with db.transaction() as s:
        assert PollReminders(s).pending() == []  # a third start sets no job for it


async def test_remind_on_time_in_the_rooms_language(db, room, clock):
    members(db, ALICE, BOB)
    await room.say("!lang fr", level=100)
    await room.say('!poll "Budget ?" "Oui" "Non" --closes aujourd\'hui 18h --remind 1 jour')
    (refused,) = room.sent[-1:]
    assert refused.body.splitlines()[0] == (
        "--remind 1\u00a0jour n'est pas plus court que le temps restant avant la clôture "
        "(8\u00a0heures) ; donnez-en un plus court."
    )
    assert polls(db) == [] and reminders(db) == []
    await room.say('!poll "Budget ?" "Oui" "Non" --closes aujourd\'hui 18h --remind 90 min')
    (reminder_row,) = reminders(db)
    clock.now = reminder_row[0]
    service = reminding(db, clock, Homeserver())
    assert await service.fire("poll-remind", 1)
    (reminder,) = room.take()
    assert reminder.body.splitlines() == [
        "Rappel : le sondage #1 se clôt dans 1\u00a0heure 30 minutes : Budget ?",
        f"N'ont pas encore voté : {ALICE}, {BOB}",
    ]


async def test_a_reminder_says_nothing_once_closed_or_when_everyone_voted(db, room, clock):
    members(db, ALICE, BOB)
    await room.say('!poll "A?" "Yes" "No" --closes today 18:00 --remind 1h')
    await room.say('!poll "B?" "Yes" "No" --closes today 18:00 --remind 1h')
    await room.say("!poll close 1")
    await vote(room, ALICE, ["a1"], 1, poll=2)
    await vote(room, BOB, ["a2"], 2, poll=2)
    room.take()
    with db.transaction() as s:
        assert [row_id for row_id, _due in PollReminders(s).pending()] == [2]
    clock.now = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    service = reminding(db, clock, Homeserver())
    assert not await service.fire("poll-remind", 1)  # its poll closed: nothing pending
    assert await service.fire("poll-remind", 2)  # claimed, and nobody to remind
    assert room.take() == []
    assert reminders(db)[1][1] == "sent"


async def test_remind_bad_input_is_refused_and_nothing_is_stored(db, room, clock):
    cases = {
        '!poll "Q?" "A" "B" --remind 1h': (
            "--remind needs a closing time: add --closes <when>, "
            "e.g. --closes Friday 18:00 --remind 1d."
        ),
        '!poll "Q?" "A" "B" --closes today 18:00 --remind 8h': (
            "--remind 8 hours is not shorter than the time left until the close (8 hours); "
            "give a shorter one."
        ),
        '!poll "Q?" "A" "B" --closes today 18:00 --remind 2 days': (
            "--remind 2 days is not shorter than the time left until the close (8 hours); "
            "give a shorter one."
        ),
        '!poll "Q?" "A" "B" --closes today 18:00 --remind soon': (
            "“soon” is not a length of time; write e.g. 1d, 2h, 30m or 1h30m."
        ),
        '!poll "Q?" "A" "B" --closes today 18:00 --remind': (
            "Say how long before the closing time to remind, e.g. --remind 1d."
        ),
        '!poll "Q?" "A" "B" --remind 0m --closes today 18:00': (
            "“0m” is out of range: between 1 minute and 52 weeks."
        ),
    }
    for body, message in cases.items():
        (reply,) = await room.say(body)
        assert reply.body.splitlines()[0] == message, body
    assert polls(db) == [] and reminders(db) == []
    assert all(sent.type == "m.room.message" for sent in room.sent)


async def test_export_one_row_per_voter_as_csv_and_json(db, room, clock):
    members(db, ALICE, BOB, CAROL, names={BOB: "=Bob+1", CAROL: "Carol Müller"})
    await room.say('!poll "Which days?" "Mon" "=1+2" "Wed" --multi')
    await vote(room, BOB, ["a1"], 1)
    await vote(room, BOB, ["a2", "a3"], 60)  # changed: the latest counts
    await vote(room, CAROL, ["a1"], 120)
    await vote(room, "@eve:example.org", ["a9"], 130)  # spoilt: not a voter
    clock.now += timedelta(minutes=5)
    command, (file,) = await room.send("!poll export 1 csv")
    assert (file.filename, file.mimetype) == ("poll-1.csv", "text/csv")
    assert file.content["msgtype"] == "m.file" and file.in_reply_to == command
    assert file.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert rows == [
        ["user_id", "display_name", "answers", "voted_at"],
        [CAROL, "Carol Müller", "Mon", "2026-11-22T10:02:00+01:00"],
        [BOB, "'=Bob+1", "'=1+2; Wed", "2026-11-22T10:01:00+01:00"],
    ] or rows == [
        ["user_id", "display_name", "answers", "voted_at"],
        [BOB, "'=Bob+1", "'=1+2; Wed", "2026-11-22T10:01:00+01:00"],
        [CAROL, "Carol Müller", "Mon", "2026-11-22T10:02:00+01:00"],
    ]
    (json_file,) = await room.say("!poll export #1 JSON")
    assert (json_file.filename, json_file.mimetype) == ("poll-1.json", "application/json")
    record = json.loads(json_file.data)
    assert record["question"] == "Which days?" and record["status"] == "open"
    assert [(o["text"], o["votes"]) for o in record["options"]] == [
        ("Mon", 1),
        ("=1+2", 1),
        ("Wed", 1),
    ]
    assert record["ballots"] == [
        {
            "user_id": BOB,
            "display_name": "=Bob+1",
            "answers": ["=1+2", "Wed"],
            "voted_at": "2026-11-22T10:01:00+01:00",
        },
        {
            "user_id": CAROL,
            "display_name": "Carol Müller",
            "answers": ["Mon"],
            "voted_at": "2026-11-22T10:02:00+01:00",
        },
    ]
    assert record["not_voted"] == [ALICE]


async def test_a_secret_poll_exports_only_its_counts_once_closed(db, room, clock):
    members(db, ALICE, BOB, CAROL)
    await room.say('!poll "Chair?" "Ann" "Ben" --secret')
    await vote(room, BOB, ["a1"], 1)
    await vote(room, CAROL, ["a2"], 2)
    (refused,) = await room.say("!poll export 1 csv")
    assert refused.body.splitlines()[0] == (
        "Poll #1 is secret: its results are shown when it closes."
    )
    assert refused.data is None
    clock.now += timedelta(minutes=1)
    await room.say("!poll close 1")
    (file,) = await room.say("!poll export 1 csv")
    text = file.data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["option", "votes", "percent"],
        ["Ann", "1", "50"],
        ["Ben", "1", "50"],
    ]
    assert BOB not in text and CAROL not in text
    (json_file,) = await room.say("!poll export 1 json")
    record = json.loads(json_file.data)
    assert "ballots" not in record and record["voters"] == 2
    assert record["not_voted"] == [ALICE]  # who, never how
    assert BOB not in json.dumps(record)


async def test_export_bad_input(db, room):
    await room.say('!poll "Q?" "A" "B"')
    room.take()
    cases = {
        "!poll export 7 csv": "There is no poll #7 in this room.",
        "!poll export 1 xlsx": "“xlsx” is not a format I export; choose csv or json.",
        "!poll export 1": "Give the poll's number and csv or json, e.g. 3 csv.",
        "!poll export csv 1": "“csv” is not a poll number.",
        "!poll export": "Give the poll's number and csv or json, e.g. 3 csv.",
    }
    for body, message in cases.items():
        (reply,) = await room.say(body)
        assert reply.body.splitlines()[0] == message, body
        assert reply.data is None
