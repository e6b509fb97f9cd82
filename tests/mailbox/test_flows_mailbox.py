"""The [mailbox] table of a department file."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.department_file.load import ConfigError, load_department, load_prompts
from tests.conftest import ROOT
from tests.flows_text import VALID

PROMPTS = load_prompts(ROOT / "templates" / "voice" / "prompts.toml")


def load(tmp_path: Path, mailbox: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "dac99.toml"
    path.write_text(VALID + "\n" + mailbox, encoding="utf-8")
    return load_department(path, PROMPTS)


def test_a_mailbox_loads_with_its_defaults(tmp_path: Path) -> None:
    department = load(
        tmp_path,
        """
[mailbox]
address = "contact@dac99.mssante.fr"
imap_host = "imap.mssante.test"
imap_tls = "starttls"
smtp_host = "smtp.mssante.test"
certificate_env = "DAC99_CERT"
key_env = "DAC99_KEY"
handled = "move:Traités"
domains = { "CHU-Toulouse.fr" = "hospital" }
""",
    )
    mailbox = department.mailbox
    assert mailbox is not None
    assert (mailbox.imap_port, mailbox.imap_tls) == (143, "starttls")
    assert (mailbox.smtp_port, mailbox.smtp_tls) == (465, "implicit")
    assert mailbox.handled_folder == "Traités"
    assert mailbox.parked_folder == "Frontdoor-Quarantaine"
    assert mailbox.domains == {"chu-toulouse.fr": "hospital"}
    assert mailbox.notify == "sms"


def test_a_department_without_mailbox_has_none(tmp_path: Path) -> None:
    assert load(tmp_path, "").mailbox is None


def test_mailbox_problems_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(
            tmp_path,
            """
[mailbox]
address = "nope"
imap_host = "imap.test"
imap_tls = "ssl"
smtp_host = "smtp.test"
handled = "delete"
parked = "trash"
notify = "mail"
domains = { "x.fr" = "doctor" }
colour = "blue"
""",
        )
    keys = sorted(problem.key for problem in caught.value.problems)
    assert keys == [
        "mailbox.address",
        "mailbox.colour",
        "mailbox.domains.x.fr",
        "mailbox.handled",
        "mailbox.imap_tls",
        "mailbox.notify_address",
        "mailbox.parked",
    ]
