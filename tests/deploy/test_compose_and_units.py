"""deploy/compose.yaml and deploy/systemd/frontdoor@.service say what the image and the
service expect: the image's start command, known settings, secrets, the proxy's upstreams.

The compose file is read with PyYAML: the venv's if it has one, else the system's Python with
Debian's python3-yaml (a real YAML parser either way; no container engine runs here). The unit
is checked by `systemd-analyze verify` with its paths mapped onto the repository.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from frontdoor.environment import setting_variables
from tests.conftest import ROOT
from tests.deploy.containerfile import final

DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "systemd" / "frontdoor@.service"
INSTANCES = ("frontdoor-a", "frontdoor-b")
# Without them `frontdoor serve` refuses to start (frontdoor.unsafe_settings).
REQUIRED_SECRETS = {"TWILIO_AUTH_TOKEN", "FRONTDOOR_PSEUDONYM_KEY", "FRONTDOOR_DATABASE_URL"}
# The development mode's: never set by what deploys the service.
DEVELOPMENT_ONLY = ("FRONTDOOR_DEV_MODE", "FRONTDOOR_SIMULATED_TIME")


def load_yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        python = "/usr/bin/python3"
        probe = subprocess.run([python, "-c", "import yaml"], capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("no YAML parser: pip install pyyaml, or apt-get install python3-yaml")
        dumped = subprocess.run(
            [
                python,
                "-c",
                "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
            ],
            input=path.read_text(encoding="utf-8"),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(dumped.stdout)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = load_yaml(COMPOSE)
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgres_two_instances_and_the_tls_proxy(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", *INSTANCES, "proxy", "admin"}
    # `admin` runs one-off commands (check, migrate) and is never started by `up`.
    assert compose["services"]["admin"]["profiles"] == ["admin"]
    assert compose["services"]["postgres"]["image"].startswith("postgres:15")
    # Only the proxy is reachable from outside.
    published = {name for name, service in compose["services"].items() if "ports" in service}
    assert published == {"proxy"}
    assert compose["services"]["proxy"]["ports"] == ["80:80", "443:443"]


def test_each_instance_is_the_image_started_with_its_own_start_command(
    compose: dict[str, Any],
) -> None:
    for name in INSTANCES:
        service = compose["services"][name]
        dockerfile = (
            DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]
        ).resolve()
        assert dockerfile == (DEPLOY / "Containerfile").resolve()
        assert service["command"] == final().exec_form("CMD")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
    names = {compose["services"][n]["environment"]["FRONTDOOR_INSTANCE_NAME"] for n in INSTANCES}
    assert names == set(INSTANCES)


def test_instances_are_given_only_settings_frontdoor_reads(compose: dict[str, Any]) -> None:
    known = set(setting_variables())
    for name in INSTANCES:
        service = compose["services"][name]
        assert set(service["environment"]) <= known
        # Secrets become variables by their file name (deploy/bin/with-secrets).
        assert set(service["secrets"]) <= known
        assert set(service["secrets"]) >= REQUIRED_SECRETS
    assert set(compose["secrets"]) >= {
        s for n in INSTANCES for s in compose["services"][n]["secrets"]
    }


def test_the_proxy_serves_the_shipped_nginx_file_in_front_of_both_instances(
    compose: dict[str, Any],
) -> None:
    proxy = compose["services"]["proxy"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in proxy["volumes"] if not v.startswith("$")}
    assert (DEPLOY / mounts["/etc/nginx/conf.d/default.conf"]).resolve() == (
        DEPLOY / "nginx" / "frontdoor.conf"
    ).resolve()
    conf = (DEPLOY / "nginx" / "frontdoor.conf").read_text(encoding="utf-8")
    port = final().env()["FRONTDOOR_PORT"]
    # By their fixed addresses (nginx resolves names once): a recreated instance is found
    # where it was, and nginx starts without waiting for the instances.
    assert "depends_on" not in proxy
    assert re.findall(r"^\s*server (\S+):(\d+)", conf, re.MULTILINE) == [
        (address(compose, name), port) for name in INSTANCES
    ]


def address(compose: dict[str, Any], service: str) -> str:
    found: str = compose["services"][service]["networks"]["backend"]["ipv4_address"]
    return found


def test_services_have_fixed_addresses_in_the_declared_subnet_and_trust_only_nginx(
    compose: dict[str, Any],
) -> None:
    subnet = ipaddress.ip_network(compose["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    addresses = [address(compose, name) for name in ("proxy", *INSTANCES)]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(each) in subnet for each in addresses)
    for name in INSTANCES:
        trusted = json.loads(compose["services"][name]["environment"]["FRONTDOOR_TRUSTED_PROXIES"])
        assert trusted == [address(compose, "proxy")]


def test_podman_brings_back_after_a_reboot_what_docker_does(compose: dict[str, Any]) -> None:
    # podman-restart.service starts the containers whose policy is `always` only.
    for name, service in compose["services"].items():
        if "admin" not in service.get("profiles", []):
            assert service["restart"] == "always", name


def unit_settings() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_the_unit_runs_one_hardened_instance_per_port() -> None:
    unit = unit_settings()
    assert unit["User"] == ["frontdoor"]
    assert "FRONTDOOR_PORT=%i" in unit["Environment"][0]
    assert [Path(word).name for word in unit["ExecStart"][0].split()[-2:]] == ["frontdoor", "serve"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
        assert unit[hardening][0] in {"yes", "strict"}, hardening
    assert unit["CapabilityBoundingSet"] == [""]
    credentials = {value.split(":")[0] for value in unit["LoadCredential"]}
    assert credentials <= set(setting_variables())
    assert credentials >= REQUIRED_SECRETS


def test_nothing_deployed_runs_in_the_development_mode(compose: dict[str, Any]) -> None:
    deployed = [
        UNIT.read_text(encoding="utf-8"),
        COMPOSE.read_text(encoding="utf-8"),
        json.dumps(final().env()),
    ]
    for text in deployed:
        assert not [name for name in DEVELOPMENT_ONLY if name in text]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace("/opt/frontdoor/app", str(ROOT))
    text = text.replace("/opt/frontdoor/venv/bin", str(Path(sys.executable).parent))
    instance = tmp_path / "frontdoor@8081.service"
    instance.write_text(text, encoding="utf-8")

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
