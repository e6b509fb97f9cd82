"""Overflow to a neighbouring line (issue 17), whole calls through the app with signed webhooks.

The Moselle on a Tuesday morning: dweber and eschmitt are on duty, rung at once, and there is
no backup list. Its file names the DAC de Meurthe-et-Moselle as its overflow line. When both
referents decline, the caller is told she is put through there, and that line is rung with
the referents' screen: it takes the call with 1, or the caller leaves a message as without
overflow, and a callback is owed.
"""

from __future__ import annotations

import io

from aiohttp.test_utils import TestClient

from frontdoor.cli import _lines_named
from frontdoor.department_file.load import load_departments
from frontdoor.phone import Answer, ScriptedPerson, TerminalPerson, terminal_call
from frontdoor.settings import Settings
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, ROOT
from tests.console.conftest import MOSELLE_REFERENT, create_accounts, sign_in
from tests.web.callback_orders import final_state
from tests.web.calls import (
    DWEBER,
    ESCHMITT,
    MOSELLE,
    NURSE,
    TUESDAY_MORNING,
    place_call,
    reason_codes,
    rung,
    said,
    stored,
)

NEIGHBOUR = "+33383000054"  # the Moselle's [overflow] line
BOTH_DECLINE = {DWEBER: Answer(presses="2"), ESCHMITT: Answer(presses="2")}
DOCTOR = ["1", "1"]
NAMED = {NEIGHBOUR: f"ligne de débordement {NEIGHBOUR} (le DAC de Meurthe-et-Moselle)"}
PROMPTS = ROOT / "templates" / "voice" / "prompts.toml"


async def test_when_every_referent_declines_the_neighbouring_dac_takes_the_call(
    client: TestClient, wired_settings: Settings
) -> None:
    person = ScriptedPerson(DOCTOR, referents={**BOTH_DECLINE, NEIGHBOUR: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert rung(result) == [DWEBER, ESCHMITT, NEIGHBOUR]
    assert result.connected_to == NEIGHBOUR
    assert "nous transférons votre appel vers le DAC de Meurthe-et-Moselle" in said(result)
    # Screened as a referent's leg: who transfers it, who calls, and 1 to take it.
    assert (
        "Appel du DAC de Moselle transféré : appel d'un médecin. Pour prendre l'appel, tapez 1."
        in said(result, NEIGHBOUR)
    )
    [request], events = await stored(wired_settings)
    assert request.outcome == "overflowed"
    assert request.taken_by is None
    assert request.answered_at is not None
    assert request.callback_needed is False
    assert not (await final_state(wired_settings, request.call_sid or "")).open_task
    [went] = [e for e in events if e.kind == "overflowed"]
    assert went.detail == "Débordé vers le DAC de Meurthe-et-Moselle (03 83 00 00 54)"
    assert "overflow-nobody-accepted" in reason_codes(events)

    await create_accounts(wired_settings, (MOSELLE_REFERENT,))
    browser = await sign_in(client, MOSELLE_REFERENT)
    page = await (await browser.get(f"/console/demandes/{request.id}")).text()
    assert "<dt>Débordement</dt><dd>Débordé vers le DAC de Meurthe-et-Moselle (03 83 00 00 54)" in (
        page
    )
    assert "pris par la ligne de débordement" in page
    assert "<strong>Accepté (touche 1)</strong> · ligne de débordement" in page


async def test_when_the_neighbouring_dac_does_not_take_it_the_caller_leaves_a_message(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(
        DOCTOR,
        referents={**BOTH_DECLINE, NEIGHBOUR: Answer(presses=None)},  # picks up, presses nothing
        message="Dr Weber, merci de me rappeler.",
    )

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert rung(result) == [DWEBER, ESCHMITT, NEIGHBOUR]
    assert result.connected_to is None
    assert "Aucun référent n'est disponible" in said(result)
    [request], events = await stored(settings)
    assert request.outcome == "voicemail"
    assert request.callback_needed is True
    assert (await final_state(settings, request.call_sid or "")).open_task
    assert "overflow-unanswered" in reason_codes(events)
    assert [e.detail for e in events if e.kind == "overflowed"] == [
        "Débordé vers le DAC de Meurthe-et-Moselle (03 83 00 00 54)"
    ]


async def test_a_caller_who_hangs_up_after_the_neighbouring_dac_declined_is_called_back(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(DOCTOR, referents={**BOTH_DECLINE, NEIGHBOUR: Answer(presses="2")})

    result = await place_call(client, at=TUESDAY_MORNING, to=MOSELLE, person=person)

    assert result.connected_to is None
    [request], _ = await stored(settings)
    assert request.outcome == "abandoned"
    assert request.callback_needed is True
    assert (await final_state(settings, request.call_sid or "")).open_task


async def test_the_terminal_phone_plays_an_overflow_and_names_the_line_it_rings(
    client: TestClient, settings: Settings
) -> None:
    """`frontdoor call`: the referents do not pick up, the overflow line does and takes it."""
    typed = iter(["1", "1", "n", "n", "o", "1"])
    out = io.StringIO()

    ended = await terminal_call(
        base_url=str(client.make_url("")),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        from_=NURSE,
        to=MOSELLE,
        at=TUESDAY_MORNING,
        person=TerminalPerson(out=out, ask=lambda _: next(typed), lines=NAMED),
        out=out,
    )

    assert ended.connected_to == NEIGHBOUR
    assert f"  ↳ {NAMED[NEIGHBOUR]}: Appel du DAC de Moselle transféré" in out.getvalue()
    [request], _ = await stored(settings)
    assert request.outcome == "overflowed"


def test_frontdoor_call_names_the_overflow_line_of_the_department_called() -> None:
    [moselle] = [d for d in load_departments(ROOT / "flows", PROMPTS).values() if d.slug == "dac57"]
    assert _lines_named(moselle) == NAMED
