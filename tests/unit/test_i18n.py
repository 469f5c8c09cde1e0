"""Every string a person reads is translated in every catalog."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, translator

ROOT = Path(__file__).resolve().parents[2]


def source_messages() -> set[str]:
    found = set()
    for package in ("bot", "commands"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"_": None, "N_": None}
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("language", ["fr", "de"])
def test_catalog_translates_every_message(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "wgbot.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = source_messages() - translated
    assert not missing, f"untranslated in {language}: run pybabel update (see README): {missing}"


def test_translator_picks_the_language():
    assert translator("fr")("Commands") == "Commandes"
    assert translator("de")("Commands") == "Befehle"
    assert translator("en")("Commands") == "Commands"
