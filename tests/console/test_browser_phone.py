"""A referent chooses where she is rung, and her console gets a Twilio access token: minted
here, for her browser's opaque identity only, short-lived, journaled."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import jwt
import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.core.browser_phone import is_identity
from frontdoor.departments import Departments
from frontdoor.keys import DEPARTMENTS
from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, CallbackTaskRow, TeamChangeRow
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.browser_phones import (
    API_KEY_SECRET,
    API_KEY_SID,
    PHONE_PAGE,
    REACH_PATH,
    TOKEN_PATH,
    TWIML_APP_SID,
    with_browser_phone,
)
from tests.console.conftest import (
    LOT_REFERENT,
    MOSELLE_REFERENT,
    OPERATOR,
    create_accounts,
    sign_in,
)
from tests.console.requests_made import a_voicemail
from tests.web.calls import (
    AMARTIN,
    LOT,
    NURSE,
    TUESDAY_MORNING,
    place_call,
    reason_codes,
    rung,
    said,
    stored,
)

TOKEN_TTL_S = 900


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return with_browser_phone(wired_settings, browser_token_ttl_s=TOKEN_TTL_S)


def claims_of(token: str) -> dict[str, object]:
    """The token's claims, its signature checked with the API key's secret (as Twilio does)."""
    decoded: dict[str, object] = jwt.decode(
        token, API_KEY_SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    return decoded


async def test_her_browser_gets_a_short_lived_token_for_an_opaque_identity(
    client: TestClient, app_settings: Settings
) -> None:
    anne = await sign_in(client, LOT_REFERENT)
    before = await anne.post(TOKEN_PATH)
    assert before.status == 409
    assert "choisissez d'abord" in await before.text()

    chose = await anne.post(REACH_PATH, {"reach": "browser"})
    assert chose.status == 303
    answer = await anne.post(TOKEN_PATH)
    assert answer.status == 200, await answer.text()
    assert answer.headers["Cache-Control"] == "no-store"
    body = await answer.json()
    claims = claims_of(body["token"])
    grants = claims["grants"]
    assert isinstance(grants, dict)
    identity = grants["identity"]
    assert is_identity(identity)
    # Her login, her name, her number (+33612000001) in any form: the identity is random
    # hex, where three digits of the number turn up by chance one time in a hundred.
    for personal in ("amartin", "Martin", "612000001"):
        assert personal not in identity
    assert claims["iss"] == API_KEY_SID
    assert claims["sub"] == app_settings.twilio_account_sid
    assert grants["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": TWIML_APP_SID},
    }
    assert jwt.get_unverified_header(body["token"])["cty"] == "twilio-fpa;v=1"
    assert isinstance(claims["exp"], int)
    assert isinstance(claims["nbf"], int)
    assert claims["exp"] - claims["nbf"] == TOKEN_TTL_S == body["ttl_s"]
    # Her choice is her department's referent's now, on this instance and every other.
    lot = client.app[DEPARTMENTS].for_slug("dac46")
    assert lot is not None
    assert lot.referents["amartin"].client == identity

    # Back on her mobile: the same identity may still call back, but is rung no more.
    await anne.post(REACH_PATH, {"reach": "mobile"})
    again = claims_of((await (await anne.post(TOKEN_PATH)).json())["token"])
    assert again["grants"] == {
        "identity": identity,
        "voice": {"outgoing": {"application_sid": TWIML_APP_SID}},
    }


async def test_each_token_is_journaled_and_the_choice_is_in_the_teams_journal(
    client: TestClient, app_settings: Settings
) -> None:
    anne = await sign_in(client, LOT_REFERENT)
    await anne.post(REACH_PATH, {"reach": "both"})
    await anne.post(TOKEN_PATH)
    await anne.post(TOKEN_PATH)
    engine = create_engine(app_settings.database_url)
    async with session_maker(engine)() as session:
        tokens = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "browser-phone-token"))).all()  # fmt: skip
        changes = (await session.exec(select(TeamChangeRow))).all()
    await engine.dispose()
    assert [(t.account, t.department) for t in tokens] == [(LOT_REFERENT.login, "dac46")] * 2
    assert tokens[0].at <= datetime.now(UTC)
    assert [(c.kind, c.referent_id, c.reach, c.created_by) for c in changes] == [
        ("reach-changed", "amartin", "both", LOT_REFERENT.login)
    ]


async def test_the_phone_page_may_use_the_microphone_and_reach_twilio_only(
    client: TestClient, app_settings: Settings
) -> None:
    anne = await sign_in(client, LOT_REFERENT)
    await anne.post(REACH_PATH, {"reach": "browser"})
    page = await anne.get(PHONE_PAGE)
    assert page.status == 200
    html = await page.text()
    assert 'src="/console/static/voice-sdk/twilio.min.js"' in html
    assert "microphone=(self)" in page.headers["Permissions-Policy"]
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self' wss://*.twilio.com https://*.twilio.com" in policy
    # Every other page keeps the microphone off and Twilio out.
    other = await anne.get("/console/astreinte")
    assert other.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert "twilio" not in other.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("person", "path", "status"),
    [
        pytest.param(MOSELLE_REFERENT, TOKEN_PATH, 404, id="another-departments-referent"),
        pytest.param(OPERATOR, TOKEN_PATH, 403, id="the-operator"),
    ],
)
async def test_only_the_departments_own_referents_get_a_token(
    client: TestClient, app_settings: Settings, person: object, path: str, status: int
) -> None:
    browser = await sign_in(client, person)  # type: ignore[arg-type]
    assert (await browser.post(path)).status == status


async def test_without_an_api_key_the_browser_cannot_be_chosen(
    aiohttp_client: object, app_settings: Settings, departments: Departments
) -> None:
    bare = app_settings.model_copy(
        update={"twilio_api_key_sid": "", "twilio_api_key_secret": None, "twilio_twiml_app_sid": ""}
    )
    client: TestClient = await aiohttp_client(create_app(bare, departments))  # type: ignore[operator]
    anne = await sign_in(client, LOT_REFERENT)
    page = await (await anne.get(PHONE_PAGE)).text()
    assert "Navigateur indisponible : le compte Twilio n&#39;a pas de clé d&#39;API" in page
    assert "twilio.min.js" not in page
    assert (await anne.post(REACH_PATH, {"reach": "browser"})).status == 409
    assert (await anne.post(REACH_PATH, {"reach": "mobile"})).status == 303


async def identity_after_choosing(client: TestClient, reach: str) -> str:
    anne = await sign_in(client, LOT_REFERENT)
    assert (await anne.post(REACH_PATH, {"reach": reach})).status == 303
    lot = client.app[DEPARTMENTS].for_slug("dac46")
    assert lot is not None
    identity = lot.referents["amartin"].client
    assert identity is not None
    return identity


async def test_the_hunt_rings_her_browser_which_takes_the_call_with_key_1(
    client: TestClient, app_settings: Settings
) -> None:
    browser = f"client:{await identity_after_choosing(client, 'browser')}"
    person = ScriptedPerson(["1", "1"], referents={browser: Answer(presses="1")})

    call = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    assert rung(call) == [browser]  # not her mobile any more
    assert call.connected_to == browser
    # Her browser heard the referents' whisper, as her mobile would have.
    assert "Pour prendre l'appel, tapez 1" in said(call, browser)
    dial = next(body for _url, body in call.documents if "<Client" in body)
    assert (
        '<Client method="POST" url="/twilio/voice/whisper?attempt=0&amp;department=dac46&amp;'
        f'referent=amartin">{browser.removeprefix("client:")}</Client>'
    ) in dial
    requests, _events = await stored(app_settings)
    assert [(r.outcome, r.taken_by) for r in requests] == [("taken", "amartin")]


async def test_rung_on_both_her_mobile_and_her_browser_either_takes_the_call(
    client: TestClient, app_settings: Settings
) -> None:
    browser = f"client:{await identity_after_choosing(client, 'both')}"
    # Her mobile rings out unanswered; her browser declines (no key) the first call, takes
    # the second.
    declined = ScriptedPerson(["1", "1"], referents={browser: Answer(presses=None)}, message="")
    first = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=declined)
    taken = await place_call(
        client, at=TUESDAY_MORNING, to=LOT,
        person=ScriptedPerson(["1", "1"], referents={browser: Answer(presses="1")}),
    )  # fmt: skip

    assert rung(first)[:2] == [AMARTIN, browser]
    assert first.connected_to != browser
    assert taken.connected_to == browser
    requests, _events = await stored(app_settings)
    assert sorted(r.taken_by or "" for r in requests) == ["", "amartin"]


async def call_from_browser(
    client: TestClient, settings: Settings, *, identity: str, task_id: int
) -> str:
    """What Twilio posts to the TwiML App's voice URL when the console calls
    `device.connect({params: {task}})`, signed; the TwiML answered."""
    twilio = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=settings.twilio_account_sid,
    )  # fmt: skip
    answer = await twilio.post(
        "/twilio/voice/browser",
        {
            "AccountSid": settings.twilio_account_sid,
            "ApplicationSid": TWIML_APP_SID,
            "CallSid": "CA" + "7" * 32,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "From": f"client:{identity}",
            "Caller": f"client:{identity}",
            "To": "",
            "task": str(task_id),
            "SimulatedAt": TUESDAY_MORNING.isoformat(),
        },
    )
    assert answer.status == 200, answer.text
    return answer.text


async def task_of(settings: Settings, request_id: int) -> CallbackTaskRow:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        row = (await session.exec(select(CallbackTaskRow).where(
            CallbackTaskRow.request_id == request_id))).one()  # fmt: skip
    await engine.dispose()
    return row


async def test_she_calls_a_person_back_from_her_browser_with_the_departments_number(
    client: TestClient, app_settings: Settings
) -> None:
    identity = await identity_after_choosing(client, "browser")
    voicemail = await a_voicemail(client, app_settings)
    task = await task_of(app_settings, voicemail.id or 0)
    anne = await sign_in(client, LOT_REFERENT)
    request_page = await (await anne.get(f"/console/demandes/{voicemail.id}")).text()
    link = f"/console/navigateur?departement=dac46&amp;tache={task.id}"
    assert f'<a href="{link}">Rappeler depuis le navigateur</a>' in request_page
    phone_page = await (await anne.get(link.replace("&amp;", "&"))).text()
    assert f'id="rappeler" data-task="{task.id}"' in phone_page

    twiml = ET.fromstring(
        await call_from_browser(client, app_settings, identity=identity, task_id=task.id or 0)
    )

    dial = twiml.find("Dial")
    assert dial is not None
    assert dial.get("callerId") == LOT  # the DAC's number, never hers
    assert [n.text for n in dial.findall("Number")] == [NURSE]
    assert (await task_of(app_settings, voicemail.id or 0)).calls_placed == 1
    _requests, events = await stored(app_settings)
    [placed] = [e for e in events if e.kind == "callback-call"]
    assert placed.referent_id == "amartin"
    assert reason_codes([placed]) == ["browser-callback", "callback-dialled"]


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("fd_" + "9" * 24, id="a-browser-of-nobody"),
        pytest.param("amartin", id="a-referents-id-for-identity"),
    ],
)
async def test_a_browser_of_no_referent_of_the_department_dials_nobody(
    client: TestClient, app_settings: Settings, who: str
) -> None:
    await identity_after_choosing(client, "browser")
    voicemail = await a_voicemail(client, app_settings)
    task = await task_of(app_settings, voicemail.id or 0)

    twiml = await call_from_browser(client, app_settings, identity=who, task_id=task.id or 0)

    assert "<Dial" not in twiml
    assert "<Hangup/>" in twiml
    assert (await task_of(app_settings, voicemail.id or 0)).calls_placed == 0
    _requests, events = await stored(app_settings)
    assert "browser-callback-refused" in reason_codes(events)
