"""A private Dovecot (Debian's dovecot-imapd) on loopback, as an MSSanté operator runs one.

Its own config, base_dir, state_dir, log and mail under a temporary folder; run as the
current user, or as `nobody` when the tests run as root (Dovecot refuses to run its login
processes as root). Two listeners: IMAP with STARTTLS and implicit IMAPS. TLS is required
and so is a client certificate issued by the test CA (`ssl_verify_client_cert`,
`auth_ssl_require_client_cert`); the certificate's common name is the login
(`auth_ssl_username_from_cert`), by SASL EXTERNAL. The CA file carries a CRL, as Dovecot
requires one when it checks client certificates; it revokes `revoked_user`'s certificate.
Dovecot completes the TLS handshake whatever the certificate, then refuses the login with
"Client didn't present valid SSL certificate", saying no more.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from tests.ports import free_port

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u/Maildir
ssl = required
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
ssl_ca = <{root}/ca-with-crl.pem
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
auth_ssl_username_from_cert = yes
auth_mechanisms = external plain
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")


@dataclass(frozen=True)
class MailUser:
    """A mailbox on the server, and the client certificate that opens it."""

    login: str
    address: str
    certificate: Path  # PEM certificate
    key: Path  # PEM private key


class Dovecot:
    def __init__(self, binary: str, *, extra_config: str = "") -> None:
        self.binary = binary
        self.extra_config = extra_config  # appended to the config, e.g. imap_capability
        self.root = Path(tempfile.mkdtemp(prefix="frontdoor-dovecot-"))
        self.ca = trustme.CA()
        self.host = "127.0.0.1"
        self.imap_port = free_port()  # STARTTLS
        self.imaps_port = free_port()  # implicit TLS
        self._process: subprocess.Popen[bytes] | None = None
        self._command: list[str] = []
        self.revoked_user: MailUser | None = None  # made at start, revoked by the CRL

    @property
    def ca_file(self) -> Path:
        """The CA a client trusts to reach this server (without the CRL)."""
        return self.root / "ca.pem"

    def port(self, tls: str) -> int:
        return self.imaps_port if tls == "implicit" else self.imap_port

    def start(self) -> Dovecot:
        self._write_certificates()
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir()
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                user=account.pw_name,
                group=_group_name(account.pw_gid),
                uid=account.pw_uid,
                gid=account.pw_gid,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
            )
            + self.extra_config
        )
        command = [self.binary, "-F", "-c", str(self.root / "dovecot.conf")]
        if os.geteuid() == 0:
            os.chmod(self.root, 0o755)
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid)
            command = [
                "setpriv",
                f"--reuid={account.pw_uid}",
                f"--regid={account.pw_gid}",
                "--clear-groups",
                *command,
            ]
        self._command = command
        return self.resume()

    def resume(self) -> Dovecot:
        """Start the server again after `pause()`: same ports, certificates and mail."""
        # A process group of its own: pause() ends the master and the processes serving the
        # connections alike, as a server that goes away does.
        self._process = subprocess.Popen(  # noqa: S603
            self._command, stdin=subprocess.DEVNULL, start_new_session=True
        )
        self._wait_ready()
        return self

    def pause(self) -> None:
        """Stop the server (it says BYE to its clients) and keep everything for `resume()`."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # what the master left behind

    def freeze(self) -> None:
        """The server stops answering without a word (SIGSTOP), as a hung host does."""
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGCONT)

    def stop(self) -> None:
        self.pause()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_user(
        self,
        *,
        not_before: datetime.datetime | None = None,
        not_after: datetime.datetime | None = None,
        issuer: trustme.CA | None = None,
    ) -> MailUser:
        """A fresh, empty mailbox and its certificate (the common name is the login), issued
        by the server's CA unless `issuer` says another, valid as trustme makes it unless
        told otherwise."""
        login = f"dac-{uuid.uuid4().hex[:10]}"
        address = f"{login}@mssante.test"
        leaf = (issuer or self.ca).issue_cert(
            address, common_name=login, not_before=not_before, not_after=not_after
        )
        folder = self.root / "clients" / login  # removed with the server's folder
        folder.mkdir(parents=True)
        certificate, key = folder / "client.pem", folder / "client.key"
        leaf.cert_chain_pems[0].write_to_path(certificate)
        leaf.private_key_pem.write_to_path(key)
        return MailUser(login=login, address=address, certificate=certificate, key=key)

    def client_context(self, user: MailUser | None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        if user is not None:
            context.load_cert_chain(user.certificate, user.key)
        return context

    def _write_certificates(self) -> None:
        server = self.ca.issue_cert("127.0.0.1", "localhost")
        server.cert_chain_pems[0].write_to_path(self.root / "server.pem")
        server.private_key_pem.write_to_path(self.root / "server.key")
        self.ca.cert_pem.write_to_path(self.ca_file)
        key = serialization.load_pem_private_key(self.ca.private_key_pem.bytes(), None)
        issuer = x509.load_pem_x509_certificate(self.ca.cert_pem.bytes())
        now = datetime.datetime.now(datetime.UTC)
        self.revoked_user = self.new_user()
        revoked = x509.load_pem_x509_certificate(self.revoked_user.certificate.read_bytes())
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(now - datetime.timedelta(days=1))
            .next_update(now + datetime.timedelta(days=30))
            .add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(revoked.serial_number)
                .revocation_date(now - datetime.timedelta(hours=1))
                .build()
            )
            .sign(key, hashes.SHA256())  # type: ignore[arg-type]
        )
        (self.root / "ca-with-crl.pem").write_bytes(
            self.ca.cert_pem.bytes() + crl.public_bytes(serialization.Encoding.PEM)
        )

    def _wait_ready(self) -> None:
        """Until the greeting says ready (not "Waiting for authentication process")."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.imap_port), timeout=2) as sock:
                    greeting = sock.recv(4096)
                    if b"ready" in greeting:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not become ready:\n{self.log()}")


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
