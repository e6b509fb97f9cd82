"""What is kept of a request once its retention has passed."""

from __future__ import annotations

from frontdoor.core.retention import PSEUDONYM_PREFIX, pseudonym, scrubbed_reasons

KEY = b"test-key"


def test_a_pseudonym_is_stable_under_one_key_and_hides_the_number() -> None:
    first = pseudonym("+33611223344", KEY)

    assert first == pseudonym("+33611223344", KEY)
    assert first.startswith(PSEUDONYM_PREFIX)
    assert "611223344" not in first
    assert first != pseudonym("+33611223344", b"another-key")
    assert first != pseudonym("+33611223345", KEY)


def test_a_pseudonym_is_not_pseudonymised_again() -> None:
    once = pseudonym("+33611223344", KEY)

    assert pseudonym(once, KEY) == once


def test_reasons_that_name_a_person_lose_the_name_and_the_others_stay() -> None:
    reasons = [
        {"code": "weekly-hours", "text": "ouvert : mardi 08:30–18:30"},
        {"code": "known-caller", "text": "appelant connu : Docteur Jeanne Roux"},
    ]

    assert scrubbed_reasons(reasons) == [
        {"code": "weekly-hours", "text": "ouvert : mardi 08:30–18:30"},
        {"code": "known-caller", "text": "appelant connu (nom effacé)"},
    ]
