"""What left through the stand-ins: SMS sent, calls placed, mails sent; and which of it is a
department's, for the console's page of what was sent (development mode only)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime


@dataclass(kw_only=True, frozen=True)
class SentSms:
    at: datetime
    sid: str
    to: str
    sender: str
    body: str


@dataclass(kw_only=True, frozen=True)
class PlacedCall:
    at: datetime
    sid: str
    to: str
    sender: str
    url: str  # where Twilio would fetch the call's TwiML


@dataclass(kw_only=True, frozen=True)
class SentMail:
    at: datetime
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str


Sent = SentSms | PlacedCall | SentMail


def of_department(sent: Collection[Sent], *, number: str, addresses: Collection[str]) -> list[Sent]:
    """What a department sent, newest first: SMS and calls from its number, mails to or from
    one of its addresses (its escalation address, its mailbox and the mailbox's notices)."""
    wanted = {address.lower() for address in addresses}

    def its(item: Sent) -> bool:
        if isinstance(item, SentMail):
            return bool(wanted & {address.lower() for address in (item.sender, *item.to)})
        return item.sender == number

    return sorted((item for item in sent if its(item)), key=lambda item: item.at, reverse=True)
