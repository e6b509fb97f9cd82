"""The indicator table's arithmetic, from counts: what counts as a request, shares, the
wait percentiles and the regional consolidation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdoor.core.channels import MANUAL_CHANNELS
from frontdoor.core.indicators import (
    NATIONAL_INDICATORS,
    DepartmentCounts,
    EnteredFigures,
    IndicatorTable,
    consolidate,
    indicator_table,
    percentile,
)

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def table(*counts: DepartmentCounts) -> IndicatorTable:
    return indicator_table(
        list(counts), period="2026-10", period_label="octobre 2026", generated_at=NOW
    )


def lot(**fields: object) -> DepartmentCounts:
    return DepartmentCounts(department="dac46", name="DAC du Lot", **fields)  # type: ignore[arg-type]


def moselle(**fields: object) -> DepartmentCounts:
    return DepartmentCounts(department="dac57", name="DAC de Moselle", **fields)  # type: ignore[arg-type]


def values(t: IndicatorTable, section: str) -> dict[str, float | None]:
    return {line.key: line.value for line in t.section(section).lines}


def shares(t: IndicatorTable, section: str) -> dict[str, float | None]:
    return {line.key: line.share for line in t.section(section).lines}


def test_wrong_numbers_silent_calls_and_tests_are_counted_apart() -> None:
    t = table(lot(referrers={"gp": 6, "patient": 2, "wrong_number": 3, "silent": 1, "test": 1}))

    assert (t.requests, t.not_requests) == (8, 5)
    assert values(t, "requests") == {
        "requests": 8,
        "repeats": 0,
        "not_requests": 5,
        "wrong_number": 3,
        "silent": 1,
        "test": 1,
    }
    assert "wrong_number" not in values(t, "referrer_types")


def test_repeats_are_counted_once_as_sollicitations_and_in_the_load_as_contacts() -> None:
    # 8 sollicitations, and 2 repeats of them: 10 contacts by phone and mail.
    t = table(
        lot(
            referrers={"gp": 6, "patient": 2},
            repeats=2,
            channels={"voice": 7, "mail": 3},
            out_of_hours=5,
            by_hour={9: 10},
        )
    )

    assert t.requests == 8
    assert values(t, "requests")["repeats"] == 2
    assert "une seule fois comme sollicitation" in t.section("requests").note
    assert shares(t, "referrer_types")["gp"] == 0.75
    # Every channel has its line, the ones entered by hand included (none here).
    assert shares(t, "channels") == {
        "voice": 0.7, "sms": 0.0, "mail": 0.3, **dict.fromkeys(MANUAL_CHANNELS, 0.0),
    }  # fmt: skip
    assert shares(t, "out_of_hours") == {"out_of_hours": 0.5}
    assert shares(t, "hours")["9"] == 1.0


def test_repeats_are_summed_across_departments() -> None:
    t = table(lot(referrers={"gp": 1}, repeats=2), moselle(referrers={"gp": 1}, repeats=3))

    assert values(t, "requests")["repeats"] == 5


def test_referrers_are_split_by_fine_type_and_by_national_group() -> None:
    t = table(lot(referrers={"gp": 3, "nurse": 1, "hospital": 2, "carer": 2, "wrong_number": 9}))

    fine = t.section("referrer_types")
    assert fine.line("gp").label == "Médecin généraliste"
    assert (fine.line("gp").value, fine.line("gp").share) == (3, 3 / 8)
    assert fine.line("specialist").value == 0  # every type has its line, zeros included
    assert values(t, "referrer_groups") == {
        "primary_care": 4,
        "health_establishment": 2,
        "medico_social": 0,
        "social_institutional": 0,
        "coordination": 0,
        "public": 2,
        "to_confirm": 0,
        "unknown": 0,
    }
    assert shares(t, "referrer_groups")["primary_care"] == 0.5


def test_a_menu_choice_not_confirmed_counts_in_a_line_of_its_own() -> None:
    t = table(lot(referrers={"doctor_to_confirm": 2, "nurse_to_confirm": 1, "gp": 1}))

    groups = t.section("referrer_groups")
    assert (groups.line("to_confirm").value, groups.line("primary_care").value) == (3, 1)
    assert "à préciser" in groups.line("to_confirm").label
    assert t.section("referrer_types").line("doctor_to_confirm").label == "Médecin, à préciser"


def test_a_region_reads_hospitals_apart_from_medico_social_and_institutions() -> None:
    t = table(
        lot(
            referrers={
                "hospital": 1,
                "psychiatry": 2,
                "had": 1,
                "care_home": 3,
                "esms": 1,
                "mdph_mda": 1,
                "ccas": 1,
                "occupational_health": 1,
                "legal_guardian": 1,
                "national_education": 1,
                "other_dac": 1,
                "sas_samu": 1,
                "cpts_msp": 1,
            }
        )  # fmt: skip
    )

    groups = values(t, "referrer_groups")
    assert (groups["health_establishment"], groups["medico_social"]) == (4, 4)
    assert (groups["social_institutional"], groups["coordination"]) == (5, 3)
    # CPTS and MSP moved group: the section says so, for every period it shows.
    assert "CPTS" in t.section("referrer_groups").note


def test_a_referrer_code_the_taxonomy_does_not_know_is_shown_not_lost() -> None:
    t = table(lot(referrers={"gp": 1, "dentist": 1}))

    assert values(t, "referrer_types")["dentist"] == 1
    assert values(t, "referrer_groups")["unknown"] == 1
    assert t.requests == 2


def test_response_types_show_what_is_not_yet_said() -> None:
    t = table(lot(referrers={"gp": 4}, responses={"information": 1, "follow_up": 1, None: 2}))

    responses = t.section("response_types")
    assert responses.line("information").label == "Information simple"
    assert (responses.lines[-1].label, responses.lines[-1].value) == ("Pas encore renseigné", 2)
    assert responses.lines[-1].share == 0.5


def test_persons_are_split_by_age_band_with_those_not_identified_apart() -> None:
    t = table(
        lot(referrers={"gp": 9}, persons={"85+": 3, "60-74": 1, "unknown": 1},
            persons_unidentified=2)
    )  # fmt: skip

    ages = t.section("age_bands")
    assert ages.title == "Personnes accompagnées par tranche d'âge"
    assert values(t, "age_bands") == {
        "persons": 5, "0-17": 0, "18-59": 0, "60-74": 1, "75-84": 0, "85+": 3, "unknown": 1,
        "unidentified": 2,
    }  # fmt: skip
    assert ages.line("85+").share == 0.6  # of the persons, not of the nine requests
    assert ages.line("unknown").label == "Âge non connu"
    assert ages.line("unidentified").share == 0.4


def test_a_person_with_several_problems_counts_under_each() -> None:
    t = table(
        lot(referrers={"gp": 9}, persons={"85+": 4}, person_problems={"medical": 3, "carers": 2},
            persons_without_problem=1)
    )  # fmt: skip

    problems = t.section("problems")
    assert problems.title == "Personnes accompagnées par problématique"
    assert shares(t, "problems")["medical"] == 0.75
    assert shares(t, "problems")["carers"] == 0.5
    assert problems.lines[-1].label == "Aucune problématique renseignée"
    assert problems.lines[-1].value == 1
    assert "ne s'additionnent pas" in problems.note


def test_the_gps_who_asked_are_split_by_how_they_are_known() -> None:
    t = table(lot(referrers={"gp": 9}, gps={"rpps": 4, "contact": 1, "unidentified": 2}))

    assert values(t, "gps") == {
        "gps": 7, "gps_rpps": 4, "gps_contact": 1, "gps_unidentified": 2, "territory_gps": None,
    }  # fmt: skip


def test_the_gp_share_needs_the_territorys_gps_entered() -> None:
    entered = table(
        lot(referrers={"gp": 9}, gps={"rpps": 30}, figures=EnteredFigures(territory_gps=120))
    )
    not_entered = table(lot(referrers={"gp": 9}, gps={"rpps": 30}))

    assert entered.gp_share == 0.25
    assert entered.section("gps").line("gps").share == 0.25
    assert not_entered.gp_share is None
    assert not_entered.section("gps").line("territory_gps").value is None


def test_staff_and_funding_are_shown_as_entered() -> None:
    t = table(
        lot(figures=EnteredFigures(staff_fte=6.5, funding={"ars_fir": 400_000, "autre": 80_000}))
    )

    assert values(t, "means") == {
        "staff_fte": 6.5, "funding_eur": 480_000, "funding_ars_fir": 400_000,
        "funding_conseil_departemental": 0, "funding_assurance_maladie": 0,
        "funding_autre": 80_000,
    }  # fmt: skip
    assert t.section("means").line("funding_ars_fir").label == (
        "dont ARS (fonds d'intervention régional, FIR)"
    )
    assert t.section("means").line("funding_autre").share == 80_000 / 480_000


def test_a_total_entered_before_the_split_shows_as_not_split() -> None:
    t = table(lot(figures=EnteredFigures(funding={"non_reparti": 350_000})))

    assert t.section("means").line("funding_non_reparti").value == 350_000
    assert t.section("means").line("funding_non_reparti").share == 1.0
    assert t.section("means").line("funding_eur").value == 350_000


def test_funding_not_entered_shows_no_figure() -> None:
    t = table(lot(figures=EnteredFigures(staff_fte=3)))

    assert values(t, "means") == {
        "staff_fte": 3, "funding_eur": None, "funding_ars_fir": None,
        "funding_conseil_departemental": None, "funding_assurance_maladie": None,
        "funding_autre": None,
    }  # fmt: skip


def test_the_territorys_gp_count_is_shown_with_its_source() -> None:
    t = table(lot(figures=EnteredFigures(territory_gps=180, territory_gps_source="RPPS 2026-10")))

    line = t.section("gps").line("territory_gps")
    assert (line.label, line.value) == (
        "Médecins généralistes du territoire (source : RPPS 2026-10)",
        180,
    )


def test_the_answered_rate_is_taken_calls_over_voice_requests() -> None:
    t = table(
        lot(
            referrers={"gp": 10, "silent": 5},
            voice_outcomes={"taken": 6, "abandoned": 2, "voicemail": 2},
            channels={"voice": 10},
        )
    )

    assert t.answered_rate == 0.6
    assert t.abandoned_calls == 2
    assert shares(t, "calls")["abandoned"] == 0.2
    assert values(t, "calls")["voice"] == 10


def test_rates_without_a_denominator_are_none_not_zero() -> None:
    t = table(lot(referrers={"gp": 2}, channels={"mail": 2}))

    assert t.answered_rate is None
    assert t.callbacks_in_time_rate is None
    assert t.wait_median_s is None
    assert t.wait_p90_s is None
    assert t.section("callbacks").line("in_time").share is None


def test_an_empty_period_gives_a_table_of_zeros_and_nones() -> None:
    t = table(lot())

    assert (t.requests, t.not_requests) == (0, 0)
    assert all(line.share is None for line in t.section("referrer_types").lines)


@pytest.mark.parametrize(
    ("histogram", "fraction", "expected"),
    [
        pytest.param({10: 1, 20: 1, 30: 1, 40: 1}, 0.5, 25.0, id="median-between-two"),
        pytest.param({10: 1, 20: 1, 30: 1}, 0.5, 20.0, id="median-odd"),
        pytest.param({10: 1, 20: 1, 30: 1, 40: 1}, 0.9, 37.0, id="p90-interpolated"),
        pytest.param({5: 1000}, 0.9, 5.0, id="all-equal"),
        pytest.param({0: 8, 100: 2}, 0.5, 0.0, id="repeated-values"),
        pytest.param({0: 9, 100: 1}, 0.9, 10.0, id="p90-at-the-jump"),
        pytest.param({7: 1}, 0.9, 7.0, id="one-call"),
        pytest.param({}, 0.5, None, id="no-call"),
    ],
)
def test_percentiles_interpolate_as_percentile_cont_does(
    histogram: dict[int, int], fraction: float, expected: float | None
) -> None:
    assert percentile(histogram, fraction) == (
        None if expected is None else pytest.approx(expected)
    )


def test_time_to_first_human_contact_gives_median_and_90th_percentile() -> None:
    t = table(lot(referrers={"gp": 4}, waits={10: 1, 20: 1, 30: 1, 40: 1}))

    assert (t.wait_median_s, t.wait_p90_s) == (25.0, 37.0)
    assert values(t, "first_contact") == {"measured": 4, "median": 25.0, "p90": 37.0}


def test_callbacks_done_within_their_deadline() -> None:
    t = table(lot(callbacks_due=8, callbacks_in_time=6))

    assert t.callbacks_in_time_rate == 0.75


def test_load_by_local_hour_and_weekday_lists_every_hour_and_day() -> None:
    t = table(lot(referrers={"gp": 4}, by_hour={9: 3, 14: 1}, by_weekday={0: 1, 4: 3}))

    hours = t.section("hours")
    assert len(hours.lines) == 24
    assert (hours.line("9").label, hours.line("9").value) == ("09 h – 10 h", 3)
    days = t.section("weekdays")
    assert [line.label for line in days.lines][:2] == ["lundi", "mardi"]
    assert days.line("4").share == 0.75


def test_a_regional_share_is_recomputed_from_sums_not_averaged() -> None:
    t = table(
        lot(referrers={"gp": 1}, voice_outcomes={"taken": 1}),
        moselle(referrers={"gp": 3}, voice_outcomes={"taken": 0, "abandoned": 3}),
    )

    assert t.answered_rate == 0.25  # (1 + 0) / (1 + 3), not the mean of 100 % and 0 %
    assert t.departments == ("dac46", "dac57")
    assert t.department_names == ("DAC du Lot", "DAC de Moselle")


def test_regional_waits_merge_the_distributions() -> None:
    t = table(lot(waits={10: 1, 20: 1}), moselle(waits={30: 1, 40: 1}))

    assert t.wait_median_s == 25.0


def test_regional_entered_figures_are_summed_only_when_every_department_entered_them() -> None:
    merged = consolidate(
        [
            lot(gps={"rpps": 10}, figures=EnteredFigures(staff_fte=5, territory_gps=100)),
            moselle(gps={"rpps": 30}, figures=EnteredFigures(staff_fte=7.5, funding={"autre": 1})),
        ]
    )

    assert merged.gps == {"rpps": 40}
    assert merged.figures == EnteredFigures(staff_fte=12.5, funding={}, territory_gps=None)


def test_regional_funding_is_summed_source_by_source() -> None:
    merged = consolidate(
        [
            lot(figures=EnteredFigures(funding={"ars_fir": 300_000, "autre": 10_000},
                                       territory_gps=100, territory_gps_source="saisie")),
            moselle(figures=EnteredFigures(funding={"ars_fir": 200_000, "conseil_departemental": 5},
                                           territory_gps=50, territory_gps_source="RPPS 2026")),
        ]
    )  # fmt: skip

    assert merged.figures is not None
    assert merged.figures.funding == {
        "ars_fir": 500_000, "autre": 10_000, "conseil_departemental": 5,
    }  # fmt: skip
    assert merged.figures.territory_gps_source == "saisie; RPPS 2026"


def test_regional_gp_share_is_distinct_gps_over_the_regions_gps() -> None:
    t = table(
        lot(gps={"rpps": 10}, figures=EnteredFigures(territory_gps=100)),
        moselle(gps={"contact": 25, "unidentified": 5}, figures=EnteredFigures(territory_gps=100)),
    )

    assert t.gp_share == 0.2


def test_a_table_needs_a_department() -> None:
    with pytest.raises(ValueError, match="at least one"):
        table()


def test_each_national_indicator_has_its_sections_in_the_table() -> None:
    national = {section.key for section in table(lot()).national}

    assert len(NATIONAL_INDICATORS) == 8
    for name, keys in NATIONAL_INDICATORS:
        assert set(keys) <= national, name
