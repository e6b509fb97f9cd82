"""A mailbox that cannot log in says why: expired, revoked, untrusted issuer, wrong key, no
certificate, server refused, unreachable. On a real Dovecot (which only says "Client didn't
present valid SSL certificate") in both TLS modes, through the IMAP session, the SMTP side,
the job's log, /readyz and the metrics."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from aiohttp.test_utils import TestClient

from frontdoor.core.department import Department
from frontdoor.core.mailbox import (
    TLS_REASONS,
    ClientCertificate,
    LoginFailure,
    Mailbox,
    login_failure,
)
from frontdoor.jobs.base import JobContext
from frontdoor.keys import Clock
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.imap import MailboxLoginError
from frontdoor.mailbox.job import department_mailer, imap_session, mailbox_job
from frontdoor.mailbox.tls import MailboxConfigError
from frontdoor.outbound.errors import OutboundError
from frontdoor.standins.smtp import SmtpRecorder
from tests.fakes.dovecot import Dovecot, MailUser
from tests.web.metrics import scrape, value

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
VALID = ClientCertificate(
    not_before=NOW - timedelta(days=300), not_after=NOW + timedelta(days=65),
    key_matches=True, issuer_trusted=True,
)  # fmt: skip
DOVECOT_REFUSAL = "NO [ALERT] Client didn't present valid SSL certificate"


@pytest.mark.parametrize(
    ("certificate", "tls_error", "refused", "reached", "failure"),
    [
        (None, None, True, True, LoginFailure.NO_CERTIFICATE),
        (replace(VALID, not_after=NOW), None, True, True, LoginFailure.EXPIRED),
        (replace(VALID, not_before=NOW + timedelta(hours=1)), None, True, True,
         LoginFailure.NOT_YET_VALID),
        (replace(VALID, issuer_trusted=False), None, True, True, LoginFailure.UNTRUSTED_ISSUER),
        (replace(VALID, key_matches=False), None, True, True, LoginFailure.WRONG_KEY),
        (VALID, None, True, True, LoginFailure.REVOKED),
        (replace(VALID, issuer_trusted=None), None, True, True, LoginFailure.SERVER_REFUSED),
        (VALID, None, False, True, LoginFailure.SERVER_REFUSED),
        (VALID, "SSLEOFError: EOF occurred in violation of protocol", False, True,
         LoginFailure.REVOKED),
        (replace(VALID, not_after=NOW - timedelta(days=2)), "Unexpected EOF received", False,
         True, LoginFailure.EXPIRED),
        (VALID, "SSLError: [SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate "
         "expired", False, True, LoginFailure.EXPIRED),
        (VALID, "SSLError: [SSL: SSLV3_ALERT_CERTIFICATE_REVOKED] sslv3 alert certificate "
         "revoked", False, True, LoginFailure.REVOKED),
        (VALID, "SSLError: [SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca", False, True,
         LoginFailure.UNTRUSTED_ISSUER),
        (VALID, "SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate "
         "required", False, True, LoginFailure.NO_CERTIFICATE),
        (VALID, "SSLError: [SSL: TLSV1_ALERT_DECRYPT_ERROR] tlsv1 alert decrypt error", False,
         True, LoginFailure.WRONG_KEY),
        (VALID, "SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
         "failed: self-signed certificate", False, True, LoginFailure.SERVER_UNTRUSTED),
        (VALID, "SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number", False, True,
         LoginFailure.UNREACHABLE),
        (VALID, "ConnectionRefusedError: [Errno 111] Connect call failed", False, False,
         LoginFailure.UNREACHABLE),
    ],
    ids=[
        "none-presented", "expired", "not-yet-valid", "untrusted-issuer", "wrong-key",
        "refused-though-valid-so-revoked", "refused-issuer-unknown", "refused-not-for-the-cert",
        "tls-ended-though-valid", "tls-ended-expired", "alert-expired", "alert-revoked",
        "alert-unknown-ca", "alert-certificate-required", "alert-decrypt-error",
        "server-not-trusted", "no-tls-on-the-port", "connection-refused",
    ],
)  # fmt: skip
def test_why_a_mailbox_cannot_log_in(
    certificate: ClientCertificate | None,
    tls_error: str | None,
    refused: bool,
    reached: bool,
    failure: LoginFailure,
) -> None:
    verdict = login_failure(
        at=NOW,
        presented=certificate is not None,
        certificate=certificate,
        tls_error=tls_error,
        refused=refused,
        reached=reached,
    )
    assert verdict.failure is failure
    assert verdict.explanation


def test_every_tls_reason_names_a_failure_the_table_test_covers() -> None:
    covered = {
        LoginFailure.EXPIRED, LoginFailure.REVOKED, LoginFailure.UNTRUSTED_ISSUER,
        LoginFailure.NO_CERTIFICATE, LoginFailure.WRONG_KEY, LoginFailure.SERVER_UNTRUSTED,
        LoginFailure.UNREACHABLE,
    }  # fmt: skip
    assert {failure for _, failure in TLS_REASONS} <= covered


def test_an_expired_certificate_says_when_it_expired() -> None:
    verdict = login_failure(
        at=NOW,
        presented=True,
        certificate=replace(VALID, not_after=datetime(2026, 11, 30, tzinfo=UTC)),
    )
    assert verdict.explanation.startswith("the client certificate expired on 2026-11-30 00:00 UTC")


# ----- On Dovecot, in both TLS modes -----

Setup = Callable[[Dovecot], tuple[Path | None, Path | None]]
PAST = datetime.now(UTC) - timedelta(days=400)  # real time: the servers check by it


def _user(user: MailUser) -> tuple[Path | None, Path | None]:
    return user.certificate, user.key


CASES: dict[str, tuple[Setup, LoginFailure, str]] = {
    "expired": (
        lambda d: _user(d.new_user(not_before=PAST, not_after=PAST + timedelta(days=365))),
        LoginFailure.EXPIRED,
        "the client certificate expired on",
    ),
    "revoked": (
        lambda d: _user(d.revoked_user),  # type: ignore[arg-type]
        LoginFailure.REVOKED,
        "most likely revoked",
    ),
    "untrusted-issuer": (
        lambda d: _user(d.new_user(issuer=trustme.CA())),
        LoginFailure.UNTRUSTED_ISSUER,
        "not issued by an authority the server accepts",
    ),
    "no-certificate": (
        lambda d: (None, None),
        LoginFailure.NO_CERTIFICATE,
        "requires? a client certificate",
    ),
}


def mailbox_with(
    dovecot: Dovecot, tls: str, smtp: SmtpRecorder, files: tuple[Path | None, Path | None]
) -> Mailbox:
    certificate, key = files
    return Mailbox(
        address="dac@mssante.test", imap_host=dovecot.host, imap_port=dovecot.port(tls),
        imap_tls=tls, smtp_host=smtp.host, smtp_port=smtp.port, smtp_tls=tls,  # type: ignore[arg-type]
        certificate=str(certificate) if certificate else None,
        key=str(key) if key else None, ca_file=str(dovecot.ca_file),
    )  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
async def test_the_imap_login_says_why_the_certificate_was_refused(
    case: str, dovecot: Dovecot, tls: str, smtp_mtls: SmtpRecorder, lot: Department
) -> None:
    setup, failure, said = CASES[case]
    mailbox = mailbox_with(dovecot, tls, smtp_mtls, setup(dovecot))

    with pytest.raises(MailboxLoginError, match=said) as refused:
        async with imap_session(lot, mailbox):
            pass

    assert refused.value.failure is failure


@pytest.mark.parametrize("case", ["expired", "untrusted-issuer", "no-certificate"])
async def test_the_smtp_side_says_it_too(
    case: str, dovecot: Dovecot, tls: str, smtp_mtls: SmtpRecorder, lot: Department
) -> None:
    setup, failure, said = CASES[case]
    mailbox = mailbox_with(dovecot, tls, smtp_mtls, setup(dovecot))

    with pytest.raises(OutboundError, match=f"{said}.*\\[{failure}\\]"):
        await department_mailer(lot, mailbox, clock=lambda: NOW).send(
            to="dr.roux@chu-toulouse.fr", subject="s", body="b"
        )


async def test_a_key_that_is_not_the_certificates_is_said_before_connecting(
    dovecot: Dovecot, tls: str, smtp_mtls: SmtpRecorder, lot: Department
) -> None:
    one, other = dovecot.new_user(), dovecot.new_user()
    mailbox = mailbox_with(dovecot, tls, smtp_mtls, (one.certificate, other.key))

    with pytest.raises(MailboxConfigError, match="the key is not the certificate's") as refused:
        imap_session(lot, mailbox)

    assert refused.value.failure is LoginFailure.WRONG_KEY


# ----- What the operator sees: the job's log, /readyz, the metrics -----


@pytest.fixture
def app_clock() -> Clock:
    return lambda: NOW


async def test_an_expired_certificate_shows_in_the_log_readyz_and_metrics_until_renewed(
    client: TestClient,
    mail_department: Department,
    mail_user: MailUser,
    dovecot: Dovecot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert mail_department.mailbox is not None
    renewed = (mail_user.certificate.read_bytes(), mail_user.key.read_bytes())
    expired = dovecot.new_user(not_before=PAST, not_after=PAST + timedelta(days=365))
    shutil.copy(expired.certificate, mail_user.certificate)  # the department's files age
    shutil.copy(expired.key, mail_user.key)
    caplog.set_level(logging.WARNING)
    ready = await (await client.get("/readyz")).json()
    assert ready["mailboxes"] == {"dac46": {"login": "unknown"}}

    summary = await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))

    assert summary.endswith("not read: dac46 [expired]")
    assert "dac46: mailbox not read [expired]: IMAP server" in caplog.text
    assert "the client certificate expired on" in caplog.text
    ready = await client.get("/readyz")
    assert ready.status == 200  # calls are still answered: the alert is the metric's
    assert (await ready.json())["mailboxes"]["dac46"] == {
        "login": "failed", "reason": "expired", "since": NOW.isoformat(),
        "checked_at": NOW.isoformat(),
    }  # fmt: skip
    page = await scrape(client)
    assert value(page, "frontdoor_mailbox_login_ok", department="dac46") == 0
    assert value(page, "frontdoor_mailbox_login_failed", department="dac46", reason="expired") == 1
    assert value(page, "frontdoor_mailbox_login_ok", department="dac57") is None  # no mailbox

    mail_user.certificate.write_bytes(renewed[0])
    mail_user.key.write_bytes(renewed[1])
    assert (await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))).startswith(
        "0 taken"
    )

    assert (await (await client.get("/readyz")).json())["mailboxes"]["dac46"] == {
        "login": "ok",
        "checked_at": NOW.isoformat(),
    }
    page = await scrape(client)
    assert value(page, "frontdoor_mailbox_login_ok", department="dac46") == 1
    assert (
        value(page, "frontdoor_mailbox_login_failed", department="dac46", reason="expired") is None
    )
    assert value(page, "frontdoor_mailbox_login_age_seconds", department="dac46") == 0
