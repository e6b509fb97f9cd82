"""The menus when the caller speaks: acted on when sure, read back when not, keys instead
when not understood or refused — and still two tries at most before the way out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core.department import Department
from frontdoor.core.directory_search import Vocabulary
from frontdoor.core.menus import Confirming, Menu, confirming_of, menu
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.speech import YES_NO_HINTS, Heard, Lexicon, Place, Understood
from frontdoor.core.voice_actions import Ask, CallUpdate, Next, Outcome, Redirect, Reply, Say
from tests.core.call_flows_made import (
    LOT,
    PROS_ONLY,
    TUESDAY_10H,
    ask_menu,
    codes,
    first_ring,
    says,
)

LEXICON = Lexicon.build(
    Vocabulary.build({"ehpad": ["maison de retraite"]}, ["Figeac"]),
    [Place(name="Figeac", postal_code="46100")],
)
WHO_KEYS = "Professionnel 1, patient 2, aidant 3."


def spoken(
    text: str,
    confidence: float | None = 0.9,
    *,
    level: Menu = Menu.WHO,
    tries: int = 1,
    dept: Department = LOT,
) -> Reply:
    return menu(
        dept,
        at=TUESDAY_10H,
        level=level,
        tries=tries,
        digits=None,
        heard=Heard(text=text, confidence=confidence),
        lexicon=LEXICON,
    )


def answered(
    digits: str | None, text: str | None, *, tries: int = 1, understood: Understood
) -> Reply:
    return menu(
        LOT,
        at=TUESDAY_10H,
        level=Menu.CONFIRM,
        tries=tries,
        digits=digits,
        heard=Heard(text=text, confidence=0.8) if text else None,
        lexicon=LEXICON,
        confirming=Confirming(back=Menu.WHO, understood=understood),
    )


NURSE = Understood(referrer=ReferrerType.NURSE, sure=True, rule="confirmed")


def test_a_sure_hearing_routes_as_a_key_would_with_the_precise_type() -> None:
    reply = spoken("je suis infirmière libérale", 0.92)

    assert reply.actions == first_ring("amartin")
    assert reply.update == CallUpdate(referrer_type=ReferrerType.NURSE)
    assert codes(reply)[:2] == ["speech-understood", "menu-choice"]
    assert reply.reasons[0].text == "compris à la voix : Infirmier libéral (confiance 0,92)"


def test_keys_pressed_win_over_words() -> None:
    reply = menu(
        LOT, at=TUESDAY_10H, level=Menu.WHO, tries=1, digits="1",
        heard=Heard(text="je suis pharmacienne", confidence=0.9), lexicon=LEXICON,
    )  # fmt: skip

    assert reply.actions == ask_menu(Menu.PROFESSION, 1, "Médecin 1 … autre 6.")


def test_an_unsure_hearing_is_read_back_with_what_it_understood_in_the_signed_url() -> None:
    reply = spoken("je suis infirmière libérale", 0.42)

    then = Next(
        step="menu",
        params=(("level", "confirm"), ("menu", "who"), ("try", "1"), ("referrer", "nurse")),
    )
    assert reply.actions == (
        Ask(
            prompt="Un appel d'un infirmier ou d'une infirmière ? Oui ou 1.",
            then=then,
            hints=YES_NO_HINTS,
        ),
        Redirect(then=then),
    )
    assert reply.update == CallUpdate()
    assert codes(reply) == ["speech-to-confirm"]


@pytest.mark.parametrize(("digits", "text"), [("1", None), (None, "oui tout à fait")])
def test_a_read_back_confirmed_routes(digits: str | None, text: str | None) -> None:
    reply = answered(digits, text, understood=NURSE)

    assert reply.actions == first_ring("amartin")
    assert reply.update.referrer_type is ReferrerType.NURSE
    assert codes(reply)[0] == "speech-confirmed"


@pytest.mark.parametrize(
    ("digits", "text"), [("2", None), (None, "non"), (None, None), (None, "euh")]
)
def test_a_read_back_refused_or_unanswered_asks_the_keys(
    digits: str | None, text: str | None
) -> None:
    reply = answered(digits, text, understood=NURSE)

    assert reply.actions == (Say(text="Les touches, svp."),
                             *ask_menu(Menu.WHO, 2, WHO_KEYS, listen=False))  # fmt: skip
    assert reply.update == CallUpdate()
    assert codes(reply) == ["speech-not-confirmed"]


def test_a_read_back_refused_at_the_last_try_goes_through_unclassified() -> None:
    reply = answered("2", None, tries=2, understood=NURSE)

    assert reply.actions == first_ring("amartin")
    assert reply.update.referrer_type is ReferrerType.UNKNOWN
    assert codes(reply)[:2] == ["speech-not-confirmed", "menu-no-choice"]


def test_words_not_understood_ask_the_keys_then_give_up() -> None:
    first = spoken("quel temps fait-il", 0.95)
    last = spoken("quel temps fait-il", 0.95, tries=2)

    assert first.actions == (Say(text="Les touches, svp."),
                             *ask_menu(Menu.WHO, 2, WHO_KEYS, listen=False))  # fmt: skip
    assert codes(first) == ["speech-not-understood"]
    assert last.actions == first_ring("amartin")
    assert codes(last)[:2] == ["speech-not-understood", "menu-no-choice"]


def test_the_profession_menu_refused_comes_back_to_the_profession_menu() -> None:
    reply = spoken("je suis kiné", 0.2, level=Menu.PROFESSION)
    [ask, _] = reply.actions
    assert isinstance(ask, Ask)
    back = confirming_of(dict(ask.then.params))

    refused = menu(LOT, at=TUESDAY_10H, level=Menu.CONFIRM, tries=1, digits="2",
                   confirming=back)  # fmt: skip

    assert back == Confirming(
        back=Menu.PROFESSION,
        understood=Understood(referrer=ReferrerType.PHYSIO, sure=True, rule="confirmed"),
    )
    assert refused.actions[1:] == ask_menu(Menu.PROFESSION, 2, "Médecin 1 … autre 6.",
                                           listen=False)  # fmt: skip


def test_a_directory_question_with_a_place_goes_straight_to_the_resources() -> None:
    reply = spoken("je cherche une maison de retraite à Figeac", 0.9)

    assert reply.actions == (
        Redirect(
            then=Next(
                step="directory",
                params=(("stage", "search"), ("category", "ehpad"), ("postal", "46100")),
            )
        ),
    )
    assert reply.update == CallUpdate(outcome=Outcome.IN_PROGRESS)
    assert codes(reply) == ["speech-understood", "directory-asked"]


def test_a_directory_question_without_a_place_asks_the_postal_code_for_its_category() -> None:
    with_directory = replace(LOT, prompts={**LOT.prompts, "directory_postal_code": "Code ?"})

    reply = spoken("je cherche une maison de retraite", 0.9, dept=with_directory)

    [ask, redirect] = reply.actions
    assert isinstance(ask, Ask)
    assert ask.then == Next(
        step="directory", params=(("stage", "postal"), ("category", "ehpad"), ("try", "1"))
    )
    assert redirect == Redirect(then=ask.then)


def test_an_unsure_directory_question_is_read_back_with_its_commune() -> None:
    reply = spoken("je cherche une maison de retraite à Figeac", 0.3)

    assert says(reply) == []
    [ask, _] = reply.actions
    assert isinstance(ask, Ask)
    assert ask.prompt == (
        "Vous cherchez une maison de retraite médicalisée, un EHPAD, près de Figeac ? Oui ou 1."
    )
    assert dict(ask.then.params)["category"] == "ehpad"


def test_a_relative_on_a_professionals_only_line_is_asked_where_they_live_as_a_carer() -> None:
    reply = spoken("c'est pour ma mère", 0.9, dept=PROS_ONLY)

    assert says(reply) == ["Réservé aux professionnels ; votre code postal ?"]
    assert "orientation" in [a.then.step for a in reply.actions if isinstance(a, Ask)]
    assert reply.update.referrer_type is ReferrerType.CARER
    assert reply.update.outcome is Outcome.PUBLIC_NOT_ALLOWED


@pytest.mark.parametrize(
    "params",
    [{"menu": "confirm"}, {"menu": "elsewhere"}, {"referrer": "surgeon"}],
    ids=["back-to-itself", "unknown-menu", "unknown-referrer"],
)
def test_a_read_back_url_naming_what_frontdoor_never_wrote_is_refused(
    params: dict[str, str],
) -> None:
    with pytest.raises(ValueError):
        confirming_of(params)
