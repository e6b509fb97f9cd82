"""Department files (flows/*.toml): read, validate, and turn into core Departments.

Every problem names its file, its key and what is wrong, so that a coordinator editing a
file can fix it without reading code. All problems are collected, not just the first.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frontdoor.core.calendar import (
    Calendar,
    Closure,
    TimeRange,
    holidays_subdivision,
    is_departement,
)
from frontdoor.core.department import Department, Ringing, RingStrategy
from frontdoor.core.numbers import region_of
from frontdoor.core.texts import PROMPTS, SMS
from frontdoor.department_file import mailbox as mailbox_table
from frontdoor.department_file import overflow as overflow_table
from frontdoor.department_file import retention as retention_table
from frontdoor.department_file import roster as roster_tables
from frontdoor.department_file import transfer as transfer_table
from frontdoor.department_file import twilio as twilio_table
from frontdoor.department_file.coordination_file import coordination_file
from frontdoor.department_file.keys import CLOSURES, DEPARTMENT, RINGING
from frontdoor.department_file.reader import ConfigError, Problem, Reader

__all__ = ["ConfigError", "Problem", "load_department", "load_departments", "load_prompts"]

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}$")


def load_department(path: Path, prompts: Mapping[str, str]) -> Department:
    """Read one department file; raises ConfigError listing every problem in it."""
    reader = Reader(path.name)
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
    reader: Reader, data: Mapping[str, Any], prompts: Mapping[str, str]
) -> Department | None:
    head = reader.table(data, "department", "department")
    slug = reader.text(head, "slug", "department.slug")
    if slug and not _SLUG.match(slug):
        reader.problem("department.slug", f"{slug!r}: lowercase letters, digits and dashes only")
    name = reader.text(head, "name", "department.name")
    # Numbers are read in the territory of the département the holidays name ("FR-974").
    reader.phone_region = _phone_region(head.get("holidays"))
    number = reader.phone(reader.text(head, "number", "department.number"), "department.number")
    timezone = _timezone(reader, reader.text(head, "timezone", "department.timezone"))
    subdivision = None
    holidays_code = reader.declared_text(head, DEPARTMENT, "holidays")
    try:
        subdivision = holidays_subdivision(holidays_code) if holidays_code else None
    except ValueError as error:
        reader.problem("department.holidays", str(error))
    territory = _territory(reader, head.get("territory"), holidays_code)
    public_allowed = reader.declared_boolean(head, DEPARTMENT, "public_allowed")
    voice = reader.declared_text(head, DEPARTMENT, "voice")
    medical_advice = reader.boolean(
        head, "medical_advice_116117", "department.medical_advice_116117",
        default=reader.phone_region == "FR",
    )  # fmt: skip
    retention = retention_table.retention(reader, head, data)

    hours = reader.table(data, "hours", "hours")
    weekly = _weekly(reader, hours.get("weekly"))
    closures = _closures(reader, hours.get("closures", []), timezone)

    ringing_data = reader.table(data, "ringing", "ringing")
    strategy_name = reader.declared_text(ringing_data, RINGING, "strategy")
    try:
        strategy = RingStrategy(strategy_name)
    except ValueError:
        reader.problem(
            "ringing.strategy", f"{strategy_name!r}: expected 'simultaneous' or 'sequential'"
        )
        strategy = RingStrategy.SIMULTANEOUS
    ringing = Ringing(
        strategy=strategy,
        timeout_s=reader.declared_number(ringing_data, RINGING, "timeout"),
        accept_timeout_s=reader.declared_number(ringing_data, RINGING, "accept_timeout"),
        show_caller_number=reader.declared_boolean(ringing_data, RINGING, "show_caller_number"),
        max_wait_s=reader.declared_number(ringing_data, RINGING, "max_wait"),
    )
    max_message = reader.declared_number(ringing_data, RINGING, "max_message")

    referents = roster_tables.referents(reader, data.get("referents", []))
    roster = roster_tables.roster(
        reader,
        reader.table(data, "roster", "roster"),
        referents,
        timezone=timezone,
        own_number=number,
    )
    callbacks = roster_tables.callbacks(
        reader, reader.table(data, "callbacks", "callbacks"), referents
    )

    own_prompts = data.get("prompts", {})
    if not isinstance(own_prompts, dict):
        reader.problem("prompts", "expected a table")
        own_prompts = {}
    for key, value in own_prompts.items():
        for message in PROMPTS.problems(key, value):
            reader.problem(f"prompts.{key}", message)
    for key in own_prompts.keys() & PROMPTS.retired.keys():
        log.warning("%s: prompts.%s is no longer used (%s); remove it", reader.file, key,
                    PROMPTS.retired[key])  # fmt: skip
    own_prompts = {k: v for k, v in own_prompts.items() if k not in PROMPTS.retired}

    mailbox = mailbox_table.mailbox(reader, data)
    twilio = twilio_table.twilio_account(reader, data)
    overflow = overflow_table.overflow_line(reader, data, number)
    partners = transfer_table.partner_lines(reader, data, number)
    coordination = coordination_file(reader, data)
    own_sms = data.get("sms", {})
    if not isinstance(own_sms, dict):
        reader.problem("sms", "expected a table of SMS texts")
        own_sms = {}
    for key, value in own_sms.items():
        for message in SMS.problems(key, value):
            reader.problem(f"sms.{key}", message)

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
        roster_feed=_feed_url(reader, data.get("roster", {})),
        public_allowed=public_allowed,
        ringing=ringing,
        voice=voice,
        prompts={**prompts, **own_prompts},
        sms_texts=dict(own_sms),
        max_message_s=max_message,
        retention=retention,
        callbacks=callbacks,
        mailbox=mailbox,
        twilio=twilio,
        coordination_file=coordination,
        territory=territory,
        phone_region=reader.phone_region,
        medical_advice_116117=medical_advice,
        overflow=overflow,
        partner_lines=partners,
    )


def _phone_region(holidays_code: Any) -> str:
    """The numbering territory of the `holidays` département, as typed ("FR-974" → "RE");
    a mistyped one is reported by its own key, and numbers are then read as metropolitan."""
    if not isinstance(holidays_code, str):
        return region_of(None)
    return region_of(holidays_code.strip().upper().partition("-")[2])


def _territory(reader: Reader, value: Any, holidays_code: str) -> frozenset[str]:
    """The départements the DAC covers: as listed, else the one of `holidays` ("FR-46")."""
    if value is None:
        _, _, code = holidays_code.strip().upper().partition("-")
        return frozenset({code} if code and is_departement(code) else ())
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        reader.problem("department.territory", 'expected a list of départements, e.g. ["46"]')
        return frozenset()
    codes = frozenset(code.strip().upper() for code in value)
    for code in sorted(codes):
        if not is_departement(code):
            reader.problem("department.territory", f"{code!r}: not a French département")
    return codes


def _timezone(reader: Reader, name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(
            "department.timezone", f"{name!r}: not an IANA time zone such as 'Europe/Paris'"
        )
        return None


def _weekly(reader: Reader, value: Any) -> dict[int, tuple[TimeRange, ...]]:
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


def _closures(reader: Reader, value: Any, timezone: ZoneInfo | None) -> tuple[Closure, ...]:
    closures = []
    for where, item in reader.tables(value, "hours.closures", "from, to and reason"):
        starts = reader.local_datetime(item.get("from"), f"{where}.from", timezone)
        ends = reader.local_datetime(item.get("to"), f"{where}.to", timezone)
        reason = reader.declared_text(item, CLOSURES, "reason", where=f"{where}.reason")
        if starts and ends:
            if ends <= starts:
                reader.problem(where, "'to' must come after 'from'")
            else:
                closures.append(Closure(starts=starts, ends=ends, reason=reason))
    return tuple(closures)


def load_prompts(path: Path) -> dict[str, str]:
    """The prompts of templates/; ConfigError names each one missing or wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    wrong = PROMPTS.file_problems(data)
    if wrong:
        raise ConfigError([Problem(file=path.name, key=key, message=why) for key, why in wrong])
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


def _feed_url(reader: Reader, roster: Any) -> str | None:
    url = roster.get("ical_feed") if isinstance(roster, dict) else None
    if url is None:
        return None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        reader.problem("roster.ical_feed", "expected the http(s) address of an iCalendar feed")
        return None
    return url
