"""The FINESS extract of establishments, as the state publishes it on data.gouv.fr
("FINESS Extraction du Fichier des établissements"), in either of its forms; which one a
file is comes from its first line (`finess_format`).

**Legacy** (`etalab-cs1100507-stock-<date>.csv`): semicolon-separated, no header,
Windows-1252 (UTF-8 accepted too), no quoting (names may hold a bare `"`). A first line
`finess;etalab;…`, then one `structureet` line per establishment and, after them, one
`geolocalisation` line per geocoded establishment. Column order, from the dataset's notice
(the data.gouv.fr documentation of etalab_cs1100507, as reproduced by the FINESS import
scripts of taniki/notebooks `finess/clean.py` and phileas-condemine's gist, which agree):

    structureet; nofinesset; nofinessej; rs; rslongue; complrs; compldistrib; numvoie; typvoie;
    voie; compvoie; lieuditbp; commune; departement; libdepartement; ligneacheminement;
    telephone; telecopie; categetab; libcategetab; categagretab; libcategagretab; siret;
    codeape; codemft; libmft; codesph; libsph; dateouv; dateautor; maj; numuai

    geolocalisation; nofinesset; coordxet; coordyet; sourcecoordet; datemaj

**With a header line** (named columns, read by name whatever their order): one establishment
a line under a first line naming the columns, the notice's names, e.g. the 42 columns of the
establishments file with its coordinates

    nofinesset; nofinessej; rs; rslongue; complrs; compldistrib; numvoie; typvoie; voie;
    compvoie; lieuditbp; region; libregion; departement; libdepartement; cog; codepostal;
    libelle_routage; ligneacheminement; telephone; telecopie; categetab; libcategetab;
    liblongcategetab; categretab; libcategretab; siret; codeape; libcodeape; mft; libmft;
    liblongmft; sph; libsph; numen; coordx; coordy; sourcegeocod; dategeocod; dateautor;
    dateouvert; datemaj

and the **geolocation in a separate file**, `nofinesset;coordxet;coordyet;sourcecoordet;
datemaj` under its header (or as the legacy file's `geolocalisation` lines), joined to the
establishments by FINESS number (`frontdoor directory import finess FILE --geolocalisation
GEOFILE`). Columns the directory does not read may be there or not; the header must name
those it needs (REQUIRED).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from enum import StrEnum

from frontdoor.core.taxonomy import CATEGORIES
from frontdoor.directory.imported import ImportedResource, ImportProblem, decode
from frontdoor.directory.importers.finess_record import (
    OVERSEAS,
    Place,
    Record,
    departement_of,
    field,
    place_in,
    resource_of,
)

LEGACY_COLUMNS = (
    "structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib",
    "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune", "departement",
    "libdepartement", "ligneacheminement", "telephone", "telecopie", "categetab",
    "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft", "libmft",
    "codesph", "libsph", "dateouv", "dateautor", "maj", "numuai",
)  # fmt: skip
LEGACY_PLACE_COLUMNS = ("geolocalisation", "nofinesset", "coordxet", "coordyet", "sourcecoordet")
# What a header must name: the number, the name, the category and where it is.
REQUIRED = (("nofinesset",), ("rs", "rslongue"), ("categetab",), ("departement", "cog"))
PLACE_REQUIRED = (("nofinesset",), ("coordxet", "coordx"), ("coordyet", "coordy"))
_CATEGORY_BY_CODE = {
    code: category for category, info in CATEGORIES.items() for code in info.finess
}

Parsed = tuple[list[ImportedResource], list[ImportProblem]]
Numbered = tuple[int, Record]


class FinessFormat(StrEnum):
    LEGACY = "legacy"  # finess;etalab;… then structureet and geolocalisation lines
    NAMED_COLUMNS = "named-columns"  # a header line, then one establishment a line
    GEOLOCATION = "geolocation"  # a header line, then one establishment's coordinates a line


def finess_format(first_line: str) -> FinessFormat | None:
    """Which publication a file is, from its first line; None when it is none of them."""
    names = [name.strip().lower() for name in first_line.split(";")]
    if names[0] in ("finess", "structureet", "geolocalisation"):
        return FinessFormat.LEGACY
    if "nofinesset" not in names:
        return None
    if "categetab" in names:
        return FinessFormat.NAMED_COLUMNS
    if _missing(set(names), PLACE_REQUIRED) == []:
        return FinessFormat.GEOLOCATION
    return None


def parse_finess(
    data: bytes | str,
    *,
    departements: Collection[str] | None = None,
    geolocation: bytes | str | None = None,
) -> Parsed:
    """Establishments of the categories we map, in the départements asked for (all if None),
    with the coordinates of `geolocation` (a separate file) when given.

    A malformed line is reported with its number and the reason, and skipped; establishments
    of categories we do not map are skipped too, with one problem per category saying how
    many. A file of no known form is one problem and nothing imported.
    """
    lines = decode(data).splitlines()
    kind = finess_format(lines[0]) if lines else None
    if kind is FinessFormat.LEGACY:
        records, places, problems = _legacy(lines)
    elif kind is FinessFormat.NAMED_COLUMNS:
        records, problems = _named(lines, REQUIRED)
        places = {}
    elif kind is FinessFormat.GEOLOCATION:
        return [], [_not_establishments()]
    else:
        return [], [_unknown_form()]
    if geolocation is not None:
        more, geolocation_problems = parse_places(geolocation)
        places |= more
        problems += geolocation_problems
    return _resources(records, places, departements, problems)


def parse_places(data: bytes | str) -> tuple[dict[str, Place], list[ImportProblem]]:
    """The coordinates of a geolocation file (with its header, or the legacy lines)."""
    lines = decode(data).splitlines()
    kind = finess_format(lines[0]) if lines else None
    if kind is FinessFormat.LEGACY:
        _, places, problems = _legacy(lines)
        return places, problems
    if kind is not FinessFormat.GEOLOCATION:
        return {}, [_in_geolocation(_unknown_form())]
    records, problems = _named(lines, PLACE_REQUIRED)
    places = {}
    for _, record in records:
        place = place_in(record)
        if place is not None:
            places[field(record, "nofinesset")] = place
    return places, [_in_geolocation(p) for p in problems]


def _legacy(lines: list[str]) -> tuple[list[Numbered], dict[str, Place], list[ImportProblem]]:
    records: list[Numbered] = []
    places: dict[str, Place] = {}
    problems: list[ImportProblem] = []
    for number, line in _numbered(lines):
        fields = line.split(";")
        section = fields[0].strip().lower()
        if section == "structureet":
            if len(fields) < len(LEGACY_COLUMNS):
                message = f"{len(fields)} champs au lieu de {len(LEGACY_COLUMNS)}"
                problems.append(_bad_line(number, fields[1:2], message))
            else:
                records.append((number, dict(zip(LEGACY_COLUMNS, fields, strict=False))))
        elif section == "geolocalisation" and len(fields) >= len(LEGACY_PLACE_COLUMNS):
            place = place_in(dict(zip(LEGACY_PLACE_COLUMNS, fields, strict=False)))
            if place is not None:
                places[fields[1].strip()] = place
        elif section == "finess" and number == 1:
            continue
        else:
            problems.append(
                _bad_line(number, fields[1:2], "ligne inattendue dans un extrait FINESS")
            )
    return records, places, problems


def _named(
    lines: list[str], required: tuple[tuple[str, ...], ...]
) -> tuple[list[Numbered], list[ImportProblem]]:
    """Each line as a record keyed by the header's names; a line with another number of
    fields than the header is refused, and a header lacking a column needed refuses all."""
    header = [name.strip().lower() for name in lines[0].split(";")]
    if missing := _missing(set(header), required):
        message = "en-tête FINESS incomplet, colonne(s) absente(s) : " + ", ".join(missing)
        return [], [ImportProblem(line=1, record=None, message=message)]
    finess_at = header.index("nofinesset")
    records: list[Numbered] = []
    problems: list[ImportProblem] = []
    for number, line in _numbered(lines[1:], start=2):
        fields = line.split(";")
        if len(fields) != len(header):
            message = f"{len(fields)} champs au lieu des {len(header)} de l'en-tête"
            problems.append(_bad_line(number, fields[finess_at : finess_at + 1], message))
            continue
        records.append((number, dict(zip(header, fields, strict=True))))
    return records, problems


def _resources(
    records: list[Numbered],
    places: dict[str, Place],
    departements: Collection[str] | None,
    problems: list[ImportProblem],
) -> Parsed:
    wanted = {OVERSEAS.get(d.upper(), d.upper()) for d in departements} if departements else None
    unmapped: Counter[tuple[str, str]] = Counter()
    resources: list[ImportedResource] = []
    for number, record in records:
        if wanted is not None and departement_of(record) not in wanted:
            continue
        finess = field(record, "nofinesset")
        if len(finess) != 9 or not finess.isalnum():
            problems.append(_bad_line(number, [finess], f"numéro FINESS invalide « {finess} »"))
            continue
        code = field(record, "categetab")
        category = _CATEGORY_BY_CODE.get(code)
        if category is None:
            unmapped[(code, field(record, "libcategetab"))] += 1
            continue
        place = place_in(record) or places.get(finess)
        resources.append(resource_of(record, finess=finess, category=category, place=place))
    for (code, label), count in sorted(unmapped.items()):
        problems.append(
            ImportProblem(
                line=None,
                record=f"catégorie FINESS {code} ({label})",
                message=f"non reprise dans l'annuaire : {count} établissement(s) ignoré(s)",
            )
        )
    return resources, problems


def _numbered(lines: list[str], start: int = 1) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, start=start):
        if line.strip():
            yield number, line


def _missing(names: set[str], required: tuple[tuple[str, ...], ...]) -> list[str]:
    return [" ou ".join(choice) for choice in required if names.isdisjoint(choice)]


def _unknown_form() -> ImportProblem:
    return ImportProblem(
        line=1,
        record=None,
        message="ce fichier n'est pas un extrait FINESS connu (ni « finess;etalab;… », "
        "ni un en-tête nommant nofinesset)",
    )


def _not_establishments() -> ImportProblem:
    return ImportProblem(
        line=1,
        record=None,
        message="ce fichier ne donne que la géolocalisation des établissements : importez "
        "le fichier des établissements avec --geolocalisation et celui-ci",
    )


def _in_geolocation(problem: ImportProblem) -> ImportProblem:
    return ImportProblem(
        line=problem.line, record=problem.record, message=f"{problem.message} (géolocalisation)"
    )


def _bad_line(number: int, finess: list[str], message: str) -> ImportProblem:
    record = finess[0].strip() if finess else None
    return ImportProblem(line=number, record=record or None, message=message)
