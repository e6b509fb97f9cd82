"""A correction of a directory resource made in the console: what it may change, and why
one is refused.

Its numbers go out by SMS to callers, so a correction is checked whole before anything is
changed; a resource corrected so is marked edited locally, and imports leave it alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

# The text fields a correction sets (empty: none, except the name, which is required).
EDITABLE = ("name", "address", "email", "website", "hours_text")


class CorrectionRefused(ValueError):
    """Why a correction is refused, in French."""


@dataclass(kw_only=True, frozen=True)
class ResourceCorrection:
    fields: Mapping[str, str | None]  # each of EDITABLE
    phones: tuple[str, ...]  # E.164
    checked_at: date | None  # None: the date it had stays


def correction(
    *, typed: Mapping[str, str], phones: Sequence[str | None], checked_at: date | None,
    longest: Mapping[str, int], labels: Mapping[str, str],
) -> ResourceCorrection:  # fmt: skip
    """The correction of the typed fields; `phones` as recognised (None: one was not),
    `longest` each field's length in the store, `labels` their French names."""
    if any(phone is None for phone in phones):
        raise CorrectionRefused("un numéro de téléphone n'est pas reconnu (format 05 65 …)")
    values = {field: typed.get(field, "").strip() for field in EDITABLE}
    if not values["name"]:
        raise CorrectionRefused("le nom est obligatoire")
    for field, value in values.items():
        if len(value) > longest[field]:
            raise CorrectionRefused(f"{labels[field]} : {longest[field]} caractères au plus")
    return ResourceCorrection(
        fields={field: value or None for field, value in values.items()},
        phones=tuple(phone for phone in phones if phone),
        checked_at=checked_at,
    )


def edit_refusal(owner_names: Collection[str]) -> str:
    """Why an account may not correct a resource: whose it is (core.access.may_edit_resource)."""
    whose = (
        f"de : {', '.join(owner_names)}"
        if owner_names
        else ("de l'exploitant (hors du territoire des DAC)")
    )
    return f"vous ne pouvez pas corriger cette ressource : elle relève {whose}"
