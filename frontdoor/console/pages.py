"""Rendering console pages: every page gets who is signed in and what they may reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from frontdoor.console.auth import VIEWER
from frontdoor.core.access import ROLE_LABELS, Action
from frontdoor.keys import STAND_INS


def page_context(request: web.Request) -> dict[str, Any]:
    viewer = request.get(VIEWER)
    if viewer is None:
        return {"viewer": None, "may": {}, "role_label": "", "path": request.path}
    return {
        "viewer": viewer,
        "role_label": ROLE_LABELS[viewer.role],
        "may": {action.value: viewer.may(action) for action in Action},
        "path": request.path,
        # The development mode's stand-ins run: their page of what was sent is in the menu.
        "stand_ins": STAND_INS in request.config_dict,
    }


def render(
    template: str, request: web.Request, context: Mapping[str, Any], *, status: int = 200
) -> web.Response:
    response = aiohttp_jinja2.render_template(
        template, request, {**page_context(request), **context}, status=status
    )
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    return response
