"""Translations: gettext catalogs (.po, edited with standard tools), one per language."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "wgbot"


class Translator:
    """A room language's `_`: `_("text")` for a sentence, `_.ngettext(singular, plural, n)` for
    a sentence with a count (the language's plural forms choose; fill `{count}` after)."""

    __slots__ = ("catalog",)

    def __init__(self, catalog: gettext.NullTranslations):
        self.catalog = catalog

    def __call__(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)


Translate = Translator


def N_(message: str) -> str:
    """Mark a string for translation where it is declared; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of a language, compiled in memory from its .po file (English is the source)."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translator(language: str) -> Translator:
    """The `_` function for a room's language."""
    return Translator(translations(language))
