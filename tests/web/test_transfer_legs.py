"""The TwiML of a transfer's ring: a colleague reached in her browser only is rung as a
Voice SDK identity (<Client>), anyone else at a number (<Number>), screened alike."""

from __future__ import annotations

import pytest

from frontdoor.core.voice_actions import Next, Reply, RingTransfer
from frontdoor.voice.twiml import render
from tests.core import call_flows_made

SCREEN = Next(step="transfer-whisper", params=(("from", "amartin"), ("target", "bleroy")))


@pytest.mark.parametrize(
    ("rung_at", "noun"),
    [
        pytest.param("client:fd_bleroy", '<Client method="POST" url="', id="browser"),
        pytest.param("+33612000000", '<Number method="POST" url="', id="mobile"),
    ],
)
def test_a_transfer_rings_a_browser_as_a_client_and_a_phone_as_a_number(
    rung_at: str, noun: str
) -> None:
    department = call_flows_made.department()
    ring = RingTransfer(number=rung_at, timeout_s=20, caller_id=department.number,
                        screen=SCREEN, then=SCREEN)  # fmt: skip

    twiml = render(Reply(actions=(ring,)), department=department)

    assert noun + "/twilio/voice/transfer/whisper?" in twiml  # the screen runs on her leg
    assert twiml.count("<Client") + twiml.count("<Number") == 1
    assert f">{rung_at.removeprefix('client:')}</" in twiml
