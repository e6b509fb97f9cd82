"""The departments one process serves, found by the number called or by slug.

Each department is its file's description plus what the store keeps for it: roster overrides
(imported calendars, the duty board) and the console's team changes (core.team). `apply_stored`
swaps in a fresh set whenever the store's copy is refreshed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from frontdoor.core.department import Department
from frontdoor.core.roster import Override
from frontdoor.core.team import TeamChange, effective_department


class Departments:
    def __init__(self, departments: Iterable[Department]) -> None:
        self._as_configured = {d.slug: d for d in departments}
        self._index(self._as_configured.values())

    def _index(self, departments: Iterable[Department]) -> None:
        by_number = {d.number: d for d in departments}
        # Swapped whole, so a webhook reading them never sees half an update.
        self._by_number, self._by_slug = by_number, {d.slug: d for d in by_number.values()}

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_number.values())

    def for_number(self, number: str) -> Department | None:
        return self._by_number.get(number)

    def for_slug(self, slug: str) -> Department | None:
        return self._by_slug.get(slug)

    def as_configured(self, slug: str) -> Department | None:
        """The department as its file declares it, without the store's changes."""
        return self._as_configured.get(slug)

    def apply_stored(
        self,
        overrides: Mapping[str, tuple[Override, ...]],
        team: Mapping[str, tuple[TeamChange, ...]] | None = None,
    ) -> None:
        """The configured departments with the stored overrides added to their rosters and the
        console's team changes laid over (after the overrides: a referent taken off the team
        leaves the overrides that name her too)."""
        team = team or {}
        self._index(
            effective_department(
                replace(d, roster=d.roster.with_overrides(overrides.get(slug, ()))),
                team.get(slug, ()),
            )
            for slug, d in self._as_configured.items()
        )
