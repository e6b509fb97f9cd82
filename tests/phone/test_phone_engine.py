"""The Twilio phone follows canned TwiML from a tiny service that checks every signature."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from frontdoor.phone import (
    CALLER,
    Answer,
    ApplicationError,
    CallResult,
    Line,
    PhoneError,
    Said,
    ScriptedPerson,
    ScriptExhausted,
    TestClientTransport,
    TwilioPhone,
    UnsupportedTwiml,
)

PUBLIC_URL = "https://frontdoor.example.org"
TOKEN = "test-auth-token"
DAC = "+33565367387"
CALLER_NUMBER = "+33612345678"
ANNE = "+33611111111"
BRUNO = "+33622222222"
CLAIRE = "+33633333333"
VOICE = "/twilio/voice"
STATUS = "/twilio/voice/status"
SID = re.compile(r"^CA[0-9a-f]{32}$")


@dataclass(kw_only=True, frozen=True)
class Received:
    path: str
    form: dict[str, str]
    headers: Mapping[str, str]


RECEIVED = web.AppKey("received", list[Received])
Docs = Mapping[str, str | int]  # raw path (or path) → TwiML body, or an HTTP status to answer


def twiml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def service(docs: Docs) -> web.Application:
    """Answers canned TwiML, with 403 to any request not signed as Twilio signs."""
    validator = RequestValidator(TOKEN)
    canned = {STATUS: "", **docs}

    async def answer(request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(PUBLIC_URL + request.raw_path, form, signature):
            return web.Response(status=403, text="bad signature")
        request.app[RECEIVED].append(
            Received(path=request.raw_path, form=form, headers=dict(request.headers))
        )
        body = canned.get(request.raw_path, canned.get(request.path))
        if body is None:
            return web.Response(status=404, text=f"nothing canned at {request.raw_path}")
        if isinstance(body, int):
            return web.Response(status=body, text="boom")
        return web.Response(text=body, content_type="text/xml")

    app = web.Application()
    app[RECEIVED] = []
    app.router.add_post("/{tail:.*}", answer)
    return app


Start = Callable[..., Awaitable[tuple[TwilioPhone, list[Received]]]]


@pytest.fixture
def start(aiohttp_client: Any) -> Start:
    async def start(docs: Docs, **options: Any) -> tuple[TwilioPhone, list[Received]]:
        app = service(docs)
        client = await aiohttp_client(app)
        phone = TwilioPhone(
            TestClientTransport(client),
            public_url=options.pop("public_url", PUBLIC_URL),
            auth_token=options.pop("auth_token", TOKEN),
            **options,
        )
        return phone, app[RECEIVED]

    return start


async def call(phone: TwilioPhone, person: ScriptedPerson) -> CallResult:
    return await phone.call(from_=CALLER_NUMBER, to=DAC, person=person)


def paths(received: list[Received]) -> list[str]:
    return [r.path for r in received]


def said(result: CallResult, leg: str = CALLER) -> list[str]:
    return [line.text for line in result.transcript if line.leg == leg and line.kind == "say"]


async def test_an_incoming_call_is_signed_and_ends_with_the_status_callback(start: Start) -> None:
    voice = twiml('<Say language="fr-FR" voice="Polly.Lea">Bonjour, ici le DAC.</Say><Hangup/>')
    phone, received = await start({VOICE: voice})
    person = ScriptedPerson()

    result = await call(phone, person)

    assert paths(received) == [VOICE, STATUS]
    incoming, status = (r.form for r in received)
    assert incoming == {
        "AccountSid": phone.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": result.call_sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": CALLER_NUMBER,
        "To": DAC,
        "Caller": CALLER_NUMBER,
        "Called": DAC,
    }
    assert SID.match(result.call_sid)
    assert re.match(r"^AC[0-9a-f]{32}$", phone.account_sid)
    assert status["CallSid"] == result.call_sid
    assert status["CallStatus"] == "completed"
    assert int(status["CallDuration"]) >= 1
    assert parsedate_to_datetime(status["Timestamp"]).utcoffset() == timedelta(0)
    assert person.heard == [(CALLER, "Bonjour, ici le DAC.")]
    assert result.transcript == [
        Line(leg=CALLER, kind="say", text="Bonjour, ici le DAC."),
        Line(leg=CALLER, kind="hangup", text="hangup"),
    ]
    assert result.documents == [(PUBLIC_URL + VOICE, voice)]
    assert result.status_callback_status == 200
    assert (result.connected_to, result.message) == (None, None)


async def test_gather_with_keys_posts_digits_to_its_action(start: Start) -> None:
    menu = '<Gather numDigits="1" action="/twilio/voice/menu"><Say>Tapez 1.</Say></Gather>'
    phone, received = await start(
        {VOICE: twiml(menu), "/twilio/voice/menu": twiml("<Say>Vous avez tapé 1.</Say>")}
    )
    person = ScriptedPerson(["1"])

    result = await call(phone, person)

    assert paths(received) == [VOICE, "/twilio/voice/menu", STATUS]
    assert received[1].form["Digits"] == "1"
    assert received[1].form["CallStatus"] == "in-progress"
    assert received[1].form["CallSid"] == result.call_sid
    assert said(result) == ["Tapez 1.", "Vous avez tapé 1."]
    assert Line(leg=CALLER, kind="press", text="1") in result.transcript
    assert person.keys == []


async def test_gather_keeps_num_digits_and_stops_at_the_finish_key(start: Start) -> None:
    phone, received = await start(
        {
            VOICE: twiml('<Gather numDigits="2" action="/twilio/voice/a"/>'),
            "/twilio/voice/a": twiml('<Gather action="/twilio/voice/b"/>'),
            "/twilio/voice/b": twiml("<Hangup/>"),
        }
    )
    await call(phone, ScriptedPerson(["123", "45#6"]))
    assert paths(received) == [VOICE, "/twilio/voice/a", "/twilio/voice/b", STATUS]
    assert (received[1].form["Digits"], received[1].form["FinishedOnKey"]) == ("12", "")
    assert (received[2].form["Digits"], received[2].form["FinishedOnKey"]) == ("45", "#")


async def test_gather_without_action_posts_back_to_the_current_document(start: Start) -> None:
    phone, received = await start({"/twilio/voice?step=1": twiml("<Gather/>")})
    phone.voice_path = "/twilio/voice?step=1"
    await call(phone, ScriptedPerson(["5", None]))
    assert paths(received) == ["/twilio/voice?step=1", "/twilio/voice?step=1", STATUS]
    assert received[1].form["Digits"] == "5"


async def test_gather_without_input_sends_nothing_and_falls_through(start: Start) -> None:
    voice = twiml('<Gather action="/never"><Say>Tapez 1.</Say></Gather><Say>Au revoir.</Say>')
    phone, received = await start({VOICE: voice})

    result = await call(phone, ScriptedPerson([None]))

    assert paths(received) == [VOICE, STATUS]
    assert said(result) == ["Tapez 1.", "Au revoir."]
    assert result.transcript[-1] == Line(leg=CALLER, kind="hangup", text="end of document")


def dial(action: str | None = "/twilio/voice/dialed", *numbers: str) -> str:
    nouns = "".join(f'<Number url="/twilio/voice/whisper?n={n[-1]}">{n}</Number>' for n in numbers)
    action_attribute = f' action="{action}"' if action else ""
    return twiml(f'<Dial callerId="{DAC}" answerOnBridge="true"{action_attribute}>{nouns}</Dial>')


SCREEN = twiml(
    '<Gather numDigits="1" timeout="5" action="/twilio/voice/accept">'
    "<Say>Appel du DAC. Tapez 1 pour prendre l'appel.</Say></Gather><Hangup/>"
)
DIAL_DOCS: Docs = {
    VOICE: dial("/twilio/voice/dialed", ANNE),
    "/twilio/voice/whisper": SCREEN,
    "/twilio/voice/accept": twiml("<Say>Mise en relation.</Say>"),
    "/twilio/voice/dialed": twiml("<Hangup/>"),
}


async def test_a_referent_who_presses_1_in_the_whisper_is_bridged(start: Start) -> None:
    phone, received = await start(DIAL_DOCS)
    person = ScriptedPerson(referents={ANNE: Answer(presses="1")})

    result = await call(phone, person)

    assert paths(received) == [
        VOICE,
        "/twilio/voice/whisper?n=1",
        "/twilio/voice/accept",
        "/twilio/voice/dialed",
        STATUS,
    ]
    whisper, accept, dialed = (r.form for r in received[1:4])
    assert SID.match(whisper["CallSid"])
    assert whisper["CallSid"] != result.call_sid
    assert whisper == {
        "AccountSid": phone.account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": whisper["CallSid"],
        "ParentCallSid": result.call_sid,
        "CallStatus": "in-progress",
        "Direction": "outbound-dial",
        "From": DAC,
        "To": ANNE,
        "Caller": DAC,
        "Called": ANNE,
    }
    assert accept["CallSid"] == whisper["CallSid"]
    assert accept["Digits"] == "1"
    assert dialed["CallSid"] == result.call_sid
    assert dialed["DialCallStatus"] == "completed"
    assert dialed["DialCallSid"] == whisper["CallSid"]
    assert dialed["DialCallDuration"] == "42"
    assert result.connected_to == ANNE
    assert person.connected_to == [ANNE]
    assert said(result, ANNE) == [
        "Appel du DAC. Tapez 1 pour prendre l'appel.",
        "Mise en relation.",
    ]
    assert Line(leg=ANNE, kind="connected", text=ANNE) in result.transcript


async def test_a_whisper_left_without_a_key_hangs_up_and_the_dial_says_so(start: Start) -> None:
    phone, received = await start(DIAL_DOCS)

    result = await call(phone, ScriptedPerson(referents={ANNE: Answer(presses=None)}))

    assert paths(received) == [VOICE, "/twilio/voice/whisper?n=1", "/twilio/voice/dialed", STATUS]
    dialed = received[2].form
    assert dialed["DialCallStatus"] == "completed"
    assert dialed["DialCallDuration"] == "0"
    assert dialed["DialCallSid"] == received[1].form["CallSid"]
    assert result.connected_to is None
    assert Line(leg=ANNE, kind="hangup", text="declined (hangup in the whisper)") in (
        result.transcript
    )


async def test_a_whisper_that_ends_without_hangup_bridges(start: Start) -> None:
    """Twilio bridges when the whisper runs out: a screen must hang up after its Gather."""
    docs = {**DIAL_DOCS, "/twilio/voice/whisper": twiml("<Gather><Say>Tapez 1.</Say></Gather>")}
    phone, received = await start(docs)

    result = await call(phone, ScriptedPerson(referents={ANNE: Answer(presses=None)}))

    assert result.connected_to == ANNE
    assert received[2].form["DialCallDuration"] == "42"


async def test_nobody_picking_up_is_no_answer(start: Start) -> None:
    phone, received = await start({**DIAL_DOCS, VOICE: dial("/twilio/voice/dialed", ANNE, BRUNO)})

    result = await call(phone, ScriptedPerson(referents={BRUNO: Answer(picks_up=False)}))

    assert paths(received) == [VOICE, "/twilio/voice/dialed", STATUS]
    assert received[1].form["DialCallStatus"] == "no-answer"
    assert "DialCallSid" not in received[1].form
    assert [line for line in result.transcript if line.kind == "ring"] == [
        Line(leg=ANNE, kind="ring", text="no answer"),
        Line(leg=BRUNO, kind="ring", text="no answer"),
    ]


async def test_the_first_referent_to_accept_takes_the_call(start: Start) -> None:
    voice = dial("/twilio/voice/dialed", ANNE, BRUNO, CLAIRE, DAC)
    phone, received = await start({**DIAL_DOCS, VOICE: voice})
    person = ScriptedPerson(
        referents={
            ANNE: Answer(picks_up=False),
            BRUNO: Answer(presses=None),
            CLAIRE: Answer(presses="1"),
            DAC: Answer(presses="1"),
        }
    )

    result = await call(phone, person)

    assert paths(received) == [
        VOICE,
        "/twilio/voice/whisper?n=2",
        "/twilio/voice/whisper?n=3",
        "/twilio/voice/accept",
        "/twilio/voice/dialed",
        STATUS,
    ]
    assert result.connected_to == CLAIRE
    assert received[4].form["DialCallSid"] == received[2].form["CallSid"]
    assert Line(leg=DAC, kind="hangup", text="bridged elsewhere") in result.transcript


async def test_dial_without_action_falls_through(start: Start) -> None:
    voice = dial(None, ANNE).replace("</Response>", "<Say>Laissez un message.</Say></Response>")
    phone, received = await start({**DIAL_DOCS, VOICE: voice})

    result = await call(phone, ScriptedPerson(referents={ANNE: Answer(picks_up=False)}))

    assert paths(received) == [VOICE, STATUS]
    assert said(result) == ["Laissez un message."]


RECORDING = re.compile(
    r"^https://api\.twilio\.com/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})$"
)


async def test_a_message_is_posted_to_the_record_action(start: Start) -> None:
    voice = twiml('<Record action="/twilio/voice/message" maxLength="120" playBeep="true"/>')
    phone, received = await start(
        {VOICE: voice, "/twilio/voice/message": twiml("<Say>Merci.</Say><Hangup/>")}
    )

    result = await call(phone, ScriptedPerson(message="Bonjour, rappelez-moi au 06 12."))

    assert paths(received) == [VOICE, "/twilio/voice/message", STATUS]
    form = received[1].form
    match = RECORDING.match(form["RecordingUrl"])
    assert match is not None
    assert match.groups() == (phone.account_sid, form["RecordingSid"])
    assert int(form["RecordingDuration"]) >= 1
    assert form["Digits"] == "hangup"
    assert result.message == "Bonjour, rappelez-moi au 06 12."
    # The caller hung up to end the message: Twilio fetches the action but plays nothing more.
    assert result.documents[-1][0] == PUBLIC_URL + "/twilio/voice/message"
    assert said(result) == ["[bip]"]


async def test_record_without_action_posts_back_to_the_current_document(start: Start) -> None:
    phone, received = await start({VOICE: twiml('<Record playBeep="false"/>')})
    await call(phone, ScriptedPerson(message="Allô ?"))
    assert paths(received) == [VOICE, VOICE, STATUS]
    assert "RecordingUrl" in received[1].form


async def test_a_silent_record_sends_nothing_and_falls_through(start: Start) -> None:
    voice = twiml('<Record action="/never"/><Say>Aucun message.</Say>')
    phone, received = await start({VOICE: voice})

    result = await call(phone, ScriptedPerson(message=None))

    assert paths(received) == [VOICE, STATUS]
    assert said(result) == ["[bip]", "Aucun message."]
    assert result.message is None


async def test_redirect_and_relative_urls(start: Start) -> None:
    phone, received = await start(
        {
            "/twilio/": twiml('<Redirect method="POST">voice/menu?step=2&amp;lang=fr</Redirect>'),
            "/twilio/voice/menu?step=2&lang=fr": twiml('<Gather action="../closed?x=1"/>'),
            "/twilio/closed?x=1": twiml("<Redirect>/twilio/voice/fin?nom=Zoé%20L</Redirect>"),
            "/twilio/voice/fin?nom=Zo%C3%A9%20L": twiml("<Reject/>"),
        }
    )
    phone.voice_path = "/twilio/"

    result = await call(phone, ScriptedPerson(["3"]))

    assert paths(received) == [
        "/twilio/",
        "/twilio/voice/menu?step=2&lang=fr",
        "/twilio/closed?x=1",
        "/twilio/voice/fin?nom=Zo%C3%A9%20L",
        STATUS,
    ]
    assert received[2].form["Digits"] == "3"
    assert result.transcript[-1] == Line(leg=CALLER, kind="hangup", text="reject")


async def test_a_url_on_another_host_is_refused(start: Start) -> None:
    phone, _ = await start({VOICE: twiml("<Redirect>https://evil.example.com/x</Redirect>")})
    with pytest.raises(PhoneError, match="evil.example.com/x is not on"):
        await call(phone, ScriptedPerson())


PARIS = ZoneInfo("Europe/Paris")


async def test_every_request_carries_the_simulated_time(start: Start) -> None:
    at = datetime(2026, 3, 29, 1, 59, 59, tzinfo=PARIS)
    phone, received = await start(DIAL_DOCS, simulated_at=at)

    await call(phone, ScriptedPerson(referents={ANNE: Answer(presses="1")}))

    assert len(received) == 5
    instants = [datetime.fromisoformat(r.form["SimulatedAt"]) for r in received]
    assert all(instant.utcoffset() is not None for instant in instants)
    assert instants == sorted(instants)
    assert at <= instants[0]
    assert instants[-1] < at + timedelta(seconds=30)
    stamp = parsedate_to_datetime(received[-1].form["Timestamp"])
    assert at - timedelta(seconds=1) <= stamp < at + timedelta(seconds=30)


async def test_no_simulated_time_unless_asked(start: Start) -> None:
    phone, received = await start(DIAL_DOCS)
    await call(phone, ScriptedPerson(referents={ANNE: Answer(presses="1")}))
    assert not [r for r in received if "SimulatedAt" in r.form]


def test_a_naive_simulated_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        TwilioPhone(
            TestClientTransport(None),  # type: ignore[arg-type]
            public_url=PUBLIC_URL,
            auth_token=TOKEN,
            simulated_at=datetime(2026, 1, 5, 9, 0),  # noqa: DTZ001
        )


async def test_a_retry_is_the_same_signed_request(start: Start) -> None:
    phone, received = await start(DIAL_DOCS)
    result = await call(phone, ScriptedPerson(referents={ANNE: Answer(presses="1")}))
    first = result.exchanges[0].request

    again = await phone.repost(first)

    assert again.status == 200
    assert received[-1].form == received[0].form
    tokens = [r.headers["I-Twilio-Idempotency-Token"] for r in received]
    assert tokens[-1] == tokens[0] == first.idempotency_token
    assert len(set(tokens)) == len(tokens) - 1
    assert received[-1].headers["X-Twilio-Signature"] == received[0].headers["X-Twilio-Signature"]


async def test_post_signs_any_form_and_keeps_a_given_token(start: Start) -> None:
    phone, received = await start({"/twilio/sms": twiml("")})
    response = await phone.post("/twilio/sms", {"Body": "Bonjour"}, idempotency_token="tok-1")
    assert (response.status, response.request.url) == (200, PUBLIC_URL + "/twilio/sms")
    assert received[0].headers["I-Twilio-Idempotency-Token"] == "tok-1"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param(500, "answered HTTP 500: 'boom'", id="server-error"),
        pytest.param("<html>oops</html>", "answered <html>, not a TwiML <Response>", id="html"),
        pytest.param("Bonjour", "answered non-XML", id="text"),
    ],
)
async def test_a_bad_answer_is_an_application_error(
    start: Start, answer: str | int, reason: str
) -> None:
    phone, received = await start(
        {VOICE: twiml("<Redirect>/twilio/voice/next</Redirect>"), "/twilio/voice/next": answer}
    )

    with pytest.raises(ApplicationError, match=re.escape(reason)) as caught:
        await call(phone, ScriptedPerson())

    assert caught.value.url == PUBLIC_URL + "/twilio/voice/next"
    assert "application error" in str(caught.value)
    assert paths(received) == [VOICE, "/twilio/voice/next", STATUS]  # Twilio still reports
    assert caught.value.result is not None
    assert caught.value.result.transcript[-1].text == "application error"


async def test_a_wrong_signature_is_refused_by_the_service(start: Start) -> None:
    phone, _ = await start({VOICE: twiml("")}, auth_token="not-the-token")
    with pytest.raises(ApplicationError, match="HTTP 403"):
        await call(phone, ScriptedPerson())


async def test_a_loop_is_stopped(start: Start) -> None:
    phone, received = await start({VOICE: twiml(f"<Redirect>{VOICE}</Redirect>")})
    with pytest.raises(ApplicationError, match="document 61 of this call: a loop"):
        await call(phone, ScriptedPerson())
    assert len(received) == 61  # 60 documents, then the status callback


async def test_a_script_without_keys_says_so(start: Start) -> None:
    phone, _ = await start({VOICE: twiml("<Gather><Say>Tapez 1.</Say></Gather>")})
    with pytest.raises(ScriptExhausted, match="no more keys for the caller, asked 'Tapez 1.'"):
        await call(phone, ScriptedPerson([]))


LISTENING = (
    '<Gather input="dtmf speech" language="fr-FR" hints="infirmier libéral" speechTimeout="auto"'
    ' numDigits="1" action="/menu"><Say>Dites qui vous êtes, ou tapez 1.</Say></Gather>'
)


@pytest.mark.parametrize(
    ("answer", "posted"),
    [
        (Said(text="je suis infirmière", confidence=0.8125),
         {"SpeechResult": "je suis infirmière", "Confidence": "0.81250000"}),
        ("je suis kiné", {"SpeechResult": "je suis kiné", "Confidence": "0.90000000"}),
        ("je suis kiné (0.3)", {"SpeechResult": "je suis kiné", "Confidence": "0.30000000"}),
        ("1", {"Digits": "1", "FinishedOnKey": ""}),
    ],
    ids=["said", "typed-words", "typed-words-unsure", "keys"],
)  # fmt: skip
async def test_a_listening_gather_posts_words_as_twilio_does_or_keys(
    start: Start, answer: str | Said, posted: dict[str, str]
) -> None:
    phone, received = await start({VOICE: twiml(LISTENING), "/menu": twiml("<Hangup/>")})

    result = await call(phone, ScriptedPerson([answer]))

    [menu] = [r for r in received if r.path == "/menu"]
    assert {k: v for k, v in menu.form.items() if k in ("SpeechResult", "Confidence", "Digits",
                                                         "FinishedOnKey")} == posted  # fmt: skip
    kinds = [line.kind for line in result.transcript if line.leg == CALLER]
    assert ("speak" in kinds) is ("SpeechResult" in posted)


async def test_words_at_a_keys_only_gather_are_not_heard(start: Start) -> None:
    keys_only = twiml('<Gather numDigits="5" action="/postal"><Say>Code postal.</Say></Gather>'
                      "<Say>Rien reçu.</Say>")  # fmt: skip
    phone, received = await start({VOICE: keys_only})

    result = await call(phone, ScriptedPerson([Said(text="Figeac")]))

    assert paths(received) == [VOICE, STATUS]  # no request: the next verb ran
    assert said(result)[-1] == "Rien reçu."


async def test_a_gather_listening_in_english_is_not_followed(start: Start) -> None:
    english = twiml('<Gather input="dtmf speech" action="/menu"><Say>Dites.</Say></Gather>')
    phone, _ = await start({VOICE: english})

    with pytest.raises(UnsupportedTwiml, match="another language than French"):
        await call(phone, ScriptedPerson([Said(text="oui")]))
