"""Prompt texts: the department's wording of what callers and referents hear."""

from __future__ import annotations

from functools import lru_cache
from string import Template

from frontdoor.core.department import Department
from frontdoor.core.texts import medical_advice, tidy


def prompt(department: Department, key: str, **values: str) -> str:
    """A prompt text of the department, with its placeholders filled."""
    text = _with_department(department.prompts[key], department.name)
    return Template(text).safe_substitute(**values) if values else text


def emergency(department: Department) -> str:
    """The emergency sentence: 15, 112 and 114 always; 116 117 where the department says its
    region answers it."""
    advice = medical_advice(department.prompts, says_116117=department.medical_advice_116117)
    return tidy(prompt(department, "emergency", medical_advice=advice))


@lru_cache(maxsize=1024)
def _with_department(text: str, name: str) -> str:
    # Prompts are read on every call: fill in the department's name once.
    return Template(text).safe_substitute(department=name)
