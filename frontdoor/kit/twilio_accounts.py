"""Which Twilio account speaks for which department: the deployment's own, or a department's
subaccount. Webhooks are checked with the token of the account that owns the number; SMS,
calls and recordings go through that account's client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.helpers import ChainMapProxy

from frontdoor.core import ownership
from frontdoor.core.department import Department
from frontdoor.department_file.twilio import read_token
from frontdoor.keys import TWILIO_API
from frontdoor.outbound.twilio_api import TwilioApi


@dataclass(kw_only=True, frozen=True)
class Account:
    sid: str
    token: str


class TwilioAccounts:
    """The default account, and the subaccounts named by department files."""

    def __init__(self, default: Account, departments: Iterable[Department]) -> None:
        self.default = default
        self._by_department: dict[str, Account] = {}
        for department in departments:
            if department.twilio is not None:
                self._by_department[department.slug] = Account(
                    sid=department.twilio.account_sid, token=read_token(department.twilio)
                )
        self._by_sid = {account.sid: account for account in self._by_department.values()}
        self._sids = {slug: account.sid for slug, account in self._by_department.items()}

    @property
    def subaccounts(self) -> Mapping[str, Account]:
        return self._by_department

    def of(self, department: Department | None) -> Account:
        if department is None:
            return self.default
        return self._by_department.get(department.slug, self.default)

    def token_for(self, account_sid: str | None) -> str:
        """The token a webhook naming this account is checked with: a subaccount's own,
        else the deployment's."""
        return self._by_sid.get(account_sid or "", self.default).token

    def owns(self, department: str, account_sid: str | None) -> bool:
        """Whether a webhook signed for `account_sid` may act on this department (by slug):
        a subaccount speaks only for its department, the default account for the others."""
        return ownership.owns(department, account_sid, self._sids)

    def same_account(self, account_sid: str | None, other_sid: str | None) -> bool:
        return ownership.same_account(account_sid, other_sid, self._sids)

    def owns_recording(self, recording_account: str | None, account_sid: str | None) -> bool:
        return ownership.owns_recording(recording_account, account_sid, self._sids)


# Set by the app factory (frontdoor.web.app): the accounts, and a client per subaccount.
TWILIO_ACCOUNTS = web.AppKey("twilio_accounts", TwilioAccounts)
TWILIO_CLIENTS = web.AppKey("twilio_clients", dict[str, TwilioApi])


def twilio_api_for(app: web.Application | ChainMapProxy, department_slug: str) -> TwilioApi:
    """The REST client of the account that owns this department's number (`app` may be a
    request's config_dict, from a sub-application)."""
    return app[TWILIO_CLIENTS].get(department_slug) or app[TWILIO_API]


def subaccount_clients(accounts: TwilioAccounts, base_url: str | None) -> dict[str, TwilioApi]:
    return {
        slug: TwilioApi(account_sid=account.sid, auth_token=account.token, api_base_url=base_url)
        for slug, account in accounts.subaccounts.items()
    }
