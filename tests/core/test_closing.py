"""Frontdoor closes a request the directory alone answered, and opens it again when its
caller writes once more; whatever else a request got leaves it to the referents."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core.closing import (
    BY_FRONTDOOR,
    Ended,
    directory_answered_closes,
    written_again_reopens,
)

ANSWERED = Ended(
    status="open",
    outcome="informed",
    response_kinds=["information"],
    callback_needed=False,
    voicemail=False,
)


def test_a_request_the_directory_alone_answered_is_closed_with_a_french_reason() -> None:
    reason = directory_answered_closes(ANSWERED)

    assert reason is not None
    assert reason.code == "directory-answered-closed"
    assert reason.text.startswith("renseignée par l'annuaire")


@pytest.mark.parametrize(
    "ended",
    [
        pytest.param(replace(ANSWERED, outcome="taken"), id="put-through-to-a-referent"),
        pytest.param(replace(ANSWERED, outcome="voicemail", voicemail=True), id="left-a-message"),
        pytest.param(replace(ANSWERED, outcome="abandoned"), id="hung-up-before-the-answer"),
        pytest.param(replace(ANSWERED, callback_needed=True), id="owed-a-callback"),
        pytest.param(replace(ANSWERED, voicemail=True), id="a-recording-all-the-same"),
        pytest.param(
            replace(ANSWERED, response_kinds=["information", "orientation"]),
            id="a-referent-recorded-an-orientation",
        ),
        pytest.param(replace(ANSWERED, response_kinds=[]), id="no-response-recorded"),
        pytest.param(replace(ANSWERED, status="closed"), id="already-closed"),
    ],
)
def test_a_request_that_got_more_than_the_directory_is_left_to_the_referents(
    ended: Ended,
) -> None:
    assert directory_answered_closes(ended) is None


def test_a_message_under_a_request_frontdoor_closed_opens_it_again() -> None:
    reason = written_again_reopens(status="closed", closed_by=BY_FRONTDOOR)

    assert reason is not None
    assert reason.code == "written-again-reopened"


@pytest.mark.parametrize(
    ("status", "closed_by"),
    [
        pytest.param("closed", "anne.martin", id="closed-by-a-referent"),
        pytest.param("open", None, id="open"),
    ],
)
def test_a_message_under_any_other_request_changes_nothing_of_its_status(
    status: str, closed_by: str | None
) -> None:
    assert written_again_reopens(status=status, closed_by=closed_by) is None
