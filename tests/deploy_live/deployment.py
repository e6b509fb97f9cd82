"""The compose deployment of deploy/, run for real by podman-compose, and calls placed on it.

`./dev deploy-test` builds the image and the base images, then runs tests/deploy_live with
FRONTDOOR_DEPLOY_COMPOSE naming the podman-compose to use. `Deployment` brings up
deploy/compose.yaml as an operator does, with tests/deploy_live/compose.override.yaml for what
only a test needs (no host ports, Twilio's REST API answered by the test's own fake). Calls go
through nginx at its fixed address with `TwilioPhone`, signed as Twilio signs them; what was
stored is counted in PostgreSQL by CallSid.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shlex
import signal
import ssl
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import trustme

from frontdoor.phone import CALLER, ClientSessionTransport, ScriptedPerson, TwilioPhone
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import ROOT
from tests.web.calls import LOT, MOSELLE

COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
OVERRIDE_FILE = Path(__file__).with_name("compose.override.yaml")
PROJECT = "frontdoor-deploy-test"
# Their fixed addresses on the compose network (deploy/compose.yaml).
PROXY = "172.30.46.250"
INSTANCES = {"frontdoor-a": "172.30.46.251", "frontdoor-b": "172.30.46.252"}
GATEWAY = "172.30.46.1"
NETWORK = f"{PROJECT}_backend"
# A bridge port with an address below any the engine gives its veths (random, locally
# administered): a veth whose other end stays on the host.
LOW_PORT, LOW_PORT_PEER, LOWEST_ADDRESS = "fdlow0", "fdlow1", "02:00:00:00:00:01"
PUBLIC_URL = f"https://{PROXY}"
# Generous bounds: only a hang reaches them, on a loaded 2-core machine.
READY_WITHIN_S = 180.0
COMMAND_WITHIN_S = 600.0
CALL_WITHIN_S = 60.0
# A request the instance holds back while its loop is busy (503, Retry-After) is asked again
# for this long at most.
YIELDED_WITHIN_S = 120.0


def compose_command() -> list[str]:
    """podman-compose (or another compose), the project's files and project name."""
    command = shlex.split(os.environ.get("FRONTDOOR_DEPLOY_COMPOSE", "podman-compose"))
    return [*command, "-p", PROJECT, "-f", str(COMPOSE_FILE), "-f", str(OVERRIDE_FILE)]


async def run(
    *command: str,
    env: dict[str, str] | None = None,
    check: bool = True,
    stdin: Path | None = None,
    stdout: Path | None = None,
) -> str:
    """Run a command without blocking the calls in flight; its output, or fail with it.
    `stdin`, `stdout`: files it reads and writes instead (a dump, a restore)."""
    given = await asyncio.to_thread(stdin.read_bytes) if stdin else None
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE if stdout else asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(COMMAND_WITHIN_S):
        output, errors = await process.communicate(given)
    if stdout:
        await asyncio.to_thread(stdout.write_bytes, output)
    text = (errors if stdout else output).decode(errors="replace")
    if check and process.returncode != 0:
        raise AssertionError(f"{shlex.join(command)} exited {process.returncode}:\n{text[-6000:]}")
    return text


def say(line: str) -> None:
    """A line of the run's report (pytest -s shows it as it happens)."""
    sys.stderr.write(f"[deploy-test {time.strftime('%H:%M:%S')}] {line}\n")
    sys.stderr.flush()


class Caller(ScriptedPerson):
    """Presses `keys` at the first menus and nothing after; every referent rung picks up and
    presses 1; leaves a message when offered one. Whether the line is open when the test runs
    (real time: the deployment runs in production mode), every call ends."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(list(keys), message="Rappelez-moi au sujet de ma mère, merci.")

    async def press(self, prompt: str, *, leg: str) -> str | None:
        if leg != CALLER:
            return "1"
        return self.keys.pop(0) if self.keys else None

    async def picks_up(self, number: str) -> bool:
        return True


# The Lot (public allowed: put through, or a message when closed) and the Moselle
# (professionals only: a patient is told where to turn).
CALLS = ((LOT, ("2",)), (LOT, ("1",)), (MOSELLE, ("2",)))


@dataclass
class Tally:
    """The calls of one scenario: those completed (every webhook answered 200, status
    callback included) and those that failed, with why."""

    name: str
    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def report(self) -> str:
        return f"{self.name}: {len(self.completed)} calls placed, {len(self.failed)} failed"


class Deployment:
    """deploy/compose.yaml brought up with its secrets, certificate and department files."""

    def __init__(self, folder: Path, twilio_api: FakeTwilioApi) -> None:
        self.folder = folder
        self.twilio_api = twilio_api
        self.metrics_token = secrets.token_hex(24)
        ca = trustme.CA()
        self.tls_context = ssl.create_default_context()
        ca.configure_trust(self.tls_context)
        self._write_tls(ca)
        self._write_secrets()
        self.env = {
            **os.environ,
            "FRONTDOOR_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": twilio_api.account_sid,
            "FRONTDOOR_FLOWS": str(ROOT / "flows"),
            "FRONTDOOR_TLS": str(folder / "tls"),
            "FRONTDOOR_SECRETS": str(folder / "secrets"),
            "FRONTDOOR_TEST_TWILIO_API_URL": twilio_api.base_url.replace("0.0.0.0", GATEWAY),
        }
        self.placed: list[str] = []  # every call completed, all scenarios
        self.failed = 0  # and how many failed

    def _write_tls(self, ca: trustme.CA) -> None:
        tls = self.folder / "tls"
        tls.mkdir(mode=0o755)
        issued = ca.issue_cert(PROXY)
        issued.private_key_pem.write_to_path(tls / "privkey.pem")
        for number, blob in enumerate(issued.cert_chain_pems):
            blob.write_to_path(tls / "fullchain.pem", append=number > 0)

    def _write_secrets(self) -> None:
        """As deploy/README.md prepares them: one file per secret, 0400, owned by its reader."""
        folder = self.folder / "secrets"
        folder.mkdir(mode=0o700)
        password = secrets.token_hex(24)
        values = {
            "POSTGRES_PASSWORD": password,
            "FRONTDOOR_DATABASE_URL": (
                f"postgresql+asyncpg://frontdoor:{password}@postgres:5432/frontdoor"
            ),
            "TWILIO_AUTH_TOKEN": self.twilio_api.auth_token,
            "FRONTDOOR_PSEUDONYM_KEY": secrets.token_hex(32),
            "FRONTDOOR_METRICS_TOKEN": self.metrics_token,
        }
        for name, value in values.items():
            path = folder / name
            path.write_text(value + "\n", encoding="utf-8")
            os.chown(path, 999 if name == "POSTGRES_PASSWORD" else 10001, -1)
            path.chmod(0o400)

    async def compose(self, *arguments: str, check: bool = True, **files: Path) -> str:
        return await run(*compose_command(), *arguments, env=self.env, check=check, **files)

    async def up(self) -> None:
        await self.compose("up", "-d")
        # deploy/README.md, "With containers": with Podman, the bridge's address is pinned.
        say((await run("deploy/bin/pin-bridge-mac", NETWORK)).strip())
        await self.wait_ready(*INSTANCES)

    async def down(self) -> None:
        await self.compose("down", "-v", "--remove-orphans", check=False)

    async def wait_ready(self, *services: str) -> None:
        """Until each instance answers /readyz and nginx passes requests on."""
        urls = [f"http://{INSTANCES[name]}:8080/readyz" for name in services]
        urls.append(f"{PUBLIC_URL}/healthz")
        try:
            async with aiohttp.ClientSession() as session, asyncio.timeout(READY_WITHIN_S):
                while urls:
                    if await answers(session, urls[0], ssl=self.tls_context):
                        urls.pop(0)
                    else:
                        await asyncio.sleep(0.5)
        except TimeoutError:
            raise AssertionError(f"{urls[0]} not answering after {READY_WITHIN_S:g} s") from None

    async def metric(self, service: str, name: str) -> float:
        """One of an instance's metrics, scraped at its own address with the token."""
        headers = {"Authorization": f"Bearer {self.metrics_token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://{INSTANCES[service]}:8080/metrics", headers=headers) as response,
        ):
            text = await response.text()
        assert response.status == 200, text[:500]
        values = [line.split()[-1] for line in text.splitlines() if line.startswith(name + " ")]
        return float(values[0]) if values else 0.0

    async def slow_answers(self) -> str:
        """nginx's access log lines of webhooks answered in over 5 s or not with 200."""
        script = "$5 ~ /^\\/twilio\\// && ($6 != 200 || $8 > 5)"
        log = "/var/log/nginx/frontdoor.access.log"
        output = await self.compose("exec", "-T", "proxy", "awk", script, log, check=False)
        return output[-6000:]

    async def warnings(self, service: str) -> str:
        """The instance's log lines at WARNING and above, since it was last (re)created: why
        a webhook was slow or answered from memory."""
        logs = await run("podman", "logs", f"{PROJECT}_{service}_1", check=False)
        lines = [line for line in logs.splitlines() if '"level": "INFO"' not in line]
        return "\n".join(lines[-40:])[-6000:]

    async def unauthenticated_api_calls(self, count: int) -> list[int]:
        """Statuses of API calls without a key, from the test's host, through nginx, each asked
        again after Retry-After while the instance yields to the callers (503), as a client
        should: on a busy host the API yields, and a yielded call is not an authentication."""
        connector = aiohttp.TCPConnector(ssl=self.tls_context)
        statuses = []
        async with aiohttp.ClientSession(connector=connector) as session:
            for _ in range(count):
                async with asyncio.timeout(YIELDED_WITHIN_S):
                    while True:
                        async with session.get(f"{PUBLIC_URL}/api/requests") as response:
                            retry_after = response.headers.get("Retry-After", "1")
                        if response.status != 503:
                            break
                        await asyncio.sleep(float(retry_after))
                statuses.append(response.status)
        return statuses

    async def unauthenticated_api_call_from(self, service: str) -> int:
        """The status of an API call without a key from inside a container, through nginx
        (whose certificate it does not check: it is the test's), asked again after Retry-After
        while the instance yields (503)."""
        script = (
            "import ssl, time, urllib.error, urllib.request\n"
            f"deadline = time.monotonic() + {YIELDED_WITHIN_S}\n"
            "while True:\n"
            "    try:\n"
            f"        urllib.request.urlopen('{PUBLIC_URL}/api/requests',"
            " context=ssl._create_unverified_context())\n"
            "        print(200)\n"
            "        break\n"
            "    except urllib.error.HTTPError as error:\n"
            "        if error.code != 503 or time.monotonic() > deadline:\n"
            "            print(error.code)\n"
            "            break\n"
            "        time.sleep(float(error.headers.get('Retry-After', '1')))\n"
        )
        output = await self.compose("exec", "-T", service, "python", "-c", script)
        return int(output.split()[-1])

    async def degraded(self) -> float:
        """Webhooks answered from memory and journaled, both instances together."""
        return sum(
            [await self.metric(name, "frontdoor_webhook_degraded_total") for name in INSTANCES]
        )

    async def pid(self, service: str) -> int:
        """The host's process id of the service's main process."""
        container = f"{PROJECT}_{service}_1"
        return int(await run("podman", "inspect", "--format", "{{.State.Pid}}", container))

    async def crash(self, service: str) -> None:
        """SIGKILL to the instance's process from the host, as the kernel's OOM killer would."""
        os.kill(await self.pid(service), signal.SIGKILL)

    async def bridge_address(self) -> str:
        """The hardware address of the network's bridge on the host."""
        return (await run("cat", f"/sys/class/net/{await self._bridge()}/address")).strip()

    async def plug_lowest_port(self) -> None:
        """A port whose address is below every other joins the bridge; then nginx and the
        instances forget the addresses they had learnt, and ask the bridge's again: a bridge
        left to follow its ports would now answer with this port's."""
        await run("ip", "link", "add", LOW_PORT, "type", "veth", "peer", "name", LOW_PORT_PEER)
        await run("ip", "link", "set", LOW_PORT, "address", LOWEST_ADDRESS)
        await run("ip", "link", "set", LOW_PORT, "master", await self._bridge())
        await run("ip", "link", "set", LOW_PORT, "up")
        for service in ("proxy", *INSTANCES):
            pid = str(await self.pid(service))
            await run("nsenter", "--target", pid, "--net", "ip", "neigh", "flush", "all")

    async def reach_twilio(self, service: str) -> None:
        """The instance reaches Twilio's API (the test's fake, on the host: through the bridge)
        within 3 s, or fails. Any HTTP answer will do."""
        url = self.env["FRONTDOOR_TEST_TWILIO_API_URL"]
        script = (
            "import urllib.error, urllib.request\n"
            "try:\n"
            f"    urllib.request.urlopen('{url}/', timeout=3)\n"
            "except urllib.error.HTTPError:\n"
            "    pass\n"
        )
        await self.compose("exec", "-T", service, "python", "-c", script)

    async def unplug_lowest_port(self) -> None:
        """The port leaves, as a container's veth does when it is removed or restarted."""
        await run("ip", "link", "del", LOW_PORT, check=False)

    async def _bridge(self) -> str:
        inspect = ("podman", "network", "inspect", "--format", "{{.NetworkInterface}}", NETWORK)
        return (await run(*inspect)).strip()

    async def stored(self, database: str = "frontdoor") -> Counter[str]:
        """How many requests PostgreSQL holds for each CallSid."""
        query = "SELECT call_sid, count(*) FROM requests WHERE call_sid IS NOT NULL GROUP BY 1"
        output = await self.compose(
            "exec", "-T", "postgres", "psql", "-U", "frontdoor", "-d", database,
            "-At", "-F", " ", "-c", query,
        )  # fmt: skip
        counted: Counter[str] = Counter()
        for line in output.splitlines():
            sid, _, count = line.strip().partition(" ")
            if sid.startswith("CA") and count.isdigit():
                counted[sid] = int(count)
        return counted

    async def journal(self, service: str) -> list[str]:
        """What waits in an instance's outage journal (its own volume): every file but the
        running instance's lock."""
        output = await self.compose("exec", "-T", service, "ls", "-A", "/var/lib/frontdoor/journal")
        return [name for name in output.split() if not name.endswith(".lock")]


async def answers(session: aiohttp.ClientSession, url: str, **options: object) -> bool:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=5), **options) as response:  # type: ignore[arg-type]
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


class Burst:
    """Calls placed without pause by `callers` at once through nginx, until stopped."""

    def __init__(self, deployment: Deployment, tally: Tally, *, callers: int = 4) -> None:
        self.deployment = deployment
        self.tally = tally
        self.callers = callers
        self.stopping = asyncio.Event()
        self.ended_one = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Burst:
        connector = aiohttp.TCPConnector(ssl=self.deployment.tls_context, limit=64)
        self._session = aiohttp.ClientSession(connector=connector)
        phone = TwilioPhone(
            ClientSessionTransport(self._session, PUBLIC_URL),
            public_url=PUBLIC_URL,
            auth_token=self.deployment.twilio_api.auth_token,
            account_sid=self.deployment.twilio_api.account_sid,
        )
        self._tasks = [asyncio.create_task(self._caller(phone, n)) for n in range(self.callers)]
        return self

    async def _caller(self, phone: TwilioPhone, number: int) -> None:
        turn = number
        while not self.stopping.is_set():
            to, keys = CALLS[turn % len(CALLS)]
            turn += 1
            from_ = f"+336{number:02d}{turn % 1000000:06d}"
            try:
                async with asyncio.timeout(CALL_WITHIN_S):
                    result = await phone.call(from_=from_, to=to, person=Caller(keys))
            except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                self.tally.failed.append(f"{to} {keys}: {error!r}")
            else:
                if result.status_callback_status == 200:
                    self.tally.completed.append(result.call_sid)
                    self.deployment.placed.append(result.call_sid)
                else:
                    status = result.status_callback_status
                    self.tally.failed.append(f"{result.call_sid}: status callback {status}")
            self.ended_one.set()

    async def calls(self, count: int) -> None:
        """Until `count` more calls have completed (or failed)."""
        target = len(self.tally.completed) + len(self.tally.failed) + count
        async with asyncio.timeout(CALL_WITHIN_S * count):
            while len(self.tally.completed) + len(self.tally.failed) < target:
                self.ended_one.clear()
                await self.ended_one.wait()

    async def __aexit__(self, *exc: object) -> None:
        self.stopping.set()
        await asyncio.gather(*self._tasks)
        if self._session is not None:
            await self._session.close()


def rolling_restart_env(deployment: Deployment) -> dict[str, str]:
    """deploy/bin/rolling-restart's environment: this deployment's compose command."""
    return {**deployment.env, "COMPOSE": shlex.join(compose_command())}


def dumped(counted: Counter[str]) -> str:
    return json.dumps(dict(counted))
