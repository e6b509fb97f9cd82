# ruff: noqa: E501  (the tables read best one rule a line)
"""What a caller said at a menu, understood: who is calling, or what they look for, or nothing.

Twilio's `<Gather input="dtmf speech">` posts what it heard (SpeechResult) and how sure it is
(Confidence, 0 to 1). `understand(heard, lexicon)` reads it against two tables: who calls
(`REFERRER_RULES`, the referrer types, in precedence order) and what the directory knows
(the categories' synonyms and the communes, `core.directory_search`). Words are compared
without accents or case, feminine and plural endings folded ("infirmières" as "infirmier"),
filler words and articles left out ("euh", "le", "de"), misspelt words corrected against the
tables' own words. Which of the two a sentence is, is itself a table (`INTENT_RULES`).

What was said is personal data: it is read here and forgotten; what is kept is the meaning
(a referrer type, a category, a commune) and the confidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from frontdoor.core.directory_search import Vocabulary, corrected, parse_query
from frontdoor.core.directory_text import normalized
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.taxonomy import CATEGORIES, Category

# From this confidence on, what was understood is acted on; below, it is read back first.
SURE_FROM = 0.6
# Twilio's SpeechResult is one utterance; anything longer is not a menu answer.
MAX_HEARD = 300

# Said, but meaning nothing here: hesitations, politeness, articles and prepositions.
_FILLERS_TEXT = """euh heu hum hmm ben bah bon alors bonjour bonsoir allo voila donc enfin madame
monsieur mademoiselle merci svp stp plait le la les l un une de du d des au aux a en et y ici tres
bien oui ouais"""
FILLERS = frozenset(_FILLERS_TEXT.split())


@dataclass(kw_only=True, frozen=True)
class Heard:
    """What Twilio heard: its transcript and its confidence (None when it gave none)."""

    text: str
    confidence: float | None = None


@dataclass(kw_only=True, frozen=True)
class Search:
    """A directory question: a category, a place (its postal code and name), or both."""

    category: Category | None = None
    postal_code: str | None = None
    place: str | None = None  # the commune's name, as it is said back ("Figeac")


@dataclass(kw_only=True, frozen=True)
class Understood:
    referrer: ReferrerType | None = None
    search: Search | None = None
    sure: bool = False  # confident enough, and one meaning only: act without asking
    rule: str = "nothing"  # the intent rule that decided (INTENT_RULES)
    confidence: float | None = None

    @property
    def nothing(self) -> bool:
        return self.referrer is None and self.search is None


# --- Who is calling -------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class ReferrerRule:
    """Phrases naming one referrer type. When several types are named, the lowest tier wins:
    the caller's own person or relative over anything (« mon mari sort de l'hôpital », « je
    suis la patiente du docteur… »), then the establishment over the profession
    (« l'assistante sociale de l'hôpital » speaks for the hospital, as the national indicators
    count her), then a precise profession over a vague one."""

    referrer: ReferrerType
    tier: int
    phrases: tuple[str, ...]


PERSONAL, ESTABLISHMENT, PROFESSION, VAGUE = range(4)
_R = ReferrerType


def _rule(referrer: ReferrerType, tier: int, phrases: str) -> ReferrerRule:
    return ReferrerRule(
        referrer=referrer, tier=tier, phrases=tuple(p.strip() for p in phrases.split(";"))
    )


REFERRER_RULES: tuple[ReferrerRule, ...] = (
    _rule(_R.CARER, PERSONAL, "ma mère; mon père; ma maman; mon papa; mes parents; ma fille; mon fils; mon mari; ma femme; mon épouse; mon époux; mon conjoint; ma conjointe; mon compagnon; ma compagne; ma grand-mère; mon grand-père; ma sœur; mon frère; ma tante; mon oncle; ma belle-mère; mon beau-père; ma voisine; mon voisin; sa fille; son fils; sa femme; son mari; sa sœur; son frère; aidant; aidante; proche aidant; un proche; la famille; ma famille; ma nièce; mon neveu; je suis la fille; je suis le fils; je suis le mari; je suis l'épouse; je suis la sœur; je suis le frère; je suis la nièce"),
    _rule(_R.HAD, ESTABLISHMENT, "hospitalisation à domicile; HAD; hôpital à domicile"),
    _rule(_R.PSYCHIATRY, ESTABLISHMENT, "CMP; centre médico-psychologique; service de psychiatrie; hôpital psychiatrique; secteur psychiatrique; clinique psychiatrique; EPSM"),
    _rule(_R.HOSPITAL, ESTABLISHMENT, "hôpital; hospitalier; hospitalière; centre hospitalier; CHU; clinique; urgences; service de gériatrie; SSR; SMR; soins de suite; court séjour; équipe de liaison; sortie d'hospitalisation"),
    _rule(_R.CARE_HOME, ESTABLISHMENT, "EHPAD; maison de retraite; résidence pour personnes âgées; USLD"),
    _rule(_R.ESMS, ESTABLISHMENT, "SSIAD; service de soins infirmiers à domicile; SAAD; service d'aide à domicile; SPASAD; SAD; foyer; foyer d'accueil médicalisé; MAS; IME; ESAT; SAMSAH; SAVS; auxiliaire de vie; aide à domicile; aide-soignante à domicile"),
    _rule(_R.MDPH_MDA, ESTABLISHMENT, "MDPH; MDA; maison départementale des personnes handicapées; maison départementale de l'autonomie"),
    _rule(_R.CCAS, ESTABLISHMENT, "CCAS; CIAS; centre communal d'action sociale; mairie"),
    _rule(_R.HEALTH_INSURANCE, ESTABLISHMENT, "CPAM; MSA; assurance maladie; sécurité sociale; conseiller Prado; Prado"),
    _rule(_R.LOCAL_AUTHORITY, ESTABLISHMENT, "conseil départemental; conseil général; maison des solidarités; collectivité"),
    _rule(_R.NATIONAL_EDUCATION, ESTABLISHMENT, "école; collège; lycée; éducation nationale; infirmière scolaire; médecin scolaire"),
    _rule(_R.OCCUPATIONAL_HEALTH, ESTABLISHMENT, "médecine du travail; médecin du travail; santé au travail"),
    _rule(_R.LEGAL_GUARDIAN, ESTABLISHMENT, "mandataire judiciaire; mandataire; tuteur; tutrice; curateur; curatrice; tutelle; curatelle; UDAF"),
    _rule(_R.CPTS_MSP, ESTABLISHMENT, "CPTS; communauté professionnelle territoriale de santé; maison de santé; maison de santé pluriprofessionnelle; MSP; pôle de santé"),
    _rule(_R.OTHER_DAC, ESTABLISHMENT, "autre DAC; DAC voisin; autre dispositif d'appui; plateforme territoriale d'appui; MAIA"),
    _rule(_R.SAS_SAMU, ESTABLISHMENT, "SAMU; SAS; service d'accès aux soins; centre 15; régulation"),
    _rule(_R.GP, PROFESSION, "médecin généraliste; médecin traitant; généraliste; médecin de famille"),
    _rule(_R.SPECIALIST, PROFESSION, "médecin spécialiste; spécialiste; cardiologue; neurologue; gériatre; psychiatre; oncologue; pneumologue; rhumatologue; dermatologue; pédiatre; gynécologue; endocrinologue; néphrologue; gastro-entérologue; urologue; ophtalmologue"),
    _rule(_R.NURSE, PROFESSION, "infirmier libéral; infirmière libérale; infirmier à domicile; infirmière à domicile; IDEL; IDE libérale; cabinet infirmier; cabinet d'infirmières; infirmière en pratique avancée; IPA; infirmière Asalée"),
    _rule(_R.PHARMACIST, PROFESSION, "pharmacien; pharmacienne; pharmacie; officine"),
    _rule(_R.PHYSIO, PROFESSION, "kiné; kinésithérapeute; masseur-kinésithérapeute"),
    _rule(_R.OTHER_HEALTH, PROFESSION, "orthophoniste; ergothérapeute; psychologue; diététicienne; podologue; pédicure; orthoptiste; sage-femme; psychomotricienne; chirurgien-dentiste; dentiste; audioprothésiste; opticien"),
    _rule(_R.SOCIAL_WORKER, PROFESSION, "assistante sociale; assistant social; assistante de service social; travailleur social; travailleuse sociale; éducatrice; éducateur spécialisé; conseillère en économie sociale et familiale; CESF"),
    _rule(_R.DOCTOR_TO_CONFIRM, VAGUE, "médecin; docteur; interne"),
    _rule(_R.NURSE_TO_CONFIRM, VAGUE, "infirmier; infirmière; IDE; infirmière coordinatrice"),
    _rule(_R.PROFESSIONAL_TO_CONFIRM, VAGUE, "professionnel; professionnelle; professionnel de santé; aide-soignante; secrétaire médicale; cadre de santé; coordinatrice; coordinateur; directrice; directeur; professionnel du social"),
    _rule(_R.PATIENT, PERSONAL, "je suis patient; je suis malade; c'est pour moi; pour moi-même; particulier; particulière; à titre personnel"),
)  # fmt: skip


# --- Which of the two a sentence is -----------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class Reading:
    """A sentence as the intent rules see it."""

    tokens: tuple[str, ...]
    referrers: tuple[tuple[ReferrerType, int], ...]  # each type named, with its tier, in order
    search: Search | None  # the directory's reading, when it found a category or a place


def _names(tiers: Iterable[int]) -> Callable[[Reading], bool]:
    wanted = frozenset(tiers)
    return lambda r: any(tier in wanted for _, tier in r.referrers)


_SEARCH_TEXT = """cherche chercher recherche trouver besoin numero coordonnee adresse contacter
renseignement information"""
_SEARCH_WORDS = frozenset(_SEARCH_TEXT.split())
_SAYS_WHO = (("je", "suis"), ("j", "appelle"), ("c", "est"), ("part",), ("travaille",))


def _asks_for_something(reading: Reading) -> bool:
    """A lookup word, and something to look up (« besoin d'aide pour un patient » is not)."""
    return reading.search is not None and any(_fold(w) in reading.tokens for w in _SEARCH_WORDS)


def _says_who(reading: Reading) -> bool:
    t = reading.tokens
    return any(
        t[i : i + len(words)] == words for words in _SAYS_WHO for i in range(len(t))
    ) and bool(reading.referrers)


@dataclass(kw_only=True, frozen=True)
class IntentRule:
    name: str
    description: str
    check: Callable[[Reading], bool]
    directory: bool  # True: a directory question; False: who is calling


INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule(name="asks-for-a-resource", description="« je cherche », « besoin d'un », « le numéro de » : une question pour l'annuaire",
               check=_asks_for_something, directory=True),
    IntentRule(name="says-who", description="« je suis… », « j'appelle de… », « c'est… », « de la part de… » : qui appelle",
               check=_says_who, directory=False),
    IntentRule(name="names-a-person", description="une profession, un proche, le public : qui appelle",
               check=_names((PERSONAL, PROFESSION, VAGUE)), directory=False),
    IntentRule(name="a-resource-and-a-place", description="« un SSIAD à Figeac » : une question pour l'annuaire",
               check=lambda r: r.search is not None and r.search.category is not None and r.search.postal_code is not None,
               directory=True),
    IntentRule(name="names-an-establishment", description="« l'hôpital de Cahors » : qui appelle",
               check=_names((ESTABLISHMENT,)), directory=False),
    IntentRule(name="names-a-resource", description="« un EHPAD », « Figeac » : une question pour l'annuaire",
               check=lambda r: r.search is not None, directory=True),
)  # fmt: skip


# --- Reading ---------------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class Place:
    name: str
    postal_code: str


@dataclass(kw_only=True, frozen=True)
class Lexicon:
    """What speech is read against: the directory's vocabulary and its communes' places."""

    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary.build({}))
    places: Mapping[str, Place] = field(default_factory=dict)  # normalised commune name
    by_postal_code: Mapping[str, Place] = field(default_factory=dict)

    @classmethod
    def build(cls, vocabulary: Vocabulary, places: Iterable[Place]) -> Lexicon:
        by_name: dict[str, Place] = {}
        by_postal_code: dict[str, Place] = {}
        for place in places:
            by_name.setdefault(normalized(place.name), place)
            by_postal_code.setdefault(place.postal_code, place)
        return cls(vocabulary=vocabulary, places=by_name, by_postal_code=by_postal_code)


def understand(heard: Heard, lexicon: Lexicon) -> Understood:
    """The meaning of what was heard at a menu (see the module's docstring)."""
    text = heard.text[:MAX_HEARD]
    reading = _read(text, lexicon)
    confident = heard.confidence is not None and heard.confidence >= SURE_FROM
    for rule in INTENT_RULES:
        if not rule.check(reading):
            continue
        if rule.directory:
            return Understood(
                search=reading.search or Search(),
                sure=confident,
                rule=rule.name,
                confidence=heard.confidence,
            )
        referrer, ambiguous = _referrer(reading)
        return Understood(
            referrer=referrer,
            sure=confident and not ambiguous,
            rule=rule.name,
            confidence=heard.confidence,
        )
    return Understood(confidence=heard.confidence)


def search_in(heard: Heard, lexicon: Lexicon) -> Search | None:
    """The directory's reading alone, at a directory prompt: a commune ("Figeac"), a postal
    code said, a category ("une aide à domicile"), or None."""
    return _read(heard.text[:MAX_HEARD], lexicon).search


def _read(text: str, lexicon: Lexicon) -> Reading:
    tokens = _tokens(text)
    query = parse_query(text, lexicon.vocabulary)
    place = lexicon.places.get(query.commune or "") or lexicon.by_postal_code.get(
        query.postal_code or ""
    )
    postal_code = query.postal_code or (place.postal_code if place else None)
    search = None
    if query.category is not None or postal_code is not None:
        search = Search(
            category=query.category,
            postal_code=postal_code,
            place=place.name if place else None,
        )
    return Reading(tokens=tokens, referrers=_named(tokens), search=search)


def _referrer(reading: Reading) -> tuple[ReferrerType, bool]:
    """The type the sentence speaks for, and whether another of the same tier competes."""
    best_tier = min(tier for _, tier in reading.referrers)
    named = [referrer for referrer, tier in reading.referrers if tier == best_tier]
    return named[0], len(set(named)) > 1


def _named(tokens: tuple[str, ...]) -> tuple[tuple[ReferrerType, int], ...]:
    """Each referrer phrase found, longest first at each word ("infirmier libéral" is one)."""
    phrases = _phrases()
    longest = max(len(p) for p in phrases)
    found: list[tuple[ReferrerType, int]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            rule = phrases.get(tokens[i : i + size])
            if rule is not None:
                found.append((rule.referrer, rule.tier))
                i += size
                break
        else:
            i += 1
    return tuple(found)


def _tokens(text: str) -> tuple[str, ...]:
    words = _words()
    kept = (_fold(w) for w in normalized(text).split() if w not in FILLERS)
    return tuple(corrected(w, words) for w in kept)


def _fold(word: str) -> str:
    """Feminine and plural endings folded, so both sides compare the same: "infirmières",
    "infirmière", "infirmiers" are all "infirmier"; "sociaux" and "sociale" are "social"."""
    if len(word) < 5:
        return word
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith(("s", "x")) and not word.endswith("ss"):
        word = word[:-1]
    for feminine, masculine in (("iere", "ier"), ("ienne", "ien"), ("trice", "teur"),
                                ("euse", "eur"), ("ale", "al"), ("ante", "ant")):  # fmt: skip
        if word.endswith(feminine):
            return word[: -len(feminine)] + masculine
    return word


@cache
def _phrases() -> dict[tuple[str, ...], ReferrerRule]:
    """Each rule's phrases as folded words; a phrase listed twice keeps its first rule."""
    table: dict[tuple[str, ...], ReferrerRule] = {}
    for rule in REFERRER_RULES:
        for phrase in rule.phrases:
            key = _tokens_of_phrase(phrase)
            if key:
                table.setdefault(key, rule)
    return table


def _tokens_of_phrase(phrase: str) -> tuple[str, ...]:
    return tuple(_fold(w) for w in normalized(phrase).split() if w not in FILLERS)


@cache
def _words() -> frozenset[str]:
    """The words typos are corrected to: those of the referrer phrases and the intents."""
    words = {w for key in _phrases() for w in key}
    words |= {_fold(w) for w in _SEARCH_WORDS}
    return frozenset(words)


# --- Yes or no -------------------------------------------------------------------------------

_YES_TEXT = "oui ouais exact exactement absolument affirmatif correct daccord voila parfait"
_YES = frozenset(_YES_TEXT.split())
_YES_PHRASES = (("c", "est", "ca"), ("tout", "a", "fait"), ("d", "accord"), ("bien", "sur"))
_NO_TEXT = "non nan pas erreur faux incorrect negatif"
_NO = frozenset(_NO_TEXT.split())


def says_yes(heard: Heard) -> bool:
    """A confirmation read back was answered yes ("oui", "c'est ça", "tout à fait"); any
    no ("non", "pas du tout", "c'est pas ça") or nothing recognisable is not a yes."""
    words = tuple(normalized(heard.text[:MAX_HEARD]).split())
    if any(w in _NO for w in words):
        return False
    if any(w in _YES for w in words):
        return True
    return any(words[i : i + len(p)] == p for p in _YES_PHRASES for i in range(len(words)))


# --- Hints -----------------------------------------------------------------------------------

# Twilio reads at most a few hundred hints of at most 100 characters each.
MAX_HINTS = 120
YES_NO_HINTS = ("oui", "non", "c'est ça", "tout à fait")


_HINTS_PER_TYPE = 4


def category_hints() -> tuple[str, ...]:
    """What callers say at the directory's category prompt: the categories' short names."""
    return tuple(i.short for c, i in CATEGORIES.items() if c is not Category.OTHER)


@cache
def menu_hints() -> tuple[str, ...]:
    """What callers are likely to say at the first menus: the directory's categories (their
    short names), then the first phrases of each referrer type."""
    hints = ["je suis", "je cherche"]
    hints += category_hints()
    for rule in REFERRER_RULES:
        hints += rule.phrases[:_HINTS_PER_TYPE]
    unique = list(dict.fromkeys(h for h in hints if len(h) <= 100))
    return tuple(unique[:MAX_HINTS])


# --- Carried in a signed action URL while it is confirmed -------------------------------------


def params_of(understood: Understood) -> tuple[tuple[str, str], ...]:
    """What a confirmation must remember of what was understood, as plain URL values."""
    params: list[tuple[str, str]] = []
    if understood.referrer is not None:
        params.append(("referrer", understood.referrer.value))
    if understood.search is not None:
        params.append(("search", "1"))
        if understood.search.category is not None:
            params.append(("category", understood.search.category.value))
        if understood.search.postal_code is not None:
            params.append(("postal", understood.search.postal_code))
    return tuple(params)


def understood_from(params: Mapping[str, str]) -> Understood:
    """The meaning a confirmation carried (params_of); ValueError when a value is unknown."""
    referrer = ReferrerType(params["referrer"]) if "referrer" in params else None
    search = None
    if params.get("search") == "1":
        postal = params.get("postal")
        if postal is not None and not (len(postal) == 5 and postal.isdigit()):
            raise ValueError("postal: expected five digits")
        search = Search(
            category=Category(params["category"]) if "category" in params else None,
            postal_code=postal,
        )
    return Understood(referrer=referrer, search=search, sure=True, rule="confirmed")
