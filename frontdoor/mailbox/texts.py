"""The mail texts: templates/mail/texts.toml (subject and bodies of acknowledgements), each
with the placeholders frontdoor.core.texts declares."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from frontdoor.core.texts import MAIL

TEXTS_FILE = Path("mail") / "texts.toml"


@lru_cache(maxsize=8)
def mail_texts(templates_dir: Path) -> Mapping[str, str]:
    path = templates_dir / TEXTS_FILE
    texts = {k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}
    wrong = MAIL.file_problems(texts)
    if wrong:
        raise ValueError(f"{path}: {'; '.join(f'{key}: {why}' for key, why in wrong)}")
    return texts
