"""The `[mailbox]` table of a department file: its secure mailbox (BAL MSSanté).

[mailbox]
address = "contact@dac46.mssante.fr"
imap_host = "imap.mssante.fr"        # imap_port = 993, imap_tls = "implicit" | "starttls"
smtp_host = "smtp.mssante.fr"        # smtp_port = 465, smtp_tls = "implicit" | "starttls"
certificate = "/etc/frontdoor/dac46.crt"   # or certificate_env = "DAC46_CERT" (a path)
key = "/etc/frontdoor/dac46.key"           # or key_env = "DAC46_KEY"
handled = "flag"                     # or "move:Traités"
parked = "move:Frontdoor-Quarantaine"  # unreadable mails; or "flag"
notify = "sms"                       # or "mail", with notify_address
domains = { "chu-toulouse.fr" = "hospital" }
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdoor.core.mailbox import Mailbox, MailTls, Notify
from frontdoor.core.referrers import ReferrerType
from frontdoor.department_file.keys import MAILBOX
from frontdoor.department_file.reader import Reader

_DEFAULT_PORTS = {("imap", "implicit"): 993, ("imap", "starttls"): 143,
                  ("smtp", "implicit"): 465, ("smtp", "starttls"): 587}  # fmt: skip


def mailbox(reader: Reader, data: Mapping[str, Any]) -> Mailbox | None:
    if "mailbox" not in data:
        return None
    table = reader.table(data, "mailbox", "mailbox")
    address = reader.text(table, "address", "mailbox.address")
    if address and "@" not in address:
        reader.problem("mailbox.address", f"{address!r}: expected a mail address")
    imap_tls = _tls(reader, table, "imap")
    smtp_tls = _tls(reader, table, "smtp")
    handled = _flag_or_move(reader, table, "handled")
    parked = _flag_or_move(reader, table, "parked")
    notify = reader.declared_text(table, MAILBOX, "notify")
    if notify not in ("sms", "mail"):
        reader.problem("mailbox.notify", f"{notify!r}: expected 'sms' or 'mail'")
    notify_address = _optional(reader, table, "notify_address")
    if notify == "mail" and not notify_address:
        reader.problem("mailbox.notify_address", "required when notify = 'mail'")
    return Mailbox(
        address=address,
        imap_host=reader.text(table, "imap_host", "mailbox.imap_host"),
        imap_port=_port(reader, table, "imap", imap_tls),
        imap_tls=imap_tls,
        smtp_host=reader.text(table, "smtp_host", "mailbox.smtp_host"),
        smtp_port=_port(reader, table, "smtp", smtp_tls),
        smtp_tls=smtp_tls,
        certificate=_optional(reader, table, "certificate"),
        certificate_env=_optional(reader, table, "certificate_env"),
        key=_optional(reader, table, "key"),
        key_env=_optional(reader, table, "key_env"),
        ca_file=_optional(reader, table, "ca_file"),
        login=_optional(reader, table, "login"),
        password_env=_optional(reader, table, "password_env"),
        folder=reader.declared_text(table, MAILBOX, "folder"),
        handled=handled,
        parked=parked,
        notify="mail" if notify == "mail" else "sms",
        notify_address=notify_address,
        domains=_domains(reader, table.get("domains", {})),
    )


def _flag_or_move(reader: Reader, table: Mapping[str, Any], key: str) -> str:
    value = reader.declared_text(table, MAILBOX, key)
    if value != "flag" and not (value.startswith("move:") and value[5:].strip()):
        reader.problem(f"mailbox.{key}", f"{value!r}: expected 'flag' or 'move:Folder'")
    return value


def _optional(reader: Reader, table: Mapping[str, Any], key: str) -> str | None:
    if key not in table:
        return None
    return reader.text(table, key, f"mailbox.{key}") or None


def _tls(reader: Reader, table: Mapping[str, Any], kind: str) -> MailTls:
    value = reader.declared_text(table, MAILBOX, f"{kind}_tls")
    if value not in ("implicit", "starttls"):
        reader.problem(f"mailbox.{kind}_tls", f"{value!r}: expected 'implicit' or 'starttls'")
        return "implicit"
    return "starttls" if value == "starttls" else "implicit"


def _port(reader: Reader, table: Mapping[str, Any], kind: str, tls: MailTls) -> int:
    value = table.get(f"{kind}_port", _DEFAULT_PORTS[(kind, tls)])
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        reader.problem(f"mailbox.{kind}_port", "expected a port number")
        return _DEFAULT_PORTS[(kind, tls)]
    return value


def _domains(reader: Reader, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        reader.problem("mailbox.domains", 'expected a table such as { "chu.fr" = "hospital" }')
        return {}
    domains = {}
    for domain, kind in value.items():
        if kind not in {t.value for t in ReferrerType}:
            reader.problem(f"mailbox.domains.{domain}", f"{kind!r}: not a referrer type")
            continue
        domains[str(domain).lower().lstrip("@")] = str(kind)
    return domains


__all__ = ["Notify", "mailbox"]
