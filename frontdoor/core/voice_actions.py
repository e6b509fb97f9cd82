"""What a step of a call can ask of the telephone: the vocabulary of core.call_flow's replies.

A Reply lists abstract actions (say, ask for a key, ring, record…) that the voice adapter
renders as TwiML, the changes to make to the request, and the reasons for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.roster import Referent


class Outcome(StrEnum):
    IN_PROGRESS = "in_progress"
    TAKEN = "taken"  # a referent pressed 1 and was connected
    VOICEMAIL = "voicemail"  # the caller left a message
    ABANDONED = "abandoned"  # the caller hung up before a referent or a message
    CLOSED = "closed"  # closed line, no message left
    PUBLIC_NOT_ALLOWED = "public_not_allowed"  # a member of the public on a pro-only line
    INFORMED = "informed"  # answered by the directory (voice self-service), no referent needed
    FORWARDED = "forwarded"  # nobody on duty: put through to another number (when_nobody)
    OVERFLOWED = "overflowed"  # taken by the overflow line (core.overflow) after pressing 1


@dataclass(kw_only=True, frozen=True)
class Next:
    """The step Twilio should call next, with its parameters."""

    step: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(kw_only=True, frozen=True)
class Say:
    text: str


@dataclass(kw_only=True, frozen=True)
class Ask:
    """Read a prompt and wait for keys (or words, with ``hints``); with none, the following
    actions run."""

    prompt: str
    then: Next
    timeout_s: int = 6
    num_digits: int = 1
    # Speech is heard as well as keys, in the department's language: what callers are
    # likely to say (core.speech), if any. None: keys only.
    hints: tuple[str, ...] | None = None


@dataclass(kw_only=True, frozen=True)
class Ring:
    """Ring referents; each must accept after a whisper before the legs are bridged."""

    attempt: int
    referents: tuple[Referent, ...]
    timeout_s: int
    caller_id: str
    then: Next


@dataclass(kw_only=True, frozen=True)
class RingOverflow:
    """Ring the department's overflow line (core.overflow), screened as a referent's leg:
    its whisper, then press 1, before the legs are bridged."""

    attempt: int
    number: str
    timeout_s: int
    caller_id: str
    then: Next


@dataclass(kw_only=True, frozen=True)
class RingTransfer:
    """Ring the target of a transfer (core.transfer), screened: `screen` runs on its leg
    (whisper, press 1) before the bridge; `then` when the ring or the conversation ends."""

    number: str
    timeout_s: int
    caller_id: str
    screen: Next
    then: Next


@dataclass(kw_only=True, frozen=True)
class JoinConference:
    """Join a conference room (a warm transfer, core.transfer): `starts` begins it for those
    waiting there (who hear Twilio's hold music until then); `ends` ends it on leaving;
    `star_leaves`: pressing * leaves the room, then `then` runs."""

    room: str
    starts: bool
    ends: bool
    star_leaves: bool = False
    then: Next | None = None


@dataclass(kw_only=True, frozen=True)
class RecordMessage:
    then: Next
    max_s: int


@dataclass(kw_only=True, frozen=True)
class Redirect:
    then: Next


@dataclass(kw_only=True, frozen=True)
class Connect:
    """Put the call through to one number, shown the department's number (click-to-call)."""

    number: str
    caller_id: str
    timeout_s: int
    then: Next | None = None  # where Twilio reports the result; None: the next verb runs


@dataclass(kw_only=True, frozen=True)
class Hangup:
    pass


@dataclass(kw_only=True, frozen=True)
class Enqueue:
    """Put the caller in the department's queue (core.waiting): `wait` is asked again and
    again while they wait, `then` when they leave it."""

    queue: str
    wait: Next
    then: Next
    # Referents already rung for this caller without taking the call: not offered it again.
    tried: tuple[str, ...] = ()


@dataclass(kw_only=True, frozen=True)
class Leave:
    """Take the caller out of the queue (in the wait document): their <Enqueue> action runs."""


@dataclass(kw_only=True, frozen=True)
class TakeFromQueue:
    """On a referent's call: connect her to the caller who has waited longest in the queue;
    `joining` runs on the caller's side first, `then` once the conversation is over."""

    queue: str
    joining: Next
    then: Next
    timeout_s: int


Action = (
    Say
    | Ask
    | Ring
    | RingOverflow
    | RingTransfer
    | JoinConference
    | Connect
    | RecordMessage
    | Redirect
    | Hangup
    | Enqueue
    | Leave
    | TakeFromQueue
)


@dataclass(kw_only=True, frozen=True)
class CallUpdate:
    """Fields of the request a step sets; None leaves a field as it is."""

    referrer_type: ReferrerType | None = None
    outcome: Outcome | None = None
    callback_needed: bool | None = None
    out_of_hours: bool | None = None
    taken_by: str | None = None
    attempts: int | None = None


@dataclass(kw_only=True, frozen=True)
class Reply:
    actions: tuple[Action, ...]
    update: CallUpdate = field(default_factory=CallUpdate)
    reasons: tuple[Reason, ...] = ()
