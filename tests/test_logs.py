"""Logs: every line carries its request's id, JSON on demand, and numbers or addresses are
masked whoever wrote them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from frontdoor.logs import (
    MASKED_MAIL,
    MASKED_PHONE,
    MAX_LINE,
    REQUEST_ID_HEADER,
    JsonFormatter,
    MaskingFilter,
    PathOnlyAccessLogger,
    mask,
    request_ids,
    traceback_without_messages,
)
from tests.service_log import service_log_at


@pytest.mark.parametrize(
    "text",
    [
        "appel de +33612345678 reçu",
        "appel de 06 12 34 56 78 reçu",
        "appel de 06.12.34.56.78 reçu",
        "appel de 0033612345678 reçu",
        "courriel de dr.roux@chu-toulouse.fr reçu",
    ],
)
def test_numbers_and_addresses_are_masked(text: str) -> None:
    masked = mask(text)

    assert masked.endswith(" reçu")
    assert "masqué" in masked
    assert not any(part in masked for part in ("612345678", "12 34", "roux@"))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("appel de +33 (0)6 12 34 56 78 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de (+33) 6 12 34 56 78 reçu", f"appel de ({MASKED_PHONE} reçu"),
        ("appel de 06/12/34/56/78 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de +33/6/12/34/56/78 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de 06\u00a012\u00a034\u00a056\u00a078 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de 06\u202f12\u202f34\u202f56\u202f78 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de +33\u202f6\u202f12\u202f34\u202f56\u202f78 reçu",
         f"appel de {MASKED_PHONE} reçu"),
        ("appel de 33612345678 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de From=%2B33611223344&To=%2b33565000000 reçu",
         f"appel de From={MASKED_PHONE}&To={MASKED_PHONE} reçu"),
        ("appel de %2B33%206%2012%2034%2056%2078 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("appel de CA+33611223344 reçu", f"appel de CA{MASKED_PHONE} reçu"),
        ("appel de +1 (555) 123-4567 reçu", f"appel de {MASKED_PHONE} reçu"),
        ("courriel de jeanne%40cabinet.fr reçu", f"courriel de {MASKED_MAIL} reçu"),
        ("INS 241034604200192 reçu", f"INS {MASKED_PHONE} reçu"),
        ("INS 2 41 03 46 042 001 92 reçu", f"INS {MASKED_PHONE} reçu"),
        ("INS 2.41.03.46.042.001.92 reçu", f"INS {MASKED_PHONE} reçu"),
        ("NIR 2410346042001 reçu", f"NIR {MASKED_PHONE} reçu"),
        ("NIR 1 85 05 2A 004 001 23 reçu", f"NIR {MASKED_PHONE} reçu"),
    ],
)  # fmt: skip
def test_numbers_however_written_and_nirs_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "request 12345 taken at 2026-05-12 10:00:00.123456",
        "POST /twilio/voice 200 12.5 ms",
        "call CA0012345678901234567890123456789012 ended",
        "listening on 127.0.0.1:8080",
        "POST /console/demandes/12/notes 303 4.2 ms [a1b2c3d4e5f60718]",
        "request id 1234567890123456, 3 rows in 1234 ms, 500",  # an id of 16 digits
        "le 01/02/2026 10:30, puis 2026-05-12T10:00:00+02:00",
        "aiohttp 3.14.5 on 192.168.100.200",
    ],
)
def test_ids_times_and_addresses_of_machines_stay_readable(text: str) -> None:
    assert mask(text) == text


def log_lines(formatter: logging.Formatter, emit: object) -> list[str]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger("frontdoor.test_logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        emit(logger)  # type: ignore[operator]
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().splitlines()


def test_json_lines_say_when_what_and_for_which_request() -> None:
    [line] = log_lines(
        JsonFormatter(), lambda log: log.warning("SMS to %s refused", "+33699887766")
    )

    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "frontdoor.test_logs"
    assert record["message"] == "SMS to [numéro masqué] refused"
    assert record["request_id"] == "-"  # outside any request


async def test_each_request_gets_an_id_its_lines_carry_and_its_answer_returns(
    aiohttp_client: object,
) -> None:
    seen: list[str] = []

    async def handler(_request: web.Request) -> web.Response:
        seen.extend(log_lines(JsonFormatter(), lambda log: log.info("working")))
        return web.Response(text="ok")

    app = web.Application(middlewares=[request_ids])
    app.router.add_get("/", handler)
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]

    fresh = await client.get("/")
    given = await client.get("/", headers={REQUEST_ID_HEADER: "proxy-given-id-1234"})
    odd = await client.get("/", headers={REQUEST_ID_HEADER: "<script>"})

    ids = [json.loads(line)["request_id"] for line in seen]
    assert ids[0] == fresh.headers[REQUEST_ID_HEADER]
    assert ids[1] == given.headers[REQUEST_ID_HEADER] == "proxy-given-id-1234"
    assert odd.headers[REQUEST_ID_HEADER] != "<script>"
    assert len(set(ids)) == 3


def test_a_traceback_is_masked_in_text_lines_too() -> None:
    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError("no department for +33699887766 (dr.roux@chu-toulouse.fr)")
        except ValueError:
            log.exception("webhook failed")

    text = "\n".join(log_lines(logging.Formatter("%(message)s"), fail))

    assert "ValueError" in text
    assert "699887766" not in text
    assert "roux@" not in text


NAME = "Jocelyne Personnelle"


@pytest.fixture
def service_log() -> Callable[[], str]:
    """The service's logging at its most talkative; what it wrote so far."""
    return service_log_at("DEBUG")


def test_below_warning_no_library_writes_whatever_the_level(
    service_log: Callable[[], str],
) -> None:
    mail = f"* 1 FETCH (BODY[] {{42}}\r\nFrom: {NAME}\r\nSubject: Sortie de Mme X)"
    for library in ("aioimaplib.aioimaplib", "some.new.library", "aiohttp.server"):
        logging.getLogger(library).debug("Received : %s", mail)
        logging.getLogger(library).info("ignored untagged response : %s", mail)
    logging.getLogger("aioimaplib.aioimaplib").warning("connection lost")
    logging.getLogger("frontdoor.mailbox.intake").debug("mailbox polled")
    logging.getLogger("aiohttp.access").info("GET /console/ 200 1.0 ms [-]")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0036 -> 0037")

    written = service_log()

    assert "Sortie" not in written
    assert NAME not in written
    assert "WARNING aioimaplib.aioimaplib [-]: connection lost" in written
    assert "DEBUG frontdoor.mailbox.intake [-]: mailbox polled" in written
    assert "GET /console/ 200" in written
    assert "Running upgrade" in written


BORN = "1941-03-02"


def a_database_error() -> Exception:
    """An error as SQLAlchemy raises one: the driver's, quoting a key, under its own, quoting
    the statement's parameters."""
    try:
        try:
            raise KeyError(f"Key (family_name)=({NAME}) already exists.")
        except KeyError as driver:
            raise RuntimeError(
                f"INSERT INTO persons [parameters: ('{NAME}', '{BORN}')]"
            ) from driver
    except RuntimeError as error:
        return error


def test_an_exception_is_logged_as_its_types_and_frames_never_its_messages() -> None:
    error = a_database_error()

    def fail(log: logging.Logger) -> None:
        log.error("task failed: %r", error, exc_info=error)  # as asyncio quotes an exception

    for formatter in (logging.Formatter("%(message)s"), JsonFormatter()):
        text = "\n".join(log_lines(formatter, fail))

        assert NAME not in text
        assert BORN not in text
        assert "task failed: RuntimeError" in text
        assert "KeyError: [message masqué]" in text
        assert "RuntimeError: [message masqué]" in text
        assert "a_database_error" in text  # where it was raised
    assert "direct cause" in traceback_without_messages(error)


async def test_aiohttps_own_error_line_names_the_exception_without_its_message(
    aiohttp_client: object,
) -> None:
    async def fail(_request: web.Request) -> web.Response:
        raise a_database_error()

    app = web.Application()  # without the service's middlewares: aiohttp logs the failure
    app.router.add_get("/", fail)
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    written = service_log_at("INFO")

    assert (await client.get("/")).status == 500

    assert "ERROR aiohttp.server" in written()
    assert "RuntimeError: [message masqué]" in written()
    assert NAME not in written()


def test_an_endless_line_is_cut_between_words_before_it_is_masked() -> None:
    masked = mask("appel " + "de +33612345678 " * 5000)

    assert len(masked) < 2 * MAX_LINE  # a masked number is a few characters longer
    assert "characters cut]" in masked
    assert "3361" not in masked  # no half number left at the cut


PERSONAL = "Jocelyne-Personnelle-0699887766-"


@pytest.fixture
async def logged(aiohttp_client: object) -> AsyncIterator[tuple[TestClient, io.StringIO]]:
    """A service with the access log on, and what its lines say once masked."""

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(middlewares=[request_ids])
    app.router.add_get("/console/{rest:.*}", ok)
    server = TestServer(app)  # TestServer drops runner options: they go to start_server
    await server.start_server(access_log_class=PathOnlyAccessLogger)
    client: TestClient = await aiohttp_client(server)  # type: ignore[operator]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    for name in ("aiohttp.access", "aiohttp.server"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield client, stream
    for name in ("aiohttp.access", "aiohttp.server"):
        logging.getLogger(name).removeHandler(handler)


async def test_a_long_path_is_logged_as_its_first_segment_and_its_length(
    logged: tuple[TestClient, io.StringIO],
) -> None:
    client, lines = logged
    path = "/console/annuaire/" + PERSONAL * 20

    assert (await client.get(path)).status == 200

    assert f"GET /console/… ({len(path)} characters) 200" in lines.getvalue()
    assert "Jocelyne" not in lines.getvalue()


async def test_a_request_line_over_8_kb_is_logged_without_its_head(
    logged: tuple[TestClient, io.StringIO],
) -> None:
    client, lines = logged

    refused = await client.get("/console/annuaire?q=" + PERSONAL * 300)

    assert refused.status == 400
    text = lines.getvalue()
    assert "refused an unreadable HTTP request: LineTooLong (400): over 8190 bytes" in text
    assert "/console/…" in text
    assert "Jocelyne" not in text
    assert "annuaire" not in text
