"""The SMS texts: templates/sms/texts.toml, overlaid with a department's own.

Loaded as the voice prompts are (frontdoor.flows.load_prompts). A department overrides a text
by its key; `problems` says what is wrong with an override, for the department file's checks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from string import Template

TEXTS_FILE = Path("sms") / "texts.toml"
# The placeholders each text may use.
PLACEHOLDERS = {
    "acknowledgement_open": {"department"},
    "acknowledgement_closed": {"department", "reopening"},
    "acknowledgement_closed_no_reopening": {"department"},
    "help": {"department"},
    "opted_in": {"department"},
    "notification": {"department", "request"},
    "directory_later": {"department"},
    "information": {"department"},
}


def load_texts(path: Path) -> dict[str, str]:
    """The texts of one file; raises ValueError naming what is wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {key: str(value) for key, value in data.items()}
    missing = sorted(set(PLACEHOLDERS) - set(texts))
    wrong = [f"{key}: {why}" for key, value in texts.items() for why in problems(key, value)]
    if missing or wrong:
        raise ValueError(f"{path}: missing {missing}; {'; '.join(wrong)}")
    return texts


@lru_cache(maxsize=8)
def default_texts(templates_dir: Path) -> Mapping[str, str]:
    return load_texts(templates_dir / TEXTS_FILE)


def texts_for(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    """The defaults with a department's overrides (checked with `problems` when loading)."""
    return {**defaults, **overrides}


def problems(key: str, value: object) -> list[str]:
    """What is wrong with a text given for `key`: unknown key, empty, unknown placeholder."""
    if key not in PLACEHOLDERS:
        return [f"unknown SMS text (known: {', '.join(sorted(PLACEHOLDERS))})"]
    if not isinstance(value, str) or not value.strip():
        return ["expected non-empty text"]
    used = {
        match.group("named") or match.group("braced")
        for match in Template.pattern.finditer(value)
        if match.group("named") or match.group("braced")
    }
    unknown = sorted(used - PLACEHOLDERS[key])
    if unknown:
        allowed = ", ".join(f"${name}" for name in sorted(PLACEHOLDERS[key]))
        return [f"unknown placeholder {', '.join('$' + u for u in unknown)} (allowed: {allowed})"]
    return []
