"""One FINESS establishment, read by column name, as a directory resource.

Both publications (the legacy sectioned file and the files with a header line, see
finess.py) give each establishment as a record keyed by the notice's column names; the
names that differ between them are read here, whichever the record has:

- the commune: `cog` (its INSEE code, named files) or `departement` + `commune` (the
  3-character code within the département, legacy file: the INSEE code is `departement +
  commune`, except overseas where FINESS writes the département 9A…9F (971…976) and the
  INSEE code is 97 + commune);
- the postal code and town: `codepostal` and `libelle_routage` (named files) or the
  `ligneacheminement` ("46100 FIGEAC", "57045 METZ CEDEX 1");
- the date of the record: `maj` (legacy) or `datemaj` (named files);
- the coordinates, joined by FINESS number from the record itself (`coordx`, `coordy`,
  `sourcegeocod`) or from the geolocation lines or file (`coordxet`, `coordyet`,
  `sourcecoordet`): Lambert 93 (EPSG:2154) in metropolitan France and UTM overseas, the
  source naming the projection ("…,LAMBERT_93", "…,UTM_N20").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from pyproj import Transformer

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource, e164, optional

Record = Mapping[str, str]

OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976"}
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


@dataclass(kw_only=True, frozen=True)
class Place:
    """Where an establishment was geocoded: x, y and the source naming the projection."""

    x: str
    y: str
    source: str


def field(record: Record, *names: str) -> str:
    """The first of `names` the record has, stripped ("" when none)."""
    for name in names:
        value = record.get(name)
        if value is not None and value.strip():
            return value.strip()
    return ""


def departement_of(record: Record) -> str:
    """ "46", "2A", "974" (FINESS's 9A…9F written as their INSEE codes)."""
    written = field(record, "departement").upper()
    return OVERSEAS.get(written, written)


def place_in(record: Record) -> Place | None:
    """The coordinates a record carries itself (a named file with them), if any."""
    x, y = field(record, "coordx", "coordxet"), field(record, "coordy", "coordyet")
    if not (x and y):
        return None
    return Place(x=x, y=y, source=field(record, "sourcegeocod", "sourcecoordet"))


def resource_of(
    record: Record, *, finess: str, category: Category, place: Place | None
) -> ImportedResource:
    departement = departement_of(record)
    postal_code, commune_name = _delivery_line(field(record, "ligneacheminement"))
    written_code = field(record, "codepostal")
    if len(written_code) == 5 and written_code.isdigit():
        postal_code = written_code
    commune_name = optional(field(record, "libelle_routage").split(" CEDEX")[0]) or commune_name
    latitude = longitude = None
    if place is not None:
        latitude, longitude = _wgs84(place, departement)
    phone = e164(field(record, "telephone"))
    return ImportedResource(
        source="finess",
        source_id=finess,
        name=optional(field(record, "rslongue")) or optional(field(record, "rs")) or finess,
        category=category,
        finess_category=field(record, "categetab"),
        finess=finess,
        address=_address(record),
        postal_code=postal_code,
        commune_insee=_insee(record, departement),
        commune_name=commune_name,
        departement=departement or None,
        latitude=latitude,
        longitude=longitude,
        phones=(phone,) if phone else (),
        checked_at=_date(field(record, "maj", "datemaj")),
    )


def _insee(record: Record, departement: str) -> str | None:
    cog = field(record, "cog")
    if len(cog) == 5:
        return cog
    commune = field(record, "commune")
    if not commune:
        return None
    return f"97{commune}" if departement.startswith("97") else departement + commune


def _address(record: Record) -> str | None:
    street_type = field(record, "typvoie")
    parts = [
        field(record, "numvoie"),
        field(record, "compvoie"),
        _STREET_TYPES.get(street_type.upper(), street_type),
        field(record, "voie"),
    ]
    street = optional(" ".join(parts))
    place = optional(field(record, "lieuditbp"))
    return ", ".join(p for p in (street, place) if p) or None


def _delivery_line(text: str) -> tuple[str | None, str | None]:
    """ "46100 FIGEAC" → ("46100", "FIGEAC"); "57045 METZ CEDEX 1" → ("57045", "METZ")."""
    value = " ".join(text.split())
    code, _, town = value.partition(" ")
    if len(code) != 5 or not code.isdigit():
        return None, optional(value)
    town = town.split(" CEDEX")[0]
    return code, optional(town)


def _wgs84(place: Place, departement: str) -> tuple[float | None, float | None]:
    try:
        x, y = float(place.x.replace(",", ".")), float(place.y.replace(",", "."))
    except ValueError:
        return None, None
    projection = place.source.rsplit(",", 1)[-1].strip().upper()
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
