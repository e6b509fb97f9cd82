"""Which of Twilio's records an erasure or a purge deletes there, and when a deletion Twilio
refused is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.provider_records import (
    MAX_ATTEMPTS,
    RETRY_LONGEST,
    RecordKind,
    kind_of,
    next_attempt,
    to_delete,
)

CALL, LEG = "CA" + "1" * 32, "CA" + "2" * 32
SMS, MMS = "SM" + "3" * 32, "MM" + "4" * 32
AT = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sid", "kind"),
    [
        (CALL, RecordKind.CALL),
        (SMS, RecordKind.MESSAGE),
        (MMS, RecordKind.MESSAGE),
        ("RE" + "5" * 32, None),  # a recording: deleted by the recordings' own path
        ("<abc@cabinet.mssante.fr>", None),  # a mail's Message-ID
        ("CA123", None),  # not one of Twilio's
        ("CA" + "1" * 31 + "/", None),  # would leave the URL's path
        ("", None),
        (None, None),
    ],
    ids=["call", "sms", "mms", "recording", "mail", "short", "slash", "empty", "none"],
)
def test_a_sid_names_the_record_twilio_keeps(sid: str | None, kind: RecordKind | None) -> None:
    assert kind_of(sid) == kind


def test_an_erasure_deletes_each_call_and_message_once() -> None:
    sids = [CALL, LEG, None, SMS, LEG, MMS, "<mail@x>"]

    assert to_delete(sids, kinds=RecordKind) == [
        (RecordKind.CALL, CALL), (RecordKind.CALL, LEG),
        (RecordKind.MESSAGE, MMS), (RecordKind.MESSAGE, SMS),
    ]  # fmt: skip


def test_a_purge_of_messages_only_leaves_the_calls() -> None:
    assert to_delete([CALL, SMS], kinds=[RecordKind.MESSAGE]) == [(RecordKind.MESSAGE, SMS)]


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (1, timedelta(minutes=5)),
        (2, timedelta(minutes=10)),
        (3, timedelta(minutes=20)),
        (9, timedelta(minutes=5 * 256)),
        (10, RETRY_LONGEST),
        (MAX_ATTEMPTS - 1, RETRY_LONGEST),
    ],
    ids=["first", "second", "third", "ninth", "capped", "last"],
)
def test_a_refused_deletion_waits_longer_each_time_up_to_a_day(
    attempts: int, wait: timedelta
) -> None:
    assert next_attempt(attempts, at=AT) == AT + wait


def test_a_deletion_is_tried_for_longer_than_twilio_may_take_to_finalise_a_record() -> None:
    """Twilio: "in rare cases … up to 14 days" before a record can be deleted."""
    at, attempts = AT, 0
    while (retry := next_attempt(attempts + 1, at=at)) is not None:
        at, attempts = retry, attempts + 1

    assert attempts + 1 == MAX_ATTEMPTS
    assert timedelta(days=14) < at - AT < timedelta(days=20)


def test_the_wait_is_elapsed_time_across_a_dst_change() -> None:
    paris = AT.astimezone(ZoneInfo("Europe/Paris"))  # 01:30, half an hour before the change

    assert next_attempt(5, at=paris) == AT + timedelta(minutes=80)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_attempt(1, at=datetime(2027, 3, 28, 1, 30))  # noqa: DTZ001
