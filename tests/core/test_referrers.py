"""The referrer taxonomy: every type has its label, spoken form and national group, and the
groups read as the law and the national framework name the actors."""

from __future__ import annotations

import pytest

from frontdoor.core.referrers import GROUP_LABELS, REFERRERS, ReferrerGroup, ReferrerType

_R, _G = ReferrerType, ReferrerGroup


def test_every_type_has_a_label_a_spoken_form_and_a_group() -> None:
    assert set(REFERRERS) == set(ReferrerType)
    for info in REFERRERS.values():
        assert info.label
        assert info.spoken.startswith(("d'", "de ", "du "))
        assert info.group in GROUP_LABELS


def test_every_group_holds_a_type() -> None:
    assert {info.group for info in REFERRERS.values()} == set(ReferrerGroup)


@pytest.mark.parametrize(
    ("kind", "group"),
    [
        # L6327-1: the services de prévention et de santé au travail may solicit a DAC.
        (_R.OCCUPATIONAL_HEALTH, _G.SOCIAL_INSTITUTIONAL),
        (_R.MDPH_MDA, _G.SOCIAL_INSTITUTIONAL),
        (_R.CCAS, _G.SOCIAL_INSTITUTIONAL),
        (_R.LOCAL_AUTHORITY, _G.SOCIAL_INSTITUTIONAL),
        (_R.NATIONAL_EDUCATION, _G.SOCIAL_INSTITUTIONAL),
        (_R.LEGAL_GUARDIAN, _G.SOCIAL_INSTITUTIONAL),
        (_R.HEALTH_INSURANCE, _G.SOCIAL_INSTITUTIONAL),
        (_R.HOSPITAL, _G.HEALTH_ESTABLISHMENT),
        (_R.HAD, _G.HEALTH_ESTABLISHMENT),
        (_R.PSYCHIATRY, _G.HEALTH_ESTABLISHMENT),
        (_R.CARE_HOME, _G.MEDICO_SOCIAL),
        (_R.ESMS, _G.MEDICO_SOCIAL),
        (_R.OTHER_DAC, _G.COORDINATION),
        (_R.CPTS_MSP, _G.COORDINATION),
        (_R.SAS_SAMU, _G.COORDINATION),
        (_R.WRONG_NUMBER, _G.NOT_A_REQUEST),
    ],
    ids=lambda value: str(value),
)
def test_each_actor_counts_in_its_national_group(kind: ReferrerType, group: ReferrerGroup) -> None:
    assert REFERRERS[kind].group is group


def test_stored_codes_keep_their_meaning() -> None:
    # Codes written before the taxonomy was reviewed are read as they were meant.
    assert {code.value for code in ReferrerType} >= {
        "gp", "specialist", "nurse", "pharmacist", "physio", "other_health", "hospital", "had",
        "care_home", "esms", "social_worker", "cpts_msp", "other_institution", "patient",
        "carer", "unknown", "wrong_number", "silent", "test",
    }  # fmt: skip
    assert REFERRERS[_R.GP].label == "Médecin généraliste"
    assert REFERRERS[_R.NURSE].label == "Infirmier libéral"
