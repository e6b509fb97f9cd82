"""`frontdoor events`: a department's subscriptions to outgoing events, from the command line
(the console's page *Événements* does the same for its coordinator).

    frontdoor events subscribe dac46 https://partenaire.example.fr/hooks \\
        --scope requests:summary --type request.created --type request.closed
    frontdoor events list dac46
    frontdoor events stop dac46 3

The secret is printed once, when the subscription is made. Plain http only to this machine,
in the development mode.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from frontdoor.core.events import EndpointRefused, EventType, Scope, checked_subscription
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.audit import record_access
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.events import (
    add_subscription,
    event_counts,
    stop_subscription,
    subscription_in,
    subscriptions_of,
)

ACCOUNT = "cli"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `events` to the command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "events", help="a department's subscriptions to outgoing events"
    )
    commands = parser.add_subparsers(dest="events_command", required=True)
    subscribe = commands.add_parser("subscribe", help="subscribe an HTTPS endpoint")
    subscribe.add_argument("department")
    subscribe.add_argument("url")
    subscribe.add_argument(
        "--scope", default=Scope.SUMMARY.value, choices=[s.value for s in Scope],
        help="what the events may carry (default: requests:summary, no personal data)",
    )  # fmt: skip
    subscribe.add_argument(
        "--type", dest="types", action="append", choices=[t.value for t in EventType],
        help="an event type (repeat it; default: all of them)",
    )  # fmt: skip
    listing = commands.add_parser("list", help="list the subscriptions and their events")
    listing.add_argument("department")
    stop = commands.add_parser("stop", help="stop a subscription")
    stop.add_argument("department")
    stop.add_argument("subscription_id", type=int)
    return parser


async def run(
    args: argparse.Namespace, settings: Settings, departments: Departments,
    out: TextIO | None = None, err: TextIO | None = None,
) -> int:  # fmt: skip
    out, err = out or sys.stdout, err or sys.stderr
    if departments.for_slug(args.department) is None:
        err.write(f"frontdoor events : département inconnu : {args.department}\n")
        return 2
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            if args.events_command == "subscribe":
                return await _subscribe(args, settings, session, out, err)
            if args.events_command == "list":
                for shown in await subscriptions_of(session=session, department=args.department):
                    counts = await event_counts(session=session, subscription_id=shown.id or 0)
                    state = "arrêté" if shown.disabled_at else "actif"
                    out.write(
                        f"{shown.id}\t{shown.url}\t{shown.scope}\t{','.join(shown.event_types)}\t"
                        f"{state}\t{counts['delivered']} livré(s), {counts['pending']} en "
                        f"attente, {counts['dead']} abandonné(s), {counts['cancelled']} annulé(s)\n"
                    )
                return 0
            row = await subscription_in(
                session=session, departments=(args.department,),
                subscription_id=args.subscription_id,
            )  # fmt: skip
            if row is None:
                err.write(f"frontdoor events : abonnement introuvable : {args.subscription_id}\n")
                return 2
            await stop_subscription(
                session=session, subscription=row, at=datetime.now(UTC), account=ACCOUNT
            )
            await session.commit()
            out.write(f"abonnement n° {row.id} arrêté\n")
            return 0
    finally:
        await engine.dispose()


async def _subscribe(
    args: argparse.Namespace, settings: Settings, session: Any, out: TextIO, err: TextIO
) -> int:
    try:
        checked = checked_subscription(
            url=args.url, scope=args.scope,
            event_types=args.types or [t.value for t in EventType],
            development=settings.dev_mode, private_networks=settings.event_private_networks,
        )  # fmt: skip
    except EndpointRefused as error:
        err.write(f"frontdoor events : {error}\n")
        return 2
    now = datetime.now(UTC)
    secret, row = await add_subscription(
        session=session, department=args.department, subscription=checked, by=ACCOUNT, now=now
    )
    record_access(session=session, at=now, account=ACCOUNT, department=args.department,
                  action="event_subscription", detail=f"abonnement n° {row.id}")  # fmt: skip
    await session.commit()
    out.write(f"abonnement n° {row.id} créé ; son secret (affiché une seule fois) :\n{secret}\n")
    return 0
