"""The environment against the declaration of settings (frontdoor.settings): the FRONTDOOR_
variables nothing declares, which the command line refuses (a misspelt setting would otherwise
be silently ignored), and the README's tables of variables, written from the declaration.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo

from frontdoor.settings import PREFIX, TOOL_VARIABLES, Settings


def environment_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a setting is read from: FRONTDOOR_<FIELD>, or its aliases
    (TWILIO_AUTH_TOKEN before FRONTDOOR_TWILIO_AUTH_TOKEN)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices if str(choice).isupper()]
    return [PREFIX + name.upper()]


def setting_variables() -> list[str]:
    """Every variable the service reads its settings from."""
    return [
        env for name, field in Settings.model_fields.items()
        for env in environment_names(name, field)
    ]  # fmt: skip


def known_variables() -> list[str]:
    """Every declared variable: the settings' and the tools'."""
    return setting_variables() + [variable.name for variable in TOOL_VARIABLES]


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A problem for each FRONTDOOR_ variable of the environment that nothing declares,
    naming the closest declared one: a misspelt setting would otherwise be silently ignored
    (FRONTDOOR_DATABSE_URL, and the service would run on SQLite)."""
    known = known_variables()
    suffixes = [name.removeprefix(PREFIX) for name in known if name.startswith(PREFIX)]
    problems = []
    for variable in sorted(environ):
        name = variable.upper()  # pydantic-settings reads the environment in any case
        if not name.startswith(PREFIX) or name in known:
            continue
        close = difflib.get_close_matches(name.removeprefix(PREFIX), suffixes, n=1)
        hint = f"did you mean {PREFIX}{close[0]}?" if close else "no setting has a similar name"
        problems.append(f"{variable} is not a Frontdoor setting ({hint})")
    return problems


def unknown_variables_text(problems: Iterable[str]) -> str:
    lines = ["Frontdoor refuses to start: unknown FRONTDOOR_ variables in its environment:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append(
        "  (the settings are listed in README.md, Settings; department files name their own "
        "variables without the FRONTDOOR_ prefix)"
    )
    return "\n".join(lines)


def _type_name(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return " \\| ".join(f"`{value}`" for value in get_args(annotation))
    if isinstance(annotation, types.UnionType):
        return " \\| ".join(
            _type_name(arg) for arg in get_args(annotation) if arg is not type(None)
        )
    names = {
        bool: "true/false", int: "integer", float: "number", str: "text", Path: "path",
        SecretStr: "secret", dict: "JSON object", set: "JSON list",
    }  # fmt: skip
    return names[get_origin(annotation) or annotation]


def _default_shown(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    default = field.get_default(call_default_factory=True)
    if default is None or default == "":
        return "—"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float):
        return f"`{default:g}`"
    if isinstance(default, dict | set):
        return f"`{sorted(default) if isinstance(default, set) else default}`"
    return f"`{default}`"


def settings_table() -> str:
    """The README's table of settings (Markdown), from `Settings`'s declaration."""
    lines = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        variable = ", ".join(f"`{env}`" for env in environment_names(name, field))
        kind = _type_name(field.annotation)
        lines.append(f"| {variable} | {kind} | {_default_shown(field)} | {field.description} |")
    return "\n".join(lines) + "\n"


def tool_variables_table() -> str:
    """The README's table of the variables the tools and tests read (Markdown)."""
    lines = ["| variable | type | default | meaning | read by |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| `{v.name}` | {v.type} | {f'`{v.default}`' if v.default else '—'} | {v.help} "
        f"| {v.read_by} |"
        for v in TOOL_VARIABLES
    ]
    return "\n".join(lines) + "\n"
