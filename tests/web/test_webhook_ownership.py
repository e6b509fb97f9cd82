"""What a department's provider account cannot reach beyond the routes' matrix
(test_webhook_ownership_matrix): a handler's own lookups, the outage journal and its replay,
a call not stored yet, the recording a voicemail names, the referent a leg names.

The Lot is on the deployment's account, the Moselle on a subaccount of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit.twilio_webhook import JOURNAL, Webhook, twilio_webhook
from frontdoor.kit.webhook_owner import REFUSED
from frontdoor.phone import ScriptedPerson, TwilioPhone
from frontdoor.phone_twiml import CallResult, new_sid
from frontdoor.settings import Settings
from frontdoor.sms.incoming import SMS_PATH
from frontdoor.store.models import Request, RequestEvent
from frontdoor.voice.replay import replay
from frontdoor.voice.twiml import STATUS_PATH, STEP_PATHS, VOICE_PATH
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN
from tests.web.calls import AMARTIN, DWEBER, LOT, MOSELLE, NURSE, dump, stored
from tests.web.outage import UNREACHABLE, replayed
from tests.web.subaccounts import DEFAULT_SID, MOSELLE_SID, MOSELLE_TOKEN, signed_as

Serve = Callable[..., Awaitable[TestClient]]
WHISPER = STEP_PATHS["whisper"] + "?attempt=0&referent=amartin"


def lot_phone(client: TestClient) -> TwilioPhone:
    return signed_as(client, token=AUTH_TOKEN, account_sid=DEFAULT_SID)


def moselle_phone(client: TestClient) -> TwilioPhone:
    return signed_as(client, token=MOSELLE_TOKEN, account_sid=MOSELLE_SID)


async def lot_voicemail(client: TestClient) -> CallResult:
    person = ScriptedPerson(["1", "1"], message="Rappelez-moi pour Mme X.")
    return await lot_phone(client).call(from_=NURSE, to=LOT, person=person)


def untraced(body: str) -> bool:
    """Nothing of the Lot's call in an answer to the Moselle's account."""
    return all(trace not in body for trace in (NURSE, LOT, "dac46", "Lot"))


@pytest.fixture
def serve(
    aiohttp_client: Any, wired_settings: Settings, subaccount_departments: Departments
) -> Serve:
    """An instance of the app: on the test's store, or (`store_down=True`) on none."""

    async def start(*, store_down: bool, instance: str = "alpha", routes: Any = None) -> TestClient:
        url = UNREACHABLE if store_down else wired_settings.database_url
        update = {"database_url": url, "instance_name": instance}
        app = create_app(wired_settings.model_copy(update=update), subaccount_departments)
        if routes is not None:
            routes(app)
        client: TestClient = await aiohttp_client(app)
        return client

    return start


# --- A handler that looks rows up by hand, without the Webhook's resolvers -----------------


async def reads_a_request(hook: Webhook) -> str:
    found = await hook.session.get(Request, int(hook.query["id"]))
    return f"<Response><Say>{found.caller_number if found else ''}</Say></Response>"


async def reads_events(hook: Webhook) -> str:
    events = await hook.session.exec(
        select(RequestEvent).where(col(RequestEvent.request_id) == int(hook.query["id"]))
    )
    return f"<Response><Say>{' '.join(event.kind for event in events)}</Say></Response>"


async def writes_a_request(hook: Webhook) -> str:
    hook.session.add(
        Request(department="dac46", channel="voice", caller_number=NURSE, received_at=hook.now)
    )
    return "<Response/>"


BY_HAND = {"reads": reads_a_request, "reads-events": reads_events, "writes": writes_a_request}


def by_hand(app: web.Application) -> None:
    for name, handler in BY_HAND.items():
        app.router.add_post(f"/twilio/by-hand/{name}", twilio_webhook()(handler))


@pytest.mark.parametrize("lookup", BY_HAND)
async def test_a_handler_that_looks_rows_up_by_hand_still_reaches_only_its_department(
    serve: Serve, wired_settings: Settings, lookup: str
) -> None:
    client = await serve(store_down=False, routes=by_hand)
    await lot_voicemail(client)
    [request], _ = await stored(wired_settings)
    path = f"/twilio/by-hand/{lookup}?id={request.id}"
    before = await dump(wired_settings)

    refused = await moselle_phone(client).post(path, {"AccountSid": MOSELLE_SID})

    assert refused.status == 403
    assert untraced(refused.text)
    assert await dump(wired_settings) == before
    assert client.app[COUNTERS][REFUSED] == 1
    served = await lot_phone(client).post(path, {"AccountSid": DEFAULT_SID})
    assert served.status == 200


# --- The outage journal and its replay -----------------------------------------------------


def steps_naming(call_sid: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Steps of a call signed by the Moselle's account, To and From left out (or its own)."""
    return {
        "status": (STATUS_PATH, {"CallSid": call_sid, "CallStatus": "completed"}),
        "menu": (STEP_PATHS["menu"] + "?level=who", {"CallSid": call_sid, "Digits": "1"}),
        "whisper": (WHISPER, {"CallSid": new_sid("CA"), "ParentCallSid": call_sid}),
        "first webhook": (VOICE_PATH, {"CallSid": call_sid, "To": MOSELLE, "From": NURSE}),
        "sms": (
            SMS_PATH,
            {
                "CallSid": call_sid,
                "MessageSid": new_sid("SM"),
                "From": NURSE,
                "To": MOSELLE,
                "Body": "Bonjour",
            },
        ),  # fmt: skip
    }


@pytest.mark.parametrize("step", steps_naming(""))
async def test_with_the_store_down_another_account_cannot_join_a_call_kept_in_the_journal(
    serve: Serve, step: str
) -> None:
    # A call is its department's and its CallSid: the Lot's CallSid named by the Moselle's
    # account names no call of the Lot's (a call of its own, or nobody's).
    down = await serve(store_down=True)
    lot_call = await lot_voicemail(down)
    journal = down.app[JOURNAL]
    lot_key = f"dac46/{lot_call.call_sid}"
    kept = list(journal.entries_of(lot_key))
    path, form = steps_naming(lot_call.call_sid)[step]

    answered = await moselle_phone(down).post(path, {**form, "AccountSid": MOSELLE_SID})

    assert untraced(answered.text)
    assert kept
    assert list(journal.entries_of(lot_key)) == kept
    assert "Lot" not in answered.text


@pytest.mark.parametrize("store_down", [True, False], ids=["store down", "store up"])
async def test_a_referent_leg_of_another_departments_referent_is_refused(
    serve: Serve, wired_settings: Settings, store_down: bool
) -> None:
    # Its call not stored (nor journaled): the department would come from the referent rung.
    client = await serve(store_down=store_down)
    form = {"CallSid": new_sid("CA"), "ParentCallSid": new_sid("CA"), "To": AMARTIN}

    refused = await moselle_phone(client).post(WHISPER, {**form, "AccountSid": MOSELLE_SID})

    assert refused.status == 403
    assert untraced(refused.text)
    assert client.app[JOURNAL].waiting == 0
    if not store_down:
        assert await stored(wired_settings) == ([], [])


@pytest.mark.parametrize("step", ["status", "menu", "first webhook"])
async def test_a_journaled_step_of_another_departments_call_is_never_written_to_it(
    serve: Serve, wired_settings: Settings, step: str
) -> None:
    healthy = await serve(store_down=False, instance="alpha")
    lot_call = await lot_voicemail(healthy)
    before = await dump(wired_settings)
    # The store is away, and the Lot's call is not in this instance's journal: nothing in
    # memory says whose call it is. The step is answered as a call to no department.
    down = await serve(store_down=True, instance="beta")
    path, form = steps_naming(lot_call.call_sid)[step]
    form = {name: value for name, value in form.items() if name not in ("To", "From")}
    if step == "first webhook":
        form["To"] = MOSELLE  # answered with the Moselle's greeting

    answered = await moselle_phone(down).post(path, {**form, "AccountSid": MOSELLE_SID})
    assert answered.status == 200
    assert untraced(answered.text)
    assert down.app[JOURNAL].waiting == 1
    await down.close()
    back = await serve(store_down=False, instance="gamma")  # adopts beta's journal
    if step == "first webhook":
        await replayed(back)
    else:  # kept back, not written: the journal is never empty
        await replay(back.app)

    # A call is its department's and its CallSid: the Lot's call is left as it was. A first
    # webhook to the Moselle's number is the Moselle's own call; a step naming no department
    # is nobody's: never written, it waits in the journal (its call's first webhooks could be
    # in another instance's journal, voice.replay.KEEP_UNKNOWN_CALL), then is set aside.
    requests, _ = await stored(wired_settings)
    if step == "first webhook":
        assert [(r.department, r.call_sid) for r in requests if r.department == "dac57"] == [
            ("dac57", lot_call.call_sid)
        ]
        assert back.app[COUNTERS]["journal_replayed"] == 1
    else:
        assert await dump(wired_settings) == before
        assert back.app[COUNTERS]["journal_replayed"] == 0
        assert back.app[JOURNAL].waiting == 1
    [lot_request] = [r for r in requests if r.department == "dac46"]
    assert lot_request.outcome == "voicemail"


# --- A call its first webhook has not stored yet --------------------------------------------


async def test_a_status_callback_before_its_call_opens_the_request_in_the_signers_department(
    serve: Serve, wired_settings: Settings
) -> None:
    client = await serve(store_down=False)
    form = {"CallSid": new_sid("CA"), "CallStatus": "completed", "To": MOSELLE, "From": NURSE}

    answered = await moselle_phone(client).post(STATUS_PATH, {**form, "AccountSid": MOSELLE_SID})

    assert answered.status == 200
    [request], _ = await stored(wired_settings)
    assert (request.department, request.call_sid) == ("dac57", form["CallSid"])


# --- What else a webhook names ----------------------------------------------------------


def recording_of(account: str) -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{new_sid('RE')}"


@pytest.mark.parametrize(
    ("recording", "status"),
    [
        pytest.param(recording_of(MOSELLE_SID), 403, id="another-accounts-recording"),
        pytest.param("https://evil.example.org/RE1.mp3", 400, id="no-twilio-recording"),
        pytest.param(recording_of(DEFAULT_SID), 200, id="its-own-accounts-recording"),
    ],
)
async def test_a_voicemail_keeps_only_a_recording_of_the_account_that_signed_it(
    serve: Serve, wired_settings: Settings, recording: str, status: int
) -> None:
    client = await serve(store_down=False)
    lot_call = await lot_voicemail(client)
    message = next(e.request for e in lot_call.exchanges if "RecordingUrl" in e.request.form)
    [before], _ = await stored(wired_settings)

    answered = await lot_phone(client).post(
        message.path_qs, {**message.form, "RecordingUrl": recording}
    )

    assert answered.status == status
    [after], _ = await stored(wired_settings)
    assert after.recording_url == (recording if status == 200 else before.recording_url)


async def test_a_whisper_naming_someone_not_a_referent_of_the_call_is_refused(
    serve: Serve, wired_settings: Settings
) -> None:
    client = await serve(store_down=False)
    lot_call = await lot_voicemail(client)
    before = await dump(wired_settings)
    form = {"CallSid": new_sid("CA"), "ParentCallSid": lot_call.call_sid, "To": DWEBER}

    answered = await lot_phone(client).post(
        STEP_PATHS["whisper"] + "?attempt=0&department=dac46&referent=dweber",
        {**form, "AccountSid": DEFAULT_SID},
    )

    assert answered.status == 400
    assert await dump(wired_settings) == before
