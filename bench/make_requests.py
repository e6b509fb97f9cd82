"""Pre-generate signed Twilio incoming-call webhooks, one distinct call per line.

Each line is `<X-Twilio-Signature>\\t<url-encoded body>`; bench/calls.lua loads the file and
sends each line once. Every line has its own CallSid, so the service does the whole work
(decision, request row, receipt) instead of answering a retry from its stored receipt.

    python bench/make_requests.py --count 100000 --public-url http://127.0.0.1:8080 \\
        --token bench-token --out /tmp/calls.txt
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

VOICE_PATH = "/twilio/voice"
DAC46_NUMBER = "+33536490046"  # the Lot department, flows/dac46.toml
ACCOUNT_SID = "AC" + "0" * 32


def call_form(index: int, at: str | None = None) -> dict[str, str]:
    """The form Twilio posts when a call comes in; index varies the caller's mobile.

    With `at`, the call carries a signed SimulatedAt: the service (run with
    FRONTDOOR_SIMULATED_TIME=true) takes that instant as the time of the call.
    """
    form = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + secrets.token_hex(16),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": f"+336120{index % 100_000:05d}",
        "To": DAC46_NUMBER,
    }
    if at is not None:
        form["SimulatedAt"] = at
    return form


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True, help="number of distinct calls")
    parser.add_argument("--public-url", required=True, help="FRONTDOOR_PUBLIC_URL of the server")
    parser.add_argument("--token", required=True, help="TWILIO_AUTH_TOKEN of the server")
    parser.add_argument("--out", type=Path, required=True, help="file to write")
    parser.add_argument("--at", help="ISO 8601 instant of the calls (signed SimulatedAt)")
    args = parser.parse_args(argv)

    validator = RequestValidator(args.token)
    url = args.public_url.rstrip("/") + VOICE_PATH
    with args.out.open("w", encoding="ascii") as out:
        for index in range(args.count):
            form = call_form(index, args.at)
            signature = validator.compute_signature(url, form)
            out.write(f"{signature}\t{urlencode(form)}\n")
    print(f"{args.count} signed calls for {url} in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
