"""The mail texts: templates/mail/texts.toml (subject and bodies of acknowledgements)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

TEXTS_FILE = Path("mail") / "texts.toml"
KEYS = frozenset(
    {
        "subject",
        "acknowledgement_open",
        "acknowledgement_closed",
        "acknowledgement_closed_no_reopening",
        "unreadable_subject",
        "unreadable",
        "unreadable_too_large",
        "notification",
        "information_subject",
        "information",
    }
)


@lru_cache(maxsize=8)
def mail_texts(templates_dir: Path) -> Mapping[str, str]:
    path = templates_dir / TEXTS_FILE
    texts = {k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}
    missing = sorted(KEYS - set(texts))
    if missing:
        raise ValueError(f"{path}: missing {missing}")
    return texts
