"""Text as the directory compares it: lower case, no accents, words only."""

from __future__ import annotations

import re
import unicodedata

from frontdoor.core.taxonomy import CATEGORIES, Category

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalized(text: str) -> str:
    """ "Sœur Marie-Thérèse, EHPAD" → "soeur marie therese ehpad"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub(" ", ascii_only).strip()


def search_text(*, name: str, category: Category, commune_name: str | None) -> str:
    """What full-text search reads of a resource: its name, category words and commune."""
    info = CATEGORIES[category]
    parts = [name, info.short, info.label, commune_name or ""]
    return normalized(" ".join(parts))
