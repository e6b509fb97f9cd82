"""What the indicators cannot compute and the coordinator enters for a year: the team's
staff (indicator 7), its funding by source (indicator 8), and the number of GPs practising
on the territory with where that number comes from (the denominator of indicator 6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class FundingSource(StrEnum):
    ARS_FIR = "ars_fir"
    DEPARTMENT_COUNCIL = "conseil_departemental"
    HEALTH_INSURANCE = "assurance_maladie"
    OTHER = "autre"
    # A total entered before funding was split by source (migration 0020 put it there).
    UNSPLIT = "non_reparti"


FUNDING_SOURCES: dict[FundingSource, str] = {
    FundingSource.ARS_FIR: "ARS (fonds d'intervention régional, FIR)",
    FundingSource.DEPARTMENT_COUNCIL: "Conseil départemental",
    FundingSource.HEALTH_INSURANCE: "Assurance maladie",
    FundingSource.OTHER: "Autres financements",
    FundingSource.UNSPLIT: "Non réparti (total saisi avant la répartition par source)",
}
ENTERED_BY_HAND = "saisie"


@dataclass(kw_only=True, frozen=True)
class EnteredFigures:
    """What the coordinator entered for the year (department_figures)."""

    staff_fte: float | None = None
    # Euros by source; empty: funding not entered. A source left empty once others are
    # entered is none (0).
    funding: Mapping[str, int] = field(default_factory=dict)
    territory_gps: int | None = None
    # Where the territory's GP count comes from: "saisie", "RPPS extraction 2026-10"…
    territory_gps_source: str | None = None

    @property
    def funding_eur(self) -> int | None:
        """The total of every source, None when no funding is entered."""
        return sum(self.funding.values()) if self.funding else None


def summed_figures(entered: Sequence[EnteredFigures | None]) -> EnteredFigures:
    """Several departments' figures as the region's: each figure summed when every
    department entered it (a partial sum would pass for the region's), funding source by
    source; the GP counts' sources named once each."""

    def summed(name: str) -> float | None:
        values = [getattr(f, name) if f else None for f in entered]
        present: list[float] = [v for v in values if v is not None]
        return None if len(present) < len(values) else sum(present)

    gps = summed("territory_gps")
    funding: dict[str, int] = {}
    split = [f.funding for f in entered if f is not None and f.funding]
    if len(split) == len(entered):
        for by_source in split:
            for source, euros in by_source.items():
                funding[source] = funding.get(source, 0) + euros
    sources = dict.fromkeys(f.territory_gps_source for f in entered if f and f.territory_gps_source)
    return EnteredFigures(
        staff_fte=summed("staff_fte"),
        funding=funding,
        territory_gps=None if gps is None else int(gps),
        territory_gps_source="; ".join(sources) if gps is not None and sources else None,
    )


@dataclass(kw_only=True, frozen=True)
class GpCount:
    """One line of a territory GP count file: a department's GPs for a year."""

    department: str
    year: int
    count: int
    source: str


GP_COUNT_COLUMNS = ("departement", "annee", "medecins_generalistes", "source")


def parse_gp_counts(text: str, *, default_source: str) -> list[GpCount]:
    """The lines of a count file (CSV, ";" or "," separated, a header naming
    departement, annee, medecins_generalistes and optionally source); ValueError in French
    naming the line of the first thing wrong."""
    import csv
    import io

    lines = text.lstrip("\ufeff").splitlines()
    if not lines:
        raise ValueError("le fichier est vide")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [name for name in GP_COUNT_COLUMNS[:3] if name not in header]
    if missing:
        raise ValueError(f"colonne(s) manquante(s) : {', '.join(missing)}")
    counts = []
    for number, row in enumerate(reader, start=2):
        cells = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
        try:
            year, count = int(cells["annee"]), int(cells["medecins_generalistes"].replace(" ", ""))
        except ValueError:
            raise ValueError(f"ligne {number} : année et nombre de médecins attendus") from None
        if count < 0 or not cells["departement"]:
            raise ValueError(f"ligne {number} : département et nombre positif attendus")
        source = cells.get("source") or default_source
        counts.append(
            GpCount(department=cells["departement"], year=year, count=count, source=source[:200])
        )
    return counts
