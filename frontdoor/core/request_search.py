"""Finding a department's requests from one search box: what a query typed asks for, why a
request answered it, and what the access journal keeps of the search.

A query is read once, as everything it could be: a request number ("1234", "n° 1234",
"#1234"), a phone number written any way ("06 12 34 56 78", "+33 6…": the edge gives it in
E.164, and it matches exactly), a mail address (exactly, lower case), the words of a name
(folded: case, accents, particles, every word beginning one of the names, as the persons'
search does), and a text to find in notes and messages. A request answers when any of them
matches it; each match says why (`Match`), so that the results show how a request was
found without showing what it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from frontdoor.core.mail_addresses import is_mail_address
from frontdoor.core.person_identity import fold
from frontdoor.core.persons import DETAIL_CHARS
from frontdoor.core.retention import pseudonym

MAX_QUERY_CHARS = 200
# A text shorter than this is not looked for in notes and messages: it would find everything.
MIN_TEXT_CHARS = 3
# A request number: digits alone, or after "n°", "no", "#" (a phone number is longer).
_REQUEST_NUMBER = re.compile(r"^(?:n\s*°|no\.?|#)?\s*(\d{1,9})$", re.IGNORECASE)
# What is typed as a phone number: digits, with spaces, dots, dashes, parentheses, a +.
_PHONE_LIKE = re.compile(r"^\+?[\d\s.()\-]{6,}$")


class QueryError(ValueError):
    """A search that cannot be made: the French message says why."""


class Match(StrEnum):
    """Why a request answered a search."""

    REQUEST_NUMBER = "request_number"
    NUMBER = "number"
    ADDRESS = "address"
    PERSON_NAME = "person_name"
    CALLER_NAME = "caller_name"
    NOTE = "note"
    MESSAGE = "message"


MATCH_LABELS: dict[Match, str] = {
    Match.REQUEST_NUMBER: "numéro de demande",
    Match.NUMBER: "numéro de téléphone",
    Match.ADDRESS: "adresse de messagerie",
    Match.PERSON_NAME: "nom de la personne concernée",
    Match.CALLER_NAME: "nom de l'appelant",
    Match.NOTE: "texte d'une note",
    Match.MESSAGE: "texte d'un message (SMS, courriel)",
}


@dataclass(kw_only=True, frozen=True)
class RequestQuery:
    """What one search asks for; each part None or empty when the query cannot be it."""

    typed: str
    request_id: int | None = None
    number: str | None = None  # E.164
    address: str | None = None  # lower case
    words: tuple[str, ...] = ()  # folded, for names
    text: str | None = None  # for notes and messages, as typed

    def journal_detail(self, *, key: bytes, found: int) -> str:
        """What the access journal keeps: the kind of query and its pseudonym (never what
        was typed: a name, a number, a phrase of a note), and how many requests it found."""
        if self.request_id is not None:
            asked = f"demande n° {self.request_id}"
        elif self.number is not None:
            asked = f"numéro {pseudonym(self.number, key)}"
        elif self.address is not None:
            asked = f"adresse {pseudonym(self.address, key)}"
        else:
            asked = f"texte {pseudonym(' '.join(self.words) or self.typed.casefold(), key)}"
        return f"recherche {asked} : {found} demandes"[:DETAIL_CHARS]


def read_query(typed: str, *, as_number: str | None) -> RequestQuery:
    """The query as typed, `as_number` what the edge read of it as a phone number (E.164,
    None when it is not one)."""
    text = " ".join(typed.split())
    if not text:
        raise QueryError("tapez un nom, un numéro, une adresse ou un mot à chercher")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"la recherche dépasse {MAX_QUERY_CHARS} caractères")
    if number := _REQUEST_NUMBER.match(text):
        return RequestQuery(typed=text, request_id=int(number.group(1)))
    if as_number is not None and _PHONE_LIKE.match(text):
        return RequestQuery(typed=text, number=as_number)
    if is_mail_address(text):
        return RequestQuery(typed=text, address=text.lower(), text=text)
    return RequestQuery(
        typed=text,
        words=tuple(fold(text)),
        text=text if len(text) >= MIN_TEXT_CHARS else None,
    )


def pages(total: int, size: int) -> int:
    """How many pages `total` results fill (one, empty, when there are none)."""
    return max(1, -(-total // size))
