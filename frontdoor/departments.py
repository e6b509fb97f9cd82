"""The departments one process serves, found by the number called or by slug."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from frontdoor.core.department import Department


@dataclass(kw_only=True, frozen=True)
class Departments:
    by_number: Mapping[str, Department]

    @property
    def by_slug(self) -> Mapping[str, Department]:
        return {d.slug: d for d in self.by_number.values()}

    def for_number(self, number: str) -> Department | None:
        return self.by_number.get(number)

    def for_slug(self, slug: str) -> Department | None:
        return next((d for d in self.by_number.values() if d.slug == slug), None)
