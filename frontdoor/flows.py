"""Department files (flows/*.toml): read, validate, and turn into core Departments.

Every problem names its file, its key and what is wrong, so that a coordinator editing a
file can fix it without reading code. All problems are collected, not just the first.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from frontdoor.core.calendar import WEEKDAYS, Calendar, Closure, TimeRange, holidays_subdivision
from frontdoor.core.department import Department, Ringing, RingStrategy
from frontdoor.core.roster import Referent, Roster, Shift

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_KNOWN_KEYS: Mapping[str, set[str]] = {
    "": {"department", "hours", "ringing", "referents", "roster", "prompts"},
    "department": {"slug", "name", "number", "timezone", "holidays", "public_allowed", "voice"},
    "hours": {"weekly", "closures"},
    "ringing": {"strategy", "timeout", "accept_timeout", "show_caller_number", "max_message"},
    "referents": {"id", "name", "phone"},
    "roster": {"shifts", "backup"},
    "roster.shifts": {"days", "hours", "referents"},
    "hours.closures": {"from", "to", "reason"},
}


@dataclass(kw_only=True, frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Reader:
    """Reads one file's values, noting problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, key=key, message=message))

    def table(self, data: Mapping[str, Any], key: str, section: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problem(key, "expected a table")
            return {}
        self.unknown_keys(value, section, prefix=key)
        return value

    def unknown_keys(self, value: Mapping[str, Any], section: str, *, prefix: str) -> None:
        for extra in sorted(set(value) - _KNOWN_KEYS[section]):
            where = f"{prefix}.{extra}" if prefix else extra
            self.problem(
                where, f"unknown key (expected one of: {', '.join(sorted(_KNOWN_KEYS[section]))})"
            )

    def text(
        self, data: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if value is None:
            self.problem(where, "missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "expected non-empty text")
            return ""
        return value.strip()

    def boolean(self, data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, "expected true or false")
            return default
        return value

    def seconds(
        self, data: Mapping[str, Any], key: str, where: str, default: int, *, lo: int, hi: int
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.problem(where, f"expected a number of seconds between {lo} and {hi}")
            return default
        return value

    def phone(self, value: str, where: str) -> str:
        if not value:  # missing or not text: already reported
            return value
        try:
            parsed = phonenumbers.parse(value, "FR")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            self.problem(where, f"{value!r} is not a valid phone number (write it as +33…)")
            return value
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def time_range(self, value: str, where: str) -> TimeRange | None:
        match = _RANGE.match(value.strip())
        if match:
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 < 24 and m1 < 60 and h2 < 24 and m2 < 60 and (h1, m1) < (h2, m2):
                return TimeRange(start=time(h1, m1), end=time(h2, m2))
        self.problem(where, f"{value!r}: expected a range such as '08:30-18:30' within one day")
        return None

    def weekdays(self, value: str, where: str) -> frozenset[int]:
        if not value:  # missing or not text: already reported
            return frozenset()
        days: set[int] = set()
        for part in value.lower().replace(" ", "").split(","):
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or (last and last not in WEEKDAYS):
                self.problem(where, f"{value!r}: expected days such as 'mon-fri' or 'mon,wed'")
                return frozenset()
            lo, hi = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
            days.update(range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(0, hi + 1)])
        return frozenset(days)


def load_department(path: Path, prompts: Mapping[str, str]) -> Department:
    """Read one department file; raises ConfigError listing every problem in it."""
    reader = _Reader(path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(
            [Problem(file=path.name, key="-", message=f"unreadable: {error}")]
        ) from None
    reader.unknown_keys(data, "", prefix="")
    department = _department(reader, data, prompts)
    if reader.problems or department is None:
        raise ConfigError(reader.problems)
    return department


def _department(
    reader: _Reader, data: Mapping[str, Any], prompts: Mapping[str, str]
) -> Department | None:
    head = reader.table(data, "department", "department")
    slug = reader.text(head, "slug", "department.slug")
    if slug and not _SLUG.match(slug):
        reader.problem("department.slug", f"{slug!r}: lowercase letters, digits and dashes only")
    name = reader.text(head, "name", "department.name")
    number = reader.phone(reader.text(head, "number", "department.number"), "department.number")
    timezone = _timezone(reader, reader.text(head, "timezone", "department.timezone"))
    subdivision = None
    holidays_code = reader.text(head, "holidays", "department.holidays", "FR")
    try:
        subdivision = holidays_subdivision(holidays_code) if holidays_code else None
    except ValueError as error:
        reader.problem("department.holidays", str(error))
    public_allowed = reader.boolean(head, "public_allowed", "department.public_allowed", False)
    voice = reader.text(head, "voice", "department.voice", "Polly.Lea")

    hours = reader.table(data, "hours", "hours")
    weekly = _weekly(reader, hours.get("weekly"))
    closures = _closures(reader, hours.get("closures", []), timezone)

    ringing_data = reader.table(data, "ringing", "ringing")
    strategy_name = reader.text(ringing_data, "strategy", "ringing.strategy", "simultaneous")
    try:
        strategy = RingStrategy(strategy_name)
    except ValueError:
        reader.problem(
            "ringing.strategy", f"{strategy_name!r}: expected 'simultaneous' or 'sequential'"
        )
        strategy = RingStrategy.SIMULTANEOUS
    ringing = Ringing(
        strategy=strategy,
        timeout_s=reader.seconds(ringing_data, "timeout", "ringing.timeout", 20, lo=5, hi=120),
        accept_timeout_s=reader.seconds(
            ringing_data, "accept_timeout", "ringing.accept_timeout", 6, lo=3, hi=30
        ),
        show_caller_number=reader.boolean(
            ringing_data, "show_caller_number", "ringing.show_caller_number", False
        ),
    )
    max_message = reader.seconds(
        ringing_data, "max_message", "ringing.max_message", 120, lo=10, hi=600
    )

    referents = _referents(reader, data.get("referents", []))
    roster = _roster(reader, reader.table(data, "roster", "roster"), referents)

    own_prompts = data.get("prompts", {})
    if not isinstance(own_prompts, dict):
        reader.problem("prompts", "expected a table")
        own_prompts = {}
    for key, value in own_prompts.items():
        if key not in prompts:
            reader.problem(
                f"prompts.{key}", f"unknown prompt (known: {', '.join(sorted(prompts))})"
            )
        elif not isinstance(value, str) or not value.strip():
            reader.problem(f"prompts.{key}", "expected non-empty text")

    if reader.problems or timezone is None:
        return None
    return Department(
        slug=slug,
        name=name,
        number=number,
        calendar=Calendar(
            timezone=timezone, weekly=weekly, holidays_subdivision=subdivision, closures=closures
        ),
        referents=referents,
        roster=roster,
        public_allowed=public_allowed,
        ringing=ringing,
        voice=voice,
        prompts={**prompts, **own_prompts},
        max_message_s=max_message,
    )


def _timezone(reader: _Reader, name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(
            "department.timezone", f"{name!r}: not an IANA time zone such as 'Europe/Paris'"
        )
        return None


def _weekly(reader: _Reader, value: Any) -> dict[int, tuple[TimeRange, ...]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        reader.problem("hours.weekly", 'expected a list such as ["mon-fri 08:30-18:30"]')
        return {}
    weekly: dict[int, list[TimeRange]] = {}
    for index, line in enumerate(value):
        where = f"hours.weekly[{index}]"
        days_text, _, ranges_text = line.strip().partition(" ")
        days = reader.weekdays(days_text, where)
        for part in ranges_text.split(","):
            time_range = reader.time_range(part, where)
            if time_range is None:
                continue
            for day in days:
                weekly.setdefault(day, []).append(time_range)
    return {day: _merged(ranges) for day, ranges in weekly.items()}


def _merged(ranges: list[TimeRange]) -> tuple[TimeRange, ...]:
    """Touching or overlapping ranges as one: 08:30-12:30 and 12:30-18:30 is 08:30-18:30."""
    merged: list[TimeRange] = []
    for time_range in sorted(ranges, key=lambda r: r.start):
        if merged and time_range.start <= merged[-1].end:
            last = merged.pop()
            time_range = TimeRange(start=last.start, end=max(last.end, time_range.end))
        merged.append(time_range)
    return tuple(merged)


def _closures(reader: _Reader, value: Any, timezone: ZoneInfo | None) -> tuple[Closure, ...]:
    if not isinstance(value, list):
        reader.problem("hours.closures", "expected a list of { from, to, reason } tables")
        return ()
    closures = []
    for index, item in enumerate(value):
        where = f"hours.closures[{index}]"
        if not isinstance(item, dict):
            reader.problem(where, 'expected a table { from = "…", to = "…", reason = "…" }')
            continue
        reader.unknown_keys(item, "hours.closures", prefix=where)
        starts = _local_datetime(reader, item.get("from"), f"{where}.from", timezone)
        ends = _local_datetime(reader, item.get("to"), f"{where}.to", timezone)
        reason = reader.text(item, "reason", f"{where}.reason", "fermeture exceptionnelle")
        if starts and ends:
            if ends <= starts:
                reader.problem(where, "'to' must come after 'from'")
            else:
                closures.append(Closure(starts=starts, ends=ends, reason=reason))
    return tuple(closures)


def _local_datetime(
    reader: _Reader, value: Any, where: str, timezone: ZoneInfo | None
) -> datetime | None:
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    if not isinstance(value, str):
        reader.problem(where, 'expected a local date and time such as "2026-12-24 14:00"')
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        reader.problem(
            where, f'{value!r}: expected a local date and time such as "2026-12-24 14:00"'
        )
        return None
    if moment.tzinfo is not None:
        reader.problem(where, "write the department's local time, without an offset")
        return None
    return moment.replace(tzinfo=timezone) if timezone else None


def _referents(reader: _Reader, value: Any) -> dict[str, Referent]:
    if not isinstance(value, list) or not value:
        reader.problem("referents", "expected at least one [[referents]] entry")
        return {}
    referents: dict[str, Referent] = {}
    for index, item in enumerate(value):
        where = f"referents[{index}]"
        if not isinstance(item, dict):
            reader.problem(where, "expected a table with id, name and phone")
            continue
        reader.unknown_keys(item, "referents", prefix=where)
        referent_id = reader.text(item, "id", f"{where}.id")
        if referent_id in referents:
            reader.problem(f"{where}.id", f"{referent_id!r} is used twice")
        referents[referent_id] = Referent(
            id=referent_id,
            name=reader.text(item, "name", f"{where}.name"),
            phone=reader.phone(reader.text(item, "phone", f"{where}.phone"), f"{where}.phone"),
        )
    return referents


def _roster(reader: _Reader, data: Mapping[str, Any], referents: Mapping[str, Referent]) -> Roster:
    shifts = []
    raw_shifts = data.get("shifts", [])
    if not isinstance(raw_shifts, list):
        reader.problem("roster.shifts", "expected a list of [[roster.shifts]] tables")
        raw_shifts = []
    for index, item in enumerate(raw_shifts):
        where = f"roster.shifts[{index}]"
        if not isinstance(item, dict):
            reader.problem(where, "expected a table with days, hours and referents")
            continue
        reader.unknown_keys(item, "roster.shifts", prefix=where)
        days = reader.weekdays(reader.text(item, "days", f"{where}.days"), f"{where}.days")
        hours = reader.time_range(reader.text(item, "hours", f"{where}.hours"), f"{where}.hours")
        ids = _referent_ids(reader, item.get("referents"), f"{where}.referents", referents)
        if hours is not None:
            shifts.append(Shift(weekdays=days, hours=hours, referent_ids=ids))
    backup = _referent_ids(reader, data.get("backup", []), "roster.backup", referents)
    return Roster(shifts=tuple(shifts), backup=backup)


def _referent_ids(
    reader: _Reader, value: Any, where: str, referents: Mapping[str, Referent]
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


def load_prompts(path: Path) -> dict[str, str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {key: str(value) for key, value in data.items()}


def load_departments(flows_dir: Path, prompts_path: Path) -> dict[str, Department]:
    """Every department of a flows directory, by number; ConfigError lists all problems."""
    prompts = load_prompts(prompts_path)
    problems: list[Problem] = []
    by_number: dict[str, Department] = {}
    slugs: dict[str, str] = {}
    files = sorted(flows_dir.glob("*.toml"))
    if not files:
        raise ConfigError(
            [Problem(file=str(flows_dir), key="-", message="no department file (*.toml)")]
        )
    for path in files:
        try:
            department = load_department(path, prompts)
        except ConfigError as error:
            problems.extend(error.problems)
            continue
        if department.number in by_number:
            other = by_number[department.number].slug
            problems.append(
                Problem(
                    file=path.name,
                    key="department.number",
                    message=f"{department.number} is already {other}'s number",
                )
            )
        if department.slug in slugs:
            problems.append(
                Problem(
                    file=path.name,
                    key="department.slug",
                    message=f"{department.slug!r} is already used by {slugs[department.slug]}",
                )
            )
        by_number[department.number] = department
        slugs[department.slug] = path.name
    if problems:
        raise ConfigError(problems)
    return by_number
