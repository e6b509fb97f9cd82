"""deploy/ run for real: the image, PostgreSQL, two instances and nginx under podman-compose.

Run by `./dev deploy-test` (and CI after `./dev test`), never by `./dev test`: it needs root,
podman and the images the command builds. The scenarios run in order on one deployment and
each places its calls through nginx as Twilio would:

1. everything up: calls answered, each stored once;
2. the upgrade of deploy/README.md, step by step, during a burst of calls: no webhook fails;
3. an instance SIGKILLed mid-burst: no webhook fails;
4. a port joining and leaving the network's bridge mid-burst: no webhook fails (the bridge's
   address is pinned, deploy/bin/pin-bridge-mac);
5. PostgreSQL stopped and started mid-burst: every call answered, then replayed from the
   instances' outage journals, nothing lost;
6. the backup and restore of deploy/README.md: the restored database holds the same calls.

After each, PostgreSQL holds exactly one request for each call placed so far, by CallSid.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.deploy_live.deployment import (
    INSTANCES,
    PROJECT,
    Burst,
    Deployment,
    Tally,
    dumped,
    rolling_restart_env,
    run,
    say,
)
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

REPLAYED_WITHIN_S = 300.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Deployment]:
    twilio_api = FakeTwilioApi()
    # On every address: the containers reach it through their network's gateway.
    await twilio_api.start(host="0.0.0.0")  # noqa: S104
    site = Deployment(tmp_path_factory.mktemp("deployment"), twilio_api)
    await site.down()  # what an interrupted run may have left
    try:
        say("up: PostgreSQL, frontdoor-a, frontdoor-b, nginx")
        await site.up()
        yield site
    finally:
        say("nginx's slow or failed answers:\n" + await site.slow_answers())
        for service in ("postgres", *INSTANCES, "proxy"):
            container = f"{PROJECT}_{service}_1"
            logs = await run("podman", "logs", "--tail", "15", container, check=False)
            say(f"{service}'s last lines:\n{logs[-3000:]}")
        for service in INSTANCES:
            say(f"{service}'s warnings and errors:\n{await site.warnings(service)}")
        await site.down()
        await twilio_api.close()


async def assert_each_call_stored_once(site: Deployment, tally: Tally) -> None:
    say(tally.report())
    site.failed += len(tally.failed)
    assert not tally.failed, "\n".join(tally.failed[:20])
    stored = await site.stored()
    assert set(site.placed) <= set(stored), f"missing: {set(site.placed) - set(stored)}"
    # Beside them, only calls that failed in an earlier scenario, if any did.
    assert len(set(stored) - set(site.placed)) <= site.failed
    assert set(stored.values()) == {1}, dumped(stored)


async def test_calls_through_nginx_are_answered_and_stored_once(site: Deployment) -> None:
    tally = Tally("1. both instances up")
    async with Burst(site, tally) as burst:
        await burst.calls(12)
    await assert_each_call_stored_once(site, tally)
    # nginx spread them over both instances.
    for service in INSTANCES:
        assert await site.metric(service, "frontdoor_webhook_degraded_total") == 0


async def test_behind_nginx_each_client_has_its_own_rate_limit(site: Deployment) -> None:
    # The API's failed authentications: 10 per client, then one a minute (per instance).
    statuses = await site.unauthenticated_api_calls(40)
    assert statuses[0] == 401
    assert statuses[-1] == 429
    # Another client, at another address, is not refused for the first one's failures.
    assert await site.unauthenticated_api_call_from("frontdoor-b") == 401


async def test_the_readme_upgrade_during_a_burst_of_calls_fails_no_webhook(
    site: Deployment,
) -> None:
    tally = Tally("2. upgrade (deploy/README.md, Upgrading)")
    async with Burst(site, tally) as burst:
        await burst.calls(4)
        # Step 2: build the new version, check the department files with it.
        say("upgrade step 2: build, frontdoor check")
        await run(
            "podman", "build", "--format", "docker", "-f", "deploy/Containerfile",
            "--ignorefile", "deploy/Containerfile.dockerignore", "-t", "frontdoor:latest", ".",
        )  # fmt: skip
        await site.compose("--profile", "admin", "run", "--rm", "--no-deps", "admin",
                           "frontdoor", "check")  # fmt: skip
        # Step 3: migrate once, explicitly.
        say("upgrade step 3: frontdoor migrate")
        await site.compose("--profile", "admin", "run", "--rm", "--no-deps", "admin",
                           "frontdoor", "migrate")  # fmt: skip
        # Step 4: the instances one at a time.
        say("upgrade step 4: deploy/bin/rolling-restart")
        output = await run("deploy/bin/rolling-restart", env=rolling_restart_env(site))
        say(output.strip().replace("\n", "\n    "))
        await burst.calls(4)
    await assert_each_call_stored_once(site, tally)


async def test_an_instance_killed_mid_burst_fails_no_webhook(site: Deployment) -> None:
    tally = Tally("3. frontdoor-b SIGKILLed, back by its restart policy")
    async with Burst(site, tally) as burst:
        await burst.calls(4)
        # A crash, not `podman kill` (the engine takes that for an operator's stop and leaves
        # the container down): its process killed from the host, its restart policy applies.
        say("SIGKILL to frontdoor-b's process")
        await site.crash("frontdoor-b")
        await burst.calls(4)
        await site.wait_ready("frontdoor-b")
        say("frontdoor-b restarted and ready")
        await burst.calls(8)
    await assert_each_call_stored_once(site, tally)


async def test_a_port_leaving_the_network_fails_no_webhook(site: Deployment) -> None:
    # Whenever a container leaves the network (an instance recreated or restarted), a bridge
    # left to follow its ports' addresses may change its own, and whatever crosses it (the
    # webhooks to nginx, the instances' calls to Twilio) is lost until the containers' ARP
    # entries expire: 15 s and more. deploy/bin/pin-bridge-mac keeps it put. The port with
    # the lowest address makes it certain rather than left to the engine's random addresses.
    tally = Tally("4. the port with the lowest address joins the network's bridge, then leaves")
    address = await site.bridge_address()
    async with Burst(site, tally) as burst:
        await burst.calls(4)
        say("a port with the lowest address joins the bridge; the containers ask its address")
        try:
            await site.plug_lowest_port()
            for service in INSTANCES:  # each asks the bridge's address, and keeps it
                await site.reach_twilio(service)
            await burst.calls(4)
            assert await site.bridge_address() == address
        finally:
            say("the port leaves the bridge")
            await site.unplug_lowest_port()
        for service in INSTANCES:
            await site.reach_twilio(service)
        await burst.calls(8)
    assert await site.bridge_address() == address
    await assert_each_call_stored_once(site, tally)


async def test_postgres_stopped_and_started_mid_burst_loses_nothing(site: Deployment) -> None:
    tally = Tally("5. PostgreSQL stopped, then started")
    degraded_before = await site.degraded()
    async with Burst(site, tally) as burst:
        await burst.calls(4)
        say("stop postgres")
        await site.compose("stop", "postgres")

        async def answered_from_memory() -> bool:
            return await site.degraded() >= degraded_before + 20

        await eventually(answered_from_memory, within_s=REPLAYED_WITHIN_S)
        say("start postgres")
        await site.compose("start", "postgres")
        await site.wait_ready(*INSTANCES)
        await burst.calls(8)
    say(f"webhooks answered from memory and journaled: {await site.degraded() - degraded_before:g}")

    # The journals are replayed (every 2 s, once the database answers), then emptied.
    async def replayed() -> bool:
        return set(site.placed) <= set(await site.stored())

    async def journals_empty() -> bool:
        return not any([await site.journal(service) for service in INSTANCES])

    await eventually(replayed, within_s=REPLAYED_WITHIN_S)
    await eventually(journals_empty, within_s=REPLAYED_WITHIN_S)
    await assert_each_call_stored_once(site, tally)


async def test_the_readme_backup_restores_every_call(site: Deployment, tmp_path: Path) -> None:
    dump = tmp_path / "frontdoor.dump"
    say("backup: pg_dump through compose exec, then createdb and pg_restore as frontdoor")
    await site.compose(
        "exec", "-T", "postgres", "pg_dump", "-U", "frontdoor", "--format=custom", "frontdoor",
        stdout=dump,
    )  # fmt: skip
    await site.compose("exec", "-T", "postgres", "createdb", "-U", "frontdoor", "frontdoor_restore")
    await site.compose(
        "exec", "-T", "postgres", "pg_restore", "-U", "frontdoor", "--dbname=frontdoor_restore",
        "--no-owner", "--exit-on-error", stdin=dump,
    )  # fmt: skip
    restored = await site.stored("frontdoor_restore")
    say(f"6. restore: {len(restored)} calls in the restored database ({dump.stat().st_size} bytes)")
    assert restored == await site.stored()
    say(f"all scenarios: {len(site.placed)} calls, each stored once")
