"""A department (tenant) as the core sees it: plain data loaded from its flows/ file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from frontdoor.core.calendar import Calendar
from frontdoor.core.mailbox import Mailbox
from frontdoor.core.overflow import OverflowLine
from frontdoor.core.retention import RetentionPolicy
from frontdoor.core.roster import Referent, Roster


class RingStrategy(StrEnum):
    SIMULTANEOUS = "simultaneous"  # every referent on duty at once, then the backup list
    SEQUENTIAL = "sequential"  # one after the other, then the backup list


@dataclass(kw_only=True, frozen=True)
class Ringing:
    strategy: RingStrategy = RingStrategy.SIMULTANEOUS
    # How long one attempt rings before it counts as not answered.
    timeout_s: int = 20
    # How long a referent has to press 1 after the whisper.
    accept_timeout_s: int = 6
    # Show the caller's own number to the referent instead of the department's.
    show_caller_number: bool = False
    # How long a caller waits in the queue, while everyone on duty is on a call, before
    # being offered a message (core.waiting).
    max_wait_s: int = 180


@dataclass(kw_only=True, frozen=True)
class CallbackPolicy:
    """How soon a missed contact must be called back, and who hears about it when it is not."""

    # Counted in opening hours (frontdoor.core.deadlines).
    deadline: timedelta = timedelta(hours=4)
    # Overdue tasks go by SMS to these referents (by id) and by mail to these addresses;
    # neither: by SMS to the backup list. The addresses also receive the morning digest.
    escalate_to_referents: tuple[str, ...] = ()
    escalate_to_addresses: tuple[str, ...] = ()
    # A caller from a mobile whose call nobody took is told by SMS when she will be called
    # back (core.missed_calls).
    missed_call_sms: bool = False


@dataclass(kw_only=True, frozen=True)
class TwilioAccountRef:
    account_sid: str
    token_source: str  # "env:NAME" or "file:/path": where the edge reads the auth token


@dataclass(kw_only=True, frozen=True)
class CoordinationFileRef:
    """The region's coordination tool (e-parcours), reached as a FHIR R4 server."""

    fhir_base_url: str
    token_env: str | None = None  # the environment variable holding its bearer token
    # The identifier system the region assigned the DAC for its request numbers (an OID
    # `urn:oid:…` or a URL); None: a request goes by its key alone (core.coordination_file).
    identifier_system: str | None = None


@dataclass(kw_only=True, frozen=True)
class PartnerLine:
    """A partner's number a referent can transfer a call to (`[[transfer]]`, core.transfer):
    the hospital's social service, a HAD, a neighbouring DAC."""

    number: str  # E.164
    label: str  # as the caller hears it after "vers" and the console shows it


@dataclass(kw_only=True, frozen=True)
class Department:
    slug: str
    name: str
    number: str  # E.164, what callers dial
    calendar: Calendar
    referents: Mapping[str, Referent]
    roster: Roster
    public_allowed: bool
    ringing: Ringing = field(default_factory=Ringing)
    voice: str = "Polly.Lea"
    language: str = "fr-FR"
    # Prompt texts: the templates/ defaults overlaid with the department's own.
    prompts: Mapping[str, str] = field(default_factory=dict)
    max_message_s: int = 120
    callbacks: CallbackPolicy = field(default_factory=CallbackPolicy)
    # How long each class of data is kept (core.retention); requests stay, pseudonymised,
    # for the indicators.
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    # An iCalendar feed whose events put referents on duty (imported by a scheduled job).
    roster_feed: str | None = None
    # The department's own wording of SMS texts (templates/sms/texts.toml keys).
    sms_texts: Mapping[str, str] = field(default_factory=dict)
    # The secure mailbox (BAL MSSanté) read and answered by Frontdoor; None: no mail channel.
    mailbox: Mailbox | None = None
    # A Twilio subaccount of its own (billing and numbers kept apart); None: the deployment's
    # account (TWILIO_ACCOUNT_SID). Its token is a secret, read by the edge from `token_source`.
    twilio: TwilioAccountRef | None = None
    # The region's coordination file, where a referent hands a request over; None: none.
    coordination_file: CoordinationFileRef | None = None
    # The départements (INSEE codes: "46", "2A", "974") the DAC covers: the directory's
    # resources there are its own to correct (frontdoor.core.access.may_edit_resource).
    territory: frozenset[str] = frozenset()
    # Where numbers written without "+" are read (core.numbers.region_of): "RE" for La
    # Réunion, "FR" for metropolitan France.
    phone_region: str = "FR"
    # The emergency sentence names 116 117 (medical advice when one's doctor is away): each
    # ARS decides whether its region answers it.
    medical_advice_116117: bool = True
    # A neighbouring DAC or a regional line taking the calls the referents on duty cannot
    # (core.overflow); None: a message, or the queue, as the hunt leaves it.
    overflow: OverflowLine | None = None
    # Partners' lines a call can be transferred to, besides the referents and the overflow
    # line (core.transfer).
    partner_lines: tuple[PartnerLine, ...] = ()
