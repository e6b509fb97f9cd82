"""The trust in a person's identity (RNIV's four statuses): from the document checked and
the INSi teleservice queried for the INS she has, and what a referent may type of them."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.identity_status import (
    IdentityCheck,
    IdentityCheckError,
    IdentityDocument,
    IdentityStatus,
    identity_status,
    parse_identity_check,
)

TODAY = date(2026, 5, 12)
INS = "241034604212367"
CARD = IdentityDocument.ID_CARD


@pytest.mark.parametrize(
    ("check", "ins", "expected"),
    [
        pytest.param(IdentityCheck(), INS, IdentityStatus.PROVISIONAL, id="nothing-checked"),
        pytest.param(IdentityCheck(insi_on=TODAY), INS, IdentityStatus.RECOVERED, id="insi"),
        pytest.param(IdentityCheck(document=CARD, checked_on=TODAY), INS,
                     IdentityStatus.VALIDATED, id="document"),
        pytest.param(IdentityCheck(document=CARD, checked_on=TODAY, insi_on=TODAY), INS,
                     IdentityStatus.QUALIFIED, id="both-qualified"),
        pytest.param(IdentityCheck(document=CARD, checked_on=TODAY, insi_on=TODAY), None,
                     IdentityStatus.VALIDATED, id="insi-without-the-ins-counts-for-nothing"),
    ],
)  # fmt: skip
def test_the_status_crosses_the_document_and_insi(
    check: IdentityCheck, ins: str | None, expected: IdentityStatus
) -> None:
    assert identity_status(check, ins=ins) == expected


def test_a_referent_records_the_card_and_the_insi_query() -> None:
    typed = {"piece": "CN", "controlee_le": "2026-05-11", "insi_le": "2026-05-12"}

    check = parse_identity_check(typed, today=TODAY, ins=INS)

    assert check == IdentityCheck(
        document=CARD, checked_on=date(2026, 5, 11), insi_on=date(2026, 5, 12)
    )


@pytest.mark.parametrize(
    ("typed", "ins", "said"),
    [
        pytest.param({"piece": "CN"}, INS, "date du contrôle de la pièce : à renseigner",
                     id="document-without-day"),
        pytest.param({"controlee_le": "2026-05-11"}, INS, "date du contrôle : quelle pièce",
                     id="day-without-document"),
        pytest.param({"piece": "XX", "controlee_le": "2026-05-11"}, INS,
                     "pièce d'identité inconnue", id="unknown-document"),
        pytest.param({"insi_le": "2026-05-13"}, INS, "pas dans le futur", id="tomorrow"),
        pytest.param({"insi_le": "12/05/2026"}, INS, "une date attendue", id="not-iso"),
        pytest.param({"insi_le": "2026-05-12"}, None, "renseignez d'abord l'INS",
                     id="insi-without-ins"),
    ],
)  # fmt: skip
def test_what_cannot_be_kept_is_refused_saying_why(
    typed: dict[str, str], ins: str | None, said: str
) -> None:
    with pytest.raises(IdentityCheckError, match=said):
        parse_identity_check(typed, today=TODAY, ins=ins)
