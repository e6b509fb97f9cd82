"""What a referent records on a request for the national indicators, with the French labels
the console shows: response type, problems, the person's age band, and the three
non-oppositions the national framework asks DACs to trace.

Codes are what the store holds; labels may change without a migration.
"""

from __future__ import annotations

from enum import StrEnum


class ResponseType(StrEnum):
    """What the DAC gave (type de réponse), as L6327-2 lists its answer: information,
    orientation and putting in touch, access to specialised resources, planning (PPCS),
    follow-up; a request may get several (frontdoor.core.responses)."""

    INFORMATION = "information"
    ORIENTATION = "orientation"
    SPECIALISED_RESOURCES = "specialised_resources"
    ONE_OFF_SUPPORT = "one_off_support"
    PLANNING = "planning"
    FOLLOW_UP = "follow_up"
    OUT_OF_SCOPE = "out_of_scope"
    NONE = "none"


RESPONSE_TYPES: dict[ResponseType, str] = {
    ResponseType.INFORMATION: "Information simple",
    ResponseType.ORIENTATION: "Orientation, mise en relation",
    ResponseType.SPECIALISED_RESOURCES: "Accès à des ressources spécialisées",
    ResponseType.ONE_OFF_SUPPORT: "Appui ponctuel",
    ResponseType.PLANNING: "Planification, PPCS (plan personnalisé de coordination en santé)",
    ResponseType.FOLLOW_UP: "Accompagnement (suivi)",
    ResponseType.OUT_OF_SCOPE: "Hors champ, réorientation",
    ResponseType.NONE: "Sans suite",
}


class Problem(StrEnum):
    MEDICAL = "medical"
    MENTAL_HEALTH = "mental_health"
    AUTONOMY = "autonomy"
    SOCIAL = "social"
    HOUSING = "housing"
    CARERS = "carers"
    ACCESS_TO_CARE = "access_to_care"
    END_OF_LIFE = "end_of_life"
    ADDICTION = "addiction"
    ADMINISTRATIVE = "administrative"


PROBLEMS: dict[Problem, str] = {
    Problem.MEDICAL: "Médicale, soins",
    Problem.MENTAL_HEALTH: "Santé mentale",
    Problem.AUTONOMY: "Perte d'autonomie, handicap",
    Problem.SOCIAL: "Sociale, isolement",
    Problem.HOUSING: "Logement, maintien à domicile",
    Problem.CARERS: "Épuisement des aidants",
    Problem.ACCESS_TO_CARE: "Accès aux soins",
    Problem.END_OF_LIFE: "Fin de vie, soins palliatifs",
    Problem.ADDICTION: "Addictions",
    Problem.ADMINISTRATIVE: "Droits, démarches administratives",
}


class AgeBand(StrEnum):
    UNDER_18 = "0-17"
    FROM_18 = "18-59"
    FROM_60 = "60-74"
    FROM_75 = "75-84"
    FROM_85 = "85+"
    UNKNOWN = "unknown"


AGE_BANDS: dict[AgeBand, str] = {
    AgeBand.UNDER_18: "Moins de 18 ans",
    AgeBand.FROM_18: "18 à 59 ans",
    AgeBand.FROM_60: "60 à 74 ans",
    AgeBand.FROM_75: "75 à 84 ans",
    AgeBand.FROM_85: "85 ans et plus",
    AgeBand.UNKNOWN: "Âge non connu",
}


class NonOpposition(StrEnum):
    """What the person did not oppose (information with a right to object at any time)."""

    SUPPORT_AND_SHARING = "support_and_sharing"
    DATA_PROCESSING = "data_processing"
    SECONDARY_USE = "secondary_use"


NON_OPPOSITIONS: dict[NonOpposition, str] = {
    NonOpposition.SUPPORT_AND_SHARING: (
        "Non-opposition à la prise en charge et au partage d'information"
    ),
    NonOpposition.DATA_PROCESSING: "Non-opposition au traitement des données personnelles",
    NonOpposition.SECONDARY_USE: (
        "Non-opposition à l'usage des données à des fins secondaires (recherche, observatoire)"
    ),
}


class Stance(StrEnum):
    NOT_OPPOSED = "not_opposed"
    OPPOSED = "opposed"


STANCES: dict[Stance, str] = {
    Stance.NOT_OPPOSED: "Ne s'oppose pas",
    Stance.OPPOSED: "S'oppose",
}


class RequestStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
