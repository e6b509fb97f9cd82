"""Render a core Reply as TwiML, and name the URL of each next step."""

from __future__ import annotations

import string
from collections.abc import Iterable
from urllib.parse import quote_plus
from xml.sax.saxutils import escape, quoteattr

from frontdoor.core.department import Department
from frontdoor.core.roster import Referent
from frontdoor.core.transfer import BROWSER_PREFIX, is_browser
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    Connect,
    Enqueue,
    Hangup,
    JoinConference,
    Leave,
    Next,
    RecordMessage,
    Redirect,
    Reply,
    Ring,
    RingOverflow,
    RingTransfer,
    Say,
    TakeFromQueue,
)

VOICE_PATH = "/twilio/voice"
STATUS_PATH = "/twilio/voice/status"
# Where each step of core.call_flow is served. Plain paths with sorted plain query values:
# what Twilio signs is then exactly what we generate.
STEP_PATHS = {
    "menu": "/twilio/voice/menu",
    "dialed": "/twilio/voice/dialed",
    "whisper": "/twilio/voice/whisper",
    "accept": "/twilio/voice/accept",
    # The overflow line's leg (core.overflow): its screen and its key.
    "overflow-whisper": "/twilio/voice/overflow/whisper",
    "overflow-accept": "/twilio/voice/overflow/accept",
    "message": "/twilio/voice/message",
    "recording": "/twilio/voice/recording",
    "directory": "/twilio/voice/directory",
    "orientation": "/twilio/voice/orientation",
    "callback": "/twilio/voice/callback",
    "callback-connect": "/twilio/voice/callback/connect",
    # Waiting in the queue (core.waiting): the caller's wait document and keys, their leaving
    # it; the offer to a referent free again, her key, the caller joining her, the end.
    "queue-wait": "/twilio/voice/queue/wait",
    "queue-key": "/twilio/voice/queue/key",
    "queue-left": "/twilio/voice/queue/left",
    "queue-offer": "/twilio/voice/queue/offer",
    "queue-accept": "/twilio/voice/queue/accept",
    "queue-joining": "/twilio/voice/queue/joining",
    "queue-dialed": "/twilio/voice/queue/dialed",
    "queue-offer-status": "/twilio/voice/queue/offer/status",
    # Transfer (core.transfer): the caller's redirected call, the target's screen and key,
    # the end of the caller's ring to the target.
    "transfer": "/twilio/voice/transfer",
    "transfer-whisper": "/twilio/voice/transfer/whisper",
    "transfer-accept": "/twilio/voice/transfer/accept",
    "transfer-dialed": "/twilio/voice/transfer/dialed",
    # A warm transfer: the referent's leg redirected to speak to the target, the call placed
    # to the target and its key, the referent's * (she leaves), the caller joining the target.
    "transfer-consult": "/twilio/voice/transfer/consult",
    "transfer-target": "/twilio/voice/transfer/target",
    "transfer-target-key": "/twilio/voice/transfer/target/key",
    "transfer-handover": "/twilio/voice/transfer/handover",
    "transfer-join": "/twilio/voice/transfer/join",
}


def url_of(step: Next, department: Department | None = None) -> str:
    """The URL of a step; within a call, it names the call's department: Twilio posts to
    the URL it is given, signed, so each step is found as its department's call (the same
    CallSid for another department is another call)."""
    path = STEP_PATHS[step.step]
    params = (*step.params, ("department", department.slug)) if department else step.params
    return f"{path}?{query_string(params)}" if params else path


def query_string(params: Iterable[tuple[str, str]]) -> str:
    """`urlencode(sorted(params))`, without its cost per pair where nothing needs escaping:
    the query of every TwiML answer's URLs (department slugs, step names, numbers)."""
    return "&".join(f"{_escaped(name)}={_escaped(value)}" for name, value in sorted(params))


# What quote_plus leaves as it is (RFC 3986's unreserved characters).
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "_.-~")


def _escaped(text: str) -> str:
    return text if _UNRESERVED.issuperset(text) else quote_plus(text)


def render(reply: Reply, *, department: Department, caller_number: str | None = None) -> str:
    body = "".join(_verb(action, department, caller_number) for action in reply.actions)
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def _say(text: str, department: Department) -> str:
    return (
        f"<Say language={quoteattr(department.language)} voice={quoteattr(department.voice)}>"
        f"{escape(text)}</Say>"
    )


def _verb(action: Action, department: Department, caller_number: str | None) -> str:
    match action:
        case Say(text=text):
            return _say(text, department)
        case Ask(prompt=prompt, then=then, timeout_s=timeout, num_digits=num_digits, hints=hints):
            listening = _listening(hints, department)
            return (
                f'<Gather numDigits="{num_digits}" timeout="{timeout}"{listening} method="POST" '
                f"action={quoteattr(url_of(then, department))}>{_say(prompt, department)}</Gather>"
            )
        case Ring(attempt=attempt, referents=referents):
            return _dial(action, _referents_legs(attempt, referents, department), department,
                         caller_number)  # fmt: skip
        case RingOverflow(attempt=attempt, number=number):
            screen = Next(step="overflow-whisper", params=(("attempt", str(attempt)),))
            leg = ("Number", number, url_of(screen, department))
            return _dial(action, (leg,), department, caller_number)
        case RingTransfer(number=number, screen=screen):
            # A colleague reached in her browser only is a Voice SDK identity (core.transfer).
            noun, at = (
                ("Client", number.removeprefix(BROWSER_PREFIX))
                if is_browser(number)
                else ("Number", number)
            )
            return _dial(action, ((noun, at, url_of(screen, department)),), department,
                         caller_number)  # fmt: skip
        case JoinConference(room=room, starts=starts, ends=ends, star_leaves=star, then=then):
            leaving = ' hangupOnStar="true"' if star else ""
            after = f' method="POST" action={quoteattr(url_of(then, department))}' if then else ""
            return (
                f"<Dial{leaving}{after}><Conference "
                f'startConferenceOnEnter="{str(starts).lower()}" '
                f'endConferenceOnExit="{str(ends).lower()}" beep="false">'
                f"{escape(room)}</Conference></Dial>"
            )
        case Connect(number=number, caller_id=caller_id, timeout_s=timeout, then=then):
            after = f' method="POST" action={quoteattr(url_of(then, department))}' if then else ""
            return (
                f'<Dial answerOnBridge="true" timeout="{timeout}" callerId={quoteattr(caller_id)}'
                f"{after}><Number>{escape(number)}</Number></Dial>"
            )
        case RecordMessage(then=then, max_s=max_s):
            # Twilio says when the recording is complete: Frontdoor then brings it home.
            return (
                f'<Record method="POST" maxLength="{max_s}" timeout="5" playBeep="true" '
                f'trim="trim-silence" action={quoteattr(url_of(then, department))} '
                f"recordingStatusCallback={quoteattr(url_of(Next(step='recording'), department))} "
                f'recordingStatusCallbackMethod="POST"/>'
            )
        case Redirect(then=then):
            return f'<Redirect method="POST">{escape(url_of(then, department))}</Redirect>'
        case Hangup():
            return "<Hangup/>"
        case Enqueue(queue=queue, wait=wait, then=then):
            return (
                f'<Enqueue method="POST" action={quoteattr(url_of(then, department))} '
                f'waitUrlMethod="POST" waitUrl={quoteattr(url_of(wait, department))}>'
                f"{escape(queue)}</Enqueue>"
            )
        case Leave():
            return "<Leave/>"
        case TakeFromQueue(queue=queue, joining=joining, then=then, timeout_s=timeout):
            return (
                f'<Dial method="POST" timeout="{timeout}" '
                f"action={quoteattr(url_of(then, department))}>"
                f'<Queue method="POST" url={quoteattr(url_of(joining, department))}>'
                f"{escape(queue)}</Queue></Dial>"
            )
    raise TypeError(f"no TwiML for {action!r}")


def _listening(hints: tuple[str, ...] | None, department: Department) -> str:
    """Speech as well as keys: in the department's language, with what callers are likely
    to say; Twilio ends listening at the caller's pause (speechTimeout auto, which Twilio
    accepts only without a speechModel)."""
    if hints is None:
        return ""
    listed = f" hints={quoteattr(', '.join(hints))}" if hints else ""
    return (
        f' input="dtmf speech" language={quoteattr(department.language)}{listed}'
        ' speechTimeout="auto"'
    )


def _referents_legs(
    attempt: int, referents: tuple[Referent, ...], department: Department
) -> tuple[tuple[str, str, str], ...]:
    """Each referent's mobile, her browser (core.browser_phone), or both, as she chose: every
    leg hears the same whisper and takes the call with the same key 1."""
    legs: list[tuple[str, str, str]] = []
    for referent in referents:
        screen = _whisper_url(attempt, referent.id, department)
        if referent.rings_phone:
            legs.append(("Number", referent.phone, screen))
        if referent.rings_browser and referent.client:
            legs.append(("Client", referent.client, screen))
    return tuple(legs)


def _dial(
    ring: Ring | RingOverflow | RingTransfer,
    legs: tuple[tuple[str, str, str], ...],
    department: Department,
    caller_number: str | None,
) -> str:
    """Ring each (noun, phone or browser identity, whisper URL) of `legs`: each leg is screened
    before the bridge."""
    # The referent sees the department's number unless the department chose otherwise;
    # the caller never learns the referent's number.
    caller_id = ring.caller_id
    if department.ringing.show_caller_number and caller_number and caller_number.startswith("+"):
        caller_id = caller_number
    numbers = "".join(
        f'<{noun} method="POST" url={quoteattr(screen)}>{escape(target)}</{noun}>'
        for noun, target, screen in legs
    )
    return (
        f'<Dial method="POST" answerOnBridge="true" timeout="{ring.timeout_s}" '
        f"callerId={quoteattr(caller_id)} action={quoteattr(url_of(ring.then, department))}>"
        f"{numbers}</Dial>"
    )


def _whisper_url(attempt: int, referent_id: str, department: Department) -> str:
    return url_of(
        Next(step="whisper", params=(("attempt", str(attempt)), ("referent", referent_id))),
        department,
    )
