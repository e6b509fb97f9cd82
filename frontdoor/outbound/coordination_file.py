"""The region's coordination tool (e-parcours) as a FHIR R4 server: post a transaction
Bundle, read back the id it gave the request.

One session per hand-off: a referent's click, not a stream. Every failure is one
OutboundError whose message says what failed (HTTP status, the OperationOutcome's issue
codes), never what the Bundle held.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from frontdoor.core.coordination_file import created_id
from frontdoor.outbound.errors import OutboundError

FHIR_JSON = "application/fhir+json"
TIMEOUT = aiohttp.ClientTimeout(total=30)
MAX_ANSWER_BYTES = 5_000_000
# FHIR R4's IssueType value set: a word outside it is the server's own, and may be a name.
ISSUE_TYPES = frozenset((
    "invalid", "structure", "required", "value", "invariant", "security", "login", "unknown",
    "expired", "forbidden", "suppressed", "processing", "not-supported", "duplicate",
    "multiple-matches", "not-found", "deleted", "too-long", "code-invalid", "extension",
    "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store",
    "exception", "timeout", "incomplete", "throttled", "informational",
))  # fmt: skip


class FhirError(OutboundError):
    """The server answered, and refused: `status` as it said."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _issue_codes(answer: Any) -> str:
    if not isinstance(answer, dict) or answer.get("resourceType") != "OperationOutcome":
        return ""
    said = {i.get("code") for i in answer.get("issue") or [] if isinstance(i, dict)}
    codes = sorted(code for code in said if code in ISSUE_TYPES)
    return f" ({', '.join(codes)})" if codes else ""


async def post_transaction(
    bundle: dict[str, Any], *, base_url: str, token: str | None = None
) -> str:
    """The id ("ServiceRequest/…") the server gave the request of this transaction Bundle."""
    headers = {"Accept": FHIR_JSON, "Content-Type": FHIR_JSON}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.post(base_url.rstrip("/") + "/", json=bundle, headers=headers) as response,
        ):
            raw = await response.content.read(MAX_ANSWER_BYTES)
            try:
                answer = json.loads(raw) if raw else None
            except ValueError:
                answer = None
            if response.status >= 300:
                raise FhirError(
                    f"FHIR transaction refused: HTTP {response.status}{_issue_codes(answer)}",
                    status=response.status,
                )
    except (aiohttp.ClientError, TimeoutError) as error:
        raise OutboundError(f"FHIR server unreachable: {type(error).__name__}") from error
    found = created_id(answer) if isinstance(answer, dict) else None
    if found is None:
        raise OutboundError("FHIR transaction-response without the ServiceRequest's location")
    return found
