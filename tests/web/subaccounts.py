"""A deployment where the Moselle has its own Twilio subaccount and the Lot stays on the
deployment's account: the accounts, their tokens, and the department files that say so."""

from __future__ import annotations

import shutil
from pathlib import Path

from aiohttp.test_utils import TestClient

from frontdoor.phone import TestClientTransport, TwilioPhone
from tests.conftest import PUBLIC_URL, ROOT
from tests.web.calls import TUESDAY_MORNING

MOSELLE_SID = "AC" + "57" * 16
MOSELLE_TOKEN = "moselle-subaccount-token-0123456789"
MOSELLE_TOKEN_ENV = "TWILIO_AUTH_TOKEN_DAC57"
DEFAULT_SID = "AC" + "0" * 32
PROMPTS = ROOT / "templates" / "voice" / "prompts.toml"


def flows_with_moselle_subaccount(folder: Path, token_line: str) -> Path:
    shutil.copy(ROOT / "flows" / "dac46.toml", folder / "dac46.toml")
    moselle = (ROOT / "flows" / "dac57.toml").read_text(encoding="utf-8")
    (folder / "dac57.toml").write_text(
        f'{moselle}\n[twilio]\naccount_sid = "{MOSELLE_SID}"\n{token_line}\n', encoding="utf-8"
    )
    return folder


def signed_as(client: TestClient, *, token: str, account_sid: str) -> TwilioPhone:
    """A phone whose requests name this account and are signed with its token."""
    return TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=token,
        account_sid=account_sid,
        simulated_at=TUESDAY_MORNING,
    )
