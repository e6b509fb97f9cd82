"""deploy/nginx/frontdoor.conf: valid for nginx, and Twilio's webhooks survive it.

The shipped file runs on loopback (tests/deploy/nginx.py moves its addresses and paths) in
front of the app, with a certificate for 127.0.0.1 from a test CA.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from frontdoor.departments import Departments
from frontdoor.phone import ClientSessionTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN
from tests.deploy.nginx import (
    SHIPPED,
    Layout,
    Proxy,
    check,
    local_config,
    loopback_certificate,
    needs_nginx,
    write,
)
from tests.ports import free_port
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING, stored

pytestmark = needs_nginx

SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path, Path]:
    return loopback_certificate(tmp_path_factory.mktemp("tls"))


def layout(folder: Path, tls: tuple[trustme.CA, Path, Path], upstreams: list[str]) -> Layout:
    _, certificate, key = tls
    return Layout(
        folder=folder,
        upstreams=upstreams,
        http_port=free_port(),
        https_port=free_port(),
        certificate=certificate,
        key=key,
    )


def test_nginx_accepts_the_shipped_configuration(
    tmp_path: Path, tls: tuple[trustme.CA, Path, Path]
) -> None:
    proxy = layout(tmp_path, tls, ["127.0.0.1:8081", "127.0.0.1:8082"])
    write(proxy)

    result = check(proxy)

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_upstream_balances_without_stickiness_and_passes_requests_untouched() -> None:
    upstream = re.search(r"upstream frontdoor \{(.*?)\n\}", SHIPPED_TEXT, re.DOTALL)
    assert upstream is not None
    directives = [
        line.split()[0] for line in upstream[1].splitlines() if line.strip()[:1] not in "#"
    ]
    assert directives.count("server") >= 2
    assert not {"ip_hash", "hash", "sticky", "least_conn"} & set(directives)
    # proxy_pass without a URI part passes the path and query as Twilio sent them.
    assert set(re.findall(r"proxy_pass (\S+);", SHIPPED_TEXT)) == {"http://frontdoor"}
    assert not re.search(r"^\s*rewrite\b", SHIPPED_TEXT, re.MULTILINE)


def test_the_local_configuration_differs_from_the_shipped_one_only_in_addresses_and_paths(
    tmp_path: Path, tls: tuple[trustme.CA, Path, Path]
) -> None:
    local = local_config(layout(tmp_path, tls, ["127.0.0.1:9001"]))

    kept = {"listen", "server", "ssl_certificate", "ssl_certificate_key", "access_log"}

    def significant(text: str) -> list[str]:
        lines = (line.split("#")[0].strip() for line in text.splitlines())
        return [line for line in lines if line and line.split()[0] not in kept]

    assert significant(local) == significant(SHIPPED_TEXT)


@asynccontextmanager
async def proxied(
    app: web.Application, folder: Path, tls: tuple[trustme.CA, Path, Path], https_port: int
) -> AsyncIterator[tuple[Proxy, aiohttp.ClientSession]]:
    """`app` on loopback behind the shipped proxy, and a client trusting the proxy's certificate."""
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    ca, certificate, key = tls
    proxy = Proxy(
        Layout(
            folder=folder,
            upstreams=[f"127.0.0.1:{server.port}"],
            http_port=free_port(),
            https_port=https_port,
            certificate=certificate,
            key=key,
        )
    )
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        await proxy.start()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
            yield proxy, session
    finally:
        await proxy.stop()
        await server.close()


@pytest.fixture
async def behind_proxy(
    tmp_path: Path,
    tls: tuple[trustme.CA, Path, Path],
    settings: Settings,
    departments: Departments,
) -> AsyncIterator[tuple[Proxy, TwilioPhone, aiohttp.ClientSession, str]]:
    """The app behind the shipped proxy; the phone signs for the proxy's https URL."""
    https_port = free_port()
    public_url = f"https://127.0.0.1:{https_port}"
    app = create_app(settings.model_copy(update={"public_url_setting": public_url}), departments)
    async with proxied(app, tmp_path / "nginx", tls, https_port) as (proxy, session):
        phone = TwilioPhone(
            ClientSessionTransport(session, public_url),
            public_url=public_url,
            auth_token=AUTH_TOKEN,
            simulated_at=TUESDAY_MORNING,
        )
        yield proxy, phone, session, public_url


async def test_what_frontdoor_receives_is_what_twilio_sent(
    tmp_path: Path, tls: tuple[trustme.CA, Path, Path]
) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "raw_path": request.raw_path,
                "host": request.headers.get("Host"),
                "proto": request.headers.get("X-Forwarded-Proto"),
                "signature": request.headers.get("X-Twilio-Signature"),
                "forwarded_for": request.headers.get("X-Forwarded-For"),
                "body": (await request.read()).decode(),
            }
        )

    upstream = web.Application()
    upstream.router.add_route("*", "/{tail:.*}", echo)
    https_port = free_port()
    sent_path = "/twilio/voice/menu?level=who&try=1&x=%2Fa+b%20c%C3%A9&y=%7E"
    body = "CallSid=CA42&Digits=1&SpeechResult=caf%C3%A9+cr%C3%A8me"
    async with proxied(upstream, tmp_path / "nginx", tls, https_port) as (_, session):
        url = URL(f"https://127.0.0.1:{https_port}{sent_path}", encoded=True)
        headers = {
            "X-Twilio-Signature": "n3sdB+7AqBfJ/0dIH0a7kRd3Pd8=",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with session.post(url, data=body.encode(), headers=headers) as response:
            seen = await response.json()

    assert seen == {
        "raw_path": sent_path,  # byte for byte: the signature covers it
        "host": f"127.0.0.1:{https_port}",
        "proto": "https",
        "signature": "n3sdB+7AqBfJ/0dIH0a7kRd3Pd8=",
        "forwarded_for": "127.0.0.1",
        "body": body,
    }


INCOMING = {
    "CallSid": "CA" + "2" * 32,
    "From": NURSE,
    "To": LOT,
    "CallStatus": "ringing",
    "SimulatedAt": TUESDAY_MORNING.isoformat(),  # open hours
}


async def test_a_signed_webhook_with_a_query_passes_the_proxy_and_its_signature_holds(
    behind_proxy: tuple[Proxy, TwilioPhone, aiohttp.ClientSession, str], settings: Settings
) -> None:
    proxy, phone, _, _ = behind_proxy

    incoming = await phone.post("/twilio/voice", INCOMING)
    # A query with characters a proxy could re-encode: the signature covers it as sent.
    menu = await phone.post(
        "/twilio/voice/menu?level=who&try=1&x=%2Fa%20b", {**INCOMING, "Digits": "1"}
    )

    assert incoming.status == 200, incoming.text
    assert "<Gather" in incoming.text
    assert menu.status == 200, menu.text
    [request], _ = await stored(settings)
    assert request.department == "dac46"
    # The proxy logs paths only, never the query.
    logged = await proxy.logged(2)
    assert '"POST /twilio/voice/menu" 200' in logged[1]
    assert not any("%2F" in line or "level=" in line for line in logged)


async def test_a_forged_webhook_is_still_refused_behind_the_proxy(
    behind_proxy: tuple[Proxy, TwilioPhone, aiohttp.ClientSession, str], settings: Settings
) -> None:
    _, _, session, public_url = behind_proxy

    async with session.post(
        public_url + "/twilio/voice", data=INCOMING, headers={"X-Twilio-Signature": "forged"}
    ) as response:
        assert response.status == 403
    assert await stored(settings) == ([], [])


async def test_metrics_are_not_served_through_the_proxy(
    behind_proxy: tuple[Proxy, TwilioPhone, aiohttp.ClientSession, str],
) -> None:
    _, _, session, public_url = behind_proxy

    async with session.get(public_url + "/metrics") as metrics:
        assert metrics.status == 404
    async with session.get(public_url + "/readyz") as ready:
        assert ready.status == 200


async def test_a_body_over_the_cap_is_refused_by_the_proxy(
    behind_proxy: tuple[Proxy, TwilioPhone, aiohttp.ClientSession, str],
) -> None:
    proxy, _, session, public_url = behind_proxy

    async with session.post(public_url + "/twilio/sms", data={"Body": "x" * 300_000}) as response:
        assert response.status == 413
    # nginx answered it, without bothering an instance (no upstream address).
    [line] = await proxy.logged(1)
    assert '"POST /twilio/sms"' in line
    assert " 413 " in line
    assert "upstream=-" in line
