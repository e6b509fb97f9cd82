# ruff: noqa: E501  (the table reads best one category to two lines)
"""The categories of the territory's resources (ressources du territoire).

Kept small, inspired by Open Referral HSDS; each category says how it is spoken and written
in French, and which FINESS categories (catégories d'établissement of the national register)
it gathers, where one exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Category(StrEnum):
    CLIC = "clic"
    SSIAD = "ssiad"
    SAAD = "saad"
    SPASAD = "spasad"
    HAD = "had"
    EHPAD = "ehpad"
    CMP = "cmp"
    CMPP = "cmpp"
    MDPH = "mdph"
    CCAS = "ccas"
    PASS = "pass"
    EMG = "emg"  # équipe mobile de gériatrie
    EMSP = "emsp"  # équipe mobile de soins palliatifs
    CPTS = "cpts"
    MSP = "msp"
    HEALTH_CENTRE = "centre_sante"
    PMI = "pmi"
    CSAPA = "csapa"
    OTHER = "autre"


@dataclass(kw_only=True, frozen=True)
class CategoryInfo:
    short: str  # as written in an SMS: "SSIAD"
    label: str  # as a referent reads it
    spoken: str  # as the voice menu says it
    # FINESS "catégorie d'établissement" codes gathered here (filled from the register's
    # nomenclature by the FINESS importer's authors; empty where the category is not in FINESS).
    finess: frozenset[str] = field(default_factory=frozenset)


_C = Category
# FINESS codes: the ANS nomenclature TRE_R66 "CatégorieEtablissement" (the catégories of the
# FINESS register, OID 1.2.250.1.213.1.6.1.8, version 20260505) and its value set JDV_J55
# (CategorieEG-ROR). Since the 2023 reform of home services, 460 "Service autonomie aide (SAA)"
# is the former SAAD and 209 "Service autonomie aide et soins (SAAS)" the former SPASAD.
# 501/502 (EHPA, not dependent) are not EHPADs. CCAS, PASS, mobile geriatric and palliative
# teams have no FINESS category (a PASS or a mobile team is an activity of a hospital).
CATEGORIES: dict[Category, CategoryInfo] = {
    _C.CLIC: CategoryInfo(short="CLIC", label="Centre local d'information et de coordination",
                          spoken="un centre local d'information et de coordination, le CLIC", finess=frozenset({"463"})),
    _C.SSIAD: CategoryInfo(short="SSIAD", label="Service de soins infirmiers à domicile",
                           spoken="un service de soins infirmiers à domicile", finess=frozenset({"354"})),
    _C.SAAD: CategoryInfo(short="SAAD", label="Service d'aide et d'accompagnement à domicile",
                          spoken="un service d'aide à domicile", finess=frozenset({"460"})),
    _C.SPASAD: CategoryInfo(short="SPASAD", label="Service polyvalent d'aide et de soins à domicile",
                            spoken="un service polyvalent d'aide et de soins à domicile", finess=frozenset({"209"})),
    _C.HAD: CategoryInfo(short="HAD", label="Hospitalisation à domicile",
                         spoken="une hospitalisation à domicile", finess=frozenset({"127"})),
    _C.EHPAD: CategoryInfo(short="EHPAD", label="Établissement d'hébergement pour personnes âgées dépendantes",
                           spoken="une maison de retraite médicalisée, un EHPAD", finess=frozenset({"500"})),
    _C.CMP: CategoryInfo(short="CMP", label="Centre médico-psychologique",
                         spoken="un centre médico-psychologique", finess=frozenset({"156"})),
    _C.CMPP: CategoryInfo(short="CMPP", label="Centre médico-psycho-pédagogique",
                          spoken="un centre médico-psycho-pédagogique", finess=frozenset({"189"})),
    _C.MDPH: CategoryInfo(short="MDPH", label="Maison départementale des personnes handicapées (MDA)",
                          spoken="la maison départementale des personnes handicapées", finess=frozenset({"609"})),
    _C.CCAS: CategoryInfo(short="CCAS", label="Centre communal d'action sociale",
                          spoken="un centre communal d'action sociale"),
    _C.PASS: CategoryInfo(short="PASS", label="Permanence d'accès aux soins de santé",
                          spoken="une permanence d'accès aux soins de santé"),
    _C.EMG: CategoryInfo(short="EMG", label="Équipe mobile de gériatrie",
                         spoken="une équipe mobile de gériatrie"),
    _C.EMSP: CategoryInfo(short="EMSP", label="Équipe mobile de soins palliatifs",
                          spoken="une équipe mobile de soins palliatifs"),
    _C.CPTS: CategoryInfo(short="CPTS", label="Communauté professionnelle territoriale de santé",
                          spoken="une communauté professionnelle territoriale de santé", finess=frozenset({"604"})),
    _C.MSP: CategoryInfo(short="MSP", label="Maison de santé pluriprofessionnelle",
                         spoken="une maison de santé", finess=frozenset({"603"})),
    _C.HEALTH_CENTRE: CategoryInfo(short="Centre de santé", label="Centre de santé",
                                   spoken="un centre de santé", finess=frozenset({"124", "439"})),
    _C.PMI: CategoryInfo(short="PMI", label="Protection maternelle et infantile",
                         spoken="un centre de protection maternelle et infantile", finess=frozenset({"223"})),
    _C.CSAPA: CategoryInfo(short="CSAPA", label="Centre de soins, d'accompagnement et de prévention en addictologie",
                           spoken="un centre de soins en addictologie", finess=frozenset({"197"})),
    _C.OTHER: CategoryInfo(short="Autre", label="Autre ressource", spoken="une autre ressource"),
}  # fmt: skip
