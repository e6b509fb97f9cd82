"""The development mode's stand-ins, beside the service in its own event loop: Twilio's REST
API and an SMTP server on free loopback ports, which the outbound side is pointed at
(frontdoor.web.app), so that every SMS, call, recording and mail of a demonstration answers;
what they received is the console's page of what was sent (frontdoor.console.sent_page).

Each replaces only what the settings leave unset: a development machine that names a Twilio API
(FRONTDOOR_TWILIO_API_URL) or an SMTP server (FRONTDOOR_SMTP_HOST) keeps it. Started by the app
factory in the development mode only; this module needs aiosmtpd (the test extra, which
`./dev` installs) and is imported nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from frontdoor.outbound.mail import SmtpSettings
from frontdoor.settings import DEVELOPMENT_ACCOUNT_SID, Settings
from frontdoor.standins.sent import Sent
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi

log = logging.getLogger(__name__)

# The sender of the service's own mails (escalations, digests) when no FRONTDOOR_MAIL_FROM says.
DEVELOPMENT_MAIL_FROM = "frontdoor@dev.invalid"


@dataclass(kw_only=True)
class StandIns:
    """The stand-ins that run, and what they received."""

    twilio: FakeTwilioApi | None
    smtp: SmtpRecorder | None

    def twilio_api_url(self, settings: Settings) -> str | None:
        return self.twilio.base_url if self.twilio is not None else settings.twilio_api_url

    def twilio_account(self, settings: Settings) -> tuple[str, str]:
        """The account SID and token the service's REST client uses."""
        if self.twilio is not None:
            return self.twilio.account_sid, self.twilio.auth_token
        return settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()

    def smtp_settings(self, settings: Settings) -> SmtpSettings | None:
        if self.smtp is None:
            return settings.smtp
        return SmtpSettings(
            host=self.smtp.host,
            port=self.smtp.port,
            tls="none",
            sender=settings.mail_from or DEVELOPMENT_MAIL_FROM,
        )

    def sent(self) -> list[Sent]:
        """Everything they received, in no particular order."""
        sms_and_calls: list[Sent] = list(self.twilio.sent) if self.twilio is not None else []
        mails: list[Sent] = [mail.as_sent() for mail in self.smtp.mails] if self.smtp else []
        return sms_and_calls + mails

    async def close(self) -> None:
        if self.twilio is not None:
            await self.twilio.close()
        if self.smtp is not None:
            await self.smtp.close()


async def start_stand_ins(settings: Settings) -> StandIns:
    """Start the stand-ins of what `settings` leave unset (development mode only)."""
    if not settings.runs_stand_ins:
        raise RuntimeError("the stand-ins run in the development mode only")
    stand_ins = StandIns(twilio=None, smtp=None)
    if settings.twilio_api_url is None:
        # The account the terminal phone names too (`frontdoor call`), so that the
        # recordings its calls leave are found where their URL says.
        stand_ins.twilio = FakeTwilioApi(
            account_sid=settings.twilio_account_sid or DEVELOPMENT_ACCOUNT_SID,
            auth_token=settings.twilio_auth_token.get_secret_value(),
        )
        await stand_ins.twilio.start()
    if not settings.smtp_host:
        stand_ins.smtp = await SmtpRecorder().start()
    log.info(
        "mode développement : Twilio remplacé par %s, serveur SMTP par %s ; ce qui part est "
        "visible dans la console, page « Envoyés (démonstration) »",
        stand_ins.twilio.base_url if stand_ins.twilio else "rien (FRONTDOOR_TWILIO_API_URL)",
        f"{stand_ins.smtp.host}:{stand_ins.smtp.port}"
        if stand_ins.smtp
        else "rien (FRONTDOOR_SMTP_HOST)",
    )
    return stand_ins
