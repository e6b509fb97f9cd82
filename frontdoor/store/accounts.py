"""Console accounts, their signed-in sessions and their API tokens.

Cookies and tokens are random; only their SHA-256 is stored, so a copy of the database
signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.access import Role
from frontdoor.store.models import Account, ApiToken, ConsoleSession

# The demonstration accounts of `frontdoor accounts demo` (development mode only) are
# <role>@<department>.demo: nobody's real address ends so.
DEMO_DOMAIN_SUFFIX = ".demo"


def is_demo_login(login: str) -> bool:
    """A login under the demonstration domain, as accounts store it (trimmed, lower case)."""
    return login.strip().lower().endswith(DEMO_DOMAIN_SUFFIX)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def account_by_login(*, session: AsyncSession, login: str) -> Account | None:
    result = await session.exec(select(Account).where(Account.login == login.strip().lower()))
    return result.first()


async def all_accounts(*, session: AsyncSession) -> Sequence[Account]:
    """Every account, enabled or not, by login."""
    return (await session.exec(select(Account).order_by(col(Account.login)))).all()


async def disable_account(*, session: AsyncSession, login: str) -> Account | None:
    """Disable an account (its sessions and tokens stop working); None when there is none.
    The caller commits."""
    account = await account_by_login(session=session, login=login)
    if account is not None:
        account.disabled = True
        session.add(account)
    return account


async def desk_accounts(*, session: AsyncSession, department: str) -> list[Account]:
    """The enabled referents and coordinators of a department: whom a request may be given
    to, by name."""
    result = await session.exec(
        select(Account)
        .where(
            col(Account.role).in_((Role.REFERENT.value, Role.COORDINATOR.value)),
            col(Account.disabled).is_(False),
        )
        .order_by(col(Account.display_name))
    )
    return [account for account in result.all() if department in account.departments]


async def account_names(*, session: AsyncSession, department: str) -> dict[str, str]:
    """The display names of the department's accounts, by login (shown instead of logins)."""
    rows = (
        await session.exec(select(Account.login, Account.display_name, Account.departments))
    ).all()
    return {login: name for login, name, departments in rows if department in departments}


async def demo_logins(*, session: AsyncSession) -> list[str]:
    """The demonstration accounts still enabled (their password is public)."""
    result = await session.exec(
        select(Account.login).where(
            col(Account.login).endswith(DEMO_DOMAIN_SUFFIX), col(Account.disabled).is_(False)
        )
    )
    return list(result.all())


async def add_account(
    *,
    session: AsyncSession,
    login: str,
    display_name: str,
    role: Role,
    departments: Sequence[str],
    password_hash: str | None,
    referent_id: str | None,
    now: datetime,
) -> Account:
    account = Account(
        login=login.strip().lower(),
        display_name=display_name,
        role=role,
        departments=list(departments),
        referent_id=referent_id,
        password_hash=password_hash,
        created_at=now,
    )
    session.add(account)
    await session.flush()
    return account


async def open_session(
    *, session: AsyncSession, account: Account, now: datetime, lifetime: timedelta
) -> tuple[str, ConsoleSession]:
    """A new signed-in session: the cookie's token (to give the browser once) and its row."""
    token = new_token()
    row = ConsoleSession(
        token_hash=digest(token),
        account_id=account.id or 0,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    return token, row


async def signed_in(
    *, session: AsyncSession, token: str, now: datetime
) -> tuple[ConsoleSession, Account] | None:
    result = await session.exec(
        select(ConsoleSession, Account)
        .join(Account, col(Account.id) == col(ConsoleSession.account_id))
        .where(ConsoleSession.token_hash == digest(token))
    )
    found = result.first()
    if found is None:
        return None
    console_session, account = found
    if not _still_signed_in(console_session, account, now=now):
        return None
    return console_session, account


async def signed_in_accounts(
    *, session: AsyncSession, token_hashes: Collection[str], now: datetime
) -> dict[str, Account]:
    """signed_in for many sessions at once, by their token's digest: the account of each one
    still signed in (the console's live streams check theirs together)."""
    if not token_hashes:
        return {}
    result = await session.exec(
        select(ConsoleSession, Account)
        .join(Account, col(Account.id) == col(ConsoleSession.account_id))
        .where(col(ConsoleSession.token_hash).in_(list(token_hashes)))
    )
    return {
        console_session.token_hash: account
        for console_session, account in result.all()
        if _still_signed_in(console_session, account, now=now)
    }


def _still_signed_in(console_session: ConsoleSession, account: Account, *, now: datetime) -> bool:
    return console_session.expires_at > now and not account.disabled


async def close_session(*, session: AsyncSession, token: str) -> None:
    await session.exec(
        delete(ConsoleSession).where(col(ConsoleSession.token_hash) == digest(token))
    )


async def purge_expired_sessions(*, session: AsyncSession, now: datetime) -> None:
    await session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) <= now))


async def add_api_token(
    *, session: AsyncSession, account: Account, label: str, scopes: Sequence[str], now: datetime
) -> tuple[str, ApiToken]:
    token = "fd_" + new_token()
    row = ApiToken(
        account_id=account.id or 0,
        token_hash=digest(token),
        label=label,
        scopes=list(scopes),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return token, row


async def api_token_holder(*, session: AsyncSession, token: str) -> tuple[ApiToken, Account] | None:
    result = await session.exec(
        select(ApiToken, Account)
        .join(Account, col(Account.id) == col(ApiToken.account_id))
        .where(ApiToken.token_hash == digest(token))
    )
    found = result.first()
    if found is None or found[0].revoked_at is not None or found[1].disabled:
        return None
    return found


async def tokens_of(*, session: AsyncSession, account_id: int) -> Sequence[ApiToken]:
    result = await session.exec(
        select(ApiToken).where(ApiToken.account_id == account_id).order_by(col(ApiToken.id))
    )
    return result.all()
