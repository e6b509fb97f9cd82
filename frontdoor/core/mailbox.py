"""A department's secure mailbox (BAL MSSanté) as the core sees it: plain settings.

Read from the `[mailbox]` table of its department file (frontdoor.flows_mailbox). Paths and
environment variable names only: the certificate itself is read at connection time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

MailTls = Literal["implicit", "starttls"]
Notify = Literal["sms", "mail"]

# Where a message that cannot be taken in is parked: kept, never re-read, never answered.
QUARANTINE_FOLDER = "Frontdoor-Quarantaine"


@dataclass(kw_only=True, frozen=True)
class Mailbox:
    address: str  # the department's MSSanté address: From of every mail it sends
    imap_host: str
    imap_port: int = 993
    imap_tls: MailTls = "implicit"
    smtp_host: str
    smtp_port: int = 465
    smtp_tls: MailTls = "implicit"
    # The client certificate and its key (PEM): a path, or the name of an environment
    # variable holding the path (`certificate_env`), read when connecting.
    certificate: str | None = None
    certificate_env: str | None = None
    key: str | None = None
    key_env: str | None = None
    # CA file trusted for the operator's servers; unset, the system's trust store.
    ca_file: str | None = None
    # Plain login, for test servers only: the login and the variable holding its password.
    login: str | None = None
    password_env: str | None = None
    folder: str = "INBOX"
    # "flag": a keyword on the message; "move:Folder": moved there once its request is saved.
    handled: str = "flag"
    # Mails that cannot be read: "move:Folder" (created if missing) or "flag" (the parked
    # keyword only, left where they are). Either way they are never read again.
    parked: str = f"move:{QUARANTINE_FOLDER}"
    notify: Notify = "sms"
    notify_address: str | None = None  # notify = "mail": where notices go
    # Sender domain → referrer type ("chu-toulouse.fr" = "hospital"); subdomains match.
    domains: Mapping[str, str] = field(default_factory=dict)

    @property
    def handled_folder(self) -> str | None:
        return _folder(self.handled)

    @property
    def parked_folder(self) -> str | None:
        return _folder(self.parked)


def _folder(setting: str) -> str | None:
    kind, _, folder = setting.partition(":")
    return folder if kind == "move" and folder else None


# A mailbox kept open (IDLE) that the server dropped: tried again after 1, 2, 4 … seconds,
# at most five minutes apart, for as long as it takes.
RECONNECT_FIRST_S = 1.0
RECONNECT_LONGEST_S = 300.0


def reconnect_delay(failures: int, *, first_s: float = RECONNECT_FIRST_S) -> float:
    """Seconds to wait before connecting again after `failures` failures in a row."""
    return min(first_s * 2 ** max(0, failures - 1), RECONNECT_LONGEST_S)
