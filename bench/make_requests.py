"""Pre-generate signed Twilio voice webhooks, one distinct call per line, for one step of a call.

Each line is `<path and query>\\t<X-Twilio-Signature>\\t<url-encoded body>`; bench/calls.lua
loads the file and sends each line once. Every line is its own call (its own CallSid), so the
service does the whole work instead of answering a retry from its stored receipt.

The bodies carry every parameter Twilio's voice webhooks send (28 keys for an incoming call,
https://www.twilio.com/docs/usage/webhooks/voice-webhooks): the caller's and the called
number's geography, the call token, the STIR/SHAKEN verdict… The signature is computed over
all of them, as Twilio does, so a service pays for a real body.

    python bench/make_requests.py --step incoming --count 100000 \\
        --public-url http://127.0.0.1:8080 --token bench-token --out calls.txt

`--step menu` (and the other later steps) names calls by the same CallSids as `--step incoming`
with the same `--seed`: bench/precreate_calls.py stores those calls first, so each step finds
its call already started. `--line N` calls another line than the Lot, the copy N of it that
bench/departments_gen.py writes: bench/run gives each later step a line of its own, so that
no step is measured on a line another step's load left in a state no line has.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from departments_gen import number_of, slug_of
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
APPLICATION_SID = "AP" + "1" * 32
REFERENT_PHONE = "+33612000001"  # amartin, flows/dac46.toml and every copy of it


@dataclass(frozen=True)
class Line:
    """The department called: its slug and its single number."""

    slug: str
    number: str


LOT = Line("dac46", "+33536490046")  # flows/dac46.toml
# A step's form: the call's index, the run's seed, the signed SimulatedAt, the line called.
FormMaker = Callable[[int, str, str | None, Line], dict[str, str]]
LineForm = Callable[[int, str, str | None], dict[str, str]]  # a FormMaker for one line


def call_sid(seed: str, index: int) -> str:
    """The CallSid of call `index` of a run: the same for every step of that call."""
    return "CA" + hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:32]


def caller_number(index: int) -> str:
    return f"+336120{index % 100_000:05d}"


def incoming_form(
    index: int, *, seed: str, at: str | None = None, line: Line = LOT
) -> dict[str, str]:
    """Every parameter of Twilio's incoming-call webhook, for a French mobile calling a line."""
    caller = caller_number(index)
    form = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "ApplicationSid": APPLICATION_SID,
        "CallSid": call_sid(seed, index),
        "CallStatus": "ringing",
        "CallToken": "%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9" + "x" * 96,
        "Called": line.number,
        "CalledCity": "",
        "CalledCountry": "FR",
        "CalledState": "",
        "CalledZip": "",
        "Caller": caller,
        "CallerCity": "",
        "CallerCountry": "FR",
        "CallerState": "",
        "CallerZip": "",
        "Direction": "inbound",
        "From": caller,
        "FromCity": "",
        "FromCountry": "FR",
        "FromState": "",
        "FromZip": "",
        "StirVerstat": "TN-Validation-Passed-A",
        "To": line.number,
        "ToCity": "",
        "ToCountry": "FR",
        "ToState": "",
        "ToZip": "",
    }
    if at is not None:
        form["SimulatedAt"] = at
    return form


def _caller_step(changes: dict[str, str]) -> FormMaker:
    def form(index: int, seed: str, at: str | None, line: Line) -> dict[str, str]:
        caller = incoming_form(index, seed=seed, at=at, line=line)
        return {**caller, "CallStatus": "in-progress", **changes}

    return form


def _referent_leg(changes: dict[str, str]) -> FormMaker:
    """A referent's leg, as Twilio posts the whisper and its Gather: its own CallSid, the
    caller's as ParentCallSid, the department's number as caller id."""

    def form(index: int, seed: str, at: str | None, line: Line) -> dict[str, str]:
        leg = {
            **incoming_form(index, seed=seed, at=at, line=line),
            "CallSid": call_sid(seed + ":leg", index),
            "ParentCallSid": call_sid(seed, index),
            "CallStatus": "in-progress",
            "Direction": "outbound-dial",
            "From": line.number,
            "Caller": line.number,
            "To": REFERENT_PHONE,
            "Called": REFERENT_PHONE,
        }
        return {**leg, **changes}

    return form


def _dial_action(index: int, seed: str, at: str | None, line: Line) -> dict[str, str]:
    ended = {"DialCallStatus": "completed", "DialCallDuration": "42", "DialBridged": "true",
             "DialCallSid": call_sid(seed + ":leg", index)}  # fmt: skip
    return _caller_step(ended)(index, seed, at, line)


def recording_sid(seed: str, index: int) -> str:
    return "RE" + hashlib.sha256(f"{seed}:recording:{index}".encode()).hexdigest()[:32]


def _recording_completed(index: int, seed: str, at: str | None, _line: Line) -> dict[str, str]:
    """The recording status callback of a voicemail: complete at Twilio, to be fetched."""
    sid = recording_sid(seed, index)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": call_sid(seed, index),
        "RecordingSid": sid,
        "RecordingUrl": url,
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "RecordingStartTime": "Tue, 12 May 2026 08:00:00 +0000",
        "ErrorCode": "0",
        **({"SimulatedAt": at} if at is not None else {}),
    }


# Each step of a call: the path and query Twilio requests ({department}: the line's slug), and
# its form.
STEPS: dict[str, tuple[str, FormMaker]] = {
    "incoming": (
        "/twilio/voice",
        lambda i, seed, at, line: incoming_form(i, seed=seed, at=at, line=line),
    ),
    # The caller pressed 1 at the first menu (a professional).
    "menu": ("/twilio/voice/menu?level=who&try=1", _caller_step({"Digits": "1"})),
    # Then 3 at the second menu (a hospital): the request's referrer type is written, and the
    # referents on duty are rung (who is on a call is read).
    "profession": ("/twilio/voice/menu?level=profession&try=1", _caller_step({"Digits": "3"})),
    "whisper": ("/twilio/voice/whisper?attempt=1&referent=amartin", _referent_leg({})),
    "accept": (
        "/twilio/voice/accept?attempt=1&referent=amartin",
        _referent_leg({"Digits": "1", "FinishedOnKey": ""}),
    ),
    # The <Dial> action once the conversation ended: Twilio names the bridged leg.
    "dialed": ("/twilio/voice/dialed?attempt=1", _dial_action),
    # As Twilio posts to the URL the voicemail's TwiML gave, which names the department.
    "recording": ("/twilio/voice/recording?department={department}", _recording_completed),
    "status": (
        "/twilio/voice/status",
        _caller_step({"CallStatus": "completed", "CallDuration": "57", "Duration": "1"}),
    ),
}


def step_of(name: str, line: Line = LOT) -> tuple[str, LineForm]:
    """A step's path and its form, for calls to this line."""
    path, make_form = STEPS[name]
    return path.format(department=line.slug), lambda i, seed, at: make_form(i, seed, at, line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", choices=sorted(STEPS), default="incoming")
    parser.add_argument("--count", type=int, required=True, help="number of distinct calls")
    parser.add_argument("--first", type=int, default=0, help="index of the first call")
    parser.add_argument("--seed", default="bench", help="names the run's calls (CallSids)")
    parser.add_argument("--public-url", required=True, help="FRONTDOOR_PUBLIC_URL of the server")
    parser.add_argument("--token", required=True, help="TWILIO_AUTH_TOKEN of the server")
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--at", help="ISO 8601 instant of the calls (signed SimulatedAt)")
    parser.add_argument("--line", type=int, help="a copy of the Lot (departments_gen.py)")
    args = parser.parse_args(argv)

    validator = RequestValidator(args.token)
    line = LOT if args.line is None else Line(slug_of(args.line), number_of(args.line))
    path, make_form = step_of(args.step, line)
    url = args.public_url.rstrip("/") + path
    with args.out.open("w", encoding="ascii") as out:
        for index in range(args.first, args.first + args.count):
            form = make_form(index, args.seed, args.at)
            signature = validator.compute_signature(url, form)
            out.write(f"{path}\t{signature}\t{urlencode(form)}\n")
    print(f"{args.count} signed {args.step} webhooks for {url} in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
