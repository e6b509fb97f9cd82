"""TLS contexts of a department's mailbox: its client certificate, the servers it trusts, and
what can be told of that certificate without the server (core.mailbox.ClientCertificate)."""

from __future__ import annotations

import os
import ssl
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning

from frontdoor.core.mailbox import ClientCertificate, LoginFailure, Mailbox, login_failure


class MailboxConfigError(Exception):
    """A mailbox setting points nowhere: says which, never a secret. `failure` is the class
    /readyz reports (a key that is not the certificate's: wrong-key)."""

    def __init__(self, message: str, failure: LoginFailure = LoginFailure.CONFIGURATION) -> None:
        super().__init__(message)
        self.failure = failure


@dataclass(frozen=True)
class ClientTls:
    """A department's TLS side: the context, and the certificate's and key's files (None: it
    has none), whose facts are read when a failure needs explaining."""

    context: ssl.SSLContext
    paths: tuple[Path, Path | None] | None

    @property
    def has_certificate(self) -> bool:
        return self.paths is not None

    @cached_property
    def certificate(self) -> ClientCertificate | None:
        if self.paths is None:
            return None
        return certificate_facts(*self.paths, self.context)


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


def client_tls(slug: str, mailbox: Mailbox) -> ClientTls:
    """A client context trusting the operator's servers, carrying the department's
    certificate if it has one, and that certificate's facts."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if mailbox.ca_file:
        context.load_verify_locations(cafile=mailbox.ca_file)
    paths = certificate_paths(slug, mailbox)
    if paths is None:
        return ClientTls(context=context, paths=None)
    cert, key = paths
    try:
        context.load_cert_chain(certfile=cert, keyfile=key)
    except (ssl.SSLError, OSError) as error:
        mismatch = "KEY_VALUES_MISMATCH" in str(error)
        failure = LoginFailure.WRONG_KEY if mismatch else LoginFailure.CONFIGURATION
        what = "the key is not the certificate's" if mismatch else type(error).__name__
        raise MailboxConfigError(
            f"{slug}: [mailbox] cannot load the certificate and key ({what})", failure
        ) from None
    return ClientTls(context=context, paths=paths)


def client_context(slug: str, mailbox: Mailbox) -> tuple[ssl.SSLContext, bool]:
    """The context of client_tls, and whether it carries a certificate."""
    tls = client_tls(slug, mailbox)
    return tls.context, tls.has_certificate


def certificate_facts(
    cert: Path, key: Path | None, context: ssl.SSLContext
) -> ClientCertificate | None:
    """Validity, key and issuer of the certificate a context was loaded with (its file may
    hold the chain after it); None when the file cannot be read as PEM here."""
    try:
        chain = x509.load_pem_x509_certificates(cert.read_bytes())
    except (ValueError, OSError):
        return None
    leaf = chain[0]
    return ClientCertificate(
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
        key_matches=_key_matches(leaf, key or cert),
        issuer_trusted=_chains_to(leaf, chain[1:], _anchors(context)),
    )


def _key_matches(leaf: x509.Certificate, key: Path) -> bool:
    try:
        private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    except (ValueError, TypeError, OSError):  # unreadable, or protected by a password
        return False
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    return bool(
        private.public_key().public_bytes(encoding, public)
        == leaf.public_key().public_bytes(encoding, public)
    )


def _anchors(context: ssl.SSLContext) -> list[x509.Certificate]:
    """The authorities the context trusts, as far as it lists them (a CA file, or the
    system's bundle; a directory of hashed certificates lists nothing until used)."""
    anchors = []
    with warnings.catch_warnings():  # old roots of a system bundle break RFC 5280 a little
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for der in context.get_ca_certs(binary_form=True):
            try:
                anchors.append(x509.load_der_x509_certificate(bytes(der)))
            except ValueError:
                continue
    return anchors


def _chains_to(
    leaf: x509.Certificate, intermediates: list[x509.Certificate], anchors: list[x509.Certificate]
) -> bool | None:
    """Whether the leaf is issued by an anchor, directly or through the intermediates of its
    own file (signatures checked, not dates); None when no anchor is known."""
    if not anchors:
        return None
    current, pool = leaf, list(intermediates)
    for _ in range(len(intermediates) + 1):
        if any(_issued_by(current, anchor) for anchor in anchors):
            return True
        parent = next((c for c in pool if _issued_by(current, c)), None)
        if parent is None:
            return False
        pool.remove(parent)
        current = parent
    return False


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):  # another issuer, another key type
        return False
    return True


def now_utc() -> datetime:
    """Real time, as the servers check certificates (never the app's simulated clock)."""
    return datetime.now(UTC)


def tls_explainer(tls: ClientTls) -> Callable[[BaseException], str | None]:
    """For a Mailer: why a TLS session with this certificate failed, classified as a login
    is (core.mailbox.login_failure), e.g. "the client certificate expired on … [expired]"."""

    def explain(error: BaseException) -> str | None:
        verdict = login_failure(
            at=now_utc(),
            presented=tls.has_certificate,
            certificate=tls.certificate,
            tls_error=f"{type(error).__name__}: {error} {error.__cause__ or ''}",
        )
        return f"{verdict.explanation} [{verdict.failure}]"

    return explain
