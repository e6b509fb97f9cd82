"""Frontdoor's own signature check accepts and refuses exactly what twilio's library does.

The reference is the check webhooks ran before (twilio's RequestValidator: the URL as
configured, else `validate`, which tries it without and with its port), given the posted
form as a MultiDict, as the library reads Flask's.
"""

from __future__ import annotations

import pytest
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from frontdoor.kit.twilio_signature import signature_holds, signature_of, signed_text

TOKEN = "12345678901234567890123456789012"

BODIES = {
    "incoming call": [
        ("AccountSid", "AC" + "0" * 32),
        ("CallSid", "CA" + "1" * 32),
        ("From", "+33612345678"),
        ("To", "+33536490046"),
        ("CallStatus", "ringing"),
        ("FromCity", ""),
        ("CallerCountry", "FR"),
    ],
    "no parameters": [],
    "empty values": [("Digits", ""), ("FinishedOnKey", ""), ("CallerZip", "")],
    "a repeated key, values out of order": [("Digits", "2"), ("Digits", "1"), ("To", "+33")],
    "a repeated key with the same value twice": [("Digits", "1"), ("Digits", "1")],
    "a key repeated with an empty value": [("Digits", ""), ("Digits", "9")],
    "unicode names and values": [
        ("CallerName", "Élodie Dupré"),
        ("Body", "Bonjour, c'est urgent 🙂"),
        ("Ünïcode", "ß"),
    ],
    "names that sort by code point": [("a", "1"), ("B", "2"), ("_", "3"), ("Z", "4")],
    "values that join ambiguously": [("ab", "c"), ("a", "bc")],
}
URLS = {
    "https, no port": "https://frontdoor.example.fr/twilio/voice",
    "https, default port": "https://frontdoor.example.fr:443/twilio/voice",
    "http, other port": "http://127.0.0.1:8080/twilio/voice/menu?level=who&try=1",
    "http, no port, query": "http://frontdoor.bench.invalid/twilio/voice/dialed?attempt=2",
    "a path with escapes": "https://frontdoor.example.fr/twilio/voice/menu?level=qui%20%C3%A9",
    "a trailing question mark": "https://frontdoor.example.fr/twilio/voice?",
}


def _library_accepts(url: str, pairs: list[tuple[str, str]], signature: str) -> bool:
    validator = RequestValidator(TOKEN)
    form = MultiDict(pairs)
    return validator.compute_signature(url, form) == signature or validator.validate(
        url, form, signature
    )


def _signatures(url: str, pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Signatures a request might carry: right for some URL variant or body, or forged."""
    validator = RequestValidator(TOKEN)
    form = MultiDict(pairs)
    no_port = url.replace(":443/", "/").replace(":8080/", "/")
    with_port = url.replace(".fr/", ".fr:443/").replace(".invalid/", ".invalid:80/")
    return {
        "for the URL": validator.compute_signature(url, form),
        "for the URL without its port": validator.compute_signature(no_port, form),
        "for the URL with the default port": validator.compute_signature(with_port, form),
        "for the URL with another port": validator.compute_signature(
            url.replace("/twilio", ":8443/twilio", 1), form
        ),
        "with the last value only": validator.compute_signature(url, dict(pairs)),
        "with another token": RequestValidator("x" * 32).compute_signature(url, form),
        "for another body": validator.compute_signature(url, MultiDict([*pairs, ("x", "y")])),
        "missing": "",
        "not base64": "é?not-a-signature",
    }


@pytest.mark.parametrize("pairs", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_the_signature_computed_is_the_librarys(url: str, pairs: list[tuple[str, str]]) -> None:
    assert signature_of(TOKEN, url, pairs) == RequestValidator(TOKEN).compute_signature(
        url, MultiDict(pairs)
    )


@pytest.mark.parametrize("pairs", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_what_is_accepted_and_refused_is_what_the_library_accepts_and_refuses(
    url: str, pairs: list[tuple[str, str]]
) -> None:
    for case, signature in _signatures(url, pairs).items():
        assert signature_holds(TOKEN, url, pairs, signature) == _library_accepts(
            url, pairs, signature
        ), case


def test_a_posted_file_is_not_signed() -> None:
    pairs: list[tuple[str, object]] = [("Digits", "1"), ("Upload", object())]
    assert signed_text("https://x/", pairs) == "https://x/Digits1"
