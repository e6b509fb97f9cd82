"""Directory search, decided without I/O: what a query asks for, and which resources answer it.

`parse_query("soins infirmiers à domicile gourdon")` finds the category (through the French
synonyms), the postal code or the commune, and keeps the remaining words as free-text terms;
misspelt words are corrected against the vocabulary (category words, synonyms, commune
names) with rapidfuzz. `rank(...)` orders candidates the database selected: resources serving
the queried commune or located in it first, then the nearest, then the most relevant to the
free text; every hit says why it is there ("dessert Figeac", "à 12 km").
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from frontdoor.core.directory_text import normalized
from frontdoor.core.taxonomy import CATEGORIES, Category

# Words that carry nothing once the category and commune are found ("un ssiad à figeac").
_STOPWORDS_TEXT = """a au aux de des du d l la le les un une en et ou pour sur dans pres chez vers
cherche recherche besoin trouver svp merci bonjour numero telephone tel infos info"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
# How people shorten commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "s": "sur"}
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")  # Corsica too: 20000–20999
# Shorter words are too easily "corrected" into another one ("pont" → "point").
_FUZZY_MIN_LENGTH = 5
_RUN_MIN_LENGTH = 8  # a misspelt multi-word commune name is looked for from this length
_RUN_CUTOFF = 0.8  # "puy eveque" for "puy l eveque": 0.83
_TWO_EDITS_FROM = 9  # letters: "thionvile" → "thionville" is one edit, "hospitalsation" two
EARTH_RADIUS_KM = 6371.0088


# Beyond this from the commune asked about, a resource is not offered.
MAX_DISTANCE_KM = 150.0


@dataclass(kw_only=True, frozen=True)
class Vocabulary:
    """What a query is read against: category phrases and the communes of the directory."""

    phrases: Mapping[str, Category]  # normalised phrase → category
    communes: frozenset[str] = frozenset()  # normalised commune names
    words: frozenset[str] = frozenset()  # every word of the above, for typo correction

    @classmethod
    def build(
        cls, synonyms: Mapping[str, Iterable[str]], communes: Iterable[str] = ()
    ) -> Vocabulary:
        """`synonyms` maps a category value to its phrases (directory/synonyms.toml)."""
        phrases: dict[str, Category] = {}
        for category, info in CATEGORIES.items():
            if category is not Category.OTHER:
                phrases[normalized(info.short)] = category
                phrases[normalized(info.label)] = category
                phrases[normalized(category.value)] = category
        for value, spoken in synonyms.items():
            for phrase in spoken:
                phrases[normalized(phrase)] = Category(value)
        names = frozenset(n for n in (normalized(c) for c in communes) if n)
        words = {w for text in (*phrases, *names) for w in text.split()}
        return cls(phrases=phrases, communes=names, words=frozenset(words))


@dataclass(kw_only=True, frozen=True)
class DirectoryQuery:
    text: str = ""  # as written
    category: Category | None = None
    postal_code: str | None = None
    commune: str | None = None  # a commune name, normalised ("saint cere")
    terms: tuple[str, ...] = ()  # the other words, normalised, to match the names
    corrections: tuple[tuple[str, str], ...] = ()  # ("ehpda", "ehpad"): typos corrected


def parse_query(text: str, vocabulary: Vocabulary | None = None) -> DirectoryQuery:
    """ "SSIAD 46100", "clic figeac", "maison de retraite Cahors", "ehpda 57000"."""
    vocabulary = vocabulary or Vocabulary.build({})
    words = [_ABBREVIATIONS.get(w, w) for w in normalized(text).split()]
    postal_code = next((w for w in words if _POSTAL_CODE.match(w)), None)
    words = [w for w in words if w != postal_code]
    corrections: list[tuple[str, str]] = []
    fixed: list[str] = []
    for word in words:
        better = _corrected(word, vocabulary)
        if better != word:
            corrections.append((word, better))
        fixed.append(better)

    category: Category | None = None
    commune: str | None = None
    terms: list[str] = []
    i = 0
    while i < len(fixed):
        size, found_category, found_commune = _longest_phrase(fixed, i, vocabulary)
        if found_category is not None and category is None:
            category = found_category
        elif found_commune is not None and commune is None:
            commune = found_commune
        elif size == 1 and fixed[i] not in STOPWORDS and found_category is None:
            terms.append(fixed[i])
        i += size
    if terms and vocabulary.communes:
        commune, terms = _misspelt_commune(fixed, commune, terms, vocabulary)
    return DirectoryQuery(
        text=text,
        category=category,
        postal_code=postal_code,
        commune=commune,
        terms=tuple(terms),
        corrections=tuple(corrections),
    )


def _corrected(word: str, vocabulary: Vocabulary) -> str:
    """The closest vocabulary word within the edits allowed for its length, else itself."""
    return corrected(word, vocabulary.words, keep=STOPWORDS)


def corrected(word: str, words: Collection[str], *, keep: Collection[str] = ()) -> str:
    """The closest of ``words`` within the edits allowed for the word's length, else itself
    (a short word, a number, or one of ``keep``: never corrected)."""
    if len(word) < _FUZZY_MIN_LENGTH or word in words or word in keep or word.isdigit():
        return word
    edits = 1 if len(word) < _TWO_EDITS_FROM else 2
    close = process.extract(
        word,
        words,
        scorer=DamerauLevenshtein.distance,
        score_cutoff=edits,
        limit=None,
    )
    if not close:
        return word
    # Fewest edits, then the same length ("ehpda" → "ehpad", not "ehpa"), then alphabetical.
    best = min(close, key=lambda found: (found[1], abs(len(found[0]) - len(word)), found[0]))
    return str(best[0])


def _misspelt_commune(
    words: list[str], commune: str | None, terms: list[str], vocabulary: Vocabulary
) -> tuple[str | None, list[str]]:
    """Words left over around a commune, or without one, may be a misspelt commune name.

    "font montcorieu en uqercy": the run of words from the first leftover (or the commune
    found) to the last, compared whole with the commune names.
    """
    pieces = [*terms, *(commune.split() if commune else [])]
    positions = [i for i, w in enumerate(words) if w in pieces]
    run = " ".join(words[min(positions) : max(positions) + 1])
    if len(run) < _RUN_MIN_LENGTH:
        return commune, terms
    # Said short ("castelnau montratier" for "castelnau montratier sainte alauzie")…
    longer = [n for n in vocabulary.communes if n.startswith(run + " ")]
    if longer:
        return min(longer, key=lambda n: (len(n), n)), []
    best = process.extractOne(  # …or misspelt
        run,
        vocabulary.communes,
        scorer=DamerauLevenshtein.normalized_similarity,
        score_cutoff=_RUN_CUTOFF,
    )
    if best is None or best[0] == commune:
        return commune, terms
    left = set(str(best[0]).split())
    return str(best[0]), [t for t in terms if t not in left and t not in run.split()]


def _longest_phrase(
    words: list[str], start: int, vocabulary: Vocabulary
) -> tuple[int, Category | None, str | None]:
    """The longest category phrase or commune name starting at `start`: (size, found)."""
    for end in range(len(words), start, -1):
        phrase = " ".join(words[start:end])
        if phrase in vocabulary.phrases:
            return end - start, vocabulary.phrases[phrase], None
        if phrase in vocabulary.communes:
            return end - start, None, phrase
    return 1, None, None


@dataclass(kw_only=True, frozen=True)
class CommuneRef:
    """A commune's reference point (its town hall, roughly), from the communes table."""

    insee: str
    name: str
    postal_codes: tuple[str, ...] = ()
    latitude: float
    longitude: float


@dataclass(kw_only=True, frozen=True)
class Candidate:
    """A resource as the ranking reads it (the store builds these from its rows)."""

    id: int
    name: str
    category: Category
    search_text: str
    commune_insee: str | None = None
    commune_name: str | None = None
    postal_code: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phones: tuple[str, ...] = ()
    serves_communes: tuple[str, ...] = ()
    finess: str | None = None  # the structure's FINESS number, when it is known


@dataclass(kw_only=True, frozen=True)
class Hit:
    resource: Candidate
    serves: bool = False  # its served communes include the queried one
    located: bool = False  # it is in the queried commune
    distance_km: float | None = None  # from the queried commune's reference point
    relevance: float = 0.0  # share of the free-text terms found in its text, 0..1
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def relevance(terms: Iterable[str], text: str) -> float:
    """Share of the terms found as words (or word prefixes) of a resource's search text."""
    wanted = list(terms)
    if not wanted:
        return 0.0
    words = text.split()
    found = sum(1 for t in wanted if any(w.startswith(t) for w in words))
    return found / len(wanted)


def judge(candidate: Candidate, query: DirectoryQuery, commune: CommuneRef | None) -> Hit:
    """One candidate against the query: coverage, distance, relevance and the reasons."""
    serves = commune is not None and commune.insee in candidate.serves_communes
    located = commune is not None and candidate.commune_insee == commune.insee
    distance: float | None = None
    if commune is not None and candidate.latitude is not None and candidate.longitude is not None:
        distance = distance_km(
            commune.latitude, commune.longitude, candidate.latitude, candidate.longitude
        )
    reasons: list[str] = []
    if commune is not None and serves:
        reasons.append(f"dessert {commune.name}")
    if commune is not None and located:
        reasons.append(f"situé à {commune.name}")
    elif distance is not None:
        reasons.append(f"à {distance:.0f} km" if distance >= 1 else "à moins de 1 km")
    score = relevance(query.terms, candidate.search_text)
    if query.terms and score:
        reasons.append(f"{round(score * 100)} % des mots cherchés")
    return Hit(
        resource=candidate,
        serves=serves,
        located=located,
        distance_km=distance,
        relevance=score,
        reasons=tuple(reasons),
    )


def rank_key(hit: Hit) -> tuple[int, float, float, str, int]:
    """Coverage first, then distance (to 0.1 km), then relevance, then name and id."""
    covered = 0 if hit.serves or hit.located else 1
    distance = round(hit.distance_km, 1) if hit.distance_km is not None else math.inf
    return (covered, distance, -hit.relevance, hit.resource.search_text, hit.resource.id)


def rank(
    candidates: Iterable[Candidate],
    query: DirectoryQuery,
    *,
    commune: CommuneRef | None,
    limit: int,
) -> list[Hit]:
    """The best `limit` candidates of the query's category, best first, each with its reasons."""
    hits = [
        judge(candidate, query, commune)
        for candidate in candidates
        if query.category is None or candidate.category == query.category
    ]
    if query.terms:  # those with every word, else those with some, else all
        full = [h for h in hits if h.relevance >= 1]
        hits = full or [h for h in hits if h.relevance > 0] or hits
    # Another region's resource is no answer to "the nearest": better none than a wrong one.
    hits = [h for h in hits if h.distance_km is None or h.distance_km <= MAX_DISTANCE_KM]
    hits.sort(key=rank_key)
    return hits[:limit]
