"""The API's lists, page by page: what a page asks for, and the cursor that carries a page's
end to the next one.

A cursor is opaque to the integrator and tamper-evident: the last row's sort key (an instant
and an id: the order is stable, newest first) and the list's filters, signed with a key the
service holds. A cursor changed by a byte, made for another list, or sent with other filters
is refused (`ListingRefused`, in French), never silently read as something else. Rows that
arrive after the first page sort before any cursor, so following `next` to the end gives each
row that existed at the start exactly once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdoor.core.dates import local_instant

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# A cursor is a few dozen bytes; anything much longer is not one of ours.
MAX_CURSOR_CHARS = 1000
_SIGNATURE_BYTES = 16
_CONTEXT = b"frontdoor api cursor v1"


class ListingRefused(ValueError):
    """A page that cannot be given, said in French for the integrator."""


@dataclass(kw_only=True, frozen=True)
class Mark:
    """Where a page ended: the last row's instant and id (the list's sort key)."""

    at: datetime
    id: int


def cursor_key(secret: bytes) -> bytes:
    """The cursors' own key, derived from a service secret (never the secret itself)."""
    return hmac.new(secret, _CONTEXT, hashlib.sha256).digest()


def _digest(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _canonical(listing: str, filters: Mapping[str, str]) -> list[object]:
    return [listing, sorted((name, value) for name, value in filters.items() if value)]


def encode_cursor(*, key: bytes, listing: str, filters: Mapping[str, str], mark: Mark) -> str:
    """The cursor of the page after `mark`, for this list with these filters."""
    body = [*_canonical(listing, filters), mark.at.isoformat(), mark.id]
    payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    signed = _digest(key, payload) + payload
    return base64.urlsafe_b64encode(signed).decode().rstrip("=")


def decode_cursor(text: str, *, key: bytes, listing: str, filters: Mapping[str, str]) -> Mark:
    """The mark a cursor carries; ListingRefused if it is not one this service made for this
    list and these filters."""
    if len(text) > MAX_CURSOR_CHARS:
        raise ListingRefused("curseur invalide : il n'a pas été donné par ce service")
    try:
        signed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ListingRefused("curseur invalide : il n'a pas été donné par ce service") from None
    signature, payload = signed[:_SIGNATURE_BYTES], signed[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _digest(key, payload)):
        raise ListingRefused("curseur invalide : il a été modifié ou vient d'ailleurs")
    try:
        *context, at_text, mark_id = json.loads(payload)
        at = datetime.fromisoformat(at_text)
    except (ValueError, TypeError):  # signed by us, so only an older format gets here
        raise ListingRefused("curseur invalide : format inconnu") from None
    if context[:1] != [listing]:
        raise ListingRefused("curseur invalide : il a été donné pour une autre liste")
    if context != json.loads(json.dumps(_canonical(listing, filters))):
        raise ListingRefused(
            "curseur invalide : les filtres ont changé depuis la première page ; "
            "reprenez sans curseur"
        )
    if not isinstance(mark_id, int) or at.tzinfo is None:
        raise ListingRefused("curseur invalide : format inconnu")
    return Mark(at=at, id=mark_id)


def parse_limit(text: str | None) -> int:
    """How many rows a page holds: DEFAULT_LIMIT unless asked, from 1 to MAX_LIMIT."""
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise ListingRefused(f"limit : un nombre entier de 1 à {MAX_LIMIT} est attendu")
    return int(text)


def local_days(
    first: date | None, last: date | None, timezone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the local days from `first` to `last` included, either side open when
    not given: a day is the department's, from its midnight to the next."""
    if first is not None and last is not None and last < first:
        raise ListingRefused("to : le dernier jour ne peut précéder le premier (from)")
    start = local_instant(first, time(0), timezone) if first is not None else None
    end = local_instant(last + timedelta(days=1), time(0), timezone) if last is not None else None
    return start, end


def choice(name: str, text: str | None, allowed: Mapping[str, str] | frozenset[str]) -> str | None:
    """A filter among known values (None when not given); ListingRefused naming them."""
    if text is None or text == "":
        return None
    if text not in allowed:
        raise ListingRefused(f"{name} : une valeur parmi {', '.join(sorted(allowed))} est attendue")
    return text
