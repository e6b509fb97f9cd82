"""The departments one process serves, found by the number called or by slug."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from frontdoor.core.department import Department


class Departments:
    def __init__(self, departments: Iterable[Department]) -> None:
        self._by_number = {d.number: d for d in departments}
        self._by_slug = {d.slug: d for d in self._by_number.values()}

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_number.values())

    def for_number(self, number: str) -> Department | None:
        return self._by_number.get(number)

    def for_slug(self, slug: str) -> Department | None:
        return self._by_slug.get(slug)
