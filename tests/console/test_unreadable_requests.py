"""What the console cannot read is refused as malformed (4xx), never a server error: each case
was a 500 found by tests/fuzz/."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.console.conftest import LOT_COORDINATOR, sign_in

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"text=caf\xe9", FORM, id="latin-1 bytes, no charset"),
        pytest.param(b"text=note", FORM + "; charset=klingon", id="a charset nobody knows"),
        pytest.param(b"text=note%00", FORM, id="a NUL character no text column holds"),
        pytest.param(
            b'--b\r\nContent-Disposition: form-data; name="text"\r\n'
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            id="multipart part not in its charset",
        ),
    ],
)
@pytest.mark.parametrize("csrf_in", ["header", "form"])
async def test_a_form_that_cannot_be_decoded_is_refused_with_400(
    client: TestClient, body: bytes, content_type: str, csrf_in: str
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)
    headers = {**browser.headers, "Content-Type": content_type}
    if csrf_in == "header":
        headers["X-CSRF-Token"] = browser.csrf
    else:
        body = b"csrf=" + browser.csrf.encode() + b"&" + body if FORM in content_type else body

    response = await client.post(
        "/console/demandes/1/notes", data=body, headers=headers, allow_redirects=False
    )

    assert response.status == 400


async def test_a_sign_in_form_that_cannot_be_decoded_is_refused_with_400(
    client: TestClient,
) -> None:
    response = await client.post(
        "/console/connexion", data=b"login=caf\xe9", headers={"Content-Type": FORM}
    )

    assert response.status == 400


@pytest.mark.parametrize(
    "path",
    [
        "/console/demandes/99999999999999999999",
        "/console/demandes/2147483648",
        "/console/annuaire/99999999999999999999",
    ],
)
async def test_an_id_the_store_cannot_hold_is_not_found(client: TestClient, path: str) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)

    assert (await browser.get(path)).status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/console/astreinte/changements/99999999999999999999/suppression",
        "/console/jetons/99999999999999999999/revocation",
    ],
)
async def test_an_id_the_store_cannot_hold_is_not_found_when_posted(
    client: TestClient, path: str
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)

    assert (await browser.post(path)).status == 404


async def test_a_static_file_name_too_long_for_the_file_system_is_not_found(
    client: TestClient,
) -> None:
    response = await client.get("/console/static/" + "a" * 300)

    assert response.status == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # The journal of the whole department, as for any request filter that is no id.
        ("/console/journal?demande=99999999999999999999", 200),
        ("/console/journal?demande=%C2%B2", 200),  # "²": a digit to isdigit(), not to int()
        ("/console/?avant=2026-05-12T10:00:00%2B02:00_99999999999", 400),
        ("/console/?avant=9999-12-31T23:59:59-14:00_1", 400),
        ("/console/?avant=2026-05-12T10:00:00_1", 400),
    ],
)
async def test_a_query_naming_what_the_store_cannot_hold_is_answered_without_error(
    client: TestClient, path: str, status: int
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)

    assert (await browser.get(path)).status == status


async def test_the_live_inbox_refuses_a_position_the_store_cannot_hold(
    client: TestClient,
) -> None:
    browser = await sign_in(client, LOT_COORDINATOR)

    response = await browser.get(
        "/console/flux?departement=dac46&depuis=99999999999",
        headers={"Accept": "text/event-stream"},
    )

    assert response.status == 400
