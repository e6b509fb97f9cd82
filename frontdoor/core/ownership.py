"""Which provider account may act on which department: the rule every Twilio webhook obeys.

A webhook names an account (its form's AccountSid) and is signed with that account's token:
a department's subaccount when it names one, else the deployment's own account. An account
owns the departments whose numbers it holds: a subaccount its department only, the
deployment's account every department without a subaccount. Whatever a webhook touches (a
department found from a number, a call, a callback task, a message, a recording) must belong
to a department the signing account owns; frontdoor.kit.webhook_owner applies it.

`subaccounts` maps a department's slug to the AccountSid of its subaccount.
"""

from __future__ import annotations

from collections.abc import Mapping

# The account of the departments without a subaccount: the deployment's own.
DEPLOYMENT = "deployment"


def signing_account(account_sid: str | None, subaccounts: Mapping[str, str]) -> str:
    """The account whose token a webhook naming `account_sid` was checked with."""
    if account_sid and account_sid in subaccounts.values():
        return account_sid
    return DEPLOYMENT


def owner_of(department: str, subaccounts: Mapping[str, str]) -> str:
    """The account that holds a department's numbers (and so its calls and messages)."""
    return subaccounts.get(department, DEPLOYMENT)


def owns(department: str, account_sid: str | None, subaccounts: Mapping[str, str]) -> bool:
    """Whether a webhook signed for `account_sid` may act on this department's things."""
    return signing_account(account_sid, subaccounts) == owner_of(department, subaccounts)


def same_account(
    account_sid: str | None, other_sid: str | None, subaccounts: Mapping[str, str]
) -> bool:
    """Whether two webhooks were signed by the same account (a call's steps are)."""
    return signing_account(account_sid, subaccounts) == signing_account(other_sid, subaccounts)


def owns_recording(
    recording_account: str | None, account_sid: str | None, subaccounts: Mapping[str, str]
) -> bool:
    """Whether a recording a webhook names may be kept: one of the signing account (the
    account its URL names), or a bare recording SID, which is then the department's own."""
    return recording_account is None or same_account(recording_account, account_sid, subaccounts)
