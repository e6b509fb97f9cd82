"""The reference the benchmark compares Frontdoor with: a bare aiohttp incoming-call handler.

It parses the form and answers constant TwiML of the same shape as Frontdoor's open-hours
answer (greeting, Gather around the first menu, Redirect): no database, no decision.
With --signed it also checks X-Twilio-Signature with twilio's RequestValidator, as Frontdoor
does, to show what the library's check alone costs. One process, like `frontdoor serve`.

    python bench/bare_server.py --port 8081 [--signed --public-url URL --token TOKEN]
"""

from __future__ import annotations

import argparse
import sys

from aiohttp import web
from twilio.request_validator import RequestValidator

VOICE_PATH = "/twilio/voice"
SAY = '<Say language="fr-FR" voice="Polly.Lea">'
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    f"{SAY}Bonjour, vous êtes bien au DAC du Lot, le dispositif d'appui à la coordination "
    "des parcours de santé.</Say>"
    '<Gather numDigits="1" timeout="6" method="POST" '
    'action="/twilio/voice/menu?level=who&amp;try=1">'
    f"{SAY}Si vous êtes un professionnel, tapez 1. Si vous êtes un patient, tapez 2. "
    "Si vous êtes un proche ou un aidant, tapez 3.</Say></Gather>"
    '<Redirect method="POST">/twilio/voice/menu?level=who&amp;try=1</Redirect></Response>'
)


def create_app(*, signed: bool, public_url: str, token: str) -> web.Application:
    validator = RequestValidator(token)
    base = public_url.rstrip("/")

    async def incoming_call(request: web.Request) -> web.Response:
        posted = await request.post()
        form = {key: value for key, value in posted.items() if isinstance(value, str)}
        if signed and not validator.validate(
            base + request.raw_path, form, request.headers.get("X-Twilio-Signature", "")
        ):
            raise web.HTTPForbidden(text="invalid signature")
        return web.Response(text=TWIML, content_type="text/xml")

    app = web.Application()
    app.router.add_post(VOICE_PATH, incoming_call)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--signed", action="store_true", help="check X-Twilio-Signature too")
    parser.add_argument("--public-url", default="", help="base URL the signatures were made for")
    parser.add_argument("--token", default="", help="auth token the signatures were made with")
    args = parser.parse_args(argv)
    if args.signed and not (args.public_url and args.token):
        parser.error("--signed needs --public-url and --token")
    app = create_app(signed=args.signed, public_url=args.public_url, token=args.token)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
