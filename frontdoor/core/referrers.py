"""Who brings a request to the DAC (type d'adresseur), grouped as the national indicators are."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReferrerType(StrEnum):
    GP = "gp"
    SPECIALIST = "specialist"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    PHYSIO = "physio"
    OTHER_HEALTH = "other_health"
    HOSPITAL = "hospital"
    HAD = "had"
    CARE_HOME = "care_home"
    ESMS = "esms"
    SOCIAL_WORKER = "social_worker"
    CPTS_MSP = "cpts_msp"
    OTHER_INSTITUTION = "other_institution"
    PATIENT = "patient"
    CARER = "carer"
    UNKNOWN = "unknown"
    WRONG_NUMBER = "wrong_number"
    SILENT = "silent"
    TEST = "test"


class ReferrerGroup(StrEnum):
    PRIMARY_CARE = "primary_care"
    ESTABLISHMENT = "establishment"
    SOCIAL_INSTITUTIONAL = "social_institutional"
    PUBLIC = "public"
    UNKNOWN = "unknown"
    NOT_A_REQUEST = "not_a_request"


@dataclass(kw_only=True, frozen=True)
class ReferrerInfo:
    label: str  # as a referent reads it in the console
    group: ReferrerGroup
    # How the whisper names the caller: "appel d'un médecin".
    spoken: str


_R, _G = ReferrerType, ReferrerGroup
REFERRERS: dict[ReferrerType, ReferrerInfo] = {
    _R.GP: ReferrerInfo(label="Médecin généraliste", group=_G.PRIMARY_CARE, spoken="d'un médecin"),
    _R.SPECIALIST: ReferrerInfo(
        label="Médecin spécialiste", group=_G.PRIMARY_CARE, spoken="d'un médecin spécialiste"
    ),
    _R.NURSE: ReferrerInfo(
        label="Infirmier libéral",
        group=_G.PRIMARY_CARE,
        spoken="d'un infirmier ou d'une infirmière",
    ),
    _R.PHARMACIST: ReferrerInfo(
        label="Pharmacien", group=_G.PRIMARY_CARE, spoken="d'une pharmacie"
    ),
    _R.PHYSIO: ReferrerInfo(
        label="Kinésithérapeute", group=_G.PRIMARY_CARE, spoken="d'un kinésithérapeute"
    ),
    _R.OTHER_HEALTH: ReferrerInfo(
        label="Autre professionnel de santé", group=_G.PRIMARY_CARE, spoken="d'un professionnel"
    ),
    _R.HOSPITAL: ReferrerInfo(
        label="Établissement de santé",
        group=_G.ESTABLISHMENT,
        spoken="d'un hôpital ou d'une clinique",
    ),
    _R.HAD: ReferrerInfo(
        label="Hospitalisation à domicile",
        group=_G.ESTABLISHMENT,
        spoken="d'une hospitalisation à domicile",
    ),
    _R.CARE_HOME: ReferrerInfo(label="EHPAD", group=_G.ESTABLISHMENT, spoken="d'un EHPAD"),
    _R.ESMS: ReferrerInfo(
        label="Établissement ou service médico-social",
        group=_G.ESTABLISHMENT,
        spoken="d'un établissement médico-social",
    ),
    _R.SOCIAL_WORKER: ReferrerInfo(
        label="Travailleur social",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'un travailleur social",
    ),
    _R.CPTS_MSP: ReferrerInfo(
        label="CPTS ou maison de santé",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'une CPTS ou d'une maison de santé",
    ),
    _R.OTHER_INSTITUTION: ReferrerInfo(
        label="Autre institution", group=_G.SOCIAL_INSTITUTIONAL, spoken="d'une institution"
    ),
    _R.PATIENT: ReferrerInfo(label="Patient", group=_G.PUBLIC, spoken="d'un patient"),
    _R.CARER: ReferrerInfo(label="Proche aidant", group=_G.PUBLIC, spoken="d'un proche aidant"),
    _R.UNKNOWN: ReferrerInfo(label="Non renseigné", group=_G.UNKNOWN, spoken="d'un correspondant"),
    _R.WRONG_NUMBER: ReferrerInfo(
        label="Erreur de numéro", group=_G.NOT_A_REQUEST, spoken="d'un correspondant"
    ),
    _R.SILENT: ReferrerInfo(
        label="Appel muet", group=_G.NOT_A_REQUEST, spoken="d'un correspondant"
    ),
    _R.TEST: ReferrerInfo(label="Test", group=_G.NOT_A_REQUEST, spoken="de test"),
}
