"""Who is the deployment's operator: the one reader of what the public must not see (the
metrics; /readyz's reasons, mailboxes and warnings).

With FRONTDOOR_METRICS_TOKEN set, a request carrying it (`Authorization: Bearer <token>`);
without, a request from this host's loopback that no proxy forwarded.
"""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web

from frontdoor.keys import SETTINGS

# What a reverse proxy adds: a proxy on the same host is loopback too.
_PROXIED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def is_operator(request: web.Request) -> bool:
    token = request.app[SETTINGS].metrics_token
    if token is not None:
        secret = token.get_secret_value()
        sent = request.headers.get("Authorization", "")
        return bool(secret) and hmac.compare_digest(sent.encode(), f"Bearer {secret}".encode())
    if any(name in request.headers for name in _PROXIED):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:  # a Unix socket has no address: not loopback
        return False
