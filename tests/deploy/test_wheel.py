"""Frontdoor installs as a wheel, built from what the image's build stage copies: the texts
(templates/) and the directory's reference files (communes, synonyms) are package data, and
the settings' defaults read them from the installed package, whatever the working directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.deploy.containerfile import stages

PACKAGED = {  # in the repository -> in the wheel
    ROOT / "directory" / "communes.csv": "frontdoor/directory/communes.csv",
    ROOT / "directory" / "synonyms.toml": "frontdoor/directory/synonyms.toml",
} | {
    path: "frontdoor/templates/" + path.relative_to(ROOT / "templates").as_posix()
    for path in (ROOT / "templates").rglob("*")
    if path.is_file()
}


def build_context(folder: Path) -> Path:
    """The build stage's COPY instructions (sources from the repository), into `folder`."""
    build = stages()[0]
    for copy in build.all("COPY"):
        *sources, destination = copy.split()
        for source in sources:
            target = folder / destination
            if destination.endswith("/"):
                target = target / Path(source).name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / source).is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(ROOT / source, target, symlinks=True, ignore=ignore)
            else:
                shutil.copy2(ROOT / source, target)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    context = build_context(tmp_path_factory.mktemp("context"))
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", wheels,
         context],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    [built] = wheels.glob("frontdoor-*.whl")
    return built


def test_the_wheel_holds_the_texts_and_the_directory_reference_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert not [name for name in PACKAGED.values() if name not in names]
        for path, name in PACKAGED.items():
            assert archive.read(name) == path.read_bytes(), name
    assert "frontdoor/templates/voice/prompts.toml" in names


def test_the_installed_wheel_reads_its_own_texts_from_any_working_directory(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "TWILIO_"))}
    env["FRONTDOOR_FLOWS_DIR"] = str(ROOT / "flows")
    # The venv's interpreter (Frontdoor's dependencies) with the unpacked wheel first.
    program = f"""
import sys
sys.path.insert(0, {str(site)!r})
import frontdoor
from frontdoor.cli import main
from frontdoor.directory.communes import COMMUNES_FILE, SYNONYMS_FILE, default_communes
from frontdoor.mailbox.texts import mail_texts
from frontdoor.settings import Settings
from frontdoor.sms.texts import default_texts

settings = Settings()
print(frontdoor.__file__, settings.templates_dir, COMMUNES_FILE, SYNONYMS_FILE, sep="\\n")
assert default_texts(settings.templates_dir) and mail_texts(settings.templates_dir)
assert (settings.templates_dir / "console" / "base.html").is_file()
assert default_communes().find("Figeac")
sys.exit(main(["check"]))
"""

    result = subprocess.run(
        [sys.executable, "-c", program], cwd=elsewhere, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    package, templates, communes, synonyms = result.stdout.splitlines()[:4]
    assert Path(package) == site / "frontdoor" / "__init__.py"
    assert Path(templates) == site / "frontdoor" / "templates"
    assert Path(communes) == site / "frontdoor" / "directory" / "communes.csv"
    assert Path(synonyms) == site / "frontdoor" / "directory" / "synonyms.toml"
    assert "dac46" in result.stdout
