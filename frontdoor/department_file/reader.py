"""Reading department files: problems named by file, key and message, all of them at once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import WEEKDAYS, TimeRange
from frontdoor.core.numbers import parse_phone
from frontdoor.department_file.keys import KNOWN_KEYS, Section

RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


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


class Reader:
    """Reads one file's values, noting problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        # Where numbers written without "+" are read: the department's territory, once known.
        self.phone_region = "FR"

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(file=self.file, key=key, message=message))

    def table(self, data: Mapping[str, Any], key: str, section: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problem(key, "expected a table")
            return {}
        self.unknown_keys(value, section, prefix=key)
        return value

    def tables(
        self, value: Any, section: str, expected: str
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Each table of a list such as [[roster.shifts]], with where it stands in the file."""
        if not isinstance(value, list):
            self.problem(section, f"expected a list of [[{section}]] tables")
            return
        for index, item in enumerate(value):
            where = f"{section}[{index}]"
            if not isinstance(item, dict):
                self.problem(where, f"expected a table with {expected}")
                continue
            self.unknown_keys(item, section, prefix=where)
            yield where, item

    def unknown_keys(self, value: Mapping[str, Any], section: str, *, prefix: str) -> None:
        for extra in sorted(set(value) - KNOWN_KEYS[section]):
            where = f"{prefix}.{extra}" if prefix else extra
            self.problem(
                where, f"unknown key (expected one of: {', '.join(sorted(KNOWN_KEYS[section]))})"
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

    def declared_text(
        self, data: Mapping[str, Any], section: Section, name: str, *, where: str = ""
    ) -> str:
        """A text key with its declared default (required when it has none)."""
        default = section[name].default
        return self.text(
            data,
            name,
            where or f"{section.name}.{name}",
            default if isinstance(default, str) else None,
        )

    def declared_boolean(self, data: Mapping[str, Any], section: Section, name: str) -> bool:
        default = section[name].default
        return self.boolean(data, name, f"{section.name}.{name}", default is True)

    def declared_number(
        self, data: Mapping[str, Any], section: Section, name: str, default: int | None = None
    ) -> int:
        """A whole number within the key's declared bounds; `default` instead of the declared
        one where it depends on another key."""
        key = section[name]
        if default is None:
            default = key.default if isinstance(key.default, int) else 0
        lo, hi = key.lo if key.lo is not None else 0, key.hi if key.hi is not None else 0
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.problem(
                f"{section.name}.{name}", f"expected a number of {key.unit} between {lo} and {hi}"
            )
            return default
        return value

    def phone(self, value: str, where: str) -> str:
        if not value:  # missing or not text: already reported
            return value
        number = parse_phone(value, self.phone_region)
        if number is None:
            self.problem(where, f"{value!r} is not a valid phone number (write it as +33…)")
            return value
        return number

    def time_range(self, value: str, where: str) -> TimeRange | None:
        match = RANGE.match(value.strip())
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

    def local_datetime(self, value: Any, where: str, timezone: ZoneInfo | None) -> datetime | None:
        if isinstance(value, datetime):
            value = value.isoformat(sep=" ")
        if not isinstance(value, str):
            self.problem(where, 'expected a local date and time such as "2026-12-24 14:00"')
            return None
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            self.problem(
                where, f'{value!r}: expected a local date and time such as "2026-12-24 14:00"'
            )
            return None
        if moment.tzinfo is not None:
            self.problem(where, "write the department's local time, without an offset")
            return None
        return moment.replace(tzinfo=timezone) if timezone else None
