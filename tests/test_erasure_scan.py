"""After an erasure, and after the retention purge, nothing that identifies the person is left:
not in any column of any table, not in any file of the data folders.

The person reaches the DAC through every channel, as in life: a known contact (so the whisper
names them) who calls and leaves a voicemail, writes SMS (answered by a referent, then STOP),
and sends a secure mail with an attachment (acknowledged through the outbox, answered by a
referent); a referent notes their name; a webhook of theirs waits refused in the outage
journal. Then the whole database is read back — every table the database has, every column,
so a table or a column added later is searched too — and every file under the attachments
and journal folders, for their number (E.164 and national forms), address, name, the words
of their messages and their attachment's content.

The patient their messages are about has a file too (la personne concernée), created from the
GP's call by a referent, with her traits, and linked to the GP's SMS and mail: erased by her
name, nothing of her remains while the GP's own identity does; and the retention purge
removes her traits with the rest.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy
from aiohttp.test_utils import TestClient
from sqlalchemy import inspect, table, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from frontdoor.core.department import Department
from frontdoor.core.mailbox import MailTls
from frontdoor.core.retention import DataClass
from frontdoor.departments import Departments
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.retention import purge_expired
from frontdoor.keys import STORE_COPIES, Clock
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.mailbox.job import mailbox_job
from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.journal import Entry
from frontdoor.store.models import KnownContact, Request
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, create_accounts, sign_in
from tests.mailbox.conftest import (  # noqa: F401  (the mail channel's fixtures)
    dovecot,
    mail_department,
    mail_user,
    smtp_mtls,
)
from tests.mailbox.delivered import deliver
from tests.private_files import assert_private
from tests.sms.texting import replied, send
from tests.web.calls import AMARTIN, BLEROY, LOT, TUESDAY_MORNING

NUMBER = "+33611223344"
ADDRESS = "jeanne.roux@cabinet-roux.mssante.fr"
NAME = "Jeanne Roussillon-Personne"
VOICEMAIL = "Rappelez-moi au sujet de Madame Ginette Témoin"
SMS_TEXT = "Ma patiente Ginette Témoin sort de la clinique jeudi"
SMS_ANSWER = "Bonjour, le SSIAD passera chez Ginette Témoin vendredi"
MAIL_SUBJECT = "Sortie de Ginette Témoin"
MAIL_TEXT = "Compte rendu de Ginette Témoin, diabète déséquilibré"
MAIL_ANSWER = "Bonjour Docteur, nous prenons Ginette Témoin en charge"
NOTE = f"{NAME} rappelée, inquiète pour Ginette Témoin"
ATTACHMENT = b"%PDF-1.4 ordonnance-de-Ginette-Temoin-4711"
LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}

# The patient: her file's traits, as typed and as kept (folded, ISO date, INSEE code).
HER = {
    "nom": "Témoin",
    "prenoms": "Ginette",
    "naissance": "02/03/1941",
    "sexe": "female",
    "commune": "Saint-Cirq-Lapopie",
    "insee": "46256",
    "ins": "241034604200192",
}
HER_TRACES = ("Ginette", "Témoin", "Temoin", "1941-03-02", "Lapopie", "46256",
              "241034604200192", "diabète", "clinique", ATTACHMENT.decode())  # fmt: skip

# Everything that identifies the person or quotes them, in the forms it could be kept in.
TRACES = (
    NUMBER,
    NUMBER.removeprefix("+"),  # 33611223344
    "0611223344",
    "06 11 22 33 44",
    ADDRESS,
    "cabinet-roux",  # the domain of their address (and of their mail's Message-ID)
    NAME,
    "Roussillon",
    "Ginette",  # the patient their messages are about
    ATTACHMENT.decode(),
)


@pytest.fixture
def tls() -> MailTls:
    """One TLS mode is enough here (tests/mailbox runs both)."""
    return "implicit"


@pytest.fixture
def scan_settings(wired_settings: Settings, tmp_path: Path) -> Settings:
    return wired_settings.model_copy(update={"mail_attachments_dir": tmp_path / "attachments"})


@pytest.fixture
async def app_settings(scan_settings: Settings) -> Settings:
    await create_accounts(scan_settings)
    return scan_settings


@pytest.fixture
def app_departments(departments: Departments, mail_department: Department) -> Departments:  # noqa: F811
    """The Lot with its mailbox on the test servers."""
    return Departments(mail_department if d.slug == "dac46" else d for d in departments)


@pytest.fixture
def app_clock() -> Clock:
    """A Tuesday morning."""
    return lambda: TUESDAY_MORNING


def the_mail(mailbox: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"{NAME} <{ADDRESS}>"
    message["To"] = mailbox
    message["Subject"] = MAIL_SUBJECT
    message["Date"] = "Tue, 12 May 2026 09:30:00 +0200"
    message["Message-ID"] = "<cr-4711@cabinet-roux.mssante.fr>"
    message.set_content(MAIL_TEXT)
    message.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename="cr.pdf")
    return message.as_bytes()


async def the_person_everywhere(
    client: TestClient,
    settings: Settings,
    mail_department: Department,  # noqa: F811
    *,
    patient: bool = False,
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(KnownContact(department="dac46", number=NUMBER, address=ADDRESS, name=NAME,
                                 referrer_type="gp"))  # fmt: skip
        await session.commit()
    await client.app[STORE_COPIES].refresh()

    # A call: known, so the referents hear the name in the whisper; nobody takes it.
    referents = {AMARTIN: Answer(presses=None), BLEROY: Answer(presses=None)}
    caller = ScriptedPerson([], referents=referents, message=VOICEMAIL)
    # The phone records on the deployment's own account, where Frontdoor deletes it.
    phone = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=settings.twilio_account_sid,
    )  # fmt: skip
    result = await phone.call(from_=NUMBER, to=LOT, person=caller)
    whispers = [line.text for line in result.transcript if line.leg == AMARTIN]
    assert any(NAME in said for said in whispers), "the whisper names the caller"
    assert any("RecordingUrl" in r.request.form for r in result.exchanges), "a voicemail"

    # SMS: a message, a referent's answer, STOP.
    replied(await send(client, SMS_TEXT, at=TUESDAY_MORNING + timedelta(minutes=5), from_=NUMBER))
    async with session_maker(engine)() as session:
        requests = {r.channel: r for r in (await session.exec(select(Request))).all()}
    answered = await client.post(
        f"/api/requests/{requests['sms'].id}/sms", json={"body": SMS_ANSWER}, headers=LOT_KEY
    )
    assert answered.status == 201
    replied(await send(client, "STOP", at=TUESDAY_MORNING + timedelta(minutes=9), from_=NUMBER))

    # A secure mail with an attachment: acknowledged through the outbox, then answered.
    await deliver(mail_department, the_mail(mail_department.mailbox.address))  # type: ignore[union-attr]
    taken = await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))
    assert taken.startswith("1 taken")
    async with session_maker(engine)() as session:
        requests = {r.channel: r for r in (await session.exec(select(Request))).all()}
    mailed = await client.post(
        f"/api/requests/{requests['mail'].id}/mail", json={"body": MAIL_ANSWER}, headers=LOT_KEY
    )
    assert mailed.status == 201

    # A referent's note; a webhook of theirs the store refused, kept for an operator.
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{requests['voice'].id}/notes", {"body": NOTE})
    # An orientation with its follow-up: scanned like every table, and in the way of neither
    # the erasure nor the purge.
    oriented = await referent.post(
        f"/console/demandes/{requests['voice'].id}/reponses",
        {"kind": "orientation", "suivi_jours": "15", "suivi_referent": "bleroy"},
    )
    assert "erreur" not in oriented.headers["Location"]
    if patient:
        # The patient the GP calls and writes about: her file, from the call, with her traits.
        voice = requests["voice"].id
        created = await referent.post(f"/console/demandes/{voice}/personnes/nouvelle", HER)
        assert created.status == 303, await created.text()
        for channel in ("sms", "mail"):
            linked = await referent.post(
                f"/console/demandes/{requests[channel].id}/personnes", {"personne": "1"}
            )
            assert linked.status == 303
    client.app[JOURNAL].set_aside(
        Entry(path="/twilio/sms", query={}, at=TUESDAY_MORNING, key="refused-1",
              form={"From": NUMBER, "To": LOT, "Body": SMS_TEXT, "MessageSid": "SM" + "9" * 32},
              answer="<Response/>", instance="test")
    )  # fmt: skip
    await engine.dispose()

    # The traces are really there before: the scan would find them.
    assert {where for where, _trace in await traces_in(settings)} >= {
        "requests",
        "known_contacts",
        "messages",
        "request_notes",
        "outbox",
        "webhook_receipts",
        "attachments/",
        "journal/",
        "recordings/",
    } | ({"database file"} if database_files(settings) else set())


async def traces_in(settings: Settings, traces: tuple[str, ...] = TRACES) -> list[tuple[str, str]]:
    """(table or folder, trace) for each trace found in the database or the data folders."""
    found = [(name, trace) for name, value in await database_values(settings) for trace in
             traces if trace.lower() in value.lower()]  # fmt: skip
    for folder in (settings.mail_attachments_dir, settings.journal_dir):
        for path, content in files_in(folder):
            found += [(f"{folder.name}/", trace) for trace in traces if trace.lower() in content]
            assert trace_free_name(path), path
    # A voicemail is the person's voice: any file left of it is a trace.
    found += [("recordings/", path.name) for path, _ in files_in(settings.recordings_dir)]
    for path in database_files(settings):
        # Not only the rows: the file's free space and its write-ahead log, too.
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        content = path.read_bytes().decode("utf-8", errors="replace").lower()
        found += [("database file", trace) for trace in traces if trace.lower() in content]
    return sorted(set(found))


def database_files(settings: Settings) -> list[Path]:
    """An SQLite database's files (its WAL and shared memory too); none for PostgreSQL,
    whose files are the server's (its dead rows go at its vacuum)."""
    database = make_url(settings.database_url).database
    if not settings.database_url.startswith("sqlite") or not database:
        return []
    path = Path(database)
    return sorted(path.parent.glob(f"{path.name}*"))


async def database_values(settings: Settings) -> list[tuple[str, str]]:
    """(table, value) for every value of every column of every table the database has."""
    engine = create_engine(settings.database_url)
    values = []
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for name in tables:
            columns = await connection.run_sync(
                lambda sync, name=name: [c["name"] for c in inspect(sync).get_columns(name)]
            )
            query = sqlalchemy.select(*(text(f'"{c}"') for c in columns)).select_from(table(name))
            for row in (await connection.execute(query)).all():
                values += [(name, _text(value)) for value in row if value is not None]
    await engine.dispose()
    return values


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def files_in(folder: Path) -> Iterator[tuple[Path, str]]:
    if folder.exists():
        assert_private(folder)
        for path in folder.rglob("*"):
            if path.is_file():
                yield path, path.read_bytes().decode("utf-8", errors="replace").lower()


def trace_free_name(path: Path) -> bool:
    return not any(re.search(re.escape(trace.lower()), path.name.lower()) for trace in TRACES)


async def test_after_an_erasure_nothing_identifies_the_person_anywhere(
    client: TestClient,
    scan_settings: Settings,
    mail_department: Department,  # noqa: F811
    twilio_api: FakeTwilioApi,
    smtp_mtls: SmtpRecorder,  # noqa: F811
) -> None:
    await the_person_everywhere(client, scan_settings, mail_department)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    asked = {"numero": "06 11 22 33 44", "adresse": ADDRESS}
    page = await (await coordinator.post("/console/personnes?departement=dac46", asked)).text()
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', page)

    erased = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NUMBER, "adresse": ADDRESS, "confirmation": "EFFACER", "empreinte": digest},
    )

    assert erased.status == 303
    assert "fait=3" in erased.headers["Location"]  # the call, the SMS, the mail
    assert await traces_in(scan_settings) == []
    assert len(twilio_api.deleted_recordings) == 1


async def test_after_the_retention_purge_nothing_identifies_the_person_but_the_address_book(
    client: TestClient,
    scan_settings: Settings,
    mail_department: Department,  # noqa: F811
    twilio_api: FakeTwilioApi,
    smtp_mtls: SmtpRecorder,  # noqa: F811
) -> None:
    await the_person_everywhere(client, scan_settings, mail_department, patient=True)
    longest = max(mail_department.retention.days(data_class) for data_class in DataClass)
    past_every_class = TUESDAY_MORNING + timedelta(days=longest + 1)

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=past_every_class))

    # The department's address book is no request's data: it keeps the contact (number,
    # address, name) until the coordinator removes it or the person asks for erasure.
    left = await traces_in(scan_settings)
    in_the_book = {trace for where, trace in left if where == "known_contacts"}
    assert in_the_book <= {NUMBER, NUMBER.removeprefix("+"), ADDRESS, "cabinet-roux", NAME,
                           "Roussillon"}  # fmt: skip
    assert {(where, trace) for where, trace in left if where != "known_contacts"} <= {
        ("database file", trace)
        for trace in in_the_book  # that row, in the file
    }
    assert await traces_in(scan_settings, HER_TRACES) == []  # her file's traits too
    assert len(twilio_api.deleted_recordings) == 1


async def test_a_patient_erased_by_her_name_leaves_nothing_but_her_gp_stays(
    client: TestClient,
    scan_settings: Settings,
    mail_department: Department,  # noqa: F811
    twilio_api: FakeTwilioApi,
    smtp_mtls: SmtpRecorder,  # noqa: F811
) -> None:
    await the_person_everywhere(client, scan_settings, mail_department, patient=True)
    assert {where for where, _trace in await traces_in(scan_settings, HER_TRACES)} >= {
        "persons",
        "messages",
        "request_notes",
        "outbox",
        "attachments/",
    }
    coordinator = await sign_in(client, LOT_COORDINATOR)
    listed = await coordinator.post(
        "/console/personnes/nom?departement=dac46", {"nom": "temoin", "prenoms": "ginette"}
    )
    assert 'name="personne" value="1"' in await listed.text()
    page = await (
        await coordinator.post("/console/personnes/fiche?departement=dac46", {"personne": "1"})
    ).text()
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', page)

    erased = await coordinator.post(
        "/console/personnes/fiche/effacement?departement=dac46",
        {"personne": "1", "confirmation": "EFFACER", "empreinte": digest},
    )

    assert erased.status == 303
    assert "fait=3" in erased.headers["Location"]  # the GP's call, SMS and mail about her
    # The GP's SMS the store refused during an outage, set aside for an operator, names
    # her: it goes too (core.persons.names_person).
    assert await traces_in(scan_settings, HER_TRACES) == []
    # Her GP is not erased with her: the known contact, and the number on the requests.
    gp_left = {where for where, trace in await traces_in(scan_settings) if trace == NUMBER}
    assert {"known_contacts", "requests"} <= gp_left
    assert len(twilio_api.deleted_recordings) == 1
