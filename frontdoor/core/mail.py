"""The mail channel's decisions: which mails are answered, which request a mail joins, what
the sender reads back and who is told.

Pure: headers, the time, the opening and the thread found are passed in; texts come from
templates/mail/texts.toml (frontdoor.mailbox.texts).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from string import Template

from frontdoor.core.calendar import Opening, require_aware
from frontdoor.core.department import Department
from frontdoor.core.notices import recipients
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import KnownCaller, ReferrerType, classify_known
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.texts import medical_advice, tidy

# ----- The request reference carried in subjects: "[DAC46-123]" -----

_REFERENCE = re.compile(r"\[\s*([A-Za-z0-9-]+?)-(\d{1,12})\s*\]")


def reference(department_slug: str, request_id: int) -> str:
    """The reference a request's mails carry in their subject, e.g. "[DAC46-123]"."""
    return f"[{department_slug.upper()}-{request_id}]"


def referenced_request(subject: str, department_slug: str) -> int | None:
    """The request a subject names with this department's reference, if it names one."""
    for match in _REFERENCE.finditer(subject):
        if match.group(1).upper() == department_slug.upper():
            return int(match.group(2))
    return None


# ----- Which request a mail joins -----

BY_HEADERS = "en-têtes de réponse"
BY_REFERENCE = "référence dans l'objet"


@dataclass(kw_only=True, frozen=True)
class Cited:
    """A request of the department that a mail points to: ``by`` its threading headers (it
    answers one of the request's mails) or its subject's reference; ``conversation`` the
    addresses of that request: its contact, whoever wrote to it, whoever it wrote to."""

    request: int
    by: str
    conversation: Collection[str]


@dataclass(kw_only=True, frozen=True)
class Threading:
    """Where a mail goes: the request it joins (None: a new one) and by what; or, when it
    points to a request it may not join, that request and how it pointed to it, to link the
    new one to it."""

    joins: int | None = None
    by: str | None = None
    linked_to: int | None = None


def threading(*, sender: str, cited: Sequence[Cited]) -> Threading:
    """The request a mail from ``sender`` joins, of those it points to (``cited``: the
    requests of the mails it answers first, the nearest first, then the one its subject
    names).

    Neither way proves anything about the sender: a number in a subject is easy to guess or
    to copy, and a Message-ID travels with every forwarded mail. The mail joins the first
    cited request whose conversation its sender is part of; if none, it opens a new request,
    linked to the first one it cited.
    """
    address = sender.strip().lower()
    for one in cited:
        if address in {known.strip().lower() for known in one.conversation}:
            return Threading(joins=one.request, by=one.by)
    if cited:
        return Threading(linked_to=cited[0].request, by=cited[0].by)
    return Threading()


# ----- Mails that must never be answered (RFC 3834, RFC 2369, bounces) -----


@dataclass(kw_only=True, frozen=True)
class Headers:
    """The headers the rules read, already decoded; absent is None."""

    sender: str  # the From address, lower-cased
    auto_submitted: str | None = None
    precedence: str | None = None
    return_path: str | None = None
    list_id: str | None = None
    list_unsubscribe: str | None = None
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    x_auto_response_suppress: str | None = None  # Microsoft's: "All", "OOF", "AutoReply"…


@dataclass(kw_only=True, frozen=True)
class Rule:
    name: str  # kebab-case, stable
    description: str  # French, as the console shows it
    check: Callable[[Headers], bool]


# Senders that read nothing they are sent, by the local part of their address compared
# without case, accents or separators ("Ne_Pas-Répondre" is "nepasrepondre"): anywhere in it…
NO_REPLY_WORDS = ("noreply", "donotreply", "dontreply", "nepasrepondre", "nerepondezpas",
                  "pasdereponse", "mailerdaemon")  # fmt: skip
# … at its start ("bounces+x", VERP) …
NO_REPLY_PREFIXES = ("bounce",)
# … or all of it.
NO_REPLY_LOCAL_PARTS = ("postmaster", "listserv", "majordomo")


def _local_part(address: str) -> str:
    """ "Ne_Pas-Répondre+dac@x.fr" → "nepasrepondredac": lower case, no accents or separators."""
    local = address.rpartition("@")[0] if "@" in address else address
    plain = unicodedata.normalize("NFKD", local.lower())
    return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c))


def is_no_reply_address(address: str) -> bool:
    local = _local_part(address)
    return (
        any(word in local for word in NO_REPLY_WORDS)
        or local.startswith(NO_REPLY_PREFIXES)
        or local in NO_REPLY_LOCAL_PARTS
    )


def _set(value: str | None) -> bool:
    """A header present with a value that asks for something: not empty, not "none"."""
    return value is not None and value.strip().lower() not in {"", "none"}


NO_ACK_RULES: tuple[Rule, ...] = (
    Rule(
        name="auto-submitted",
        description="réponse automatique (Auto-Submitted) : pas d'accusé de réception",
        check=lambda h: (
            h.auto_submitted is not None
            and h.auto_submitted.strip().lower().split(";")[0].strip() != "no"
        ),
    ),
    Rule(
        name="precedence",
        description="envoi en nombre ou automatique (Precedence bulk, list, junk ou auto_reply) : "
        "pas d'accusé",
        check=lambda h: (
            (h.precedence or "").strip().lower() in {"bulk", "list", "junk", "auto_reply"}
        ),
    ),
    Rule(
        name="empty-return-path",
        description="avis de non-remise (Return-Path vide) : pas d'accusé",
        check=lambda h: h.return_path is not None and h.return_path.strip() in {"", "<>"},
    ),
    Rule(
        name="list",
        description="message de liste de diffusion (List-Id) : pas d'accusé",
        check=lambda h: h.list_id is not None or h.list_unsubscribe is not None,
    ),
    Rule(
        name="no-reply-address",
        description="adresse qui ne lit pas les réponses (ne-pas-répondre, noreply, "
        "MAILER-DAEMON, postmaster…) : pas d'accusé",
        check=lambda h: is_no_reply_address(h.sender),
    ),
    Rule(
        name="x-autoreply",
        description="réponse automatique (X-Autoreply) : pas d'accusé",
        check=lambda h: h.x_autoreply is not None,
    ),
    Rule(
        name="x-autorespond",
        description="réponse automatique (X-Autorespond) : pas d'accusé",
        check=lambda h: h.x_autorespond is not None,
    ),
    Rule(
        name="x-auto-response-suppress",
        description="l'expéditeur refuse les réponses automatiques (X-Auto-Response-Suppress) : "
        "pas d'accusé",
        check=lambda h: _set(h.x_auto_response_suppress),
    ),
)


def no_ack_reasons(headers: Headers) -> tuple[Reason, ...]:
    """Why this mail must not be acknowledged; empty: it may be."""
    return tuple(
        Reason(code=f"mail-no-ack-{rule.name}", text=rule.description)
        for rule in NO_ACK_RULES
        if rule.check(headers)
    )


# ----- Referrer type from the sender -----


def classify_sender(
    address: str, *, known: Mapping[str, KnownCaller], domains: Mapping[str, str]
) -> tuple[ReferrerType, str, Reason]:
    """(type, source, why): a known address (the rule of calls and SMS), then the domain
    rules, else unknown."""
    address = address.strip().lower()
    classified = classify_known(known.get(address))
    if classified.reason is not None:
        return classified.referrer_type, classified.source, classified.reason
    domain = address.rpartition("@")[2]
    for rule_domain, kind_name in sorted(domains.items(), key=lambda kv: -len(kv[0])):
        rule_domain = rule_domain.lower()
        if domain == rule_domain or domain.endswith("." + rule_domain):
            reason = Reason(code="mail-domain", text=f"domaine {rule_domain} : {kind_name}")
            return ReferrerType(kind_name), "domain", reason
    return ReferrerType.UNKNOWN, "none", Reason(code="mail-unknown-sender", text="à confirmer")


# ----- What a mail gets -----


class MailAction(StrEnum):
    NEW_REQUEST = "new-request"
    JOIN_REQUEST = "join-request"


class AutoAnswer(StrEnum):
    """What a mail may get back by itself: its kind in the outbox and under the request."""

    ACKNOWLEDGEMENT = "acknowledgement"  # received, here is its reference
    UNREADABLE = "unreadable-notice"  # received but not readable: what happens next


# RFC 3834 §2: an automatic responder answers one sender at most once in a period ("several
# days"; it suggests a week). A day here: a GP writes to the DAC about several patients in a
# week and each request's acknowledgement carries its reference, which their answers need;
# within a day, the first answer already told them the mailbox reads them. The period only
# bounds how often an exchange with a responder that sets no automatic header can start
# again: it stops after our first answer (tests/mailbox/test_auto_answers.py).
AUTO_ANSWER_PERIOD = timedelta(days=1)


def auto_answer_threshold(at: datetime) -> datetime:
    """A sender last answered automatically at or before this instant may be answered at
    ``at``; after it, not. In UTC: 24 hours of time, also across a change of clocks (Python
    subtracts wall-clock time within one zone)."""
    require_aware(at)
    return at.astimezone(UTC) - AUTO_ANSWER_PERIOD


def may_answer(last_answered: datetime | None, *, at: datetime) -> bool:
    """May this sender be answered automatically at ``at``: nothing automatic went to them in
    the period before (None: never, or not within the store's memory)."""
    return last_answered is None or last_answered <= auto_answer_threshold(at)


@dataclass(kw_only=True, frozen=True)
class MailDecision:
    action: MailAction
    answer: AutoAnswer | None = None
    notify: tuple[str, ...] = ()
    callback_needed: bool = False
    out_of_hours: bool = False
    reasons: tuple[Reason, ...] = ()

    @property
    def acknowledge(self) -> bool:
        return self.answer is AutoAnswer.ACKNOWLEDGEMENT


def inbound(
    department: Department,
    *,
    at: datetime,
    opening: Opening,
    headers: Headers,
    thread: int | None,
    threaded_by: str | None = None,
    unreadable: str | None = None,
    last_answered: datetime | None = None,
    linked_to: int | None = None,
) -> MailDecision:
    """What a mail received at ``at`` gets, and why.

    It joins the request ``thread`` (found by its threading headers or the reference in its
    subject) or opens a new one. A new request is acknowledged; a further mail of a request
    is not acknowledged again. In hours the referents on duty are told of a new request (the
    backup list when nobody is on duty); out of hours, or with nobody to tell, it needs a
    callback. A new request that the mail could not join although it pointed to it
    (``linked_to``, ``threaded_by`` saying how) carries why.

    A mail whose content could not be read (``unreadable``: the parser's code) is parked on
    the server; its sender gets a request (or joins theirs) and a notice, in place of the
    acknowledgement, saying that it could not be read and what comes next; a new request
    always needs a callback: someone asks the sender to send it again.

    Nothing is answered to an automatic mail (NO_ACK_RULES), nor to a sender answered
    automatically less than AUTO_ANSWER_PERIOD ago (``last_answered``): an autoresponder
    that sets no header gets one answer, not a loop.
    """
    require_aware(at)
    reasons: list[Reason] = []
    if thread is not None:
        reasons.append(Reason(code="mail-join", text=f"rattaché à la demande ({threaded_by})"))
    else:
        reasons.append(Reason(code="mail-new-request", text="nouvelle demande par messagerie"))
    if linked_to is not None:
        reasons.append(linked_reason(linked_to, threaded_by or BY_REFERENCE))
    reasons.append(opening.reason)
    automatic = no_ack_reasons(headers)
    reasons.extend(automatic)
    owed: AutoAnswer | None = AutoAnswer.ACKNOWLEDGEMENT if thread is None else None
    if unreadable is not None:
        why = unreadable_label(unreadable)
        reasons.append(Reason(code="mail-unreadable", text=f"contenu illisible ({why}) : "
                                                            "original mis de côté"))  # fmt: skip
        owed = AutoAnswer.UNREADABLE
    answer = None
    if owed is not None and not automatic:
        if may_answer(last_answered, at=at):
            answer = owed
            reasons.append(_ANSWERED[owed])
        else:
            reasons.append(
                Reason(
                    code="mail-no-ack-answered-recently",
                    text="réponse automatique déjà envoyée à cet expéditeur depuis moins de "
                    f"{_hours(AUTO_ANSWER_PERIOD)} h : pas d'autre",
                )
            )
    notify: tuple[str, ...] = ()
    callback_needed = thread is None and unreadable is not None
    if thread is None and not automatic:
        if not opening.is_open:
            callback_needed = True
            reasons.append(Reason(code="mail-callback", text="hors horaires : à traiter"))
        else:
            told = recipients(department, at=at)
            notify = told.referent_ids
            if not told.nobody:
                reasons.append(Reason(code="mail-notify", text=f"prévenus : {', '.join(notify)}"))
            else:
                callback_needed = True
                reasons.append(Reason(code="mail-callback", text="personne à prévenir"))
    return MailDecision(
        action=MailAction.JOIN_REQUEST if thread is not None else MailAction.NEW_REQUEST,
        answer=answer,
        notify=notify,
        callback_needed=callback_needed,
        out_of_hours=not opening.is_open,
        reasons=tuple(reasons),
    )


_LINKED_BY = {
    BY_HEADERS: "répond à un message de la demande",
    BY_REFERENCE: "cite dans son objet la demande",
}


def linked_reason(named: int, by: str = BY_REFERENCE) -> Reason:
    """On the new request of a mail pointing to request ``named`` (``by`` its threading
    headers or its subject) that it could not join."""
    return Reason(
        code="mail-linked",
        text=f"le courriel {_LINKED_BY.get(by, _LINKED_BY[BY_REFERENCE])} n° {named}, mais "
        "l'expéditeur n'en fait pas partie : nouvelle demande, liée à celle-ci",
    )


def cited_reason(new: int) -> Reason:
    """On request n, when another sender's mail pointing to it opened request ``new``."""
    return Reason(
        code="mail-cited",
        text=f"un courriel d'un expéditeur qui n'en fait pas partie renvoie à cette demande : "
        f"ouvert en demande n° {new}, liée à celle-ci",
    )


_ANSWERED = {
    AutoAnswer.ACKNOWLEDGEMENT: Reason(code="mail-ack", text="accusé de réception envoyé"),
    AutoAnswer.UNREADABLE: Reason(
        code="mail-unreadable-notice",
        text="expéditeur prévenu que son message n'a pas pu être lu, et de la suite",
    ),
}


def _hours(period: timedelta) -> int:
    return int(period.total_seconds() // 3600)


# Why a mail's content could not be read (frontdoor.mailbox.parse codes), as people read it.
UNREADABLE_LABELS = {
    "too-large": "trop volumineux",
    "too-many-parts": "trop de pièces jointes ou de parties",
    "malformed-mime": "structure MIME invalide",
    "malformed-header": "en-têtes illisibles",
    "unknown-charset": "jeu de caractères inconnu",
    "undecodable-text": "texte illisible dans le jeu de caractères annoncé",
    "unreadable": "format illisible",
}


def unreadable_label(code: str) -> str:
    return UNREADABLE_LABELS.get(code, "format illisible")


def _why(code: str, limit: int | None) -> str:
    """Why, with the limit a mail of too many parts went over (``limit``: attachments)."""
    why = unreadable_label(code)
    if code == "too-many-parts" and limit is not None:
        why += f" : {limit} pièces jointes au plus par message"
    return why


def unreadable_note(code: str, *, parked_in: str | None, size: int | None = None,
                    limit: int | None = None, told: bool = False) -> str:  # fmt: skip
    """What is stored in place of the text of a mail that could not be read; ``told``: its
    sender got the notice (unreadable_notice). ``limit``: the one it went over (bytes for
    "too-large", attachments for "too-many-parts")."""
    why = _why(code, limit)
    if code == "too-large" and size is not None and limit is not None:
        why += f" : {_megabytes(size)}, la limite est de {_megabytes(limit)}"
    where = (
        f"dans le dossier « {parked_in} » de la messagerie sécurisée"
        if parked_in
        else "dans la messagerie sécurisée, marqué « $FrontdoorParked »"
    )
    then = (
        "l'expéditeur en a été prévenu par un message automatique"
        if told
        else "demander à l'expéditeur de le renvoyer si besoin"
    )
    return (
        f"Le contenu de ce courriel n'a pas pu être lu ({why}). L'original est conservé "
        f"{where} ; {then}."
    )


def _megabytes(size: int) -> str:
    """68400000 → "68,4 Mo", 25000000 → "25 Mo" (French decimal comma)."""
    return f"{size / 1e6:.1f}".removesuffix(".0").replace(".", ",") + " Mo"


@dataclass(kw_only=True, frozen=True)
class Acknowledgement:
    subject: str
    body: str


def acknowledgement(
    department: Department,
    *,
    at: datetime,
    opening: Opening,
    request_id: int,
    subject: str,
    texts: Mapping[str, str],
) -> Acknowledgement:
    """The mail sent back: in hours, or closed with when the line reopens."""
    values = {
        "department": department.name,
        "reference": reference(department.slug, request_id),
        "subject": subject,
    }
    if opening.is_open:
        body = texts["acknowledgement_open"]
    elif opening.reopens_at is None:
        body = texts["acknowledgement_closed_no_reopening"]
    else:
        body = texts["acknowledgement_closed"]
        values["reopening"] = spoken_moment(opening.reopens_at, now=at)
    values["medical_advice"] = medical_advice(texts, says_116117=department.medical_advice_116117)
    return Acknowledgement(
        subject=Template(texts["subject"]).safe_substitute(values),
        body=tidy(Template(body).safe_substitute(values)),
    )


def unreadable_notice(
    department: Department,
    *,
    request_id: int,
    subject: str,
    code: str,
    size: int | None,
    limit: int | None,
    texts: Mapping[str, str],
) -> Acknowledgement:
    """The mail sent back when a mail could not be read (``code``: the parser's): what
    happened (too large, with its size and the limit; or unreadable, and why, with the most
    attachments taken when it had too many) and what comes next (a referent calls back or
    answers; the document another way)."""
    values = {
        "department": department.name,
        "reference": reference(department.slug, request_id),
        "subject": subject,
        "why": _why(code, limit),
    }
    body = texts["unreadable"]
    if code == "too-large" and size is not None and limit is not None:
        body = texts["unreadable_too_large"]
        values |= {"size": _megabytes(size), "limit": _megabytes(limit)}
    return Acknowledgement(
        subject=Template(texts["unreadable_subject"]).safe_substitute(values),
        body=Template(body).safe_substitute(values),
    )


def notification(department: Department, *, request_id: int, texts: Mapping[str, str]) -> str:
    """To the referents: a mail is waiting under this request. Never its content."""
    return Template(texts["notification"]).safe_substitute(
        department=department.name, request=str(request_id)
    )


# ----- A mail that could not be sent: when to try again -----

RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=4)
GIVE_UP_AFTER = 12  # attempts: 1, 2, 4 … 128 min, then every 4 h; about 17 h in all


def next_attempt(attempts: int, *, at: datetime) -> datetime | None:
    """When to try again a mail that failed ``attempts`` times (the last one at ``at``):
    exponential backoff from one minute, at most four hours apart; None: give up."""
    require_aware(at)
    if attempts >= GIVE_UP_AFTER:
        return None
    delay = RETRY_FIRST * (1 << max(0, attempts - 1))
    return at.astimezone(UTC) + min(delay, RETRY_LONGEST)  # elapsed time, not wall-clock
