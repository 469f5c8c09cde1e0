"""The poll events as Element sends them, and the tally as Element counts it."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.content import Content
from bot.msc3381 import (
    DISCLOSED,
    POLL_END,
    POLL_RESPONSE,
    POLL_START,
    SPOILT,
    TEXT,
    UNDISCLOSED,
    WITHDRAWN,
    Answer,
    Response,
    answer_ids,
    end_content,
    reference_of,
    response_content,
    selection_of,
    start_content,
    tally,
    validate,
)

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
IDS = ["a1", "a2", "a3"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- Event contents -----------------------------------------------------------------------


def test_start_content_is_what_element_sends():
    answers = [Answer("a1", "Pizza"), Answer("a2", "Pasta")]
    assert start_content("Lunch?", answers, max_selections=1, disclosed=True) == {
        POLL_START: {
            "question": {TEXT: "Lunch?", "body": "Lunch?", "msgtype": "m.text"},
            "kind": DISCLOSED,
            "max_selections": 1,
            "answers": [{"id": "a1", TEXT: "Pizza"}, {"id": "a2", TEXT: "Pasta"}],
        },
        TEXT: "Lunch?\n1. Pizza\n2. Pasta",
    }
    secret = start_content("Q", answers, max_selections=2, disclosed=False)
    assert secret[POLL_START]["kind"] == UNDISCLOSED
    assert secret[POLL_START]["max_selections"] == 2
    with pytest.raises(ValueError):
        start_content("Q", answers, max_selections=3, disclosed=True)
    with pytest.raises(ValueError):
        start_content("Q", [Answer(str(n), "x") for n in range(21)], max_selections=1, disclosed=1)


def test_end_and_response_contents_reference_the_start():
    end = end_content("$start", "The poll has ended. Top answer: Pizza")
    assert end["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$start"}
    assert end[POLL_END] == {} and end[TEXT] == "The poll has ended. Top answer: Pizza"
    response = response_content("$start", ["a1"])
    assert reference_of(Content.read(response)) == "$start"
    assert selection_of(Content.read(response)) == ["a1"]
    assert response[POLL_RESPONSE] == {"answers": ["a1"]}


def test_selection_as_sent_stable_names_and_malformed_blocks():
    def selection(content):
        return selection_of(Content.read(content))

    def reference(content):
        return reference_of(Content.read(content))

    assert selection({"m.poll.response": {"answers": ["x"]}}) == ["x"]
    assert selection({POLL_RESPONSE: {"answers": "a1"}}) is None
    assert selection({POLL_RESPONSE: {"answers": ["a1", 1]}}) is None  # spoilt
    assert selection({POLL_RESPONSE: {}}) is None
    assert selection({POLL_RESPONSE: ["answers"]}) is None
    assert selection({}) is None
    assert reference({"m.relates_to": {"rel_type": "m.annotation", "event_id": "$x"}}) is None
    assert reference({"m.relates_to": "nonsense"}) is None
    assert reference({"m.relates_to": {"rel_type": "m.reference", "event_id": ["$x"]}}) is None
    assert answer_ids(3) == ["a1", "a2", "a3"]


# --- Validation of one response -----------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "max_selections", "expected"),
    [
        (["a1"], 1, ["a1"]),
        (["a2", "a1"], 1, ["a2"]),  # truncated to max_selections, in the order sent
        (["a2", "a1", "a3"], 2, ["a2", "a1"]),
        (["a1", "a9"], 1, SPOILT),  # unknown answer, even beyond the truncation
        (["a1", 3], 3, SPOILT),  # not a string
        (None, 1, SPOILT),  # no list at all
        ([], 1, WITHDRAWN),
        (["a1", "a1", "a2"], 3, ["a1", "a2"]),  # a repeat counts once (MSC3381)
    ],
)
def test_validate(answers, max_selections, expected):
    assert validate(answers, IDS, max_selections) == expected


# --- The tally ----------------------------------------------------------------------------


def test_latest_response_by_server_time_counts():
    counted = tally(
        IDS,
        1,
        [
            Response("@alice", ["a1"], at(1)),
            Response("@bob", ["a2"], at(2)),
            Response("@alice", ["a2"], at(3)),
            # Received after, but sent earlier (origin_server_ts): it does not replace.
            Response("@bob", ["a3"], at(0)),
        ],
    )
    assert counted.voters == {"a1": (), "a2": ("@bob", "@alice"), "a3": ()}
    assert counted.votes == 2 and counted.people == 2
    assert counted.leaders() == ["a2"]


def test_same_timestamp_keeps_the_first_received():
    counted = tally(IDS, 1, [Response("@alice", ["a1"], at(1)), Response("@alice", ["a2"], at(1))])
    assert counted.voters["a1"] == ("@alice",) and counted.voters["a2"] == ()


def test_a_spoilt_latest_vote_cancels_the_earlier_one():
    counted = tally(
        IDS,
        1,
        [
            Response("@alice", ["a1"], at(1)),
            Response("@alice", ["nonsense"], at(2)),
            Response("@bob", ["a1"], at(3)),
        ],
    )
    assert counted.voters["a1"] == ("@bob",)
    assert counted.spoilt == ("@alice",)
    assert counted.people == 1


def test_an_empty_list_withdraws_and_a_later_vote_counts_again():
    responses = [Response("@alice", ["a1"], at(1)), Response("@alice", [], at(2))]
    withdrawn = tally(IDS, 1, responses)
    assert withdrawn.voters["a1"] == () and withdrawn.withdrawn == ("@alice",)
    assert withdrawn.leaders() == [] and withdrawn.votes == 0
    again = tally(IDS, 1, [*responses, Response("@alice", ["a3"], at(3))])
    assert again.voters["a3"] == ("@alice",) and again.withdrawn == ()


def test_votes_after_the_end_do_not_count_and_on_the_end_do():
    responses = [
        Response("@alice", ["a1"], at(1)),
        Response("@bob", ["a2"], at(5)),  # exactly at the end: counts
        Response("@alice", ["a3"], at(6)),  # a change of mind too late
        Response("@carol", ["a3"], at(7)),
    ]
    counted = tally(IDS, 1, responses, ended_at=at(5))
    assert counted.voters == {"a1": ("@alice",), "a2": ("@bob",), "a3": ()}
    assert tally(IDS, 1, responses).voters["a3"] == ("@alice", "@carol")


def test_multiple_choice_truncation_and_percentages_of_all_votes():
    counted = tally(
        IDS,
        2,
        [
            Response("@alice", ["a1", "a2", "a3"], at(1)),  # truncated to a1, a2
            Response("@bob", ["a1"], at(2)),
            Response("@carol", ["a2", "a1"], at(3)),
        ],
    )
    assert counted.voters == {
        "a1": ("@alice", "@bob", "@carol"),
        "a2": ("@alice", "@carol"),
        "a3": (),
    }
    assert counted.votes == 5 and counted.people == 3
    # As Element draws its bars: a share of all votes, rounded half up.
    assert [counted.percent(a) for a in IDS] == [60, 40, 0]


def test_percent_rounds_half_up_like_javascript():
    eight = [Response(f"@u{n}", ["a1" if n == 0 else "a2"], at(n)) for n in range(8)]
    counted = tally(IDS, 1, eight)
    assert counted.percent("a1") == 13  # 12.5 -> 13 (Python's round() would say 12)
    assert counted.percent("a2") == 88  # 87.5 -> 88


def test_ties_and_no_votes():
    tied = tally(IDS, 1, [Response("@alice", ["a1"], at(1)), Response("@bob", ["a3"], at(2))])
    assert tied.leaders() == ["a1", "a3"]
    nobody = tally(IDS, 1, [])
    assert nobody.leaders() == [] and nobody.votes == 0 and nobody.percent("a1") == 0


def test_tally_as_json():
    counted = tally(IDS, 1, [Response("@alice", ["a2"], at(1)), Response("@bob", None, at(2))])
    assert counted.to_json() == {
        "voters": {"a1": [], "a2": ["@alice"], "a3": []},
        "spoilt": ["@bob"],
        "withdrawn": [],
    }
