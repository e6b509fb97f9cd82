"""The console's templates are compiled once per process, and again when one is edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import aiohttp_jinja2
import jinja2
import pytest

from frontdoor.console.app import console_app

TEMPLATES = Path(__file__).parents[2] / "templates"


def refuse_to_compile(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("compiled again")


def test_a_second_console_app_renders_with_the_pages_the_first_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(TEMPLATES / "console", tmp_path / "console")
    first = aiohttp_jinja2.get_env(console_app(tmp_path))
    first.get_template("error.html")
    second = aiohttp_jinja2.get_env(console_app(tmp_path))
    monkeypatch.setattr(second, "compile", refuse_to_compile)

    assert second.get_template("error.html") is not None


def test_an_edited_page_is_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "console" / "static").mkdir(parents=True)
    page = tmp_path / "console" / "page.html"
    page.write_text("avant", encoding="utf-8")
    first: jinja2.Environment = aiohttp_jinja2.get_env(console_app(tmp_path))
    assert first.get_template("page.html").render() == "avant"

    page.write_text("après", encoding="utf-8")
    second: jinja2.Environment = aiohttp_jinja2.get_env(console_app(tmp_path))

    assert second.get_template("page.html").render() == "après"
