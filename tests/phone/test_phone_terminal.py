"""The terminal phone: French prompts, and a call placed on a real local server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from frontdoor.phone import (
    CALLER,
    CallResult,
    Line,
    Said,
    TerminalPerson,
    summarize,
    terminal_call,
)

PUBLIC_URL = "https://frontdoor.example.org"
TOKEN = "test-auth-token"
ANNE = "+33611111111"
FORMS = web.AppKey("forms", list[dict[str, str]])
DOCS = {
    "/twilio/voice": '<Response><Say>Bonjour.</Say><Gather numDigits="1" action="menu?nom=Zoé">'
    "<Say>Tapez 1.</Say></Gather></Response>",
    "/twilio/menu?nom=Zo%C3%A9": '<Response><Dial><Number url="/twilio/whisper">'
    f"{ANNE}</Number></Dial><Record/></Response>",
    "/twilio/whisper": '<Response><Gather numDigits="1" action="/twilio/ok">'
    "<Say>Appel du DAC.</Say></Gather><Hangup/></Response>",
    "/twilio/ok": "<Response/>",
    "/twilio/voice/status": "",
}


class Keyboard:
    """Types the given answers and remembers the prompts."""

    def __init__(self, answers: list[str]) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return next(self.answers)


async def test_the_terminal_person_speaks_french() -> None:
    out = io.StringIO()
    keyboard = Keyboard(["1 ", "", "o", "n", "Rappelez-moi", ""])
    person = TerminalPerson(out=out, ask=keyboard)

    await person.hear("Bonjour.", leg=CALLER)
    await person.hear("Appel du DAC.", leg=ANNE)
    assert await person.press("Tapez 1.", leg=CALLER) == "1"
    assert await person.press("Tapez 1.", leg=ANNE) is None
    assert await person.picks_up(ANNE) is True
    assert await person.picks_up(ANNE) is False
    assert await person.message() == "Rappelez-moi"
    assert await person.message() is None
    await person.connected(ANNE)

    assert out.getvalue().splitlines() == [
        "📞 DAC : Bonjour.",
        f"  ↳ référent {ANNE}: Appel du DAC.",
        f"🔗 Mis en relation avec {ANNE}.",
    ]
    assert keyboard.prompts == [
        "Touche(s) à taper, ou ce que vous dites (Entrée = rien) : ",
        f"  ↳ référent {ANNE}, touche(s) à taper (Entrée = rien) : ",
        f"Le {ANNE} décroche-t-il ? [o/N] ",
        f"Le {ANNE} décroche-t-il ? [o/N] ",
        "Message laissé (Entrée = silence) : ",
        "Message laissé (Entrée = silence) : ",
    ]


async def test_a_referents_browser_is_named_as_such() -> None:
    out, browser = io.StringIO(), "client:fd_" + "ab" * 12
    keyboard = Keyboard(["o", "1"])
    person = TerminalPerson(out=out, ask=keyboard)

    assert await person.picks_up(browser) is True
    await person.hear("Appel du DAC.", leg=browser)
    assert await person.press("Tapez 1.", leg=browser) == "1"

    assert out.getvalue().splitlines() == [
        f"  ↳ navigateur d'un référent ({browser}): Appel du DAC."
    ]
    assert keyboard.prompts == [
        f"navigateur d'un référent ({browser}) : décroche ? [o/N] ",
        f"  ↳ navigateur d'un référent ({browser}), touche(s) à taper (Entrée = rien) : ",
    ]


async def test_end_of_input_is_no_answer() -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    assert await TerminalPerson(out=io.StringIO(), ask=closed).press("?", leg=CALLER) is None


def result(*, connected_to: str | None = None, message: str | None = None) -> CallResult:
    return CallResult(
        call_sid="CA" + "0" * 32,
        transcript=[Line(leg=CALLER, kind="hangup", text="hangup")],
        connected_to=connected_to,
        message=message,
        documents=[],
        status_callback_status=200,
        exchanges=[],
    )


@pytest.mark.parametrize(
    ("ended", "summary"),
    [
        pytest.param(result(connected_to=ANNE), f"mis en relation avec {ANNE}", id="bridged"),
        pytest.param(result(message="Allô"), "message laissé", id="voicemail"),
        pytest.param(result(), "raccroché", id="hung-up"),
    ],
)
def test_summary(ended: CallResult, summary: str) -> None:
    assert summarize(ended) == f"Appel terminé : {summary}"


async def test_a_terminal_call_through_a_real_server(aiohttp_server: Any) -> None:
    validator = RequestValidator(TOKEN)

    async def answer(request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(PUBLIC_URL + request.raw_path, form, signature):
            return web.Response(status=403)
        request.app[FORMS].append(form)
        return web.Response(text=DOCS[request.raw_path], content_type="text/xml")

    app = web.Application()
    app[FORMS] = []
    app.router.add_post("/{tail:.*}", answer)
    server = await aiohttp_server(app)
    out = io.StringIO()
    keyboard = Keyboard(["1", "o", "", "Rappelez-moi."])
    at = datetime(2026, 1, 5, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))

    ended = await terminal_call(
        base_url=str(server.make_url("/")),
        public_url=PUBLIC_URL + "/",
        auth_token=TOKEN,
        from_="+33612345678",
        to="+33565367387",
        at=at,
        person=TerminalPerson(out=out, ask=keyboard),
        out=out,
    )

    assert ended.message == "Rappelez-moi."
    assert [form.get("Digits") for form in app[FORMS]] == [None, "1", None, "hangup", None]
    assert all(form["SimulatedAt"].startswith("2026-01-05T09:30") for form in app[FORMS])
    lines = out.getvalue().splitlines()
    assert lines[0] == "☎️  Appel de +33612345678 vers +33565367387, le 05/01/2026 à 09:30…"
    assert lines[1:4] == [
        "📞 DAC : Bonjour.",
        "📞 DAC : Tapez 1.",
        f"  ↳ référent {ANNE}: Appel du DAC.",
    ]
    assert lines[-2:] == ["📞 DAC : [bip]", "Appel terminé : message laissé"]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("1", None),
        ("46100#", None),
        ("", None),
        ("je suis infirmière", Said(text="je suis infirmière")),
        ("je suis infirmière (0.4)", Said(text="je suis infirmière", confidence=0.4)),
        ("oui (0,35)", Said(text="oui", confidence=0.35)),
        ("un SSIAD à Figeac (1)", Said(text="un SSIAD à Figeac", confidence=1.0)),
        ("Figeac (2)", Said(text="Figeac (2)")),  # not a confidence: said as it is
    ],
    ids=repr,
)
def test_words_typed_at_the_terminal_are_said_with_an_optional_confidence(
    typed: str, said: Said | None
) -> None:
    assert Said.typed(typed) == said
