"""`./dev audit`: pip-audit on the lock file, honest about a service that cannot answer.

pip-audit prints "No known vulnerabilities found" and exits 0 when its service knows none of
the versions it asked about: PyPI's JSON API answering 404 for each version makes every
package "skipped", and a clean report. So each service is first asked about a canary, a
release with published advisories; a service that does not report the canary has no data,
and is not trusted with the lock. The verdict:

- a trusted service reports a vulnerability in the lock: exit 1, with the findings;
- a trusted service reports none: exit 0;
- no service is reachable or has data: exit 0, saying loudly that the lock was not audited
  (CI must not fail because a vulnerability feed cannot be reached from where it runs).

Anything else (pip-audit failing for another reason, a lock it cannot read) exits 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

# OSV first: it answers for any version. PyPI's per-version JSON carries the same advisories.
SERVICES = ("osv", "pypi")
# Five published advisories (GHSA-h5c8-rqwp-cp95 the first, CVE-2024-22195).
CANARY = "jinja2==3.1.2"
# What requests and pip-audit say when a service's host cannot be reached or fails.
UNREACHABLE_SIGNS = (
    "requests.exceptions.ConnectionError",
    "requests.exceptions.ConnectTimeout",
    "requests.exceptions.ReadTimeout",
    "requests.exceptions.HTTPError: 5",
    "Could not connect to",
    "your network may be blocking this service",
)


@dataclass(kw_only=True, frozen=True)
class Run:
    """One pip-audit run: its exit code, its JSON report when it wrote one, its stderr."""

    returncode: int
    report: dict[str, Any] | None
    stderr: str


class Answer(Enum):
    DATA = "answers with advisories"
    NO_DATA = "gives no data"
    UNREACHABLE = "is unreachable"
    BROKEN = "failed"


@dataclass(kw_only=True, frozen=True)
class Finding:
    name: str
    version: str
    id: str
    fix_versions: tuple[str, ...]

    def __str__(self) -> str:
        fix = ", ".join(self.fix_versions) or "no fixed version"
        return f"{self.name} {self.version}: {self.id} (fixed in {fix})"


def answer_of(run: Run) -> Answer:
    """What a run says of its service: a report with vulnerabilities means data; a report
    without any, when the canary was asked, means the service knows nothing."""
    if run.report is None:
        if any(sign in run.stderr for sign in UNREACHABLE_SIGNS):
            return Answer.UNREACHABLE
        return Answer.BROKEN
    return Answer.DATA if findings_of(run) else Answer.NO_DATA


def findings_of(run: Run) -> list[Finding]:
    return [
        Finding(
            name=dependency["name"],
            version=dependency["version"],
            id=vulnerability["id"],
            fix_versions=tuple(vulnerability.get("fix_versions", ())),
        )
        for dependency in (run.report or {}).get("dependencies", [])
        for vulnerability in dependency.get("vulns", [])
    ]


def skipped_of(run: Run) -> list[str]:
    return [
        dependency["skip_reason"]
        for dependency in (run.report or {}).get("dependencies", [])
        if "skip_reason" in dependency
    ]


def pip_audit(requirements: Path, service: str) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        process = subprocess.run(
            [
                sys.executable, "-m", "pip_audit",
                "--requirement", str(requirements),
                # The lock is complete and hashed: read its pins, resolve nothing.
                "--disable-pip", "--no-deps",
                "--vulnerability-service", service,
                "--progress-spinner", "off",
                "--format", "json", "--output", str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        report = json.loads(output.read_text()) if output.exists() else None
    return Run(returncode=process.returncode, report=report, stderr=process.stderr)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(nothing on stderr)"


def audit(lock: Path, *, run: Callable[[Path, str], Run] = pip_audit) -> int:
    tried: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        canary = Path(folder) / "canary.txt"
        canary.write_text(CANARY + "\n")
        for service in SERVICES:
            probe = run(canary, service)
            answer = answer_of(probe)
            if answer is Answer.BROKEN:
                print(f"pip-audit failed ({service}): {last_line(probe.stderr)}", file=sys.stderr)
                return 2
            if answer is Answer.UNREACHABLE:
                tried.append(f"{service} is unreachable: {last_line(probe.stderr)}")
                continue
            if answer is Answer.NO_DATA:
                tried.append(
                    f"{service} gives no data: {CANARY}, with published advisories, "
                    f"came back clean ({'; '.join(skipped_of(probe)) or 'no vulns'})"
                )
                continue
            audited = run(lock, service)
            if audited.report is None:
                if answer_of(audited) is Answer.UNREACHABLE:
                    tried.append(f"{service} became unreachable: {last_line(audited.stderr)}")
                    continue
                print(f"pip-audit failed on {lock}: {last_line(audited.stderr)}", file=sys.stderr)
                return 2
            for reason in skipped_of(audited):
                print(f"not audited: {reason}")
            found = findings_of(audited)
            for finding in found:
                print(f"VULNERABLE {finding}")
            print(f"{lock} audited with {service}: {len(found)} known vulnerabilities.")
            return 1 if found else 0
    print(f"{lock} NOT AUDITED: no vulnerability service answered here.")
    for line in tried:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(audit(Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")))
