"""`frontdoor contacts import-rpps`: the Lot's professionals from the sample extractions
(tests/rpps, written from the ANS's published headers), as a coordinator runs it."""

from __future__ import annotations

import argparse
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from frontdoor import rpps_command
from frontdoor.contacts import checked_contact, parse_contacts
from frontdoor.core.mail import classify_sender
from frontdoor.core.referrers import ReferrerType
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.contacts import import_contacts, save_contact
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.known_callers import KnownCallers
from frontdoor.store.models import DepartmentFigures, KnownContact

SAMPLES = Path(__file__).parent / "rpps"
ACTIVITIES = SAMPLES / "PS_LibreAcces_Personne_activite_202612010000.txt"
MAILBOXES = SAMPLES / "Extraction_Correspondance_MSSante_202612010000.txt"
FABRE = "+33565000101"


async def import_rpps(
    settings: Settings,
    departments: Departments,
    activities: Path = ACTIVITIES,
    mailboxes: Path | None = MAILBOXES,
    department: str = "dac46",
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(department=department, file=activities, mssante=mailboxes, year=None)
    code = await rpps_command.run(args, settings, departments, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def contacts(settings: Settings) -> list[KnownContact]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = (await session.exec(select(KnownContact).order_by(col(KnownContact.rpps)))).all()
    await engine.dispose()
    return list(found)


async def figures(settings: Settings) -> list[tuple[str, int | None, str | None]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(DepartmentFigures))).all()
    await engine.dispose()
    return [(r.department, r.territory_gps, r.territory_gps_source) for r in rows]


async def add(settings: Settings, *found: KnownContact | DepartmentFigures) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add_all(found)
        await session.commit()
    await engine.dispose()


async def test_the_territory_s_professionals_become_known_contacts_and_its_gps_are_counted(
    settings: Settings, departments: Departments
) -> None:
    code, out, err = await import_rpps(settings, departments)

    assert code == 0
    assert out.splitlines()[:2] == [
        "dac46 : 5 professionnel(s) exerçant sur le territoire, dont 2 médecin(s) généraliste(s)",
        "  4 contact(s) créé(s), 0 mis à jour, 0 inchangé(s), 0 modifié(s) localement et "
        "laissé(s) tel(s) quel(s)",
    ]
    assert "1 numéro(s) partagé(s) par plusieurs professionnels" in out
    assert "médecins généralistes du territoire (indicateur 6) : 2" in out
    assert "4 / 4 professionnels" in err  # the progress counter
    assert [
        (c.rpps, c.name, c.referrer_type, c.profession, c.number, c.address, c.imported_from)
        for c in await contacts(settings)
    ] == [
        ("10000000018", "Docteur Camille FABRE", "gp", "Médecin, Médecine générale", FABRE,
         "camille.fabre@medecin.mssante.fr", "rpps"),
        ("10000000026", "Docteur Bruno LACOSTE", "gp", "Médecin, Spécialiste en Médecine Générale",
         None, "bruno.lacoste@medecin.mssante.fr", "rpps"),
        ("10000000034", "Docteur Antoine VIDAL", "specialist",
         "Médecin, Cardiologie et maladies vasculaires", "+33565000303", None, "rpps"),
        ("10000000042", "Lucie DELMAS", "nurse", "Infirmier", "+33612000404", None, "rpps"),
    ]  # fmt: skip
    assert await figures(settings) == [
        ("dac46", 2, "extraction RPPS PS_LibreAcces_Personne_activite_202612010000.txt")
    ]


async def test_a_second_import_of_the_same_extraction_changes_nothing(
    settings: Settings, departments: Departments
) -> None:
    await import_rpps(settings, departments)
    before = [c.model_dump() for c in await contacts(settings)]

    code, out, _ = await import_rpps(settings, departments)

    assert code == 0
    assert "0 contact(s) créé(s), 0 mis à jour, 4 inchangé(s)" in out
    assert [c.model_dump() for c in await contacts(settings)] == before


async def test_a_contact_the_department_made_or_edited_keeps_what_it_was_given(
    settings: Settings, departments: Departments
) -> None:
    # The department's own list already knows the cardiologist, as working at the hospital.
    await add(
        settings,
        KnownContact(department="dac46", number="+33565009999", name="Dr Vidal (CH de Cahors)",
                     referrer_type="hospital", rpps="10000000034"),
    )  # fmt: skip
    await import_rpps(settings, departments)
    [fabre] = [c for c in await contacts(settings) if c.rpps == "10000000018"]
    # The coordinator corrects her name in the console (its form saves through save_contact).
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await save_contact(
            session=session,
            department="dac46",
            row=checked_contact(number=FABRE, address="", name="Dr Camille Fabre (médecin "
                                "traitant)", referrer_type="gp", rpps="10000000018"),
            contact=await session.get(KnownContact, fabre.id),
        )  # fmt: skip
        await session.commit()
    await engine.dispose()

    _, out, _ = await import_rpps(settings, departments)

    assert "0 mis à jour, 2 inchangé(s), 2 modifié(s) localement et laissé(s) tel(s) quel(s)" in out
    by_rpps = {c.rpps: c for c in await contacts(settings)}
    assert by_rpps["10000000018"].name == "Dr Camille Fabre (médecin traitant)"
    assert (by_rpps["10000000034"].name, by_rpps["10000000034"].referrer_type) == (
        "Dr Vidal (CH de Cahors)", "hospital"
    )  # fmt: skip


async def test_a_contact_the_department_s_csv_list_changed_keeps_the_change(
    settings: Settings, departments: Departments
) -> None:
    await import_rpps(settings, departments)
    rows, _ = parse_contacts("numero;nom;type\n0612000404;Lucie Delmas (IDEC);nurse\n")
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await import_contacts(session=session, department="dac46", rows=rows)
        await session.commit()
    await engine.dispose()

    _, out, _ = await import_rpps(settings, departments)

    assert "1 modifié(s) localement" in out
    by_rpps = {c.rpps: c for c in await contacts(settings)}
    assert by_rpps["10000000042"].name == "Lucie Delmas (IDEC)"


async def test_a_number_already_another_contact_s_stays_that_contact_s(
    settings: Settings, departments: Departments
) -> None:
    await add(
        settings,
        KnownContact(department="dac46", number=FABRE, name="Secrétariat", referrer_type="gp"),
    )

    _, out, _ = await import_rpps(settings, departments)

    assert "1 numéro(s) et 0 adresse(s) déjà celui ou celle d'un autre contact" in out
    by_rpps = {c.rpps: c for c in await contacts(settings)}
    fabre = by_rpps["10000000018"]
    assert (fabre.number, fabre.address) == (None, "camille.fabre@medecin.mssante.fr")


async def test_malformed_lines_are_refused_with_their_number_and_the_rest_is_imported(
    settings: Settings, departments: Departments, tmp_path: Path
) -> None:
    text = ACTIVITIES.read_text(encoding="utf-8").splitlines()
    text[4] = "|".join(text[4].split("|")[:12])  # the cardiologist's line, cut short
    text[5] = text[5].replace("|10000000042|", "|1000000004|")  # the nurse's RPPS, mistyped
    broken = tmp_path / "PS_LibreAcces_Personne_activite_202612020000.txt"
    broken.write_text("\n".join(text) + "\n", encoding="utf-8")

    code, out, _ = await import_rpps(settings, departments, activities=broken)

    assert code == 0
    assert f"  {broken.name} : ligne 5 : 12 champs au lieu de 53" in out
    assert f"  {broken.name} : ligne 6 : l'identifiant RPPS n'a pas 11 chiffres" in out
    assert "2 ligne(s) refusée(s)" in out
    assert [c.rpps for c in await contacts(settings)] == ["10000000018", "10000000026"]


async def test_contacts_an_earlier_import_made_are_kept_when_the_next_one_lacks_them(
    settings: Settings, departments: Departments, tmp_path: Path
) -> None:
    await import_rpps(settings, departments)
    text = ACTIVITIES.read_text(encoding="utf-8").splitlines()
    del text[5]  # the nurse has left the Lot
    later = tmp_path / "PS_LibreAcces_Personne_activite_202701010000.txt"
    later.write_text("\n".join(text) + "\n", encoding="utf-8")

    _, out, _ = await import_rpps(settings, departments, activities=later)

    assert "1 contact(s) d'un import précédent absent(s) de celui-ci" in out
    assert "10000000042" in [c.rpps for c in await contacts(settings)]


async def test_a_file_that_is_not_the_extraction_is_refused_and_nothing_is_imported(
    settings: Settings, departments: Departments
) -> None:
    code, _, err = await import_rpps(settings, departments, activities=MAILBOXES)

    assert code == 1
    assert "ligne 1 : colonne(s) absente(s) : type d'identifiant pp" in err
    assert "fichier refusé : rien n'a été importé" in err
    assert await contacts(settings) == []
    assert await figures(settings) == []


async def test_a_gp_count_typed_by_hand_stays(settings: Settings, departments: Departments) -> None:
    year = datetime.now(ZoneInfo("Europe/Paris")).year
    await add(
        settings,
        DepartmentFigures(department="dac46", year=year, territory_gps=180,
                          territory_gps_source="saisie"),
    )  # fmt: skip

    _, out, _ = await import_rpps(settings, departments)

    assert "le nombre saisi à la main est conservé" in out
    assert await figures(settings) == [("dac46", 180, "saisie")]


async def test_a_mail_from_an_mssante_address_of_the_extraction_is_recognised(
    settings: Settings, departments: Departments
) -> None:
    await import_rpps(settings, departments)
    engine = create_engine(settings.database_url)
    known = KnownCallers(engine, key=b"k" * 32)
    await known.refresh()
    await engine.dispose()

    # What the mailbox job gives the mail core for each mail of the department.
    kind, source, reason = classify_sender(
        "Bruno.Lacoste@medecin.mssante.fr", known=known.addresses("dac46"), domains={}
    )

    assert (kind, source) == (ReferrerType.GP, "known_contact")
    assert reason.text == (
        "appelant connu : Docteur Bruno LACOSTE (Médecin, Spécialiste en Médecine Générale ; "
        "RPPS 10000000026)"
    )
    assert known.lookup("dac46", "+33565000199") is None  # the health centre's shared number


async def test_another_territory_s_department_gets_none_of_the_lot_s_professionals(
    settings: Settings, departments: Departments
) -> None:
    _, out, _ = await import_rpps(settings, departments, department="dac57")

    assert out.startswith("dac57 : 0 professionnel(s) exerçant sur le territoire")
    assert await contacts(settings) == []
