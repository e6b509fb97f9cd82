"""Open Referral HSDS: the 3.0 JSON, and the 2.0 tabular "CSV package".

JSON: a list of services (or one service, or an API page `{"contents": [...]}`, or
organizations carrying `services`), each with `phones`, `schedules`, `service_areas`,
`attributes` and `service_at_locations[].location` (with `addresses`, `latitude`,
`longitude`). CSV package: organizations.csv, services.csv, locations.csv, phones.csv,
physical_addresses.csv, service_at_location.csv (or services_at_location.csv),
service_area(s).csv, services_taxonomy.csv + taxonomy.csv, regular_schedules.csv
(datapackage.json is not needed); the rows are first assembled into the JSON shape, then read
the same way.

One resource per service, `source_id` = the service's id. Mapping choices:
- category: the first taxonomy term (3.0 `attributes[].taxonomy_term`, 2.0 taxonomy.csv)
  whose code or name is one of ours (value "ssiad", short "SSIAD" or label), compared without
  case or accents; else the first of our short names or labels found as words in the service's
  name, then in its organization's name; else "autre";
- served communes: service areas whose `name`, `extent` or last segment of `uri` are INSEE
  codes (space, comma or `|` separated); other areas (free text, GeoJSON) are not kept;
- INSEE code of the place: a location `external_identifier` of type "insee" or "cog";
- audience "professionals" when a taxonomy term or attribute value says "professionnels";
- phones: service's, then its locations', then its organization's, in E.164 (FR numbers);
- hours: the `description` of the service's (else its locations') schedules;
- checked_at: `assured_date`, else the date of `last_modified`;
- services whose status is "inactive" or "defunct" are skipped with a problem.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
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
    optional,
    parse_day,
)
from frontdoor.directory.importers.plain_csv import find_category

Record = dict[str, Any]
_SEPARATORS = re.compile(r"[\s,;|]+")
_PROFESSIONALS = {"professionnels", "professionnel", "professionals", "professionnels uniquement"}
_KEYWORDS = sorted(
    ((normalized(text), category) for category, info in CATEGORIES.items()
     if category is not Category.OTHER for text in (info.short, info.label)),
    key=lambda pair: -len(pair[0]),
)  # fmt: skip


def parse_hsds_json(data: bytes | str) -> tuple[list[ImportedResource], list[ImportProblem]]:
    try:
        document = json.loads(decode(data))
    except json.JSONDecodeError as error:
        return [], [ImportProblem(line=error.lineno, record=None, message="JSON illisible")]
    return _read_services(_services_in(document), where=lambda index: None)


def parse_hsds_package(
    files: Mapping[str, bytes | str],
) -> tuple[list[ImportedResource], list[ImportProblem]]:
    """`files`: the package's file names (services.csv, …) to their contents."""
    tables = {name.rsplit("/", 1)[-1].lower(): _rows(decode(data)) for name, data in files.items()}
    if "services.csv" not in tables:
        return [], [ImportProblem(line=None, record=None, message="services.csv manquant")]
    return _read_services(_assemble(tables), where=lambda index: index + 2)


def _services_in(document: Any) -> list[Record]:
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        document = document["contents"]
    items = document if isinstance(document, list) else [document]
    services: list[Record] = []
    for item in items:
        if isinstance(item, dict) and "services" in item and "organization_id" not in item:
            organization = {k: v for k, v in item.items() if k != "services"}
            services += [{"organization": organization, **s} for s in item["services"] or []]
        else:
            services.append(item)
    return services


def _read_services(
    services: list[Any], *, where: Any
) -> tuple[list[ImportedResource], list[ImportProblem]]:
    resources: list[ImportedResource] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for index, service in enumerate(services):
        line = where(index)
        if not isinstance(service, dict):
            problems.append(
                ImportProblem(line=line, record=f"#{index + 1}", message="pas un service")
            )
            continue
        identifier = str(service.get("id") or "").strip()
        name = optional(str(service.get("name") or ""))
        record = identifier or f"service n° {index + 1}"
        message = None
        if not identifier or not name:
            message = "service sans identifiant ou sans nom"
        elif identifier in seen:
            message = "identifiant en double"
        elif str(service.get("status") or "active").lower() in {"inactive", "defunct"}:
            message = "service inactif"
        if message is not None:
            problems.append(ImportProblem(line=line, record=record, message=message))
            continue
        seen.add(identifier)
        resources.append(_resource(service, identifier, name or identifier))
    return resources, problems


def _resource(service: Record, identifier: str, name: str) -> ImportedResource:
    organization: Record = service.get("organization") or {}
    locations = [
        sal["location"] for sal in service.get("service_at_locations") or [] if sal.get("location")
    ]
    location = next((loc for loc in locations if loc.get("location_type") != "virtual"), None)
    location = location or (locations[0] if locations else {})
    addresses = location.get("addresses") or []
    address = next((a for a in addresses if a.get("address_type") == "physical"), None)
    address = address or (addresses[0] if addresses else {})
    postal_code = optional(str(address.get("postal_code") or ""))
    insee = None
    if str(location.get("external_identifier_type") or "").lower() in {"insee", "cog"}:
        insee = optional(str(location.get("external_identifier") or ""))
    terms = _terms(service)
    phones = _phones(service, locations, organization)
    schedules = service.get("schedules") or [
        s for loc in locations for s in loc.get("schedules") or []
    ]
    hours = " ; ".join(d for s in schedules if (d := optional(s.get("description"))))
    return ImportedResource(
        source="hsds",
        source_id=identifier,
        name=name,
        category=_category(terms, name, str(organization.get("name") or "")),
        address=optional(" ".join(str(address.get(k) or "") for k in ("address_1", "address_2"))),
        postal_code=postal_code,
        commune_insee=insee,
        commune_name=optional(str(address.get("city") or "")),
        departement=departement_of(insee=insee, postal_code=postal_code),
        latitude=_float(location.get("latitude")),
        longitude=_float(location.get("longitude")),
        phones=phones,
        email=optional(str(service.get("email") or organization.get("email") or "")),
        website=optional(
            str(service.get("url") or organization.get("website") or organization.get("url") or "")
        ),
        hours_text=hours or None,
        serves_communes=_served(service.get("service_areas") or []),
        audience="professionals" if _PROFESSIONALS & {normalized(t) for t in terms} else "public",
        checked_at=_checked(service),
    )


def _terms(service: Record) -> list[str]:
    terms: list[str] = []
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        terms += [str(v) for v in (term.get("code"), term.get("name"), attribute.get("value")) if v]
    return terms


def _category(terms: list[str], name: str, organization_name: str) -> Category:
    for term in terms:
        if (category := find_category(term)) is not None:
            return category
    for text in (name, organization_name):
        if (category := category_in_words(text)) is not None:
            return category
    return Category.OTHER


def category_in_words(text: str) -> Category | None:
    """The category whose short name or label (the longest first) is among the words of
    `text`: "Soins à domicile - SSIAD du causse" → SSIAD; None when none is."""
    words = f" {normalized(text)} "
    return next((category for keyword, category in _KEYWORDS if f" {keyword} " in words), None)


def _phones(service: Record, locations: list[Record], organization: Record) -> tuple[str, ...]:
    sources = [service, *(service.get("service_at_locations") or []), *locations, organization]
    numbers = (e164(str(p.get("number") or "")) for s in sources for p in s.get("phones") or [])
    return tuple(dict.fromkeys(n for n in numbers if n))


def _served(areas: Iterable[Record]) -> tuple[str, ...]:
    codes: list[str] = []
    for area in areas:
        uri = str(area.get("uri") or "").rstrip("/").rsplit("/", 1)[-1]
        extent = (
            "" if area.get("extent_type") in {"geojson", "topojson", "kml"} else area.get("extent")
        )
        for text in (area.get("name"), area.get("service_area"), extent, uri):
            values = [v.upper() for v in _SEPARATORS.split(str(text or "")) if v]
            if values and all(is_insee_code(v) for v in values):
                codes += values
    return tuple(dict.fromkeys(codes))


def _checked(service: Record) -> Any:
    for key in ("assured_date", "last_modified"):
        try:
            if day := parse_day(str(service.get(key) or "")):
                return day
        except ValueError:
            continue
    return None


def _float(value: Any) -> float | None:
    try:
        return None if value in (None, "") else round(float(value), 6)
    except (TypeError, ValueError):
        return None


def _rows(text: str) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(text))
    ]


def _assemble(tables: dict[str, list[dict[str, str]]]) -> list[Record]:
    """The 2.0 tables, joined into 3.0-shaped services."""

    def table(*names: str) -> list[dict[str, str]]:
        return next((tables[n] for n in names if n in tables), [])

    def by(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
        grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in rows:
            if row.get(key):
                grouped[row[key]].append(row)
        return grouped

    phones = table("phones.csv")
    phones_of = {k: by(phones, k) for k in ("service_id", "location_id", "organization_id")}
    addresses = by(table("physical_addresses.csv", "addresses.csv"), "location_id")
    locations: dict[str, Record] = {}
    for row in table("locations.csv"):
        locations[row.get("id", "")] = {
            **row,
            "addresses": addresses.get(row.get("id", ""), []),
            "phones": phones_of["location_id"].get(row.get("id", ""), []),
        }
    organizations = {
        row.get("id", ""): {
            **row,
            "phones": phones_of["organization_id"].get(row.get("id", ""), []),
        }
        for row in table("organizations.csv")
    }
    at_location = by(table("service_at_location.csv", "services_at_location.csv"), "service_id")
    areas = by(table("service_areas.csv", "service_area.csv"), "service_id")
    schedules = by(
        [{**r, "description": r.get("description") or _opening(r)}
         for r in table("regular_schedules.csv", "schedules.csv")],
        "service_id",
    )  # fmt: skip
    taxonomy = {row.get("id", ""): row for row in table("taxonomy.csv", "taxonomy_terms.csv")}
    service_terms = by(table("services_taxonomy.csv", "service_taxonomy.csv"), "service_id")
    services: list[Record] = []
    for row in tables["services.csv"]:
        identifier = row.get("id", "")
        services.append({
            **row,
            "organization": organizations.get(row.get("organization_id", ""), {}),
            "phones": phones_of["service_id"].get(identifier, []),
            "service_at_locations": [
                {"location": locations[sal["location_id"]]}
                for sal in at_location.get(identifier, []) if sal.get("location_id") in locations
            ],
            "service_areas": areas.get(identifier, []),
            "schedules": schedules.get(identifier, []),
            "attributes": [
                {"taxonomy_term": taxonomy[t["taxonomy_id"]]}
                for t in service_terms.get(identifier, []) if t.get("taxonomy_id") in taxonomy
            ],
        })  # fmt: skip
    return services


def _opening(row: dict[str, str]) -> str:
    """A 2.0 regular_schedules row as text: "lundi 09:00–17:00"."""
    days = {"1": "lundi", "2": "mardi", "3": "mercredi", "4": "jeudi", "5": "vendredi",
            "6": "samedi", "7": "dimanche"}  # fmt: skip
    weekday = row.get("weekday", "")
    hours = "–".join(t[:5] for t in (row.get("opens_at", ""), row.get("closes_at", "")) if t)
    return " ".join(p for p in (days.get(weekday, weekday), hours) if p)
