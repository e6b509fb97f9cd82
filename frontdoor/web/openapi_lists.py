"""The OpenAPI description of the API's lists (lists_api), with examples: merged into
openapi.DOCUMENT, which a test compares with the routes the app serves."""

from __future__ import annotations

from typing import Any

from frontdoor.core.channels import Channel
from frontdoor.core.listing import DEFAULT_LIMIT, MAX_LIMIT
from frontdoor.core.referrers import ReferrerType

_TEXT = {"type": "string"}
_DAY = {"type": "string", "format": "date"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


PAGING = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "rows in a page",
    ),
    _query(
        "cursor",
        _TEXT,
        "opaque: copied from the previous page's `next` (which repeats the filters); "
        "refused (400) when changed, or sent with other filters",
    ),
]


def _days(what: str) -> list[dict[str, Any]]:
    return [
        _query("from", _DAY, f"{what} on or after this day (the department's local day)"),
        _query("to", _DAY, f"{what} on or before this day (the department's local day)"),
    ]


def page_of(item: str, example: dict[str, Any]) -> dict[str, Any]:
    """The shape every list answers: a page of rows and the link to the next one."""
    return {
        "description": "A page, newest first",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "array", "items": _ref(item)},
                        "count": {"type": "integer", "description": "rows in this page"},
                        "limit": {"type": "integer"},
                        "next": {
                            "type": ["string", "null"],
                            "description": "the next page's URL; null: this is the last page",
                        },
                    },
                    "required": ["data", "count", "limit", "next"],
                },
                "example": example,
            }
        },
    }


REFUSED = {
    "description": "A filter, limit or cursor refused, said in French",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"error": _TEXT}, "required": ["error"]},
            "example": {"error": "curseur invalide : il a été modifié ou vient d'ailleurs"},
        }
    },
}

_NEXT = "/api/requests?from=2026-05-11&to=2026-05-11&limit=2&cursor=0sJ3fQ…"
REQUEST_EXAMPLE = {
    "id": 1234,
    "department": "dac46",
    "channel": "voice",
    "referrer_type": "gp",
    "referrer_source": "menu",
    "outcome": "taken",
    "out_of_hours": False,
    "callback_needed": False,
    "taken_by": "amartin",
    "response_kinds": ["orientation"],
    "status": "open",
    "assigned_to": "referent@dac46.demo",
    "age_band": "75-84",
    "problems": ["medical"],
    "caller_number": "+33565000001",
    "caller_name": None,
    "contact_address": None,
    "has_recording": False,
    "received_at": "2026-05-11T14:02:11+00:00",
    "answered_at": "2026-05-11T14:02:40+00:00",
    "ended_at": "2026-05-11T14:09:03+00:00",
    "closed_at": None,
    "closed_by": None,
    "repeat_of": None,
}
TASK_EXAMPLE = {
    "id": 88,
    "request_id": 1233,
    "department": "dac46",
    "created_at": "2026-05-11T17:40:00+00:00",
    "due_at": "2026-05-12T08:30:00+00:00",
    "overdue": False,
    "assignees": ["amartin"],
    "status": "open",
    "outcome": None,
    "closed_at": None,
    "closed_by": None,
    "escalated_at": None,
    "calls_placed": 0,
    "reasons": [{"code": "callback-deadline", "text": "à rappeler avant mardi 10:30"}],
}
PERSON_EXAMPLE = {
    "id": 301,
    "department": "dac46",
    "family_name": "Dupont",
    "given_names": "Marie",
    "birth_date": None,
    "birth_year": 1941,
    "sex": "female",
    "commune_name": "Figeac",
    "commune_insee": "46102",
    "ins": None,
    "identity_document": None,
    "identity_checked_on": None,
    "insi_checked_on": None,
    "identity_status": "PROV",
    "gp_contact_id": None,
    "referrer_contact_id": 12,
    "created_at": "2026-05-11T14:05:00+00:00",
    "non_oppositions": {},
    "non_opposition_history": [],
    "request_ids": [1234],
    "hand_off": {"allowed": False, "reasons": []},
}


def _errors(errors: dict[str, Any]) -> dict[str, Any]:
    return {"400": REFUSED, **errors}


def list_paths(errors: dict[str, Any], search: dict[str, Any]) -> dict[str, Any]:
    """The paths of the lists; `search`: the inbox's search, answered by the same route."""
    return {
        "/api/requests": {
            "get": {
                "summary": "The department's requests, filtered, newest first, page by page "
                "(each one listed is journaled); with `q`, the inbox's search instead (its "
                "`page` numbers, see the parameter)",
                "parameters": [
                    *_days("received"),
                    _query("status", {"enum": ["open", "closed"]}, "open or closed"),
                    _query("channel", {"enum": [c.value for c in Channel]}, "how it came"),
                    _query(
                        "referrer_type",
                        {"enum": [t.value for t in ReferrerType]},
                        "who brought it",
                    ),
                    _query("assigned_to", _TEXT, "the login of the account it is assigned to"),
                    _query("person_id", {"type": "integer", "minimum": 1}, "about this person"),
                    *PAGING,
                    *search["parameters"],
                ],
                "responses": {
                    "200": page_of(
                        "Request",
                        {"data": [REQUEST_EXAMPLE], "count": 1, "limit": 1, "next": _NEXT},
                    ),
                    **_errors(errors),
                },
            },
        },
        "/api/tasks": {
            "get": {
                "summary": "The department's callback tasks, newest first, page by page (each "
                "one listed journals its request)",
                "parameters": [
                    *_days("created"),
                    _query(
                        "status",
                        {"enum": ["open", "closed", "all"], "default": "open"},
                        "open (the default), closed, or all",
                    ),
                    _query("assignee", _TEXT, "a referent id of the department file"),
                    _query(
                        "overdue", {"enum": ["true", "false"]}, "only those past their deadline"
                    ),
                    *PAGING,
                ],
                "responses": {
                    "200": page_of(
                        "Task", {"data": [TASK_EXAMPLE], "count": 1, "limit": 50, "next": None}
                    ),
                    **_errors(errors),
                },
            }
        },
        "/api/persons": {
            "get": {
                "summary": "The department's persons (files neither merged away nor "
                "pseudonymised), newest first, page by page (each one listed is journaled)",
                "parameters": [
                    *_days("file created"),
                    _query("q", _TEXT, "words each beginning one of her names: « dup mar »"),
                    *PAGING,
                ],
                "responses": {
                    "200": page_of(
                        "Person", {"data": [PERSON_EXAMPLE], "count": 1, "limit": 50, "next": None}
                    ),
                    **_errors(errors),
                },
            }
        },
    }


_LINE = {
    "type": "object",
    "properties": {
        "key": _TEXT,
        "label": _TEXT,
        "value": {"type": ["number", "null"], "description": "null: not available"},
        "share": {"type": ["number", "null"], "description": "of the section's base, 0 to 1"},
        "unit": {"enum": ["count", "seconds", "fte", "euros"]},
    },
}
_SECTION = {
    "type": "object",
    "properties": {
        "key": _TEXT,
        "title": _TEXT,
        "note": _TEXT,
        "lines": {"type": "array", "items": _LINE},
    },
}
INDICATORS_EXAMPLE = {
    "departments": ["dac46"],
    "department_names": ["DAC du Lot"],
    "period": "2026-05",
    "period_label": "mai 2026",
    "generated_at": "2026-06-01T07:00:00+00:00",
    "requests": 412,
    "not_requests": 9,
    "headline": {
        "answered_rate": 0.87,
        "abandoned_calls": 14,
        "wait_median_s": 21.0,
        "wait_p90_s": 64.0,
        "callbacks_in_time_rate": 0.93,
        "gp_share": 0.41,
    },
    "national": [
        {
            "key": "referrers",
            "title": "Sollicitations par type d'adresseur",
            "note": "",
            "lines": [
                {"key": "gp", "label": "Médecin généraliste", "value": 120, "share": 0.29,
                 "unit": "count"},
            ],
        }
    ],
    "operational": [],
}  # fmt: skip
_REFERENT_ON_DUTY = {
    "type": "object",
    "properties": {
        "id": _TEXT,
        "name": _TEXT,
        "phone": {"type": ["string", "null"], "description": "only with the scope duty:phones"},
    },
    "required": ["id", "name"],
}
_REASON = {"type": "object", "properties": {"code": _TEXT, "text": _TEXT}}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
DUTY_EXAMPLE = {
    "department": "dac46",
    "at": "2026-05-12T10:00:00+02:00",
    "on_duty": [{"id": "amartin", "name": "Anne Martin"}, {"id": "bleroy", "name": "Bruno Leroy"}],
    "reason": {"code": "on-duty", "text": "de permanence (semaine) : amartin, bleroy"},
    "open": True,
    "opening_reason": {"code": "open", "text": "ouvert (mardi 08:30–18:30)"},
    "closes_at": "2026-05-12T18:30:00+02:00",
    "reopens_at": None,
}


def team_paths(errors: dict[str, Any]) -> dict[str, Any]:
    """The indicator table and who is on duty."""
    return {
        "/api/indicators": {
            "get": {
                "summary": "The indicator table of the caller's department for a period, as "
                "the console, its exports and `frontdoor report` give it (scope "
                "indicators:read; aggregates only)",
                "parameters": [
                    _query(
                        "period",
                        _TEXT,
                        "a month « 2026-05 », a quarter « 2026-Q2 » or a year « 2026 »; this "
                        "month by default",
                    )
                ],
                "responses": {
                    "200": {
                        "description": "The table",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "period": _TEXT,
                                        "requests": {"type": "integer"},
                                        "headline": {"type": "object"},
                                        "national": {"type": "array", "items": _SECTION},
                                        "operational": {"type": "array", "items": _SECTION},
                                    },
                                },
                                "example": INDICATORS_EXAMPLE,
                            }
                        },
                    },
                    "400": {"description": "A period it cannot read, said in French"},
                    **errors,
                },
            }
        },
        "/api/duty": {
            "get": {
                "summary": "Who is on duty now, and whether the line is open (scope duty:read; "
                "phone numbers with duty:phones)",
                "responses": {
                    "200": {
                        "description": "The referents on duty, in the roster's order",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "department": _TEXT,
                                        "at": {"type": "string", "format": "date-time"},
                                        "on_duty": {"type": "array", "items": _REFERENT_ON_DUTY},
                                        "reason": _REASON,
                                        "open": {"type": "boolean"},
                                        "opening_reason": _REASON,
                                        "closes_at": _MAYBE_TIME,
                                        "reopens_at": _MAYBE_TIME,
                                    },
                                },
                                "example": DUTY_EXAMPLE,
                            }
                        },
                    },
                    **errors,
                },
            }
        },
    }
