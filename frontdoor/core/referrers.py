"""Who brings a request to the DAC (type d'adresseur), grouped as the national indicators are.

The types follow article L6327-1 of the code de la santé publique — the health, social and
médico-social professionals, the structures that employ them, and the services de prévention
et de santé au travail — and the Cadre national d'orientation of the DACs. The groups let a
region read the health establishments (sanitaire) apart from the médico-social ones, and the
social and institutional actors apart from the other coordination schemes.

Codes are what the store holds: a code never changes meaning; labels and groups may change
without a migration (the indicator table recomputes groups from this table).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from frontdoor.core.reasons import Reason


class ReferrerType(StrEnum):
    GP = "gp"
    SPECIALIST = "specialist"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    PHYSIO = "physio"
    OTHER_HEALTH = "other_health"
    HOSPITAL = "hospital"
    HAD = "had"
    PSYCHIATRY = "psychiatry"
    CARE_HOME = "care_home"
    ESMS = "esms"
    SOCIAL_WORKER = "social_worker"
    MDPH_MDA = "mdph_mda"
    CCAS = "ccas"
    LOCAL_AUTHORITY = "local_authority"
    HEALTH_INSURANCE = "health_insurance"
    NATIONAL_EDUCATION = "national_education"
    OCCUPATIONAL_HEALTH = "occupational_health"
    LEGAL_GUARDIAN = "legal_guardian"
    OTHER_INSTITUTION = "other_institution"
    CPTS_MSP = "cpts_msp"
    OTHER_DAC = "other_dac"
    SAS_SAMU = "sas_samu"
    PATIENT = "patient"
    CARER = "carer"
    # The voice menu's coarse choices: who the caller said they are, until a referent
    # confirms the precise type (a doctor is not always a GP, a nurse not always libéral).
    DOCTOR_TO_CONFIRM = "doctor_to_confirm"
    NURSE_TO_CONFIRM = "nurse_to_confirm"
    PROFESSIONAL_TO_CONFIRM = "professional_to_confirm"
    UNKNOWN = "unknown"
    WRONG_NUMBER = "wrong_number"
    SILENT = "silent"
    TEST = "test"


class ReferrerGroup(StrEnum):
    PRIMARY_CARE = "primary_care"
    HEALTH_ESTABLISHMENT = "health_establishment"
    MEDICO_SOCIAL = "medico_social"
    SOCIAL_INSTITUTIONAL = "social_institutional"
    COORDINATION = "coordination"
    PUBLIC = "public"
    TO_CONFIRM = "to_confirm"
    UNKNOWN = "unknown"
    NOT_A_REQUEST = "not_a_request"


GROUP_LABELS: dict[ReferrerGroup, str] = {
    ReferrerGroup.PRIMARY_CARE: "Professionnels de santé de ville",
    ReferrerGroup.HEALTH_ESTABLISHMENT: "Établissements de santé (sanitaire)",
    ReferrerGroup.MEDICO_SOCIAL: "Établissements et services médico-sociaux",
    ReferrerGroup.SOCIAL_INSTITUTIONAL: "Acteurs sociaux et institutionnels",
    ReferrerGroup.COORDINATION: "Autres dispositifs de coordination et de régulation",
    ReferrerGroup.PUBLIC: "Personnes et proches aidants",
    ReferrerGroup.TO_CONFIRM: "Professionnels à préciser (choix du menu, non confirmé)",
    ReferrerGroup.UNKNOWN: "Non renseigné",
    ReferrerGroup.NOT_A_REQUEST: "Hors sollicitation",
}


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
        group=_G.HEALTH_ESTABLISHMENT,
        spoken="d'un hôpital ou d'une clinique",
    ),
    _R.HAD: ReferrerInfo(
        label="Hospitalisation à domicile",
        group=_G.HEALTH_ESTABLISHMENT,
        spoken="d'une hospitalisation à domicile",
    ),
    _R.PSYCHIATRY: ReferrerInfo(
        label="Psychiatrie (secteur, CMP, établissement)",
        group=_G.HEALTH_ESTABLISHMENT,
        spoken="d'un service de psychiatrie",
    ),
    _R.CARE_HOME: ReferrerInfo(label="EHPAD", group=_G.MEDICO_SOCIAL, spoken="d'un EHPAD"),
    _R.ESMS: ReferrerInfo(
        label="Établissement ou service médico-social (SSIAD, SAAD, foyer…)",
        group=_G.MEDICO_SOCIAL,
        spoken="d'un établissement médico-social",
    ),
    _R.SOCIAL_WORKER: ReferrerInfo(
        label="Travailleur social",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'un travailleur social",
    ),
    _R.MDPH_MDA: ReferrerInfo(
        label="MDPH ou maison départementale de l'autonomie",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'une maison départementale des personnes handicapées ou de l'autonomie",
    ),
    _R.CCAS: ReferrerInfo(
        label="CCAS ou CIAS",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'un centre communal d'action sociale",
    ),
    _R.LOCAL_AUTHORITY: ReferrerInfo(
        label="Collectivité territoriale (conseil départemental, commune)",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'une collectivité",
    ),
    _R.HEALTH_INSURANCE: ReferrerInfo(
        label="Assurance maladie (CPAM, MSA, conseiller Prado)",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="de l'assurance maladie",
    ),
    _R.NATIONAL_EDUCATION: ReferrerInfo(
        label="Éducation nationale (école, santé scolaire)",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="de l'éducation nationale",
    ),
    _R.OCCUPATIONAL_HEALTH: ReferrerInfo(
        label="Service de prévention et de santé au travail",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'un service de santé au travail",
    ),
    _R.LEGAL_GUARDIAN: ReferrerInfo(
        label="Mandataire judiciaire à la protection des majeurs",
        group=_G.SOCIAL_INSTITUTIONAL,
        spoken="d'un mandataire judiciaire",
    ),
    _R.OTHER_INSTITUTION: ReferrerInfo(
        label="Autre institution", group=_G.SOCIAL_INSTITUTIONAL, spoken="d'une institution"
    ),
    _R.CPTS_MSP: ReferrerInfo(
        label="CPTS ou maison de santé",
        group=_G.COORDINATION,
        spoken="d'une CPTS ou d'une maison de santé",
    ),
    _R.OTHER_DAC: ReferrerInfo(
        label="Autre DAC", group=_G.COORDINATION, spoken="d'un autre dispositif d'appui"
    ),
    _R.SAS_SAMU: ReferrerInfo(
        label="SAS ou SAMU (centre 15)",
        group=_G.COORDINATION,
        spoken="du service d'accès aux soins ou du SAMU",
    ),
    _R.PATIENT: ReferrerInfo(label="Patient", group=_G.PUBLIC, spoken="d'un patient"),
    _R.CARER: ReferrerInfo(label="Proche aidant", group=_G.PUBLIC, spoken="d'un proche aidant"),
    _R.DOCTOR_TO_CONFIRM: ReferrerInfo(
        label="Médecin, à préciser", group=_G.TO_CONFIRM, spoken="d'un médecin"
    ),
    _R.NURSE_TO_CONFIRM: ReferrerInfo(
        label="Infirmier, à préciser",
        group=_G.TO_CONFIRM,
        spoken="d'un infirmier ou d'une infirmière",
    ),
    _R.PROFESSIONAL_TO_CONFIRM: ReferrerInfo(
        label="Professionnel, à préciser", group=_G.TO_CONFIRM, spoken="d'un professionnel"
    ),
    _R.UNKNOWN: ReferrerInfo(label="Non renseigné", group=_G.UNKNOWN, spoken="d'un correspondant"),
    _R.WRONG_NUMBER: ReferrerInfo(
        label="Erreur de numéro", group=_G.NOT_A_REQUEST, spoken="d'un correspondant"
    ),
    _R.SILENT: ReferrerInfo(
        label="Appel muet", group=_G.NOT_A_REQUEST, spoken="d'un correspondant"
    ),
    _R.TEST: ReferrerInfo(label="Test", group=_G.NOT_A_REQUEST, spoken="de test"),
}


@dataclass(kw_only=True, frozen=True)
class KnownCaller:
    """A contact of the department's list (by number or secure mail address)."""

    name: str
    referrer_type: ReferrerType
    # From the Annuaire Santé, when the contact was imported from it or given an RPPS number.
    profession: str | None = None
    rpps: str | None = None

    @property
    def described(self) -> str:
        """The name, with profession and RPPS number when known: "Dr Jeanne Roux (Médecin,
        Médecine générale ; RPPS 10001234567)"."""
        known = " ; ".join(
            part for part in (self.profession, self.rpps and f"RPPS {self.rpps}") if part
        )
        return f"{self.name} ({known})" if known else self.name


@dataclass(kw_only=True, frozen=True)
class Classified:
    referrer_type: ReferrerType
    source: str  # where the type came from: "known_contact", or "none"
    reason: Reason | None


def classify_known(known: KnownCaller | None) -> Classified:
    """A contact's referrer type from the department's known contacts: one rule for a call,
    an SMS and a mail. The reason names the contact (the retention purge removes the name)."""
    if known is None:
        return Classified(referrer_type=ReferrerType.UNKNOWN, source="none", reason=None)
    return Classified(
        referrer_type=known.referrer_type,
        source="known_contact",
        reason=Reason(code="known-caller", text=f"appelant connu : {known.described}"),
    )


# Where the groups changed, for the indicator table's note. Groups are computed from the
# stored types when a table is made, so every period, past ones included, reads in today's.
GROUP_CHANGES = (
    "Catégories revues en décembre 2026, pour toutes les périodes : les établissements sont "
    "lus en deux catégories (sanitaire, médico-social), et les CPTS et maisons de santé "
    "comptent avec les autres dispositifs de coordination (auparavant avec les acteurs "
    "sociaux et institutionnels)."
)


def referrers_table() -> str:
    """The README's table of referrer types and their national group (Markdown)."""
    lines = ["| type d'adresseur | code | catégorie nationale |", "| --- | --- | --- |"]
    lines += [
        f"| {info.label} | `{code.value}` | {GROUP_LABELS[info.group]} |"
        for code, info in REFERRERS.items()
    ]
    return "\n".join(lines) + "\n"
