"""Every text's placeholders are checked against what its callers fill, when it is loaded:
templates/ and a department's own wording alike."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from frontdoor.core.texts import MAIL, PROMPTS, SMS, Texts, placeholders
from frontdoor.department_file.load import ConfigError, load_department, load_prompts
from frontdoor.mailbox.texts import mail_texts
from frontdoor.sms.texts import load_texts
from tests.flows_text import VALID, write

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
SHIPPED = {
    "voice/prompts.toml": PROMPTS,
    "sms/texts.toml": SMS,
    "mail/texts.toml": MAIL,
}


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_texts_are_exactly_the_declared_ones_and_name_only_what_is_filled(
    name: str,
) -> None:
    texts = tomllib.loads((TEMPLATES / name).read_text(encoding="utf-8"))

    assert set(texts) == set(SHIPPED[name].fills)
    assert SHIPPED[name].file_problems(texts) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_each_declared_placeholder_is_used_by_the_shipped_wording(name: str) -> None:
    """A placeholder declared but said by no shipped text would be a guess, not a fill."""
    texts = tomllib.loads((TEMPLATES / name).read_text(encoding="utf-8"))
    declared = {p for fills in SHIPPED[name].fills.values() for p in fills}

    assert declared <= {p for text in texts.values() for p in placeholders(text)}


def test_a_text_naming_a_placeholder_nobody_fills_is_refused() -> None:
    assert PROMPTS.problems("goodbye", "Au revoir, $caller.") == [
        "unknown placeholder $caller (allowed: $department)"
    ]


def test_a_text_leaving_out_what_it_must_say_is_refused() -> None:
    assert SMS.problems("acknowledgement_closed", "Nous sommes fermés.") == [
        "missing placeholder $reopening"
    ]
    assert PROMPTS.problems("directory_category_choice", "Pour $category, tapez.") == [
        "missing placeholder $digit"
    ]


def test_a_department_override_missing_a_placeholder_is_refused_at_load(tmp_path: Path) -> None:
    text = VALID + '\n[sms]\nacknowledgement_closed = "$department : nous sommes fermés."\n'
    text += '\n[prompts]\nwhisper = "$department : appel de $name."\n'

    with pytest.raises(ConfigError) as error:
        load_department(
            write(tmp_path, "dac99.toml", text), load_prompts(TEMPLATES / "voice" / "prompts.toml")
        )

    assert [(p.key, p.message) for p in error.value.problems] == [
        ("prompts.whisper", "unknown placeholder $name (allowed: $caller, $department)"),
        ("prompts.whisper", "missing placeholder $caller"),
        ("sms.acknowledgement_closed", "missing placeholder $reopening"),
    ]


def test_a_template_file_with_a_wrong_placeholder_is_refused_with_its_key(
    tmp_path: Path,
) -> None:
    prompts = (TEMPLATES / "voice" / "prompts.toml").read_text(encoding="utf-8")
    path = write(
        tmp_path,
        "prompts.toml",
        prompts.replace("Il rouvrira $reopening", "Il rouvrira $reouverture"),
    )

    with pytest.raises(ConfigError) as error:
        load_prompts(path)

    assert [str(p) for p in error.value.problems] == [
        "prompts.toml: closed: unknown placeholder $reouverture (allowed: $department, $reopening)",
        "prompts.toml: closed: missing placeholder $reopening",
    ]


def shipped_with(tmp_path: Path, source: str, key: str, text: str) -> Path:
    """A copy of a shipped texts file (at the same place under tmp_path), one text changed."""
    texts = tomllib.loads((TEMPLATES / source).read_text(encoding="utf-8"))
    texts[key] = text
    path = tmp_path / source
    path.parent.mkdir(parents=True)
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in texts.items()), "utf-8")
    return path


def test_an_sms_template_leaving_out_what_it_must_say_is_refused(tmp_path: Path) -> None:
    path = shipped_with(tmp_path, "sms/texts.toml", "notification", "$department : nouveau SMS.")

    with pytest.raises(ValueError, match="notification: missing placeholder \\$request"):
        load_texts(path)


def test_a_mail_template_naming_a_placeholder_nobody_fills_is_refused(tmp_path: Path) -> None:
    shipped_with(tmp_path, "mail/texts.toml", "information_subject", "$reference Information")

    with pytest.raises(ValueError, match="information_subject: unknown placeholder \\$reference"):
        mail_texts(tmp_path)


def test_every_family_names_its_texts_in_a_refusal() -> None:
    family = Texts(noun="SMS text", fills={"help": frozenset({"department"})})

    assert family.problems("aide", "x") == ["unknown SMS text (known: help)"]
