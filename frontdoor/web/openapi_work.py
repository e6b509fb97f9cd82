"""The OpenAPI description of the everyday work on a request (work_api), with examples:
merged into openapi.DOCUMENT."""

from __future__ import annotations

from typing import Any

from frontdoor.core.referrers import ReferrerType
from frontdoor.core.request_fields import AgeBand, Problem

_REQUEST_PATH = [
    {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}
]


def _body(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": schema, "example": example}},
    }


def _the_request(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Request"},
                "example": {"id": 1234, "status": "closed", "closed_by": "clé:amartin"},
            }
        },
    }


def _refusal(description: str, example: dict[str, str]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "code": {"type": "string"}},
                },
                "example": example,
            }
        },
    }


def work_paths(errors: dict[str, Any]) -> dict[str, Any]:
    return {
        "/api/requests/{request_id}/qualification": {
            "put": {
                "summary": "Qualify the request as the console does: referrer type (null keeps "
                "the one recorded), age band and problems, as a whole",
                "parameters": _REQUEST_PATH,
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {
                            "referrer_type": {"enum": [*(t.value for t in ReferrerType), None]},
                            "age_band": {"enum": [*(b.value for b in AgeBand), None]},
                            "problems": {
                                "type": "array",
                                "items": {"enum": [p.value for p in Problem]},
                            },
                        },
                        "required": ["referrer_type", "age_band", "problems"],
                        "additionalProperties": False,
                    },
                    {"referrer_type": "gp", "age_band": "75-84", "problems": ["medical", "social"]},
                ),
                "responses": {
                    "200": _the_request("The request qualified (an event says what changed)"),
                    "400": {"description": "Not the expected JSON object"},
                    "422": {"description": "An unknown value (said in French)"},
                    **errors,
                },
            }
        },
        "/api/requests/{request_id}/assignment": {
            "put": {
                "summary": 'Take the request ("me"), give it back (null) or hand it to a '
                "colleague of its department (her login)",
                "parameters": _REQUEST_PATH,
                "requestBody": _body(
                    {
                        "type": "object",
                        "properties": {"to": {"type": ["string", "null"]}},
                        "required": ["to"],
                        "additionalProperties": False,
                    },
                    {"to": "me"},
                ),
                "responses": {
                    "200": _the_request("The request with its new assignee"),
                    "400": {"description": "Not the expected JSON object"},
                    "422": {"description": "Nobody of this department has that login"},
                    **errors,
                },
            }
        },
        "/api/requests/{request_id}/close": {
            "post": {
                "summary": "Close the request (as the console's « Clore »)",
                "parameters": _REQUEST_PATH,
                "responses": {"200": _the_request("The request, closed"), **errors},
            }
        },
        "/api/requests/{request_id}/coordination-file": {
            "post": {
                "summary": "Hand the request, with the person it is about, to the region's "
                "coordination file (e-parcours) as a FHIR transaction Bundle, as the console's "
                "« Transmettre au dossier de coordination »; refused when she opposed sharing",
                "parameters": _REQUEST_PATH,
                "responses": {
                    "200": {
                        "description": "The request, with the id the coordination file gave it",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Request"},
                                "example": {
                                    "id": 1234,
                                    "status": "open",
                                    "coordination_file_id": "ServiceRequest/8f0c2a",
                                    "coordination_file_at": "2026-05-12T09:14:00Z",
                                },
                            }
                        },
                    },
                    "409": _refusal(
                        "Nothing was sent: no person, several, her opposition to sharing or "
                        "her stance never asked, already handed over, or no coordination file "
                        "configured for the department",
                        {
                            "error": "la personne s'oppose : non-opposition à la prise en charge "
                            "et au partage d'information",
                            "code": "sharing-opposed",
                        },
                    ),
                    "502": _refusal(
                        "The coordination file could not be reached or refused the Bundle: "
                        "nothing was lost, try again",
                        {
                            "error": "le dossier de coordination n'a pas pu recevoir la "
                            "demande ; rien n'a été perdu, réessayez plus tard",
                            "code": "not-received",
                        },
                    ),
                    **errors,
                },
            }
        },
        "/api/requests/{request_id}/reopen": {
            "post": {
                "summary": "Reopen a closed request",
                "parameters": _REQUEST_PATH,
                "responses": {"200": _the_request("The request, open again"), **errors},
            }
        },
    }
