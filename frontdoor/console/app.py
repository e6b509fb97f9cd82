"""The console: a sub-application mounted at /console, with its own guard middleware."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import aiohttp_jinja2
import jinja2
from aiohttp import web

from frontdoor.console import (
    absences,
    audit_page,
    browser_phone,
    contacts,
    directory_pages,
    duty,
    event_subscriptions,
    follow_ups,
    inbox,
    indicators_page,
    manual_requests,
    oidc,
    person_page,
    person_rights,
    persons,
    repeats,
    request_mail,
    request_page,
    request_persons,
    request_search,
    responses,
    sent_page,
    sign_in,
    team,
    tokens,
    transfer_page,
)
from frontdoor.console.auth import console_guard
from frontdoor.console.error_pages import error_pages
from frontdoor.console.formats import full_moment, written_number, written_phone
from frontdoor.console.headers import add_security_headers
from frontdoor.console.labels import (
    CALLBACK_OUTCOMES,
    CHANNELS,
    OUTBOX_STATUSES,
    OUTCOMES,
    REFERRER_SOURCES,
    REFERRER_TYPES,
    STATUSES,
    TASK_STATUSES,
    label,
    name_of,
)

ROUTE_MODULES = (
    sign_in,
    oidc,
    inbox,
    request_search,
    request_page,
    transfer_page,
    manual_requests,
    request_mail,
    request_persons,
    person_page,
    repeats,
    responses,
    follow_ups,
    duty,
    absences,
    team,
    directory_pages,
    indicators_page,
    audit_page,
    persons,
    person_rights,
    contacts,
    tokens,
    event_subscriptions,
    sent_page,
    browser_phone,
)


def console_app(templates_dir: Path) -> web.Application:
    # The error pages outside the guard: they dress its refusals as well as the handlers'.
    console = web.Application(middlewares=[error_pages, console_guard])
    console[oidc.PROVIDERS] = oidc.Providers()
    pages = templates_dir / "console"
    environment = aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(pages),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=COMPILED_PAGES,
    )
    environment.globals["static"] = _static_urls(pages / "static")
    environment.globals["moment"] = lambda moment, timezone: full_moment(moment, timezone=timezone)
    environment.globals["labels"] = SimpleNamespace(
        channel=lambda code: label(CHANNELS, code),
        status=lambda code: label(STATUSES, code),
        outcome=lambda code: label(OUTCOMES, code),
        referrer_source=lambda code: label(REFERRER_SOURCES, code),
        callback_outcome=lambda code: label(CALLBACK_OUTCOMES, code),
        task_status=lambda code: label(TASK_STATUSES, code),
        referrer=lambda code: label(REFERRER_TYPES, code),
        outbox_status=lambda code: label(OUTBOX_STATUSES, code),
    )
    environment.globals["number"] = written_number  # a caller's: "numéro masqué" if withheld
    environment.globals["phone"] = written_phone  # a resource's, as typed unless E.164
    environment.globals["name_of"] = name_of
    for module in ROUTE_MODULES:
        for method, path, handler in module.ROUTES:
            console.router.add_route(method, path, handler)
    # Twilio's Voice SDK, built from npm into its own folder (settings.voice_sdk_dir).
    console.router.add_get(browser_phone.SDK_PATH, browser_phone.voice_sdk)
    console.router.add_static("/static/", pages / "static")
    console.on_response_prepare.append(add_security_headers)
    return console


class _CompiledPages(jinja2.BytecodeCache):
    """The console's templates compiled once per process, whichever console app renders them
    first (a process may build several: the tests build one per test). Jinja checks each entry
    against its template's source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_PAGES = _CompiledPages()


def _static_urls(folder: Path) -> Callable[[str], str]:
    """URLs of the console's own CSS and JS, versioned by content so browsers never keep an
    old copy after an upgrade."""
    versions = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in folder.iterdir()
        if path.is_file()
    }

    def url(name: str) -> str:
        return f"/console/static/{name}?v={versions[name]}"

    return url
