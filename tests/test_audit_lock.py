"""`./dev audit`: a vulnerability in the lock fails; a service without data is not believed.

The pip-audit runs below are what it answered on the project's machines (OSV's host not
resolving, PyPI answering 404 for each version) or what it answers with advisories.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

LOCK = Path(__file__).parents[1] / "requirements.lock"


def _load_script() -> ModuleType:
    path = Path(__file__).parents[1] / "scripts" / "audit_lock.py"
    spec = importlib.util.spec_from_file_location("audit_lock", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_lock"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


audit_lock = _load_script()
Run = audit_lock.Run

DNS_FAILURE = Run(
    returncode=1,
    report=None,
    stderr="Traceback (most recent call last):\n  …\nrequests.exceptions.ConnectionError: "
    "HTTPSConnectionPool(host='api.osv.dev', port=443): Max retries exceeded with url: "
    "/v1/query (Caused by NameResolutionError(\"…Failed to resolve 'api.osv.dev'\"))\n",
)
EVERY_VERSION_UNKNOWN = Run(
    returncode=0,
    report={
        "dependencies": [
            {
                "name": "jinja2",
                "skip_reason": "Dependency not found on PyPI and could not be audited: "
                "jinja2 (3.1.2)",
            }
        ],
        "fixes": [],
    },
    stderr="",
)
CANARY_REPORTED = Run(
    returncode=1,
    report={
        "dependencies": [
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
            }
        ],
        "fixes": [],
    },
    stderr="",
)
LOCK_CLEAN = Run(
    returncode=0,
    report={"dependencies": [{"name": "aiohttp", "version": "3.14.5", "vulns": []}], "fixes": []},
    stderr="",
)
LOCK_VULNERABLE = Run(
    returncode=1,
    report={
        "dependencies": [
            {"name": "aiohttp", "version": "3.14.5", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
            },
        ],
        "fixes": [],
    },
    stderr="",
)
BAD_LOCK = Run(returncode=1, report=None, stderr="pip_audit._cli:requirement file is malformed\n")


@pytest.mark.parametrize(
    ("canary_run", "answer"),
    [
        pytest.param(DNS_FAILURE, audit_lock.Answer.UNREACHABLE, id="host-not-resolved"),
        pytest.param(EVERY_VERSION_UNKNOWN, audit_lock.Answer.NO_DATA, id="canary-skipped"),
        pytest.param(
            Run(
                returncode=0,
                report={"dependencies": [{"name": "jinja2", "version": "3.1.2", "vulns": []}]},
                stderr="",
            ),
            audit_lock.Answer.NO_DATA,
            id="canary-reported-clean",
        ),
        pytest.param(CANARY_REPORTED, audit_lock.Answer.DATA, id="canary-reported"),
        pytest.param(BAD_LOCK, audit_lock.Answer.BROKEN, id="pip-audit-failed"),
    ],
)
def test_what_the_canary_says_of_a_service(canary_run: Run, answer: object) -> None:
    assert audit_lock.answer_of(canary_run) == answer


def scripted(answers: dict[tuple[str, str], Run]):  # type: ignore[no-untyped-def]
    """A pip-audit that answers by (which file, which service): canary or lock."""

    def run(requirements: Path, service: str) -> Run:
        kind = "lock" if requirements == LOCK else "canary"
        return answers[(kind, service)]

    return run


def test_a_vulnerability_in_the_lock_fails_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    run = scripted({("canary", "osv"): CANARY_REPORTED, ("lock", "osv"): LOCK_VULNERABLE})

    assert audit_lock.audit(LOCK, run=run) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in out


def test_a_clean_lock_passes_with_the_first_service_that_has_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = scripted(
        {
            ("canary", "osv"): DNS_FAILURE,
            ("canary", "pypi"): CANARY_REPORTED,
            ("lock", "pypi"): LOCK_CLEAN,
        }
    )

    assert audit_lock.audit(LOCK, run=run) == 0
    assert "audited with pypi: 0 known vulnerabilities" in capsys.readouterr().out


def test_no_service_with_data_passes_but_says_the_lock_was_not_audited(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The lock is never sent to a service that reported the canary clean: its "clean" is
    # worthless.
    run = scripted({("canary", "osv"): DNS_FAILURE, ("canary", "pypi"): EVERY_VERSION_UNKNOWN})

    assert audit_lock.audit(LOCK, run=run) == 0
    out = capsys.readouterr().out
    assert "NOT AUDITED" in out
    assert "osv is unreachable" in out
    assert "pypi gives no data" in out


def test_pip_audit_failing_otherwise_is_an_error() -> None:
    run = scripted({("canary", "osv"): CANARY_REPORTED, ("lock", "osv"): BAD_LOCK})

    assert audit_lock.audit(LOCK, run=run) == 2
