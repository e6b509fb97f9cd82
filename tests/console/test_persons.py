"""A person's data: found exactly by the identifiers given, shown before it is erased, exported
whole as JSON or erased while the request stays for the indicators; each step journaled."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

import frontdoor.console.persons as persons_module
import frontdoor.voice.recordings as recordings_module
from frontdoor.core.persons import Identifiers
from frontdoor.core.retention import pseudonym
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.journal import Entry
from frontdoor.store.models import (
    AuditEvent,
    KnownContact,
    Message,
    OutboxMail,
    Request,
    SmsOptOut,
)
from frontdoor.store.persons import held_about
from frontdoor.store.recordings import RecordingStore
from frontdoor.store.tally_models import RequestTally, RequestTallyChange
from frontdoor.voice.recordings import bring_home
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    Browser,
    sign_in,
)
from tests.console.requests_made import a_voicemail, audit_rows, the_request
from tests.provider_meanwhile import (
    request_changed,
    twilio_recording,
    while_twilio_deletes,
    written,
)
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING, stored

GP_NUMBER, GP_ADDRESS = "+33565000001", "dr.roux@cabinet.mssante.fr"
OTHER_NUMBER, OTHER_ADDRESS = "+33565000002", "autre@cabinet.mssante.fr"
KEY = b"test-key"


def persons_url(path: str = "", **query: str) -> str:
    return f"/console/personnes{path}?{urlencode({'departement': 'dac46', **query})}"


async def export(browser: Browser, **identifiers: str):  # type: ignore[no-untyped-def]
    """The export's button: a POST form carrying the identifiers (numero, adresse)."""
    return await browser.post(persons_url("/export"), identifiers)


async def preview(browser: Browser, *, numero: str = "", adresse: str = "") -> tuple[str, str]:
    """The persons page for these identifiers (the search form, posted), and the fingerprint
    its erasure form carries."""
    response = await browser.post(persons_url(), {"numero": numero, "adresse": adresse})
    assert response.status == 200
    page = await response.text()
    found = re.search(r'name="empreinte" value="([0-9a-f]*)"', page)
    return page, found.group(1) if found else ""


async def erase(browser: Browser, *, numero: str = "", adresse: str = ""):  # type: ignore[no-untyped-def]
    """What a coordinator does: look, then confirm what was shown."""
    _page, digest = await preview(browser, numero=numero, adresse=adresse)
    return await browser.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": numero, "adresse": adresse, "confirmation": "EFFACER", "empreinte": digest},
    )


# ----- Exact matching: the store's query against the rule (core.persons), on every row -----

REQUESTS = [  # (department, number, address)
    ("dac46", GP_NUMBER, None),
    ("dac46", None, GP_ADDRESS),
    ("dac46", GP_NUMBER, GP_ADDRESS),
    ("dac46", OTHER_NUMBER, None),
    ("dac46", None, OTHER_ADDRESS),
    ("dac46", None, None),  # a withheld number, say
    ("dac57", GP_NUMBER, GP_ADDRESS),  # another department's
]
CONTACTS = [  # each number and address once per department
    ("dac46", GP_NUMBER, OTHER_ADDRESS),
    ("dac46", OTHER_NUMBER, GP_ADDRESS),
    ("dac46", "+33565000003", None),  # no address
    ("dac46", None, "troisieme@cabinet.mssante.fr"),  # no number
    ("dac57", GP_NUMBER, GP_ADDRESS),
]
ASKED = {
    "number-only": Identifiers(number=GP_NUMBER),
    "address-only": Identifiers(address=GP_ADDRESS),
    "both": Identifiers(number=GP_NUMBER, address=GP_ADDRESS),
    "a-number-never-seen": Identifiers(number="+33611000000"),
    "an-address-never-seen": Identifiers(address="jamais@vu.fr"),
}


@pytest.mark.parametrize("asked", sorted(ASKED))
async def test_what_is_held_is_exactly_what_the_identifiers_given_name(
    database_url: str, asked: str
) -> None:
    who = ASKED[asked]
    engine = create_engine(database_url)
    async with session_maker(engine)() as session:
        for department, number, address in REQUESTS:
            session.add(
                Request(department=department, channel="voice", caller_number=number,
                        contact_address=address, received_at=TUESDAY_MORNING)
            )  # fmt: skip
        for index, (department, number, address) in enumerate(CONTACTS):
            session.add(
                KnownContact(department=department, number=number, address=address,
                             name=f"Contact {index}", referrer_type="gp")
            )  # fmt: skip
        await session.commit()
        held = await held_about(session=session, department="dac46", who=who, key=KEY)
    await engine.dispose()

    def theirs(rows: list[tuple[str, str | None, str | None]]) -> list[tuple[str | None, ...]]:
        return [
            (number, address)
            for department, number, address in rows
            if department == "dac46" and who.match(number=number, address=address)
        ]

    assert [(r.caller_number, r.contact_address) for r in held.requests] == theirs(REQUESTS)
    assert [(c.number, c.address) for c in held.contacts] == theirs(CONTACTS)


async def test_outbox_mails_and_stops_are_found_by_their_own_identifier_only(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    at = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    async with session_maker(engine)() as session:
        for index, recipient in enumerate((GP_ADDRESS, OTHER_ADDRESS)):
            session.add(
                OutboxMail(department="dac46", message_id=f"<{index}@dac46>", recipient=recipient,
                           subject="Accusé", created_at=at, next_attempt_at=at)
            )  # fmt: skip
        session.add(
            SmsOptOut(department="dac46", number=pseudonym(GP_NUMBER, KEY), opted_out_at=at)
        )
        session.add(SmsOptOut(department="dac46", number=OTHER_NUMBER, opted_out_at=at))
        await session.commit()
        by_address = await held_about(
            session=session, department="dac46", who=Identifiers(address=GP_ADDRESS), key=KEY
        )
        by_number = await held_about(
            session=session, department="dac46", who=Identifiers(number=GP_NUMBER), key=KEY
        )
    await engine.dispose()

    assert [mail.recipient for mail in by_address.outbox] == [GP_ADDRESS]
    assert by_address.opt_outs == []
    assert by_number.outbox == []
    assert [row.number for row in by_number.opt_outs] == [pseudonym(GP_NUMBER, KEY)]


async def test_a_number_that_never_called_finds_no_other_professional(
    client: TestClient, wired_settings: Settings
) -> None:
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(KnownContact(department="dac46", address=OTHER_ADDRESS, name="Dr Autre",
                                 referrer_type="gp"))  # fmt: skip
        session.add(KnownContact(department="dac46", number=OTHER_NUMBER, name="IDE Autre",
                                 referrer_type="nurse"))  # fmt: skip
        await session.commit()
    await engine.dispose()
    coordinator = await sign_in(client, LOT_COORDINATOR)

    exported = await export(coordinator, numero="06 11 00 00 00")
    page, _digest = await preview(coordinator, numero="06 11 00 00 00")
    erased = await erase(coordinator, numero="06 11 00 00 00")

    held = json.loads(await exported.text())
    assert (held["known_contacts"], held["requests"]) == ([], [])
    assert "Dr Autre" not in page
    assert "IDE Autre" not in page
    assert erased.status == 303
    async with session_maker(engine)() as session:
        contacts = (await session.exec(select(KnownContact.name))).all()
    await engine.dispose()
    assert sorted(contacts) == ["Dr Autre", "IDE Autre"]


# ----- Access and portability -----


async def test_the_coordinator_exports_everything_held_about_a_number(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Mme X rappelée."})
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await export(coordinator, numero="06 11 22 33 44")

    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = await response.text()
    held = json.loads(text)
    [request] = held["requests"]
    assert request["caller_number"] == NURSE
    assert [note["body"] for note in request["notes"]] == ["Mme X rappelée."]
    assert request["events"][0]["kind"] == "incoming"
    # That a voicemail exists, never where the provider keeps it.
    assert request["has_recording"] is True
    assert "recording_url" not in request
    assert "api.twilio.com" not in text
    assert (LOT_COORDINATOR.login, voicemail.id, "export") in await audit_rows(wired_settings)


async def test_every_search_export_and_erasure_is_journaled_with_pseudonyms_and_counts(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    await preview(coordinator, numero=NURSE)
    await export(coordinator, numero=NURSE)
    await erase(coordinator, numero=NURSE)

    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    await engine.dispose()
    asked = [(r.action, r.account, r.department) for r in rows if r.request_id is None]
    assert asked == [
        ("person_search", LOT_COORDINATOR.login, "dac46"),  # the search
        ("export", LOT_COORDINATOR.login, "dac46"),
        ("person_search", LOT_COORDINATOR.login, "dac46"),  # the erasure's preview
        ("erase", LOT_COORDINATOR.login, "dac46"),
    ]
    reached = [(r.action, r.request_id) for r in rows if r.request_id is not None]
    assert ("erase", voicemail.id) in reached
    assert ("person_search", voicemail.id) in reached
    key = wired_settings.pseudonym_secret
    for row in rows:
        if row.request_id is None:
            assert row.detail is not None
            assert row.detail.startswith(f"numéro {pseudonym(NURSE, key)} :")
            assert "1 demandes" in row.detail
    everything = " ".join(f"{r.detail} {r.account}" for r in rows)
    assert NURSE not in everything
    assert "611223344" not in everything
    page = await (await coordinator.get("/console/journal?departement=dac46")).text()
    assert "recherche d&#39;une personne" in page or "recherche d'une personne" in page
    assert pseudonym(NURSE, key) in page


# ----- Erasure, in two steps -----


async def test_the_page_shows_what_an_erasure_will_touch_before_it_does(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Mme X rappelée."})
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page, digest = await preview(coordinator, numero="06 11 22 33 44")

    assert f"n° {voicemail.id}</a>" in page
    assert NURSE in page
    assert "message vocal" in page
    assert "1 demande(s)" in page
    assert "à faire" in page  # its callback task
    assert "Chez l'opérateur téléphonique (Twilio), les traces des appels" in page
    assert digest
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_erasure_pseudonymises_the_request_and_deletes_the_recording(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Mme X rappelée."})
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await erase(coordinator, numero=NURSE)

    assert response.status == 303
    assert "fait=1" in response.headers["Location"]
    erased = await the_request(wired_settings, voicemail.id or 0)
    assert (erased.caller_number or "").startswith("pseudo:")
    assert (erased.recording_url, erased.recording_key) == (None, None)
    assert erased.outcome == "voicemail"  # still counted
    assert len(twilio_api.deleted_recordings) == 1  # brought home when complete, then deleted
    assert voicemail.recording_key is not None
    assert not (wired_settings.recordings_dir / voicemail.recording_key).exists()
    exported = await export(coordinator, numero="06 11 22 33 44")
    assert json.loads(await exported.text())["requests"] == []
    page = await (await coordinator.get(f"/console/demandes/{voicemail.id}")).text()
    assert "Mme X rappelée." not in page
    assert (LOT_COORDINATOR.login, voicemail.id, "erase") in await audit_rows(wired_settings)


async def test_an_erasure_of_data_changed_since_its_preview_is_asked_again(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    _page, digest = await preview(coordinator, numero=NURSE)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Rappelée à 11 h."})

    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": digest},
    )

    # Shown again in the answer itself (the number never goes into a URL), to confirm anew.
    assert response.status == 200
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE
    again = await response.text()
    assert "ont changé depuis l&#39;aperçu" in again or "ont changé depuis l'aperçu" in again
    [new_digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', again)
    assert new_digest != digest
    confirmed = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": new_digest},
    )
    assert confirmed.status == 303


# ----- Voicemails Twilio still holds: deleted there between two readings of the store -----


def nurse_call(settings: Settings, sid: str | None = None) -> Request:
    """A call of the nurse's; with `sid`, a voicemail Twilio still holds (not brought home)."""
    return Request(department="dac46", channel="voice", caller_number=NURSE,
                   received_at=TUESDAY_MORNING,
                   recording_url=twilio_recording(settings, sid) if sid else None)  # fmt: skip


async def confirm_again(browser: Browser, page: str):  # type: ignore[no-untyped-def]
    """The erasure confirmed from the preview shown again."""
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', page)
    return await browser.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": digest},
    )


def shown_again(page: str) -> bool:
    return "ont changé depuis l&#39;aperçu" in page or "ont changé depuis l'aperçu" in page


async def test_erasure_deletes_a_voicemail_twilio_still_holds_and_the_dacs_copy(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    sid = "RE" + "a" * 32
    [request_id] = await written(wired_settings, nurse_call(wired_settings, sid))
    copies = RecordingStore(wired_settings.recordings_dir)
    copy = copies.save(department="dac46", request_id=request_id, data=b"ID3")
    await request_changed(wired_settings, request_id, recording_key=copy)  # brought home
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await erase(coordinator, numero=NURSE)

    assert response.status == 303
    erased = await the_request(wired_settings, request_id)
    assert (erased.recording_url, erased.recording_key) == (None, None)
    assert not (wired_settings.recordings_dir / copy).exists()
    assert twilio_api.deleted_recordings == [sid]


async def test_a_deletion_twilio_refuses_erases_nothing_and_the_retry_erases_all(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    first, second = "RE" + "b" * 32, "RE" + "c" * 32
    ids = await written(wired_settings, nurse_call(wired_settings, first),
                        nurse_call(wired_settings, second))  # fmt: skip
    refusals = [twilio_recording(wired_settings, second)]

    async def twilio_refuses_the_second_once(url: str) -> None:
        if url in refusals:
            refusals.remove(url)
            twilio_api.fail_next(status=500)

    while_twilio_deletes(monkeypatch, twilio_refuses_the_second_once)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    refused = await erase(coordinator, numero=NURSE)
    kept = [await the_request(wired_settings, request_id) for request_id in ids]
    retried = await erase(coordinator, numero=NURSE)

    assert refused.status == 502
    assert "l'opérateur n'a pas pu effacer un message vocal" in await refused.text()
    assert [request.caller_number for request in kept] == [NURSE, NURSE]
    assert all(request.recording_url for request in kept)  # the first one's, though gone there
    assert retried.status == 303
    # The first one, already gone, answered 404 to the retry: counted as deleted.
    assert twilio_api.deleted_recordings == [first, second]
    for request_id in ids:
        assert (await the_request(wired_settings, request_id)).recording_url is None


async def test_a_voicemail_left_while_twilio_deletes_is_shown_again_then_deleted_with_the_rest(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    deleted, arrived = "RE" + "d" * 32, "RE" + "e" * 32
    with_one, in_progress = await written(wired_settings, nurse_call(wired_settings, deleted),
                                          nurse_call(wired_settings))  # fmt: skip

    async def the_other_call_leaves_a_voicemail(url: str) -> None:
        if url == twilio_recording(wired_settings, deleted):
            left = twilio_recording(wired_settings, arrived)
            await request_changed(wired_settings, in_progress, recording_url=left)

    while_twilio_deletes(monkeypatch, the_other_call_leaves_a_voicemail)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await erase(coordinator, numero=NURSE)
    page = await response.text()
    meanwhile = await the_request(wired_settings, in_progress)
    confirmed = await confirm_again(coordinator, page)

    # The fingerprint counts rows, not recordings: unchanged, yet not confirmed for this one.
    assert response.status == 200
    assert shown_again(page)
    assert meanwhile.recording_url == twilio_recording(wired_settings, arrived)
    assert meanwhile.caller_number == NURSE
    assert confirmed.status == 303
    assert twilio_api.deleted_recordings == [deleted, arrived]
    for request_id in (with_one, in_progress):
        erased = await the_request(wired_settings, request_id)
        assert erased.recording_url is None
        assert (erased.caller_number or "").startswith("pseudo:")


async def test_a_call_arriving_while_twilio_deletes_is_shown_again_before_it_is_erased(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    [previewed] = await written(wired_settings, nurse_call(wired_settings, "RE" + "f" * 32))
    arrived: list[int] = []

    async def the_nurse_calls_again(_url: str) -> None:
        if not arrived:
            arrived.extend(await written(wired_settings, nurse_call(wired_settings)))

    while_twilio_deletes(monkeypatch, the_nurse_calls_again)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    _page, digest = await preview(coordinator, numero=NURSE)

    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": digest},
    )
    page = await response.text()
    meanwhile = [await the_request(wired_settings, i) for i in (previewed, *arrived)]
    confirmed = await confirm_again(coordinator, page)

    assert response.status == 200
    assert shown_again(page)
    assert f"n° {arrived[0]}</a>" in page
    assert [request.caller_number for request in meanwhile] == [NURSE, NURSE]
    assert confirmed.status == 303
    for request_id in (previewed, *arrived):
        erased = await the_request(wired_settings, request_id)
        assert (erased.caller_number or "").startswith("pseudo:")


@pytest.mark.parametrize(
    "form",
    [
        {"numero": NURSE, "confirmation": "EFFACER"},  # no preview
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": "0" * 32},  # another one
    ],
    ids=["without-fingerprint", "with-a-wrong-fingerprint"],
)
async def test_an_erasure_not_confirmed_from_its_preview_erases_nothing(
    client: TestClient, wired_settings: Settings, form: dict[str, str]
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post("/console/personnes/effacement?departement=dac46", form)

    assert response.status == 200  # the preview, shown to confirm
    assert 'name="empreinte"' in await response.text()
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_an_erasure_by_number_leaves_the_same_persons_mail_requests_alone(
    client: TestClient, wired_settings: Settings
) -> None:
    await a_voicemail(client, wired_settings)
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(Request(department="dac46", channel="mail", contact_address=GP_ADDRESS,
                            received_at=TUESDAY_MORNING - timedelta(days=1)))  # fmt: skip
        await session.commit()
    await engine.dispose()
    coordinator = await sign_in(client, LOT_COORDINATOR)

    await erase(coordinator, numero=NURSE)

    requests, _ = await stored(wired_settings)
    assert [(r.channel, r.contact_address) for r in requests if r.channel == "mail"] == [
        ("mail", GP_ADDRESS)
    ]


async def test_an_erased_gps_number_leaves_the_indicator_tallies_at_once(
    client: TestClient, wired_settings: Settings
) -> None:
    caller = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=wired_settings.twilio_account_sid,
    )  # fmt: skip
    await caller.call(from_=GP_NUMBER, to=LOT, person=ScriptedPerson(["1", "1"], referents={}))
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:  # a referent confirmed: a GP
        [request] = (await session.exec(select(Request))).all()
        request.referrer_type, request.referrer_source = "gp", "referent"
        session.add(request)
        await session.commit()
    await engine.dispose()
    coordinator = await sign_in(client, LOT_COORDINATOR)

    await erase(coordinator, numero=GP_NUMBER)

    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        kept = set((await session.exec(select(RequestTally.value))).all())
        kept |= set((await session.exec(select(RequestTallyChange.value))).all())
    await engine.dispose()
    assert GP_NUMBER not in kept
    assert any(value.startswith("pseudo:") for value in kept)  # still one GP, pseudonymised


async def test_erasure_needs_the_typed_confirmation(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    _page, digest = await preview(coordinator, numero=NURSE)

    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46", {"numero": NURSE, "empreinte": digest}
    )

    assert response.status == 400
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_the_number_searched_never_goes_into_a_url(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page, _digest = await preview(coordinator, numero="06 11 22 33 44")

    assert f"/console/demandes/{voicemail.id}" in page  # found, by a POST form
    urls = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert urls
    assert not [url for url in urls if "611223344" in url or "numero" in url]
    assert not re.search(r'<form[^>]*method="get"', page)
    # A link of old with the number in it finds nothing, journals nothing.
    before = await audit_rows(wired_settings)
    old = await coordinator.get(persons_url(numero="06 11 22 33 44"))
    assert old.status == 200
    assert "611223344" not in await old.text()
    assert await audit_rows(wired_settings) == before


@pytest.mark.parametrize("path", ["", "/export"])
async def test_a_search_or_export_without_the_csrf_token_is_refused_and_not_journaled(
    client: TestClient, wired_settings: Settings, path: str
) -> None:
    await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)
    before = await audit_rows(wired_settings)

    forged = await client.post(
        persons_url(path), data={"numero": NURSE}, headers=coordinator.headers
    )

    assert forged.status == 403
    assert await audit_rows(wired_settings) == before


async def test_nobody_is_searched_exported_or_erased_without_an_identifier(
    client: TestClient, wired_settings: Settings
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    exported = await export(coordinator)
    erased = await coordinator.post(
        "/console/personnes/effacement?departement=dac46", {"confirmation": "EFFACER"}
    )

    searched = await coordinator.post(persons_url(), {"numero": " ", "adresse": ""})

    assert (searched.status, exported.status, erased.status) == (400, 400, 400)


async def test_another_departments_coordinator_finds_nothing_to_export_or_erase(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    moselle = await sign_in(client, MOSELLE_COORDINATOR)

    asked = {"numero": "06 11 22 33 44"}
    own = await moselle.post("/console/personnes/export", asked)
    other = await moselle.post("/console/personnes/export?departement=dac46", asked)
    page = await (await moselle.post("/console/personnes", asked)).text()
    digest = re.search(r'name="empreinte" value="([0-9a-f]*)"', page)
    await moselle.post(
        "/console/personnes/effacement",
        {
            "numero": NURSE,
            "confirmation": "EFFACER",
            "empreinte": digest.group(1) if digest else "",
        },
    )

    assert json.loads(await own.text())["requests"] == []
    assert other.status == 404
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


def her_sms(_call_sid: str) -> Entry:
    return Entry(path="/twilio/sms", query={}, at=TUESDAY_MORNING, key="waiting-1",
                 form={"From": NURSE, "To": LOT, "Body": "Rappelez-moi"},
                 answer="<Response/>", instance="other")  # fmt: skip


def a_leg_of_her_call(call_sid: str) -> Entry:
    """A referent's leg: from the department's number, its answer naming who calls."""
    return Entry(path="/twilio/voice/whisper", query={}, at=TUESDAY_MORNING, key="leg-1",
                 form={"CallSid": "CA" + "7" * 32, "ParentCallSid": call_sid, "From": LOT,
                       "To": "+33600000001"},
                 answer="<Response><Say>Appel d'une infirmière</Say></Response>",
                 instance="other")  # fmt: skip


@pytest.mark.parametrize("waiting", [her_sms, a_leg_of_her_call])
async def test_an_erasure_waits_for_the_persons_contacts_still_in_an_outage_journal(
    client: TestClient, wired_settings: Settings, waiting: Callable[[str], Entry]
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    # Another instance's segment, kept while the store was away and not replayed yet.
    segment = wired_settings.journal_dir / "other.1.jsonl"
    segment.write_text(waiting(voicemail.call_sid or "").line() + "\n", encoding="utf-8")
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page, digest = await preview(coordinator, numero=NURSE)
    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": digest},
    )

    assert "attendent dans le journal de panne" in page
    assert response.status == 409
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_an_address_that_only_wrote_under_a_request_finds_and_erases_its_mails_only(
    client: TestClient, wired_settings: Settings
) -> None:
    """A nurse answered in a GP's mail thread: her mail and address there are hers (exported,
    erased); the request stays the GP's, untouched."""
    nurse = "ide.lac@gmail.com"
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        request = Request(
            department="dac46", channel="mail", contact_address="dr.roux@chu-toulouse.fr",
            received_at=TUESDAY_MORNING,
        )  # fmt: skip
        session.add(request)
        await session.flush()
        session.add(
            Message(
                request_id=request.id or 0,
                department="dac46",
                channel="mail",
                direction="in",
                provider_id="<n1@gmail.com>",
                address=nurse,
                at=TUESDAY_MORNING,
                body="Pansements faits.",
            )  # fmt: skip
        )
        await session.commit()
    coordinator = await sign_in(client, LOT_COORDINATOR)

    exported = json.loads(await (await export(coordinator, adresse=nurse)).text())
    page, _ = await preview(coordinator, adresse=nurse)
    erased = await erase(coordinator, adresse=nurse)

    assert exported["requests"] == []
    assert [m["address"] for m in exported["messages_under_other_requests"]] == [nurse]
    assert "écrit(s) dans la conversation d'une autre demande" in page
    assert erased.status == 303
    async with session_maker(engine)() as session:
        [message] = (await session.exec(select(Message))).all()
        gps = await session.get(Request, request.id)
    await engine.dispose()
    assert (message.address, message.body) == (None, None)
    assert gps is not None
    assert gps.contact_address == "dr.roux@chu-toulouse.fr"


async def test_the_coordinator_reads_how_long_each_class_of_data_is_kept(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    page = await (await coordinator.get(persons_url())).text()

    assert "Conservation des données" in page
    assert "messages vocaux : 90 jours à compter de l&#39;appel" in page
    assert "fiches des personnes : 730 jours à compter du dernier contact de la personne" in page


# ----- A voicemail brought home while the erasure is recorded (PostgreSQL: SQLite's one
# connection runs one transaction at a time) -----


def on_postgresql(settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("two transactions at once: SQLite's one connection runs them in turn")


def fetched_then_held(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, released: asyncio.Event
) -> asyncio.Event:
    """Twilio gives the voicemail's audio at once; the service gets it only once `released`.
    Returns what is set once the service has kept it, or found it must not."""
    twilio = client.app[JOB_RUNTIME].twilio_api_for("dac46")
    fetch, keep, kept = twilio.recording_audio, recordings_module._keep, asyncio.Event()

    async def recording_audio(recording: str) -> bytes:
        audio = await fetch(recording)
        await released.wait()
        return audio

    async def keeping(*args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        try:
            return await keep(*args, **kwargs)
        finally:
            kept.set()

    monkeypatch.setattr(twilio, "recording_audio", recording_audio)
    monkeypatch.setattr(recordings_module, "_keep", keeping)
    return kept


async def erased_while_it_comes_home(
    client: TestClient, settings: Settings, request_id: int
) -> tuple[int, Request]:
    """The coordinator erases the nurse while the voicemail of `request_id` comes home: the
    erasure's answer, and the request as both left it."""
    coordinator = await sign_in(client, LOT_COORDINATOR)
    coming = asyncio.create_task(bring_home(client.app[JOB_RUNTIME], request_id))
    response = await erase(coordinator, numero=NURSE)
    await asyncio.wait_for(coming, timeout=30)
    return response.status, await the_request(settings, request_id)


def copies_left(settings: Settings) -> list[Path]:
    return [path for path in settings.recordings_dir.rglob("*") if path.is_file()]


async def test_a_voicemail_brought_home_once_the_erasure_read_it_is_erased_with_the_rest(
    client: TestClient, wired_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio's recording callback fetched the audio; its copy is committed just after the
    erasure read the request again: the erasure sees the copy and deletes it."""
    on_postgresql(wired_settings)
    [request_id] = await written(wired_settings, nurse_call(wired_settings, "RE" + "f" * 32))
    released = asyncio.Event()
    kept = fetched_then_held(monkeypatch, client, released)
    loading, reads = persons_module._held, []

    async def the_copy_lands_after_the_second_read(*args, **kwargs):  # type: ignore[no-untyped-def]
        held = await loading(*args, **kwargs)
        reads.append(held)
        if len(reads) == 2:  # after Twilio deleted, before the erasure is recorded
            released.set()
            await kept.wait()
        return held

    monkeypatch.setattr(persons_module, "_held", the_copy_lands_after_the_second_read)

    status, erased = await erased_while_it_comes_home(client, wired_settings, request_id)

    assert status == 303
    assert (erased.recording_url, erased.recording_key) == (None, None)
    assert not copies_left(wired_settings)


async def test_a_voicemail_coming_home_while_the_erasure_is_recorded_keeps_nothing(
    client: TestClient, wired_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audio arrives while the erasure holds the request: keeping it waits for the
    erasure's commit, then finds the recording gone."""
    on_postgresql(wired_settings)
    [request_id] = await written(wired_settings, nurse_call(wired_settings, "RE" + "9" * 32))
    released = asyncio.Event()
    fetched_then_held(monkeypatch, client, released)
    removing = persons_module.remove_person

    async def the_audio_arrives_meanwhile(**kwargs):  # type: ignore[no-untyped-def]
        released.set()
        await asyncio.sleep(0.5)  # time for the copy to be written, were it not held
        await removing(**kwargs)

    monkeypatch.setattr(persons_module, "remove_person", the_audio_arrives_meanwhile)

    status, erased = await erased_while_it_comes_home(client, wired_settings, request_id)

    assert status == 303
    assert (erased.recording_url, erased.recording_key) == (None, None)
    assert not copies_left(wired_settings)
