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
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.departments import Departments
from frontdoor.keys import DEPARTMENTS, ENGINE, SESSIONS, SETTINGS
from frontdoor.kit.patience import patiently, store_patience
from frontdoor.store.db import ping
from frontdoor.store.mail import mailbox_logins
from frontdoor.store.models import MailboxLogin

DEV_MODE_WARNING = (
    "development mode (FRONTDOOR_DEV_MODE): development secrets, simulated time and "
    "demonstration accounts are accepted; never in production"
)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    problems = [*_departments_problems(request.app), *await _database_problems(request.app)]
    warnings = {"warnings": [DEV_MODE_WARNING]} if request.app[SETTINGS].dev_mode else {}
    if problems:
        return web.json_response(
            {"status": "not ready", "reasons": problems, **warnings}, status=503
        )
    answer: dict[str, object] = {"status": "ready", **warnings}
    mailboxes = await _mailboxes(request.app)
    if mailboxes:
        answer["mailboxes"] = mailboxes
    return web.json_response(answer)


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
