"""The mail channel's decisions: which mails are answered, which request a mail joins, what
the sender reads back and who is told.

Pure: headers, the time, the opening and the thread found are passed in; texts come from
templates/mail/texts.toml (frontdoor.mailbox.texts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from string import Template

from frontdoor.core.calendar import Opening, require_aware
from frontdoor.core.department import Department
from frontdoor.core.notices import recipients
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.spoken import spoken_moment

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


@dataclass(kw_only=True, frozen=True)
class Rule:
    name: str  # kebab-case, stable
    description: str  # French, as the console shows it
    check: Callable[[Headers], bool]


def _local_part(address: str) -> str:
    return address.partition("@")[0].lower()


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
        description="envoi en nombre (Precedence bulk, list ou junk) : pas d'accusé",
        check=lambda h: (h.precedence or "").strip().lower() in {"bulk", "list", "junk"},
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
        name="mailer-daemon",
        description="expéditeur automatique (MAILER-DAEMON, postmaster) : pas d'accusé",
        check=lambda h: (
            _local_part(h.sender)
            in {"mailer-daemon", "postmaster", "noreply", "no-reply", "ne-pas-repondre"}
        ),
    ),
    Rule(
        name="x-autoreply",
        description="réponse automatique (X-Autoreply) : pas d'accusé",
        check=lambda h: h.x_autoreply is not None,
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
    address: str, *, known: Mapping[str, str], domains: Mapping[str, str]
) -> tuple[ReferrerType, str, Reason]:
    """(type, source, why): a known address, then the domain rules, else unknown."""
    address = address.strip().lower()
    if address in known:
        kind = ReferrerType(known[address])
        return kind, "known_contact", Reason(code="mail-known-contact", text="adresse connue")
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


@dataclass(kw_only=True, frozen=True)
class MailDecision:
    action: MailAction
    acknowledge: bool
    notify: tuple[str, ...] = ()
    callback_needed: bool = False
    out_of_hours: bool = False
    reasons: tuple[Reason, ...] = ()


def inbound(
    department: Department,
    *,
    at: datetime,
    opening: Opening,
    headers: Headers,
    thread: int | None,
    threaded_by: str | None = None,
    unreadable: str | None = None,
) -> MailDecision:
    """What a mail received at ``at`` gets, and why.

    It joins the request ``thread`` (found by its threading headers or the reference in its
    subject) or opens a new one. A new request is acknowledged unless the mail is automatic
    (NO_ACK_RULES); a further mail of a request is not acknowledged again. In hours the
    referents on duty are told of a new request (the backup list when nobody is on duty);
    out of hours, or with nobody to tell, it needs a callback.

    A mail whose content could not be read (``unreadable``: the parser's code) is parked on
    the server; its sender still gets a request, never an acknowledgement (we could not tell
    a bounce or a list from a person), and it always needs a callback: someone asks the
    sender to send it again.
    """
    require_aware(at)
    reasons: list[Reason] = []
    if thread is not None:
        reasons.append(Reason(code="mail-join", text=f"rattaché à la demande ({threaded_by})"))
    else:
        reasons.append(Reason(code="mail-new-request", text="nouvelle demande par messagerie"))
    reasons.append(opening.reason)
    automatic = no_ack_reasons(headers)
    reasons.extend(automatic)
    if unreadable is not None:
        why = unreadable_label(unreadable)
        text = f"contenu illisible ({why}) : original mis de côté, pas d'accusé"
        reasons.append(Reason(code="mail-unreadable", text=text))
    acknowledge = thread is None and not automatic and unreadable is None
    if acknowledge:
        reasons.append(Reason(code="mail-ack", text="accusé de réception envoyé"))
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
        acknowledge=acknowledge,
        notify=notify,
        callback_needed=callback_needed,
        out_of_hours=not opening.is_open,
        reasons=tuple(reasons),
    )


# Why a mail's content could not be read (frontdoor.mailbox.parse codes), as people read it.
UNREADABLE_LABELS = {
    "too-large": "trop volumineux",
    "malformed-mime": "structure MIME invalide",
    "malformed-header": "en-têtes illisibles",
    "unknown-charset": "jeu de caractères inconnu",
    "undecodable-text": "texte illisible dans le jeu de caractères annoncé",
    "unreadable": "format illisible",
}


def unreadable_label(code: str) -> str:
    return UNREADABLE_LABELS.get(code, "format illisible")


def unreadable_note(code: str, *, parked_in: str | None, size: int | None = None,
                    limit: int | None = None) -> str:  # fmt: skip
    """What is stored in place of the text of a mail that could not be read."""
    why = unreadable_label(code)
    if code == "too-large" and size is not None and limit is not None:
        why += f" : {_megabytes(size)}, la limite est de {_megabytes(limit)}"
    where = (
        f"dans le dossier « {parked_in} » de la messagerie sécurisée"
        if parked_in
        else "dans la messagerie sécurisée, marqué « $FrontdoorParked »"
    )
    return (
        f"Le contenu de ce courriel n'a pas pu être lu ({why}). L'original est conservé "
        f"{where} ; demander à l'expéditeur de le renvoyer si besoin."
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
    return Acknowledgement(
        subject=Template(texts["subject"]).safe_substitute(values),
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
    delay = RETRY_FIRST * 2 ** max(0, attempts - 1)
    return at + min(delay, RETRY_LONGEST)
