"""Odd but well-signed traffic for every route the app serves, drawn with Hypothesis.

A `Shot` is one HTTP request, ready to send: method, raw path and query (sent as they are,
never re-quoted), headers and body bytes. The strategies below draw its parts — path ids,
query strings, form fields, JSON documents, encodings, sizes — from tables of what goes wrong
in the field: missing, extra and repeated fields, wrong types, huge values, numbers that are
not E.164, non-UTF-8 bytes, a Content-Type that lies, instants no clock reaches, digits off
the menu, a CallSid reused by another call. Twilio requests are then signed exactly as Twilio
signs them (the public URL plus the raw path and query, and every posted value), so they pass
the signature check and reach the handlers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import web
from hypothesis import strategies as st
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.fuzz.values import (
    API_AUTHORIZATIONS,
    BAD_NUMBERS,
    CONSOLE_FIELDS,
    CORE_SMS,
    CORE_TWILIO,
    DIGITS,
    ENCODINGS,
    GENUINE_QUERY,
    IDS,
    INSTANTS,
    JSON_KEYS,
    MULTIPART_LAST,
    ODD_SIDS,
    PLAUSIBLE,
    QUERY_KEYS,
    RAW_BYTES,
    SIZES,
    TWILIO_FIELDS,
)

FORM = "application/x-www-form-urlencoded"


@dataclass(kw_only=True, frozen=True)
class Route:
    """One route of the app, as its router declares it."""

    method: str
    template: str  # e.g. /api/requests/{request_id}
    handler: Any = field(default=None, compare=False, hash=False, repr=False)

    @property
    def family(self) -> str:
        if self.template.startswith("/twilio/"):
            return "twilio"
        if self.template.startswith("/api/"):
            return "api"
        if self.template.startswith("/console"):
            return "console"
        return "service"


def routes_of(app: web.Application) -> list[Route]:
    """Every route the app serves, sub-applications (the console) included: a new route is
    fuzzed without anyone listing it here."""
    found = {
        Route(method=route.method, template=route.resource.canonical, handler=route.handler)
        for route in app.router.routes()
        if route.resource is not None and route.method != "*"
    }
    for resource in app.router.resources():
        sub = getattr(resource, "_app", None)  # a mounted sub-application
        if isinstance(sub, web.Application):
            found |= {
                Route(method=route.method, template=route.resource.canonical, handler=route.handler)
                for route in sub.router.routes()
                if route.resource is not None
            }
    return sorted(found, key=lambda route: (route.template, route.method))


@dataclass(kw_only=True, frozen=True)
class Shot:
    """One request to send, exactly as it will go on the wire."""

    route: Route
    method: str
    path_qs: str  # already percent-encoded: sent unchanged
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __str__(self) -> str:
        body = "" if self.body is None else f" body[{len(self.body)}]={self.body[:120]!r}"
        path_qs = self.path_qs if len(self.path_qs) < 160 else self.path_qs[:150] + "…"
        return f"{self.method} {path_qs} headers={self.headers}{body}"


odd_text = st.text(max_size=40)
huge_text = st.sampled_from((1_000, 20_000, 100_000)).map(lambda n: "9" * n)


def value_of(name: str) -> st.SearchStrategy[str]:
    """A value for a field: mostly plausible for its name, often not."""
    odd = st.one_of(
        odd_text, st.sampled_from(BAD_NUMBERS), st.sampled_from(IDS), st.sampled_from(INSTANTS)
    )
    if name.endswith("Sid"):
        odd = st.one_of(odd, st.sampled_from(ODD_SIDS))
    if name in PLAUSIBLE:
        likely = st.sampled_from(PLAUSIBLE[name])
        return st.one_of(likely, likely, likely, likely, odd, huge_text)
    return st.one_of(odd, st.sampled_from(DIGITS), huge_text)


def likely_value(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(PLAUSIBLE[name]) if name in PLAUSIBLE else value_of(name)


MUTATIONS = ("none", "drop a field", "odd value", "extra field", "repeat a field")


@st.composite
def fields(draw: st.DrawFn, names: Sequence[str], core: Sequence[str]) -> list[tuple[str, str]]:
    """Form fields: two times in three a nearly genuine request (its core fields plausible,
    one thing off), else core fields often missing or odd, and extra, repeated or unknown ones."""
    if draw(st.integers(0, 2)) < 2:  # Hypothesis favours 0: make it the genuine case
        pairs = [(name, draw(likely_value(name))) for name in core]
        mutation = draw(st.sampled_from(MUTATIONS))
        at = draw(st.integers(0, len(pairs) - 1)) if pairs else 0
        if mutation == "drop a field" and pairs:
            del pairs[at]
        elif mutation == "odd value" and pairs:
            pairs[at] = (pairs[at][0], draw(value_of(pairs[at][0])))
        elif mutation == "extra field":
            name = draw(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12)))
            pairs.append((name, draw(value_of(name))))
        elif mutation == "repeat a field" and pairs:
            pairs.append((pairs[at][0], draw(value_of(pairs[at][0]))))
        return pairs
    kept = [name for name in core if draw(st.integers(0, 7)) < 7]
    pairs = [(name, draw(value_of(name))) for name in kept]
    extra_name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12))
    pairs += [(name, draw(value_of(name))) for name in draw(st.lists(extra_name, max_size=5))]
    return pairs


def path_for(route: Route) -> st.SearchStrategy[str]:
    """The route's path with each {placeholder} replaced by an id, plausible or not."""
    names = re.findall(r"\{(\w+)\}", route.template)
    an_id = st.one_of(st.integers(1, 12).map(str), st.sampled_from(IDS))
    template = route.template
    if route.template.endswith("/static"):
        names, template = ["file"], route.template + "/{file}"
        an_id = st.sampled_from(
            ("console.css", "live.js", "nothing.css", "%2e%2e/secret", "a" * 300)
        )

    @st.composite
    def draw(draw: st.DrawFn) -> str:
        path = template
        for name in names:
            value = draw(an_id)
            path = path.replace("{" + name + "}", value if "%" in value else quote(value, safe=""))
        return path

    return draw()


@st.composite
def query_strings(draw: st.DrawFn, genuine: bool = False) -> str:
    pairs = []
    if genuine and not draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(sorted(GENUINE_QUERY)), unique=True, max_size=3))
        pairs += [(key, draw(st.sampled_from(GENUINE_QUERY[key]))) for key in keys]
    pair = st.sampled_from(QUERY_KEYS).flatmap(lambda key: st.tuples(st.just(key), value_of(key)))
    pairs += draw(st.lists(pair, max_size=3))
    encoded = "&".join(f"{quote(k, safe='')}={quote(v[:2000], safe='')}" for k, v in pairs)
    raw = draw(st.sampled_from(("", "", "", "%FF%FE", "a=%", "=&&=", "x=%zz", "a[]=1&a[]=2")))
    joined = "&".join(part for part in (encoded, raw) if part)
    return "?" + joined if joined else ""


# --- bodies ---------------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class Body:
    data: bytes
    content_type: str | None
    signed_form: dict[str, list[str]]  # what Twilio would have signed


def _urlencode(pairs: Sequence[tuple[str, str]], encoding: str) -> bytes:
    return "&".join(
        f"{quote(k, safe='', encoding=encoding, errors='replace')}="
        f"{quote(v, safe='', encoding=encoding, errors='replace')}"
        for k, v in pairs
    ).encode("ascii")


def _signed(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    signed: dict[str, list[str]] = {}
    for name, value in pairs:
        signed.setdefault(name, []).append(value)
    return signed


def pad_to(body: bytes, target: int, content_type: str | None) -> bytes:
    """`body` grown (or cut) to exactly `target` bytes, staying a valid body of its type."""
    if content_type and content_type.startswith("application/json"):
        filler = b'{"padding": "' + b"x" * max(target - 16, 0) + b'"}'
        return filler[:target]
    pad = b"&Pad=" if body else b"Pad="
    return (body + pad + b"x" * target)[:target]


@st.composite
def form_bodies(
    draw: st.DrawFn,
    names: Sequence[str],
    core: Sequence[str],
    limit: int,
    preset: Sequence[tuple[str, str]] = (),
) -> Body:
    pairs = [*preset, *draw(fields(names, core))]
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding == "latin-1 declared":
        pairs = [(k, v.encode("latin-1", "replace").decode("latin-1")) for k, v in pairs]
        body = Body(
            data=_urlencode(pairs, "latin-1"),
            content_type=FORM + "; charset=ISO-8859-1",
            signed_form=_signed(pairs),
        )
    elif encoding == "latin-1 undeclared":
        raw = "&".join(f"{k}={v}" for k, v in pairs).encode("latin-1", "replace") + b"&x=\xe9"
        body = Body(data=raw, content_type=FORM, signed_form=_signed(pairs))
    elif encoding == "raw bytes":
        body = Body(data=draw(st.sampled_from(RAW_BYTES)), content_type=FORM, signed_form={})
    elif encoding == "unknown charset":
        body = Body(
            data=_urlencode(pairs, "utf-8"),
            content_type=FORM + "; charset=klingon",
            signed_form=_signed(pairs),
        )
    elif encoding == "wrong content type":
        kind = draw(
            st.sampled_from(
                (
                    "text/plain",
                    "application/json",
                    "application/xml",
                    "multipart/form-data",
                    "application/octet-stream",
                )
            )
        )
        body = Body(data=_urlencode(pairs, "utf-8"), content_type=kind, signed_form={})
    elif encoding == "no content type":
        body = Body(data=_urlencode(pairs, "utf-8"), content_type=None, signed_form={})
    elif encoding == "multipart":
        parts = (
            b"".join(
                b'--fuzz\r\nContent-Disposition: form-data; name="'
                + k.encode("utf-8", "replace")
                + b'"\r\n\r\n'
                + v.encode("utf-8", "replace")
                + b"\r\n"
                for k, v in pairs
            )
            + b'--fuzz\r\nContent-Disposition: form-data; name="Body"\r\n'
        )
        parts += draw(st.sampled_from(MULTIPART_LAST))
        body = Body(
            data=parts,
            content_type="multipart/form-data; boundary=fuzz",
            signed_form=_signed(pairs),
        )
    elif encoding == "empty":
        body = Body(data=b"", content_type=FORM, signed_form={})
    else:
        body = Body(data=_urlencode(pairs, "utf-8"), content_type=FORM, signed_form=_signed(pairs))
    return _sized(draw, body, limit)


def _sized(draw: st.DrawFn, body: Body, limit: int) -> Body:
    size = draw(st.sampled_from(SIZES))
    if size is None:
        return body
    target = limit - 1 if size == "just under the limit" else limit + 1
    data = pad_to(body.data, target, body.content_type)
    signed = dict(body.signed_form)
    if (
        body.content_type
        and body.content_type.startswith(FORM)
        and "charset" not in body.content_type
    ):
        signed = {k: list(v) for k, v in signed.items()}
        pad = data[len(body.data) :].decode("ascii").lstrip("&")
        if pad.startswith("Pad="):
            signed.setdefault("Pad", []).append(pad[4:])
    return Body(data=data, content_type=body.content_type, signed_form=signed)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def json_bodies(draw: st.DrawFn, limit: int) -> Body:
    shape = draw(
        st.sampled_from(
            (
                "object",
                "object",
                "object",
                "array",
                "scalar",
                "not json",
                "not utf-8",
                "utf-16",
                "empty",
                "form",
                "huge string",
                "deep",
            )
        )
    )
    keys = st.one_of(st.sampled_from(JSON_KEYS), st.text(max_size=10))
    document: object
    if shape == "object":
        document = draw(st.dictionaries(keys, st.one_of(JSON_VALUES, value_of("body")), max_size=4))
    elif shape == "array":
        document = draw(st.lists(JSON_VALUES, max_size=4))
    elif shape == "scalar":
        document = draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict | list)))
    elif shape == "huge string":
        document = {draw(st.sampled_from(JSON_KEYS)): "é" * draw(st.sampled_from((1000, 100_000)))}
    else:
        raw = {
            "not json": b"{body: nope",
            "not utf-8": b'{"body": "caf\xe9"}',
            "utf-16": '{"body": "x"}'.encode("utf-16"),
            "empty": b"",
            "form": b"body=bonjour",
            "deep": b"[" * 50_000 + b"]" * 50_000,
        }[shape]
        kind = draw(st.sampled_from(("application/json", "text/plain", FORM)))
        return _sized(draw, Body(data=raw, content_type=kind, signed_form={}), limit)
    kind = draw(
        st.sampled_from(
            (
                "application/json",
                "application/json",
                "application/json; charset=latin-1",
                "text/plain",
                None,
            )
        )
    )
    data = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
    return _sized(draw, Body(data=data, content_type=kind, signed_form={}), limit)


# --- shots ----------------------------------------------------------------------------------


def sign(url: str, form: dict[str, list[str]]) -> str:
    """X-Twilio-Signature as Twilio computes it: the URL, then each name and each value."""
    params = MultiDict((name, value) for name, values in form.items() for value in values)
    return RequestValidator(AUTH_TOKEN).compute_signature(url, params)


@st.composite
def shots(draw: st.DrawFn, route: Route, *, limit: int, csrf: str, cookie: str) -> Shot:
    path_qs = draw(path_for(route)) + draw(query_strings(genuine=route.family == "twilio"))
    headers: dict[str, str] = {}
    body: Body | None = None
    family = route.family
    if route.method in ("POST", "PATCH", "PUT"):
        if family == "twilio":
            core = CORE_SMS if route.template.startswith("/twilio/sms") else CORE_TWILIO
            body = draw(form_bodies(TWILIO_FIELDS, core, limit))
        elif family == "api":
            body = draw(json_bodies(limit))
        else:
            preset = [("csrf", csrf)] if draw(st.integers(0, 9)) < 9 else []
            body = draw(form_bodies(CONSOLE_FIELDS, ("referrer_type", "text"), limit, preset))
    if family == "twilio":
        signed = body.signed_form if body else {}
        headers["X-Twilio-Signature"] = sign(PUBLIC_URL + path_qs, signed)
    if family == "api":
        authorization = draw(st.sampled_from(API_AUTHORIZATIONS))
        if authorization:
            headers["Authorization"] = authorization
    if family == "console":
        if draw(st.integers(0, 9)) < 9:
            headers["Cookie"] = f"frontdoor_session={cookie}"
        if draw(st.integers(0, 3)) == 3:
            headers["X-CSRF-Token"] = draw(st.sampled_from((csrf, "", "forged")))
        if draw(st.integers(0, 5)) == 5:
            headers["Origin"] = draw(st.sampled_from(("null", "https://evil.example", PUBLIC_URL)))
    if body is not None and body.content_type:
        headers["Content-Type"] = body.content_type
    return Shot(
        route=route,
        method=route.method,
        path_qs=path_qs,
        headers=headers,
        body=None if body is None else body.data,
    )
