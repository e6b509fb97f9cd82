"""The directory's resources as the console reads and corrects them, one at a time.

(The imports write them in bulk: frontdoor.directory.store; the search reads them:
frontdoor.directory.search.)
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_text import search_text
from frontdoor.core.resource_corrections import EDITABLE, ResourceCorrection
from frontdoor.core.taxonomy import Category
from frontdoor.store.audit import record_resource_edit
from frontdoor.store.models import Resource


async def resource_by_id(*, session: AsyncSession, resource_id: int | None) -> Resource | None:
    return None if resource_id is None else await session.get(Resource, resource_id)


async def checked_dates(
    *, session: AsyncSession, resource_ids: Collection[int | None]
) -> dict[int | None, date | None]:
    """When each of these resources was last checked (None: never said)."""
    if not resource_ids:
        return {}
    rows = await session.exec(
        select(col(Resource.id), col(Resource.checked_at)).where(
            col(Resource.id).in_(list(resource_ids))
        )
    )
    return dict(rows.all())


def editable_lengths() -> dict[str, int]:
    """The longest each corrected text field may be, as the table holds it."""
    columns = Resource.__table__.c  # type: ignore[attr-defined]
    return {field: columns[field].type.length for field in EDITABLE}


def journaled(resource: Resource) -> dict[str, Any]:
    """What a correction may change, as the journal keeps it."""
    values: dict[str, Any] = {field: getattr(resource, field) for field in EDITABLE}
    values["phones"] = list(resource.phones)
    values["checked_at"] = resource.checked_at.isoformat() if resource.checked_at else None
    return values


async def correct_resource(
    *, session: AsyncSession, resource: Resource, correction: ResourceCorrection, account: str,
    at: datetime,
) -> None:  # fmt: skip
    """Apply a correction, mark the resource edited locally (imports leave it alone), journal
    each changed field before and after, and commit."""
    before = journaled(resource)
    for field, value in correction.fields.items():
        setattr(resource, field, value)
    resource.phones = list(correction.phones)
    resource.checked_at = correction.checked_at or resource.checked_at
    resource.edited_locally = True
    resource.search_text = search_text(
        name=resource.name, category=Category(resource.category),
        commune_name=resource.commune_name,
    )[:2000]  # fmt: skip
    resource.updated_at = at
    session.add(resource)
    record_resource_edit(
        session=session, at=at, account=account, resource_id=resource.id or 0,
        before=before, after=journaled(resource),
    )  # fmt: skip
    await session.commit()
