"""Logging set-up: what the service logs, how, and what must never be logged.

Callers' numbers, names and messages are health data. Frontdoor's own lines name requests by
id; some libraries, at their debug level, write SQL parameters or HTTP bodies — which hold
exactly that data — so they are held at WARNING whatever level the operator asks for. As a
last line of defence, anything shaped like a phone number or a mail address is masked in
every line, whoever wrote it.

Each line carries the id of the HTTP request it belongs to (also sent back as X-Request-Id),
so that one call's or one page's lines can be found together, in text or in JSON.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

# Loggers that print query parameters, request forms or mail contents below WARNING.
CHATTY_WITH_DATA = ("aiosqlite", "sqlalchemy.engine", "twilio.http_client", "aiosmtplib", "asyncpg")

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-Id"
# An id a proxy already gave is kept if it looks like one; anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# Phone numbers (E.164 or French national) and mail addresses, wherever they appear.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d[\d .-]{7,16}\d|(?<!\w)0[1-9](?:[ .-]?\d{2}){4}(?!\w)")
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MASKED_PHONE, MASKED_MAIL = "[numéro masqué]", "[adresse masquée]"

LogFormat = Literal["text", "json"]


def mask(text: str) -> str:
    return _MAIL.sub(MASKED_MAIL, _PHONE.sub(MASKED_PHONE, text))


class MaskingFilter(logging.Filter):
    """Masks numbers and addresses, and stamps the request id, on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    hold_back_libraries()


def hold_back_libraries() -> None:
    for name in CHATTY_WITH_DATA:
        logging.getLogger(name).setLevel(logging.WARNING)


@web.middleware
async def request_ids(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = given if _SANE_ID.fullmatch(given) else secrets.token_hex(8)
    token = REQUEST_ID.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as answer:
        answer.headers[REQUEST_ID_HEADER] = request_id
        raise
    finally:
        REQUEST_ID.reset(token)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


class PathOnlyAccessLogger(AbstractAccessLogger):
    """The access log: method, path, status and time, never the query string, which can
    carry a number or a name (the console's searches)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1f ms [%s]",
            request.method,
            request.path,
            response.status,
            time * 1000,
            response.headers.get(REQUEST_ID_HEADER, "-"),
        )
