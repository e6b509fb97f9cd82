"""What is kept of a request once its retention has passed, class by class."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdoor.core.retention import (
    PSEUDONYM_PREFIX,
    DataClass,
    RetentionPolicy,
    due_of_request,
    person_file_due,
    pseudonym,
    scrubbed_reasons,
    stored_forms,
)

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


def test_an_attachments_reason_loses_the_senders_file_name_with_its_file() -> None:
    reasons = [{"code": "mail-attachment", "text": "t", "key": "k", "name": "CR Mme X.pdf",
                "size": 1234}]  # fmt: skip

    assert scrubbed_reasons(reasons) == [
        {"code": "mail-attachment", "text": "t", "key": None, "name": None, "size": 1234}
    ]


def test_a_number_kept_as_a_pseudonym_is_found_under_it_or_as_it_was_kept_before() -> None:
    assert stored_forms("+33611223344", KEY) == (pseudonym("+33611223344", KEY), "+33611223344")


NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
POLICY = RetentionPolicy(recordings=90, call_metadata=730, messages=365, person_files=730)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("received", "last_contact", "due"),
    [
        pytest.param(10, 10, set(), id="recent-nothing"),
        pytest.param(91, 91, {DataClass.RECORDINGS}, id="voicemail-past-its-months"),
        pytest.param(89, 89, set(), id="voicemail-within-its-months"),
        pytest.param(366, 366, {DataClass.RECORDINGS, DataClass.MESSAGES},
                     id="messages-before-metadata"),
        pytest.param(731, 731, {DataClass.RECORDINGS, DataClass.MESSAGES,
                                DataClass.CALL_METADATA}, id="everything"),
        pytest.param(731, 20, {DataClass.RECORDINGS},
                     id="a-recent-contact-of-the-person-keeps-all-but-the-recording"),
        pytest.param(731, 400, {DataClass.RECORDINGS, DataClass.MESSAGES},
                     id="counted-from-the-last-contact"),
    ],
)  # fmt: skip
def test_what_of_a_request_is_due(received: int, last_contact: int, due: set[DataClass]) -> None:
    assert due_of_request(POLICY, received_at=days_ago(received),
                          last_contact=days_ago(last_contact), now=NOW) == due  # fmt: skip


def test_a_person_file_is_due_its_time_after_her_last_contact() -> None:
    assert person_file_due(POLICY, last_contact=days_ago(731), now=NOW)
    assert not person_file_due(POLICY, last_contact=days_ago(729), now=NOW)


def test_the_classes_default_to_a_few_months_for_voicemails_and_two_years_for_the_rest() -> None:
    assert RetentionPolicy() == RetentionPolicy(
        recordings=90, call_metadata=730, messages=730, person_files=730
    )


def test_the_former_single_duration_sets_every_class_within_its_bounds() -> None:
    assert RetentionPolicy.all_at(365) == RetentionPolicy(
        recordings=180, call_metadata=365, messages=365, person_files=365
    )
    assert RetentionPolicy.all_at(45).recordings == 45
