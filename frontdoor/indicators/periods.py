"""The period an indicator table covers: a month, a quarter or a year of local dates.

Each department counts its own local days: October 2026 in the Lot starts at midnight in
Paris, in Guiana at midnight in Cayenne. `utc_bounds` turns the local dates into the
half-open UTC interval the store is queried with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdoor.core.dates import checked_year, quoted

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

# "2026", "2026-10", "2026-Q3" or, as the French write it, "2026-T3".
_PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[QqTt](?P<quarter>\d)))?")
_EXPECTED = "un mois (2026-10), un trimestre (2026-T3 ou 2026-Q3) ou une année (2026)"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(kw_only=True, frozen=True)
class Period:
    kind: PeriodKind
    year: int
    number: int = 1  # the month (1–12) or the quarter (1–4); 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-10", "2026-Q3" (or "2026-T3"), "2026", of a year from 2000 to 2100;
        ValueError in French otherwise."""
        match = _PATTERN.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"« {quoted(text)} » n'est pas une période : attendu {_EXPECTED}")
        year = checked_year(int(match["year"]), text)
        if match["month"] is not None:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"« {quoted(text)} » : le mois doit aller de 01 à 12")
            return cls(kind=PeriodKind.MONTH, year=year, number=month)
        if match["quarter"] is not None:
            quarter = int(match["quarter"])
            if not 1 <= quarter <= 4:
                raise ValueError(f"« {quoted(text)} » : le trimestre doit aller de 1 à 4")
            return cls(kind=PeriodKind.QUARTER, year=year, number=quarter)
        return cls(kind=PeriodKind.YEAR, year=year)

    @property
    def code(self) -> str:
        """The canonical text `parse` reads back: "2026-10", "2026-Q3", "2026"."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        """ "octobre 2026", "3e trimestre 2026", "année 2026"."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTHS_FR[self.number - 1]} {self.year}"
        if self.kind is PeriodKind.QUARTER:
            rank = "1er" if self.number == 1 else f"{self.number}e"
            return f"{rank} trimestre {self.year}"
        return f"année {self.year}"

    @property
    def first_day(self) -> date:
        if self.kind is PeriodKind.MONTH:
            return date(self.year, self.number, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end_day(self) -> date:
        """The first local day after the period."""
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        index = self.first_day.month - 1 + months
        return date(self.year + index // 12, index % 12 + 1, 1)

    def utc_bounds(self, timezone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from the first local midnight to the one after the period."""
        return local_midnight(self.first_day, timezone), local_midnight(self.end_day, timezone)


def local_midnight(day: date, timezone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone).astimezone(UTC)


def month_key(day: date) -> int:
    """A local month as the tallies key it: 202610 for October 2026."""
    return day.year * 100 + day.month
