"""TLS contexts of a department's mailbox: its client certificate, the servers it trusts."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

from frontdoor.core.mailbox import Mailbox


class MailboxConfigError(Exception):
    """A mailbox setting points nowhere: says which, never a secret."""


def _path(slug: str, value: str | None, env: str | None, what: str) -> Path | None:
    if env:
        value = os.environ.get(env)
        if not value:
            raise MailboxConfigError(f"{slug}: [mailbox] {what}_env names {env}, which is unset")
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise MailboxConfigError(f"{slug}: [mailbox] {what} {path} is not a readable file")
    return path


def certificate_paths(slug: str, mailbox: Mailbox) -> tuple[Path, Path | None] | None:
    """(certificate, key) of the mailbox, or None when it has no certificate."""
    cert = _path(slug, mailbox.certificate, mailbox.certificate_env, "certificate")
    key = _path(slug, mailbox.key, mailbox.key_env, "key")
    if cert is None:
        if key is not None:
            raise MailboxConfigError(f"{slug}: [mailbox] has a key but no certificate")
        return None
    return cert, key


def client_context(slug: str, mailbox: Mailbox) -> tuple[ssl.SSLContext, bool]:
    """A client context trusting the operator's servers, carrying the department's
    certificate if it has one; and whether it does."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if mailbox.ca_file:
        context.load_verify_locations(cafile=mailbox.ca_file)
    paths = certificate_paths(slug, mailbox)
    if paths is not None:
        cert, key = paths
        try:
            context.load_cert_chain(certfile=cert, keyfile=key)
        except (ssl.SSLError, OSError) as error:
            raise MailboxConfigError(
                f"{slug}: [mailbox] cannot load the certificate and key ({type(error).__name__})"
            ) from None
    return context, paths is not None
