"""The OpenAPI 3.1 document of the JSON API, served at /api/openapi.json.

Written by hand beside the handlers; a test compares its paths with the routes the app
serves, so a route cannot be added without being described.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.core.channels import MANUAL_CHANNELS
from frontdoor.core.follow_ups import MAX_DAYS, FollowUpOutcome, FollowUpStatus
from frontdoor.core.request_fields import ResponseType
from frontdoor.core.request_search import MAX_QUERY_CHARS
from frontdoor.web.openapi_lists import list_paths, team_paths
from frontdoor.web.openapi_work import work_paths

_ID = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
_DAY = {"type": "string", "format": "date"}
# A follow-up's due day: a day, or a number of days from today in the department's zone.
_FOLLOW_UP_ASKED = {
    "type": "object",
    "properties": {
        "due_on": _DAY,
        "in_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
        "assigned_to": {"type": ["string", "null"], "description": "a referent id"},
    },
    "additionalProperties": False,
}
_REASONS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": _TEXT, "text": _TEXT},
        "required": ["code", "text"],
    },
}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, **(_json(schema) if schema else {})}


_ERRORS = {
    "401": _answer("No token, or an unknown or revoked one"),
    "403": _answer("The token lacks the scope, or the account's role lacks the right"),
    "404": _answer("No such thing in the caller's department (nor a hint that it exists)"),
    "429": _answer(
        "Too many calls, or too many failed authentications from this address whatever key "
        "each sent: come back after Retry-After seconds"
    ),
    "503": _answer(
        "Not now: the instance gives priority to the calls in progress, or its workers are "
        "all busy; the reason in French, as text: come back after Retry-After seconds"
    ),
}

_SCHEMAS: dict[str, Any] = {
    "Event": {
        "type": "object",
        "properties": {
            "at": _TIME,
            "kind": _TEXT,
            "referent_id": _MAYBE_TEXT,
            "attempt": {"type": ["integer", "null"]},
            "detail": _MAYBE_TEXT,
            "reasons": _REASONS,
        },
    },
    "Request": {
        "type": "object",
        "description": "A request (sollicitation) with its events; caller fields are "
        "personal data, and each read is written to the access journal.",
        "properties": {
            "id": _ID,
            "department": _TEXT,
            "channel": {"enum": ["voice", "sms", "mail"]},
            "referrer_type": _TEXT,
            "referrer_source": _TEXT,
            "outcome": _TEXT,
            "out_of_hours": {"type": "boolean"},
            "callback_needed": {"type": "boolean"},
            "taken_by": _MAYBE_TEXT,
            "response_kinds": {
                "type": "array",
                "items": {"enum": [kind.value for kind in ResponseType]},
                "description": "each kind of its responses once: what the indicators count",
            },
            "status": {"enum": ["open", "closed"]},
            "assigned_to": _MAYBE_TEXT,
            "age_band": _MAYBE_TEXT,
            "problems": {"type": "array", "items": _TEXT},
            "caller_number": _MAYBE_TEXT,
            "caller_name": _MAYBE_TEXT,
            "contact_address": _MAYBE_TEXT,
            "has_recording": {
                "type": "boolean",
                "description": "a voicemail was left (played in the console, never by URL)",
            },
            "received_at": _TIME,
            "answered_at": _MAYBE_TIME,
            "ended_at": _MAYBE_TIME,
            "closed_at": _MAYBE_TIME,
            "repeat_of": {
                "type": ["integer", "null"],
                "description": "the earlier request of the same situation this one repeats: "
                "counted once as a sollicitation, by that request",
            },
            "coordination_file_id": {
                "type": ["string", "null"],
                "description": "the id the region's coordination file (e-parcours) gave the "
                "request when it was handed over, e.g. ServiceRequest/…",
            },
            "coordination_file_at": _MAYBE_TIME,
            "responses": {"type": "array", "items": {"$ref": "#/components/schemas/Response"}},
        },
    },
    "Response": {
        "type": "object",
        "description": "A response the DAC gave (type de réponse); an orientation may name "
        "the directory resource, with its name when it was recorded.",
        "properties": {
            "id": _ID,
            "kind": {"enum": [kind.value for kind in ResponseType]},
            "at": _TIME,
            "by": _MAYBE_TEXT,
            "resource_id": {"type": ["integer", "null"]},
            "resource_name": _MAYBE_TEXT,
            "follow_up": {
                "oneOf": [{"$ref": "#/components/schemas/FollowUp"}, {"type": "null"}],
            },
        },
    },
    "FollowUp": {
        "type": "object",
        "description": "The follow-up of an orientation: whether the person was taken in "
        "charge where she was sent, checked on a day. Counted in no indicator.",
        "properties": {
            "id": _ID,
            "due_on": _DAY,
            "assigned_to": {**_MAYBE_TEXT, "description": "a referent id of the department"},
            "status": {"enum": [status.value for status in FollowUpStatus]},
            "outcome": {"enum": [*(outcome.value for outcome in FollowUpOutcome), None]},
            "created_at": _TIME,
            "created_by": _TEXT,
            "closed_at": _MAYBE_TIME,
            "closed_by": _MAYBE_TEXT,
            "earlier": {
                "type": "array",
                "description": "each earlier due day, set aside by a to_chase with a new day",
                "items": {
                    "type": "object",
                    "properties": {"due_on": _DAY, "outcome": _TEXT, "at": _TIME, "by": _TEXT},
                },
            },
        },
    },
    "Person": {
        "type": "object",
        "description": "A person a request is about (personne concernée): personal data, "
        "each read written to the access journal. Her non-oppositions are carried by her "
        "file: the latest per kind is in force; a hand-off to a partner needs a recorded "
        "non-opposition to support and sharing.",
        "properties": {
            "id": _ID,
            "department": _TEXT,
            "family_name": _MAYBE_TEXT,
            "given_names": _MAYBE_TEXT,
            "birth_date": {"type": ["string", "null"], "format": "date"},
            "birth_year": {"type": ["integer", "null"]},
            "sex": {"enum": ["female", "male", "unknown", None]},
            "commune_name": _MAYBE_TEXT,
            "commune_insee": _MAYBE_TEXT,
            "ins": _MAYBE_TEXT,
            "identity_document": {"enum": ["CN", "PA", "AN", "LE", None]},
            "identity_checked_on": {"type": ["string", "null"], "format": "date"},
            "insi_checked_on": {"type": ["string", "null"], "format": "date"},
            "identity_status": {
                "enum": ["PROV", "RECUP", "VALI", "QUAL"],
                "description": "how far her identity can be trusted (RNIV): QUAL, qualified, "
                "when her identity document was checked and INSi queried for her INS",
            },
            "gp_contact_id": {"type": ["integer", "null"]},
            "referrer_contact_id": {"type": ["integer", "null"]},
            "created_at": _TIME,
            "non_oppositions": {
                "type": "object",
                "description": "support_and_sharing, data_processing, secondary_use: those "
                "recorded",
                "additionalProperties": {"$ref": "#/components/schemas/Stance"},
            },
            "non_opposition_history": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Stance"},
            },
            "request_ids": {"type": "array", "items": _ID},
            "hand_off": {
                "type": "object",
                "properties": {"allowed": {"type": "boolean"}, "reasons": _REASONS},
            },
        },
    },
    "Stance": {
        "type": "object",
        "properties": {
            "kind": _TEXT,
            "stance": {"enum": ["not_opposed", "opposed"]},
            "informed_how": {"enum": ["oral", "document", "sms", "mail", None]},
            "request_id": {"type": ["integer", "null"]},
            "recorded_by": _TEXT,
            "recorded_at": _TIME,
        },
    },
    "Task": {
        "type": "object",
        "properties": {
            "id": _ID,
            "request_id": _ID,
            "department": _TEXT,
            "created_at": _TIME,
            "due_at": _TIME,
            "overdue": {"type": "boolean"},
            "assignees": {"type": "array", "items": _TEXT},
            "status": _TEXT,
            "outcome": _MAYBE_TEXT,
            "closed_at": _MAYBE_TIME,
            "reasons": _REASONS,
        },
    },
    "Message": {
        "type": "object",
        "properties": {
            "id": _ID,
            "channel": {"enum": ["sms", "mail"]},
            "direction": {"enum": ["in", "out"]},
            "at": _TIME,
            "body": _MAYBE_TEXT,
            "author": _MAYBE_TEXT,
            "kind": _MAYBE_TEXT,
            "status": _MAYBE_TEXT,
        },
    },
    "Resource": {
        "type": "object",
        "properties": {
            "id": _ID,
            "name": _TEXT,
            "category": _TEXT,
            "category_label": _TEXT,
            "finess": {
                "type": ["string", "null"],
                "description": "the structure's FINESS number (établissement), when the "
                "resource came from FINESS or the ROR",
            },
            "address": _MAYBE_TEXT,
            "postal_code": _MAYBE_TEXT,
            "commune_name": _MAYBE_TEXT,
            "phones": {"type": "array", "items": _TEXT},
            "distance_km": {"type": ["number", "null"]},
            "reason": _TEXT,
        },
    },
}


_MAIL_SENT = {"type": "object", "properties": {"message_id": _TEXT, "status": _TEXT}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# The inbox's search, answered by the list of requests when `q` is asked.
_SEARCH = {
    "parameters": [
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "a request number (« 1234 », « n° 1234 »), a phone "
            "number written any way (« 06 12 34 56 78 », « +33612345678 »: exactly "
            "that number), a mail address (exactly), the words of a caller's or a "
            "person's name (case and accents ignored, each word beginning a name), "
            "or a text found in notes and messages. With `q` the answer is the search's: "
            "{data (each with `matched`: why it answered), count (every request found), page, "
            "pages}, by pages of 50; the list's filters and cursor are not read",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
        },
        {
            "name": "page",
            "in": "query",
            "description": "with `q` only: the search's page",
            "schema": {"type": "integer", "minimum": 1, "default": 1},
        },
    ],
}
_LISTS = list_paths(_ERRORS, _SEARCH)

_REQUEST_PATH = [_path_id("request_id")]
_TASK_PATH = [_path_id("task_id")]

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Frontdoor",
        "version": "1",
        "description": "The JSON API of a DAC's front door: requests, callback tasks, "
        "answers by SMS and secure mail, the resource directory. A bearer token is either a "
        "console account's token (fd_…, scoped: requests:read, requests:write, "
        "directory:read, indicators:read, duty:read, duty:phones) or a key of "
        "FRONTDOOR_API_KEYS; both reach one department only.",
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/requests": {
            **_LISTS["/api/requests"],
            "post": {
                "summary": "Enter a request that did not come through the single number (a "
                "visit, a letter, a call on a referent's line, a partner meeting, an outgoing "
                "call)",
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "channel": {
                                    "type": "string",
                                    "enum": [channel.value for channel in MANUAL_CHANNELS],
                                },
                                "at": _TIME,
                                "name": _TEXT,
                                "contact": _TEXT,
                                "referrer_type": _TEXT,
                                "note": _TEXT,
                            },
                            "required": ["channel"],
                            "additionalProperties": False,
                        }
                    ),
                },
                "responses": {
                    "201": _answer("The request entered", _ref("Request")),
                    "400": _answer("Not the expected JSON object"),
                    "422": _answer("A field that cannot be kept (the text says which)"),
                    **_ERRORS,
                },
            },
        },
        "/api/requests/{request_id}": {
            "get": {
                "summary": "A request with its events and the reasons of each decision",
                "parameters": _REQUEST_PATH,
                "responses": {"200": _answer("The request", _ref("Request")), **_ERRORS},
            },
            "patch": {
                "summary": "Correct the referrer type",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {"referrer_type": _TEXT},
                            "required": ["referrer_type"],
                            "additionalProperties": False,
                        }
                    ),
                },
                "responses": {
                    "200": _answer("The corrected request", _ref("Request")),
                    "400": _answer("Not the expected JSON object"),
                    "422": _answer("An unknown referrer type"),
                    **_ERRORS,
                },
            },
        },
        "/api/requests/{request_id}/persons": {
            "get": {
                "summary": "The persons a request is about",
                "parameters": _REQUEST_PATH,
                "responses": {
                    "200": _answer(
                        "Its persons",
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("Person")},
                                "count": {"type": "integer"},
                            },
                        },
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/persons/{person_id}": {
            "get": {
                "summary": "A person's file: traits, non-oppositions, her situation's requests",
                "parameters": [_path_id("person_id")],
                "responses": {
                    "200": _answer("The person", _ref("Person")),
                    "301": _answer("Merged into another file: that one is the person now"),
                    **_ERRORS,
                },
            }
        },
        "/api/persons/{person_id}/identity": {
            "post": {
                "summary": "Record what was checked of her identity, as the console's « Qualifier "
                "l'identité »: the identity document and the day it was checked, the day INSi "
                "was queried for her INS (null: not checked); her INS is shared with the "
                "coordination file only once her identity is qualified (QUAL)",
                "parameters": [_path_id("person_id")],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": [
                                    "identity_document",
                                    "identity_checked_on",
                                    "insi_checked_on",
                                ],
                                "properties": {
                                    "identity_document": {"enum": ["CN", "PA", "AN", "LE", None]},
                                    "identity_checked_on": {
                                        "type": ["string", "null"],
                                        "format": "date",
                                    },
                                    "insi_checked_on": {
                                        "type": ["string", "null"],
                                        "format": "date",
                                    },
                                },
                                "additionalProperties": False,
                            },
                            "example": {
                                "identity_document": "CN",
                                "identity_checked_on": "2026-05-11",
                                "insi_checked_on": "2026-05-11",
                            },
                        }
                    },
                },  # fmt: skip
                "responses": {
                    "200": {
                        "description": "Her file, with her identity status",
                        "content": {
                            "application/json": {
                                "schema": _ref("Person"),
                                "example": {
                                    "id": 12,
                                    "department": "dac46",
                                    "ins": "241034604212367",
                                    "identity_document": "CN",
                                    "identity_checked_on": "2026-05-11",
                                    "insi_checked_on": "2026-05-11",
                                    "identity_status": "QUAL",
                                },
                            }
                        },
                    },
                    "400": _answer("Not the expected JSON object"),
                    "409": _answer("Her file was merged into another: record it there"),
                    "422": _answer(
                        "What cannot be kept, said in French: a day malformed or to come, a "
                        "document without its day, INSi without her INS",
                        {
                            "type": "object",
                            "properties": {"error": _TEXT, "code": _TEXT},
                        },
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/responses": {
            "post": {
                "summary": "Record a response (several per request)",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "kind": {"enum": [kind.value for kind in ResponseType]},
                                "resource_id": {"type": ["integer", "null"]},
                                "follow_up": {
                                    **_FOLLOW_UP_ASKED,
                                    "description": "an orientation's follow-up, asked for "
                                    "with it: due_on or in_days",
                                },
                            },
                            "required": ["kind"],
                            "additionalProperties": False,
                        }
                    ),
                },
                "responses": {
                    "201": _answer("The request with its responses", _ref("Request")),
                    "400": _answer("Not the expected JSON object"),
                    "422": _answer("An unknown kind, or a resource it cannot name"),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/responses/{response_id}": {
            "delete": {
                "summary": "Remove a response recorded by mistake",
                "parameters": [*_REQUEST_PATH, _path_id("response_id")],
                "responses": {
                    "200": _answer("The request with its responses", _ref("Request")),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/responses/{response_id}/follow-up": {
            "put": {
                "summary": "Ask for the follow-up of an orientation (one per response)",
                "parameters": [*_REQUEST_PATH, _path_id("response_id")],
                "requestBody": {"required": True, **_json(_FOLLOW_UP_ASKED)},
                "responses": {
                    "201": _answer("The request with its responses", _ref("Request")),
                    "400": _answer("Not the expected JSON object"),
                    "409": _answer("The response has a follow-up already"),
                    "422": _answer("Not an orientation, or a due day or referent refused"),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/responses/{response_id}/follow-up/close": {
            "post": {
                "summary": "Say what the follow-up found; to_chase with a new day keeps it open",
                "parameters": [*_REQUEST_PATH, _path_id("response_id")],
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "outcome": {"enum": [o.value for o in FollowUpOutcome]},
                                "due_on": _DAY,
                                "in_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                            },
                            "required": ["outcome"],
                            "additionalProperties": False,
                        }
                    ),
                },
                "responses": {
                    "200": _answer("The request with its responses", _ref("Request")),
                    "400": _answer("Not the expected JSON object"),
                    "409": _answer("The follow-up is closed already"),
                    "422": _answer("An unknown outcome, or a new day refused"),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/repeat-of": {
            "put": {
                "summary": "Mark the request a repeat of an earlier request of its department",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {"repeat_of": {"type": "integer"}},
                            "required": ["repeat_of"],
                            "additionalProperties": False,
                        }
                    ),
                },
                "responses": {
                    "200": _answer("The request, a repeat", _ref("Request")),
                    "400": _answer(
                        "Not the expected object, or a request it cannot repeat (another "
                        "department's, a later one, itself, one that repeats it): said in French"
                    ),
                    **_ERRORS,
                },
            },
            "delete": {
                "summary": "The request is not a repeat: it counts as a sollicitation again",
                "parameters": _REQUEST_PATH,
                "responses": {"200": _answer("The request", _ref("Request")), **_ERRORS},
            },
        },
        "/api/requests/{request_id}/messages": {
            "get": {
                "summary": "The SMS and mails of a request",
                "parameters": _REQUEST_PATH,
                "responses": {
                    "200": _answer(
                        "Its messages",
                        {
                            "type": "object",
                            "properties": {
                                "data": {"type": "array", "items": _ref("Message")},
                                "count": {"type": "integer"},
                            },
                        },
                    ),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/sms": {
            "post": {
                "summary": "Answer the person by SMS from the department's number",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    **_json({"type": "object", "properties": {"body": _TEXT}}),
                },
                "responses": {
                    "201": _answer(
                        "Sent",
                        {
                            "type": "object",
                            "properties": {
                                "message_id": _ID,
                                "sid": _TEXT,
                                "segments": {"type": "integer"},
                                "encoding": _TEXT,
                                "characters": {"type": "integer"},
                            },
                        },
                    ),
                    "409": _answer("No number to answer, or the number sent STOP"),
                    "422": _answer("An empty or too long body"),
                    **_ERRORS,
                },
            }
        },
        "/api/requests/{request_id}/mail": {
            "post": {
                "summary": "Answer by secure mail from the department's mailbox, threaded",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    **_json({"type": "object", "properties": {"body": _TEXT}}),
                },
                "responses": {
                    "201": _answer("Sent", _MAIL_SENT),
                    "202": _answer("Queued: the mail server will be tried again", _MAIL_SENT),
                    "409": _answer("No mailbox configured, or no address to answer"),
                    "422": _answer("An empty or too long body"),
                    **_ERRORS,
                },
            }
        },
        "/api/tasks": _LISTS["/api/tasks"],
        "/api/persons": _LISTS["/api/persons"],
        **team_paths(_ERRORS),
        **work_paths(_ERRORS),
        "/api/requests/{request_id}/transfer": {
            "post": {
                "summary": "Hand the request's live call to a colleague or a partner line, cold "
                "(at once) or warm (the referent speaks to the target first, then presses *)",
                "parameters": _REQUEST_PATH,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "target": _TEXT,
                                    "mode": {"enum": ["cold", "warm"], "default": "cold"},
                                },
                            },
                            "example": {"target": "bleroy", "mode": "warm"},
                        }
                    },
                },
                "responses": {
                    "202": {
                        "description": "Twilio was asked to move the call",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object"},
                                "example": {"request_id": 1234, "target": "bleroy", "mode": "warm"},
                            }
                        },
                    },  # fmt: skip
                    "409": _answer("No call going on that someone took, or an unknown target"),
                    "422": _answer("A body without a target, or an unknown mode"),
                    "502": _answer("Twilio refused to move the call"),
                    **_ERRORS,
                },
            }
        },
        "/api/tasks/{task_id}/call": {
            "post": {
                "summary": "Call the person back from the DAC's number (the referent's phone "
                "rings first)",
                "parameters": _TASK_PATH,
                "responses": {
                    "202": _answer(
                        "The call is placed", {"type": "object", "properties": {"call_sid": _TEXT}}
                    ),
                    "409": _answer("The task is closed, or there is no number to call"),
                    **_ERRORS,
                },
            }
        },
        "/api/tasks/{task_id}/close": {
            "post": {
                "summary": "Close a callback task with its outcome",
                "parameters": _TASK_PATH,
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "outcome": {
                                    "enum": ["reached", "message_left", "no_answer", "not_needed"]
                                }
                            },
                        }
                    ),
                },
                "responses": {"200": _answer("The closed task", _ref("Task")), **_ERRORS},
            }
        },
        "/api/directory/search": {
            "get": {
                "summary": "Search the territory's resource directory",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "description": "as a person writes it: « ssiad près de Figeac »",
                        "schema": _TEXT,
                    },
                    {"name": "category", "in": "query", "schema": _TEXT},
                    {"name": "postal_code", "in": "query", "schema": _TEXT},
                    {"name": "commune", "in": "query", "schema": _TEXT},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "default": 3},
                    },
                ],
                "responses": {
                    "200": _answer(
                        "The best resources first",
                        {
                            "type": "object",
                            "properties": {
                                "query": {"type": "object"},
                                "commune": {"type": ["object", "null"]},
                                "hits": {"type": "array", "items": _ref("Resource")},
                                "count": {"type": "integer"},
                            },
                        },
                    ),
                    "400": _answer("No query, or a bad limit"),
                    "401": _ERRORS["401"],
                    "429": _ERRORS["429"],
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": _SCHEMAS,
    },
}


async def openapi_document(_request: web.Request) -> web.Response:
    return web.json_response(DOCUMENT)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", openapi_document, allow_head=False)
