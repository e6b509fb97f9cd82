"""Prompt texts: the department's wording of what callers and referents hear."""

from __future__ import annotations

from functools import lru_cache
from string import Template

from frontdoor.core.department import Department


def prompt(department: Department, key: str, **values: str) -> str:
    """A prompt text of the department, with its placeholders filled."""
    text = _with_department(department.prompts[key], department.name)
    return Template(text).safe_substitute(**values) if values else text


@lru_cache(maxsize=1024)
def _with_department(text: str, name: str) -> str:
    # Prompts are read on every call: fill in the department's name once.
    return Template(text).safe_substitute(department=name)
