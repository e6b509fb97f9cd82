"""The emergency sentence, by voice, SMS and mail: 15, 112 and 114 (deaf and hard-of-hearing
people, by SMS or the app) everywhere; 116 117 (medical advice when one's doctor is away)
only where the department names it, metropolitan departments by default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from frontdoor.core import mail, sms
from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.prompts import emergency
from frontdoor.department_file.load import load_prompts
from frontdoor.mailbox.texts import mail_texts
from frontdoor.sms.texts import load_texts
from tests.conftest import ROOT
from tests.core.departments_made import PARIS, department

TEMPLATES = ROOT / "templates"
PROMPTS = load_prompts(TEMPLATES / "voice" / "prompts.toml")
SMS_TEXTS = load_texts(TEMPLATES / "sms" / "texts.toml")
MAIL_TEXTS = mail_texts(TEMPLATES)
FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)  # closed, reopens Monday


def dac(*, says_116117: bool) -> Department:
    return replace(department(), prompts=PROMPTS, medical_advice_116117=says_116117)


def closed_sms(dac: Department) -> str:
    opening = opening_at(FRIDAY_EVENING, dac.calendar)
    return sms.acknowledgement(dac, at=FRIDAY_EVENING, opening=opening, texts=SMS_TEXTS)


def closed_mail(dac: Department) -> str:
    opening = opening_at(FRIDAY_EVENING, dac.calendar)
    return mail.acknowledgement(
        dac, at=FRIDAY_EVENING, opening=opening, request_id=7, subject="Mme X", texts=MAIL_TEXTS
    ).body


@pytest.mark.parametrize("says", [closed_sms, closed_mail, emergency], ids=["sms", "mail", "voice"])
def test_116_117_is_named_where_the_department_says_so_and_114_everywhere(
    says: Callable[[Department], str],
) -> None:
    with_advice, without = says(dac(says_116117=True)), says(dac(says_116117=False))

    assert all(n in with_advice for n in ("15", "112", "114", "116 117"))
    assert all(n in without for n in ("15", "112", "114"))
    assert "116 117" not in without
    assert "  " not in without
    assert without == without.strip()


def test_the_voice_sentence_reads_as_french() -> None:
    assert emergency(dac(says_116117=False)) == (
        "En cas d'urgence vitale, appelez le 15 ou le 112 ; si vous êtes sourd ou malentendant, "
        "le 114, par SMS ou par l'application."
    )
    assert emergency(dac(says_116117=True)).endswith(
        "par l'application. Pour un avis médical quand votre médecin n'est pas joignable, "
        "appelez le 116 117."
    )


def test_without_116_117_the_mail_keeps_its_lines() -> None:
    body = closed_mail(dac(says_116117=False))

    assert "le 114, par SMS ou par l'application.\n\nCe message est envoyé automatiquement." in body
