"""What is kept of a request once its retention has passed."""

from __future__ import annotations

from frontdoor.core.retention import PSEUDONYM_PREFIX, pseudonym, scrubbed_reasons, stored_forms

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


def test_an_attachments_reason_loses_its_files_key_and_keeps_its_type_and_size() -> None:
    reasons = [{"code": "mail-attachment", "text": "application/pdf, 1234 octets", "key": "k"}]

    assert scrubbed_reasons(reasons) == [
        {"code": "mail-attachment", "text": "application/pdf, 1234 octets", "key": None}
    ]


def test_a_number_kept_as_a_pseudonym_is_found_under_it_or_as_it_was_kept_before() -> None:
    assert stored_forms("+33611223344", KEY) == (pseudonym("+33611223344", KEY), "+33611223344")
