"""Twilio's request signature (`X-Twilio-Signature`), checked with one HMAC.

Twilio signs the URL it called followed by every posted parameter, names sorted, each name
followed by each of its distinct values in sorted order (a repeated name signs all its
values), with HMAC-SHA1 keyed by the account's auth token, in base64. This is what twilio's
`RequestValidator.compute_signature` computes from a MultiDict; it is computed here directly
from the posted form, without the library's per-key exception handling, which cost as much
as the rest of a webhook (bench/README.md, "what each change bought").

The URLs accepted are those the library's `validate` accepts, plus the URL as configured
(what Twilio signs in the usual case, tried first): the URL without its port and with the
scheme's default port, since Twilio's own signing is inconsistent about ports. Only text
values are signed (a posted file is no part of a Twilio webhook). The library's `bodySHA256`
rule concerns JSON bodies, which no Twilio webhook of Frontdoor receives: a form is always
checked as a form.

tests/web/test_twilio_signature.py holds this equal to the library on a table of bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlparse


def signed_text(url: str, pairs: Iterable[tuple[str, object]]) -> str:
    """What Twilio signs: the URL, then each name and each of its distinct values, sorted
    (distinct pairs sorted by name then value are exactly that)."""
    texts = {(name, value) for name, value in pairs if isinstance(value, str)}
    return url + "".join([name + value for name, value in sorted(texts)])


def signature_of(token: str, url: str, pairs: Iterable[tuple[str, object]]) -> str:
    """The signature Twilio sends for this URL and these posted pairs."""
    text = signed_text(url, pairs)
    digest = hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url: str) -> tuple[str, ...]:
    """The URLs a signature may have been computed on: as configured, without its port,
    with the scheme's default port (as twilio's RequestValidator.validate tries them)."""
    parsed = urlparse(url)
    if parsed.port:
        without = parsed._replace(netloc=parsed.netloc.split(":")[0]).geturl()
        with_port = parsed.geturl()
    else:
        without = parsed.geturl()
        port = 443 if parsed.scheme == "https" else 80
        with_port = parsed._replace(netloc=f"{parsed.netloc}:{port}").geturl()
    return tuple(dict.fromkeys((url, without, with_port)))


def signature_holds(
    token: str, url: str, pairs: Iterable[tuple[str, object]], signature: str
) -> bool:
    """Whether `signature` is Twilio's for this URL (or a port variant) and these pairs."""
    text = signed_text("", pairs)
    key = token.encode()
    given = signature.encode("utf-8", "surrogateescape")  # a header may hold any bytes

    def signed_for(variant: str) -> bool:
        digest = hmac.new(key, (variant + text).encode(), hashlib.sha1).digest()
        return hmac.compare_digest(base64.b64encode(digest), given)

    return signed_for(url) or any(signed_for(v) for v in url_variants(url)[1:])
