"""Voice self-service: a postal code, a category, three resources read out, an SMS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.call_flow import gave_up
from frontdoor.core.department import Department
from frontdoor.core.menus import DIRECTORY_KEY, Menu, menu
from frontdoor.core.speech import Search
from frontdoor.core.taxonomy import Category
from frontdoor.core.voice_actions import (
    Ask,
    Hangup,
    Next,
    Outcome,
    RecordMessage,
    Redirect,
    Ring,
    Say,
)
from frontdoor.core.voice_directory import (
    TRIES,
    ask_postal_code,
    category_missed,
    category_of,
    category_said,
    postal_code_keyed,
    results,
    sms_chosen,
)
from frontdoor.department_file.load import load_departments
from tests.core.departments_made import MONDAY_10H

ROOT = Path(__file__).resolve().parents[2]


def _departments() -> dict[str, Department]:
    return load_departments(ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml")


LOT = next(d for d in _departments().values() if d.slug == "dac46")


def test_key_nine_of_the_first_menu_asks_for_a_five_digit_postal_code() -> None:
    reply = menu(LOT, at=MONDAY_10H, level=Menu.WHO, tries=1, digits=DIRECTORY_KEY)

    ask, redirect = reply.actions
    assert isinstance(ask, Ask)
    assert ask.num_digits == 5
    assert "code postal" in ask.prompt
    assert isinstance(redirect, Redirect)
    assert reply == ask_postal_code(LOT)


@pytest.mark.parametrize("digits", [None, "4610", "461000", "46a00"], ids=str)
def test_a_postal_code_that_is_not_five_digits_is_asked_again(digits: str | None) -> None:
    reply = postal_code_keyed(LOT, digits=digits, tries=1, gave_up=gave_up(LOT, at=MONDAY_10H,
                              code="directory-no-choice"))  # fmt: skip

    assert reply.actions[0] == Say(text="Je n'ai pas reconnu ce code postal.")
    ask = reply.actions[1]
    assert isinstance(ask, Ask)
    assert dict(ask.then.params) == {"stage": "postal", "try": "2"}


@pytest.mark.parametrize("digits", [None, "4610", "*#", "00000a"], ids=str)
def test_after_the_last_try_at_the_postal_code_the_call_goes_to_a_referent(
    digits: str | None,
) -> None:
    way_out = gave_up(LOT, at=MONDAY_10H, code="directory-no-choice")

    reply = postal_code_keyed(LOT, digits=digits, tries=TRIES, gave_up=way_out)

    assert reply == way_out
    assert any(isinstance(action, Ring) for action in reply.actions)
    assert [reason.code for reason in reply.reasons][0] == "directory-no-choice"


@pytest.mark.parametrize("digits", [None, "0", "8", "99"], ids=str)
def test_the_category_menu_is_asked_twice_then_the_call_goes_to_a_referent(
    digits: str | None,
) -> None:
    way_out = gave_up(LOT, at=MONDAY_10H, code="directory-no-choice")

    again = category_missed(LOT, postal="46100", digits=digits, tries=1, gave_up=way_out)
    last = category_missed(LOT, postal="46100", digits=digits, tries=TRIES, gave_up=way_out)

    ask = next(action for action in again.actions if isinstance(action, Ask))
    assert dict(ask.then.params) == {"stage": "category", "postal": "46100", "try": "2"}
    assert last == way_out


def test_giving_up_when_nobody_is_on_duty_offers_a_message() -> None:
    moselle = next(d for d in _departments().values() if d.slug == "dac57")
    wednesday_afternoon = datetime(2026, 5, 13, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))

    reply = gave_up(moselle, at=wednesday_afternoon, code="directory-no-choice")

    assert not any(isinstance(action, Ring) for action in reply.actions)
    assert any(isinstance(action, RecordMessage) for action in reply.actions)


def test_a_valid_postal_code_leads_to_the_category_menu_carrying_the_code() -> None:
    reply = postal_code_keyed(LOT, digits="46100", tries=1, gave_up=gave_up(LOT, at=MONDAY_10H,
                              code="directory-no-choice"))  # fmt: skip

    ask = reply.actions[0]
    assert isinstance(ask, Ask)
    assert ask.prompt.startswith("Dites ce que vous cherchez, par exemple : une aide à domicile."
                                 " Ou bien : Pour un service de soins infirmiers à domicile, "
                                 "tapez 1.")  # fmt: skip
    assert ask.hints is not None
    assert {"SSIAD", "EHPAD"} <= set(ask.hints)
    assert dict(ask.then.params) == {"stage": "category", "postal": "46100", "try": "1"}


@pytest.mark.parametrize(
    ("said", "category"),
    [(Search(postal_code="46100", place="Figeac"), None),
     (Search(category=Category.EHPAD, postal_code="46100", place="Figeac"), Category.EHPAD)],
    ids=["a-commune", "a-resource-and-a-commune"],
)  # fmt: skip
def test_a_commune_said_instead_of_a_postal_code_is_its_postal_code(
    said: Search, category: Category | None
) -> None:
    out = gave_up(LOT, at=MONDAY_10H, code="directory-no-choice")

    reply = postal_code_keyed(LOT, digits=None, tries=1, gave_up=out, said=said)

    if category is None:  # the category menu, for Figeac's postal code
        ask = reply.actions[0]
        assert isinstance(ask, Ask)
        assert dict(ask.then.params)["postal"] == "46100"
    else:  # nothing left to ask: the resources
        assert reply.actions == (Redirect(then=Next(step="directory", params=(
            ("stage", "search"), ("category", "ehpad"), ("postal", "46100")))),)  # fmt: skip


def test_words_naming_no_place_at_the_postal_code_prompt_are_a_wrong_code() -> None:
    out = gave_up(LOT, at=MONDAY_10H, code="directory-no-choice")

    reply = postal_code_keyed(
        LOT, digits=None, tries=1, gave_up=out, said=Search(category=Category.EHPAD)
    )

    assert [a.text for a in reply.actions if isinstance(a, Say)] == [
        "Je n'ai pas reconnu ce code postal."
    ]
    assert postal_code_keyed(LOT, digits=None, tries=2, gave_up=out, said=None) == out


def test_a_category_is_said_or_keyed() -> None:
    assert category_said(Search(category=Category.SAAD)) is Category.SAAD
    assert category_said(Search(postal_code="46100")) is None
    assert category_said(None) is None


def test_categories_are_chosen_by_key() -> None:
    assert category_of("1") is Category.SSIAD
    assert category_of("2") is Category.EHPAD
    assert category_of("0") is None


def test_results_are_read_then_offered_by_sms_and_the_call_ends_informed() -> None:
    reply = results(
        LOT,
        postal_code="46100",
        category=Category.SSIAD,
        spoken=["SSIAD du Pays de Figeac, zéro cinq, trente-six, quarante-neuf, dix, zéro un."],
    )

    assert reply.actions[0] == Say(
        text="Voici les ressources les plus proches pour un service de soins infirmiers "
        "à domicile, code postal 46 100."
    )
    assert isinstance(reply.actions[2], Ask)
    assert reply.actions[-1] == Hangup()
    assert reply.update.outcome is Outcome.INFORMED
    assert reply.update.callback_needed is False


def test_nothing_found_says_so_and_never_leaves_the_caller_in_silence() -> None:
    reply = results(LOT, postal_code="46100", category=Category.PASS, spoken=[])

    assert reply.actions[0] == Say(
        text="Je n'ai pas trouvé une permanence d'accès aux soins de santé pour le code postal "
        "46 100. Vous pouvez rappeler et demander un référent."
    )
    assert reply.actions[-1] == Hangup()
    assert [r.code for r in reply.reasons] == ["directory-nothing"]


@pytest.mark.parametrize(
    ("digits", "can_send", "said", "code"),
    [
        ("1", True, "Je vous envoie ces informations par SMS. Merci de votre appel, au revoir.",
         "directory-sms-sent"),
        ("1", False, "Je ne peux pas envoyer de SMS à ce numéro. Au revoir.",
         "directory-sms-impossible"),
        (None, True, "Merci de votre appel. Au revoir.", None),
    ],
    ids=["sent", "withheld-or-opted-out", "no-key"],
)  # fmt: skip
def test_the_sms_is_sent_only_when_asked_and_possible(
    digits: str | None, can_send: bool, said: str, code: str | None
) -> None:
    reply = sms_chosen(LOT, digits=digits, can_send=can_send)

    assert reply.actions == (Say(text=said), Hangup())
    assert [r.code for r in reply.reasons] == ([code] if code else [])
