"""Shared by the tests of prompts: a caller who never gives a valid answer, the directory
loaded, and what each <Gather> of a call leaves as a way out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from frontdoor.directory.importers.plain_csv import parse_plain_csv
from frontdoor.directory.store import upsert_resources
from frontdoor.phone import ScriptedPerson
from frontdoor.phone_twiml import CALLER
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from tests.conftest import ROOT


class StubbornCaller(ScriptedPerson):
    """Presses `keys` at the first prompts, then the same answer at every prompt, forever
    (None: silence); referents who pick up press nothing."""

    def __init__(self, keys: Sequence[str | None], *, then: str | None) -> None:
        super().__init__(keys)
        self.then = then

    async def press(self, prompt: str, *, leg: str) -> str | None:
        if leg == CALLER and not self.keys:
            return self.then
        return await super().press(prompt, leg=leg)


async def load_directory(settings: Settings, name: str = "dac46") -> None:
    """An example department's resource directory (the Lot's by default), stored."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        resources, problems = parse_plain_csv((ROOT / "directory" / f"{name}.csv").read_bytes())
        assert problems == []
        await upsert_resources(session=session, resources=resources, now=datetime.now(UTC))
        await session.commit()
    await engine.dispose()


def gathers_without_a_count(documents: Sequence[tuple[str, str]]) -> list[str]:
    """Every <Gather> of these TwiML documents that could be asked again without end: one
    whose no-answer way is a <Redirect> (back to a prompt) while its action carries no try
    count. A <Gather> followed by a <Hangup> (the whisper, a callback's intro) ends."""
    endless = []
    for _, text in documents:
        verbs = list(ET.fromstring(text))
        for index, verb in enumerate(verbs):
            if verb.tag != "Gather":
                continue
            after = [v.tag for v in verbs[index + 1 :] if v.tag != "Say"]
            tries = parse_qs(urlsplit(verb.get("action", "")).query).get("try")
            if after[:1] != ["Hangup"] and not tries:
                endless.append(verb.get("action", ""))
    return endless
