"""Every Twilio webhook route × the account that signs it: a department's provider account acts
on its own department's calls, callback tasks and messages only.

For each POST route under /twilio/ of the app's router, a call (a task, an SMS) of one
department is made through the normal flow, then its step on that route is posted again:

- signed by the other department's account, To and From left out, or with the other
  department's own number as To: 403, with the store and the Twilio API fake as they were and
  nothing of the call in the body;
- then signed by the department's own account, To and From left out: still served (2xx).

A call (an SMS) is its department's and its CallSid (MessageSid), never the id alone. On the
routes whose URL is Twilio's own (the first webhook, the status callback, an SMS), the
department is the number called: a step naming no number names nobody's call (4xx, or the
"not in service" answer), and one naming the other department's number is that department's
own call. Either way the owner's call is left as it was.

Both ways round: the Lot's calls (the deployment's account) and the Moselle's (its
subaccount). A route with no scenario below fails, so a new webhook is not left out.
"""

from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.web_urldispatcher import AbstractRoute
from sqlmodel import select

from frontdoor.core.overflow import OverflowLine
from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit.webhook_owner import REFUSED
from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import Response, SignedRequest, new_sid
from frontdoor.settings import Settings
from frontdoor.sms.incoming import SMS_PATH
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow
from frontdoor.voice.twiml import STEP_PATHS
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, ROOT
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, create_accounts, sign_in
from tests.directory.search_data import add_directory
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    CDURAND,
    COORDINATION,
    DWEBER,
    ESCHMITT,
    LOT,
    MOSELLE,
    NURSE,
    TUESDAY_MORNING,
    dump,
    stored,
)
from tests.web.subaccounts import DEFAULT_SID, MOSELLE_SID, MOSELLE_TOKEN, signed_as
from tests.web.transfers import WARM_STEPS, TransferringPerson, WarmCall


@dataclass(kw_only=True, frozen=True)
class Side:
    """A department and the account that holds its number."""

    slug: str
    number: str
    account_sid: str
    token: str
    api_key: str
    referent_phones: tuple[str, ...]
    overflow_phone: str  # its [overflow] line (the Lot's given here: app_departments)


THE_LOT = Side(
    slug="dac46",
    number=LOT,
    account_sid=DEFAULT_SID,
    token=AUTH_TOKEN,
    api_key="key-dac46-amartin",
    referent_phones=(AMARTIN, BLEROY, CDURAND, COORDINATION),
    overflow_phone="+33471000015",
)
THE_MOSELLE = Side(
    slug="dac57",
    number=MOSELLE,
    account_sid=MOSELLE_SID,
    token=MOSELLE_TOKEN,
    api_key="key-dac57-dweber",
    referent_phones=(DWEBER, ESCHMITT),
    overflow_phone="+33383000054",
)
# (whose call it is, whose account signs the intrusion)
WAYS = {
    "the Lot's call, the Moselle's subaccount": (THE_LOT, THE_MOSELLE),
    "the Moselle's call, the deployment's account": (THE_MOSELLE, THE_LOT),
}
# Who signs the step again, and with which numbers: the intruders first, each refused and
# leaving nothing, then the owner, still served after them.
SIGNERS = {
    "the other account, no To nor From": "no numbers",
    "the other account, its own number as To": "own number",
    "its own account, no To nor From": "owner",
}
NUMBER_FIELDS = ("To", "From", "Caller", "Called")


@dataclass(kw_only=True)
class World:
    client: TestClient
    settings: Settings
    twilio_api: FakeTwilioApi
    owner: Side

    def phone(self, voice_path: str = "/twilio/voice") -> TwilioPhone:
        return TwilioPhone(
            TestClientTransport(self.client),
            public_url=PUBLIC_URL,
            auth_token=self.owner.token,
            account_sid=self.owner.account_sid,
            simulated_at=TUESDAY_MORNING,
            voice_path=voice_path,
            redirections=self.twilio_api,  # a transfer moves the caller's call
        )


# How each route's step is reached in the normal flow: every webhook of the scenario.
Scenario = Callable[[World], Awaitable[list[Response]]]


async def taken_call(world: World) -> list[Response]:
    """A professional is put through: the menu, a ring, the whisper, 1 pressed, the end."""
    everyone = {phone: Answer(presses="1") for phone in world.owner.referent_phones}
    person = ScriptedPerson(["1", "1"], referents=everyone)
    result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
    assert result.connected_to is not None
    return result.exchanges


async def transferred_call(world: World) -> list[Response]:
    """The referent who took the call transfers it from the console to a colleague, who hears
    the screen and takes it with 1."""
    taker, colleague = world.owner.referent_phones[:2]
    referent = LOT_REFERENT if world.owner is THE_LOT else MOSELLE_REFERENT
    await create_accounts(world.settings, (referent,))
    browser = await sign_in(world.client, referent)
    target = {THE_LOT.slug: "bleroy", THE_MOSELLE.slug: "eschmitt"}[world.owner.slug]

    async def transfer() -> None:
        [request], _ = await stored(world.settings)
        answered = await browser.post(f"/console/demandes/{request.id}/transfert",
                                      {"target": target, "mode": "cold"})  # fmt: skip
        assert "erreur" not in answered.headers["Location"]

    person = TransferringPerson(
        ["1", "1"], referents={taker: Answer(presses="1")}, when_connected_to=taker,
        do=transfer, then_referents={colleague: Answer(presses="1")},
    )  # fmt: skip
    result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
    assert result.connected_to == colleague
    return result.exchanges


async def warm_transferred_call(world: World) -> list[Response]:
    """The referent who took the call speaks to a colleague first (a warm transfer from the
    console), then presses *: the caller joins the colleague."""
    referent = LOT_REFERENT if world.owner is THE_LOT else MOSELLE_REFERENT
    await create_accounts(world.settings, (referent,))
    browser = await sign_in(world.client, referent)
    target = {THE_LOT.slug: "bleroy", THE_MOSELLE.slug: "eschmitt"}[world.owner.slug]

    async def transfer() -> None:
        [request], _ = await stored(world.settings)
        answered = await browser.post(f"/console/demandes/{request.id}/transfert",
                                      {"target": target, "mode": "warm"})  # fmt: skip
        assert "erreur" not in answered.headers["Location"]

    call = WarmCall(phone=world.phone(), twilio_api=world.twilio_api, number=world.owner.number,
                    at=TUESDAY_MORNING)  # fmt: skip
    await call.play(keys=["1", "1"], ask=transfer, order=WARM_STEPS)
    return call.exchanges


async def voicemail(world: World) -> list[Response]:
    """Nobody picks up: a message is left, and a callback task opened."""
    person = ScriptedPerson(["1", "1"], message="Rappelez-moi pour Mme X.")
    result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
    assert result.message is not None
    return result.exchanges


async def overflowed_call(world: World) -> list[Response]:
    """Every referent declines; the overflow line hears the screen and takes the call with 1."""
    declining = {phone: Answer(presses="2") for phone in world.owner.referent_phones}
    taking = {world.owner.overflow_phone: Answer(presses="1")}
    person = ScriptedPerson(["1", "1"], referents={**declining, **taking})
    result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
    assert result.connected_to == world.owner.overflow_phone
    return result.exchanges


async def directory_call(world: World) -> list[Response]:
    """9, a postal code, a category, and the list sent by SMS to the caller."""
    engine = create_engine(world.settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
    await engine.dispose()
    person = ScriptedPerson(["9", "46100", "1", "1"])
    result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
    assert world.twilio_api.messages, "the list was not sent"
    return result.exchanges


async def oriented_call(world: World) -> list[Response]:
    """The Moselle's line is for professionals: a member of the public (2) gives a postal
    code. The Lot puts the public through: the step is posted for one of its calls, as
    Twilio would post it."""
    if world.owner is THE_MOSELLE:
        person = ScriptedPerson(["2", "57100"])
        result = await world.phone().call(from_=NURSE, to=world.owner.number, person=person)
        return result.exchanges
    exchanges = await taken_call(world)
    step = f"{STEP_PATHS['orientation']}?department={world.owner.slug}&stage=postal&try=1"
    form = {"AccountSid": world.owner.account_sid, "CallSid": exchanges[0].request.form["CallSid"],
            "From": NURSE, "To": world.owner.number, "Digits": "46100"}  # fmt: skip
    posted = await world.phone().post(step, form)
    assert posted.status == 200
    return [*exchanges, posted]


async def call_back(world: World) -> list[Response]:
    """A referent calls back the voicemail's caller from the department's number."""
    await voicemail(world)
    engine = create_engine(world.settings.database_url)
    async with session_maker(engine)() as session:
        [task] = (await session.exec(select(CallbackTaskRow))).all()
    await engine.dispose()
    placed = await world.client.post(
        f"/api/tasks/{task.id}/call", headers={"Authorization": f"Bearer {world.owner.api_key}"}
    )
    assert placed.status == 202, await placed.text()
    [call] = [r for r in world.twilio_api.requests if r.path.endswith("/Calls.json")]
    bridge = urlsplit(call.form["Url"])
    person = ScriptedPerson(["1"], referents={NURSE: Answer()})
    result = await world.phone(voice_path=f"{bridge.path}?{bridge.query}").call(
        from_=world.owner.number, to=call.form["To"], person=person
    )
    assert result.connected_to == NURSE
    return result.exchanges


async def browser_call_back(world: World) -> list[Response]:
    """A referent's browser calls the voicemail's caller back: Twilio posts the TwiML App's
    voice URL with the task as the call's parameter."""
    await voicemail(world)
    engine = create_engine(world.settings.database_url)
    async with session_maker(engine)() as session:
        [task] = (await session.exec(select(CallbackTaskRow))).all()
    await engine.dispose()
    answered = await world.phone().post(
        "/twilio/voice/browser",
        {"AccountSid": world.owner.account_sid, "CallSid": new_sid("CA"),
         "From": "client:fd_" + "0" * 24, "To": "", "task": str(task.id),
         "SimulatedAt": TUESDAY_MORNING.isoformat()},
    )  # fmt: skip
    assert answered.status == 200, answered.text
    return [answered]


async def queued_call(world: World) -> list[Response]:
    """A referent talks to a first caller; a second rings the others in vain and waits in the
    queue (its wait URL, a key); the first call ends, the referent free again is offered the
    waiting caller, presses 1 and takes them out of the queue; then it is all over."""
    twilio, exchanges = world.phone(), []

    async def post(url: str, form: dict[str, str], **more: str) -> ET.Element:
        at = TUESDAY_MORNING + timedelta(seconds=len(exchanges))  # a second a step
        answered = await twilio.post(url, {**form, **more, "SimulatedAt": at.isoformat()})
        assert answered.status == 200, f"{url}: {answered.status} {answered.text}"
        exchanges.append(answered)
        return ET.fromstring(answered.text)

    def caller() -> dict[str, str]:
        return {"AccountSid": twilio.account_sid, "CallSid": new_sid("CA"), "From": NURSE,
                "To": world.owner.number, "CallStatus": "in-progress"}  # fmt: skip

    async def menus(call: dict[str, str]) -> ET.Element:
        document = await post(twilio.voice_path, call)
        for key in ("1", "1"):
            gather = document.find("Gather")
            assert gather is not None
            document = await post(gather.get("action", ""), call, Digits=key)
        return document

    first, second = caller(), caller()
    ringing = await menus(first)
    number = ringing.find("Dial/Number")
    assert number is not None
    leg = {"AccountSid": twilio.account_sid, "CallSid": new_sid("CA"),
           "ParentCallSid": first["CallSid"], "From": world.owner.number,
           "To": number.text or "", "CallStatus": "in-progress"}  # fmt: skip
    whisper = await post(number.get("url", ""), leg)
    gather = whisper.find("Gather")
    assert gather is not None
    await post(gather.get("action", ""), leg, Digits="1")
    document = await menus(second)
    while (dial := document.find("Dial")) is not None:  # the others do not answer
        document = await post(dial.get("action", ""), second, DialCallStatus="no-answer")
    enqueue = document.find("Enqueue")
    assert enqueue is not None, ET.tostring(document)
    queue = {"QueueSid": "QU" + "1" * 32, "QueuePosition": "1", "QueueTime": "20"}
    held = await post(enqueue.get("waitUrl", ""), second, **queue)
    gather = held.find("Gather")
    assert gather is not None
    await post(gather.get("action", ""), second, Digits="5")
    await post(ringing.find("Dial").get("action", ""), first, DialCallStatus="completed",  # type: ignore[union-attr]
               DialCallSid=leg["CallSid"], DialCallDuration="60")  # fmt: skip
    await post(twilio.status_path, {**first, "CallStatus": "completed", "CallDuration": "90"})
    [placing] = [r for r in world.twilio_api.requests if r.path.endswith("/Calls.json")]
    offer = {"AccountSid": twilio.account_sid, "CallSid": world.twilio_api.calls[0]["sid"],
             "From": world.owner.number, "To": placing.form["To"],
             "CallStatus": "in-progress"}  # fmt: skip
    gather = (await post(placing.form["Url"], offer)).find("Gather")
    assert gather is not None
    taking = await post(gather.get("action", ""), offer, Digits="1")
    dial, joining = taking.find("Dial"), taking.find("Dial/Queue")
    assert dial is not None
    assert joining is not None
    await post(joining.get("url", ""), second, DequeingCallSid=offer["CallSid"], **queue)
    await post(dial.get("action", ""), offer, DialCallStatus="completed",
               DialCallSid=second["CallSid"])  # fmt: skip
    await post(enqueue.get("action", ""), second, QueueResult="bridged", QueueTime="20")
    await post(twilio.status_path, {**second, "CallStatus": "completed", "CallDuration": "200"})
    await post(placing.form["StatusCallback"], {**offer, "CallStatus": "completed"})
    return exchanges


async def sms(world: World) -> list[Response]:
    form = {
        "MessageSid": new_sid("SM"),
        "AccountSid": world.owner.account_sid,
        "From": NURSE,
        "To": world.owner.number,
        "Body": "Bonjour, pouvez-vous rappeler le cabinet infirmier ?",
    }
    answered = await world.phone().post(SMS_PATH, form)
    assert answered.status == 200
    return [answered]


SCENARIOS: dict[str, Scenario] = {
    "/twilio/voice": taken_call,
    "/twilio/voice/menu": taken_call,
    "/twilio/voice/dialed": taken_call,
    "/twilio/voice/whisper": taken_call,
    "/twilio/voice/accept": taken_call,
    "/twilio/voice/status": taken_call,
    "/twilio/voice/overflow/whisper": overflowed_call,
    "/twilio/voice/overflow/accept": overflowed_call,
    "/twilio/voice/transfer": transferred_call,
    "/twilio/voice/transfer/whisper": transferred_call,
    "/twilio/voice/transfer/accept": transferred_call,
    "/twilio/voice/transfer/dialed": transferred_call,
    "/twilio/voice/transfer/consult": warm_transferred_call,
    "/twilio/voice/transfer/target": warm_transferred_call,
    "/twilio/voice/transfer/target/key": warm_transferred_call,
    "/twilio/voice/transfer/handover": warm_transferred_call,
    "/twilio/voice/transfer/join": warm_transferred_call,
    "/twilio/voice/message": voicemail,
    "/twilio/voice/recording": voicemail,
    "/twilio/voice/directory": directory_call,
    "/twilio/voice/orientation": oriented_call,
    "/twilio/voice/callback": call_back,
    "/twilio/voice/callback/connect": call_back,
    "/twilio/voice/browser": browser_call_back,
    "/twilio/voice/queue/wait": queued_call,
    "/twilio/voice/queue/key": queued_call,
    "/twilio/voice/queue/left": queued_call,
    "/twilio/voice/queue/offer": queued_call,
    "/twilio/voice/queue/accept": queued_call,
    "/twilio/voice/queue/joining": queued_call,
    "/twilio/voice/queue/dialed": queued_call,
    "/twilio/voice/queue/offer/status": queued_call,
    SMS_PATH: sms,
}


def webhook_routes() -> list[AbstractRoute]:
    """Every POST route under /twilio/ that the app's router serves."""
    settings = Settings(
        flows_dir=ROOT / "flows",
        templates_dir=ROOT / "templates",
        twilio_auth_token=AUTH_TOKEN,
        public_url=PUBLIC_URL,
        dev_mode=True,
    )
    router = create_app(settings, Departments([])).router
    return [
        route
        for route in router.routes()
        if route.method == "POST" and route.resource is not None
        if route.resource.canonical.startswith("/twilio/")
    ]


def paths_of(routes: list[AbstractRoute]) -> list[str]:
    return sorted({route.resource.canonical for route in routes if route.resource is not None})


# Lookups by an id the provider's request carries that do not ask whose the row is: handlers
# use the Webhook's resolvers instead (its session would refuse the row all the same).
RAW_LOOKUPS = ("request_by_call_sid", "request_by_id", "message_by_provider_id", "session.get(")


CELLS = [
    pytest.param(route, way, id=f"{route} - {way}")
    for route in paths_of(webhook_routes())
    for way in WAYS
]


def test_every_webhook_route_has_a_scenario() -> None:
    assert set(paths_of(webhook_routes())) == set(SCENARIOS)


def test_no_webhook_handler_looks_a_row_up_without_its_resolvers() -> None:
    modules = {inspect.getmodule(inspect.unwrap(route.handler)) for route in webhook_routes()}
    for module in modules:
        assert module is not None
        source = inspect.getsource(module)
        assert [name for name in RAW_LOOKUPS if name in source] == [], module.__name__


# The routes Twilio is configured with, whose URL names no department: the number does.
NAMED_BY_NUMBER = {"/twilio/voice", "/twilio/voice/status", SMS_PATH}


async def owners_rows(settings: Settings, owner: Side) -> list[str]:
    """The owner's requests and their events, as text."""
    requests, events = await stored(settings)
    ids = {request.id for request in requests if request.department == owner.slug}
    return [repr(r) for r in requests if r.id in ids] + [
        repr(e) for e in events if e.request_id in ids
    ]


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


@pytest.fixture
def app_departments(subaccount_departments: Departments) -> Departments:
    """The Lot has no overflow line in its file: given one here, both ways round."""
    cantal = OverflowLine(number=THE_LOT.overflow_phone, label="le DAC du Cantal")
    return Departments(
        replace(department, overflow=department.overflow or cantal)
        for department in subaccount_departments
    )


@pytest.mark.parametrize(("route", "way"), CELLS)
async def test_a_step_is_served_only_for_the_account_that_owns_the_call(
    client: TestClient,
    wired_settings: Settings,
    twilio_api: FakeTwilioApi,
    route: str,
    way: str,
) -> None:
    owner, other = WAYS[way]
    # The Twilio API fake answers the owner's account: the one its outbound requests use.
    twilio_api.account_sid, twilio_api.auth_token = owner.account_sid, owner.token
    world = World(client=client, settings=wired_settings, twilio_api=twilio_api, owner=owner)
    scenario = SCENARIOS.get(route)
    assert scenario is not None, f"no scenario reaches {route}: add one to SCENARIOS"
    exchanges = await scenario(world)
    step = next(e.request for e in reversed(exchanges) if urlsplit(e.request.url).path == route)
    # The call is made once; each signer then posts its step again, in SIGNERS' order.
    for signer, signs in SIGNERS.items():
        await step_signed_again(world, route, step, other, signer, signs)


async def step_signed_again(
    world: World, route: str, step: SignedRequest, other: Side, signer: str, signs: str
) -> None:
    client, settings, twilio_api, owner = (
        world.client,
        world.settings,
        world.twilio_api,
        world.owner,
    )
    form = {name: value for name, value in step.form.items() if name not in NUMBER_FIELDS}
    signing = owner if signs == "owner" else other
    form["AccountSid"] = signing.account_sid
    if signs == "own number":
        form["To"] = other.number
    before, calls_before = await dump(settings), list(twilio_api.requests)
    owners_before = await owners_rows(settings, owner)
    counted = dict(client.app[COUNTERS])

    answered = await signed_as(client, token=signing.token, account_sid=signing.account_sid).post(
        step.path_qs, form
    )

    if route in NAMED_BY_NUMBER:
        assert answered.status in (200, 400, 403, 404), f"{route}, {signer}: {answered.status}"
        assert await owners_rows(settings, owner) == owners_before, signer
        assert twilio_api.requests == calls_before, signer
        return
    if signing is owner:
        assert 200 <= answered.status < 300, f"{route} refused its own account: {answered.text}"
        return
    assert answered.status == 403, f"{route} served {signer}: {answered.status}"
    assert answered.text.startswith("signed by an account that does not own this"), signer
    for trace in (NURSE, owner.number, owner.slug):
        assert trace not in answered.text, signer
    assert await dump(settings) == before, signer
    assert twilio_api.requests == calls_before, signer
    assert client.app[COUNTERS][REFUSED] == counted.get(REFUSED, 0) + 1, signer
    assert client.app[COUNTERS]["webhook_signature_refused"] == counted.get(
        "webhook_signature_refused", 0
    ), signer
