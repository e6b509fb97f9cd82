"""A referent qualifies a request: what they may set, and the trace of what changed.

Plain functions of the request's current fields and the referent's choices, so the console,
the API and the tests share one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import REFERRERS, ReferrerGroup, ReferrerType
from frontdoor.core.request_fields import AGE_BANDS, PROBLEMS, AgeBand, Problem

# A table's key: one of the request fields' codes.
Code = TypeVar("Code", bound=StrEnum)


class QualificationError(ValueError):
    """A value outside the vocabulary: the French message says which field."""


@dataclass(kw_only=True, frozen=True)
class Qualification:
    # None: the select was left on its empty choice, and the request's referrer type stays
    # what it was (unknown stays unknown): nothing is guessed for the indicators.
    referrer_type: ReferrerType | None
    age_band: AgeBand | None
    problems: tuple[Problem, ...]


def parse_qualification(
    *,
    referrer_type: str,
    age_band: str | None,
    problems: Sequence[str],
) -> Qualification:
    referrer = _member(ReferrerType, referrer_type, "type d'adresseur")
    return Qualification(
        # "Unknown" is what the empty choice means: nothing to record.
        referrer_type=None if referrer is ReferrerType.UNKNOWN else referrer,
        age_band=_member(AgeBand, age_band, "tranche d'âge"),
        problems=tuple(
            sorted({_named(Problem, value, "problématique") for value in problems if value})
        ),
    )


def _member(kind: type[Code], value: str | None, field: str) -> Code | None:
    return _named(kind, value, field) if value else None


def _named(kind: type[Code], value: str, field: str) -> Code:
    """The member named `value`; refused by the field's name, never the value (an API client
    may have sent anything: a name, a number)."""
    try:
        return kind(value)
    except ValueError:
        raise QualificationError(f"{field} : valeur inconnue") from None


def _label(table: Mapping[Code, str], code: str | None) -> str:
    if code is None:
        return "non renseigné"
    return next((label for key, label in table.items() if key.value == code), code)


def referrer_corrected(previous: str, wanted: ReferrerType, *, by: str) -> Reason:
    """The trace of a corrected type; a menu's coarse choice made precise says so."""
    before = REFERRERS[ReferrerType(previous)]
    done = "précisé" if before.group is ReferrerGroup.TO_CONFIRM else "corrigé"
    return Reason(
        code="referrer-corrected",
        text=f"type d'adresseur {done} par {by} : {before.label} → {REFERRERS[wanted].label}",
    )


def changes(
    *,
    referrer_type: str,
    age_band: str | None,
    problems: Sequence[str],
    wanted: Qualification,
    by: str,
) -> list[Reason]:
    """One reason per field that changes, in French; empty when nothing changes."""
    reasons = []
    if wanted.referrer_type is not None and wanted.referrer_type != referrer_type:
        reasons.append(referrer_corrected(referrer_type, wanted.referrer_type, by=by))
    if (wanted.age_band or None) != age_band:
        reasons.append(
            Reason(
                code="age-band",
                text=f"tranche d'âge : {_label(AGE_BANDS, age_band)} → "
                f"{_label(AGE_BANDS, wanted.age_band)}",
            )
        )
    if sorted(wanted.problems) != sorted(problems):
        listed = ", ".join(PROBLEMS[p] for p in wanted.problems) or "aucune"
        reasons.append(Reason(code="problems", text=f"problématiques : {listed}"))
    return reasons


def confirms_referrer(*, referrer_source: str, wanted: Qualification, referrer_type: str) -> bool:
    """A referent who saves the form with a referrer type chosen confirms it, changed or not;
    left empty, nothing is confirmed."""
    if wanted.referrer_type is None:
        return False
    return referrer_source != "referent" or wanted.referrer_type != referrer_type


def qualification_reasons(
    *,
    referrer_type: str,
    referrer_source: str,
    age_band: str | None,
    problems: Sequence[str],
    wanted: Qualification,
    by: str,
) -> tuple[list[Reason], bool]:
    """The reasons of a qualification, and whether it confirms the referrer type (the
    request's type then counts as the referent's)."""
    reasons = changes(
        referrer_type=referrer_type, age_band=age_band, problems=problems, wanted=wanted, by=by
    )
    confirmed = confirms_referrer(
        referrer_source=referrer_source, wanted=wanted, referrer_type=referrer_type
    )
    if confirmed and not any(reason.code == "referrer-corrected" for reason in reasons):
        assert wanted.referrer_type is not None
        reasons.insert(
            0,
            Reason(
                code="referrer-confirmed",
                text=f"type d'adresseur confirmé par {by} : "
                f"{REFERRERS[wanted.referrer_type].label}",
            ),
        )
    return reasons, confirmed
