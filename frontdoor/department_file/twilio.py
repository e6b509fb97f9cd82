"""The `[twilio]` table of a department file: its own Twilio subaccount, where a region
keeps departments' billing and numbers apart.

    [twilio]
    account_sid = "AC…"                       # the department's subaccount
    auth_token_env = "TWILIO_AUTH_TOKEN_DAC46"  # or auth_token_file = "/run/secrets/…"

The token is a secret: the file names where it is, and `frontdoor check` says when it is not
there, so that `serve` never starts with a department it could not authenticate.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from frontdoor.core.department import TwilioAccountRef
from frontdoor.department_file.reader import Reader

ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")


def twilio_account(reader: Reader, data: Mapping[str, Any]) -> TwilioAccountRef | None:
    if "twilio" not in data:
        return None
    table = reader.table(data, "twilio", "twilio")
    sid = reader.text(table, "account_sid", "twilio.account_sid")
    if sid and not ACCOUNT_SID.fullmatch(sid):
        reader.problem("twilio.account_sid", f"{sid!r}: expected AC followed by 32 hex digits")
    env, file = table.get("auth_token_env"), table.get("auth_token_file")
    if (env is None) == (file is None):
        reader.problem("twilio", "expected one of auth_token_env or auth_token_file")
        return None
    if env is not None:
        if not isinstance(env, str) or not os.environ.get(env):
            reader.problem("twilio.auth_token_env", f"{env!r} is not set in the environment")
            return None
        return TwilioAccountRef(account_sid=sid, token_source=f"env:{env}")
    if not isinstance(file, str) or not Path(file).is_file():
        reader.problem("twilio.auth_token_file", f"{file!r}: no such file")
        return None
    return TwilioAccountRef(account_sid=sid, token_source=f"file:{file}")


def read_token(account: TwilioAccountRef) -> str:
    kind, _, where = account.token_source.partition(":")
    if kind == "env":
        return os.environ[where].strip()
    return Path(where).read_text(encoding="utf-8").strip()
