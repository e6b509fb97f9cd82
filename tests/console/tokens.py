"""API tokens made in the console, as a coordinator makes them."""

from __future__ import annotations

import re

from tests.console.conftest import Browser


async def new_token(browser: Browser, *scopes: str) -> str:
    response = await browser.post(
        "/console/jetons", [("label", "outil de coordination"), *(("scopes", s) for s in scopes)]
    )
    assert response.status == 200, await response.text()
    found = re.search(r'<code id="new-token">(fd_[^<]+)</code>', await response.text())
    assert found is not None
    return found.group(1)
