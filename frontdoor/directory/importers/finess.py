"""The FINESS extract of establishments, as the state publishes it on data.gouv.fr.

"FINESS Extraction du Fichier des établissements", file etalab-cs1100507-stock-<date>.csv:
semicolon-separated, no header, Windows-1252 (UTF-8 accepted too), no quoting (names may hold
a bare `"`). A first line `finess;etalab;…`, then one `structureet` line per establishment
and, after them, one `geolocalisation` line per geocoded establishment.

Column order, from the dataset's notice (the data.gouv.fr documentation of etalab_cs1100507,
as reproduced by the FINESS import scripts of taniki/notebooks `finess/clean.py` and
phileas-condemine's gist, which agree):

    structureet; nofinesset; nofinessej; rs; rslongue; complrs; compldistrib; numvoie; typvoie;
    voie; compvoie; lieuditbp; commune; departement; libdepartement; ligneacheminement;
    telephone; telecopie; categetab; libcategetab; categagretab; libcategagretab; siret;
    codeape; codemft; libmft; codesph; libsph; dateouv; dateautor; maj; numuai

    geolocalisation; nofinesset; coordxet; coordyet; sourcecoordet; datemaj

`commune` is the 3-character code of the commune within its département: the INSEE code is
`departement + commune`, except overseas where FINESS writes the département 9A…9F (971…976)
and the INSEE code is 97 + commune. Coordinates are Lambert 93 (EPSG:2154) in metropolitan
France and UTM overseas; `sourcecoordet` names the projection ("…,LAMBERT_93", "…,UTM_N20").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date
from functools import cache

from pyproj import Transformer

from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.imported import (
    ImportedResource,
    ImportProblem,
    decode,
    e164,
    optional,
)

STRUCTURE_FIELDS = 32  # with the leading "structureet"
_ET, _RS, _RSLONGUE = 1, 3, 4
_NUMVOIE, _TYPVOIE, _VOIE, _COMPVOIE, _LIEUDIT = 7, 8, 9, 10, 11
_COMMUNE, _DEPARTEMENT, _ACHEMINEMENT, _TELEPHONE = 12, 13, 15, 16
_CATEGORY, _CATEGORY_LABEL, _MAJ = 18, 19, 30

_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976"}
# Projection named at the end of sourcecoordet → EPSG code; else the département's usual one.
_PROJECTIONS = {
    "LAMBERT_93": 2154,
    "UTM_N20": 5490,  # RGAF09 / UTM 20N: Guadeloupe, Martinique
    "UTM_N22": 2972,  # RGFG95 / UTM 22N: Guyane
    "UTM_S40": 2975,  # RGR92 / UTM 40S: La Réunion
    "UTM_S38": 4471,  # RGM04 / UTM 38S: Mayotte
    "UTM_N21": 4467,  # RGSPM06 / UTM 21N: Saint-Pierre-et-Miquelon
}
_DEPARTEMENT_EPSG = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "975": 4467, "976": 4471}
_STREET_TYPES = {
    "AV": "avenue", "BD": "boulevard", "R": "rue", "RTE": "route", "PL": "place",
    "CHE": "chemin", "ALL": "allée", "IMP": "impasse", "QUAI": "quai", "CRS": "cours",
    "FG": "faubourg", "SQ": "square", "PROM": "promenade", "RPT": "rond-point", "LD": "lieu-dit",
    "ZA": "zone d'activité", "ZI": "zone industrielle", "CAR": "carrefour", "PASS": "passage",
}  # fmt: skip
_CATEGORY_BY_CODE = {
    code: category for category, info in CATEGORIES.items() for code in info.finess
}


def parse_finess(
    data: bytes | str, *, departements: Collection[str] | None = None
) -> tuple[list[ImportedResource], list[ImportProblem]]:
    """Establishments of the categories we map, in the départements asked for (all if None).

    Broken lines are reported with their number and skipped; establishments of categories
    we do not map are skipped too, with one problem per category saying how many.
    """
    wanted = {_OVERSEAS.get(d.upper(), d.upper()) for d in departements} if departements else None
    structures: list[tuple[int, list[str]]] = []
    places: dict[str, tuple[str, str, str]] = {}
    problems: list[ImportProblem] = []
    for number, line in enumerate(decode(data).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(";")
        section = fields[0].strip().lower()
        if section == "structureet":
            if len(fields) < STRUCTURE_FIELDS:
                problems.append(_bad_line(number, fields, f"{len(fields)} champs au lieu de 32"))
            else:
                structures.append((number, fields))
        elif section == "geolocalisation" and len(fields) >= 5:
            places[fields[1].strip()] = (fields[2], fields[3], fields[4])
        elif section == "finess" and number == 1:
            continue
        else:
            problems.append(_bad_line(number, fields, "ligne inattendue dans un extrait FINESS"))
    unmapped: Counter[tuple[str, str]] = Counter()
    resources: list[ImportedResource] = []
    for number, fields in structures:
        departement = _OVERSEAS.get(fields[_DEPARTEMENT].strip(), fields[_DEPARTEMENT].strip())
        if wanted is not None and departement not in wanted:
            continue
        finess = fields[_ET].strip()
        if len(finess) != 9 or not finess.isalnum():
            problems.append(_bad_line(number, fields, f"numéro FINESS invalide « {finess} »"))
            continue
        code = fields[_CATEGORY].strip()
        category = _CATEGORY_BY_CODE.get(code)
        if category is None:
            unmapped[(code, fields[_CATEGORY_LABEL].strip())] += 1
            continue
        resources.append(_resource(fields, finess, category, departement, places.get(finess)))
    for (code, label), count in sorted(unmapped.items()):
        problems.append(
            ImportProblem(
                line=None,
                record=f"catégorie FINESS {code} ({label})",
                message=f"non reprise dans l'annuaire : {count} établissement(s) ignoré(s)",
            )
        )
    return resources, problems


def _resource(
    fields: list[str],
    finess: str,
    category: Category,
    departement: str,
    place: tuple[str, str, str] | None,
) -> ImportedResource:
    postal_code, commune_name = _delivery_line(fields[_ACHEMINEMENT])
    commune = fields[_COMMUNE].strip()
    insee = None
    if commune:
        insee = f"97{commune}" if departement.startswith("97") else departement + commune
    latitude = longitude = None
    if place is not None:
        latitude, longitude = _wgs84(place, departement)
    phone = e164(fields[_TELEPHONE])
    return ImportedResource(
        source="finess",
        source_id=finess,
        name=optional(fields[_RSLONGUE]) or optional(fields[_RS]) or finess,
        category=category,
        finess_category=fields[_CATEGORY].strip(),
        address=_address(fields),
        postal_code=postal_code,
        commune_insee=insee,
        commune_name=commune_name,
        departement=departement or None,
        latitude=latitude,
        longitude=longitude,
        phones=(phone,) if phone else (),
        checked_at=_date(fields[_MAJ]),
    )


def _address(fields: list[str]) -> str | None:
    street_type = fields[_TYPVOIE].strip()
    parts = [
        fields[_NUMVOIE],
        fields[_COMPVOIE],
        _STREET_TYPES.get(street_type.upper(), street_type),
        fields[_VOIE],
    ]
    street = optional(" ".join(parts))
    place = optional(fields[_LIEUDIT])
    return ", ".join(p for p in (street, place) if p) or None


def _delivery_line(text: str) -> tuple[str | None, str | None]:
    """ "46100 FIGEAC" → ("46100", "FIGEAC"); "57045 METZ CEDEX 1" → ("57045", "METZ")."""
    value = " ".join(text.split())
    code, _, town = value.partition(" ")
    if len(code) != 5 or not code.isdigit():
        return None, optional(value)
    town = town.split(" CEDEX")[0]
    return code, optional(town)


def _wgs84(place: tuple[str, str, str], departement: str) -> tuple[float | None, float | None]:
    x_text, y_text, source = place
    try:
        x, y = float(x_text.replace(",", ".")), float(y_text.replace(",", "."))
    except ValueError:
        return None, None
    projection = source.rsplit(",", 1)[-1].strip().upper()
    epsg = _PROJECTIONS.get(projection) or _DEPARTEMENT_EPSG.get(departement, 2154)
    longitude, latitude = _transformer(epsg).transform(x, y)
    return round(latitude, 6), round(longitude, 6)


@cache
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _bad_line(number: int, fields: list[str], message: str) -> ImportProblem:
    record = fields[1].strip() if len(fields) > 1 else None
    return ImportProblem(line=number, record=record or None, message=message)
