"""Liveness and readiness, for load balancers, orchestrators and supervision.

`/healthz` says the process answers HTTP. `/readyz` says it can take calls: its database
answers and it has departments to serve; otherwise 503 with the reasons, worded for an
operator and free of personal data (error types, never messages that could carry a host's
secrets or a caller's number). An instance in the development mode says so in both answers
(`warnings`): a supervisor that sees it in production has found a misconfigured host.

`/readyz` also says, under "mailboxes", whether each department's secure mailbox logs in
(the last attempt of any instance, from the store) and if not, why (core.mailbox.LoginFailure)
and since when. A mailbox that cannot log in leaves the instance ready: calls must go on
being answered; frontdoor_mailbox_login_ok is what alerts.

`/readyz` is reachable through the public name (nginx passes it on) and asks nothing of its
caller, so a flood of it must cost the store nothing: the check runs at most once every
READY_FOR_S, one at a time, every request meanwhile given its verdict (the operator's probes,
which the public cannot send, check afresh). And the public gets the verdict alone (200 or
503, `{"status": …}`): the reasons, the mailboxes and the warnings (which would tell anyone
that a department's secure mail is down, or that an instance accepts demonstration accounts)
are the operator's (frontdoor.kit.operators).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from frontdoor.departments import Departments
from frontdoor.keys import DEPARTMENTS, ENGINE, SESSIONS, SETTINGS
from frontdoor.kit.operators import is_operator
from frontdoor.kit.patience import patiently, store_patience
from frontdoor.kit.single_flight import SingleFlight
from frontdoor.store.db import ping
from frontdoor.store.mail import mailbox_logins
from frontdoor.store.models import MailboxLogin

DEV_MODE_WARNING = (
    "development mode (FRONTDOOR_DEV_MODE): development secrets, simulated time and "
    "demonstration accounts are accepted; never in production"
)


# How long a readiness verdict is given again before the store is asked afresh.
READY_FOR_S = 1.0


@dataclass(frozen=True)
class Verdict:
    problems: list[str]
    mailboxes: dict[str, dict[str, str]]


def readiness(app: web.Application) -> SingleFlight[Verdict]:
    """The instance's readiness, checked at most once every READY_FOR_S and one check at a
    time."""

    async def check() -> Verdict:
        problems = [*_departments_problems(app), *await _database_problems(app)]
        return Verdict(problems=problems, mailboxes={} if problems else await _mailboxes(app))

    return SingleFlight(check, keep_s=READY_FOR_S)


READINESS = web.AppKey("readiness", SingleFlight[Verdict])


def add_routes(app: web.Application) -> None:
    app[READINESS] = readiness(app)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    # The operator's probes are few (the public cannot send them): theirs check afresh.
    operator = is_operator(request)
    verdict = await request.app[READINESS].get(fresh=operator)
    status = 503 if verdict.problems else 200
    answer: dict[str, object] = {"status": "not ready" if verdict.problems else "ready"}
    if not operator:
        return web.json_response(answer, status=status)
    if verdict.problems:
        answer["reasons"] = verdict.problems
    if verdict.mailboxes:
        answer["mailboxes"] = verdict.mailboxes
    if request.app[SETTINGS].dev_mode:
        answer["warnings"] = [DEV_MODE_WARNING]
    return web.json_response(answer, status=status)


async def _mailboxes(app: web.Application) -> dict[str, dict[str, str]]:
    """Department → its mailbox's last login: {"login": "ok" | "failed" | "unknown", …}."""
    slugs = [department.slug for department in app[DEPARTMENTS] if department.mailbox]
    if not slugs:
        return {}
    try:
        logins = await patiently(app, _logins(app))
    except Exception:  # noqa: BLE001  (it answered a moment ago: say unknown, stay ready)
        logins = {}
    report = {}
    for slug in slugs:
        login = logins.get(slug)
        if login is None:
            report[slug] = {"login": "unknown"}
        elif login.ok:
            report[slug] = {"login": "ok", "checked_at": login.checked_at.isoformat()}
        else:
            report[slug] = {
                "login": "failed",
                "reason": login.failure or "?",
                "since": (login.failing_since or login.checked_at).isoformat(),
                "checked_at": login.checked_at.isoformat(),
            }
    return report


async def _logins(app: web.Application) -> dict[str, MailboxLogin]:
    async with app[SESSIONS]() as session:
        return await mailbox_logins(session=session)


def _departments_problems(app: web.Application) -> list[str]:
    departments: Departments = app[DEPARTMENTS]
    if next(iter(departments), None) is None:
        return ["no department file loaded: check FRONTDOOR_FLOWS_DIR"]
    return []


async def _database_problems(app: web.Application) -> list[str]:
    engine = app.get(ENGINE)
    if engine is None:
        return ["database: not opened yet (the application is starting)"]
    try:
        # A database slower than the webhooks' patience cannot answer a call in time either.
        await patiently(app, ping(engine))
    except TimeoutError:
        return [f"database: no answer within {store_patience(app):g} s"]
    except Exception as error:  # noqa: BLE001  (any failure means not ready; reported by type)
        return [f"database: unreachable ({type(error).__name__})"]
    return []
