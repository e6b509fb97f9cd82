"""The API's pages: a cursor carries where a page ended, for one list with its filters, and
nothing else is read as one; the limit and the department's days."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.listing import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ListingRefused,
    Mark,
    choice,
    cursor_key,
    decode_cursor,
    encode_cursor,
    local_days,
    parse_limit,
)

KEY = cursor_key(b"the service's secret")
MARK = Mark(at=datetime(2026, 5, 11, 14, 2, 11, 123456, tzinfo=UTC), id=1234)
FILTERS = {"from": "2026-05-11", "to": "2026-05-11", "status": "open"}
PARIS = ZoneInfo("Europe/Paris")


def a_cursor() -> str:
    return encode_cursor(key=KEY, listing="requests", filters=FILTERS, mark=MARK)


def test_a_cursor_gives_back_the_mark_it_was_made_with() -> None:
    assert decode_cursor(a_cursor(), key=KEY, listing="requests", filters=FILTERS) == MARK


def test_a_cursor_is_url_safe_text() -> None:
    assert a_cursor().replace("-", "").replace("_", "").isalnum()


def test_empty_filters_are_the_same_as_absent_ones() -> None:
    cursor = encode_cursor(key=KEY, listing="tasks", filters={"status": ""}, mark=MARK)

    assert decode_cursor(cursor, key=KEY, listing="tasks", filters={}) == MARK


def test_the_cursors_key_is_not_the_secret_it_comes_from() -> None:
    assert cursor_key(b"s") != b"s"
    assert cursor_key(b"s") == cursor_key(b"s") != cursor_key(b"t")


@pytest.mark.parametrize("position", range(0, 80, 7), ids=lambda p: f"char-{p}")
def test_a_cursor_changed_anywhere_is_refused(position: int) -> None:
    cursor = a_cursor()
    changed = cursor[:position] + ("A" if cursor[position] != "A" else "B") + cursor[position + 1 :]

    with pytest.raises(ListingRefused, match="curseur invalide"):
        decode_cursor(changed, key=KEY, listing="requests", filters=FILTERS)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("not a cursor!", id="not-base64"),
        pytest.param("QUJD", id="too-short"),
        pytest.param("A" * 2000, id="too-long"),
        pytest.param(base64.urlsafe_b64encode(b"\x00" * 16 + b"[1]").decode(), id="unsigned"),
    ],
)
def test_what_this_service_did_not_make_is_refused(text: str) -> None:
    with pytest.raises(ListingRefused, match="curseur invalide"):
        decode_cursor(text, key=KEY, listing="requests", filters=FILTERS)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    with pytest.raises(ListingRefused, match="modifié ou vient d'ailleurs"):
        decode_cursor(a_cursor(), key=cursor_key(b"other"), listing="requests", filters=FILTERS)


def test_a_cursor_of_another_list_is_refused() -> None:
    with pytest.raises(ListingRefused, match="une autre liste"):
        decode_cursor(a_cursor(), key=KEY, listing="tasks", filters=FILTERS)


def test_a_cursor_sent_with_other_filters_is_refused() -> None:
    with pytest.raises(ListingRefused, match="les filtres ont changé"):
        decode_cursor(
            a_cursor(), key=KEY, listing="requests", filters={**FILTERS, "status": "closed"}
        )


@pytest.mark.parametrize(
    ("text", "limit"),
    [(None, DEFAULT_LIMIT), ("", DEFAULT_LIMIT), ("1", 1), (str(MAX_LIMIT), MAX_LIMIT)],
    ids=["absent", "empty", "one", "most"],
)
def test_a_limit_within_bounds_is_taken(text: str | None, limit: int) -> None:
    assert parse_limit(text) == limit


@pytest.mark.parametrize("text", ["0", str(MAX_LIMIT + 1), "-1", "ten", "1.5", "٣"])
def test_a_limit_beyond_bounds_is_refused_in_french(text: str) -> None:
    with pytest.raises(ListingRefused, match="limit : un nombre entier de 1 à"):
        parse_limit(text)


@pytest.mark.parametrize(
    ("first", "last", "bounds"),
    [
        pytest.param(
            date(2026, 5, 11), date(2026, 5, 11),
            (datetime(2026, 5, 10, 22, tzinfo=UTC), datetime(2026, 5, 11, 22, tzinfo=UTC)),
            id="one-summer-day",
        ),
        pytest.param(
            date(2026, 3, 29), date(2026, 3, 29),
            (datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC)),
            id="spring-forward-day-of-23-hours",
        ),
        pytest.param(
            date(2026, 10, 25), date(2026, 10, 25),
            (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC)),
            id="fall-back-day-of-25-hours",
        ),
        pytest.param(
            date(2026, 5, 11), None, (datetime(2026, 5, 10, 22, tzinfo=UTC), None), id="from-only"
        ),
        pytest.param(None, None, (None, None), id="neither"),
    ],
)  # fmt: skip
def test_days_are_the_departments_from_midnight_to_midnight(
    first: date | None, last: date | None, bounds: tuple[datetime | None, datetime | None]
) -> None:
    start, end = local_days(first, last, PARIS)

    assert (start, end) == bounds


def test_a_last_day_before_the_first_is_refused() -> None:
    with pytest.raises(ListingRefused, match="ne peut précéder"):
        local_days(date(2026, 5, 12), date(2026, 5, 11), PARIS)


def test_a_choice_names_the_values_it_takes() -> None:
    assert choice("status", "open", frozenset({"open", "closed"})) == "open"
    assert choice("status", None, frozenset({"open"})) is None
    with pytest.raises(ListingRefused, match="status : une valeur parmi closed, open"):
        choice("status", "shut", frozenset({"open", "closed"}))
