"""The SMS texts: templates/sms/texts.toml, overlaid with a department's own.

A department overrides a text by its key; frontdoor.core.texts declares the placeholders each
one may use, and says what is wrong with an override, for the department file's checks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from frontdoor.core.texts import SMS

TEXTS_FILE = Path("sms") / "texts.toml"


def load_texts(path: Path) -> dict[str, str]:
    """The texts of one file; raises ValueError naming what is wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {key: str(value) for key, value in data.items()}
    wrong = SMS.file_problems(texts)
    if wrong:
        raise ValueError(f"{path}: {'; '.join(f'{key}: {why}' for key, why in wrong)}")
    return texts


@lru_cache(maxsize=8)
def default_texts(templates_dir: Path) -> Mapping[str, str]:
    return load_texts(templates_dir / TEXTS_FILE)


def texts_for(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """The defaults with a department's overrides (checked when loading)."""
    return {**defaults, **overrides}
