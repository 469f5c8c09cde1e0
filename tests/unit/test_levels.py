"""Power levels at an event's place in the timeline, from what the homeserver sent."""

from nio import Event, MegolmEvent

from bot.levels import levels_along, power_levels_of, user_level

ALICE, BOB = "@alice:example.org", "@bob:example.org"
OLD = {"users": {ALICE: 100}, "users_default": 0}
NEW = {"users": {ALICE: 100, BOB: 100}, "users_default": 0}


def event(n: int, type_: str, content: dict, **extra) -> Event:
    return Event.parse_event(
        {
            "type": type_,
            "content": content,
            "event_id": f"$e{n}",
            "sender": ALICE,
            "origin_server_ts": n,
            **extra,
        }
    )


def message(n: int) -> Event:
    return event(n, "m.room.message", {"msgtype": "m.text", "body": "!lang de"})


def promotion(n: int, content: dict, replaced: dict | None = None) -> Event:
    unsigned = {"unsigned": {"prev_content": replaced}} if replaced is not None else {}
    return event(n, "m.room.power_levels", content, state_key="", **unsigned)


def test_a_promotion_counts_from_the_next_event_on():
    events = [message(1), promotion(2, NEW, replaced=OLD), message(3)]
    levels, after = levels_along(events, before=None)
    assert [user_level(lv, BOB) for lv in levels] == [0, 0, 100]
    assert after == NEW


def test_the_levels_before_a_change_are_those_it_replaced():
    events = [message(1), promotion(2, NEW, replaced=OLD)]
    levels, _ = levels_along(events, before=NEW)  # e.g. nio's view, already after the change
    assert user_level(levels[0], BOB) == 0


def test_without_a_change_the_known_levels_hold():
    levels, after = levels_along([message(1), message(2)], before=NEW)
    assert levels == [NEW, NEW] and after == NEW
    assert levels_along([message(1)], before=None) == ([None], None)


def test_a_demotion_removing_a_user_falls_back_to_the_default():
    demoted = {"users": {ALICE: 100}, "users_default": 0}
    levels, after = levels_along([promotion(1, demoted, replaced=NEW), message(2)], before=NEW)
    assert user_level(levels[1], BOB) == 0


def test_state_claimed_in_an_encrypted_payload_is_not_state():
    forged = promotion(2, {"users": {BOB: 100}})
    forged.decrypted = True
    levels, after = levels_along([message(1), forged, message(3)], before=OLD)
    assert [user_level(lv, BOB) for lv in levels] == [0, 0, 0]
    assert power_levels_of(forged) is None
    undecrypted = MegolmEvent.from_dict(
        {
            "type": "m.room.encrypted",
            "state_key": "",
            "event_id": "$m",
            "sender": BOB,
            "origin_server_ts": 1,
            "content": {
                "algorithm": "m.megolm.v1.aes-sha2",
                "ciphertext": "x",
                "sender_key": "k",
                "session_id": "s",
                "device_id": "D",
            },
        }
    )
    assert power_levels_of(undecrypted) is None


def test_levels_of_any_json_type():
    assert user_level({"users": {BOB: 50}}, BOB) == 50
    assert user_level({"users": {BOB: "75"}}, BOB) == 75  # rooms before v10 allow strings
    assert user_level({"users": {BOB: True}}, BOB) == 0
    assert user_level({"users": {BOB: [100]}}, BOB) == 0
    assert user_level({"users": {BOB: "１００"}}, BOB) == 0  # fullwidth digits are no level
    assert user_level({"users": [BOB], "users_default": 10}, BOB) == 10
    assert user_level({"users_default": "x"}, BOB) == 0
    assert user_level({}, BOB) == 0
