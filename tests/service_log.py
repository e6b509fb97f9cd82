"""The service's own logging (frontdoor.logs.configure_logging, as the CLI sets it), writing
where a test can read what it wrote: what an operator's log would hold. Undone after the
test (tests.conftest's _logging_as_pytest_set_it)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from frontdoor.logs import configure_logging


def service_log_at(level: str) -> Callable[[], str]:
    """The service's logging at `level`; a function that returns what it wrote so far."""
    configure_logging(level)
    stream = io.StringIO()
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    return stream.getvalue
