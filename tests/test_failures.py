"""A failure as it is stored or shown (frontdoor.core.failures.describe_failure): its kinds and
codes, never its message — whatever the message quotes. And no handler in frontdoor puts the
message of an exception it did not write into a text."""

from __future__ import annotations

import ast
import errno
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import aiosmtplib
import pytest
from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException

from frontdoor.core.failures import describe_failure
from frontdoor.core.mailbox import LoginFailure
from frontdoor.mailbox.imap import MailboxLoginError
from frontdoor.outbound.errors import OutboundError
from tests.source_imports import ROOT

NUMBER = "+33612345678"
NAME = "Jeanne Dupont"
INS = "2 41 03 46 042 001 92"
ADDRESS = "jeanne.dupont@example.org"
QUOTES = f"{NAME}, {NUMBER}, INS {INS}, <{ADDRESS}>"


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


class BrokenMessage(Exception):
    def __str__(self) -> str:
        raise RuntimeError(NAME)


@pytest.mark.parametrize(
    ("error", "described"),
    [
        pytest.param(ValueError(f"invalid literal: {QUOTES}"), "ValueError", id="value-error"),
        pytest.param(KeyError(NAME), "KeyError", id="key-error"),
        pytest.param(
            TwilioRestException(
                400, "https://api.twilio.com/x", f"The 'To' number {NUMBER} is not valid", 21211
            ),
            "TwilioRestException (HTTP 400, Twilio 21211)",
            id="twilio-rest-error",
        ),
        pytest.param(
            chained(
                OutboundError(f"SMS to {NUMBER} failed"),
                TwilioRestException(401, "https://api.twilio.com/x", QUOTES, 20003),
            ),
            "OutboundError ← TwilioRestException (HTTP 401, Twilio 20003)",
            id="outbound-error-over-twilio",
        ),
        pytest.param(
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, f"<{ADDRESS}> unknown ({NAME})", ADDRESS)]
            ),
            "SMTPRecipientsRefused (SMTP 550)",
            id="smtp-recipient-refused",
        ),
        pytest.param(
            aiosmtplib.SMTPDataError(554, f"rejected: {QUOTES}"),
            "SMTPDataError (SMTP 554)",
            id="smtp-reply",
        ),
        pytest.param(
            aiosmtplib.SMTPServerDisconnected(f"lost while sending to {ADDRESS}"),
            "SMTPServerDisconnected",
            id="smtp-disconnected",
        ),
        pytest.param(
            chained(
                aiohttp.ClientConnectionError(QUOTES),
                ConnectionRefusedError(errno.ECONNREFUSED, QUOTES),
            ),
            "ClientConnectionError ← ConnectionRefusedError (ECONNREFUSED)",
            id="connection-refused",
        ),
        pytest.param(
            aiohttp.ClientResponseError(None, (), status=503, message=QUOTES),  # type: ignore[arg-type]
            "ClientResponseError (HTTP 503)",
            id="http-status",
        ),
        pytest.param(
            IntegrityError(
                "INSERT INTO requests (caller_number) VALUES (?)",
                {"caller_number": NUMBER},
                sqlite3.IntegrityError(f"UNIQUE constraint failed: {NUMBER}"),
            ),
            "IntegrityError",
            id="sqlalchemy-with-its-parameters",
        ),
        pytest.param(
            MailboxLoginError(f"login {ADDRESS} refused", LoginFailure.EXPIRED),
            "MailboxLoginError (LoginFailure expired)",
            id="enumerated-failure",
        ),
        pytest.param(BrokenMessage(), "BrokenMessage", id="a-message-that-cannot-be-said"),
    ],
)
def test_a_failure_is_described_by_kinds_and_codes_never_its_message(
    error: BaseException, described: str
) -> None:
    assert describe_failure(error) == described


def test_what_an_exception_was_raised_while_handling_is_named_too() -> None:
    def handling() -> None:
        try:
            raise LookupError(NAME)
        except LookupError:
            raise RuntimeError(NUMBER)  # noqa: B904  (the context is the point)

    with pytest.raises(RuntimeError) as raised:
        handling()

    assert describe_failure(raised.value) == "RuntimeError ← LookupError"


def test_a_long_chain_is_cut_to_the_length_asked() -> None:
    error: BaseException = ValueError()
    for kind in (TypeError, KeyError, OSError, LookupError, RuntimeError):
        error = chained(kind(), error)

    described = describe_failure(error, limit=30)

    assert len(described) == 30
    assert described.startswith("RuntimeError ← LookupError")
    assert described.endswith("…")


# The scan: in a handler `except X as error`, `str(error)`, `repr(error)`, f"{error}",
# `error.args`, `error.message`… put the exception's message into a text. Allowed when X is
# one of frontdoor's own exceptions (its messages are frontdoor's words, checked where they are
# raised: the scan runs there too), for an OSError's strerror (the system's fixed words), and
# at the places below, each for its reason.
SAID = frozenset({"args", "message", "text", "reason", "detail", "msg"})
ALLOWED = {
    ("frontdoor/core/duty_changes.py", "ValueError"):
        "core.roster.Override's own checks: fixed words, no value",
    ("frontdoor/kit/date_parameters.py", "ValueError"):
        "core.dates' parsers and the period's own refusals: fixed words, no value",
    ("frontdoor/department_file/load.py", "ValueError"):
        "the operator's department file, checked by `frontdoor check`: their own file",
    ("frontdoor/department_file/load.py", "OSError, UnicodeDecodeError, tomllib.TOMLDecodeError"):
        "the operator's department file, read at start: their own file",
    ("frontdoor/indicators/figures_command.py", "OSError, UnicodeDecodeError, ValueError"):
        "a CLI verb telling its operator why their file was not read",
    ("frontdoor/indicators/report_command.py", "ValueError"):
        "a CLI verb telling its operator why the period they typed was refused",
    ("frontdoor/mailbox/tls.py", "ssl.SSLError, OSError"):
        "OpenSSL's words searched for a code, never shown",
    ("frontdoor/phone_twiml.py", "ET.ParseError"):
        "the terminal phone (a development tool) on the local service's own TwiML",
    ("frontdoor/directory/search_command.py", "web.HTTPBadRequest"):
        "frontdoor's own answer, said on the command line",
    ("frontdoor/web/lists_api.py", "web.HTTPBadRequest"):
        "frontdoor's own answer (kit.date_parameters), said as JSON",
    ("frontdoor/voice/replay.py", "web.HTTPException"):
        "frontdoor's own answer to a webhook, kept in the journal of its replay",
}  # fmt: skip


@dataclass(frozen=True)
class Said:
    path: str
    line: int
    caught: str
    how: str


def own_exception_names(root: Path) -> set[str]:
    return {
        node.name
        for path in root.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
    }


def caught_names(handler: ast.ExceptHandler) -> list[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [ast.unparse(one).rsplit(".", 1)[-1] for one in types if one is not None]


def messages_said(root: Path) -> list[Said]:
    """Each place a handler puts the message of what it caught into a text."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for handler in ast.walk(ast.parse(path.read_text())):
            if not isinstance(handler, ast.ExceptHandler) or handler.name is None:
                continue
            name = handler.name
            for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
                how = _how(node, name)
                if how:
                    caught = ast.unparse(handler.type) if handler.type else "BaseException"
                    relative = str(path.relative_to(root.parent))
                    found.append(Said(relative, node.lineno, caught.strip("()"), how))
    return found


def _how(node: ast.AST, name: str) -> str | None:
    def is_it(value: ast.AST) -> bool:
        return isinstance(value, ast.Name) and value.id == name

    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("str", "repr", "format")
        and node.args
        and is_it(node.args[0])
    ):
        return f"{node.func.id}({name})"
    if isinstance(node, ast.FormattedValue) and is_it(node.value):
        return f"{{{name}}}"
    if isinstance(node, ast.Attribute) and is_it(node.value) and node.attr in SAID:
        return f"{name}.{node.attr}"
    return None


def test_no_handler_says_the_message_of_an_exception_frontdoor_did_not_write() -> None:
    own = own_exception_names(ROOT / "frontdoor")
    foreign = [
        said
        for said in messages_said(ROOT / "frontdoor")
        if not set(said.caught.replace(" ", "").split(",")) <= own | _own_qualified(own)
        and (said.path, said.caught) not in ALLOWED
    ]
    assert not foreign, (
        "exception messages put into a text (frontdoor.core.failures):\n"
        + "\n".join(f"  {s.path}:{s.line}: {s.how} of except {s.caught}" for s in foreign)
    )


def _own_qualified(own: set[str]) -> set[str]:
    """Own exceptions named through their module ("parts.TooManyParts")."""
    return {f"parts.{name}" for name in own}


def test_every_allowed_place_still_exists() -> None:
    places = {(said.path, said.caught) for said in messages_said(ROOT / "frontdoor")}
    assert set(ALLOWED) <= places


@pytest.mark.parametrize(
    ("source", "said"),
    [
        pytest.param("try:\n    f()\nexcept ValueError as e:\n    x = str(e)\n", True, id="str"),
        pytest.param("try:\n    f()\nexcept OSError as e:\n    x = f'{e}'\n", True, id="f-string"),
        pytest.param("try:\n    f()\nexcept Exception as e:\n    x = e.args\n", True, id="args"),
        pytest.param(
            "try:\n    f()\nexcept ValueError as e:\n    x = type(e).__name__\n", False, id="type"
        ),
        pytest.param(
            "try:\n    f()\nexcept OSError as e:\n    x = e.strerror\n", False, id="strerror"
        ),
    ],
)
def test_the_scan_finds_a_message_said(tmp_path: Path, source: str, said: bool) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text(source)

    assert bool(messages_said(tmp_path / "app")) is said
