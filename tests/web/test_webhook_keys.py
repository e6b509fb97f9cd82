"""A webhook's key (what its answer is kept under, so that a retry gets it again) stays the
digest it has always been: receipts stored before an upgrade still answer the retries that
come after it."""

from __future__ import annotations

from frontdoor.kit.twilio_webhook import _digest

MENU = "/twilio/voice/menu?department=dac46&level=who&try=1"
FORM = {
    "CallSid": "CA0123",
    "Digits": "1",
    "CallerCity": "SAINT-CÉRÉ",
    "SpeechResult": "un médecin & co=2",
    "Empty": "",
}


def test_a_webhook_keeps_its_key() -> None:
    # SHA-256 of the raw path, then NUL, name, "=", value of each pair in name order (UTF-8).
    assert _digest(MENU, FORM) == "7848ddd4ea972a7fdecc17549c91382ab0a435c13823a32a3cfb9dd7d369f175"


def test_the_order_the_form_came_in_does_not_change_the_key() -> None:
    assert _digest(MENU, dict(reversed(FORM.items()))) == _digest(MENU, FORM)


def test_another_value_or_another_url_is_another_webhook() -> None:
    assert _digest(MENU, {**FORM, "Digits": "2"}) != _digest(MENU, FORM)
    assert _digest(MENU.replace("try=1", "try=2"), FORM) != _digest(MENU, FORM)
