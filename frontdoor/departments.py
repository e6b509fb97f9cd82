"""The departments one process serves, found by the number called or by slug.

Each department is its file's description plus the roster overrides kept in the store;
`apply_overrides` swaps in a fresh set whenever the store's copy is refreshed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from frontdoor.core.department import Department
from frontdoor.core.roster import Override


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

    def apply_overrides(self, stored: Mapping[str, tuple[Override, ...]]) -> None:
        """The configured departments with these stored overrides added to their rosters."""
        self._index(
            replace(d, roster=d.roster.with_overrides(stored[slug])) if slug in stored else d
            for slug, d in self._as_configured.items()
        )
