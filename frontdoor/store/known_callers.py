"""The departments' known contacts, kept in memory for the incoming-call webhook.

The first answer to a call must not wait on a query; known contacts change rarely (a CSV
import), so each instance keeps a copy and refreshes it every few seconds. The numbers that
sent STOP are copied with them: an SMS answered while the store is unreachable must not go
to one of them.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.referrers import KnownCaller, ReferrerType
from frontdoor.core.retention import stored_forms
from frontdoor.store.models import KnownContact, SmsOptOut


class KnownCallers:
    def __init__(self, engine: AsyncEngine, *, key: bytes) -> None:
        self._engine = engine
        self._key = key  # of the opt-outs' pseudonyms
        self._by_number: dict[tuple[str, str], KnownCaller] = {}
        self._addresses: dict[str, dict[str, KnownCaller]] = {}
        self._opted_out: frozenset[tuple[str, str]] = frozenset()

    def lookup(self, department: str, number: str | None) -> KnownCaller | None:
        return self._by_number.get((department, number or ""))

    def addresses(self, department: str) -> Mapping[str, KnownCaller]:
        """The department's known mail addresses (lower case) and who they are."""
        return self._addresses.get(department, {})

    def opted_out(self, department: str, number: str) -> bool:
        """Whether the number had sent the department STOP (and not START) at the last copy."""
        return any(
            (department, held) in self._opted_out for held in stored_forms(number, self._key)
        )

    async def refresh(self) -> None:
        async with AsyncSession(self._engine) as session:
            contacts = (await session.exec(select(KnownContact))).all()
            opt_outs = (await session.exec(select(SmsOptOut.department, SmsOptOut.number))).all()
        known = {
            c.id: KnownCaller(
                name=c.name,
                referrer_type=ReferrerType(c.referrer_type),
                profession=c.profession,
                rpps=c.rpps,
            )
            for c in contacts
        }
        self._by_number = {(c.department, c.number): known[c.id] for c in contacts if c.number}
        addresses: dict[str, dict[str, KnownCaller]] = {}
        for contact in contacts:
            if contact.address:
                addresses.setdefault(contact.department, {})[contact.address] = known[contact.id]
        self._addresses = addresses
        self._opted_out = frozenset((row[0], row[1]) for row in opt_outs)
