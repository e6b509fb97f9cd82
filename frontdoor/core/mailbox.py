"""A department's secure mailbox (BAL MSSanté) as the core sees it: plain settings.

Read from the `[mailbox]` table of its department file (frontdoor.department_file.mailbox).
Paths and environment variable names only: the certificate itself is read at connection time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from frontdoor.core.calendar import require_aware

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
    return min(first_s * 2.0 ** max(0, failures - 1), RECONNECT_LONGEST_S)


# ----- Why a mailbox cannot log in -----


class LoginFailure(StrEnum):
    """Why a department's mailbox could not be opened: what /readyz and the metrics say."""

    NO_CERTIFICATE = "no-certificate"  # none configured, or none reached the server
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    UNTRUSTED_ISSUER = "untrusted-issuer"  # not issued by an authority the server accepts
    WRONG_KEY = "wrong-key"  # the key is not the certificate's
    SERVER_UNTRUSTED = "server-untrusted"  # we do not trust the server's certificate
    SERVER_REFUSED = "server-refused"  # refused, and nothing tells why
    UNREACHABLE = "unreachable"  # no connection, no TLS on the port, no answer
    CONFIGURATION = "configuration"  # a setting points nowhere, a file cannot be read
    FOLDER = "folder"  # logged in, but the folder to read cannot be selected


@dataclass(kw_only=True, frozen=True)
class ClientCertificate:
    """What Frontdoor knows of its own certificate without asking the server."""

    not_before: datetime
    not_after: datetime
    key_matches: bool
    # Issued (directly or through the chain in its file) by an authority of the mailbox's
    # trust store (ca_file, else the system's); None: that store could not be read.
    issuer_trusted: bool | None


# What OpenSSL says of a handshake, by the reason names in its errors: the alerts a server
# sends about our certificate (TLS 1.2 servers, and TLS 1.3 ones that check at once), what
# our side finds. Dovecot and servers that check after the handshake only end it, or refuse
# the login: then the certificate's own facts tell.
TLS_REASONS: tuple[tuple[str, LoginFailure], ...] = (
    ("CERTIFICATE_EXPIRED", LoginFailure.EXPIRED),
    ("CERTIFICATE_REVOKED", LoginFailure.REVOKED),
    ("UNKNOWN_CA", LoginFailure.UNTRUSTED_ISSUER),
    ("CERTIFICATE_REQUIRED", LoginFailure.NO_CERTIFICATE),
    ("PEER_DID_NOT_RETURN_A_CERTIFICATE", LoginFailure.NO_CERTIFICATE),
    ("DECRYPT_ERROR", LoginFailure.WRONG_KEY),
    ("KEY_VALUES_MISMATCH", LoginFailure.WRONG_KEY),
    ("CERTIFICATE_VERIFY_FAILED", LoginFailure.SERVER_UNTRUSTED),
    ("WRONG_VERSION_NUMBER", LoginFailure.UNREACHABLE),
)


@dataclass(kw_only=True, frozen=True)
class LoginVerdict:
    failure: LoginFailure
    explanation: str  # for the operator: what to check; no secret, no personal data


def login_failure(
    *,
    at: datetime,
    presented: bool,
    certificate: ClientCertificate | None,
    tls_error: str | None = None,
    refused: bool = False,
    reached: bool = True,
) -> LoginVerdict:
    """Why the login failed, from what the TLS layer said (``tls_error``: OpenSSL's text,
    None when the handshake went through), whether the server then refused the login
    (``refused``: Dovecot's "didn't present valid SSL certificate" says no more), whether a
    connection was made at all (``reached``), whether a certificate was ``presented``, and
    its facts at ``at`` (real time: the server's clock, not a simulated one; None: its file
    could not be read here). A server that refuses a
    certificate in date, matching its key and issued by a trusted authority has most likely
    revoked it."""
    require_aware(at)
    if not reached:
        return _verdict(LoginFailure.UNREACHABLE, certificate)
    for marker, failure in TLS_REASONS if tls_error else ():
        if marker in (tls_error or ""):
            return _verdict(failure, certificate)
    if not presented:
        return _verdict(LoginFailure.NO_CERTIFICATE, None)
    if certificate is None:
        return _verdict(LoginFailure.SERVER_REFUSED, None)
    if not certificate.key_matches:
        return _verdict(LoginFailure.WRONG_KEY, certificate)
    if at >= certificate.not_after:
        return _verdict(LoginFailure.EXPIRED, certificate)
    if at < certificate.not_before:
        return _verdict(LoginFailure.NOT_YET_VALID, certificate)
    if certificate.issuer_trusted is False:
        return _verdict(LoginFailure.UNTRUSTED_ISSUER, certificate)
    if certificate.issuer_trusted and (refused or tls_error is not None):
        return _verdict(LoginFailure.REVOKED, certificate)
    return _verdict(LoginFailure.SERVER_REFUSED, certificate)


def _verdict(failure: LoginFailure, certificate: ClientCertificate | None) -> LoginVerdict:
    day = "%Y-%m-%d %H:%M UTC"
    match failure:
        case LoginFailure.NO_CERTIFICATE:
            why = (
                "it requires a client certificate and none was presented (set certificate and "
                "key in the department's [mailbox])"
            )
        case LoginFailure.EXPIRED:
            end = f" on {certificate.not_after.astimezone(UTC):{day}}" if certificate else ""
            why = f"the client certificate expired{end}: renew it with the MSSanté operator"
        case LoginFailure.NOT_YET_VALID:
            start = f" before {certificate.not_before.astimezone(UTC):{day}}" if certificate else ""
            why = f"the client certificate is not valid{start}: check this host's clock"
        case LoginFailure.REVOKED:
            why = (
                "it refused a client certificate that is in date, matches its key and is "
                "issued by an authority this mailbox trusts: most likely revoked (ask the "
                "MSSanté operator)"
            )
        case LoginFailure.UNTRUSTED_ISSUER:
            why = (
                "the client certificate is not issued by an authority the server accepts "
                "(nor this mailbox's ca_file): install the one the MSSanté operator issued"
            )
        case LoginFailure.WRONG_KEY:
            why = "the key is not the client certificate's: check key (or key_env) in [mailbox]"
        case LoginFailure.SERVER_UNTRUSTED:
            why = "the server's certificate is not trusted (check ca_file)"
        case LoginFailure.UNREACHABLE:
            why = "no connection, no TLS on this port, or no answer: check host, port and TLS mode"
        case _:
            why = "it refused the login without saying why (ask the MSSanté operator)"
    return LoginVerdict(failure=failure, explanation=why)
