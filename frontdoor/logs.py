"""Logging set-up: what the service logs, and what libraries must never log.

Callers' numbers, names and messages are health data. Frontdoor's own lines name requests by
id; some libraries, at their debug level, write SQL parameters or HTTP bodies — which hold
exactly that data — so they are held at WARNING whatever level the operator asks for.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

# Loggers that print query parameters, request forms or mail contents below WARNING.
CHATTY_WITH_DATA = ("aiosqlite", "sqlalchemy.engine", "twilio.http_client", "aiosmtplib", "asyncpg")


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    hold_back_libraries()


def hold_back_libraries() -> None:
    for name in CHATTY_WITH_DATA:
        logging.getLogger(name).setLevel(logging.WARNING)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """The access log: method, path, status and time, never the query string, which can
    carry a number or a name (the console's searches)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1f ms", request.method, request.path, response.status, time * 1000
        )
