"""May 2026 in the Lot, as it happens, and the indicator table against a count by hand.

Mme Martin, 88, frail, living alone, is reached three times: her GP Dr Durand calls, her
daughter sends an SMS, the hospital's discharge team writes by secure mail; Dr Durand calls
again the week after. M. Bernard (only his birth year known) is the subject of a nurse's call
and of a mail from Dr Durand's MSSanté address. A social worker's request is accompanied
but nobody is named yet. A pharmacist, a patient and a GP nobody knows only ask for
information; someone dials a wrong number.

Calls and SMS go through the real app as Twilio sends them (signed webhooks, the TwiML
followed); the mails are stored as the mailbox intake stores a new mail's request (the IMAP
side has its own tests). What a referent then records — referrer type, responses,
problems, the persons concerned — is written to the store as the console writes it (the
persons' files and responses through their store functions).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.core.person_identity import Traits
from frontdoor.core.request_fields import ResponseType
from frontdoor.core.responses import ResponseChoice
from frontdoor.departments import Departments
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import DepartmentFigures, KnownContact, Request
from frontdoor.store.person_files import create_person, link
from frontdoor.store.responses import add_response
from tests.indicators.random_year import lot, table_of, values
from tests.sms.texting import send
from tests.web.calls import AMARTIN, BLEROY, LOT, PARIS, TUESDAY_MORNING, place_call

DR_DURAND, DURAND_MAIL, DURAND_RPPS = "+33565101010", "dr.durand@cabinet.mssante.fr", "10001234567"
DAUGHTER, PHARMACIST, PATIENT, UNKNOWN_GP = (
    "+33611000001", "+33611000002", "+33611000003", "+33565999999",
)  # fmt: skip
NURSE, SOCIAL_WORKER, WRONG = "+33611000004", "+33565202020", "+33611000005"
ANSWERED = {AMARTIN: Answer(presses="1"), BLEROY: Answer(presses="1")}


def tuesday(week: int, minutes: int = 0) -> datetime:
    """A Tuesday morning of May 2026 (5, 12, 19, 26), when the Lot's referents are on duty."""
    return TUESDAY_MORNING + timedelta(weeks=week - 2, minutes=minutes)


async def call(client: TestClient, at: datetime, number: str) -> None:
    person = ScriptedPerson(["1", "2"], referents=ANSWERED)  # a professional: put through
    result = await place_call(client, at=at, to=LOT, person=person, from_=number)
    assert result.connected_to in ANSWERED


async def test_the_indicators_of_a_month_equal_a_count_by_hand(
    client: TestClient, wired_settings: Settings, departments: Departments
) -> None:
    # Through the app: eight calls and the daughter's SMS.
    await call(client, tuesday(1), DR_DURAND)  # 5 May: Dr Durand about Mme Martin
    assert (await send(client, "Bonjour, ma mère ne peut plus rester seule", at=tuesday(1, 90),
                       from_=DAUGHTER)).status == 200  # fmt: skip
    await call(client, tuesday(2), PHARMACIST)  # 12 May: which SSIAD serves Figeac?
    await call(client, tuesday(2, 30), PATIENT)  # information about the DAC
    await call(client, tuesday(2, 60), DR_DURAND)  # Dr Durand again about Mme Martin
    await call(client, tuesday(3), NURSE)  # 19 May: about M. Bernard
    await call(client, tuesday(3, 30), SOCIAL_WORKER)  # a person not named yet
    await call(client, tuesday(3, 60), WRONG)  # wanted the town hall
    await call(client, tuesday(4), UNKNOWN_GP)  # 26 May: a GP nobody knows, information

    engine = create_engine(wired_settings.database_url)
    try:
        async with session_maker(engine)() as session:
            session.add_all([
                KnownContact(department="dac46", number=DR_DURAND, name="Dr Durand",
                             referrer_type="gp", rpps=DURAND_RPPS),
                KnownContact(department="dac46", address=DURAND_MAIL, name="Dr Durand",
                             referrer_type="gp", rpps=DURAND_RPPS),
                # The mails, as the intake stores a new mail's request.
                Request(department="dac46", channel="mail", referrer_type="hospital",
                        referrer_source="known_contact", outcome="in_progress",
                        contact_address="sortie.medecine@ch-cahors.mssante.fr",
                        received_at=datetime(2026, 5, 11, 14, 0, tzinfo=PARIS)),
                Request(department="dac46", channel="mail", referrer_type="gp",
                        referrer_source="known_contact", outcome="in_progress",
                        contact_address=DURAND_MAIL,
                        received_at=datetime(2026, 5, 25, 8, 15, tzinfo=PARIS)),
                DepartmentFigures(department="dac46", year=2026, staff_fte=4.5,
                                  funding_ars_fir=400_000, funding_conseil_departemental=50_000,
                                  territory_gps=180, territory_gps_source="saisie"),
            ])  # fmt: skip
            martin = await create_person(
                session=session,
                department="dac46",
                account="amartin",
                now=tuesday(1),
                traits=Traits(family_name="Martin", birth_date=date(1938, 3, 2)),
            )
            bernard = await create_person(
                session=session, department="dac46", account="bleroy", now=tuesday(3),
                traits=Traits(family_name="Bernard", birth_year=1950),
            )  # fmt: skip
            await session.commit()

            # What the referents record, request by request, in the order they came.
            requests = (
                await session.exec(select(Request).order_by(col(Request.received_at)))
            ).all()
            said = [
                # referrer, responses, problems, age band stated, person
                ("gp", ["information", "follow_up"], ["medical", "autonomy"], None, martin),
                ("carer", ["orientation"], ["carers"], "85+", martin),
                ("hospital", ["one_off_support", "planning"], ["housing", "medical"], None,
                 martin),
                ("pharmacist", ["information"], ["access_to_care"], "60-74", None),
                ("patient", ["information"], [], None, None),
                ("gp", ["follow_up"], ["medical"], None, martin),
                ("nurse", ["specialised_resources"], ["social"], None, bernard),
                ("social_worker", ["one_off_support"], [], "18-59", None),
                ("wrong_number", ["none"], [], None, None),
                ("gp", ["orientation"], ["social"], None, bernard),
                ("gp", ["information", "out_of_scope"], [], "75-84", None),
            ]  # fmt: skip
            assert len(requests) == len(said)
            for request, (referrer, responses, problems, band, person) in zip(
                requests, said, strict=True
            ):
                request.referrer_type = referrer
                request.problems, request.age_band = problems, band
                session.add(request)
                for kind in responses:
                    choice = ResponseChoice(kind=ResponseType(kind))
                    await add_response(session=session, request=request, choice=choice,
                                       at=tuesday(4), by="amartin")  # fmt: skip
                if person is not None:
                    await link(session=session, request=request, person=person,
                               account="amartin", now=tuesday(4))  # fmt: skip
            await session.commit()
        table = await table_of(engine, [lot(departments)], "2026-05")
    finally:
        await engine.dispose()

    # 1. Requests: eleven contacts, the wrong number set apart.
    assert (table.requests, table.not_requests) == (10, 1)
    # 2. By referrer type.
    assert values(table, "referrer_types") == {
        "gp": 4, "nurse": 1, "pharmacist": 1, "hospital": 1, "social_worker": 1, "patient": 1,
        "carer": 1,
    }  # fmt: skip
    # 3. By response type, a request in each kind it got (the wrong number's "sans suite" is
    # not a request's).
    assert values(table, "response_types") == {
        "information": 4, "orientation": 2, "specialised_resources": 1, "one_off_support": 2,
        "planning": 1, "follow_up": 2, "out_of_scope": 1,
    }  # fmt: skip
    # 4. Persons accompanied: Mme Martin once for her five requests (88: 85 and over),
    # M. Bernard (76 this year), the social worker's person not identified (18–59). The GP
    # nobody knows was informed and re-oriented out of scope: nobody accompanied.
    assert values(table, "age_bands") == {
        "persons": 3, "85+": 1, "75-84": 1, "18-59": 1, "unidentified": 1,
    }  # fmt: skip
    # 5. By problem: Mme Martin's four, M. Bernard's one; the unnamed person has none.
    assert values(table, "problems") == {
        "medical": 1, "autonomy": 1, "carers": 1, "housing": 1, "social": 1, "": 1,
    }  # fmt: skip
    # 6. GPs: Dr Durand once (his number and his address share his RPPS number), the GP
    # nobody knows once; 2 of the territory's 180.
    assert values(table, "gps") == {
        "gps": 2, "gps_rpps": 1, "gps_unidentified": 1, "territory_gps": 180,
    }  # fmt: skip
    assert table.gp_share == 2 / 180
    # 7 and 8. Staff and funding by source, as entered.
    assert values(table, "means") == {
        "staff_fte": 4.5, "funding_eur": 450_000, "funding_ars_fir": 400_000,
        "funding_conseil_departemental": 50_000,
    }  # fmt: skip
