"""Outgoing events as pure decisions: what each scope lets out, the signature a receiver
recomputes, when a failed delivery is tried again, and which endpoints may be subscribed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from frontdoor.core.events import (
    MAX_ATTEMPTS,
    RETRY_FIRST,
    RETRY_LONGEST,
    EndpointRefused,
    EventType,
    Scope,
    acknowledged,
    checked_subscription,
    encode_body,
    event_payload,
    next_attempt,
    signed_headers,
)

AT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
REQUEST = {
    "id": 41,
    "department": "dac46",
    "channel": "voice",
    "status": "open",
    "referrer_type": "gp",
    "repeat_of": None,
    "received_at": "2026-05-12T08:00:00+00:00",
    "answered_at": None,
    "ended_at": None,
    "closed_at": None,
    "caller_number": "+33611223344",
    "caller_name": "Dr Martin",
    "contact_address": None,
    "outcome": "voicemail",
    "problems": ["housing"],
    "response_kinds": [],
    "age_band": "75+",
    "assigned_to": "amartin",
    "closed_by": None,
    "has_recording": True,
    "call_sid": "CA0123",
    "taken_by": None,
}
PERSONAL = ("caller_number", "caller_name", "contact_address", "problems", "age_band")


def payload(scope: Scope, subject: dict[str, object] | None = REQUEST) -> dict[str, object]:
    return event_payload(
        event_id=7, event_type=EventType.REQUEST_CREATED, occurred_at=AT, department="dac46",
        subject=subject, scope=scope,
    )  # fmt: skip


def test_a_summary_event_carries_ids_status_referrer_type_and_timestamps_only() -> None:
    shown = payload(Scope.SUMMARY)["request"]

    assert shown == {
        "id": 41, "department": "dac46", "channel": "voice", "status": "open",
        "referrer_type": "gp", "repeat_of": None, "received_at": "2026-05-12T08:00:00+00:00",
        "answered_at": None, "ended_at": None, "closed_at": None,
    }  # fmt: skip


def test_a_personal_data_event_carries_who_called_but_never_what_no_scope_names() -> None:
    shown = payload(Scope.PERSONAL)["request"]

    assert isinstance(shown, dict)
    assert {name: shown[name] for name in PERSONAL} == {name: REQUEST[name] for name in PERSONAL}
    assert "call_sid" not in shown
    assert "taken_by" not in shown


def test_an_event_says_what_happened_when_and_in_which_department() -> None:
    document = payload(Scope.SUMMARY)

    assert {k: v for k, v in document.items() if k != "request"} == {
        "id": "7",
        "type": "request.created",
        "occurred_at": "2026-05-12T08:00:00+00:00",
        "department": "dac46",
        "scope": "requests:summary",
    }


def test_an_event_about_a_request_erased_since_carries_none_of_it() -> None:
    assert payload(Scope.PERSONAL, subject=None)["request"] is None


def test_a_task_event_is_about_the_task_and_leaves_its_assignees_to_the_personal_scope() -> None:
    task = {
        "id": 3, "request_id": 41, "department": "dac46", "status": "open", "created_at": "x",
        "due_at": "y", "escalated_at": "z", "assignees": ["amartin"],
    }  # fmt: skip
    summary = event_payload(
        event_id=8, event_type=EventType.TASK_OVERDUE, occurred_at=AT, department="dac46",
        subject=task, scope=Scope.SUMMARY,
    )  # fmt: skip

    assert summary["type"] == "task.overdue"
    assert summary["task"] == {k: v for k, v in task.items() if k != "assignees"}


def test_a_receiver_recomputes_the_signature_over_the_timestamp_and_the_raw_body() -> None:
    body = encode_body(payload(Scope.SUMMARY))
    headers = signed_headers(secret="whsec_test", event_id=7, at=AT, body=body)

    timestamp = headers["Frontdoor-Timestamp"]
    expected = hmac.new(b"whsec_test", f"{timestamp}.".encode() + body, hashlib.sha256)
    assert timestamp == str(int(AT.timestamp()))
    assert headers["Frontdoor-Signature"] == f"v1={expected.hexdigest()}"
    assert headers["Frontdoor-Event-Id"] == "7"


def test_another_secret_or_a_changed_body_gives_another_signature() -> None:
    body = encode_body(payload(Scope.SUMMARY))
    signed = signed_headers(secret="whsec_a", event_id=7, at=AT, body=body)

    assert signed != signed_headers(secret="whsec_b", event_id=7, at=AT, body=body)
    assert signed != signed_headers(secret="whsec_a", event_id=7, at=AT, body=body + b" ")


@pytest.mark.parametrize(
    ("failures", "jitter", "wait"),
    [
        (1, 0.0, RETRY_FIRST / 2),
        (1, 1.0, RETRY_FIRST),
        (2, 1.0, RETRY_FIRST * 2),
        (4, 1.0, RETRY_FIRST * 8),
        (9, 1.0, RETRY_LONGEST),
        (MAX_ATTEMPTS - 1, 0.5, RETRY_LONGEST * 0.75),
    ],
    ids=["first-soonest", "first-latest", "second", "fourth", "capped", "last-retry"],
)
def test_a_failed_delivery_waits_twice_as_long_each_time_spread_by_jitter(
    failures: int, jitter: float, wait: timedelta
) -> None:
    assert next_attempt(failures, at=AT, jitter=jitter) == AT + wait


def test_a_delivery_is_given_up_after_the_last_attempt() -> None:
    assert next_attempt(MAX_ATTEMPTS, at=AT, jitter=0.3) is None


@pytest.mark.parametrize(
    ("status", "taken"),
    [(200, True), (204, True), (299, True), (301, False), (400, False), (500, False)],
)
def test_only_a_2xx_answer_acknowledges_an_event(status: int, taken: bool) -> None:
    assert acknowledged(status) is taken


def subscribe(url: str, *, development: bool = False) -> str:
    return checked_subscription(
        url=url, scope="requests:summary", event_types=["request.created"],
        development=development,
    ).url  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["https://partenaire.example.fr/hooks/frontdoor", " https://193.51.24.1:8443/events "],
    ids=["name", "address-and-port"],
)
def test_an_https_endpoint_is_subscribed(url: str) -> None:
    assert subscribe(url) == url.strip()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8081/events", "http://localhost/events", "http://[::1]:9000/"]
)
def test_plain_http_reaches_this_machine_only_and_only_where_allowed(url: str) -> None:
    assert subscribe(url, development=True) == url
    with pytest.raises(EndpointRefused, match="https://"):
        subscribe(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://partenaire.example.fr/events", "https://"),
        ("http://10.0.0.4/events", "https://"),
        ("ftp://partenaire.example.fr/", "URL complète"),
        ("partenaire.example.fr/events", "URL complète"),
        ("https://user:pw@partenaire.example.fr/", "identifiants"),
        ("https://partenaire.example.fr/" + "a" * 500, "500 caractères"),
    ],
    ids=["http-elsewhere", "http-private-address", "ftp", "no-scheme", "credentials", "long"],
)
def test_an_endpoint_that_cannot_be_subscribed_is_refused_in_french(url: str, reason: str) -> None:
    with pytest.raises(EndpointRefused, match=reason):
        subscribe(url, development=True)


@pytest.mark.parametrize(
    ("scope", "event_types", "reason"),
    [
        ("everything", ["request.created"], "périmètre"),
        ("requests:read", ["request.deleted"], "type d'événement"),
        ("requests:read", [], "type d'événement"),
    ],
    ids=["unknown-scope", "unknown-type", "no-type"],
)
def test_an_unknown_scope_or_event_type_is_refused(
    scope: str, event_types: list[str], reason: str
) -> None:
    with pytest.raises(EndpointRefused, match=reason):
        checked_subscription(
            url="https://a.example/", scope=scope, event_types=event_types,
            development=False,
        )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/events",
        "https://localhost/events",
        "https://api.localhost./events",
        "https://[::1]:8443/events",
        "https://10.0.0.4:8443/events",
        "https://192.168.1.20/events",
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://[fd00::46]/events",
        "https://0.0.0.0/events",
        "https://[::ffff:127.0.0.1]/events",
    ],
)
def test_a_coordinator_cannot_point_an_endpoint_at_this_machine_or_an_internal_network(
    url: str,
) -> None:
    with pytest.raises(EndpointRefused, match="pas une adresse interne"):
        subscribe(url)


def test_the_operator_may_allow_a_partners_private_network() -> None:
    url = "https://10.46.0.4:8443/events"
    allowed = checked_subscription(
        url=url, scope="requests:summary", event_types=["request.created"],
        development=False, private_networks={"10.46.0.0/16"},
    )  # fmt: skip

    assert allowed.url == url
    with pytest.raises(EndpointRefused, match="pas une adresse interne"):
        checked_subscription(
            url="https://10.57.0.4/", scope="requests:summary", event_types=["request.created"],
            development=False, private_networks={"10.46.0.0/16"},
        )  # fmt: skip
