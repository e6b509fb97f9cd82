"""The SMS channel's decisions: segments, carrier keywords, and what an incoming SMS gets.

Pure: the time, the opening, the sender's opt-out state and open request are passed in; texts
come from templates/sms/texts.toml (frontdoor.sms.texts), overlaid per department.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from string import Template

from frontdoor.core.calendar import Opening, require_aware
from frontdoor.core.department import Department
from frontdoor.core.directory_search import DirectoryQuery
from frontdoor.core.notices import recipients
from frontdoor.core.reasons import Reason
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.texts import medical_advice, tidy

# A later SMS joins the sender's request while it is this recent (and its callback not closed).
OPEN_REQUEST_WINDOW = timedelta(hours=72)
# One acknowledgement (and one notification of the referents) per request within this time.
ACK_QUIET = timedelta(hours=1)
# A referent's answer longer than this is refused: it would arrive in pieces, and cost.
MAX_ANSWER_SEGMENTS = 10

# GSM 03.38 (3GPP TS 23.038) default alphabet: one septet each. Only the capital Ç is there
# (0x09); ç, ê, â, ô, î, û, œ, À and ’ are not, and turn the whole SMS into UCS-2, as
# Twilio's own calculator counts (TwilioDevEd/message-segment-calculator, UnicodeToGSM.ts).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet then the character, so two septets each.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(kw_only=True, frozen=True)
class SegmentCount:
    encoding: Encoding
    count: int  # segments billed and delivered (an empty text still costs one)
    characters: int  # septets in GSM-7, UTF-16 code units in UCS-2


def segments(text: str) -> SegmentCount:
    """How a text travels: 160 septets in one SMS, 153 per part beyond (the rest is the
    concatenation header); in UCS-2, 70 code units, 67 per part. An emoji is 2 units."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        units = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        encoding, single, part = Encoding.GSM7, 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        encoding, single, part = Encoding.UCS2, 70, 67
    count = 1 if units <= single else -(-units // part)
    return SegmentCount(encoding=encoding, count=count, characters=units)


class Keyword(StrEnum):
    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"


# Carrier keywords, matched on the whole message only (case, accents, spaces, hyphens and a
# final punctuation mark aside): "STOP" opts out, "merci de stopper" does not. Sources:
# - Twilio's default handling on long codes (help.twilio.com/articles/223134027, "Twilio support
#   for opt-out keywords (SMS STOP filtering)", and the Advanced Opt-Out tutorial,
#   twilio.com/docs/messaging/tutorials/advanced-opt-out): STOP, STOPALL, UNSUBSCRIBE, CANCEL,
#   END, QUIT, REVOKE, OPTOUT opt out; START, YES, UNSTOP opt back in; HELP, INFO get help.
#   Twilio blocks our sends itself after these (error 21610), so we must honour at least them.
# - The French words Twilio's Proxy drops as opt-outs (twilio.com/docs/proxy/opt-out-keywords):
#   ARRET, ARRETE, ARRETT; and AWS's required list (docs.aws.amazon.com/sms-voice, "Required
#   opt-out keywords"): ARRET, OPT-OUT, REMOVE.
# - French usage: "STOP SMS" is the CNIL's name for the opt-out of commercial SMS, whose
#   "STOP au 36xxx" short numbers do not apply to a DAC's informative messages (smsmode.com,
#   "STOP SMS : tour d'horizon"); people still write STOP or ARRET, and both are honoured.
KEYWORDS: tuple[tuple[Keyword, frozenset[str]], ...] = (
    (
        Keyword.OPT_OUT,
        frozenset(
            {"STOP", "STOPALL", "STOPSMS", "ARRET", "ARRETE", "ARRETT", "ARRETSMS",
             "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "REMOVE",
             "DESABONNER", "DESINSCRIRE", "DESINSCRIPTION"}
        ),
    ),
    (Keyword.OPT_IN, frozenset({"START", "UNSTOP", "YES"})),
    (Keyword.HELP, frozenset({"HELP", "INFO", "AIDE"})),
)  # fmt: skip


def keyword_of(text: str) -> Keyword | None:
    """The carrier keyword a whole message is, if it is one."""
    folded = unicodedata.normalize("NFKD", text.strip().rstrip(".!").upper())
    word = "".join(c for c in folded if c.isalnum())  # drops accents, spaces and hyphens
    return next((keyword for keyword, words in KEYWORDS if word in words), None)


class SmsAction(StrEnum):
    OPT_OUT = "opt-out"  # remember the number; send nothing more to it
    OPT_IN = "opt-in"  # forget its opt-out
    HELP = "help"  # answer with the help text, no request
    NEW_REQUEST = "new-request"
    JOIN_REQUEST = "join-request"  # a further message of the sender's open request


@dataclass(kw_only=True, frozen=True)
class SmsReply:
    action: SmsAction
    # The text sent back by return (TwiML <Message>), and what it is; None: nothing.
    reply: str | None = None
    reply_kind: str | None = None  # "acknowledgement", "help", "opted-in"
    # Referents to tell, now, that a message is waiting (never its content).
    notify: tuple[str, ...] = ()
    callback_needed: bool = False
    out_of_hours: bool = False
    reasons: tuple[Reason, ...] = ()


# Why an automatic answer was not sent (rate_limits.AUTOMATIC_SMS).
TOO_MANY_ANSWERS = Reason(
    code="sms-no-answer-flood",
    text="pas de réponse automatique : trop de SMS envoyés à ce numéro ces dernières minutes",
)


def inbound(
    department: Department,
    *,
    at: datetime,
    opening: Opening,
    text: str,
    opted_out: bool,
    open_request: bool,
    texts: Mapping[str, str],
    last_acknowledged_at: datetime | None = None,
    last_notified_at: datetime | None = None,
    withheld: bool = False,
    may_reply: bool = True,
) -> SmsReply:
    """What an SMS received at ``at`` gets, and why.

    Keywords first (STOP from anyone; START only from a number that opted out, otherwise a
    "yes" is a reply to a referent). Then the message opens a request or joins the sender's
    open one; it is acknowledged unless one was sent within the last hour, the number opted
    out, the sender has no number (``withheld``: a short code, a name) or too many automatic
    answers went to the number lately (``may_reply`` False: rate_limits.AUTOMATIC_SMS).
    A sender without a number never joins an open request: a name or "anonymous" is anyone's
    to send under, so it says nothing of who writes; each of their messages opens its own.
    In hours the referents on duty are told (the backup list when nobody is on duty), once an
    hour at most for one request (whether or not it was acknowledged: a number that opted out
    or was answered too much writes without an acknowledgement); out of hours nobody is woken
    up: the request needs a callback, like a missed call.
    """
    require_aware(at)
    keyword = keyword_of(text)
    if keyword is Keyword.OPT_OUT:
        return SmsReply(
            action=SmsAction.OPT_OUT,
            reasons=(_reason("sms-opt-out", "désinscription (STOP) : plus aucun SMS envoyé"),),
        )
    if keyword is Keyword.OPT_IN and opted_out:
        return SmsReply(
            action=SmsAction.OPT_IN,
            reply=render(texts["opted_in"], department),
            reply_kind="opted-in",
            reasons=(_reason("sms-opt-in", "réinscription (START) : SMS de nouveau permis"),),
        )
    if keyword is Keyword.HELP:
        if opted_out:  # as Twilio does: no automatic answer to a number that opted out
            why = _reason(
                "sms-help", "demande d'aide (HELP/AIDE/INFO) : numéro désinscrit, rien envoyé"
            )
            return SmsReply(action=SmsAction.HELP, reasons=(why,))
        if not may_reply:
            return SmsReply(action=SmsAction.HELP, reasons=(TOO_MANY_ANSWERS,))
        return SmsReply(
            action=SmsAction.HELP,
            reply=render(texts["help"], department),
            reply_kind="help",
            reasons=(_reason("sms-help", "demande d'aide (HELP/AIDE/INFO) : texte d'aide"),),
        )

    joins = open_request and not withheld
    reasons = [
        _reason("sms-join", "rattaché à la demande SMS en cours de ce numéro")
        if joins
        else _reason("sms-new-request", "nouvelle demande par SMS"),
        opening.reason,
    ]

    def lately(moment: datetime | None) -> bool:
        return moment is not None and at.astimezone(UTC) - moment.astimezone(UTC) < ACK_QUIET

    quiet = joins and lately(last_acknowledged_at)
    told_lately = quiet or (joins and lately(last_notified_at))
    reply = None
    if withheld:
        reasons.append(
            _reason("sms-no-ack-withheld", "pas d'accusé de réception : expéditeur sans numéro")
        )
    elif opted_out:
        reasons.append(
            _reason("sms-no-ack-opted-out", "pas d'accusé de réception : numéro désinscrit")
        )
    elif quiet:
        reasons.append(
            _reason(
                "sms-no-ack-recent",
                "pas de nouvel accusé de réception : envoyé il y a moins d'une heure",
            )
        )
    elif not may_reply:
        reasons.append(TOO_MANY_ANSWERS)
    else:
        reply = acknowledgement(department, at=at, opening=opening, texts=texts)
        reasons.append(_reason("sms-ack", "accusé de réception envoyé"))

    notify: tuple[str, ...] = ()
    callback_needed = False
    if not opening.is_open:
        callback_needed = True
        reasons.append(
            _reason("sms-callback", "hors horaires : personne n'est prévenu, à rappeler")
        )
    elif told_lately:
        reasons.append(
            _reason("sms-notified-recently", "référents déjà prévenus il y a moins d'une heure")
        )
    else:
        told = recipients(department, at=at)
        notify = told.referent_ids
        if not told.backup:
            reasons.append(_reason("sms-notify-on-duty", f"prévenus : {', '.join(notify)}"))
        elif not told.nobody:
            reasons.append(
                _reason(
                    "sms-notify-backup", f"personne de permanence ; prévenus : {', '.join(notify)}"
                )
            )
        else:
            callback_needed = True
            reasons.append(
                _reason("sms-callback", "personne de permanence ni de secours : à rappeler")
            )
    return SmsReply(
        action=SmsAction.JOIN_REQUEST if joins else SmsAction.NEW_REQUEST,
        reply=reply,
        reply_kind="acknowledgement" if reply else None,
        notify=notify,
        callback_needed=callback_needed,
        out_of_hours=not opening.is_open,
        reasons=tuple(reasons),
    )


def acknowledgement(
    department: Department, *, at: datetime, opening: Opening, texts: Mapping[str, str]
) -> str:
    """The text sent by return: in hours, or closed with when the line reopens."""
    if opening.is_open:
        return render(texts["acknowledgement_open"], department)
    # Closed: medical advice may be what the person needs (116 117), where it answers.
    advice = medical_advice(texts, says_116117=department.medical_advice_116117)
    if opening.reopens_at is None:
        return render(texts["acknowledgement_closed_no_reopening"], department,
                      medical_advice=advice)  # fmt: skip
    reopening = spoken_moment(opening.reopens_at, now=at)
    return render(texts["acknowledgement_closed"], department, reopening=reopening,
                  medical_advice=advice)  # fmt: skip


def notification(department: Department, *, request_id: int, texts: Mapping[str, str]) -> str:
    """To the referents: a message is waiting under this request. Never its content."""
    return render(texts["notification"], department, request=str(request_id))


def voicemail_notification(
    department: Department, *, request_id: int, texts: Mapping[str, str]
) -> str:
    """To the referents: a caller left a voice message under this request. Never who."""
    return render(texts["voicemail_notification"], department, request=str(request_id))


def render(text: str, department: Department, **values: str) -> str:
    return tidy(Template(text).safe_substitute(department=department.name, **values))


def _reason(code: str, text: str) -> Reason:
    return Reason(code=code, text=text)


# Words besides the category and the place that a directory query may carry ("un", "svp"…
# are dropped before): more, and it is a message for a referent.
MAX_QUERY_EXTRA_WORDS = 2


def is_directory_query(query: DirectoryQuery) -> bool:
    """ "SSIAD 46100", "clic figeac": a kind of resource and a place, little else.

    Anything longer ("rappelez-moi pour Mme X au sujet de son SSIAD") is a message for a
    referent, not a question for the directory.
    """
    place = query.postal_code is not None or query.commune is not None
    return query.category is not None and place and len(query.terms) <= MAX_QUERY_EXTRA_WORDS


# While the store is unreachable an SMS is answered from memory (frontdoor.sms.outage) and
# kept in the outage journal; these say what memory and the journal know of the sender.


@dataclass(kw_only=True, frozen=True)
class JournaledSms:
    """An earlier SMS of the same sender to the same number, kept in the outage journal."""

    at: datetime
    text: str
    directory_question: bool
    answered: bool  # something was sent back by return


@dataclass(kw_only=True, frozen=True)
class SenderMemory:
    """What the store would have said of a sender, as far as memory and the journal know."""

    opted_out: bool
    open_request: bool
    last_acknowledged_at: datetime | None


def remembered(earlier: Sequence[JournaledSms], *, opted_out: bool, now: datetime) -> SenderMemory:
    """The sender's state from the opt-out copied in memory and their SMS journaled since the
    store went away, oldest first: keywords change the opt-out, and the messages of the open
    window (neither keywords nor directory questions) make a conversation, acknowledged or
    not."""
    conversation = [
        sms
        for sms in earlier
        if keyword_of(sms.text) is None
        and not sms.directory_question
        and now.astimezone(UTC) - sms.at.astimezone(UTC) < OPEN_REQUEST_WINDOW
    ]
    acknowledged = [sms.at for sms in conversation if sms.answered]
    return SenderMemory(
        opted_out=opted_out_after(opted_out, [sms.text for sms in earlier]),
        open_request=bool(conversation),
        last_acknowledged_at=max(acknowledged, default=None),
    )


def opted_out_after(opted_out: bool, texts: Sequence[str]) -> bool:
    """The sender's opt-out state after these messages of theirs, oldest first: STOP opts
    out, START opts back in, anything else leaves it as it was."""
    for text in texts:
        keyword = keyword_of(text)
        if keyword is Keyword.OPT_OUT:
            opted_out = True
        elif keyword is Keyword.OPT_IN:
            opted_out = False
    return opted_out


def as_already_answered(decision: SmsReply, *, sent: str | None) -> SmsReply:
    """The decision of an SMS replayed from the outage journal, filed with what the sender
    really got by return then: the answer cannot be taken back, nor sent twice.

    The store may know more than memory did (an open request, an acknowledgement within the
    hour, an opt-out): its decision stands for the request, the callback and the notices;
    only the reply is the one given during the outage.
    """
    if sent == decision.reply:
        return decision
    why = (
        _reason("sms-replied-unstored", "réponse envoyée de mémoire, base de données injoignable")
        if sent
        else _reason("sms-unanswered-unstored", "rien envoyé : base de données injoignable")
    )
    return replace(
        decision,
        reply=sent,
        reply_kind=_REPLY_KINDS[decision.action] if sent else None,
        reasons=(*decision.reasons, why),
    )


# What a reply by return is, by the action that sent it (STOP gets none).
_REPLY_KINDS: Mapping[SmsAction, str | None] = {
    SmsAction.OPT_OUT: None,
    SmsAction.OPT_IN: "opted-in",
    SmsAction.HELP: "help",
    SmsAction.NEW_REQUEST: "acknowledgement",
    SmsAction.JOIN_REQUEST: "acknowledgement",
}
