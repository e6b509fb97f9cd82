"""Reads deploy/Containerfile: its stages, and the final image's environment and command.

No container engine is needed: the tests run the image's command on this machine with the
image's environment, its paths mapped onto the repository.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

from tests.conftest import ROOT

CONTAINERFILE = ROOT / "deploy" / "Containerfile"


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, rest)

    def all(self, instruction: str) -> list[str]:
        return [rest for name, rest in self.instructions if name == instruction]

    def last(self, instruction: str) -> str:
        found = self.all(instruction)
        assert found, f"no {instruction} in the stage FROM {self.base}"
        return found[-1]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for rest in self.all("ENV"):
            for word in shlex.split(rest):
                name, _, value = word.partition("=")
                values[name] = value
        return values

    def exec_form(self, instruction: str) -> list[str]:
        """ENTRYPOINT or CMD, which must be in exec (JSON) form: signals reach the process."""
        words = json.loads(self.last(instruction))
        assert isinstance(words, list), f"{instruction} is not in exec form"
        return [str(word) for word in words]


def stages() -> list[Stage]:
    lines, current = [], ""
    for raw in CONTAINERFILE.read_text(encoding="utf-8").splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        current += raw.rstrip().removesuffix("\\") + " " if raw.rstrip().endswith("\\") else raw
        if not raw.rstrip().endswith("\\"):
            lines.append(" ".join(current.split()))
            current = ""
    found: list[Stage] = []
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(base=words[0], name=name))
        elif found:
            found[-1].instructions.append((instruction, rest))
    return found


def final() -> Stage:
    return stages()[-1]
