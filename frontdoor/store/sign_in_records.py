"""What the sign-in throttle keeps: failure counts under digested keys, and known devices.

A failure is counted with its rows locked (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
writer at a time): failures sent side by side, from any instance, all count, so a guesser
gains nothing by sending them together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.sign_in import DEVICE_LIFETIME, FORGET_AFTER, LOGIN_WINDOW, Tally
from frontdoor.store.accounts import digest, new_token
from frontdoor.store.db import dialect_insert
from frontdoor.store.models import SignInDevice, SignInTally

_TALLIES = SignInTally.__table__  # type: ignore[attr-defined]


def pair_key(login: str, client: str) -> str:
    return digest(f"pair\n{login}\n{client}")


def login_key(login: str) -> str:
    return digest(f"login\n{login}")


async def tallies(*, session: AsyncSession, keys: Sequence[str]) -> dict[str, Tally]:
    rows = await session.exec(select(SignInTally).where(col(SignInTally.key).in_(keys)))
    return {
        row.key: Tally(failures=row.failures, first=row.first_at, last=row.last_at)
        for row in rows.all()
    }


async def count_failure(
    *, session: AsyncSession, steps: Mapping[str, Callable[[Tally], Tally]], now: datetime
) -> None:
    """Each key's tally becomes `steps[key](tally)`, its row locked meanwhile; not committed."""
    keys = sorted(steps)  # always locked in the same order: no deadlock between two failures
    insert = dialect_insert(session.bind, _TALLIES)  # type: ignore[arg-type]
    await session.exec(
        insert.values(
            [{"key": key, "failures": 0, "first_at": now, "last_at": now} for key in keys]
        ).on_conflict_do_nothing(index_elements=["key"])
    )
    rows = await session.exec(
        select(SignInTally)
        .where(col(SignInTally.key).in_(keys))
        .order_by(col(SignInTally.key))
        .with_for_update()
    )
    for row in rows.all():
        after = steps[row.key](Tally(failures=row.failures, first=row.first_at, last=row.last_at))
        row.failures = after.failures
        row.first_at = after.first or now
        row.last_at = after.last or now
        session.add(row)


async def forget_tally(*, session: AsyncSession, key: str) -> None:
    await session.exec(delete(SignInTally).where(col(SignInTally.key) == key))


async def device_account(*, session: AsyncSession, token: str, now: datetime) -> int | None:
    """The account a device cookie was given to, if it is ours and still in use."""
    device = await session.get(SignInDevice, digest(token))
    if device is None or now - device.last_used_at >= DEVICE_LIFETIME:
        return None
    return device.account_id


async def remember_device(
    *, session: AsyncSession, account_id: int, token: str | None, now: datetime
) -> str:
    """The device cookie's token after a sign-in: the one it had if it is this account's,
    else a new one."""
    if token:
        device = await session.get(SignInDevice, digest(token))
        if device is not None and device.account_id == account_id:
            device.last_used_at = now
            session.add(device)
            return token
    token = new_token()
    session.add(
        SignInDevice(
            token_hash=digest(token), account_id=account_id, created_at=now, last_used_at=now
        )
    )
    return token


async def purge_sign_in_records(*, session: AsyncSession, now: datetime) -> None:
    """Counts that no longer hold anyone, and devices unused for their lifetime."""
    stale = now - max(FORGET_AFTER, LOGIN_WINDOW)
    await session.exec(delete(SignInTally).where(col(SignInTally.last_at) <= stale))
    await session.exec(
        delete(SignInDevice).where(col(SignInDevice.last_used_at) <= now - DEVICE_LIFETIME)
    )
