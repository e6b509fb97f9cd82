"""The referents, roster and callback parts of a department file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import TimeRange
from frontdoor.core.department import CallbackPolicy
from frontdoor.core.mail_addresses import is_mail_address
from frontdoor.core.roster import (
    NobodyOnDuty,
    Override,
    OverrideKind,
    Referent,
    Roster,
    Rotation,
    Shift,
    WhenNobody,
)
from frontdoor.department_file.keys import CALLBACKS
from frontdoor.department_file.reader import Reader

# Dots only between the domain's labels: no backtracking over a long run of them.
_BUDGET = re.compile(r"^\s*(?:(\d{1,3})\s*h\s*(\d{1,2})?|(\d{1,4})\s*min)\s*$")
_BUDGET_RANGE = (timedelta(minutes=15), timedelta(hours=72))
_WHEN_NOBODY = "expected 'backup', 'message' or a number to forward to (+33…)"
_DEFAULT_REASONS = {
    OverrideKind.ADD: "renfort",
    OverrideKind.REPLACE: "remplacement",
    OverrideKind.REMOVE: "absence",
}


def referents(reader: Reader, value: Any) -> dict[str, Referent]:
    if not isinstance(value, list) or not value:
        reader.problem("referents", "expected at least one [[referents]] entry")
        return {}
    referents: dict[str, Referent] = {}
    for where, item in reader.tables(value, "referents", "id, name and phone"):
        referent_id = reader.text(item, "id", f"{where}.id")
        if referent_id in referents:
            reader.problem(f"{where}.id", f"{referent_id!r} is used twice")
        referents[referent_id] = Referent(
            id=referent_id,
            name=reader.text(item, "name", f"{where}.name"),
            phone=reader.phone(reader.text(item, "phone", f"{where}.phone"), f"{where}.phone"),
        )
    return referents


def roster(
    reader: Reader,
    data: Mapping[str, Any],
    referents: Mapping[str, Referent],
    *,
    timezone: ZoneInfo | None,
    own_number: str,
) -> Roster:
    shifts = []
    for where, item in reader.tables(
        data.get("shifts", []), "roster.shifts", "days, hours and referents"
    ):
        days, hours = _days_and_hours(reader, item, where)
        ids = _referent_ids(reader, item.get("referents"), f"{where}.referents", referents)
        if hours is not None:
            shifts.append(Shift(weekdays=days, hours=hours, referent_ids=ids))
    rotations = []
    for where, item in reader.tables(
        data.get("rotations", []), "roster.rotations", "days, hours, anchor and weeks"
    ):
        days, hours = _days_and_hours(reader, item, where)
        anchor = _date(reader, item.get("anchor"), f"{where}.anchor")
        weeks = _weeks(reader, item.get("weeks"), f"{where}.weeks", referents)
        if hours is not None and anchor is not None and weeks:
            rotations.append(Rotation(weekdays=days, hours=hours, anchor=anchor, weeks=weeks))
    overrides = []
    for where, item in reader.tables(
        data.get("overrides", []), "roster.overrides", "from, to, kind and referent"
    ):
        override = _override(reader, item, where, referents, timezone)
        if override is not None:
            overrides.append(override)
    backup = _referent_ids(reader, data.get("backup", []), "roster.backup", referents)
    return Roster(
        shifts=tuple(shifts),
        rotations=tuple(rotations),
        overrides=tuple(overrides),
        backup=backup,
        when_nobody=_when_nobody(reader, data.get("when_nobody"), backup, own_number),
    )


def callbacks(
    reader: Reader, data: Mapping[str, Any], referents: Mapping[str, Referent]
) -> CallbackPolicy:
    deadline = CallbackPolicy().deadline
    if "deadline" in data:
        deadline = _budget(reader, reader.text(data, "deadline", "callbacks.deadline"))
    policy = CallbackPolicy(
        deadline=deadline,
        missed_call_sms=reader.declared_boolean(data, CALLBACKS, "missed_call_sms"),
    )
    given = data.get("escalate_to")
    if given is None:
        return policy
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list) or not given or not all(isinstance(t, str) for t in given):
        reader.problem(
            "callbacks.escalate_to", "expected a referent id or a mail address, or a list of them"
        )
        return policy
    to_referents: list[str] = []
    to_addresses: list[str] = []
    for target in (t.strip() for t in given):
        if target in referents:
            to_referents.append(target)
        elif is_mail_address(target):
            to_addresses.append(target)
        else:
            reader.problem(
                "callbacks.escalate_to",
                f"{target!r}: expected a referent id of [[referents]] or a mail address",
            )
    return replace(
        policy,
        escalate_to_referents=tuple(dict.fromkeys(to_referents)),
        escalate_to_addresses=tuple(dict.fromkeys(to_addresses)),
    )


def _days_and_hours(
    reader: Reader, item: Mapping[str, Any], where: str
) -> tuple[frozenset[int], TimeRange | None]:
    days = reader.weekdays(reader.text(item, "days", f"{where}.days"), f"{where}.days")
    hours = reader.time_range(reader.text(item, "hours", f"{where}.hours"), f"{where}.hours")
    return days, hours


def _date(reader: Reader, value: Any, where: str) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    reader.problem(where, "expected a date such as 2026-01-05 (the first day of week 1)")
    return None


def _weeks(
    reader: Reader, value: Any, where: str, referents: Mapping[str, Referent]
) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not value or not all(isinstance(w, list) for w in value):
        reader.problem(where, 'expected a list of weeks such as [["amartin"], ["bleroy"]]')
        return ()
    return tuple(
        _referent_ids(reader, week, f"{where}[{index}]", referents)
        for index, week in enumerate(value)
    )


def _override(
    reader: Reader,
    item: Mapping[str, Any],
    where: str,
    referents: Mapping[str, Referent],
    timezone: ZoneInfo | None,
) -> Override | None:
    starts = reader.local_datetime(item.get("from"), f"{where}.from", timezone)
    ends = reader.local_datetime(item.get("to"), f"{where}.to", timezone)
    kind_name = reader.text(item, "kind", f"{where}.kind")
    kind = None
    if kind_name:
        try:
            kind = OverrideKind(kind_name)
        except ValueError:
            reader.problem(f"{where}.kind", f"{kind_name!r}: expected 'replace', 'add' or 'remove'")
    referent_id = _referent_id(reader, item, "referent", where, referents)
    instead_of = None
    if kind is OverrideKind.REPLACE:
        instead_of = _referent_id(reader, item, "instead_of", where, referents)
        if instead_of and instead_of == referent_id:
            reader.problem(f"{where}.instead_of", "a referent cannot replace themselves")
    elif "instead_of" in item and kind is not None:
        reader.problem(f"{where}.instead_of", "only a 'replace' override names who is replaced")
    default_reason = "-" if kind is None else _DEFAULT_REASONS.get(kind, "-")
    reason = reader.text(item, "reason", f"{where}.reason", default_reason)
    if starts and ends and ends <= starts:
        reader.problem(where, "'to' must come after 'from'")
        return None
    if not (starts and ends and kind and referent_id) or (
        kind is OverrideKind.REPLACE and not instead_of
    ):
        return None
    return Override(
        starts=starts,
        ends=ends,
        kind=kind,
        referent_id=referent_id,
        instead_of=instead_of,
        reason=reason,
    )


def _referent_id(
    reader: Reader,
    item: Mapping[str, Any],
    key: str,
    where: str,
    referents: Mapping[str, Referent],
) -> str | None:
    referent_id = reader.text(item, key, f"{where}.{key}")
    if referent_id and referent_id not in referents:
        reader.problem(f"{where}.{key}", f"{referent_id!r} is not one of the [[referents]]")
        return None
    return referent_id or None


def _when_nobody(
    reader: Reader, value: Any, backup: tuple[str, ...], own_number: str
) -> NobodyOnDuty:
    where = "roster.when_nobody"
    if value is None:
        return NobodyOnDuty(action=WhenNobody.BACKUP if backup else WhenNobody.MESSAGE)
    if not isinstance(value, str) or not value.strip():
        reader.problem(where, _WHEN_NOBODY)
        return NobodyOnDuty()
    value = value.strip()
    if value in (WhenNobody.BACKUP, WhenNobody.MESSAGE):
        if value == WhenNobody.BACKUP and not backup:
            reader.problem(where, "'backup' needs a backup list: roster.backup is empty")
        return NobodyOnDuty(action=WhenNobody(value))
    if not value.startswith("+") and not value[:1].isdigit():
        reader.problem(where, f"{value!r}: {_WHEN_NOBODY}")
        return NobodyOnDuty()
    number = reader.phone(value, where)
    if number == own_number:
        reader.problem(where, f"{number} is this department's own number: calls would loop")
    return NobodyOnDuty(action=WhenNobody.FORWARD, forward_to=number)


def _budget(reader: Reader, value: str) -> timedelta:
    match = _BUDGET.match(value.lower())
    if match:
        hours, minutes, only_minutes = match.groups()
        budget = timedelta(
            hours=int(hours or 0), minutes=int(minutes or 0) + int(only_minutes or 0)
        )
        if _BUDGET_RANGE[0] <= budget <= _BUDGET_RANGE[1]:
            return budget
    if value:
        reader.problem(
            "callbacks.deadline",
            f'{value!r}: expected opening hours such as "4h", "1h30" or "45min", '
            "between 15 min and 72 h",
        )
    return CallbackPolicy().deadline


def _referent_ids(
    reader: Reader, value: Any, where: str, referents: Mapping[str, Referent]
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        reader.problem(where, "expected a list of referent ids")
        return ()
    for referent_id in value:
        if referent_id not in referents:
            reader.problem(where, f"{referent_id!r} is not one of the [[referents]]")
    for repeated in sorted({v for v in value if value.count(v) > 1}):
        reader.problem(where, f"{repeated!r} is listed twice")
    return tuple(v for v in value if v in referents)
