"""The SMS of a missed call: sent to a mobile caller nobody took, with the callback's
deadline; never when the department has not switched it on, the call was taken, nothing is
owed, the number is withheld, a landline, or said STOP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from frontdoor.core.department import CallbackPolicy, Department
from frontdoor.core.missed_calls import MissedCall, missed_call_sms
from frontdoor.core.sms import Encoding, segments
from frontdoor.core.voice_actions import Outcome
from frontdoor.sms.texts import load_texts
from tests.conftest import ROOT
from tests.core.departments_made import PARIS, department

TEXTS = load_texts(ROOT / "templates" / "sms" / "texts.toml")
FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)
MONDAY_NOON_30 = datetime(2026, 5, 18, 12, 30, tzinfo=PARIS)
MOBILE, LANDLINE = "+33611223344", "+33565367387"


def switched_on() -> Department:
    return replace(department(), callbacks=CallbackPolicy(missed_call_sms=True))


def call(**changes: object) -> MissedCall:
    base = MissedCall(
        outcome=Outcome.ABANDONED, caller_number=MOBILE, callback_due=MONDAY_NOON_30,
        opted_out=False,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dac", "missed", "rule"),
    [
        pytest.param(switched_on(), call(), None, id="abandoned-mobile-sent"),
        pytest.param(switched_on(), call(outcome=Outcome.VOICEMAIL), None, id="message-left"),
        pytest.param(switched_on(), call(outcome=Outcome.CLOSED), None, id="closed-line"),
        pytest.param(switched_on(), call(caller_number="+262692123456"), None, id="reunion-mobile"),
        pytest.param(department(), call(), "missed-call-sms-off", id="switched-off"),
        pytest.param(switched_on(), call(outcome=Outcome.TAKEN), "not-missed", id="taken"),
        pytest.param(switched_on(), call(outcome=Outcome.INFORMED), "not-missed", id="informed"),
        pytest.param(switched_on(), call(callback_due=None), "no-callback-owed", id="no-task"),
        pytest.param(switched_on(), call(caller_number="anonymous"), "withheld-number",
                     id="withheld"),
        pytest.param(switched_on(), call(caller_number=None), "withheld-number", id="no-number"),
        pytest.param(switched_on(), call(caller_number=LANDLINE), "not-a-mobile", id="landline"),
        pytest.param(switched_on(), call(caller_number="+447700900123"), "not-a-mobile",
                     id="foreign-mobile"),
        pytest.param(switched_on(), call(opted_out=True), "opted-out", id="opted-out"),
        pytest.param(department(), call(caller_number="anonymous", opted_out=True),
                     "missed-call-sms-off", id="first-rule-that-holds-says-why"),
    ],
)  # fmt: skip
def test_who_gets_the_sms_of_a_missed_call(
    dac: Department, missed: MissedCall, rule: str | None
) -> None:
    decided = missed_call_sms(dac, missed, now=FRIDAY_EVENING, texts=TEXTS)

    if rule is None:
        assert decided.text is not None
        assert [r.code for r in decided.reasons] == ["missed-call-sms"]
    else:
        assert decided.text is None
        assert [r.code for r in decided.reasons] == [rule]
        assert decided.reasons[0].text.startswith("pas de SMS : ")


def test_the_sms_says_in_french_when_the_caller_will_be_called_back_in_one_gsm_segment() -> None:
    decided = missed_call_sms(switched_on(), call(), now=FRIDAY_EVENING, texts=TEXTS)

    assert decided.text == (
        "DAC test : nous avons manqué votre appel. Un référent vous rappelle au plus tard "
        "lundi 18 mai à 12 h 30. Urgence vitale : 15 ou 112 (114 par SMS)."
    )
    assert segments(decided.text).encoding is Encoding.GSM7
    assert segments(decided.text).count == 1


def test_the_deadline_is_said_in_the_department_s_time_and_the_department_s_wording() -> None:
    own = {**TEXTS, "missed_call": "$department : appel manqué, rappel $callback."}
    due_utc = datetime(2026, 5, 18, 8, 30, tzinfo=UTC)  # as the store gives it back

    decided = missed_call_sms(
        switched_on(), call(callback_due=due_utc), now=FRIDAY_EVENING, texts=own
    )

    assert decided.text == "DAC test : appel manqué, rappel lundi 18 mai à 10 h 30."
