"""A failure as it may be stored or shown: the kinds of its exceptions and their codes, never
their messages.

An exception's message is whatever its raiser put in it, and the raisers that matter quote
what they were given: Twilio's REST errors echo the "To" number ("The 'To' number +336… is not
a valid phone number"), an SMTP refusal the recipient's address, SQLAlchemy the statement's
parameters, asyncpg a key's values, a ValueError the value it refused. So wherever a failure
leaves the process other than in a log line (job_runs.detail, the outbox's last_error, an
API's or a page's answer, a notice), it is described by `describe_failure`: each exception of
its chain by its type, with what says what went wrong without quoting anything — an HTTP
status, Twilio's numeric error code, SMTP reply codes, a database's SQLSTATE or SQLite error,
an OS error's errno, an enumerated failure — e.g.
"OutboundError ← TwilioRestException (HTTP 400, Twilio 21211)". The log's own account
(frontdoor.logs.traceback_without_messages) follows the same rule with `failure_codes`.

Pure (the standard library alone): every layer may describe its failures.
"""

from __future__ import annotations

import enum
import re
from errno import errorcode

# The longest description: job_runs.detail holds 500 characters, the outbox's last_error 300,
# a delivery's error 200.
DESCRIPTION_MAX = 200
# Links of a chain described, the last raised first (a wrapper, then what it wraps).
LINKS_MAX = 4
CAUSED_BY = " ← "
_SQLSTATE = re.compile(r"[0-9A-Z]{5}")
_SQLITE_NAME = re.compile(r"SQLITE_[A-Z_]{1,40}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,80}")
# Attributes holding a failure from a closed set (an Enum's member says no more than its
# class): frontdoor's MailboxError.failure, a refusal's kind…
_ENUM_ATTRIBUTES = ("failure", "refusal")
# The libraries whose exceptions carry a numeric `code` of their protocol.
_CODED = (("twilio", "Twilio"), ("aiosmtplib", "SMTP"), ("smtplib", "SMTP"))


def describe_failure(error: BaseException, *, limit: int = DESCRIPTION_MAX) -> str:
    """The exception and what caused it, each by its type and codes, at most `limit`
    characters: "IntegrityError (SQLSTATE 23505) ← UniqueViolationError (SQLSTATE 23505)",
    "OutboundError ← SMTPRecipientsRefused (SMTP 550)", "ValueError"."""
    links = _links(error)[:LINKS_MAX]
    coded = [(_kind(link), failure_codes(link)) for link in links]
    described: list[str] = []
    for index, (kind, codes) in enumerate(coded):
        if index + 1 < len(coded) and coded[index + 1][1] == codes:
            codes = []  # said once, by the cause ("ClientConnectorError ← OSError (ECONNREFUSED)")
        one = f"{kind} ({', '.join(codes)})" if codes else kind
        if not described or described[-1] != one:
            described.append(one)
    text = CAUSED_BY.join(described)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_codes(error: BaseException) -> list[str]:
    """What says what went wrong without quoting data: SQLSTATE (asyncpg), SQLite's error
    name, errno, HTTP status, Twilio's error code, SMTP reply codes, an enumerated failure."""
    codes: list[str] = []
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and _SQLSTATE.fullmatch(sqlstate):
        codes.append(f"SQLSTATE {sqlstate}")
    sqlite_name = getattr(error, "sqlite_errorname", None)
    if isinstance(sqlite_name, str) and _SQLITE_NAME.fullmatch(sqlite_name):
        codes.append(sqlite_name)
    if isinstance(error, OSError) and isinstance(error.errno, int):
        codes.append(errorcode.get(error.errno, f"errno {error.errno}"))
    status = _number(getattr(error, "status", None))
    if status is None:
        status = _number(getattr(error, "status_code", None))  # aiohttp's web.HTTPException
    if status is not None and 100 <= status <= 599:
        codes.append(f"HTTP {status}")
    codes += _provider_codes(error, status)
    codes += [
        f"{type(value).__name__} {value.value if isinstance(value.value, str) else value.name}"
        for name in _ENUM_ATTRIBUTES
        if isinstance(value := getattr(error, name, None), enum.Enum)
    ]
    return codes


def _provider_codes(error: BaseException, status: int | None) -> list[str]:
    """Twilio's numeric code, an SMTP server's reply codes (of each refused recipient too)."""
    module = type(error).__module__ or ""
    refusals = getattr(error, "recipients", None)
    if module.startswith("aiosmtplib") and isinstance(refusals, list):
        replies = sorted({c for r in refusals if (c := _number(getattr(r, "code", None)))})
        return [f"SMTP {', '.join(map(str, replies))}"] if replies else []
    # Read from these alone: aiohttp's ClientResponseError.code is a deprecated alias.
    provider = next((name for start, name in _CODED if module.startswith(start)), None)
    code = None if provider is None else _number(getattr(error, "code", None))
    if code is None or code == status:
        return []
    return [f"{provider} {code}"]


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(error: BaseException) -> str:
    name = type(error).__qualname__
    return name if _NAME.fullmatch(name) else "Exception"


def _links(error: BaseException) -> list[BaseException]:
    """The exception, then what caused it (its __cause__, or the exception it was raised
    while handling), then what caused that…"""
    links: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        links.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            current = current.__context__
        else:
            current = getattr(current, "orig", None)  # SQLAlchemy's, when not chained
            if not isinstance(current, BaseException):
                current = None
    return links
