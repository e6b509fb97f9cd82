"""The indicator table the ARS asks for, and the team's operational figures, from counts.

The store counts (frontdoor.indicators.queries); this module only adds up and divides. Its
input is one `DepartmentCounts` per department and period; several departments are first
summed into one (`consolidate`), so that a regional share is recomputed from the regional
sums, never averaged from the departments' shares.

Contacts whose referrer type is in the not-a-request group (wrong number, silent call, test)
are counted apart and left out of every other figure. A repeat of a request (core.repeats)
is not a new sollicitation: it is counted apart too, and left out of the national figures,
but the load figures (channels, calls, hours) count every contact, repeats included, with
shares of all contacts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from frontdoor.core.calendar import WEEKDAY_NAMES_FR
from frontdoor.core.channels import CHANNEL_LABELS
from frontdoor.core.figures import FUNDING_SOURCES, EnteredFigures, FundingSource, summed_figures
from frontdoor.core.referrers import GROUP_CHANGES, GROUP_LABELS, REFERRERS, ReferrerGroup
from frontdoor.core.request_fields import AGE_BANDS, PROBLEMS, RESPONSE_TYPES

NOT_A_REQUEST: frozenset[str] = frozenset(
    code.value for code, info in REFERRERS.items() if info.group is ReferrerGroup.NOT_A_REQUEST
)

# A table's key: one of the request fields' codes.
Code = TypeVar("Code", bound=StrEnum)

_GROUP_OF = {code.value: info.group for code, info in REFERRERS.items()}


VOICE_OUTCOME_LABELS = {
    "taken": "Décrochés par un référent",
    "abandoned": "Abandonnés par l'appelant",
    "voicemail": "Message laissé",
    "closed": "Ligne fermée, sans message",
    "forwarded": "Transférés vers un autre numéro",
    "overflowed": "Pris par la ligne de débordement (DAC voisin, plateforme régionale)",
    "informed": "Renseignés par l'annuaire vocal",
    "public_not_allowed": "Public réorienté (ligne réservée aux professionnels)",
    "in_progress": "En cours ou sans issue connue",
}

NOT_YET_SAID = "Pas encore renseigné"

# The eight indicators the national framework asks every DAC to produce for the ministry
# (Cadre national d'orientation, annex), in its words, and the sections that give each.
NATIONAL_INDICATORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Nombre de sollicitations reçues par le DAC", ("requests",)),
    ("La répartition des sollicitations reçues par type d'adresseur",
     ("referrer_groups", "referrer_types")),
    ("La répartition des réponses apportées par sollicitations, par type", ("response_types",)),
    ("La répartition des personnes accompagnées par tranche d'âge", ("age_bands",)),
    ("La répartition des personnes accompagnées par problématiques", ("problems",)),
    ("La part des médecins généralistes ayant sollicités le DAC", ("gps",)),
    ("L'effectif moyen du DAC en ETP", ("means",)),
    ("La répartition des différentes sources de financement", ("means",)),
)  # fmt: skip

GP_KINDS = {
    "rpps": "dont identifiés par leur numéro RPPS",
    "contact": "dont contacts connus sans numéro RPPS",
    "unidentified": "dont non identifiés (chaque numéro ou adresse compte pour un)",
}


class Unit(StrEnum):
    """What a line's value is, for exports that format it."""

    COUNT = "count"
    SECONDS = "seconds"
    FTE = "fte"
    EUROS = "euros"


@dataclass(kw_only=True, frozen=True)
class DepartmentCounts:
    """What the store counted for one department over one period."""

    department: str
    name: str
    # Every contact by referrer type code, not-a-request included, repeats left out.
    referrers: Mapping[str, int] = field(default_factory=dict)
    repeats: int = 0  # requests marked a repeat of an earlier one (not-a-request left out)
    # The rest counts requests only (not-a-request left out): responses, age bands and
    # problems count sollicitations (repeats left out); channels, voice outcomes, waits, out
    # of hours, hours and weekdays count every contact (repeats included). None: not yet said.
    responses: Mapping[str | None, int] = field(default_factory=dict)
    # Persons accompanied in the period (core.accompanied), each once: by age band (every
    # person in one band, "unknown" included), by problem (a person in each of hers).
    # An accompanied request with no person linked counts as one person not identified.
    persons: Mapping[str, int] = field(default_factory=dict)
    persons_unidentified: int = 0
    person_problems: Mapping[str, int] = field(default_factory=dict)
    persons_without_problem: int = 0
    # GPs who made a request in the period, each once, by how they are known: "rpps" (one per
    # RPPS number), "contact" (a known contact without one), "unidentified" (a number or
    # address no known contact has).
    gps: Mapping[str, int] = field(default_factory=dict)
    channels: Mapping[str, int] = field(default_factory=dict)
    voice_outcomes: Mapping[str, int] = field(default_factory=dict)
    out_of_hours: int = 0
    # Time to first human contact: for each voice request a referent took, the seconds from
    # the call's arrival (its first webhook, received_at) to the referent pressing 1 and being
    # connected (answered_at) — greeting, menu and ringing included — counted on the seconds
    # of the clock (each within a second of the exact wait). Seconds -> how many calls.
    # Calls nobody took (messages, hang-ups) and later callbacks are not in it.
    waits: Mapping[int, int] = field(default_factory=dict)
    # The voice requests that waited in the department's queue (core.waiting): whole seconds
    # waited -> how many calls; and how many of them the caller hung up while waiting.
    queue_waits: Mapping[int, int] = field(default_factory=dict)
    queue_abandoned: int = 0
    callbacks_due: int = 0
    callbacks_in_time: int = 0
    by_hour: Mapping[int, int] = field(default_factory=dict)  # local hour 0–23
    by_weekday: Mapping[int, int] = field(default_factory=dict)  # local, 0 = Monday
    figures: EnteredFigures | None = None


@dataclass(kw_only=True, frozen=True)
class Line:
    key: str
    label: str
    value: float | None  # None: not available, shown "—"
    share: float | None = None  # of the section's base, 0–1; None: no base or zero base
    unit: Unit = Unit.COUNT


@dataclass(kw_only=True, frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]
    note: str = ""

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)


@dataclass(kw_only=True, frozen=True)
class IndicatorTable:
    departments: tuple[str, ...]  # slugs
    department_names: tuple[str, ...]
    period: str  # "2026-10"
    period_label: str  # "octobre 2026"
    generated_at: datetime
    requests: int
    not_requests: int
    national: tuple[Section, ...]
    operational: tuple[Section, ...]
    # The headline figures, for whoever needs them without reading sections.
    answered_rate: float | None
    abandoned_calls: int
    wait_median_s: float | None
    wait_p90_s: float | None
    callbacks_in_time_rate: float | None
    gp_share: float | None

    def section(self, key: str) -> Section:
        return next(s for s in (*self.national, *self.operational) if s.key == key)


def share(part: float, whole: float | None) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The `fraction` percentile of the values a histogram counts, interpolated linearly
    between neighbours as PostgreSQL's percentile_cont does; None when it counts nothing."""
    total = sum(histogram.values())
    if total == 0:
        return None
    position = fraction * (total - 1)
    below, fraction_above = int(position), position - int(position)
    values = sorted(v for v, n in histogram.items() if n > 0)
    seen = 0
    for index, value in enumerate(values):
        seen += histogram[value]
        if seen > below:
            if fraction_above == 0 or seen > below + 1:
                return float(value)
            following = values[index + 1]
            return value + (following - value) * fraction_above
    raise AssertionError("unreachable: position within the histogram")


def consolidate(counts: Sequence[DepartmentCounts]) -> DepartmentCounts:
    """Several departments as one: every count summed, entered figures summed when all
    departments entered them (a partial sum would pass for the region's)."""
    if len(counts) == 1:
        return counts[0]

    def total(name: str) -> int:
        return sum(getattr(c, name) for c in counts)

    def merged(name: str) -> dict[object, int]:
        summed: Counter[object] = Counter()
        for c in counts:
            summed.update(getattr(c, name))
        return dict(summed)

    # Each field by its name: the mappings of codes merged, the totals summed.
    fields: dict[str, Any] = {name: merged(name) for name in _MAPPINGS}
    fields |= {name: total(name) for name in _TOTALS}
    return DepartmentCounts(
        department="+".join(c.department for c in counts),
        name=", ".join(c.name for c in counts),
        figures=summed_figures([c.figures for c in counts]),
        **fields,
    )


_MAPPINGS = ("referrers", "responses", "persons", "person_problems", "gps", "channels",
             "voice_outcomes", "waits", "queue_waits", "by_hour", "by_weekday")  # fmt: skip
_TOTALS = ("repeats", "persons_unidentified", "persons_without_problem", "out_of_hours",
           "queue_abandoned", "callbacks_due", "callbacks_in_time")  # fmt: skip


def indicator_table(
    counts: Sequence[DepartmentCounts], *, period: str, period_label: str, generated_at: datetime
) -> IndicatorTable:
    """The table of one department, or the regional consolidation of several."""
    if not counts:
        raise ValueError("an indicator table needs at least one department")
    c = consolidate(counts)
    not_requests = sum(n for code, n in c.referrers.items() if code in NOT_A_REQUEST)
    requests = sum(c.referrers.values()) - not_requests
    figures = c.figures or EnteredFigures()
    gp_share = share(sum(c.gps.values()), figures.territory_gps)
    voice = sum(c.voice_outcomes.values())
    answered_rate = share(c.voice_outcomes.get("taken", 0), voice)
    median, p90 = percentile(c.waits, 0.5), percentile(c.waits, 0.9)
    in_time_rate = share(c.callbacks_in_time, c.callbacks_due)
    return IndicatorTable(
        departments=tuple(x.department for x in counts),
        department_names=tuple(x.name for x in counts),
        period=period,
        period_label=period_label,
        generated_at=generated_at,
        requests=requests,
        not_requests=not_requests,
        national=_national(c, requests, not_requests, figures, gp_share),
        operational=_operational(c, requests + c.repeats, voice, median, p90),
        answered_rate=answered_rate,
        abandoned_calls=c.voice_outcomes.get("abandoned", 0),
        wait_median_s=median,
        wait_p90_s=p90,
        callbacks_in_time_rate=in_time_rate,
        gp_share=gp_share,
    )


def _split(
    counted: Mapping[str, int] | Mapping[str | None, int],
    labels: Mapping[str, str],
    base: int,
    *,
    missing: str | None = None,
) -> tuple[Line, ...]:
    """One line per known code in the labels' order (zeros included, so that every table
    has the same lines), then codes the labels do not know, then the missing (None) line."""
    counts: dict[str | None, int] = {code: n for code, n in counted.items()}
    lines = [
        Line(
            key=code, label=label, value=counts.get(code, 0), share=share(counts.get(code, 0), base)
        )
        for code, label in labels.items()
    ]
    lines += [
        Line(key=code, label=code, value=n, share=share(n, base))
        for code, n in sorted(
            (k, v) for k, v in counts.items() if k is not None and k not in labels
        )
    ]
    if missing is not None:
        n = counts.get(None, 0)
        lines.append(Line(key="", label=missing, value=n, share=share(n, base)))
    return tuple(lines)


def _national(
    c: DepartmentCounts,
    requests: int,
    not_requests: int,
    figures: EnteredFigures,
    gp_share: float | None,
) -> tuple[Section, ...]:
    request_referrers = {k: v for k, v in c.referrers.items() if k not in NOT_A_REQUEST}
    fine_labels = {code.value: info.label for code, info in REFERRERS.items()
                   if info.group is not ReferrerGroup.NOT_A_REQUEST}  # fmt: skip
    groups: Counter[str] = Counter()
    for code, n in request_referrers.items():
        groups[_GROUP_OF.get(code, ReferrerGroup.UNKNOWN).value] += n
    not_request_labels = {
        code.value: info.label for code, info in REFERRERS.items() if code.value in NOT_A_REQUEST
    }
    return (
        Section(
            key="requests",
            title="Sollicitations",
            note="Une demande marquée comme répétition d'une demande précédente (même "
            "situation) est comptée une seule fois comme sollicitation : ni dans les "
            "sollicitations, ni dans leurs répartitions ci-dessous ; elle compte dans la "
            "charge (canaux, appels, heures).",
            lines=(
                Line(key="requests", label="Sollicitations", value=requests),
                Line(
                    key="repeats",
                    label="Répétitions d'une sollicitation (non recomptées)",
                    value=c.repeats,
                ),
                Line(
                    key="not_requests",
                    label="Hors sollicitations (erreurs de numéro, appels muets, tests)",
                    value=not_requests,
                ),
                *(
                    Line(key=code, label=f"dont {label.lower()}", value=c.referrers.get(code, 0))
                    for code, label in not_request_labels.items()
                ),
            ),
        ),
        Section(
            key="referrer_groups",
            title="Sollicitations par catégorie d'adresseur",
            note=GROUP_CHANGES,
            lines=_split(groups, _group_labels(), requests),
        ),
        Section(
            key="referrer_types",
            title="Sollicitations par type d'adresseur",
            lines=_split(request_referrers, fine_labels, requests),
        ),
        Section(
            key="response_types",
            title="Sollicitations par type de réponse",
            note="Une sollicitation peut recevoir plusieurs réponses : elle compte dans "
            "chacune, et les parts ne s'additionnent pas.",
            lines=_split(c.responses, _labels(RESPONSE_TYPES), requests, missing=NOT_YET_SAID),
        ),
        *_persons(c),
        Section(
            key="gps",
            title="Médecins généralistes du territoire",
            note="Chaque médecin une fois sur la période : un par numéro RPPS connu, sinon un "
            "par contact connu, sinon un par numéro ou adresse ; sur le nombre de médecins "
            "généralistes du territoire saisi ou importé par le coordinateur.",
            lines=(
                Line(
                    key="gps",
                    label="Médecins généralistes ayant sollicité le DAC",
                    value=sum(c.gps.values()),
                    share=gp_share,
                ),
                *(
                    Line(key=f"gps_{how}", label=label, value=c.gps.get(how, 0))
                    for how, label in GP_KINDS.items()
                ),
                Line(
                    key="territory_gps",
                    label="Médecins généralistes du territoire"
                    + (
                        f" (source : {figures.territory_gps_source})"
                        if figures.territory_gps_source
                        else ""
                    ),
                    value=figures.territory_gps,
                ),
            ),
        ),
        Section(
            key="means",
            title="Moyens du DAC (saisis pour l'année) : effectif et sources de financement",
            lines=(
                Line(
                    key="staff_fte", label="Effectif (ETP)", value=figures.staff_fte, unit=Unit.FTE
                ),
                *_funding(figures),
            ),
        ),
    )


def _funding(figures: EnteredFigures) -> tuple[Line, ...]:
    """Indicator 8: the total, then each source's euros and share of it (the total entered
    before the split by source only where there is one)."""
    total = figures.funding_eur
    return (
        Line(key="funding_eur", label="Financement total (€)", value=total, unit=Unit.EUROS),
        *(
            Line(
                key=f"funding_{source.value}",
                label=f"dont {label}",
                value=None if total is None else figures.funding.get(source, 0),
                share=share(figures.funding.get(source, 0), total),
                unit=Unit.EUROS,
            )
            for source, label in FUNDING_SOURCES.items()
            if source is not FundingSource.UNSPLIT or figures.funding.get(source)
        ),
    )


def _persons(c: DepartmentCounts) -> tuple[Section, ...]:
    """Indicators 4 and 5: persons accompanied, each once over the period."""
    persons = sum(c.persons.values())
    return (
        Section(
            key="age_bands",
            title="Personnes accompagnées par tranche d'âge",
            note="Personnes dont au moins une sollicitation de la période a reçu une "
            "orientation, un accès à des ressources spécialisées, un appui ponctuel, une "
            "planification (PPCS) ou un accompagnement, chacune une fois, dans sa "
            "tranche d'âge la plus élevée de la période (âge au jour de la sollicitation). Une "
            "sollicitation sans personne liée compte pour une personne non identifiée.",
            lines=(
                Line(key="persons", label="Personnes accompagnées", value=persons),
                *_split(c.persons, _labels(AGE_BANDS), persons),
                Line(
                    key="unidentified",
                    label="dont non identifiées (sollicitations sans personne liée)",
                    value=c.persons_unidentified,
                    share=share(c.persons_unidentified, persons),
                ),
            ),
        ),
        Section(
            key="problems",
            title="Personnes accompagnées par problématique",
            note="Une personne compte dans chaque problématique de ses sollicitations "
            "accompagnées de la période : les parts ne s'additionnent pas.",
            lines=(
                *_split(c.person_problems, _labels(PROBLEMS), persons),
                Line(
                    key="",
                    label="Aucune problématique renseignée",
                    value=c.persons_without_problem,
                    share=share(c.persons_without_problem, persons),
                ),
            ),
        ),
    )


def _operational(
    c: DepartmentCounts, contacts: int, voice: int, median: float | None, p90: float | None
) -> tuple[Section, ...]:
    measured = sum(c.waits.values())
    return (
        Section(
            key="calls",
            title="Appels (sollicitations par téléphone)",
            note="Part des appels : la ligne « décrochés » est le taux de décroché.",
            lines=(
                Line(key="voice", label="Appels", value=voice),
                *_split(c.voice_outcomes, VOICE_OUTCOME_LABELS, voice),
            ),
        ),
        Section(
            key="first_contact",
            title="Délai avant le premier contact humain (appels décrochés)",
            note="De l'arrivée de l'appel à la mise en relation avec un référent, "
            "à la seconde près.",
            lines=(
                Line(key="measured", label="Appels mesurés", value=measured),
                Line(key="median", label="Médiane (secondes)", value=median, unit=Unit.SECONDS),
                Line(key="p90", label="90e centile (secondes)", value=p90, unit=Unit.SECONDS),
            ),
        ),
        _queue(c),
        Section(
            key="callbacks",
            title="Rappels dus sur la période",
            lines=(
                Line(key="due", label="Rappels dus", value=c.callbacks_due),
                Line(
                    key="in_time",
                    label="Faits dans le délai",
                    value=c.callbacks_in_time,
                    share=share(c.callbacks_in_time, c.callbacks_due),
                ),
            ),
        ),
        Section(
            key="channels",
            title="Sollicitations par canal",
            note="Répétitions comprises : parts de tous les contacts.",
            lines=_split(c.channels, CHANNEL_LABELS, contacts),
        ),
        Section(
            key="out_of_hours",
            title="Hors horaires d'ouverture",
            lines=(
                Line(
                    key="out_of_hours",
                    label="Sollicitations reçues ligne fermée",
                    value=c.out_of_hours,
                    share=share(c.out_of_hours, contacts),
                ),
            ),
        ),
        Section(
            key="weekdays",
            title="Charge par jour de la semaine (heure locale)",
            lines=_by_index(c.by_weekday, range(7), WEEKDAY_NAMES_FR.__getitem__, contacts),
        ),
        Section(
            key="hours",
            title="Charge par heure de la journée (heure locale)",
            lines=_by_index(c.by_hour, range(24), lambda h: f"{h:02d} h – {h + 1:02d} h", contacts),
        ),
    )


def _queue(c: DepartmentCounts) -> Section:
    waited = sum(c.queue_waits.values())
    return Section(
        key="queue",
        title="File d'attente (appels mis en attente)",
        note="Appels qui ont attendu qu'un référent se libère ; « abandons » : l'appelant a "
        "raccroché pendant l'attente.",
        lines=(
            Line(key="waited", label="Appels mis en attente", value=waited),
            Line(
                key="abandoned",
                label="Abandons pendant l'attente",
                value=c.queue_abandoned,
                share=share(c.queue_abandoned, waited),
            ),
            Line(
                key="median",
                label="Attente médiane (secondes)",
                value=percentile(c.queue_waits, 0.5),
                unit=Unit.SECONDS,
            ),
            Line(
                key="p90",
                label="Attente, 90e centile (secondes)",
                value=percentile(c.queue_waits, 0.9),
                unit=Unit.SECONDS,
            ),
        ),
    )


def _by_index(
    counts: Mapping[int, int], indexes: range, label: Callable[[int], str], base: int
) -> tuple[Line, ...]:
    return tuple(
        Line(
            key=str(i), label=label(i), value=counts.get(i, 0), share=share(counts.get(i, 0), base)
        )
        for i in indexes
    )


def _group_labels() -> dict[str, str]:
    """The groups a request counts in (not-a-request contacts are counted apart)."""
    return {
        group.value: label
        for group, label in GROUP_LABELS.items()
        if group is not ReferrerGroup.NOT_A_REQUEST
    }


def _labels(labels: Mapping[Code, str]) -> dict[str, str]:
    return {code.value: label for code, label in labels.items()}
