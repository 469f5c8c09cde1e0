"""`!help`'s areas against the declared commands: every command is in one, in every language."""

import commands
from bot.features import Registry
from bot.i18n import translator
from commands.help import AREA_BY_WORD, AREAS, fold

# The bare `!meeting` only lists the meeting commands: `!help meeting` shows the area instead;
# the bare `!org` lists the organisations, as `!orgs` (in the area) does.
NOT_IN_AN_AREA = {"meeting", "org"}


def test_every_command_is_in_an_area_and_every_area_names_real_commands():
    registry = Registry(commands.MODULES)
    declared = {cmd.name for cmd in registry.commands}
    in_areas = {name for area in AREAS for name in area.commands}
    assert declared - in_areas == NOT_IN_AN_AREA
    assert in_areas <= declared
    assert [area.words["en"] for area in AREAS] == [
        "meetings",
        "polls",
        "find-a-time",
        "minutes",
        "organisations",
        "decisions",
        "actions",
        "settings",
        "confidentiality",
    ]


def test_each_area_has_a_word_and_a_title_in_each_language():
    words = [fold(w) for area in AREAS for w in {*area.words.values(), *area.also}]
    assert len(words) == len(set(words)), "a word names two areas"
    for area in AREAS:
        assert set(area.words) == {"en", "fr", "de"}
        for language, word in area.words.items():
            assert AREA_BY_WORD[fold(word)] is area
            # The title a room sees in `!help`, typed after `!help`, also gives the area.
            assert AREA_BY_WORD[fold(translator(language)(area.title))] is area


def test_fold_ignores_case_and_accents():
    assert fold("Réunions") == "reunions"
    assert AREA_BY_WORD[fold("PROCES-VERBAL")].words["fr"] == "procès-verbal"
