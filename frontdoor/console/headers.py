"""Security headers on every console answer: the pages load only their own CSS and script,
cannot be framed, and tell the browser not to guess types or leak addresses."""

from __future__ import annotations

from aiohttp import web

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # The indicator bars set their width in a style attribute, nothing else is inline.
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)

# The browser phone's page (console.browser_phone) also reaches Twilio's signalling and
# event servers, and may use the microphone; its script is still only our own copy of the SDK.
TWILIO_VOICE = "wss://*.twilio.com https://*.twilio.com"
PHONE_HEADERS = {
    "Content-Security-Policy": POLICY.replace(
        "connect-src 'self'", f"connect-src 'self' {TWILIO_VOICE}"
    ),
    "Permissions-Policy": "camera=(), microphone=(self), geolocation=()",
}

HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
