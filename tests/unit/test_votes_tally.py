"""Counting a formal vote (bot/votes.py): For / Against / Abstain to an outcome, each person's
latest response, and one vote per organisation — the latest of any of its present members."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.msc3381 import Response
from bot.votes import Presence, count_votes, latest_votes, outcome
from storage.status import VoteOutcome

T0 = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
A, B, C, D, E = (f"@{n}:example.org" for n in "abcde")


def r(sender: str, answer, seconds: int) -> Response:
    answers = [answer] if isinstance(answer, str) else answer
    return Response(sender, answers, T0 + timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("counts", "quorum", "expected"),
    [
        ((3, 1, 0), None, VoteOutcome.ADOPTED),
        ((1, 0, 9), None, VoteOutcome.ADOPTED),  # abstentions count for neither side
        ((1, 3, 0), None, VoteOutcome.REJECTED),
        ((0, 1, 5), True, VoteOutcome.REJECTED),
        ((2, 2, 1), None, VoteOutcome.TIED),
        ((0, 0, 0), None, VoteOutcome.TIED),
        ((0, 0, 3), True, VoteOutcome.TIED),
        ((5, 0, 0), False, VoteOutcome.NO_QUORUM),  # whatever the counts
        ((0, 5, 0), False, VoteOutcome.NO_QUORUM),
        ((5, 0, 0), True, VoteOutcome.ADOPTED),
    ],
)
def test_outcome_of_the_counts(counts, quorum, expected):
    assert outcome(*counts, quorum) == expected


def test_each_persons_latest_response_counts_and_a_spoilt_or_withdrawn_one_cancels():
    responses = [
        r(A, "for", 1),
        r(B, "against", 2),
        r(A, "against", 3),  # changed her mind
        r(C, "for", 4),
        r(C, "maybe", 5),  # spoilt: an answer the vote does not have
        r(D, "abstain", 6),
        r(D, [], 7),  # withdrawn
        r(E, "for", 8),
        r(E, "against", 99),  # after the end: as if never sent
    ]
    ended = T0 + timedelta(seconds=50)
    assert [(p, a) for p, a, _ts in latest_votes(responses, ended)] == [
        (B, "against"),
        (A, "against"),
        (E, "for"),
    ]
    count = count_votes(responses, per_org=False, presence=Presence(), ended_at=ended)
    assert count.voters == {"for": (E,), "against": (B, A), "abstain": ()}
    assert (count.n("for"), count.n("against"), count.n("abstain")) == (1, 2, 0)


def test_per_organisation_the_latest_vote_of_any_present_member_counts():
    orgs = {A: "MAEE", B: "MAEE", C: "CCDH", D: None}
    responses = [
        r(B, "against", 1),
        r(A, "for", 2),  # later than B: MAEE votes For
        r(C, "abstain", 3),
        r(D, "against", 4),  # no organisation: counts alone
        r(E, "against", 5),  # not in the map: counts alone too
    ]
    count = count_votes(responses, per_org=True, presence=Presence(orgs))
    assert count.per_org
    assert count.voters == {"for": ("MAEE",), "against": (D, E), "abstain": ("CCDH",)}
    # B changes her vote after A: MAEE now votes Against, once.
    count = count_votes([*responses, r(B, "against", 6)], per_org=True, presence=Presence(orgs))
    assert count.voters == {"for": (), "against": (D, E, "MAEE"), "abstain": ("CCDH",)}
    # B withdraws her vote: A's is then the latest of MAEE's.
    count = count_votes([*responses, r(B, [], 6)], per_org=True, presence=Presence(orgs))
    assert count.voters["for"] == ("MAEE",)


def test_per_organisation_only_present_members_count_when_attendance_is_known():
    orgs = {A: "MAEE", B: "MAEE", C: "CCDH"}
    responses = [r(A, "for", 1), r(B, "against", 2), r(C, "for", 3)]
    count = count_votes(responses, per_org=True, presence=Presence(orgs, present=frozenset({A, C})))
    assert count.voters == {"for": ("MAEE", "CCDH"), "against": (), "abstain": ()}
    assert count.absent == (B,)
    # Per person, presence is not asked: every member's vote counts.
    count = count_votes(responses, per_org=False, presence=Presence(orgs, frozenset({A})))
    assert count.voters == {"for": (A, C), "against": (B,), "abstain": ()}


def test_the_counts_as_stored():
    count = count_votes([r(A, "for", 1)], per_org=False, presence=Presence())
    assert count.to_json("adopted") == {
        "for": 1,
        "against": 0,
        "abstain": 0,
        "per_org": False,
        "outcome": "adopted",
        "voters": {"for": [A], "against": [], "abstain": []},
    }
