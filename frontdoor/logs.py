"""Logging set-up: what the service logs, how, and what must never be logged.

Callers' numbers, names and messages are health data. Frontdoor's own lines name requests by
id; some libraries, at their debug level, write SQL parameters or HTTP bodies — which hold
exactly that data (aioimaplib, every IMAP line of a mail: its sender, subject, body and
attachments) — so no library writes below WARNING, whatever level the operator asks for
(`LibrariesAtWarning`). An exception is logged as its type and where it was raised, never its
message: SQLAlchemy's quotes the statement's parameters, asyncpg's the key's values
(`traceback_without_messages`). As a last line of defence, anything shaped like a phone
number (however written: spaces, slashes, brackets, URL-encoded), a mail address or a NIR is
masked in every line, whoever wrote it.

Each line carries the id of the HTTP request it belongs to (also sent back as X-Request-Id),
so that one call's or one page's lines can be found together, in text or in JSON.

Masking runs on the event loop, for every line: its patterns are linear (no backtracking
over a long run of letters, tests/test_regex_linear.py) and a line is cut at MAX_LINE
characters. A path over MAX_PATH characters is logged as its first segment and its length;
a request aiohttp refuses before routing it (a request line over 8 KB, a malformed header)
as its kind only, never the head aiohttp quotes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong
from aiohttp.web import BaseRequest, StreamResponse

from frontdoor.core.failures import failure_codes

# Loggers that print query parameters, request forms or mail contents below WARNING; aiosmtpd's
# ("mail.log") writes the SMTP dialogue of the development mode's stand-in (frontdoor.standins).
# Set to WARNING, their lines are not even made; any other library's are dropped by the handler
# (LibrariesAtWarning).
CHATTY_WITH_DATA = (
    "aiosqlite", "sqlalchemy.engine", "twilio.http_client", "aiosmtplib", "asyncpg", "mail.log",
)  # fmt: skip
# The loggers heard below WARNING: the service's own, the access log (PathOnlyAccessLogger:
# method, path, status, time) and the migrations `frontdoor migrate` runs (revision ids).
HEARD_BELOW_WARNING = ("frontdoor", "aiohttp.access", "alembic.runtime.migration")

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "X-Request-Id"
# An id a proxy already gave is kept if it looks like one; anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# Phone numbers, NIRs and mail addresses, wherever they appear, in a line first made plain:
# any space (no-break, narrow no-break, thin…) a space, and the URL encodings of "+", "@" and
# " " decoded. Each alternative runs a bounded length from one character, which it consumes
# before it looks behind it: `re` then skips to the next such character instead of trying
# every alternative at every position (five times faster on a line with few numbers).
_SPACES = str.maketrans(dict.fromkeys("\u00a0\u1680\u202f\u205f\u3000" + "".join(
    chr(code) for code in range(0x2000, 0x200B)), " "))  # fmt: skip
_ENCODED = re.compile(r"%(?:2[Bb]|40|20)")
_DECODED = {"%2B": "+", "%2b": "+", "%40": "@", "%20": " "}
_PHONE = re.compile(
    "|".join((
        # International, even glued to letters ("CA+33611223344"): +33 6 12 34 56 78,
        # +33 (0)6 12 34 56 78, (+33) 6 12 34 56 78, +1 (555) 123-4567, +33/6/12/34/56/78.
        r"\+(?<!\+\+)\d[\d .()/-]{7,20}\d",
        # 0033 6 12 34 56 78; not inside a word (a CallSid is CA and 32 hexadecimal digits).
        r"00(?<![\w+]00)\d[\d .()/-]{7,20}\d",
        r"33(?<![\w+]33)[1-9]\d{8}(?!\w)",  # a French number with 33 but without its +
        # National: 06 12 34 56 78, 06.12.34.56.78, 0612345678, 06/12/34/56/78 (slashes
        # throughout: 01/02/2026 10:30 is a date and an hour).
        r"0(?<!\w0)[1-9](?:[ .-]?\d{2}){4}(?!\w)",
        r"0(?<!\w0)[1-9](?:/\d{2}){4}(?!\w)",
    ))
)  # fmt: skip
# A NIR or NIA (the INS matricule), with or without its key, grouped or not: 241034604200192,
# 2 41 03 46 042 001 92, 2.41.03.46.042.001.92, 1 85 05 2A 004 001.
_NIR = re.compile(
    r"[1-478](?<![\w.][1-478])[ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ABab])[ .]?\d{3}[ .]?\d{3}"
    r"(?:[ .]?\d{1,2})?(?!\w)"
)
# A mail's local part starts where a run of its characters starts (the lookbehind): tried from
# every character of a long run instead, the pattern took seconds per 8 KB line.
_MAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MASKED_PHONE, MASKED_MAIL = "[numéro masqué]", "[adresse masquée]"
MASKED_MESSAGE = "[message masqué]"
# Longest log line (message or traceback) kept, and longest path the access log writes.
MAX_LINE = 20_000
MAX_PATH = 300
# A path's first segment as the log may show it: one of the service's own words.
_ROUTE_WORD = re.compile(r"[a-z][a-z0-9_-]{0,30}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

LogFormat = Literal["text", "json"]


def mask(text: str) -> str:
    plain = _cut(text).translate(_SPACES)
    if "%" in plain:
        plain = _ENCODED.sub(lambda code: _DECODED[code[0]], plain)
    return _MAIL.sub(MASKED_MAIL, _PHONE.sub(MASKED_PHONE, _NIR.sub(MASKED_PHONE, plain)))


def _cut(text: str) -> str:
    """At most MAX_LINE characters, cut before the word the limit falls in (half a number
    would not be masked)."""
    if len(text) <= MAX_LINE:
        return text
    kept = text[:MAX_LINE].rsplit(maxsplit=1)[0] if " " in text[:MAX_LINE] else ""
    return f"{kept} … [{len(text) - len(kept)} characters cut]"


def loggable_path(path: str) -> str:
    """`path`, or when it is long, its first segment (if one of the service's words) and its
    length: a long URL is someone's data or an attack, and its head is not for the log."""
    if len(path) <= MAX_PATH:
        return path
    return f"{_first_segment(path)} ({len(path)} characters)"


def _first_segment(path: str) -> str:
    first = path.split("?", 1)[0].split("/", 2)[1] if path.startswith("/") else ""
    return f"/{first}/…" if _ROUTE_WORD.fullmatch(first) else "/…"


class LibrariesAtWarning(logging.Filter):
    """Below WARNING, only the lines of HEARD_BELOW_WARNING: a library's debug and info lines
    are what it sends and receives (a mail's IMAP lines, a statement's parameters, a form)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or _heard(record.name)


def _heard(name: str) -> bool:
    return any(name == heard or name.startswith(heard + ".") for heard in HEARD_BELOW_WARNING)


class MaskingFilter(logging.Filter):
    """Masks numbers and addresses, and exceptions' messages, and stamps the request id, on
    every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], HttpProcessingError):
            _without_the_request(record, record.exc_info[1])
        message = written = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            # A message that quotes the exception ("Task exception was never retrieved …
            # exception=IntegrityError('…')") quotes its type alone.
            message = _without_exception_texts(message, record.exc_info[1])
        masked = mask(message)
        if masked != written:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            # Written here, so that every handler's formatter writes it, even one that
            # formatted the record before this filter ran.
            record.exc_text = traceback_without_messages(record.exc_info[1])
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        record.request_id = REQUEST_ID.get()
        return True


def traceback_without_messages(error: BaseException) -> str:
    """Where an exception was raised and through which calls, as Python prints it, with each
    exception of its chain named by its type (and its SQLSTATE, SQLite error or errno) but
    never its message: SQLAlchemy's quotes the statement's parameters, asyncpg's the values
    of a key, a KeyError its key — names, birth dates, an INS."""
    parts: list[str] = []
    for link, then in _chain(error):
        if link.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(f"{exception_kind(link)}{': ' + MASKED_MESSAGE if _said(link, str) else ''}\n")
        if isinstance(link, BaseExceptionGroup):
            parts.append(f"  with {', '.join(exception_kind(one) for one in link.exceptions)}\n")
        parts.append(then)
    return "".join(parts).rstrip("\n")


def _said(error: BaseException, how: Callable[[object], str]) -> str:
    """str() or repr() of an exception, or nothing if it fails: a filter that raised would
    raise into the code that logs."""
    try:
        return how(error)
    except Exception:  # noqa: BLE001  (an exception's own __str__ that fails)
        return ""


_CAUSED = "\nThe above exception was the direct cause of the following exception:\n\n"
_DURING = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _chain(error: BaseException) -> list[tuple[BaseException, str]]:
    """The exceptions of `error`'s chain, the first raised first, each with what links it to
    the next."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    then = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, then))
        if current.__cause__ is not None:
            current, then = current.__cause__, _CAUSED
        elif current.__context__ is not None and not current.__suppress_context__:
            current, then = current.__context__, _DURING
        else:
            current = None
    return chain[::-1]


def exception_kind(error: BaseException) -> str:
    """The exception's type, with what says what went wrong without quoting data
    (frontdoor.core.failures.failure_codes): a database's SQLSTATE (asyncpg), SQLite's error name,
    an OS error's errno, an HTTP status, Twilio's or an SMTP server's code."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    codes = failure_codes(error)
    return f"{name} [{', '.join(codes)}]" if codes else name


def _without_exception_texts(message: str, error: BaseException) -> str:
    for link, _then in _chain(error):
        for text in (_said(link, repr), _said(link, str)):
            if len(text) >= 4 and text in message:
                message = message.replace(text, exception_kind(link))
    return message


def _without_the_request(record: logging.LogRecord, error: HttpProcessingError) -> None:
    """aiohttp refused a request it could not parse, and quotes its head (the request line's
    first 100 bytes: a path, a query with a name): only the kind of refusal is logged."""
    what = f"{type(error).__name__} ({error.code})"
    head = error.args[0] if error.args else None
    if isinstance(error, LineTooLong) and isinstance(head, bytes | bytearray):
        # The C parser quotes the path alone, the Python one the whole request line.
        method, _, path = bytes(head).decode("latin-1").rpartition(" ")
        if path.startswith("/") and (not method or method in _METHODS):
            what += (
                f": over {error.args[1]} bytes, {method or 'request for'} {_first_segment(path)}"
            )
    record.msg, record.args = "refused an unreadable HTTP request: %s", (what,)
    record.exc_info, record.exc_text = None, None


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
        if record.exc_text:  # the traceback without messages, masked (MaskingFilter)
            line["exception"] = record.exc_text
        elif record.exc_info and record.exc_info[1] is not None:
            line["exception"] = mask(traceback_without_messages(record.exc_info[1]))
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, log_format: LogFormat = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(LibrariesAtWarning())
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
            loggable_path(request.path),
            response.status,
            time * 1000,
            response.headers.get(REQUEST_ID_HEADER, "-"),
        )
