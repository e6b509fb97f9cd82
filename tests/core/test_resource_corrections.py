"""A correction of a directory resource: checked whole before anything changes, and who it
belongs to when it is refused."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.resource_corrections import (
    CorrectionRefused,
    ResourceCorrection,
    correction,
    edit_refusal,
)

LONGEST = {"name": 20, "address": 20, "email": 20, "website": 20, "hours_text": 5}
LABELS = {"name": "nom", "address": "adresse", "email": "messagerie", "website": "site",
          "hours_text": "horaires"}  # fmt: skip


def corrected(typed: dict[str, str], phones: list[str | None]) -> ResourceCorrection:
    return correction(
        typed=typed, phones=phones, checked_at=date(2026, 5, 12), longest=LONGEST, labels=LABELS
    )


def test_a_correction_sets_every_field_an_empty_one_to_none() -> None:
    assert corrected({"name": " SSIAD ", "hours_text": "9-17"}, ["+33565340000"]) == (
        ResourceCorrection(
            fields={"name": "SSIAD", "address": None, "email": None, "website": None,
                    "hours_text": "9-17"},
            phones=("+33565340000",),
            checked_at=date(2026, 5, 12),
        )
    )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "phones", "why"),
    [
        pytest.param({"name": "SSIAD"}, ["+33565340000", None], "pas reconnu", id="a-bad-number"),
        pytest.param({"name": "  "}, [], "le nom est obligatoire", id="no-name"),
        pytest.param(
            {"name": "SSIAD", "hours_text": "9h-17h"},
            [],
            "horaires : 5 caractères au plus",
            id="too-long",
        ),  # fmt: skip
    ],
)
def test_a_correction_refused_says_why(
    typed: dict[str, str], phones: list[str | None], why: str
) -> None:
    with pytest.raises(CorrectionRefused, match=why):
        corrected(typed, phones)


@pytest.mark.parametrize(
    ("owners", "whose"),
    [
        pytest.param(["DAC du Lot"], "elle relève de : DAC du Lot", id="a-departments"),
        pytest.param([], "de l'exploitant", id="no-departments"),
    ],
)
def test_a_refused_editor_is_told_whose_the_resource_is(owners: list[str], whose: str) -> None:
    assert whose in edit_refusal(owners)
