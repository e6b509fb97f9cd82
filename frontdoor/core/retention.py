"""Retention: what is kept of a request once the department's retention has passed.

The request itself stays for the indicators; who called and what they said goes. The
caller's number is replaced by a keyed pseudonym, so that repeated contacts of one person
can still be counted without the number being recoverable.

What is held falls in four classes, each with its own duration (a department sets it within
bounds, `[retention]` in its file):
- recordings: voicemails, counted from the call itself — kept a few months at most, whatever
  follows;
- call metadata: who contacted the DAC (numbers, addresses, callers' names, what the webhooks
  were answered), counted from the person's last contact;
- messages and attachments: what was written under a request (SMS, mails, their
  attachments, referents' notes, mails to send), counted from the person's last contact;
- person files: the person's identity traits, counted from her last contact (the latest
  request linked to her; her file's creation when none is).
A request not linked to any person counts from itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

PSEUDONYM_PREFIX = "pseudo:"
# Webhook answers are kept only long enough to answer the provider's retries.
RECEIPTS_KEPT = timedelta(days=2)
# Reasons whose text can name a person, and what they become.
_NAMING_REASONS = {"known-caller": "appelant connu (nom effacé)"}


class DataClass(StrEnum):
    RECORDINGS = "recordings"
    CALL_METADATA = "call_metadata"
    MESSAGES = "messages"
    PERSON_FILES = "person_files"


@dataclass(kw_only=True, frozen=True)
class ClassRule:
    """A data class: its key in a department file, its bounds, and how the coordinator reads it."""

    data_class: DataClass
    default_days: int
    min_days: int
    max_days: int
    label: str  # French, as the coordinator reads it
    counted_from: str  # French: from what its duration is counted


CLASS_RULES: tuple[ClassRule, ...] = (
    ClassRule(data_class=DataClass.RECORDINGS, default_days=90, min_days=1, max_days=180,
              label="messages vocaux", counted_from="de l'appel"),
    ClassRule(data_class=DataClass.CALL_METADATA, default_days=730, min_days=30, max_days=3650,
              label="données d'appel (numéros, adresses, noms des appelants)",
              counted_from="du dernier contact de la personne"),
    ClassRule(data_class=DataClass.MESSAGES, default_days=730, min_days=30, max_days=3650,
              label="messages, pièces jointes et notes",
              counted_from="du dernier contact de la personne"),
    ClassRule(data_class=DataClass.PERSON_FILES, default_days=730, min_days=30, max_days=3650,
              label="fiches des personnes", counted_from="du dernier contact de la personne"),
)  # fmt: skip
RULES: Mapping[DataClass, ClassRule] = {rule.data_class: rule for rule in CLASS_RULES}


@dataclass(kw_only=True, frozen=True)
class RetentionPolicy:
    """How many days each class is kept (the defaults of CLASS_RULES unless the file says)."""

    recordings: int = RULES[DataClass.RECORDINGS].default_days
    call_metadata: int = RULES[DataClass.CALL_METADATA].default_days
    messages: int = RULES[DataClass.MESSAGES].default_days
    person_files: int = RULES[DataClass.PERSON_FILES].default_days

    @classmethod
    def all_at(cls, days: int) -> RetentionPolicy:
        """Every class at `days` (the former single `retention_days`), each within its bounds."""
        return cls(**{rule.data_class.value: clamped(rule, days) for rule in CLASS_RULES})

    def days(self, data_class: DataClass) -> int:
        return int(getattr(self, data_class.value))

    def cutoff(self, data_class: DataClass, now: datetime) -> datetime:
        """What counts from before this instant is due."""
        return retention_cutoff(now, self.days(data_class))


def clamped(rule: ClassRule, days: int) -> int:
    return min(max(days, rule.min_days), rule.max_days)


def due_of_request(
    policy: RetentionPolicy, *, received_at: datetime, last_contact: datetime, now: datetime
) -> frozenset[DataClass]:
    """What of one request is due to go at `now`: its recording counted from the request
    itself, its call metadata and its messages from the person's last contact (the request's
    own time when it concerns nobody known: pass `received_at`)."""
    counted = {DataClass.RECORDINGS: received_at, DataClass.CALL_METADATA: last_contact,
               DataClass.MESSAGES: last_contact}  # fmt: skip
    return frozenset(
        data_class
        for data_class, since in counted.items()
        if since < policy.cutoff(data_class, now)
    )


def person_file_due(policy: RetentionPolicy, *, last_contact: datetime, now: datetime) -> bool:
    """Whether a person's file loses her identity traits at `now`."""
    return last_contact < policy.cutoff(DataClass.PERSON_FILES, now)


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def pseudonym(number: str, key: bytes) -> str:
    """The same number always gives the same pseudonym under one key; it cannot be reversed."""
    if number.startswith(PSEUDONYM_PREFIX):
        return number
    digest = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:24]


def stored_forms(number: str, key: bytes) -> tuple[str, ...]:
    """How a number may be held where only its pseudonym is kept (SMS opt-outs): the
    pseudonym, or the number itself in a row written before pseudonyms were."""
    return (pseudonym(number, key), number)


def scrubbed_reasons(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reasons without what names the person; an attachment's reason loses the key of
    its file (deleted with the rest), and keeps its type and size."""
    return unnamed_reasons(without_files(reasons))


def unnamed_reasons(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reasons without what names the person (the call metadata's part)."""
    return [
        {**reason, "text": _NAMING_REASONS[reason["code"]]}
        if reason.get("code") in _NAMING_REASONS
        else dict(reason)
        for reason in reasons
    ]


def without_files(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reasons without the keys of attachments' files, nor their names (the messages'
    part)."""
    return [
        {**reason, "key": None, **({"name": None} if "name" in reason else {})}
        if "key" in reason
        else dict(reason)
        for reason in reasons
    ]
