"""Outgoing events: what a department's subscribed endpoint receives, how it is signed, when a
failed delivery is tried again, and which endpoints may be subscribed.

An event says what happened to a request or a callback task and when; its `data` is the thing
as it stands when the event is delivered, cut to what the subscription's scope allows (a
whitelist per scope: a column added to a request is never sent until it is named here).

Signing follows Stripe's and Standard Webhooks' scheme: the receiver recomputes
HMAC-SHA256(secret, "<timestamp>.<body>") over the raw body and compares it with the
`v1=` value of `Frontdoor-Signature`, then refuses a timestamp more than `REPLAY_WINDOW` away
from its own clock and an event id it has already taken (README, "Outgoing events").
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from frontdoor.core.calendar import require_aware


class EventType(StrEnum):
    REQUEST_CREATED = "request.created"
    REQUEST_UPDATED = "request.updated"
    REQUEST_CLOSED = "request.closed"
    TASK_OVERDUE = "task.overdue"


EVENT_LABELS: dict[EventType, str] = {
    EventType.REQUEST_CREATED: "nouvelle demande",
    EventType.REQUEST_UPDATED: "demande modifiée",
    EventType.REQUEST_CLOSED: "demande clôturée",
    EventType.TASK_OVERDUE: "rappel en retard",
}


class Scope(StrEnum):
    # Ids, status, referrer type, channel and timestamps: nothing that names or describes a
    # person.
    SUMMARY = "requests:summary"
    # The API token scope that reads a request's personal data: who called or wrote, the
    # person's problems and age band, who works it.
    PERSONAL = "requests:read"


SCOPE_LABELS: dict[Scope, str] = {
    Scope.SUMMARY: "résumé : identifiants, statut, type d'adresseur, canal, horodatages",
    Scope.PERSONAL: "complet : le résumé et les données personnelles (numéro, nom, adresse de "
    "l'appelant, problématiques, tranche d'âge, référent)",
}

# What each scope lets out of a request and of a callback task, by field name.
_REQUEST_SUMMARY = frozenset(
    {
        "id",
        "department",
        "channel",
        "status",
        "referrer_type",
        "repeat_of",
        "received_at",
        "answered_at",
        "ended_at",
        "closed_at",
    }
)
_REQUEST_PERSONAL = _REQUEST_SUMMARY | {
    "caller_number",
    "caller_name",
    "contact_address",
    "outcome",
    "problems",
    "response_kinds",
    "age_band",
    "assigned_to",
    "closed_by",
    "has_recording",
}
_TASK_SUMMARY = frozenset(
    {"id", "request_id", "department", "status", "created_at", "due_at", "escalated_at"}
)
_TASK_PERSONAL = _TASK_SUMMARY | {"assignees", "outcome", "closed_by"}
FIELDS: dict[tuple[str, Scope], frozenset[str]] = {
    ("request", Scope.SUMMARY): _REQUEST_SUMMARY,
    ("request", Scope.PERSONAL): _REQUEST_PERSONAL,
    ("task", Scope.SUMMARY): _TASK_SUMMARY,
    ("task", Scope.PERSONAL): _TASK_PERSONAL,
}

# Receivers should refuse a signature timestamp further than this from their clock.
REPLAY_WINDOW = timedelta(minutes=5)
# Delivery: one attempt's bound, the first wait, the longest and the attempts before giving up
# (about 6 hours of retries).
ATTEMPT_TIMEOUT = timedelta(seconds=10)
RETRY_FIRST = timedelta(seconds=30)
RETRY_LONGEST = timedelta(hours=1)
MAX_ATTEMPTS = 12
SECRET_PREFIX = "whsec_"
LOOPBACK_NAMES = frozenset({"localhost"})
MAX_URL = 500


def subject_of(event_type: EventType) -> str:
    """What an event is about: "request" or "task"."""
    return "task" if event_type is EventType.TASK_OVERDUE else "request"


def event_payload(
    *,
    event_id: int,
    event_type: EventType,
    occurred_at: datetime,
    department: str,
    subject: Mapping[str, Any] | None,
    scope: Scope,
) -> dict[str, Any]:
    """The JSON document posted for one event. `subject` is the request or task as the API
    shows it (None once it is gone: erased); only the scope's fields of it go out."""
    require_aware(occurred_at)
    kind = subject_of(event_type)
    allowed = FIELDS[(kind, scope)]
    data = None if subject is None else {k: v for k, v in subject.items() if k in allowed}
    return {
        "id": str(event_id),
        "type": event_type.value,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "department": department,
        "scope": scope.value,
        kind: data,
    }


def encode_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes posted, and signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret, in hex."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(*, secret: str, event_id: int, at: datetime, body: bytes) -> dict[str, str]:
    """The headers of one delivery attempt, signed at `at` (each attempt signs afresh)."""
    require_aware(at)
    timestamp = int(at.timestamp())
    return {
        "Content-Type": "application/json",
        "Frontdoor-Event-Id": str(event_id),
        "Frontdoor-Timestamp": str(timestamp),
        "Frontdoor-Signature": f"v1={signature(secret, timestamp, body)}",
    }


def next_attempt(attempts: int, *, at: datetime, jitter: float) -> datetime | None:
    """When to try again an event whose delivery failed `attempts` times, the last at `at`:
    exponential backoff from RETRY_FIRST to RETRY_LONGEST, spread by `jitter` (0 to 1, drawn
    by the caller) over the upper half of the wait, so that endpoints coming back are not
    hit by every instance's backlog at once; None: give up (the event is dead)."""
    require_aware(at)
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter is drawn from [0, 1]")
    if attempts >= MAX_ATTEMPTS:
        return None
    wait = min(RETRY_FIRST * (1 << max(0, attempts - 1)), RETRY_LONGEST)
    return at.astimezone(UTC) + wait * (0.5 + jitter / 2)


def acknowledged(status: int) -> bool:
    """A delivery is taken by a 2xx answer, and by nothing else (a redirect included)."""
    return 200 <= status < 300


class EndpointRefused(ValueError):
    """An endpoint that cannot be subscribed; the message says why, in French."""


@dataclass(kw_only=True, frozen=True)
class NewSubscription:
    url: str
    scope: Scope
    event_types: tuple[EventType, ...]


def checked_subscription(
    *,
    url: str,
    scope: str,
    event_types: list[str],
    development: bool,
    private_networks: Collection[str] = (),
) -> NewSubscription:
    """An endpoint as typed, checked: HTTPS to a public address or one of `private_networks`
    (or, in the development mode, the tests: plain HTTP to this machine, any address); a known
    scope; at least one known event type. A name is checked again once resolved, at each
    delivery (`endpoint_address_allowed`)."""
    cleaned = url.strip()
    if len(cleaned) > MAX_URL:
        raise EndpointRefused(f"l'adresse fait au plus {MAX_URL} caractères")
    parts = urlsplit(cleaned)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise EndpointRefused("l'adresse doit être une URL complète : https://…")
    if parts.username or parts.password:
        raise EndpointRefused("l'adresse ne doit pas contenir d'identifiants")
    if parts.scheme == "http" and not (development and _loopback(parts.hostname)):
        raise EndpointRefused(
            "l'adresse doit commencer par https:// (http:// seulement vers cette machine, "
            "en mode développement)"
        )
    if not development and not endpoint_host_allowed(parts.hostname, private_networks):
        raise EndpointRefused(INTERNAL_REFUSED)
    try:
        chosen_scope = Scope(scope)
    except ValueError:
        raise EndpointRefused("périmètre inconnu") from None
    known = {t.value for t in EventType}
    if not event_types or any(t not in known for t in event_types):
        raise EndpointRefused("choisissez au moins un type d'événement connu")
    chosen = tuple(t for t in EventType if t.value in event_types)
    return NewSubscription(url=cleaned, scope=chosen_scope, event_types=chosen)


# An endpoint is a partner's server on the internet: the service's own machine and private
# networks are not, and a coordinator must not be able to probe them (the delivery log shows
# each answer's status and time).
INTERNAL_REFUSED = (
    "l'adresse doit être celle d'un serveur public du partenaire, pas une adresse interne"
)


def endpoint_host_allowed(host: str, private_networks: Collection[str]) -> bool:
    """Whether an endpoint may be at `host` as written in its URL: not a name of this machine,
    and, if an address, an allowed one (`endpoint_address_allowed`)."""
    name = host.lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return True  # a name: its addresses are checked when it is resolved
    return endpoint_address_allowed(name.strip("[]"), private_networks)


def endpoint_address_allowed(address: str, private_networks: Collection[str]) -> bool:
    """Whether an endpoint may be at this IP address: a public one (`ipaddress`'s is_global),
    or one in the private networks the operator allows."""
    ip = ipaddress.ip_address(address)
    if ip.is_global:
        return True
    return any(ip in ipaddress.ip_network(network, strict=False) for network in private_networks)


def _loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
