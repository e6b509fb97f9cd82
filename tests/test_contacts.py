"""Known contacts from a coordinator's spreadsheet export."""

from __future__ import annotations

from frontdoor.contacts import ContactProblem, ContactRow, decode, parse_contacts
from frontdoor.core.referrers import ReferrerType


def test_a_french_spreadsheet_export_is_read_with_its_labels() -> None:
    text = decode(
        "numero;nom;type\n06 11 22 33 44;Dr Jeanne Roux;Médecin généraliste\n"
        "+33612000002;Cabinet infirmier Lacoste;nurse\n".encode("cp1252")
    )

    rows, problems = parse_contacts(text)

    assert problems == []
    assert rows == [
        ContactRow(
            number="+33611223344",
            address=None,
            name="Dr Jeanne Roux",
            referrer_type=ReferrerType.GP,
        ),
        ContactRow(
            number="+33612000002",
            address=None,
            name="Cabinet infirmier Lacoste",
            referrer_type=ReferrerType.NURSE,
        ),
    ]


def test_bad_lines_are_reported_by_number_without_their_content_and_the_rest_is_kept() -> None:
    text = (
        "number,name,referrer_type\n"
        "0611223344,Dr Roux,gp\n"
        "12,Someone,gp\n"
        "0612000002,,nurse\n"
        "0612000003,Mme Petit,plumber\n"
    )

    rows, problems = parse_contacts(text)

    assert [row.name for row in rows] == ["Dr Roux"]
    assert problems == [
        ContactProblem(line=3, message="numéro de téléphone invalide"),
        ContactProblem(line=4, message="le nom est vide"),
        ContactProblem(line=5, message="type d'adresseur inconnu « plumber »"),
    ]


def test_a_file_without_the_needed_columns_is_refused_whole() -> None:
    rows, problems = parse_contacts("telephone;commentaire\n0611223344;x\n")

    assert rows == []
    assert problems == [
        ContactProblem(line=1, message="colonne(s) manquante(s) : name, referrer_type")
    ]


def test_a_contact_may_be_known_by_secure_mail_address_only() -> None:
    rows, problems = parse_contacts(
        "courriel;nom;type\nDr.Roux@CHU-Toulouse.mssante.fr;Dr Roux;hospital\nnot-an-address;X;gp\n"
    )

    assert rows == [
        ContactRow(number=None, address="dr.roux@chu-toulouse.mssante.fr", name="Dr Roux",
                   referrer_type=ReferrerType.HOSPITAL),
    ]  # fmt: skip
    assert problems == [ContactProblem(line=3, message="adresse de messagerie invalide")]


def test_a_reunion_department_s_export_is_read_in_la_reunion() -> None:
    text = decode(
        "numero;nom;type\n0692 11 22 33;Dr Payet;gp\n"
        "0262 40 50 60;CHU Félix Guyon;hospital\n".encode()
    )

    rows, problems = parse_contacts(text, "RE")

    assert problems == []
    assert [row.number for row in rows] == ["+262692112233", "+262262405060"]
