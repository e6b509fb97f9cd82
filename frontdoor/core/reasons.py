"""Why a decision was taken: kept with the request so the console can show it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True, frozen=True)
class Reason:
    """One reason: a stable code for programs, a French sentence for people."""

    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}
