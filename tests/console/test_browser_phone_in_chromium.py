"""The browser phone in Debian's Chromium: the page loads Twilio's Voice SDK from Frontdoor,
asks for the microphone (a fake one), gets its token, and says honestly what happens next.
Twilio cannot be reached from here: the page must say "Hors ligne", never "Prêt"."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent
from tests.console.browser_phones import PHONE_PAGE, with_browser_phone
from tests.console.chromium import CHROMIUM, CHROMIUM_ARGS, Served, serving, signed_in_page
from tests.console.conftest import LOT_REFERENT
from tests.console.voice_sdk import voice_sdk_dir

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Debian's chromium (apt-get install chromium); CI installs it",
)
# A microphone that exists and says yes: Chromium's fake device and its fake consent prompt.
FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture
async def served(wired_settings: Settings, departments: Departments) -> AsyncIterator[Served]:
    settings = with_browser_phone(wired_settings, voice_sdk_dir=voice_sdk_dir())
    async with serving(settings, departments) as running:
        yield running


@pytest.fixture
async def chromium() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
        )
        yield browser
        await browser.close()


async def test_the_page_loads_the_sdk_from_frontdoor_asks_for_the_microphone_and_says_offline(
    served: Served, chromium: object
) -> None:
    page = await signed_in_page(chromium, served, LOT_REFERENT)
    scripts: list[str] = []
    page.on(  # type: ignore[attr-defined]
        "request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None
    )
    await page.goto(served.url + PHONE_PAGE)  # type: ignore[attr-defined]
    assert await page.locator("#telephone").count() == 0  # type: ignore[attr-defined]

    await page.get_by_label("dans le navigateur (cette console)").check()  # type: ignore[attr-defined]
    await page.get_by_role("button", name="Enregistrer").click()  # type: ignore[attr-defined]
    await page.wait_for_selector("#telephone")  # type: ignore[attr-defined]

    microphone = page.locator("#etat-micro")  # type: ignore[attr-defined]
    state = page.locator("#etat-telephone")  # type: ignore[attr-defined]
    await playwright_api.expect(microphone).to_have_text("autorisé", timeout=20_000)
    # The token was given and the SDK tried Twilio: unreachable, said as such.
    await playwright_api.expect(state).to_contain_text(
        "Hors ligne : Twilio injoignable", timeout=60_000
    )
    assert await page.evaluate("typeof window.Twilio.Device") == "function"  # type: ignore[attr-defined]
    # Every script from Frontdoor itself, the SDK included: no CDN.
    assert {url.split("?")[0] for url in scripts} == {
        f"{served.url}/console/static/console.js",
        f"{served.url}/console/static/voice-sdk/twilio.min.js",
        f"{served.url}/console/static/browser_phone.js",
    }
    engine = create_engine(served.settings.database_url)
    async with session_maker(engine)() as session:
        tokens = (await session.exec(select(AuditEvent.account).where(
            AuditEvent.action == "browser-phone-token"))).all()  # fmt: skip
    await engine.dispose()
    assert tokens == [LOT_REFERENT.login]
