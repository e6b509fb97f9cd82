"""An endpoint is a partner's server on the internet: outside the development mode, nothing is
posted to this machine or to an internal network the operator did not allow, whether the URL
names the address or a name that resolves to it (checked at each delivery, not only when the
coordinator subscribed: a name's addresses change)."""

from __future__ import annotations

import socket
from collections.abc import Collection
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from frontdoor.jobs.events import INTERNAL_ERROR, AllowedAddressesOnly, Answer, post
from frontdoor.store.event_models import EventSubscription, OutgoingEvent
from frontdoor.store.events import Claimed
from tests.events.receiver import MovableClock, Receiver

AT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
PARTNER = "partenaire.example.fr"


class PartnersName(AbstractResolver):
    """The DNS of a partner whose name was made to point at this machine (no DNS is reachable
    here: the name is answered as a resolver would, every other as the system does)."""

    def __init__(self) -> None:
        self._system = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host == PARTNER:
            host = "127.0.0.1"
        return await self._system.resolve(host, port, family)

    async def close(self) -> None:
        await self._system.close()


def claimed_for(url: str) -> Claimed:
    subscription = EventSubscription(
        id=1, department="dac46", url=url, secret="whsec_test", scope="requests:summary",
        event_types=["request.created"], created_at=AT, created_by="coordinatrice",
    )  # fmt: skip
    event = OutgoingEvent(
        id=7, subscription_id=1, department="dac46", event_type="request.created",
        request_id=None, occurred_at=AT,
    )  # fmt: skip
    return Claimed(event=event, subscription=subscription, subject=None)


async def delivered(url: str, private_networks: Collection[str] | None) -> Answer:
    resolver = AllowedAddressesOnly(private_networks, resolver=PartnersName())
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver)) as http:
        return await post(
            http, claimed_for(url), clock=lambda: AT, private_networks=private_networks
        )


@pytest.mark.parametrize("host", [PARTNER, "127.0.0.1"], ids=["name", "address"])
async def test_nothing_is_posted_to_this_machine_outside_the_development_mode(host: str) -> None:
    receiver = await Receiver(clock=MovableClock(AT)).start()
    try:
        refused = await delivered(f"https://{host}:{receiver.port}/hooks/frontdoor", ())
        allowed = await delivered(
            f"https://{host}:{receiver.port}/hooks/frontdoor", {"127.0.0.0/8"}
        )
    finally:
        await receiver.stop()

    assert refused == Answer(status_code=None, duration_ms=refused.duration_ms,
                             error=INTERNAL_ERROR, sent_out=False)  # fmt: skip
    assert receiver.deliveries == []
    # The operator's allowed network is reached (over TLS: the loopback receiver speaks plain
    # HTTP, so the connection is made and fails after it, which shows it was allowed).
    assert allowed.error is not None
    assert allowed.error != INTERNAL_ERROR


async def test_in_the_development_mode_any_address_is_reached() -> None:
    receiver = await Receiver(clock=MovableClock(AT)).start()
    receiver.secret = "whsec_test"
    try:
        answer = await delivered(f"http://{PARTNER}:{receiver.port}/hooks/frontdoor", None)
    finally:
        await receiver.stop()

    assert answer.status_code is not None
    assert len(receiver.deliveries) == 1
