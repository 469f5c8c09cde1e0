"""Formal votes of a recorded meeting (`!vote`, commands/votes.py): a native single-choice poll
For / Against / Abstain whose close records the outcome — adopted, rejected, tied or no quorum —
with its counts, as an item of the minutes under the current topic, and (adopted or rejected)
as an entry of the decision register.

However a vote closes (`!vote close`, `!poll close`, its closing time, an app's end, or
`!endmeeting`), bot/polls.py's `closing` hands it to `vote_closing` here. Counting is pure
(`count_votes`, `outcome`): each person's latest response counts as MSC3381 says; with
`--per-org` each organisation has one vote, the latest of any of its present members, and
members without an organisation count alone. Who belongs to which organisation, who is present
and whether the quorum is reached come from `presence` (bot/attendance.py), when the vote closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.attendance import meeting_quorum, organisation_key, present
from bot.decisions import counts_text, enter, outcome_label, ref
from bot.dispatch import CommandContext
from bot.format import joined
from bot.i18n import Translate
from bot.ids import USER_ID
from bot.msc3381 import POLL_END, SPOILT, WITHDRAWN, Response, end_content, tally, validate
from bot.replies import Event, Message, Purpose, PurposeKind, Reply, bold, fmt
from bot.rooms import RoomSettings, settings_of
from storage.confidential import ConfidentialRepository
from storage.decisions import VoteRepository
from storage.minutes import MinutesRepository
from storage.models import MinutesMeeting, Poll
from storage.polls import PollRepository
from storage.status import VoteOutcome

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
ANSWERS = (FOR, AGAINST, ABSTAIN)


# --- Who is present, by organisation --------------------------------------------------------


@dataclass(frozen=True)
class Presence:
    """What a vote needs to know of the meeting's attendance when it closes."""

    # Each member's organisation (None, or absent from the map: none).
    organisations: Mapping[str, str | None] = field(default_factory=dict)
    # Who is present; None when attendance is not known (every voter is then counted).
    present: frozenset[str] | None = None
    # Whether the room's quorum is reached; None when the room has no quorum rule.
    quorum: bool | None = None


def presence(session: Session, meeting: MinutesMeeting, now: datetime) -> Presence:
    """The meeting's attendance as a vote counts it when it closes (bot/attendance.py): who is
    present (✅ on the roll call, `!here`, or spoke), for which organisation, and the quorum."""
    attendance = present(session, meeting)
    state = meeting_quorum(session, meeting, attendance)
    # Organisations compared as attendance compares them ("amnesty" is "Amnesty"), each
    # named as first seen.
    names: dict[str, str] = {}
    organisations: dict[str, str | None] = {}
    for person in attendance.present:
        if person.organisation is not None:
            key = organisation_key(person.organisation)
            organisations[person.user_id] = names.setdefault(key, person.organisation)
    return Presence(
        organisations=organisations,
        present=frozenset(p.user_id for p in attendance.present),
        quorum=None if state is None else state.reached,
    )


# --- Counting (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Who counts for what: per answer the names counted (people, or organisations)."""

    voters: dict[str, tuple[str, ...]]
    per_org: bool = False
    # Per organisation: those who voted without being present at the meeting (not counted).
    absent: tuple[str, ...] = ()

    def n(self, answer: str) -> int:
        return len(self.voters.get(answer, ()))

    def to_json(self, outcome: str) -> dict[str, Any]:
        return {
            "for": self.n(FOR),
            "against": self.n(AGAINST),
            "abstain": self.n(ABSTAIN),
            "per_org": self.per_org,
            "outcome": outcome,
            "voters": {a: list(self.voters.get(a, ())) for a in ANSWERS},
        }


def latest_votes(
    responses: Iterable[Response], ended_at: datetime | None = None
) -> list[tuple[str, str, datetime]]:
    """(person, answer, time) of each person's latest response that counts, in time order: as
    MSC3381 counts (a later spoilt or withdrawn response cancels an earlier vote)."""
    latest: dict[str, Response] = {}
    for response in responses:
        if ended_at is not None and response.ts > ended_at:
            continue
        current = latest.get(response.sender)
        if current is None or current.ts < response.ts:
            latest[response.sender] = response
    votes = []
    for response in sorted(latest.values(), key=lambda r: r.ts):
        counted = validate(response.answers, ANSWERS, 1)
        if counted in (SPOILT, WITHDRAWN):
            continue
        votes.append((response.sender, counted[0], response.ts))
    return votes


def count_votes(
    responses: Iterable[Response],
    *,
    per_org: bool,
    presence: Presence,
    ended_at: datetime | None = None,
) -> Count:
    """Count a vote: one per person, or (per_org) one per organisation — the latest vote of any
    of its present members; a member without organisation counts alone."""
    votes = latest_votes(responses, ended_at)
    voters: dict[str, list[str]] = {a: [] for a in ANSWERS}
    if not per_org:
        for person, answer, _ts in votes:
            voters[answer].append(person)
        return Count({a: tuple(v) for a, v in voters.items()})
    by_voice: dict[str, str] = {}  # organisation (or person) -> answer, latest last
    absent: list[str] = []
    for person, answer, _ts in votes:
        if presence.present is not None and person not in presence.present:
            absent.append(person)
            continue
        voice = presence.organisations.get(person) or person
        by_voice.pop(voice, None)  # the later vote replaces the earlier one
        by_voice[voice] = answer
    for voice, answer in by_voice.items():
        voters[answer].append(voice)
    return Count({a: tuple(v) for a, v in voters.items()}, per_org=True, absent=tuple(absent))


def outcome(votes_for: int, against: int, abstain: int, quorum: bool | None) -> VoteOutcome:
    """Adopted with more For than Against, rejected with more Against, else tied; without the
    quorum, no quorum whatever the counts. Abstentions count for neither side."""
    if quorum is False:
        return VoteOutcome.NO_QUORUM
    if votes_for > against:
        return VoteOutcome.ADOPTED
    if against > votes_for:
        return VoteOutcome.REJECTED
    return VoteOutcome.TIED


# --- Closing -------------------------------------------------------------------------------


def answer_texts(_: Translate) -> list[dict[str, str]]:
    """The poll's answers, in the room's language."""
    return [
        {"id": FOR, "text": _("For")},
        {"id": AGAINST, "text": _("Against")},
        {"id": ABSTAIN, "text": _("Abstain")},
    ]


def result_lines(poll: Poll, count: Count, result: str, number: int | None, _: Translate) -> list:
    """What the room reads when a vote closes: the counts, who (or which organisations) voted
    what, the outcome and its register number."""
    lines: list = [
        fmt(_("Vote #{id} closed: {motion}"), id=str(poll.short_id), motion=bold(poll.question))
    ]
    texts = {a["id"]: a["text"] for a in poll.answers}
    for answer in ANSWERS:
        names = count.voters.get(answer, ())
        shown = [name for name in names if name]  # "": nobody named (Chatham House)
        if shown:
            template = _("{answer}: {count} — {names}")
        else:
            template = _("{answer}: {count}")
        lines.append(
            fmt(
                template,
                answer=bold(texts.get(answer, answer)),
                count=str(len(names)),
                names=joined(shown),
            )
        )
    if count.per_org:
        lines.append(_("One vote per organisation: the latest vote of its members counted."))
    if count.absent:
        lines.append(
            fmt(
                _("Not counted, not present at the meeting: {people}."),
                people=joined(count.absent),
            )
        )
    label = outcome_label(result, _).lower()
    if number is not None:
        lines.append(
            fmt(
                _("Outcome: {outcome}, entered as {number}."),
                outcome=bold(label),
                number=bold(ref(number)),
            )
        )
    elif result == VoteOutcome.NO_QUORUM:
        lines.append(
            fmt(
                _("Outcome: {outcome}; the quorum was not reached when the vote closed."),
                outcome=bold(label),
            )
        )
    else:
        lines.append(
            fmt(
                _("Outcome: {outcome}; nothing is entered in the decision register."),
                outcome=bold(label),
            )
        )
    return lines


def vote_closing(
    session: Session, poll: Poll, *, room: RoomSettings, send_end: bool, now: datetime
) -> list[Message]:
    """A vote claimed closed: its end event, its outcome recorded (a minutes item under the
    current topic, a register entry when adopted or rejected), and what the room reads."""
    _ = room._
    cutoff = poll.ended_at or poll.closed_at or now
    responses = [
        Response(r.sender, r.answers, r.ts) for r in PollRepository(session).responses(poll.id)
    ]
    poll.result = tally([a["id"] for a in poll.answers], 1, responses, cutoff).to_json()
    vote = VoteRepository(session).get(poll.id)
    minutes = MinutesRepository(session)
    meeting = minutes.get(vote.meeting_id) if vote is not None else None
    said: list[Message] = []
    if vote is None or meeting is None:  # not a vote of a meeting after all: say the counts
        count = count_votes(responses, per_org=False, presence=Presence(), ended_at=cutoff)
        result = outcome(count.n(FOR), count.n(AGAINST), count.n(ABSTAIN), None)
        number = None
    else:
        attendance = presence(session, meeting, now)
        count = count_votes(responses, per_org=vote.per_org, presence=attendance, ended_at=cutoff)
        chatham = minutes.is_chatham(meeting)
        if chatham:  # tallied without names: people out, organisations kept
            count = nameless(count)
        result = outcome(count.n(FOR), count.n(AGAINST), count.n(ABSTAIN), attendance.quorum)
        item = minutes.add_item(
            meeting,
            kind="vote",
            text=poll.question,
            author=minutes.attributed(meeting, poll.creator),
            now=now,
            event_id=vote.event_id,
        )
        vote.outcome, vote.counts, vote.item_id = result, count.to_json(result), item.id
        number = None
        if result in (VoteOutcome.ADOPTED, VoteOutcome.REJECTED):
            number = enter(session, meeting, item, str(result), counts=count.to_json(result)).number
        if chatham:  # its responses and posted tally keep counts, not who (a stand-in each)
            ConfidentialRepository(session).anonymise_responses(poll.id)
    if poll.start_event_id and send_end:
        counts = counts_text(count.to_json(result), _)
        text = _("The vote has ended: {outcome} ({counts}).").format(
            outcome=outcome_label(result, _).lower(), counts=counts
        )
        content = end_content(poll.start_event_id, text)
        said.append(Event(POLL_END, content, Purpose(PurposeKind.POLL_END, poll.id)))
    said.append(Reply.of(*result_lines(poll, count, result, number, _)))
    return said


def nameless(count: Count) -> Count:
    """A count naming nobody: each person's name empty (organisations of a per-organisation
    vote stay: they are not people), and nobody listed as not counted."""
    return Count(
        {a: tuple("" if USER_ID.match(v) else v for v in vs) for a, vs in count.voters.items()},
        per_org=count.per_org,
    )


def close_open_votes(ctx: CommandContext, meeting: MinutesMeeting) -> list[Message]:
    """Close the meeting's open votes (`!endmeeting`): each one's end, outcome and results."""
    session, by, now, room = ctx.session, ctx.sender, ctx.now, settings_of(ctx)
    said: list[Message] = []
    polls = PollRepository(session)
    for poll in VoteRepository(session).open_in(meeting.id):
        if polls.claim_close(poll.id, by, now):
            session.refresh(poll)
            said.extend(vote_closing(session, poll, room=room, send_end=True, now=now))
    return said
