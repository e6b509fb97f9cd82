"""Orientation of the public on a professionals-only line: the postal code asked twice at
most, the CLIC, MDPH and CCAS serving the commune read with their numbers, the fixed sentence
when none does."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core.directory_search import Candidate, CommuneRef, Hit
from frontdoor.core.menus import Menu, menu
from frontdoor.core.orientation import (
    ORIENTING,
    Scope,
    departement_of,
    oriented,
    postal_code_missed,
    postal_code_of,
    serving,
    spoken_service,
)
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.speech import Search
from frontdoor.core.taxonomy import Category
from frontdoor.core.voice_actions import Ask, CallUpdate, Hangup, Next, Outcome, Redirect, Say
from tests.core.call_flows_made import PROS_ONLY, TUESDAY_10H, codes, says

THIONVILLE = CommuneRef(insee="57672", name="Thionville", latitude=49.3579, longitude=6.1683)
POSTAL = Next(step="orientation", params=(("stage", "postal"), ("try", "1")))
TURNED_AWAY = ["Réservé aux professionnels.", "Urgence : 15."]


def service(
    id: int, category: Category, insee: str, *, phones: tuple[str, ...] = ("+33353011001",)
) -> Candidate:
    return Candidate(
        id=id,
        name=f"{category.value.upper()} {id}",
        category=category,
        search_text="",
        commune_insee=insee,
        commune_name="Thionville" if insee == "57672" else "Ailleurs",
        phones=phones,
    )


def hit(candidate: Candidate, *, serves: bool = False, located: bool = False) -> Hit:
    return Hit(resource=candidate, serves=serves, located=located)


def test_a_member_of_the_public_keying_2_is_asked_for_a_postal_code() -> None:
    reply = menu(PROS_ONLY, at=TUESDAY_10H, level=Menu.WHO, tries=1, digits="2")

    assert reply.actions == (
        Say(text="Réservé aux professionnels ; votre code postal ?"),
        Ask(prompt="Code postal ?", then=POSTAL, num_digits=5, timeout_s=10, hints=()),
        Redirect(then=POSTAL),
    )
    # Turned away from the referents whatever follows: never a callback owed.
    assert reply.update == CallUpdate(
        referrer_type=ReferrerType.PATIENT,
        outcome=Outcome.PUBLIC_NOT_ALLOWED,
        callback_needed=False,
    )
    assert codes(reply) == ["public-orientation-asked"]


@pytest.mark.parametrize(
    ("digits", "said", "postal"),
    [
        pytest.param("57100", None, "57100", id="keyed"),
        pytest.param(None, Search(postal_code="57100", place="Thionville"), "57100", id="said"),
        pytest.param("5710", None, None, id="four-digits"),
        pytest.param("571000", None, None, id="six-digits"),
        pytest.param("5710#", Search(postal_code="57100"), None, id="keys-win-over-words"),
        pytest.param(None, Search(category=Category.CLIC), None, id="said-no-place"),
        pytest.param(None, None, None, id="silence"),
    ],
)
def test_the_postal_code_is_keyed_or_its_commune_said(
    digits: str | None, said: Search | None, postal: str | None
) -> None:
    assert postal_code_of(digits=digits, said=said) == postal


def test_a_missed_postal_code_is_asked_once_more_without_the_introduction() -> None:
    reply = postal_code_missed(PROS_ONLY, referrer=ReferrerType.CARER, tries=1)

    again = Next(step="orientation", params=(("stage", "postal"), ("try", "2")))
    assert reply.actions == (
        Say(text="Code postal non reconnu."),
        Ask(prompt="Code postal ?", then=again, num_digits=5, timeout_s=10, hints=()),
        Redirect(then=again),
    )


def test_after_the_second_try_the_caller_hears_the_fixed_sentence_and_the_call_ends() -> None:
    reply = postal_code_missed(PROS_ONLY, referrer=ReferrerType.CARER, tries=2)

    assert says(reply) == TURNED_AWAY
    assert reply.actions[-1] == Hangup()
    assert reply.update.outcome is Outcome.PUBLIC_NOT_ALLOWED
    assert reply.update.callback_needed is False
    assert codes(reply) == ["public-orientation-no-postal-code", "public-not-allowed"]


def test_the_public_is_oriented_to_its_clic_and_ccas_and_its_departement_s_mdph() -> None:
    assert {category: rule.scope for category, rule in ORIENTING.items()} == {
        Category.CLIC: Scope.COMMUNE,
        Category.MDPH: Scope.DEPARTEMENT,
        Category.CCAS: Scope.COMMUNE,
    }
    assert list(ORIENTING) == [Category.CLIC, Category.MDPH, Category.CCAS]  # as read


CLIC = service(1, Category.CLIC, "57672")
CLIC_ELSEWHERE = service(2, Category.CLIC, "57463")
MDPH = service(3, Category.MDPH, "57463")
MDPH_54 = service(4, Category.MDPH, "54395")
CCAS = service(5, Category.CCAS, "57672")
CCAS_METZ = service(6, Category.CCAS, "57463")
SSIAD = service(7, Category.SSIAD, "57672")


@pytest.mark.parametrize(
    ("hits", "chosen"),
    [
        pytest.param(
            [hit(CCAS, located=True), hit(MDPH), hit(CLIC, serves=True)], [CLIC, MDPH, CCAS],
            id="clic-mdph-ccas-in-that-order",
        ),
        pytest.param(
            [hit(CLIC_ELSEWHERE), hit(CLIC, serves=True)], [CLIC],
            id="the-clic-serving-the-commune-not-the-nearest",
        ),
        pytest.param([hit(CLIC_ELSEWHERE)], [], id="no-clic-serves-it"),
        pytest.param([hit(MDPH_54), hit(MDPH)], [MDPH], id="the-mdph-of-its-departement"),
        pytest.param([hit(MDPH_54)], [], id="another-departement-s-mdph"),
        pytest.param([hit(CCAS_METZ)], [], id="another-commune-s-ccas"),
        pytest.param([hit(CCAS_METZ, serves=True)], [CCAS_METZ], id="an-intercommunal-ccas"),
        pytest.param([hit(SSIAD, located=True)], [], id="not-an-orienting-category"),
        pytest.param(
            [hit(CLIC, serves=True), hit(service(8, Category.CLIC, "57672"), located=True)],
            [CLIC], id="one-per-category-the-first",
        ),
    ],
)  # fmt: skip
def test_the_services_serving_the_commune(hits: list[Hit], chosen: list[Candidate]) -> None:
    assert [h.resource for h in serving(hits, THIONVILLE)] == chosen


def test_a_postal_code_no_commune_has_is_served_by_nothing() -> None:
    assert serving([hit(CLIC, serves=True), hit(MDPH)], None) == ()


@pytest.mark.parametrize(
    ("code", "departement"),
    [
        ("57672", "57"), ("57100", "57"), ("97411", "974"), ("97400", "974"),
        ("2A004", "20"), ("20000", "20"), ("2B033", "20"), (None, None), ("571", None),
    ],
)  # fmt: skip
def test_the_departement_of_a_code(code: str | None, departement: str | None) -> None:
    assert departement_of(code) == departement


def test_the_services_found_are_read_with_their_numbers_then_offered_by_sms() -> None:
    found = oriented(PROS_ONLY, postal_code="57100", serving=[hit(CLIC, serves=True), hit(MDPH)])

    assert found.resources == (CLIC, MDPH)
    sms = Next(step="orientation", params=(("stage", "sms"), ("postal", "57100")))
    assert found.reply.actions == (
        Say(text="Pour le 57 100 :"),
        Say(text=spoken_service(CLIC)),
        Say(text=spoken_service(MDPH)),
        Say(text="Urgence : 15."),
        Ask(prompt="SMS : 1.", then=sms),
        Say(text="Au revoir."),
        Hangup(),
    )
    assert found.reply.update == CallUpdate(
        outcome=Outcome.PUBLIC_NOT_ALLOWED, callback_needed=False
    )
    [reason] = found.reply.reasons
    assert (reason.code, reason.text) == (
        "public-oriented", "particulier orienté vers : CLIC 1, MDPH 3"
    )  # fmt: skip


def test_nothing_serving_the_commune_gives_the_fixed_sentence() -> None:
    found = oriented(PROS_ONLY, postal_code="99999", serving=[])

    assert found.resources == ()
    assert says(found.reply) == TURNED_AWAY
    assert codes(found.reply) == ["public-orientation-nothing", "public-not-allowed"]


@pytest.mark.parametrize(
    ("candidate", "said"),
    [
        pytest.param(
            CLIC,
            "Pour les personnes âgées et leurs proches, le centre local d'information et de "
            "coordination : CLIC 1, à Thionville. Téléphone : zéro trois, cinquante-trois, "
            "zéro un, dix, zéro un.",
            id="clic",
        ),
        pytest.param(
            MDPH,
            "Pour le handicap, la maison départementale des personnes handicapées : MDPH 3, à "
            "Ailleurs. Téléphone : zéro trois, cinquante-trois, zéro un, dix, zéro un.",
            id="mdph",
        ),
        pytest.param(
            replace(MDPH, name="Maison départementale des personnes handicapées de la Moselle"),
            "Pour le handicap : Maison départementale des personnes handicapées de la Moselle, "
            "à Ailleurs. Téléphone : zéro trois, cinquante-trois, zéro un, dix, zéro un.",
            id="mdph-named-for-what-it-is",
        ),
        pytest.param(
            service(9, Category.CCAS, "57672", phones=()),
            "Pour une aide sociale, le centre communal d'action sociale : CCAS 9, à Thionville. "
            "Pas de numéro de téléphone connu.",
            id="ccas-without-a-number",
        ),
    ],
)
def test_each_service_is_said_with_what_it_is_for_and_its_number_in_pairs(
    candidate: Candidate, said: str
) -> None:
    assert spoken_service(candidate) == said
