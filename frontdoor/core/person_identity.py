"""Who a request is about (la personne concernée): her identity traits as a referent types
them, how names are folded to find her again, which persons to suggest for a request, her
age band at a date, and what merging two files that turn out to be one person does.

Plain functions of plain values: the store (store.person_files) and the console call them,
the tests read them as tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum

from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import AgeBand

EARLIEST_BIRTH = date(1900, 1, 1)
MAX_NAME_CHARS = 200
# persons.name_key's length. Folding can lengthen a name ("Œ" is "oe", "ﬃ" is "ffi"): each
# name's part of the key is cut to half of it.
MAX_NAME_KEY_CHARS = 400
MAX_COMMUNE_CHARS = 150

# Particles a referent types or leaves out at will ("de La Fontaine", "Lafontaine", "D'Arc",
# "Van Gogh"): folded away, so that each way finds the others.
PARTICLES = frozenset(
    {"d", "de", "des", "du", "l", "la", "le", "les", "van", "von", "der", "den", "di", "da",
     "del", "della", "dos", "das"}
)  # fmt: skip
# Letters that do not decompose into a letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
SAINTS = {"st": "saint", "ste": "sainte"}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


SEXES: dict[Sex, str] = {Sex.FEMALE: "Féminin", Sex.MALE: "Masculin", Sex.UNKNOWN: "Non connu"}

# The traits a person's file holds, in the order the console shows them, with their labels.
TRAITS: dict[str, str] = {
    "family_name": "nom",
    "given_names": "prénoms",
    "birth_date": "date de naissance",
    "birth_year": "année de naissance",
    "sex": "sexe",
    "commune_name": "commune",
    "commune_insee": "code INSEE de la commune",
    "ins": "INS",
}
# What a merge fills in from the absorbed file: the traits and the professionals around her.
MERGED_FIELDS = (*TRAITS, "gp_contact_id", "referrer_contact_id")
FIELD_LABELS: dict[str, str] = {
    **TRAITS,
    "gp_contact_id": "médecin traitant",
    "referrer_contact_id": "professionnel adresseur",
    "identity_document": "pièce d'identité contrôlée",
    "identity_checked_on": "date du contrôle de la pièce",
    "insi_checked_on": "interrogation du téléservice INSi",
}


class TraitsError(ValueError):
    """A trait a referent typed that cannot be kept: the French message says which."""


def fold(text: str | None) -> list[str]:
    """The words of a name as a referent might type them, folded: lower case, no accents,
    hyphens and apostrophes as spaces, particles left out ("Saint-Jean d'Angély" → "saint",
    "jean", "angely"). A name made only of particles keeps them ("Le", "Du")."""
    if not text:
        return []
    lowered = text.casefold().translate(LIGATURES)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )
    words = [SAINTS.get(word, word) for word in re.split(r"[^a-z0-9]+", plain) if word]
    kept = [word for word in words if word not in PARTICLES]
    return kept or words


def name_key(family_name: str | None, given_names: str | None) -> str | None:
    """What persons.name_key holds: the folded family names, then the given names
    ("Dupont-Lajoie", "Marie Ève" → "dupont lajoie marie eve"); None without a name. At most
    MAX_NAME_KEY_CHARS: a name folded longer than its half keeps its first whole words."""
    half = (MAX_NAME_KEY_CHARS - 1) // 2
    parts = (_within(fold(name), half) for name in (family_name, given_names))
    return " ".join(part for part in parts if part) or None


def _within(words: list[str], limit: int) -> str:
    """The words joined, cut after the last whole word within `limit` characters (the first
    word itself cut if it alone is longer)."""
    joined = " ".join(words)
    if len(joined) <= limit:
        return joined
    kept = joined[: limit + 1].rsplit(" ", 1)[0]
    return kept if len(kept) <= limit else joined[:limit]


def matches_query(key: str | None, query: str) -> bool:
    """Whether a person whose name_key is `key` answers a search: every word typed begins a
    word of her names, in any order ("dup mar", "marie dupont" and "Dupont" find Marie
    Dupont)."""
    words = fold(query)
    if not key or not words:
        return False
    names = key.split()
    return all(any(name.startswith(word) for name in names) for word in words)


def search_words(query: str) -> list[str]:
    """The folded words of a search: the store narrows its candidates with them."""
    return fold(query)


@dataclass(kw_only=True, frozen=True)
class Traits:
    """A person's identity traits as a referent entered them; every one is optional."""

    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    commune_name: str | None = None
    commune_insee: str | None = None
    ins: str | None = None

    @property
    def name_key(self) -> str | None:
        return name_key(self.family_name, self.given_names)

    def as_fields(self) -> dict[str, object]:
        """The values as the store's columns hold them."""
        return {
            "family_name": self.family_name,
            "given_names": self.given_names,
            "birth_date": self.birth_date,
            "birth_year": self.birth_year,
            "sex": self.sex.value if self.sex else None,
            "commune_name": self.commune_name,
            "commune_insee": self.commune_insee,
            "ins": self.ins,
        }


def parse_traits(form: Mapping[str, str], *, today: date) -> Traits:
    """The traits from what a referent typed (the console's field names): a birth date as
    the date field gives it (2026-01-31) or as typed (31/01/2026), or only a year; raises
    TraitsError with a French message naming the field, never its value."""
    family = _text(form.get("nom"), "nom", MAX_NAME_CHARS)
    given = _text(form.get("prenoms"), "prénoms", MAX_NAME_CHARS)
    birth_date = _birth_date(form.get("naissance", ""), today=today)
    birth_year = _birth_year(form.get("annee", ""), today=today)
    if birth_date is not None:
        if birth_year is not None and birth_year != birth_date.year:
            raise TraitsError("l'année de naissance ne correspond pas à la date de naissance")
        birth_year = birth_date.year
    try:
        sex = Sex(form["sexe"]) if form.get("sexe") else None
    except ValueError:
        raise TraitsError("sexe : valeur inconnue") from None
    insee = (form.get("insee") or "").strip().upper() or None
    if insee is not None and not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", insee):
        raise TraitsError("code INSEE de la commune : cinq caractères (46042, 2A004)")
    return Traits(
        family_name=family,
        given_names=given,
        birth_date=birth_date,
        birth_year=birth_year,
        sex=sex,
        commune_name=_text(form.get("commune"), "commune", MAX_COMMUNE_CHARS),
        commune_insee=insee,
        ins=parse_ins(form.get("ins", "")),
    )


def _text(value: str | None, name: str, limit: int) -> str | None:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > limit:
        raise TraitsError(f"{name} : au plus {limit} caractères")
    return cleaned or None


def _birth_date(typed: str, *, today: date) -> date | None:
    typed = typed.strip()
    if not typed:
        return None
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", typed)
    french = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", typed)
    try:
        if iso:
            found = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif french:
            found = date(int(french[3]), int(french[2]), int(french[1]))
        else:
            raise ValueError
    except ValueError:
        raise TraitsError("date de naissance : à écrire JJ/MM/AAAA") from None
    if found > today:
        raise TraitsError("date de naissance : dans le futur")
    if found < EARLIEST_BIRTH:
        raise TraitsError("date de naissance : avant 1900")
    return found


def _birth_year(typed: str, *, today: date) -> int | None:
    typed = typed.strip()
    if not typed:
        return None
    if not re.fullmatch(r"\d{4}", typed):
        raise TraitsError("année de naissance : quatre chiffres")
    year = int(typed)
    if not EARLIEST_BIRTH.year <= year <= today.year:
        raise TraitsError(f"année de naissance : entre {EARLIEST_BIRTH.year} et {today.year}")
    return year


def parse_ins(typed: str) -> str | None:
    """The INS matricule (the NIR, or a NIA: 13 characters and a 2-digit key) without its
    spaces, its key checked; None when nothing was typed. Corsica's 2A and 2B count as 19 and
    18 in the key, as the NIR's rule says."""
    compact = re.sub(r"[\s.]", "", typed).upper()
    if not compact:
        return None
    if not re.fullmatch(r"[12378]\d{4}(?:\d{2}|2[AB])\d{8}", compact):
        raise TraitsError("INS : 15 caractères (13 chiffres et la clé à 2 chiffres)")
    body = compact[:13].replace("2A", "19").replace("2B", "18")
    if 97 - int(body) % 97 != int(compact[13:]):
        raise TraitsError("INS : la clé ne correspond pas (vérifiez le numéro)")
    return compact


def changed_traits(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """The names of the fields whose value changed: what an event keeps (never the values)."""
    return [name for name in after if before.get(name) != after[name]]


def age_band_at(on: date, *, birth_date: date | None, birth_year: int | None) -> AgeBand:
    """The person's age band on a date. From a birth date, her exact age; from a year only,
    the age reached in the year (INSEE's "âge en différence de millésimes"), the same for
    everyone born that year."""
    if birth_date is not None:
        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    elif birth_year is not None:
        age = on.year - birth_year
    else:
        return AgeBand.UNKNOWN
    if age < 0:
        return AgeBand.UNKNOWN
    for upper, band in ((18, AgeBand.UNDER_18), (60, AgeBand.FROM_18), (75, AgeBand.FROM_60),
                        (85, AgeBand.FROM_75)):  # fmt: skip
        if age < upper:
            return band
    return AgeBand.FROM_85


# --- Suggestions ---------------------------------------------------------------------------

SIMILAR_NAMES = 0.8  # difflib's ratio between two folded names said "similar"


@dataclass(kw_only=True, frozen=True)
class Candidate:
    """A person the store found near a request: her folded name, birth, and whether she is
    already linked to a request from the same number or address."""

    person_id: int
    name_key: str | None
    birth_date: date | None
    birth_year: int | None
    same_caller: bool = False


@dataclass(kw_only=True, frozen=True)
class Probe:
    """What the referent knows of the person so far (typed in the search or creation)."""

    name_key: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None


@dataclass(kw_only=True, frozen=True)
class Suggestion:
    person_id: int
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


# Each rule: its code, its weight, its French text. The strongest first.
SUGGESTION_RULES = (
    ("same-identity", 100, "même nom et même date ou année de naissance"),
    ("same-caller", 60, "déjà concernée par une demande du même appelant"),
    ("same-name", 40, "même nom"),
    ("similar-name", 20, "nom proche"),
)
_WEIGHTS = {code: (weight, text) for code, weight, text in SUGGESTION_RULES}


def _same_birth(candidate: Candidate, probe: Probe) -> bool:
    if candidate.birth_date is not None and probe.birth_date is not None:
        return candidate.birth_date == probe.birth_date
    known = candidate.birth_year or (candidate.birth_date and candidate.birth_date.year)
    asked = probe.birth_year or (probe.birth_date and probe.birth_date.year)
    return known is not None and known == asked


def _in_any_order(key: str | None) -> str:
    """A search types "Marie Dupont" as often as "Dupont Marie": names compared word by word."""
    return " ".join(sorted((key or "").split()))


def _rules_met(candidate: Candidate, probe: Probe) -> list[str]:
    met = []
    mine, asked = _in_any_order(candidate.name_key), _in_any_order(probe.name_key)
    same_name = bool(asked) and mine == asked
    if same_name and _same_birth(candidate, probe):
        met.append("same-identity")
    if candidate.same_caller:
        met.append("same-caller")
    if same_name and "same-identity" not in met:
        met.append("same-name")
    elif (
        not same_name
        and asked
        and mine
        and SequenceMatcher(None, mine, asked).ratio() >= SIMILAR_NAMES
    ):
        met.append("similar-name")
    return met


def rank_suggestions(candidates: Iterable[Candidate], probe: Probe) -> list[Suggestion]:
    """The candidates worth suggesting, most likely first, each with why (SUGGESTION_RULES);
    those meeting no rule are left out. Ties keep the newest file first (higher id)."""
    ranked = []
    for candidate in candidates:
        met = _rules_met(candidate, probe)
        if met:
            ranked.append(
                Suggestion(
                    person_id=candidate.person_id,
                    score=sum(_WEIGHTS[code][0] for code in met),
                    reasons=tuple(Reason(code=code, text=_WEIGHTS[code][1]) for code in met),
                )
            )
    return sorted(ranked, key=lambda s: (-s.score, -s.person_id))


# --- Merging -------------------------------------------------------------------------------


class MergeRefused(ValueError):
    """Two files that cannot be merged: the French message says why."""


@dataclass(kw_only=True, frozen=True)
class MergeSide:
    person_id: int
    department: str
    merged_into: int | None
    fields: Mapping[str, object]  # MERGED_FIELDS as the store holds them


@dataclass(kw_only=True, frozen=True)
class MergePlan:
    """What merging `absorbed` into `kept` does: the kept file's blanks filled from the other
    (`fills`), the fields where both differ (`conflicts`: the kept value stays, the other is
    in the absorbed file's history). Links, non-oppositions and events all move to the kept
    file; the absorbed file stays, merged_into the kept one."""

    kept: int
    absorbed: int
    fills: Mapping[str, object]
    conflicts: Sequence[str]


def merge_plan(kept: MergeSide, absorbed: MergeSide) -> MergePlan:
    if kept.person_id == absorbed.person_id:
        raise MergeRefused("une personne ne peut être fusionnée avec elle-même")
    if kept.department != absorbed.department:
        raise MergeRefused("les deux personnes ne sont pas du même département")
    if kept.merged_into is not None or absorbed.merged_into is not None:
        raise MergeRefused("l'une des deux fiches a déjà été fusionnée")
    fills: dict[str, object] = {}
    conflicts: list[str] = []
    for name in MERGED_FIELDS:
        mine, theirs = kept.fields.get(name), absorbed.fields.get(name)
        if theirs is None or mine == theirs:
            continue
        if mine is None:
            fills[name] = theirs
        else:
            conflicts.append(name)
    # A date of birth filled in must agree with the year the kept file has.
    filled = fills.get("birth_date")
    if isinstance(filled, date) and kept.fields.get("birth_year") not in (None, filled.year):
        del fills["birth_date"]
        conflicts.append("birth_date")
    if "family_name" in fills or "given_names" in fills:
        names = {**kept.fields, **fills}
        fills["name_key"] = name_key(
            str(names.get("family_name") or ""), str(names.get("given_names") or "")
        )
    return MergePlan(
        kept=kept.person_id, absorbed=absorbed.person_id, fills=fills, conflicts=conflicts
    )
