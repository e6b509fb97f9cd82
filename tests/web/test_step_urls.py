"""The URL of a call's next step: its query string is the one urlencode gives for its sorted
parameters, escaped where a value needs it, so that what Twilio signs is what we sent."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from frontdoor.core.voice_actions import Next
from frontdoor.voice.twiml import query_string, url_of

VALUES = {
    "plain": "dac46",
    "unreserved": "a-b_c.d~e",
    "digits": "+33612345678",
    "space": "deux mots",
    "ampersand and equals": "a&b=c",
    "slash and question mark": "a/b?c",
    "percent": "100%",
    "accented": "référent",
    "empty": "",
    "non-latin": "電話",
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_a_value_is_escaped_as_urlencode_escapes_it(value: str) -> None:
    params = (("referent", value), ("attempt", "2"), ("a key", value))
    assert query_string(params) == urlencode(sorted(params))
    assert sorted(parse_qsl(query_string(params), keep_blank_values=True)) == sorted(params)


def test_the_parameters_are_sorted() -> None:
    step = Next(step="whisper", params=(("referent", "amartin"), ("attempt", "1")))
    assert url_of(step) == "/twilio/voice/whisper?attempt=1&referent=amartin"


def test_a_step_without_parameters_is_its_plain_path() -> None:
    assert url_of(Next(step="dialed")) == "/twilio/voice/dialed"
