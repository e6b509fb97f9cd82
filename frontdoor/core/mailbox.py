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
    notify: Notify = "sms"
    notify_address: str | None = None  # notify = "mail": where notices go
    # Sender domain → referrer type ("chu-toulouse.fr" = "hospital"); subdomains match.
    domains: Mapping[str, str] = field(default_factory=dict)

    @property
    def handled_folder(self) -> str | None:
        kind, _, folder = self.handled.partition(":")
        return folder if kind == "move" and folder else None
