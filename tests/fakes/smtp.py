"""The SMTP recorder (frontdoor.standins.smtp) with TLS: a server certificate for 127.0.0.1 and
localhost issued by a throwaway CA (trustme), which `client_context()` trusts. With
`require_client_certificate`, the TLS handshake demands a certificate from that CA."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

import trustme

from frontdoor.standins.smtp import SmtpRecorder


@dataclass
class TlsSmtpRecorder(SmtpRecorder):
    require_client_certificate: bool = False
    ca: trustme.CA = field(default_factory=trustme.CA)

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's certificate."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        if self.require_client_certificate:  # as MSSanté operators do
            context.verify_mode = ssl.CERT_REQUIRED
            self.ca.configure_trust(context)
        return context
