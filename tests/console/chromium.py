"""Serving the app on a real port for Debian's Chromium, and signing in there: what the
console's browser tests share."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from frontdoor.departments import Departments
from frontdoor.keys import Clock
from frontdoor.settings import Settings
from frontdoor.web.app import create_app, utc_now
from tests.console.conftest import PASSWORD, Person, create_accounts
from tests.ports import free_port

CHROMIUM = Path(os.environ.get("FRONTDOOR_CHROMIUM", "/usr/bin/chromium"))
# As the machine's own check starts it: no sandbox as root, nothing reaching out to Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Served:
    url: str
    settings: Settings
    app: web.Application


@asynccontextmanager
async def serving(
    settings: Settings, departments: Departments, *, clock: Clock = utc_now
) -> AsyncIterator[Served]:
    """The app on a real port, its public URL that port, so the browser and the phone agree."""
    port = free_port()
    settings = settings.model_copy(
        update={"public_url_setting": f"http://127.0.0.1:{port}", "console_live_every_s": 0.3}
    )
    await create_accounts(settings)
    app = create_app(settings, departments, clock=clock)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield Served(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    await runner.cleanup()


async def signed_in_page(browser: object, served: Served, person: Person) -> object:
    context = await browser.new_context(  # type: ignore[attr-defined]
        locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    page = await context.new_page()
    await page.goto(served.url + "/console/")
    await page.get_by_label("Identifiant").fill(person.login)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(served.url + "/console/")
    return page
