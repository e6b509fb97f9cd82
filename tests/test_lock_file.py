"""requirements.lock pins what pyproject.toml asks for: a dependency added or a bound raised
without `./dev lock` fails here, before an environment is built from a stale lock. The
image's deploy/requirements.lock pins the same versions, so what CI tested and audited is
what production runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
# `name==version`, then a marker (`; python_full_version >= '3.12'`) or the hashes.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)", re.MULTILINE)


def locked(lock: str = "requirements.lock") -> dict[str, list[str]]:
    """Each locked name with its versions: several when Pythons or platforms differ."""
    pins: dict[str, list[str]] = {}
    for match in PIN.finditer((ROOT / lock).read_text()):
        pins.setdefault(canonicalize_name(match["name"]), []).append(match["version"])
    return pins


def asked() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(text) for text in texts]


def test_every_requirement_of_the_project_and_its_test_extra_is_locked_within_its_bounds() -> None:
    pins = locked()
    for requirement in asked():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run ./dev lock"
        outside = [v for v in pins[name] if not requirement.specifier.contains(v, prereleases=True)]
        assert not outside, f"requirements.lock pins {name} at {outside}, outside {requirement}"


@pytest.mark.parametrize("lock", ["requirements.lock", "deploy/requirements.lock"])
def test_every_pin_carries_its_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
    pinned = [entry for entry in entries if PIN.match(entry)]
    assert len(pinned) == sum(len(versions) for versions in locked(lock).values())
    for entry in pinned:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_image_installs_the_runtime_dependencies_at_the_tested_versions() -> None:
    tested, image = locked(), locked("deploy/requirements.lock")
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for text in runtime:
        assert canonicalize_name(Requirement(text).name) in image, f"{text}: run ./dev lock"
    for name, versions in image.items():
        assert tested.get(name) == versions, f"{name}: {versions} in the image, run ./dev lock"
    assert "pytest" not in image  # the test extra stays out of production
