"""The rule for marking a request a repeat of another: same department, an earlier request,
not itself, no loop; and how a person's requests are listed with their repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdoor.core.repeats import (
    RepeatError,
    RequestInChain,
    first_of_chain,
    parse_repeat_of,
    repeat_refusal,
    under_their_originals,
)

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def request(
    id: int,  # noqa: A002
    *,
    hours: int = 0,
    department: str = "dac46",
    repeat_of: int | None = None,
) -> RequestInChain:
    return RequestInChain(
        id=id,
        department=department,
        received_at=MONDAY + timedelta(hours=hours),
        repeat_of=repeat_of,
    )


def refusal(
    new: RequestInChain, original: RequestInChain | None, *chain: RequestInChain
) -> str | None:
    known = {r.id: r.repeat_of for r in chain}
    return repeat_refusal(new, original, known.get)


@pytest.mark.parametrize(
    ("new", "original", "expected"),
    [
        pytest.param(request(2, hours=5), request(1), None, id="an-earlier-request"),
        pytest.param(request(2), request(1), None, id="same-instant-lower-number"),
        pytest.param(request(2, hours=5), None, "introuvable", id="no-such-request"),
        pytest.param(
            request(2, hours=5), request(1, department="dac57"), "introuvable",
            id="another-department",
        ),
        pytest.param(request(2), request(2), "elle-même", id="itself"),
        pytest.param(request(1), request(2, hours=5), "reçue avant elle", id="a-later-request"),
        pytest.param(request(1), request(2), "reçue avant elle", id="same-instant-higher-number"),
    ],
)  # fmt: skip
def test_a_request_repeats_an_earlier_request_of_its_department(
    new: RequestInChain, original: RequestInChain | None, expected: str | None
) -> None:
    found = refusal(new, original)

    assert found is None if expected is None else expected in (found or "")


def test_a_loop_is_found_by_following_the_chain() -> None:
    # Rows set before the rule (or by hand) make 5 -> 4 -> 6; marking 6 a repeat of 5 loops.
    chain = (request(5, repeat_of=4), request(4, repeat_of=6), request(6))
    newest = request(6, hours=9)

    found = refusal(newest, chain[0], *chain)

    assert found is not None
    assert "boucle" in found


def test_a_chain_that_loops_on_itself_elsewhere_ends() -> None:
    chain = (request(5, repeat_of=4), request(4, repeat_of=5))

    assert refusal(request(9, hours=9), chain[0], *chain) is None


def test_the_first_of_a_chain_is_the_sollicitation_counted() -> None:
    chain = {3: 2, 2: 1, 1: None, 7: 8, 8: 7}

    assert first_of_chain(3, chain) == 1
    assert first_of_chain(1, chain) == 1
    assert first_of_chain(7, chain) in {7, 8}  # a loop ends


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), (None, None), ("12", 12), (" n°12 ", 12), ("#12", 12), (12, 12)],
)
def test_the_request_repeated_is_read_from_a_form_or_a_body(
    value: object, expected: int | None
) -> None:
    assert parse_repeat_of(value) == expected


@pytest.mark.parametrize("value", ["douze", "12a", "-3", "1234567890", True, "١٢"])
def test_a_request_number_that_is_not_one_is_refused_in_french(value: object) -> None:
    with pytest.raises(RepeatError, match="numéro de la demande"):
        parse_repeat_of(value)


def test_a_persons_requests_list_each_repeat_under_the_request_it_repeats() -> None:
    # In order of arrival: 1, 2, 3 (repeats 1), 4 (repeats 3), 5 (repeats 9, not listed).
    ordered = under_their_originals([1, 2, 3, 4, 5], {3: 1, 4: 3, 5: 9})

    assert ordered == [1, 3, 4, 2, 5]


def test_a_listing_with_a_loop_still_lists_every_request_once() -> None:
    assert sorted(under_their_originals([1, 2], {1: 2, 2: 1})) == [1, 2]
