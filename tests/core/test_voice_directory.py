"""Voice self-service: a postal code, a category, three resources read out, an SMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.core.call_flow import DIRECTORY_KEY, Menu, menu
from frontdoor.core.taxonomy import Category
from frontdoor.core.voice_actions import Ask, Hangup, Outcome, Redirect, Say
from frontdoor.core.voice_directory import (
    ask_postal_code,
    category_of,
    postal_code_keyed,
    results,
    sms_chosen,
)
from frontdoor.department_file.load import load_departments
from tests.core.departments_made import MONDAY_10H

ROOT = Path(__file__).resolve().parents[2]
LOT = next(
    d
    for d in load_departments(
        ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml"
    ).values()
    if d.slug == "dac46"
)


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
    reply = postal_code_keyed(LOT, digits=digits)

    assert reply.actions[0] == Say(text="Je n'ai pas reconnu ce code postal.")
    assert isinstance(reply.actions[1], Ask)


def test_a_valid_postal_code_leads_to_the_category_menu_carrying_the_code() -> None:
    reply = postal_code_keyed(LOT, digits="46100")

    ask = reply.actions[0]
    assert isinstance(ask, Ask)
    assert ask.prompt.startswith("Pour un service de soins infirmiers à domicile, tapez 1.")
    assert dict(ask.then.params) == {"stage": "category", "postal": "46100"}


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
        ("1", True, "C'est envoyé. Merci de votre appel, au revoir.", "directory-sms-sent"),
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
