"""IMAP folder names travel in modified UTF-7 (RFC 3501 §5.1.3): the codec, every command of
frontdoor.mailbox.imap that names a folder, and the intake on a real Dovecot with the
README's own `handled = "move:Traités"`."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

import frontdoor.mailbox.imap
from frontdoor.core.department import Department
from frontdoor.mailbox.folder_names import decode, encode
from frontdoor.mailbox.imap import MailboxError, listed_folder
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.mailbox.job import imap_session
from frontdoor.standins.smtp import SmtpRecorder
from tests.fakes.dovecot import Dovecot
from tests.mailbox.conftest import IntakeFor
from tests.mailbox.delivered import (
    WRONG_CHARSET,
    deliver,
    department_on,
    mail,
    poll,
    private_dovecot,
    requests,
)

CODEC = [
    pytest.param("INBOX", "INBOX", id="ascii-as-is"),
    pytest.param("Traités", "Trait&AOk-s", id="readme-handled-folder"),
    pytest.param("Entwürfe", "Entw&APw-rfe", id="umlaut"),
    pytest.param("Quarantaine-été", "Quarantaine-&AOk-t&AOk-", id="two-runs"),
    pytest.param("Çà va", "&AMcA4A- va", id="a-run-of-two"),
    pytest.param("R&D", "R&-D", id="ampersand"),
    pytest.param("&", "&-", id="ampersand-alone"),
    pytest.param(
        "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", id="rfc3501-example"
    ),
    pytest.param("☺!", "&Jjo-!", id="rfc2152-smiley"),
    pytest.param("Boîte 😀", "Bo&AO4-te &2D3eAA-", id="surrogate-pair"),
    pytest.param("a\r\nb", "a&AA0ACg-b", id="line-break-cannot-end-a-command"),
    pytest.param("", "", id="empty"),
]


@pytest.mark.parametrize(("name", "encoded"), CODEC)
def test_a_folder_name_is_encoded_as_the_rfc_says_and_decoded_back(name: str, encoded: str) -> None:
    assert encode(name) == encoded
    assert decode(encoded) == name


@given(st.text())
def test_any_name_survives_the_round_trip_in_printable_ascii(name: str) -> None:
    encoded = encode(name)

    assert all(" " <= char <= "~" for char in encoded)
    assert decode(encoded) == name


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param("Traités", id="raw-8-bit"),
        pytest.param("Trait&AOk", id="never-closed"),
        pytest.param("&AGE-", id="printable-ascii-encoded"),
        pytest.param("&A-", id="half-a-character"),
        pytest.param("&2D3-", id="lone-surrogate"),
        pytest.param("&*-", id="not-base64"),
    ],
)
def test_a_name_that_is_not_modified_utf7_is_refused(sent: str) -> None:
    with pytest.raises(ValueError, match="not modified UTF-7"):
        decode(sent)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (r'(\HasNoChildren) "." Trait&AOk-s', "Traités"),
        (r'(\HasNoChildren) "/" "Bo&AO4-te \"DAC\""', 'Boîte "DAC"'),
        (r"(\Noselect) NIL INBOX", "INBOX"),
        ("List completed (0.001 + 0.000 secs).", None),
    ],
)
def test_a_list_line_gives_the_folder_name_decoded(line: str, name: str | None) -> None:
    assert listed_folder(line) == name


# The aioimaplib commands that take a folder name, and where: (positional index, keyword).
FOLDER_ARGUMENTS = {
    "select": (0, None),
    "examine": (0, None),
    "create": (0, None),
    "delete": (0, None),
    "rename": (0, None),
    "subscribe": (0, None),
    "unsubscribe": (0, None),
    "status": (0, None),
    "append": (1, "mailbox"),
}
UID_FOLDER_COMMANDS = {"copy", "move"}  # uid("copy", uids, folder)


def _folder_arguments(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        command = node.func.attr
        if command in FOLDER_ARGUMENTS:
            index, keyword = FOLDER_ARGUMENTS[command]
            if len(node.args) > index:
                yield node.lineno, node.args[index]
            yield from ((node.lineno, k.value) for k in node.keywords if k.arg == keyword)
        first = node.args[0] if node.args else None
        if (
            command == "uid"
            and isinstance(first, ast.Constant)
            and first.value in UID_FOLDER_COMMANDS
        ):
            yield node.lineno, node.args[2]


def test_every_folder_name_the_imap_client_sends_is_encoded() -> None:
    """A command added later that names a folder without `_folder` fails here."""
    tree = ast.parse(inspect.getsource(frontdoor.mailbox.imap))
    arguments = list(_folder_arguments(tree))

    assert len(arguments) >= 5  # select, create, move, copy, append: the walk sees them
    raw = [
        line
        for line, argument in arguments
        if not (
            isinstance(argument, ast.Call)
            and isinstance(argument.func, ast.Name)
            and argument.func.id == "_folder"
        )
    ]
    assert raw == [], f"frontdoor/mailbox/imap.py sends a folder name unencoded at lines {raw}"


async def folders_of(department: Department) -> list[str]:
    assert department.mailbox is not None
    async with imap_session(department, department.mailbox) as box:
        return await box.folders()


async def test_mails_are_moved_to_traites_and_parked_in_a_folder_with_accents(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    mailbox = intake.department.mailbox
    assert mailbox is not None
    intake.department = replace(
        intake.department,
        mailbox=replace(mailbox, handled="move:Traités", parked="move:Quarantaine-été"),
    )
    await deliver(intake.department, mail(1), WRONG_CHARSET)

    assert await poll(intake) == "1 taken, 0 already taken, 1 parked, 1 acknowledged"

    assert await folders_of(intake.department) == ["INBOX", "Quarantaine-été", "Traités"]
    assert await uids_in(intake.department, "Traités") == 1
    assert await uids_in(intake.department, "Quarantaine-été") == 1
    assert await uids_in(intake.department, "INBOX") == 0
    assert len(smtp_mtls.mails) == 1  # sent at once, not left for the outbox job


@pytest.fixture
def dovecot_without_move() -> Iterator[Dovecot]:
    """COPY, STORE \\Deleted and UID EXPUNGE instead of MOVE, as older servers do."""
    yield from private_dovecot("imap_capability = IMAP4rev1 SASL-IR ID ENABLE IDLE UIDPLUS\n")


async def test_without_move_mails_are_copied_to_traites_then_expunged(
    dovecot_without_move: Dovecot, lot: Department, intake_for: IntakeFor, engine: AsyncEngine
) -> None:
    department = department_on(lot, dovecot_without_move)
    assert department.mailbox is not None
    department = replace(department, mailbox=replace(department.mailbox, handled="move:Traités"))
    intake, _ = intake_for(department)
    intake.mailer = None
    await deliver(department, mail(1))

    assert (await poll(intake)).startswith("1 taken")

    assert await folders_of(department) == ["INBOX", "Traités"]
    assert await uids_in(department, "Traités") == 1
    assert await uids_in(department, "INBOX") == 0
    assert len(await requests(engine)) == 1


async def test_a_mailbox_read_from_a_folder_with_accents_is_selected(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine
) -> None:
    intake, _ = make_intake
    mailbox = intake.department.mailbox
    assert mailbox is not None
    async with imap_session(intake.department, mailbox) as box:
        await box.client.create('"' + encode("Boîte DAC") + '"')
    intake.department = replace(intake.department, mailbox=replace(mailbox, folder="Boîte DAC"))
    await deliver(intake.department, mail(1))  # appended to the folder read

    assert (await poll(intake)).startswith("1 taken")
    assert len(await requests(engine)) == 1


async def uids_in(department: Department, folder: str) -> int:
    """How many messages a folder holds (handled, parked or new)."""
    assert department.mailbox is not None
    in_folder = replace(department, mailbox=replace(department.mailbox, folder=folder))
    assert in_folder.mailbox is not None
    async with imap_session(in_folder, in_folder.mailbox) as box:
        response = await box.client.uid_search("ALL", charset=None)
        return sum(1 for line in response.lines[:-1] for uid in line.split() if uid.isdigit())


async def test_a_folder_the_server_refuses_fails_the_poll_after_the_acknowledgements_left(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, notices = make_intake
    mailbox = intake.department.mailbox
    assert mailbox is not None
    intake.department = replace(intake.department, mailbox=replace(mailbox, handled="move:a..b"))
    await deliver(intake.department, mail(1))

    with pytest.raises(MailboxError, match=r"could not create the folder 'a..b' \(NO \[CANNOT\]\)"):
        await poll(intake)

    assert len(await requests(engine)) == 1
    assert len(smtp_mtls.mails) == 1  # answered at once, not ten minutes later by the job
    assert len(notices) == 1
    assert (await poll(intake)).startswith("0 taken, 0 already taken")  # flagged all the same
