"""The requests a search finds, in one department only: a number written any way, exactly;
an address, exactly (the request's or a mail under it); a person's or a caller's name,
folded (a known contact's name finds the calls from her number); the text of notes and
messages; a request number. Newest first, a page at a time, each with why it answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.request_search import query_of
from frontdoor.core.request_search import Match
from frontdoor.store.models import (
    KnownContact,
    Message,
    Person,
    Request,
    RequestNote,
    RequestPerson,
)
from frontdoor.store.request_search import search_requests

NOW = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)


async def a_request(session: AsyncSession, minutes: int, **fields: object) -> int:
    fields = {"department": "dac46", "channel": "voice", **fields}
    request = Request(received_at=NOW + timedelta(minutes=minutes), **fields)
    session.add(request)
    await session.flush()
    return request.id or 0


@pytest.fixture
async def requests(session: AsyncSession) -> dict[str, int]:
    """A call with a note, a mail from a doctor, an SMS about Ginette Témoin from a known
    contact, and the Moselle's request with the same number and name."""
    ids = {
        "call": await a_request(session, 0, caller_number="+33612345678"),
        "mail": await a_request(session, 10, channel="mail", caller_name="Hélène Roux",
                                contact_address="dr.roux@medecin.mssante.fr"),
        "sms": await a_request(session, 20, channel="sms", caller_number="+33565000001"),
        "moselle": await a_request(session, 30, department="dac57", caller_name="Hélène Roux",
                                   caller_number="+33612345678"),
    }  # fmt: skip
    session.add(RequestNote(request_id=ids["call"], at=NOW, author="anne.martin@dac46.fr",
                            body="Mme Dupuis, 12 rue des Lilas à Cahors, 100% APA"))  # fmt: skip
    session.add(Message(request_id=ids["mail"], department="dac46", channel="mail",
                        direction="in", at=NOW, address="dr.roux@medecin.mssante.fr",
                        body="Compte rendu de sortie de Mme Ginette Témoin"))  # fmt: skip
    person = Person(department="dac46", family_name="Témoin", given_names="Ginette",
                    name_key="temoin ginette", created_at=NOW, created_by="amartin")  # fmt: skip
    session.add(person)
    session.add(KnownContact(department="dac46", number="+33565000001",
                             name="Docteur Paul Vidal", referrer_type="gp"))  # fmt: skip
    await session.flush()
    session.add(RequestPerson(request_id=ids["sms"], person_id=person.id or 0, linked_at=NOW,
                              linked_by="anne.martin"))  # fmt: skip
    await session.commit()
    return ids


async def found(session: AsyncSession, typed: str) -> dict[int, list[Match]]:
    result = await search_requests(
        session=session, department="dac46", query=query_of(typed), page=1, size=25
    )
    return {row.request.id or 0: result.why[row.request.id or 0] for row in result.rows}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06 12 34 56 78", {"call": [Match.NUMBER]}),
        ("+33 6 12 34 56 78", {"call": [Match.NUMBER]}),
        ("0612345679", {}),
        ("DR.Roux@medecin.mssante.fr", {"mail": [Match.ADDRESS]}),
        ("helene", {"mail": [Match.CALLER_NAME]}),
        ("ROUX hél", {"mail": [Match.CALLER_NAME]}),
        ("temoin gin", {"sms": [Match.PERSON_NAME]}),
        ("Témoin", {"sms": [Match.PERSON_NAME], "mail": [Match.MESSAGE]}),
        ("vidal", {"sms": [Match.CALLER_NAME]}),
        ("rue des lilas", {"call": [Match.NOTE]}),
        ("100%", {"call": [Match.NOTE]}),
        ("1_0", {}),
        ("sortie", {"mail": [Match.MESSAGE]}),
    ],
    ids=["national number", "international number", "another number", "address",
         "caller's first name", "caller's name folded, in any order", "person's name folded",
         "person's name and a message", "a known contact's name", "postal address in a note",
         "percent sign as typed", "underscore is no wildcard", "text of a mail"],
)  # fmt: skip
async def test_a_search_finds_the_departments_requests_and_says_why(
    session: AsyncSession, requests: dict[str, int], typed: str, expected: dict[str, list[Match]]
) -> None:
    assert await found(session, typed) == {requests[name]: why for name, why in expected.items()}


async def test_a_request_number_finds_the_departments_request_only(
    session: AsyncSession, requests: dict[str, int]
) -> None:
    assert await found(session, f"n° {requests['mail']}") == {
        requests["mail"]: [Match.REQUEST_NUMBER]
    }
    assert await found(session, str(requests["moselle"])) == {}


async def test_results_are_paged_newest_first(session: AsyncSession) -> None:
    ids = [await a_request(session, minutes, caller_name="Paul Vidal") for minutes in (5, 1, 9)]
    await session.commit()
    query = query_of("vidal")

    first = await search_requests(session=session, department="dac46", query=query, page=1, size=2)
    second = await search_requests(session=session, department="dac46", query=query, page=2, size=2)

    assert (first.total, second.total) == (3, 3)
    assert [row.request.id for row in first.rows] == [ids[2], ids[0]]
    assert [row.request.id for row in second.rows] == [ids[1]]
