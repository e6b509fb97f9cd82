"""deploy/Containerfile: a multi-stage build whose final image runs `frontdoor serve` unprivileged.

No container engine runs here: the image's ENTRYPOINT + CMD run on this machine, with the
image's environment (its paths mapped onto the repository) and its secrets as files, and must
answer /healthz and /readyz, take a webhook signed with the secret token, and stop cleanly.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
from twilio.request_validator import RequestValidator

from tests.conftest import ROOT
from tests.deploy.containerfile import CONTAINERFILE, final, stages
from tests.ports import free_port
from tests.web.calls import LOT, NURSE

IMAGE_PATHS = {  # where the image keeps things -> where they are here
    "/usr/local/bin/with-secrets": str(ROOT / "deploy" / "bin" / "with-secrets"),
    "/etc/frontdoor/flows": str(ROOT / "flows"),
    "/opt/frontdoor/venv/bin": str(Path(sys.executable).parent),
}
BUILD_TOOLS = ("build-essential", "gcc", "apt-get install", "pip install")


def test_the_build_has_its_stages_and_the_final_one_no_build_tools() -> None:
    build, sdk, image = stages()
    assert sdk.name == "voice-sdk"
    assert sdk.all("RUN") == ["npm ci --no-audit --no-fund --loglevel=error"]
    assert build.name == "build"
    assert any("pip install" in run for run in build.all("RUN"))
    final_steps = " ".join(rest for _, rest in image.instructions)
    assert not [tool for tool in BUILD_TOOLS if tool in final_steps]
    assert all(
        "--from=build" in copy for copy in image.all("COPY") if "/opt/frontdoor/venv" in copy
    )


def test_the_image_holds_frontdoor_as_an_installed_wheel_and_no_sources() -> None:
    build, _sdk, image = stages()
    installs = [run for run in build.all("RUN") if "frontdoor-*.whl" in run]
    assert installs, "the build stage installs no wheel of Frontdoor"
    assert not [run for run in build.all("RUN") if " -e " in run or "--editable" in run]
    # The texts and the directory's reference files are package data, inside the environment.
    assert image.all("COPY") == [
        "--from=build /opt/frontdoor/venv /opt/frontdoor/venv",
        # The browser phone's SDK, built by npm in its own stage: that file only.
        "--from=voice-sdk /opt/voice-sdk/node_modules/@twilio/voice-sdk/dist/twilio.min.js "
        "/opt/frontdoor/voice-sdk/twilio.min.js",
        "flows /etc/frontdoor/flows",
        "deploy/bin/with-secrets /usr/local/bin/with-secrets",
    ]


def test_the_image_runs_as_an_unprivileged_user() -> None:
    image = final()
    user = image.last("USER")
    assert user not in {"root", "0", "0:0"}
    names = [name for name, _ in image.instructions]
    assert names.index("USER") < names.index("ENTRYPOINT")


def test_what_the_image_copies_is_in_the_repository_and_not_ignored() -> None:
    ignore = (CONTAINERFILE.parent / "Containerfile.dockerignore").read_text(encoding="utf-8")
    kept = [line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")]
    for stage in stages():
        for copy in stage.all("COPY"):
            if copy.startswith("--from="):
                continue
            *sources, _ = copy.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert any(fnmatch.fnmatch(source, k) or source.startswith(k) for k in kept), source


def image_command(*command: str) -> list[str]:
    """ENTRYPOINT + CMD (or `command`), with the image's paths mapped onto this machine."""
    words = final().exec_form("ENTRYPOINT") + list(command or final().exec_form("CMD"))
    return [IMAGE_PATHS.get(word, word) for word in words]


def image_environment(tmp_path: Path, port: int, secrets: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "TWILIO_"))}
    for name, value in final().env().items():
        for image_path, here in IMAGE_PATHS.items():
            value = value.replace(image_path, here)
        env[name] = value.replace("/var/lib/frontdoor", str(tmp_path))
    env["PATH"] = env["PATH"].replace("$PATH", os.environ["PATH"])
    folder = tmp_path / "credentials"
    folder.mkdir()
    for name, value in secrets.items():
        (folder / name).write_text(value + "\n", encoding="utf-8")
    # Loopback and a free port here; the image listens on 0.0.0.0:8080.
    env |= {"FRONTDOOR_HOST": "127.0.0.1", "FRONTDOOR_PORT": str(port)}
    env["CREDENTIALS_DIRECTORY"] = str(folder)
    return env


def test_the_image_environment_points_at_what_the_image_holds() -> None:
    env = final().env()
    assert env["FRONTDOOR_FLOWS_DIR"] == "/etc/frontdoor/flows"
    assert "FRONTDOOR_TEMPLATES_DIR" not in env  # the texts installed with the package
    assert env["FRONTDOOR_PORT"] == "8080"
    assert env["FRONTDOOR_VOICE_SDK_DIR"] == "/opt/frontdoor/voice-sdk"
    assert env["PATH"].startswith("/opt/frontdoor/venv/bin:")


def test_frontdoor_check_passes_in_the_image_environment(tmp_path: Path) -> None:
    env = image_environment(tmp_path, free_port(), {})

    result = subprocess.run(
        image_command("frontdoor", "check"),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "dac46" in result.stdout


def test_the_image_command_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    env = image_environment(tmp_path, free_port(), {})

    result = subprocess.run(
        image_command(), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip

    assert result.returncode == 2
    assert "TWILIO_AUTH_TOKEN is not set" in result.stderr
    assert "FRONTDOOR_PSEUDONYM_KEY is not set" in result.stderr


async def test_the_image_command_serves_with_its_secrets_from_files(
    tmp_path: Path, database_url: str
) -> None:
    port, token = free_port(), "token-from-a-secret-file-0123"
    secrets = {
        "TWILIO_AUTH_TOKEN": token,
        "FRONTDOOR_PSEUDONYM_KEY": "pseudonym-key-from-a-secret-file-0123456789",
        "FRONTDOOR_DATABASE_URL": database_url,
    }
    env = image_environment(tmp_path, port, secrets)
    env["FRONTDOOR_PUBLIC_URL"] = "https://frontdoor.example.fr"
    with (tmp_path / "serve.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *image_command(), env=env, cwd=tmp_path, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    form = {"CallSid": "CA" + "3" * 32, "From": NURSE, "To": LOT, "CallStatus": "ringing"}
    try:
        async with aiohttp.ClientSession() as session:
            async with asyncio.timeout(30):
                while True:
                    assert process.returncode is None, (tmp_path / "serve.log").read_text()
                    try:
                        async with session.get(base + "/healthz") as alive:
                            if alive.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
            async with session.get(base + "/readyz") as ready:
                assert ready.status == 200
            healthcheck = await healthcheck_exit_code(port, env)
            signature = RequestValidator(token).compute_signature(
                "https://frontdoor.example.fr/twilio/voice", form
            )
            async with session.post(
                base + "/twilio/voice", data=form, headers={"X-Twilio-Signature": signature}
            ) as webhook:
                assert webhook.status == 200, await webhook.text()
        assert healthcheck == 0
        # exec all the way: SIGTERM reaches frontdoor, which stops cleanly.
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def healthcheck_exit_code(port: int, env: dict[str, str]) -> int:
    """The image's HEALTHCHECK command, aimed at this port."""
    check = final().last("HEALTHCHECK")
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    command = [word.replace("127.0.0.1:8080", f"127.0.0.1:{port}") for word in command]
    process = await asyncio.create_subprocess_exec(*command, env=env)
    async with asyncio.timeout(10):
        return await process.wait()
