"""Every string a person reads is translated in every catalog."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, translator

ROOT = Path(__file__).resolve().parents[2]


def source_messages() -> set[str | tuple[str, str]]:
    """Every message: a string, or (singular, plural) for a count through ngettext."""
    found = set()
    for package in ("bot", "commands"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("language", ["fr", "de"])
def test_catalog_translates_every_message(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "wgbot.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    translated = {
        m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if m.pluralizable else m.string)
    }
    missing = source_messages() - translated
    assert not missing, f"untranslated in {language}: run pybabel update (see README): {missing}"


def test_translator_picks_the_language():
    assert translator("fr")("Commands") == "Commandes"
    assert translator("de")("Commands") == "Befehle"
    assert translator("en")("Commands") == "Commands"


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 message could not be decrypted.", "2 messages could not be decrypted."),
        ("fr", "1 message n'a pas pu être déchiffré.", "2 messages n'ont pas pu être déchiffrés."),
        (
            "de",
            "1 Nachricht konnte nicht entschlüsselt werden.",
            "2 Nachrichten konnten nicht entschlüsselt werden.",
        ),
    ],
)
def test_counts_take_the_plural_forms_of_the_language(language, one, two):
    _ = translator(language)
    singular, plural = (
        "{count} message could not be decrypted.",
        "{count} messages could not be decrypted.",
    )
    assert _.ngettext(singular, plural, 1).format(count=1) == one
    assert _.ngettext(singular, plural, 2).format(count=2) == two
