"""A department's known contacts as the console keeps them: listed, saved one at a time (a
new one, or an edit), removed, imported from a CSV (frontdoor.contacts checks each line).

A number or an address belongs to one contact of a department (the table's unique keys): a
contact saved with another's number is refused, saying whose it is. A contact removed is
no longer any person's GP or referring professional (persons keep their own file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.contacts import ContactError, ContactProblem, ContactRow
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import KnownContact, Person
from frontdoor.store.requests import upsert_contact

TAKEN = "ce numéro ou cette adresse est déjà celui d'un autre contact"


async def contacts_of(*, session: AsyncSession, department: str) -> Sequence[KnownContact]:
    result = await session.exec(
        select(KnownContact)
        .where(KnownContact.department == department)
        .order_by(col(KnownContact.name), col(KnownContact.id))
    )
    return result.all()


async def contact_in(
    *, session: AsyncSession, departments: Sequence[str], contact_id: int
) -> KnownContact | None:
    """The contact if it is one of these departments' (None otherwise, as if it did not
    exist)."""
    found = await session.get(KnownContact, contact_id)
    return found if found is not None and found.department in departments else None


async def save_contact(
    *, session: AsyncSession, department: str, row: ContactRow, contact: KnownContact | None
) -> KnownContact:
    """`contact` changed to `row`, or a new contact of the department (added to the session:
    the caller commits); ContactError when the number or address is another contact's."""
    others = await session.exec(
        select(KnownContact).where(
            KnownContact.department == department,
            any_of(
                equal(KnownContact.number, row.number), equal(KnownContact.address, row.address)
            ),
            col(KnownContact.id) != ((contact.id or 0) if contact else 0),
        )
    )
    taken = others.first()
    if taken is not None:
        raise ContactError(f"ce numéro ou cette adresse est déjà celui du contact « {taken.name} »")
    saved = contact or KnownContact(department=department, name="", referrer_type="")
    saved.number, saved.address, saved.name = row.number, row.address, row.name
    saved.referrer_type, saved.rpps = row.referrer_type.value, row.rpps
    # An edit of a contact the RPPS import made: the next import leaves it as edited.
    saved.edited_locally = saved.edited_locally or saved.imported_from is not None
    session.add(saved)
    await session.flush()
    return saved


async def remove_contact(*, session: AsyncSession, contact: KnownContact) -> None:
    """The contact goes; the persons' files that named it as their GP or referring
    professional keep everything else."""
    for column in ("gp_contact_id", "referrer_contact_id"):
        await session.exec(
            update(Person).where(getattr(Person, column) == contact.id).values({column: None})
        )
    await session.delete(contact)


@dataclass(kw_only=True, frozen=True)
class Imported:
    created: int
    updated: int
    refused: list[ContactProblem]  # lines whose number or address is another contact's


async def import_contacts(
    *, session: AsyncSession, department: str, rows: Sequence[ContactRow]
) -> Imported:
    """Each row added, or the contact of its number (else address) updated."""
    created, updated, refused = 0, 0, []
    for row in rows:
        try:
            async with session.begin_nested():
                new = await upsert_contact(
                    session=session,
                    contact=KnownContact(
                        department=department,
                        number=row.number,
                        address=row.address,
                        name=row.name,
                        referrer_type=row.referrer_type.value,
                        rpps=row.rpps,
                    ),
                )
        except IntegrityError:
            refused.append(ContactProblem(line=row.line, message=TAKEN))
            continue
        created, updated = (created + 1, updated) if new else (created, updated + 1)
    return Imported(created=created, updated=updated, refused=refused)
