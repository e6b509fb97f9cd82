"""The Répertoire Opérationnel des Ressources (ROR): its offer, as the ANS exposes it in FHIR.

Source: the ANS implementation guide "Répertoire national de l'Offre et des Ressources en
santé et accompagnement médico-social" (https://interop.esante.gouv.fr/ig/fhir/ror/, sources
in ansforge/IG-fhir-repertoire-offre-ressources-sante): the profiles ror-organization,
ror-healthcareservice and ror-location, their extensions, and the examples of the guide's
pages on entering and searching the offer.

A file is a FHIR R4 Bundle in JSON (a `searchset` answer with its `_include`d Organizations
and Locations, or a `collection`), one resource in JSON, or NDJSON (one resource a line, as a
bulk export writes it). One directory resource per HealthcareService (an "offre
opérationnelle"); `source_id` = its first identifier's value, else its FHIR id. Resources of
other types (Practitioner, PractitionerRole…) are not read. Mapping:

- name: the service's, followed by its Organization's (providedBy) in brackets when the
  service's name does not already hold it: "Soins infirmiers (SSIAD du Ségala)";
- category: the Organization's catégorie d'établissement (a FINESS category, TRE_R66 /
  JDV_J55-CategorieEG-ROR) when the taxonomy gathers it; else a category named by the
  service's category, type or specialty displays, then by its or its Organization's name;
  else "autre": kept, as HSDS services are, for a coordinator to recategorise;
- finess_category: that catégorie code;
- finess: the Organization's FINESS number, its identifier typed FINESS (TRE_G07 code 1) or
  of a FINESS system (https://finess.esante.gouv.fr, urn:oid:1.2.250.1.71.4.2.2), when it is
  nine letters or digits;
- phones, email, website: the service's `telecom` and ror-healthcareservice-contact
  extensions (`telecomAddress`), then its Location's telecom, then its Organization's
  contacts. A contact or telecom whose ROR confidentiality level (JDV_J222) is not "1"
  (accès libre) is left out: it is not for the public;
- hours: `availableTime` (else the Location's `hoursOfOperation`) in the directory's French
  text: "lundi-vendredi 9h-12h30 / 13h30-17h ; samedi 9h-12h";
- address, postal code, commune: the Location's address (else the Organization's), the INSEE
  code from its ror-commune-cog extension, the point from `position` (WGS84);
- served communes: the service's zone of intervention, ror-healthcareservice-intervention-zone
  (`type`, `code`) or the earlier ror-territorial-division (`typeTerritorialDivision`,
  `codeTerritorialDivision`), where the division is a commune (JDV_J223 code 3) or its code
  an INSEE code; départements and régions are not kept;
- checked_at: the service's meta.lastUpdated.

Refused with a problem, the rest being imported: a line or entry that is not a FHIR resource,
a service without identifier or name, with an identifier longer than the store keeps,
inactive (`active` false) or given twice, whose address has a postal code that is not five
digits, whose Location has a commune code that is not an INSEE code or a position that is not
numbers, whose hours are not hh:mm, or where an element is an object where FHIR has a list (or
the reverse). Where: "ligne N" in NDJSON, "entrée N" of a Bundle. Names, addresses and hours
longer than the store's columns are cut, with an ellipsis.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from frontdoor.core.directory_text import normalized
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.imported import (
    ImportedResource,
    ImportProblem,
    decode,
    departement_of,
    e164,
    is_insee_code,
    is_postal_code,
    optional,
    parse_day,
)
from frontdoor.directory.importers.hsds import category_in_words
from frontdoor.directory.importers.plain_csv import find_category

Record = dict[str, Any]
MAX_IDENTIFIER = 100  # Resource.source_id
_DAYS = {"mon": "lundi", "tue": "mardi", "wed": "mercredi", "thu": "jeudi", "fri": "vendredi",
         "sat": "samedi", "sun": "dimanche"}  # fmt: skip
_ORDER = list(_DAYS)
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$")
_COMMUNE_DIVISION = "3"  # JDV_J223-TypeDivisionTerritoriale-ROR: commune
_OPEN_ACCESS = "1"  # JDV_J222-NiveauConfidentialite-ROR: accès libre
_ZONES = {  # zone-of-intervention extension → (its type, its code) sub-extensions
    "ror-healthcareservice-intervention-zone": ("type", "code"),
    "ror-territorial-division": ("typeTerritorialDivision", "codeTerritorialDivision"),
}
_FINESS_SYSTEMS = ("https://finess.esante.gouv.fr", "urn:oid:1.2.250.1.71.4.2.2")
_CATEGORY_BY_FINESS = {code: category for category, info in CATEGORIES.items()
                       for code in info.finess}  # fmt: skip


class _Refused(ValueError):
    """A service that cannot be imported, and why (in French)."""


@dataclass(frozen=True)
class _Entry:
    where: str  # "ligne 3", "entrée 4"
    line: int | None
    resource: Record
    full_url: str | None = None  # a Bundle entry's


def parse_ror(data: bytes | str) -> tuple[list[ImportedResource], list[ImportProblem]]:
    """The HealthcareServices of a ROR extract, each with its Organization and Location."""
    entries, problems = _entries(decode(data))
    known: dict[str, Record] = {}
    for entry in entries:
        resource = entry.resource
        if resource.get("resourceType") in {"Organization", "Location"}:
            known[f"{resource['resourceType']}/{resource.get('id', '')}"] = resource
            if entry.full_url:
                known[entry.full_url] = resource
    resources: list[ImportedResource] = []
    seen: set[str] = set()
    for entry in entries:
        service = entry.resource
        if service.get("resourceType") != "HealthcareService":
            continue
        identifier = _identifier(service)
        record = f"{entry.where}, HealthcareService {identifier or service.get('id') or '?'}"
        try:
            if not identifier or not optional(str(service.get("name") or "")):
                raise _Refused("offre sans identifiant ou sans nom")
            if len(identifier) > MAX_IDENTIFIER:
                raise _Refused(f"identifiant de plus de {MAX_IDENTIFIER} caractères")
            if identifier in seen:
                raise _Refused("identifiant ROR en double")
            if service.get("active") is False:
                raise _Refused("offre inactive")
            resources.append(_resource(service, identifier, known))
            seen.add(identifier)
        except _Refused as refused:
            problems.append(ImportProblem(line=entry.line, record=record, message=str(refused)))
        except (AttributeError, TypeError):  # an object where a list is due, or the reverse
            message = "structure FHIR inattendue dans l'offre, sa structure ou son lieu"
            problems.append(ImportProblem(line=entry.line, record=record, message=message))
    return resources, problems


def _entries(text: str) -> tuple[list[_Entry], list[ImportProblem]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if _one_object(first) and len([line for line in lines if line.strip()]) > 1:
        return _ndjson(lines)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [ImportProblem(line=error.lineno, record=None, message="JSON illisible")]
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        entries: list[_Entry] = []
        problems: list[ImportProblem] = []
        for index, item in enumerate(document.get("entry") or [], start=1):
            where = f"entrée {index}"
            resource = item.get("resource") if isinstance(item, dict) else None
            if not isinstance(resource, dict) or not _is_resource(resource):
                problems.append(ImportProblem(None, where, "pas une ressource FHIR"))
                continue
            entries.append(_Entry(where, None, resource, optional(str(item.get("fullUrl") or ""))))
        return entries, problems
    if _is_resource(document):
        return [_Entry("entrée 1", None, document)], []
    return [], [ImportProblem(None, None, "ni Bundle ni ressource FHIR")]


def _ndjson(lines: list[str]) -> tuple[list[_Entry], list[ImportProblem]]:
    entries: list[_Entry] = []
    problems: list[ImportProblem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            resource = json.loads(line)
        except json.JSONDecodeError:
            problems.append(ImportProblem(line=number, record=None, message="JSON illisible"))
            continue
        if not _is_resource(resource):
            problems.append(ImportProblem(number, None, "pas une ressource FHIR"))
            continue
        entries.append(_Entry(f"ligne {number}", number, resource))
    return entries, problems


def _one_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _is_resource(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("resourceType"), str)


def _resource(service: Record, identifier: str, known: dict[str, Record]) -> ImportedResource:
    organization = _referenced(service.get("providedBy"), known)
    location = next(
        (found for ref in _as_list(service.get("location")) if (found := _referenced(ref, known))),
        {},
    )
    addresses = [*_as_list(location.get("address")), *_as_list(organization.get("address"))]
    address: Record = addresses[0] if addresses else {}
    postal_code = optional(str(address.get("postalCode") or ""))
    if postal_code is not None and not is_postal_code(postal_code):
        raise _Refused(f"code postal invalide « {postal_code} »")
    insee = _commune_code(location)
    latitude, longitude = _position(location)
    service_name = optional(str(service["name"])) or identifier
    organization_name = optional(str(organization.get("name") or ""))
    name = service_name
    if organization_name and normalized(organization_name) not in normalized(service_name):
        name = f"{service_name} ({organization_name})"
    name = _clipped(name, 300) or identifier
    finess_category = _finess_category(organization)
    hours = _hours(_as_list(service.get("availableTime")), "availableStartTime", "availableEndTime")
    if not hours:
        hours = _hours(_as_list(location.get("hoursOfOperation")), "openingTime", "closingTime")
    contacts = _contacts(service, location, organization)
    checked = optional(str((service.get("meta") or {}).get("lastUpdated") or ""))
    return ImportedResource(
        source="ror",
        source_id=identifier,
        name=name,
        category=_category(service, finess_category, service_name, organization_name or ""),
        finess_category=finess_category,
        finess=_finess_number(organization),
        address=_clipped(_street(address), 300),
        postal_code=postal_code,
        commune_insee=insee,
        commune_name=_clipped(optional(str(address.get("city") or "")), 150),
        departement=departement_of(insee=insee, postal_code=postal_code),
        latitude=latitude,
        longitude=longitude,
        phones=tuple(dict.fromkeys(n for c in contacts if (n := e164(c)))),
        email=next((c for c in contacts if "@" in c), None),
        website=next((c for c in contacts if c.startswith(("http://", "https://"))), None),
        hours_text=_clipped(hours, 500),
        serves_communes=_served(service),
        checked_at=parse_day(checked) if checked else None,
    )


def _clipped(text: str | None, size: int) -> str | None:
    """At most `size` characters (the store's column), an ellipsis saying some were cut."""
    return text if text is None or len(text) <= size else text[: size - 1] + "…"


def _identifier(service: Record) -> str | None:
    for identifier in _as_list(service.get("identifier")):
        if isinstance(identifier, dict) and (value := optional(str(identifier.get("value") or ""))):
            return value
    return optional(str(service.get("id") or ""))


def _referenced(reference: Any, known: dict[str, Record]) -> Record:
    if not isinstance(reference, dict):
        return {}
    return known.get(str(reference.get("reference") or ""), {})


def _as_list(value: Any) -> list[Any]:
    """FHIR lists; the ROR guide's examples sometimes give one element where a list is due."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _codings(concept: Any) -> Iterator[Record]:
    if not isinstance(concept, dict):
        return
    if "code" in concept or "display" in concept:  # a Coding written where a concept is due
        yield concept
    yield from (c for c in _as_list(concept.get("coding")) if isinstance(c, dict))


def _extensions(element: Any, name: str) -> Iterator[Record]:
    """The extensions of `element` whose url is `name` or ends with "/name"."""
    if not isinstance(element, dict):
        return
    for extension in _as_list(element.get("extension")):
        url = str(extension.get("url") or "") if isinstance(extension, dict) else ""
        if url == name or url.endswith(f"/{name}"):
            yield extension


def _commune_code(location: Record) -> str | None:
    for extension in _extensions(location, "ror-commune-cog"):
        for coding in _codings(extension.get("valueCodeableConcept")):
            code = str(coding.get("code") or "").strip().upper()
            if not is_insee_code(code):
                raise _Refused(f"code commune invalide « {code} » dans son lieu")
            return code
    return None


def _position(location: Record) -> tuple[float | None, float | None]:
    position = location.get("position")
    if not isinstance(position, dict):
        return None, None
    try:
        latitude, longitude = float(position["latitude"]), float(position["longitude"])
    except (KeyError, TypeError, ValueError):
        raise _Refused("position du lieu illisible (latitude et longitude attendues)") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _Refused("position du lieu hors des coordonnées WGS84")
    return round(latitude, 6), round(longitude, 6)


def _street(address: Record) -> str | None:
    lines = [optional(str(line)) for line in _as_list(address.get("line"))]
    kept = [line for line in lines if line and not is_postal_code(line[:5])]
    return ", ".join(kept) or optional(str(address.get("text") or ""))


def _finess_number(organization: Record) -> str | None:
    for identifier in _as_list(organization.get("identifier")):
        if not isinstance(identifier, dict):
            continue
        system = str(identifier.get("system") or "")
        typed = any(
            "TRE_G07" in str(c.get("system") or "") and str(c.get("code")) == "1"
            for c in _codings(identifier.get("type"))
        )
        value = str(identifier.get("value") or "").strip()
        if (typed or system in _FINESS_SYSTEMS) and len(value) == 9 and value.isalnum():
            return value
    return None


def _finess_category(organization: Record) -> str | None:
    for concept in _as_list(organization.get("type")):
        for coding in _codings(concept):
            system = str(coding.get("system") or "")
            if "TRE_R66" in system or "JDV_J55" in system:
                return optional(str(coding.get("code") or ""))
    return None


def _category(
    service: Record, finess_category: str | None, name: str, organization_name: str
) -> Category:
    if finess_category in _CATEGORY_BY_FINESS:
        return _CATEGORY_BY_FINESS[finess_category]
    concepts = [*_as_list(service.get("category")), *_as_list(service.get("type")),
                *_as_list(service.get("specialty"))]  # fmt: skip
    displays = [str(c.get("display") or "") for concept in concepts for c in _codings(concept)]
    for display in displays:
        if (category := find_category(display)) is not None:
            return category
    for text in (*displays, name, organization_name):
        if (category := category_in_words(text)) is not None:
            return category
    return Category.OTHER


def _contacts(service: Record, location: Record, organization: Record) -> list[str]:
    """The public telecom values, service first."""
    values: list[str] = []
    for telecom in _as_list(service.get("telecom")):
        values += _open_value(telecom, telecom.get("value"))
    for contact in _extensions(service, "ror-healthcareservice-contact"):
        if not _open(contact):
            continue
        for extension in _as_list(contact.get("extension")):
            for address in _extensions(extension, "telecomAddress"):
                values += _open_value(extension, address.get("valueString"))
    for telecom in _as_list(location.get("telecom")):
        values += _open_value(telecom, telecom.get("value"))
    for contact in _as_list(organization.get("contact")):
        if _open(contact):
            for telecom in _as_list(contact.get("telecom")):
                values += _open_value(telecom, telecom.get("value"))
    return list(dict.fromkeys(values))


def _open_value(element: Any, value: Any) -> list[str]:
    text = optional(str(value or ""))
    return [text] if text and _open(element) else []


def _open(element: Any) -> bool:
    """No confidentiality level, or "accès libre"."""
    if not isinstance(element, dict):
        return False
    for extension in _as_list(element.get("extension")):
        url = str(extension.get("url") or "") if isinstance(extension, dict) else ""
        if url.endswith("confidentiality-level"):
            codes = {str(c.get("code")) for c in _codings(extension.get("valueCodeableConcept"))}
            return _OPEN_ACCESS in codes
    return True


def _hours(times: list[Any], start_key: str, end_key: str) -> str | None:
    """FHIR opening times as the directory writes them: "lundi-vendredi 9h-17h ; samedi 9h-12h"."""
    ranges: dict[tuple[int, ...], list[str]] = {}
    for time in times:
        if not isinstance(time, dict):
            continue
        days = tuple(sorted({_ORDER.index(d) for d in _as_list(time.get("daysOfWeek"))
                             if d in _DAYS}))  # fmt: skip
        if time.get("allDay"):
            span = "24h/24"
        else:
            start, end = _clock(time.get(start_key)), _clock(time.get(end_key))
            span = f"{start}-{end}" if start and end else "horaires non précisés"
        ranges.setdefault(days, []).append(span)
    return (
        " ; ".join(
            " ".join(p for p in (_days(days), " / ".join(spans)) if p)
            for days, spans in ranges.items()
        )
        or None
    )


def _clock(value: Any) -> str | None:
    if value is None:
        return None
    match = _TIME.match(str(value).strip())
    if match is None:
        raise _Refused(f"horaire illisible « {value} » (hh:mm:ss attendu)")
    hours, minutes = int(match[1]), match[2]
    return f"{hours}h" if minutes == "00" else f"{hours}h{minutes}"


def _days(days: tuple[int, ...]) -> str:
    """(0, 1, 2, 3, 4) → "lundi-vendredi"; (0, 2) → "lundi, mercredi"."""
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        names = [_DAYS[_ORDER[day]] for day in run]
        parts += [f"{names[0]}-{names[-1]}"] if len(names) > 2 else names
    return ", ".join(parts)


def _served(service: Record) -> tuple[str, ...]:
    codes: list[str] = []
    for url, (type_name, code_name) in _ZONES.items():
        for zone in _extensions(service, url):
            kinds = [c for e in _extensions(zone, type_name)
                     for c in _codings(e.get("valueCodeableConcept"))]  # fmt: skip
            is_commune = not kinds or any(
                str(c.get("code")) == _COMMUNE_DIVISION or normalized(str(c.get("display") or ""))
                == "commune" for c in kinds
            )  # fmt: skip
            for extension in _extensions(zone, code_name):
                for coding in _codings(extension.get("valueCodeableConcept")):
                    code = str(coding.get("code") or "").strip().upper()
                    if is_commune and is_insee_code(code):
                        codes.append(code)
    return tuple(dict.fromkeys(codes))
