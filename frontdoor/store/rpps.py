"""The territory's professionals from the Annuaire Santé, kept as known contacts.

Each professional is one contact of the department, found again by their RPPS number: a
second import of the same extraction changes nothing, a later one brings the contact up to
date. A contact a coordinator edited (console or CSV list) or made themselves keeps what they
gave it. A number or an address that is already another contact's stays that contact's: the
professional is kept without it. The territory's GP count becomes the year's denominator of
indicator 6, unless the coordinator typed one in by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.figures import ENTERED_BY_HAND
from frontdoor.core.rpps import Professional
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import DepartmentFigures, KnownContact

RPPS = "rpps"  # known_contacts.imported_from


@dataclass(kw_only=True, frozen=True)
class RppsImported:
    created: int
    updated: int
    unchanged: int
    kept_local: int  # contacts a coordinator edited or made: left as they are
    without_number: int  # their number is another contact's
    without_address: int  # their address is another contact's
    # Contacts an earlier import made whose professional this one does not give (gone from
    # the territory, or without a number or address of their own): kept, for the coordinator
    # to check, since persons may name them as their GP.
    absent: int


async def import_professionals(
    *,
    session: AsyncSession,
    department: str,
    professionals: Sequence[Professional],
    progress: Callable[[int], None] = lambda done: None,
) -> RppsImported:
    """Each professional added or brought up to date (the caller commits)."""
    existing = {
        c.rpps: c
        for c in (
            await session.exec(
                select(KnownContact).where(
                    KnownContact.department == department, col(KnownContact.rpps).is_not(None)
                )
            )
        ).all()
    }
    created = updated = unchanged = kept = no_number = no_address = 0
    for done, professional in enumerate(professionals, start=1):
        contact = existing.get(professional.rpps)
        if contact is not None and (contact.edited_locally or contact.imported_from != RPPS):
            kept += 1
        else:
            number, address = await _free(session, department, professional, contact)
            no_number += professional.number is not None and number is None
            no_address += professional.address is not None and address is None
            if number is None and address is None:
                continue
            fields = {
                "number": number,
                "address": address,
                "name": professional.name[:200],
                "referrer_type": professional.referrer_type.value,
                "profession": professional.profession[:200],
            }
            if contact is None:
                contact = KnownContact(
                    department=department,
                    rpps=professional.rpps,
                    imported_from=RPPS,
                    name="",
                    referrer_type="",
                )
                for key, value in fields.items():
                    setattr(contact, key, value)
                session.add(contact)
                created += 1
            elif all(getattr(contact, k) == v for k, v in fields.items()):
                unchanged += 1
            else:
                for key, value in fields.items():
                    setattr(contact, key, value)
                session.add(contact)
                updated += 1
            await session.flush()
        if done % 500 == 0 or done == len(professionals):
            progress(done)
    given = {p.rpps for p in professionals}
    absent = sum(1 for rpps, c in existing.items() if c.imported_from == RPPS and rpps not in given)
    return RppsImported(
        absent=absent,
        created=created,
        updated=updated,
        unchanged=unchanged,
        kept_local=kept,
        without_number=no_number,
        without_address=no_address,
    )


async def _free(
    session: AsyncSession,
    department: str,
    professional: Professional,
    contact: KnownContact | None,
) -> tuple[str | None, str | None]:
    """The professional's number and address, each None when another contact has it."""
    others = await session.exec(
        select(KnownContact.number, KnownContact.address).where(
            KnownContact.department == department,
            any_of(
                equal(KnownContact.number, professional.number),
                equal(KnownContact.address, professional.address),
            ),
            col(KnownContact.id) != ((contact.id or 0) if contact else 0),
        )
    )
    taken = others.all()
    number = None if any(n == professional.number for n, _ in taken) else professional.number
    address = None if any(a == professional.address for _, a in taken) else professional.address
    return number, address


async def count_territory_gps(
    *, session: AsyncSession, department: str, year: int, gps: int, source: str, at: datetime
) -> bool:
    """The year's GP count from the extraction, unless one was typed by hand (False then)."""
    found = (
        await session.exec(
            select(DepartmentFigures).where(
                DepartmentFigures.department == department, DepartmentFigures.year == year
            )
        )
    ).first()
    row = found or DepartmentFigures(department=department, year=year)
    if row.territory_gps is not None and row.territory_gps_source == ENTERED_BY_HAND:
        return False
    row.territory_gps, row.territory_gps_source = gps, source[:200]
    row.territory_gps_by, row.territory_gps_at = f"import {RPPS}", at
    session.add(row)
    return True
