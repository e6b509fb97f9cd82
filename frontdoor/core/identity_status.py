"""How far a person's identity can be trusted (statut de confiance de l'identité), as the
Référentiel national d'identitovigilance (RNIV, exigence EXI SI 07) asks every health
information system to record it: four exclusive statuses, from two independent facts.

- the identity's traits and INS were **recovered from the INSi teleservice** (Frontdoor does
  not call INSi: a referent records the day it was queried for this INS);
- they were **checked against a high-trust identity document** (which one, and when).

Neither: provisional (PROV); INSi only: recovered (RECUP); the document only: validated
(VALI); both: **qualified** (QUAL). Only a qualified identity's INS may be used and shared
as the person's identifier; the others keep it for the file, not for a partner.

Codes as FR Core (Interop'Santé) writes them, https://hl7.fr/ig/fhir/core: the extension
`fr-core-identity-reliability` (sub-extensions identityStatus, validationDate,
validationMode), the code system `fr-core-cs-identity-status` and, for the documents, the
codes of `fr-core-vs-mode-validation-identity-ins` in `fr-core-cs-mode-validation-identity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

FR_CORE = "https://hl7.fr/ig/fhir/core"
RELIABILITY_EXTENSION = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
STATUS_SYSTEM = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
DOCUMENT_SYSTEM = f"{FR_CORE}/CodeSystem/fr-core-cs-mode-validation-identity"


class IdentityStatus(StrEnum):
    PROVISIONAL = "PROV"
    RECOVERED = "RECUP"
    VALIDATED = "VALI"
    QUALIFIED = "QUAL"


STATUS_LABELS = {
    IdentityStatus.PROVISIONAL: "Identité provisoire",
    IdentityStatus.RECOVERED: "Identité récupérée (téléservice INSi)",
    IdentityStatus.VALIDATED: "Identité validée (pièce d'identité contrôlée)",
    IdentityStatus.QUALIFIED: "Identité qualifiée",
}


class IdentityDocument(StrEnum):
    """The documents FR Core accepts to validate an identity that carries an INS."""

    ID_CARD = "CN"
    PASSPORT = "PA"
    BIRTH_CERTIFICATE = "AN"
    FAMILY_RECORD_BOOK = "LE"


DOCUMENT_LABELS = {
    IdentityDocument.ID_CARD: "Carte nationale d'identité",
    IdentityDocument.PASSPORT: "Passeport",
    IdentityDocument.BIRTH_CERTIFICATE: "Extrait d'acte de naissance",
    IdentityDocument.FAMILY_RECORD_BOOK: "Livret de famille",
}


class IdentityCheckError(ValueError):
    """What was typed cannot be kept; the message says why, in French."""


@dataclass(kw_only=True, frozen=True)
class IdentityCheck:
    """What was checked of her identity: the document and the day, the day INSi was queried
    for her INS (None: not done)."""

    document: IdentityDocument | None = None
    checked_on: date | None = None
    insi_on: date | None = None


def identity_status(check: IdentityCheck, *, ins: str | None) -> IdentityStatus:
    """Her status: INSi counts only for the INS she has now."""
    recovered = check.insi_on is not None and bool(ins)
    validated = check.document is not None and check.checked_on is not None
    if recovered and validated:
        return IdentityStatus.QUALIFIED
    if recovered:
        return IdentityStatus.RECOVERED
    return IdentityStatus.VALIDATED if validated else IdentityStatus.PROVISIONAL


# The names parse_identity_check reads: the console's form fields.
TYPED_FIELDS = ("piece", "controlee_le", "insi_le")


def parse_identity_check(
    typed: Mapping[str, str], *, today: date, ins: str | None
) -> IdentityCheck:
    """The form's `piece` (a document code or ""), `controlee_le` and `insi_le` (ISO days or
    ""); IdentityCheckError when a day is missing, malformed or to come, or INSi is said
    for a person without INS."""
    document_code = typed.get("piece", "").strip()
    try:
        document = IdentityDocument(document_code) if document_code else None
    except ValueError:
        raise IdentityCheckError("pièce d'identité inconnue") from None
    checked_on = _day(typed.get("controlee_le", ""), "date du contrôle de la pièce", today)
    insi_on = _day(typed.get("insi_le", ""), "date d'interrogation du téléservice INSi", today)
    if document is not None and checked_on is None:
        raise IdentityCheckError("date du contrôle de la pièce : à renseigner avec la pièce")
    if document is None and checked_on is not None:
        raise IdentityCheckError("date du contrôle : quelle pièce a été contrôlée ?")
    if insi_on is not None and not ins:
        raise IdentityCheckError(
            "téléservice INSi : renseignez d'abord l'INS qu'il a renvoyé dans l'identité"
        )
    return IdentityCheck(document=document, checked_on=checked_on, insi_on=insi_on)


def reliability_extension(check: IdentityCheck, *, ins: str | None) -> dict[str, Any]:
    """FR Core's identity reliability extension for a Patient."""
    status = identity_status(check, ins=ins)
    parts: list[dict[str, Any]] = [
        {
            "url": "identityStatus",
            "valueCoding": {
                "system": STATUS_SYSTEM,
                "code": status.value,
                "display": STATUS_LABELS[status],
            },
        }
    ]
    if check.document is not None and check.checked_on is not None:
        parts.append({"url": "validationDate", "valueDate": check.checked_on.isoformat()})
        parts.append(
            {
                "url": "validationMode",
                "valueCoding": {
                    "system": DOCUMENT_SYSTEM,
                    "code": check.document.value,
                    "display": DOCUMENT_LABELS[check.document],
                },
            }
        )
    return {"url": RELIABILITY_EXTENSION, "extension": parts}


def _day(text: str, name: str, today: date) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise IdentityCheckError(f"{name} : une date attendue (AAAA-MM-JJ)") from None
    if day > today:
        raise IdentityCheckError(f"{name} : pas dans le futur")
    return day
