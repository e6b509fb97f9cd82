"""The Annuaire Santé's public extractions, read: who practises on a territory, by what number
or MSSanté address they can be recognised, and how many of them are GPs.

Two files, both published by the Agence du Numérique en Santé (README, "RPPS"): the
professionals' activities (`PS_LibreAcces_Personne_activite_*.txt`, one line per activity) and
the MSSanté mailboxes (`Extraction_Correspondance_MSSante_*.txt`). Both are UTF-8, '|'
separated, with a header line; columns are found by name, since the ANS adds columns over the
years. A line that cannot be read is reported with its number and why, in French, without its
content; every other line is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from frontdoor.core.mail_addresses import is_mail_address
from frontdoor.core.numbers import parse_phone
from frontdoor.core.referrers import ReferrerType

# Columns of the activities file, as the ANS names them.
RPPS_ID = "identifiant pp"
ID_TYPE = "type d'identifiant pp"
CIVILITIES = ("libellé civilité d'exercice", "libellé civilité exercice")  # by the year
LAST_NAME = "nom d'exercice"
FIRST_NAME = "prénom d'exercice"
PROFESSION_CODE = "code profession"
PROFESSION = "libellé profession"
SKILL_CODE = "code savoir-faire"
SKILL = "libellé savoir-faire"
POSTAL_CODE = "code postal (coord. structure)"
COMMUNE = "code commune (coord. structure)"
PHONES = ("téléphone (coord. structure)", "téléphone 2 (coord. structure)")
ACTIVITY_COLUMNS = (RPPS_ID, ID_TYPE, LAST_NAME, FIRST_NAME, PROFESSION_CODE, PROFESSION,
                    POSTAL_CODE, PHONES[0])  # fmt: skip
# Columns of the MSSanté file.
BOX_TYPE = "type de bal"
BOX_ADDRESS = "adresse bal"
BOX_ID_TYPE = "type identifiant pp"
MAILBOX_COLUMNS = (BOX_TYPE, BOX_ADDRESS, BOX_ID_TYPE, RPPS_ID)

RPPS_TYPE = "8"  # "Type d'identifiant PP": 8 is RPPS, 0 ADELI (TRE_G08)
PERSONAL_BOX = "PER"  # a professional's own mailbox; ORG is a structure's
_RPPS = re.compile(r"^\d{11}$")
NOT_RPPS = "l'identifiant RPPS n'a pas 11 chiffres"
# TRE_R38 savoir-faire of a GP: "Médecine générale", "Spécialiste en médecine générale" and
# "Qualifié en médecine générale".
GP_SKILLS = frozenset({"SM54", "SM53", "SM26"})
# TRE_G15 profession codes the referrer types name; every other profession is
# "Autre professionnel de santé", shown with the file's own label.
REFERRER_OF_PROFESSION: dict[str, ReferrerType] = {
    "10": ReferrerType.SPECIALIST,  # Médecin, unless a GP's savoir-faire says otherwise
    "21": ReferrerType.PHARMACIST,
    "60": ReferrerType.NURSE,  # Infirmier
    "69": ReferrerType.NURSE,  # Infirmier psychiatrique
    "70": ReferrerType.PHYSIO,  # Masseur-kinésithérapeute
}
DOCTOR = "10"


@dataclass(kw_only=True, frozen=True)
class LineProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}"


@dataclass(kw_only=True, frozen=True)
class Activity:
    """One line of the activities file: a professional at one place of practice."""

    line: int
    rpps: str | None  # None: an ADELI professional, not in the RPPS
    name: str
    profession: str  # "Médecin, Médecine générale"
    referrer_type: ReferrerType
    gp: bool
    departement: str | None
    numbers: tuple[str, ...]  # E.164


@dataclass(kw_only=True, frozen=True)
class Mailbox:
    line: int
    rpps: str
    address: str  # lower case


@dataclass(kw_only=True, frozen=True)
class Professional:
    """One professional of the territory, as a known contact would hold them."""

    rpps: str
    name: str
    profession: str
    referrer_type: ReferrerType
    gp: bool
    number: str | None
    address: str | None


@dataclass(kw_only=True, frozen=True)
class Territory:
    professionals: list[Professional]  # with a number or an address to be recognised by
    gps: int  # GPs practising on the territory, each once
    in_territory: int  # professionals practising there, each once
    shared_numbers: int  # numbers several professionals give: nobody is recognised by them
    adeli_lines: int  # lines of ADELI professionals, who have no RPPS number


def referrer_type_of(profession_code: str, skill_code: str, skill: str) -> ReferrerType:
    if profession_code == DOCTOR and is_gp_skill(skill_code, skill):
        return ReferrerType.GP
    return REFERRER_OF_PROFESSION.get(profession_code, ReferrerType.OTHER_HEALTH)


def is_gp_skill(skill_code: str, skill: str) -> bool:
    return skill_code in GP_SKILLS or skill.strip().lower() == "médecine générale"


def departement_of(postal_code: str, commune: str = "") -> str | None:
    """The département of a place of practice: from its INSEE commune code when given, else
    its postal code (Corsica's 20… split into 2A and 2B, overseas on three digits)."""
    commune, postal_code = commune.strip().upper(), postal_code.strip()
    if len(commune) == 5:
        return commune[:3] if commune.startswith("97") else commune[:2]
    if len(postal_code) != 5 or not postal_code.isdigit():
        return None
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if postal_code[2] in "01" else "2B"
    return postal_code[:2]


def _normalised(header: str) -> str:
    return " ".join(header.strip().lower().split())


def _table(
    lines: Iterable[str], required: Sequence[str]
) -> tuple[list[str], Iterable[tuple[int, list[str]]], LineProblem | None]:
    """The header's columns and the numbered lines' fields; a problem when the header lacks a
    required column (the file is refused whole)."""
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None:
        return [], iter(()), LineProblem(line=1, message="fichier vide")
    header = [_normalised(h) for h in first[1].lstrip("\ufeff").rstrip("\r\n").split("|")]
    missing = [c for c in required if c not in header]
    if missing:
        return (
            header,
            iter(()),
            LineProblem(line=1, message=f"colonne(s) absente(s) : {', '.join(missing)}"),
        )
    fields = ((n, text.rstrip("\r\n").split("|")) for n, text in numbered if text.strip())
    return header, fields, None


def _record(header: list[str], fields: list[str], line: int) -> dict[str, str] | LineProblem:
    if len(fields) != len(header):
        return LineProblem(line=line, message=f"{len(fields)} champs au lieu de {len(header)}")
    return {name: value.strip() for name, value in zip(header, fields, strict=True)}


def parse_activities(
    lines: Iterable[str], region: str = "FR", territory: Collection[str] | None = None
) -> tuple[list[Activity], list[LineProblem]]:
    """The activities file's lines (header first), read in the department's numbering
    territory (`region`, as frontdoor.core.numbers.parse_phone reads numbers); only those of
    the `territory`'s départements when given (the national file's other lines are skipped
    unchecked)."""
    header, rows, refused = _table(lines, ACTIVITY_COLUMNS)
    if refused:
        return [], [refused]
    activities: list[Activity] = []
    problems: list[LineProblem] = []
    postal_code = header.index(POSTAL_CODE)
    commune = header.index(COMMUNE) if COMMUNE in header else None
    phones: dict[str, str | None] = {}  # a place's number is on each of its professionals' lines
    for line, fields in rows:
        if (
            territory is not None
            and len(fields) == len(header)
            and departement_of(fields[postal_code], "" if commune is None else fields[commune])
            not in territory
        ):
            continue  # the national file's other départements: read no further
        record = _record(header, fields, line)
        if isinstance(record, LineProblem):
            problems.append(record)
            continue
        activity = _activity(record, line, lambda typed: _phone(typed, region, phones))
        if isinstance(activity, LineProblem):
            problems.append(activity)
        else:
            activities.append(activity)
    return activities, problems


def _phone(typed: str, region: str, known: dict[str, str | None]) -> str | None:
    if typed not in known:
        known[typed] = parse_phone(typed, region)
    return known[typed]


def _activity(
    record: dict[str, str], line: int, phone: Callable[[str], str | None]
) -> Activity | LineProblem:
    kind, identifier = record[ID_TYPE], record[RPPS_ID]
    if kind == RPPS_TYPE and not _RPPS.match(identifier):
        return LineProblem(line=line, message=NOT_RPPS)
    if not identifier:
        return LineProblem(line=line, message="identifiant PP absent")
    if not record[PROFESSION_CODE]:
        return LineProblem(line=line, message="code profession absent")
    civility = next((record[c] for c in CIVILITIES if record.get(c)), "")
    name = " ".join(part for part in (civility, record[FIRST_NAME], record[LAST_NAME]) if part)
    if not record[LAST_NAME]:
        return LineProblem(line=line, message="nom d'exercice absent")
    skill_code, skill = record.get(SKILL_CODE, ""), record.get(SKILL, "")
    profession = record[PROFESSION] or f"profession {record[PROFESSION_CODE]}"
    numbers = tuple(
        number
        for column in PHONES
        if (typed := record.get(column, "")) and (number := phone(typed))
    )
    return Activity(
        line=line,
        rpps=identifier if kind == RPPS_TYPE else None,
        name=name,
        profession=f"{profession}, {skill}" if skill else profession,
        referrer_type=referrer_type_of(record[PROFESSION_CODE], skill_code, skill),
        gp=record[PROFESSION_CODE] == DOCTOR and is_gp_skill(skill_code, skill),
        departement=departement_of(record[POSTAL_CODE], record.get(COMMUNE, "")),
        numbers=numbers,
    )


def parse_mailboxes(
    lines: Iterable[str], wanted: Collection[str] | None = None
) -> tuple[list[Mailbox], list[LineProblem]]:
    """The MSSanté file's personal mailboxes of RPPS professionals (a structure's mailbox
    names nobody in particular); only those of the `wanted` RPPS numbers when given."""
    header, rows, refused = _table(lines, MAILBOX_COLUMNS)
    if refused:
        return [], [refused]
    boxes: list[Mailbox] = []
    problems: list[LineProblem] = []
    for line, fields in rows:
        record = _record(header, fields, line)
        if isinstance(record, LineProblem):
            problems.append(record)
            continue
        if record[BOX_TYPE] != PERSONAL_BOX or record[BOX_ID_TYPE] != RPPS_TYPE:
            continue
        address, rpps = record[BOX_ADDRESS].lower(), record[RPPS_ID]
        if len(rpps) == 12 and rpps.startswith(RPPS_TYPE):  # the national form, "8" + RPPS
            rpps = rpps[1:]
        if not is_mail_address(address):
            problems.append(LineProblem(line=line, message="adresse MSSanté invalide"))
        elif wanted is not None and rpps not in wanted:
            continue
        elif not _RPPS.match(rpps):
            problems.append(LineProblem(line=line, message=NOT_RPPS))
        else:
            boxes.append(Mailbox(line=line, rpps=rpps, address=address))
    return boxes, problems


def territory_professionals(
    activities: Sequence[Activity], mailboxes: Sequence[Mailbox], territory: Collection[str]
) -> Territory:
    """The professionals practising on the territory, each once (their first activity there
    names them; a GP activity anywhere there makes them a GP), with their first number no
    other professional gives and their first MSSanté address."""
    here = [a for a in activities if a.departement in territory]
    by_rpps: dict[str, list[Activity]] = {}
    for activity in here:
        if activity.rpps is not None:
            by_rpps.setdefault(activity.rpps, []).append(activity)
    givers: dict[str, set[str]] = {}
    for rpps, own in by_rpps.items():
        for number in {n for a in own for n in a.numbers}:
            givers.setdefault(number, set()).add(rpps)
    shared = {number for number, given_by in givers.items() if len(given_by) > 1}
    addresses: dict[str, str] = {}
    for box in mailboxes:
        addresses.setdefault(box.rpps, box.address)
    professionals = []
    for rpps, own in by_rpps.items():
        first, gp = own[0], any(a.gp for a in own)
        own_number = next((n for a in own for n in a.numbers if n not in shared), None)
        if own_number is None and rpps not in addresses:
            continue
        chosen = next((a for a in own if a.gp), first) if gp else first
        professionals.append(
            Professional(
                rpps=rpps,
                name=first.name,
                profession=chosen.profession,
                referrer_type=chosen.referrer_type,
                gp=gp,
                number=own_number,
                address=addresses.get(rpps),
            )
        )
    return Territory(
        professionals=professionals,
        gps=sum(1 for own in by_rpps.values() if any(a.gp for a in own)),
        in_territory=len(by_rpps),
        shared_numbers=len(shared),
        adeli_lines=sum(1 for a in here if a.rpps is None),
    )
