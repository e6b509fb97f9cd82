"""The Annuaire Santé's extractions read: professions to referrer types, the territory's
professionals, and each line that cannot be read named with its number and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.core.referrers import KnownCaller, ReferrerType, classify_known
from frontdoor.core.rpps import (
    LineProblem,
    departement_of,
    parse_activities,
    parse_mailboxes,
    referrer_type_of,
    territory_professionals,
)

SAMPLES = Path(__file__).parents[1] / "rpps"
ACTIVITIES = SAMPLES / "PS_LibreAcces_Personne_activite_202612010000.txt"
MAILBOXES = SAMPLES / "Extraction_Correspondance_MSSante_202612010000.txt"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.parametrize(
    ("profession", "skill_code", "skill", "expected"),
    [
        pytest.param("10", "SM54", "Médecine générale", ReferrerType.GP, id="gp-sm54"),
        pytest.param("10", "SM53", "Spécialiste en Médecine Générale", ReferrerType.GP,
                     id="gp-des-sm53"),
        pytest.param("10", "SM26", "Qualifié en Médecine Générale", ReferrerType.GP,
                     id="gp-qualified-sm26"),
        pytest.param("10", "", "Médecine générale", ReferrerType.GP, id="gp-by-label-only"),
        pytest.param("10", "SM04", "Cardiologie et maladies vasculaires",
                     ReferrerType.SPECIALIST, id="cardiologist"),
        pytest.param("10", "", "", ReferrerType.SPECIALIST, id="doctor-without-skill"),
        pytest.param("60", "", "", ReferrerType.NURSE, id="nurse"),
        pytest.param("69", "", "", ReferrerType.NURSE, id="psychiatric-nurse"),
        pytest.param("21", "", "", ReferrerType.PHARMACIST, id="pharmacist"),
        pytest.param("70", "", "", ReferrerType.PHYSIO, id="physiotherapist"),
        pytest.param("40", "", "", ReferrerType.OTHER_HEALTH, id="dentist"),
        pytest.param("50", "", "", ReferrerType.OTHER_HEALTH, id="midwife"),
        pytest.param("91", "", "", ReferrerType.OTHER_HEALTH, id="speech-therapist"),
        pytest.param("21", "SM54", "Médecine générale", ReferrerType.PHARMACIST,
                     id="gp-skill-on-a-non-doctor-is-no-gp"),
    ],
)  # fmt: skip
def test_a_profession_and_its_savoir_faire_give_the_referrer_type(
    profession: str, skill_code: str, skill: str, expected: ReferrerType
) -> None:
    assert referrer_type_of(profession, skill_code, skill) == expected


@pytest.mark.parametrize(
    ("postal_code", "commune", "expected"),
    [
        pytest.param("46100", "46102", "46", id="lot"),
        pytest.param("46100", "", "46", id="postal-code-alone"),
        pytest.param("20000", "", "2A", id="ajaccio"),
        pytest.param("20200", "", "2B", id="bastia"),
        pytest.param("20200", "2B033", "2B", id="corsican-commune"),
        pytest.param("97400", "97411", "974", id="reunion"),
        pytest.param("97300", "", "973", id="guyane-postal-code"),
        pytest.param("", "", None, id="nothing"),
        pytest.param("GL", "", None, id="abroad"),
    ],
)
def test_a_place_of_practice_is_in_a_departement(
    postal_code: str, commune: str, expected: str | None
) -> None:
    assert departement_of(postal_code, commune) == expected


def test_the_sample_extraction_gives_the_lot_s_professionals_each_once() -> None:
    activities, problems = parse_activities(lines(ACTIVITIES), "FR", territory={"46"})
    boxes, box_problems = parse_mailboxes(lines(MAILBOXES))

    found = territory_professionals(activities, boxes, {"46"})

    assert (problems, box_problems) == ([], [])
    assert found.in_territory == 5  # the Paris GP practises elsewhere
    assert found.gps == 2
    assert found.shared_numbers == 1  # the health centre's
    assert [(p.name, p.profession, p.referrer_type, p.number, p.address)
            for p in found.professionals] == [
        ("Docteur Camille FABRE", "Médecin, Médecine générale", ReferrerType.GP,
         "+33565000101", "camille.fabre@medecin.mssante.fr"),
        ("Docteur Bruno LACOSTE", "Médecin, Spécialiste en Médecine Générale", ReferrerType.GP,
         None, "bruno.lacoste@medecin.mssante.fr"),
        ("Docteur Antoine VIDAL", "Médecin, Cardiologie et maladies vasculaires",
         ReferrerType.SPECIALIST, "+33565000303", None),
        ("Lucie DELMAS", "Infirmier", ReferrerType.NURSE, "+33612000404", None),
    ]  # fmt: skip
    # The pharmacist gave neither a number nor an MSSanté address: nothing to know them by.


def test_bad_lines_are_named_with_their_number_and_why_and_the_others_are_kept() -> None:
    text = lines(ACTIVITIES)
    header, fabre, vidal = text[0], text[1], text[4]
    cut = "|".join(vidal.split("|")[:20]) + "\n"
    no_rpps = fabre.replace("|10000000018|", "|1000000001|", 1)
    no_profession = vidal.replace("|VIDAL|Antoine|10|", "|VIDAL|Antoine||")

    activities, problems = parse_activities(
        [header, cut, no_rpps, no_profession, vidal], "FR", territory={"46"}
    )

    assert problems == [
        LineProblem(line=2, message="20 champs au lieu de 53"),
        LineProblem(line=3, message="l'identifiant RPPS n'a pas 11 chiffres"),
        LineProblem(line=4, message="code profession absent"),
    ]
    assert [a.line for a in activities] == [5]
    assert str(problems[0]) == "ligne 2 : 20 champs au lieu de 53"


def test_the_national_file_s_lines_of_other_departements_are_skipped_unchecked() -> None:
    text = lines(ACTIVITIES)
    header, paris = text[0], text[7]
    mistyped = paris.replace("|10000000067|", "|1000000006|", 1)

    assert parse_activities([header, mistyped], "FR", territory={"46"}) == ([], [])
    assert parse_activities([header, mistyped], "FR", territory={"75"})[1] == [
        LineProblem(line=2, message="l'identifiant RPPS n'a pas 11 chiffres")
    ]


def test_a_file_without_the_columns_it_needs_is_refused_whole() -> None:
    activities, problems = parse_activities(["Identifiant PP|Nom d'exercice\n", "1|X\n"])
    boxes, box_problems = parse_mailboxes(lines(ACTIVITIES))

    assert activities == []
    assert boxes == []
    assert problems[0].line == 1
    assert problems[0].message.startswith("colonne(s) absente(s) : type d'identifiant pp")
    assert box_problems[0].message.startswith("colonne(s) absente(s) : type de bal")
    assert parse_mailboxes([]) == ([], [LineProblem(line=1, message="fichier vide")])


def test_a_structure_s_mailbox_names_nobody_and_a_bad_address_is_refused() -> None:
    text = lines(MAILBOXES)
    bad = text[1].replace("camille.fabre@medecin.mssante.fr", "camille.fabre")

    boxes, problems = parse_mailboxes([text[0], bad, text[3]])

    assert boxes == []  # line 3 is the health centre's secretariat (ORG)
    assert problems == [LineProblem(line=2, message="adresse MSSanté invalide")]


def test_a_recognised_professional_is_named_with_profession_and_rpps_number() -> None:
    known = KnownCaller(
        name="Docteur Camille FABRE",
        referrer_type=ReferrerType.GP,
        profession="Médecin, Médecine générale",
        rpps="10000000018",
    )

    classified = classify_known(known)

    assert classified.referrer_type == ReferrerType.GP
    assert classified.reason is not None
    assert classified.reason.text == (
        "appelant connu : Docteur Camille FABRE (Médecin, Médecine générale ; RPPS 10000000018)"
    )
