"""The responses a referent records: the kinds the law names, and an orientation that names
where the person was sent."""

from __future__ import annotations

import pytest

from frontdoor.core.request_fields import RESPONSE_TYPES, ResponseType
from frontdoor.core.responses import (
    ResponseChoice,
    ResponseError,
    parse_response,
    response_added,
    response_removed,
)


def test_the_kinds_l6327_2_names_are_there() -> None:
    assert {
        ResponseType.SPECIALISED_RESOURCES,
        ResponseType.PLANNING,
        ResponseType.OUT_OF_SCOPE,
    } <= set(RESPONSE_TYPES)
    assert "PPCS" in RESPONSE_TYPES[ResponseType.PLANNING]
    assert RESPONSE_TYPES[ResponseType.OUT_OF_SCOPE] == "Hors champ, réorientation"


@pytest.mark.parametrize(
    ("kind", "resource_id", "choice"),
    [
        ("information", None, ResponseChoice(kind=ResponseType.INFORMATION)),
        ("orientation", "12", ResponseChoice(kind=ResponseType.ORIENTATION, resource_id=12)),
        ("orientation", "", ResponseChoice(kind=ResponseType.ORIENTATION)),
        ("out_of_scope", 7, ResponseChoice(kind=ResponseType.OUT_OF_SCOPE, resource_id=7)),
        ("specialised_resources", "3",
         ResponseChoice(kind=ResponseType.SPECIALISED_RESOURCES, resource_id=3)),
    ],
    ids=["information", "orientation-named", "orientation-unnamed", "reoriented", "specialised"],
)  # fmt: skip
def test_a_choice_is_read_from_a_form_or_json(
    kind: str, resource_id: object, choice: ResponseChoice
) -> None:
    assert parse_response(kind=kind, resource_id=resource_id) == choice


@pytest.mark.parametrize(
    ("kind", "resource_id", "says"),
    [
        ("", None, "type de réponse inconnu"),
        ("advice", None, "type de réponse inconnu"),
        ("information", "12", "ne nomme pas de ressource"),
        ("planning", 4, "ne nomme pas de ressource"),
        ("orientation", "douze", "identifiant d'une ressource"),
        ("orientation", True, "identifiant d'une ressource"),
        ("orientation", "9" * 30, "identifiant d'une ressource"),
    ],
)
def test_what_cannot_be_recorded_is_refused_in_french(
    kind: str, resource_id: object, says: str
) -> None:
    with pytest.raises(ResponseError, match=says):
        parse_response(kind=kind, resource_id=resource_id)


def test_the_trace_says_who_gave_what_and_where_to() -> None:
    choice = ResponseChoice(kind=ResponseType.ORIENTATION, resource_id=12)

    added = response_added(choice, by="am", resource_name="SSIAD de Figeac")

    assert (
        added.text == "réponse ajoutée par am : Orientation, mise en relation vers SSIAD de Figeac"
    )
    assert response_removed("planning", by="am").text == (
        "réponse retirée par am : Planification, PPCS (plan personnalisé de coordination en santé)"
    )
