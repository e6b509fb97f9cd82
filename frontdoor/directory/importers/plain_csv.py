"""The directory as a coordinator keeps it in a spreadsheet, saved as CSV.

Header (any order; only identifiant, nom and categorie are required):

    identifiant;nom;categorie;adresse;code_postal;commune;code_insee;telephone;courriel;site;
    horaires;communes_desservies;public;verifie_le;latitude;longitude

`;` or `,`; UTF-8 or Windows-1252. `categorie`: a short name or label of the taxonomy
("SSIAD", "Service de soins infirmiers à domicile"), case and accents ignored. `telephone`:
one or more numbers separated by `/` or `|`. `communes_desservies`: INSEE codes separated by
spaces, commas or `|`. `public`: "tous" (default) or "professionnels". `verifie_le`:
JJ/MM/AAAA or AAAA-MM-JJ. `identifiant` must be unique across the directory's CSV files (for
instance "dac46-ssiad-figeac"). A line with an error is reported and skipped, whole.
"""

from __future__ import annotations

import csv
import io
import re

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

COLUMNS = (
    "identifiant", "nom", "categorie", "adresse", "code_postal", "commune", "code_insee",
    "telephone", "courriel", "site", "horaires", "communes_desservies", "public", "verifie_le",
    "latitude", "longitude",
)  # fmt: skip
REQUIRED = ("identifiant", "nom", "categorie")
_AUDIENCES = {"": "public", "tous": "public", "public": "public", "grand public": "public",
              "professionnels": "professionals", "pro": "professionals",
              "professionnels uniquement": "professionals"}  # fmt: skip
_SEPARATORS = re.compile(r"[\s,;|]+")
# Dots only between the domain's labels: no backtracking over a long run of them.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def _category_names() -> dict[str, Category]:
    names: dict[str, Category] = {}
    for category, info in CATEGORIES.items():
        for name in (category.value, info.short, info.label):
            names[normalized(name)] = category
    return names


_CATEGORIES = _category_names()


def find_category(text: str) -> Category | None:
    """ "ssiad", "Service de soins infirmiers à domicile", "Centre de santé" → the category."""
    return _CATEGORIES.get(normalized(text))


def parse_plain_csv(data: bytes | str) -> tuple[list[ImportedResource], list[ImportProblem]]:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [ImportProblem(line=1, record=None, message="fichier vide")]
    columns = [normalized(h).replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        message = f"colonne(s) manquante(s) : {', '.join(missing)}"
        return [], [ImportProblem(line=1, record=None, message=message)]
    resources: list[ImportedResource] = []
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = {c: v.strip() for c, v in zip(columns, values, strict=False) if c in COLUMNS}
        errors: list[str] = []
        resource = _resource(record, errors)
        if resource is not None and resource.source_id in seen:
            errors.append(f"identifiant « {resource.source_id} » en double")
        if errors or resource is None:
            problems.append(
                ImportProblem(
                    line=line, record=record.get("identifiant"), message=" ; ".join(errors)
                )
            )
            continue
        seen.add(resource.source_id)
        resources.append(resource)
    return resources, problems


def _resource(record: dict[str, str], errors: list[str]) -> ImportedResource | None:
    get = record.get
    identifier, name = get("identifiant", ""), optional(get("nom", ""))
    if not identifier:
        errors.append("identifiant manquant")
    if not name:
        errors.append("nom manquant")
    category = find_category(get("categorie", ""))
    if category is None:
        errors.append(f"catégorie inconnue « {get('categorie', '')} »")
    postal_code = get("code_postal", "")
    if postal_code and not is_postal_code(postal_code):
        errors.append("code postal invalide")
    insee = get("code_insee", "").upper()
    if insee and not is_insee_code(insee):
        errors.append("code INSEE invalide")
    phones = []
    for raw in re.split(r"[/|]", get("telephone", "")):
        if raw.strip():
            number = e164(raw)
            if number is None:
                errors.append(f"numéro de téléphone invalide « {raw.strip()} »")
            elif number not in phones:
                phones.append(number)
    email = get("courriel", "")
    if email and not _EMAIL.match(email):
        errors.append("courriel invalide")
    served = [c.upper() for c in _SEPARATORS.split(get("communes_desservies", "")) if c]
    bad = [c for c in served if not is_insee_code(c)]
    if bad:
        errors.append(f"code(s) INSEE desservi(s) invalide(s) : {' '.join(bad)}")
    audience = _AUDIENCES.get(normalized(get("public", "")))
    if audience is None:
        errors.append("public : « tous » ou « professionnels »")
    try:
        checked_at = parse_day(get("verifie_le", ""))
    except ValueError:
        checked_at = None
        errors.append("date de vérification invalide (JJ/MM/AAAA)")
    latitude, longitude = _coordinates(get("latitude", ""), get("longitude", ""), errors)
    if errors or category is None or name is None or audience is None:
        return None
    return ImportedResource(
        source="csv",
        source_id=identifier,
        name=name,
        category=category,
        address=optional(get("adresse")),
        postal_code=postal_code or None,
        commune_insee=insee or None,
        commune_name=optional(get("commune")),
        departement=departement_of(insee=insee, postal_code=postal_code),
        latitude=latitude,
        longitude=longitude,
        phones=tuple(phones),
        email=email or None,
        website=optional(get("site")),
        hours_text=optional(get("horaires")),
        serves_communes=tuple(dict.fromkeys(served)),
        audience=audience,
        checked_at=checked_at,
    )


def _coordinates(
    latitude_text: str, longitude_text: str, errors: list[str]
) -> tuple[float | None, float | None]:
    if not latitude_text and not longitude_text:
        return None, None
    try:
        latitude = float(latitude_text.replace(",", "."))
        longitude = float(longitude_text.replace(",", "."))
    except ValueError:
        errors.append("coordonnées invalides")
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors.append("coordonnées hors limites")
        return None, None
    return round(latitude, 6), round(longitude, 6)
