"""The SMS texts: templates/sms/texts.toml, overlaid with a department's own.

Loaded as the voice prompts are (frontdoor.department_file.load.load_prompts). A department
overrides a text by its key; frontdoor.core.texts says what is wrong with an override, for
the department file's checks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from frontdoor.core.texts import SMS_PLACEHOLDERS, sms_text_problems

TEXTS_FILE = Path("sms") / "texts.toml"


def load_texts(path: Path) -> dict[str, str]:
    """The texts of one file; raises ValueError naming what is wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {key: str(value) for key, value in data.items()}
    missing = sorted(set(SMS_PLACEHOLDERS) - set(texts))
    wrong = [
        f"{key}: {why}" for key, value in texts.items() for why in sms_text_problems(key, value)
    ]
    if missing or wrong:
        raise ValueError(f"{path}: missing {missing}; {'; '.join(wrong)}")
    return texts


@lru_cache(maxsize=8)
def default_texts(templates_dir: Path) -> Mapping[str, str]:
    return load_texts(templates_dir / TEXTS_FILE)


def texts_for(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """The defaults with a department's overrides (checked when loading)."""
    return {**defaults, **overrides}
