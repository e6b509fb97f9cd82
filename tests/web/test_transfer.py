"""Transfer (issue 17), whole calls through the app with signed webhooks: a referent who has
the caller hands the call to a colleague from the console. Frontdoor asks Twilio's REST API
(a local server answering as Twilio's) to give the caller's call new TwiML; the phone that
plays Twilio's webhooks follows it, as Twilio would.

The Lot on a Tuesday morning: amartin is rung first and takes a nurse's call; she transfers
it to bleroy, who hears who transfers and who calls, and takes it with 1. Cold, the caller
is put through to bleroy at once; warm, amartin speaks to bleroy first while the caller
waits, then presses * and the caller joins bleroy, whatever the order of Twilio's requests.
"""

from __future__ import annotations

import io
from datetime import timedelta
from itertools import permutations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.keys import DEPARTMENTS, SESSIONS
from frontdoor.phone import Answer, TerminalPerson, terminal_call
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.waiting import line_state
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.web.calls import AMARTIN, BLEROY, LOT, NURSE, TUESDAY_MORNING, said, stored
from tests.web.transfers import (
    WARM_STEPS,
    TransferringPerson,
    WarmCall,
    redirectable_phone,
    said_in,
)

NURSE_KEYS = ["1", "2"]  # a professional, a nurse
LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


async def test_a_cold_transfer_from_the_console_puts_the_caller_through_to_a_colleague(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await create_accounts(wired_settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)

    async def transfer_to_bleroy() -> None:
        [request], _ = await stored(wired_settings)
        page = await (await browser.get(f"/console/demandes/{request.id}")).text()
        assert "Transférer l'appel en cours" in page
        response = await browser.post(
            f"/console/demandes/{request.id}/transfert", {"target": "bleroy", "mode": "cold"}
        )
        assert response.status == 303
        assert "erreur" not in response.headers["Location"]

    person = TransferringPerson(
        NURSE_KEYS,
        referents={AMARTIN: Answer(presses="1")},
        when_connected_to=AMARTIN,
        do=transfer_to_bleroy,
        then_referents={BLEROY: Answer(presses="1")},
    )
    result = await redirectable_phone(client, twilio_api, TUESDAY_MORNING).call(
        from_=NURSE, to=LOT, person=person
    )

    assert person.connected_to == [AMARTIN, BLEROY]
    assert result.connected_to == BLEROY
    assert "Nous transférons votre appel vers Bruno Leroy" in said(result)
    assert (
        "Appel transféré par Anne Martin, DAC du Lot : appel d'un infirmier ou d'une infirmière. "
        "Pour prendre l'appel, tapez 1."
    ) in said(result, BLEROY)
    [(sid, url)] = [(s, u) for s, u in _redirects(twilio_api)]
    assert sid == result.call_sid
    assert "/twilio/voice/transfer?" in url

    [request], events = await stored(wired_settings)
    assert request.outcome == "taken"
    assert request.taken_by == "amartin"  # who answered; who took over is the event's
    assert request.callback_needed is False
    [asked] = [e for e in events if e.kind == "transfer-requested"]
    assert asked.referent_id == "amartin"
    assert asked.detail == "cold:bleroy"
    [took] = [e for e in events if e.kind == "transferred"]
    assert took.referent_id == "bleroy"
    assert took.reasons[0]["text"] == "appel transféré par Anne Martin vers Bruno Leroy"

    page = await (await browser.get(f"/console/demandes/{request.id}")).text()
    assert "Appel transféré (pris par le correspondant)" in page
    assert "Transférer l'appel en cours" not in page  # the call is over


def _redirects(twilio_api: FakeTwilioApi) -> list[tuple[str, str]]:
    """Every redirection Frontdoor asked of Twilio's REST API (taken or not by the phone)."""
    prefix = f"/2010-04-01/Accounts/{twilio_api.account_sid}/Calls/"
    return [
        (r.path[len(prefix) : -len(".json")], r.form["Url"])
        for r in twilio_api.requests
        if r.path.startswith(prefix) and r.method == "POST"
    ]


@pytest.mark.parametrize("order", list(permutations(WARM_STEPS)), ids="-".join)
async def test_a_warm_transfer_lets_the_referent_speak_to_her_colleague_then_hand_the_caller_over(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi, order: tuple[str, ...]
) -> None:
    await create_accounts(wired_settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)

    async def warm_transfer_to_bleroy() -> None:
        [request], _ = await stored(wired_settings)
        response = await browser.post(
            f"/console/demandes/{request.id}/transfert", {"target": "bleroy", "mode": "warm"}
        )
        assert "erreur" not in response.headers["Location"]

    busy: list[frozenset[str]] = []

    async def who_is_busy() -> None:
        lot = client.app[DEPARTMENTS].for_slug("dac46")
        assert lot is not None
        async with client.app[SESSIONS]() as session:
            at = TUESDAY_MORNING + timedelta(minutes=2)
            busy.append((await line_state(session, department=lot, now=at)).busy)

    call = WarmCall(phone=redirectable_phone(client, twilio_api, TUESDAY_MORNING),
                    twilio_api=twilio_api, number=LOT, at=TUESDAY_MORNING)  # fmt: skip
    await call.play(keys=NURSE_KEYS, ask=warm_transfer_to_bleroy, order=order,
                    meanwhile=who_is_busy)  # fmt: skip
    await who_is_busy()
    # Both on the call while they speak (neither is rung for another caller); nobody after.
    assert busy == [frozenset({"amartin", "bleroy"}), frozenset()]

    [request], events = await stored(wired_settings)
    # The caller waits alone (hold music) while amartin and bleroy speak in another room.
    held = call.documents["dialed"]
    assert "Merci de patienter, nous vous mettons en relation." in said_in(held)
    waiting = held.find("Dial/Conference")
    assert waiting is not None
    assert waiting.get("startConferenceOnEnter") == "false"
    assert waiting.text == f"transfert-{request.id}-attente"
    consult = call.documents["consult"]
    assert "appuyez sur étoile" in said_in(consult)
    assert consult.find("Dial").get("hangupOnStar") == "true"  # type: ignore[union-attr]
    assert consult.findtext("Dial/Conference") == f"transfert-{request.id}"
    assert "Appel transféré par Anne Martin" in said_in(call.documents["target"])
    assert call.documents["target-key"].findtext("Dial/Conference") == f"transfert-{request.id}"
    # She pressed *: she hangs up, the caller joins bleroy in the room.
    assert "L'appelant est passé à votre correspondant" in said_in(call.documents["handover"])
    assert call.documents["join"].findtext("Dial/Conference") == f"transfert-{request.id}"

    assert request.outcome == "taken"
    assert request.taken_by == "amartin"
    assert request.callback_needed is False
    [took] = [e for e in events if e.kind == "transferred"]
    assert took.referent_id == "bleroy"
    [handed] = [e for e in events if e.kind == "transfer-handed-over"]
    assert handed.reasons[0]["text"] == "appelant mis en relation par Anne Martin avec Bruno Leroy"
    page = await (await browser.get(f"/console/demandes/{request.id}")).text()
    assert "Appelant passé au correspondant" in page


async def test_the_terminal_phone_plays_a_cold_transfer(
    client: TestClient, wired_settings: Settings
) -> None:
    # The caller: professional, nurse; amartin picks up and presses 1; asked whether she
    # transfers, she says yes; bleroy picks up and presses 1.
    typed = iter(["1", "2", "o", "1", "o", "o", "1"])
    prompts: list[str] = []

    def keyboard(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    out = io.StringIO()
    lot = client.app[DEPARTMENTS].for_slug("dac46")
    assert lot is not None
    result = await terminal_call(
        base_url=str(client.make_url("")).rstrip("/"), public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN, from_=NURSE, to=LOT, at=TUESDAY_MORNING,
        person=TerminalPerson(out=out, ask=keyboard), transfer_to=(lot, "bleroy"),
    )  # fmt: skip

    assert f"  ↳ référent {AMARTIN} : transférer l'appel à Bruno Leroy ? [o/N] " in prompts
    assert result.connected_to == BLEROY
    assert "Nous transférons votre appel vers Bruno Leroy" in out.getvalue()
    [request], events = await stored(wired_settings)
    assert [e.referent_id for e in events if e.kind == "transferred"] == ["bleroy"]
    assert request.taken_by == "amartin"


async def test_a_colleague_on_a_transferred_call_is_on_a_call_until_it_ends(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await create_accounts(wired_settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)
    lot = client.app[DEPARTMENTS].for_slug("dac46")
    assert lot is not None
    later = TUESDAY_MORNING + timedelta(minutes=2)
    busy: list[frozenset[str]] = []

    async def transfer_to_bleroy() -> None:
        [request], _ = await stored(wired_settings)
        await browser.post(f"/console/demandes/{request.id}/transfert",
                           {"target": "bleroy", "mode": "cold"})  # fmt: skip

    async def who_is_busy() -> None:
        async with client.app[SESSIONS]() as session:
            busy.append((await line_state(session, department=lot, now=later)).busy)

    person = TransferringPerson(
        NURSE_KEYS, referents={AMARTIN: Answer(presses="1")}, when_connected_to=AMARTIN,
        do=transfer_to_bleroy, then_referents={BLEROY: Answer(presses="1")}, after=who_is_busy,
    )  # fmt: skip
    await redirectable_phone(client, twilio_api, TUESDAY_MORNING).call(
        from_=NURSE, to=LOT, person=person
    )
    await who_is_busy()

    assert busy == [frozenset({"bleroy"}), frozenset()]  # amartin was released by the transfer


async def test_the_api_transfers_a_live_call_as_the_console_does(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    answers: list[tuple[int, str]] = []

    async def transfer_by_api() -> None:
        [request], _ = await stored(wired_settings)
        for body in ({"target": "amartin"}, {"target": "bleroy", "mode": "tiède"},
                     {"target": "ligne:+33565200046", "mode": "cold"}):  # fmt: skip
            response = await client.post(f"/api/requests/{request.id}/transfer", json=body,
                                         headers=LOT_KEY)  # fmt: skip
            answers.append((response.status, await response.text()))

    hospital = "+33565200046"  # the Lot's [[transfer]] line
    person = TransferringPerson(
        NURSE_KEYS, referents={AMARTIN: Answer(presses="1")}, when_connected_to=AMARTIN,
        do=transfer_by_api, then_referents={hospital: Answer(presses="1")},
    )  # fmt: skip
    result = await redirectable_phone(client, twilio_api, TUESDAY_MORNING).call(
        from_=NURSE, to=LOT, person=person
    )

    assert [status for status, _ in answers] == [409, 422, 202]
    assert "ne fait pas partie des destinataires possibles" in answers[0][1]  # herself
    assert result.connected_to == hospital
    assert "vers le service social du centre hospitalier de Cahors" in said(result)
    [request], events = await stored(wired_settings)
    [took] = [e for e in events if e.kind == "transferred"]
    assert (took.referent_id, took.detail) == (None, "ligne:" + hospital)
    assert took.reasons[0]["text"] == (
        "appel transféré par Anne Martin vers le service social du centre hospitalier de Cahors"
    )
    assert request.taken_by == "amartin"
