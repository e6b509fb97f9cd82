"""Follow the TwiML of one call, leg by leg, as Twilio does.

`TwilioPhone.call` (`frontdoor.phone`) runs a `CallFollower`: it requests the voice URL,
obeys each verb in order, rings the numbers of a `<Dial>` and runs their whisper documents
on their own legs, and ends with the status callback.
"""

from __future__ import annotations

import math
import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Literal, Protocol

CALLER = "caller"  # the leg name of the person who called; a referent's leg is named by number
API_VERSION = "2010-04-01"
BRIDGED_SECONDS = 42  # how long a bridged conversation lasts, as far as the service can tell

Kind = Literal["say", "press", "speak", "ring", "record", "connected", "hangup"]
# How sure Twilio says it is of words typed at a terminal or scripted without a confidence.
TYPED_CONFIDENCE = 0.9


class Redirections(Protocol):
    """Where a live call was given new TwiML through Twilio's REST API (a transfer):
    the REST side of Twilio, which this phone does not play (frontdoor.standins.twilio_api)."""

    async def take_redirect(self, call_sid: str, *, connected_to: str) -> str | None: ...


class PlacingPhone(Protocol):
    """What a call's follower uses of the phone that places it (frontdoor.phone.TwilioPhone):
    its account, paths and clock, and signed posts to its one service."""

    account_sid: str
    voice_path: str
    status_path: str
    simulated_at: datetime | None
    max_documents: int

    def url(self, url_or_path: str, *, base: str | None = None) -> str: ...

    async def redirected(self, call_sid: str, *, connected_to: str) -> str | None: ...

    async def post(
        self, url_or_path: str, form: Mapping[str, str], *, idempotency_token: str | None = None
    ) -> Response: ...


class PhoneError(Exception):
    """The call could not go on as Twilio would have placed it."""


class ApplicationError(PhoneError):
    """Where Twilio would say "an application error has occurred" and hang up."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url} {reason} — Twilio would play 'application error' and hang up")
        self.url = url
        self.reason = reason
        self.result: CallResult | None = None  # the call up to the error, once it has ended


class UnsupportedTwiml(PhoneError):
    """Valid TwiML that this phone does not know how to follow."""


class ScriptExhausted(PhoneError):
    """A `ScriptedPerson` was asked for more than its script holds."""


@dataclass(kw_only=True, frozen=True)
class Said:
    """Words spoken at a `<Gather>`: Twilio posts them as SpeechResult, with its Confidence
    (0 to 1), when the Gather listens for speech; a keys-only Gather hears nothing."""

    text: str
    confidence: float = TYPED_CONFIDENCE

    @classmethod
    def typed(cls, text: str) -> Said | None:
        """Words typed at a terminal ("je suis infirmière"), with an optional confidence at
        the end in brackets ("je suis infirmière (0.4)"); None for keys ("1", "46100#")."""
        text = text.strip()
        if not any(c.isalpha() for c in text):
            return None
        opening = text.rfind("(")
        inside = text[opening + 1 : -1] if text.endswith(")") and opening > 0 else ""
        if not _CONFIDENCE.fullmatch(inside):
            return cls(text=text)
        confidence = float(inside.replace(",", "."))
        return cls(text=text[:opening].strip(), confidence=confidence)


_CONFIDENCE = re.compile(r"0(?:[.,]\d+)?|1(?:[.,]0+)?")  # 0 to 1, "0.4" or "0,4"


class Person(Protocol):
    """Whoever is on the line: the caller, and the referents whose phones ring."""

    async def hear(self, text: str, *, leg: str) -> None: ...
    async def press(self, prompt: str, *, leg: str) -> str | Said | None: ...
    async def picks_up(self, number: str) -> bool: ...
    async def message(self) -> str | None: ...
    async def connected(self, number: str) -> None: ...


@dataclass(kw_only=True, frozen=True)
class Line:
    """One thing that happened on one leg of the call."""

    leg: str
    kind: Kind
    text: str


@dataclass(kw_only=True, frozen=True)
class SignedRequest:
    """A webhook request as Twilio sends it; post it again to play Twilio's retry."""

    url: str  # the public URL Twilio called, which the signature covers
    path_qs: str
    form: Mapping[str, str]
    headers: Mapping[str, str]

    @property
    def idempotency_token(self) -> str:
        return self.headers["I-Twilio-Idempotency-Token"]


@dataclass(kw_only=True, frozen=True)
class Response:
    request: SignedRequest
    status: int
    text: str


@dataclass(kw_only=True, frozen=True)
class CallResult:
    call_sid: str
    transcript: list[Line]
    connected_to: str | None
    message: str | None
    documents: list[tuple[str, str]]  # (URL, TwiML) of every document followed
    status_callback_status: int
    exchanges: list[Response]  # every request of the call, in order


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass(kw_only=True)
class _Leg:
    name: str  # CALLER or the referent's number
    fields: dict[str, str]

    @property
    def sid(self) -> str:
        return self.fields["CallSid"]


@dataclass(kw_only=True, frozen=True)
class _Next:
    """Request a URL and follow the document it answers."""

    url: str
    method: str
    form: Mapping[str, str] = field(default_factory=dict)
    caller_gone: bool = False  # the caller hung up: the answer is fetched, not followed


@dataclass(kw_only=True, frozen=True)
class _Stop:
    """The leg hangs up."""

    reason: str


_Step = _Next | _Stop | None
_WHISPER_VERBS = {"Say", "Play", "Pause", "Gather", "Redirect", "Hangup", "Reject"}


class CallFollower:
    """One call: its legs, what was said and pressed, and the documents followed."""

    def __init__(self, phone: PlacingPhone, *, from_: str, to: str, person: Person) -> None:
        self.phone = phone
        self.person = person
        self.caller = _Leg(
            name=CALLER,
            fields={
                "AccountSid": phone.account_sid,
                "ApiVersion": API_VERSION,
                "CallSid": new_sid("CA"),
                "CallStatus": "ringing",
                "Direction": "inbound",
                "From": from_,
                "To": to,
                "Caller": from_,
                "Called": to,
            },
        )
        self.transcript: list[Line] = []
        self.documents: list[tuple[str, str]] = []
        self.exchanges: list[Response] = []
        self.connected_to: str | None = None
        self.message: str | None = None
        # Where Twilio says a recording is complete (recordingStatusCallback), once it is.
        self.recording_status: _Next | None = None
        self.extra_seconds = 0  # time spent in conversation or recording
        # Time spent waiting in a queue, as Twilio's clock would count it: the phone does
        # not sit through hold documents, it moves the call's simulated instant on instead.
        self.held_s = 0
        self.started = time.monotonic()

    def note(self, leg: _Leg, kind: Kind, text: str) -> None:
        self.transcript.append(Line(leg=leg.name, kind=kind, text=text))

    def now(self) -> datetime:
        """The simulated instant: `simulated_at` plus the real time elapsed since the call began."""
        if self.phone.simulated_at is None:
            return datetime.now(UTC) + timedelta(seconds=self.held_s)
        elapsed = time.monotonic() - self.started + self.held_s
        return self.phone.simulated_at + timedelta(seconds=elapsed)

    async def send(self, leg: _Leg, url: str, form: Mapping[str, str]) -> Response:
        full = {**leg.fields, **form}
        if self.phone.simulated_at is not None:
            full["SimulatedAt"] = self.now().isoformat()
        response = await self.phone.post(url, full)
        self.exchanges.append(response)
        return response

    async def run(self) -> CallResult:
        first = _Next(url=self.phone.url(self.phone.voice_path), method="POST")
        try:
            ending = await self.follow(self.caller, first)
        except ApplicationError as error:
            self.note(self.caller, "hangup", "application error")
            error.result = await self.end()
            raise
        self.note(self.caller, "hangup", ending.reason)
        return await self.end()

    async def end(self) -> CallResult:
        seconds = math.ceil(time.monotonic() - self.started) + self.extra_seconds
        status = await self.send(
            self.caller,
            self.phone.status_path,
            {
                "CallStatus": "completed",
                "CallDuration": str(max(1, seconds)),
                "Timestamp": format_datetime(self.now().astimezone(UTC)),
                "CallbackSource": "call-progress-events",
                "SequenceNumber": "0",
            },
        )
        if self.recording_status is not None:  # after the call, as Twilio's comes
            form = {"AccountSid": self.phone.account_sid, "CallSid": self.caller.sid,
                    **self.recording_status.form}  # fmt: skip
            if self.phone.simulated_at is not None:
                form["SimulatedAt"] = self.now().isoformat()
            self.exchanges.append(await self.phone.post(self.recording_status.url, form))
        return CallResult(
            call_sid=self.caller.sid,
            transcript=self.transcript,
            connected_to=self.connected_to,
            message=self.message,
            documents=self.documents,
            status_callback_status=status.status,
            exchanges=self.exchanges,
        )

    async def fetch(self, leg: _Leg, step: _Next) -> ET.Element:
        if step.method.upper() != "POST":
            raise UnsupportedTwiml(f"{step.url}: method {step.method} (only POST is followed)")
        if len(self.documents) >= self.phone.max_documents:
            raise ApplicationError(
                step.url, f"would be document {len(self.documents) + 1} of this call: a loop?"
            )
        response = await self.send(leg, step.url, step.form)
        leg.fields["CallStatus"] = "in-progress"
        url, text = response.request.url, response.text
        if response.status != 200:
            raise ApplicationError(url, f"answered HTTP {response.status}: {text[:300]!r}")
        try:
            root = ET.fromstring(text)
        except ET.ParseError as error:
            raise ApplicationError(url, f"answered non-XML ({error}): {text[:300]!r}") from error
        if root.tag != "Response":
            raise ApplicationError(url, f"answered <{root.tag}>, not a TwiML <Response>")
        self.documents.append((url, text))
        return root

    async def follow(self, leg: _Leg, step: _Next) -> _Stop:
        """Follow documents on one leg until it hangs up or a document runs out."""
        while True:
            root = await self.fetch(leg, step)
            if step.caller_gone:
                return _Stop(reason="hung up after the message")
            url = self.documents[-1][0]
            for verb in root:
                if leg.name != CALLER and verb.tag not in _WHISPER_VERBS:
                    raise ApplicationError(url, f"has <{verb.tag}> in a whisper document")
                outcome = await self.verb(leg, url, verb)
                if outcome is not None:
                    break
            else:
                return _Stop(reason="end of document")
            if isinstance(outcome, _Stop):
                return outcome
            step = outcome

    async def verb(self, leg: _Leg, url: str, verb: ET.Element) -> _Step:
        match verb.tag:
            case "Say" | "Play" | "Pause":
                await self.hear(leg, verb)
                return None
            case "Gather":
                return await self.gather(leg, url, verb)
            case "Dial":
                return await self.dial(url, verb)
            case "Record":
                return await self.record(url, verb)
            case "Enqueue":
                return await self.enqueue(url, verb)
            case "Redirect":
                target = (verb.text or "").strip()
                if not target:
                    raise ApplicationError(url, "has a <Redirect> without a URL")
                return _Next(url=self.phone.url(target, base=url), method=_method(verb))
            case "Hangup" | "Reject":
                return _Stop(reason=verb.tag.lower())
        raise UnsupportedTwiml(f"{url}: <{verb.tag}> is not followed by this phone")

    async def hear(self, leg: _Leg, verb: ET.Element) -> str:
        if verb.tag == "Pause":
            return ""
        text = "[son]" if verb.tag == "Play" else " ".join("".join(verb.itertext()).split())
        await self.person.hear(text, leg=leg.name)
        self.note(leg, "say", text)
        return text

    async def gather(self, leg: _Leg, url: str, verb: ET.Element) -> _Step:
        inputs = set(verb.get("input", "dtmf").split())
        if not inputs or not inputs <= {"dtmf", "speech"}:
            raise UnsupportedTwiml(f"{url}: <Gather input={verb.get('input')!r}>")
        if "speech" in inputs and not verb.get("language", "").startswith("fr"):
            # Twilio would listen in en-US, its default: no French caller is understood.
            raise UnsupportedTwiml(f"{url}: <Gather> listens for speech in another language "
                                   f"than French ({verb.get('language', 'en-US')})")  # fmt: skip
        prompt = []
        for nested in verb:
            if nested.tag not in {"Say", "Play", "Pause"}:
                raise ApplicationError(url, f"has <{nested.tag}> inside <Gather>")
            prompt.append(await self.hear(leg, nested))
        answer = await self.person.press(" ".join(p for p in prompt if p), leg=leg.name)
        said = answer if isinstance(answer, Said) else Said.typed(answer or "")
        if said is not None:
            self.note(leg, "speak", said.text)
            if "speech" not in inputs:  # keys only: the words are not heard
                return None
            form = {"SpeechResult": said.text, "Confidence": f"{said.confidence:.8f}"}
            target = self.phone.url(verb.get("action") or url, base=url)
            return _Next(url=target, method=_method(verb), form=form)
        if "dtmf" not in inputs:  # speech only: keys are not heard
            return None
        pressed = answer if isinstance(answer, str) else None
        digits, finished_on = _keys(pressed, verb)
        self.note(leg, "press", digits)
        if not digits and verb.get("actionOnEmptyResult") != "true":
            return None  # no input: no request, the next verb runs
        form = {"Digits": digits, "FinishedOnKey": finished_on}
        target = self.phone.url(verb.get("action") or url, base=url)
        return _Next(url=target, method=_method(verb), form=form)

    async def dial(self, url: str, verb: ET.Element) -> _Step:
        caller_id = verb.get("callerId") or self.caller.fields["From"]
        answered: list[tuple[str, str | None, str]] = []
        for number, whisper, method in _numbers(url, verb):
            picks_up = await self.person.picks_up(number)
            self.transcript.append(
                Line(leg=number, kind="ring", text="picked up" if picks_up else "no answer")
            )
            if picks_up:
                answered.append((number, whisper, method))
        outcome = {"DialCallStatus": "no-answer"}
        for index, (number, whisper, method) in enumerate(answered):
            leg = self.referent_leg(number, caller_id)
            if index == 0:  # answered, then hung up on: the call did not happen
                outcome = {
                    "DialCallStatus": "completed",
                    "DialCallSid": leg.sid,
                    "DialCallDuration": "0",
                }
            if whisper is not None:
                step = _Next(url=self.phone.url(whisper, base=url), method=method)
                ending = await self.follow(leg, step)
                if ending.reason != "end of document":
                    self.note(leg, "hangup", f"declined ({ending.reason} in the whisper)")
                    continue
            for other, _, _ in answered[index + 1 :]:
                self.transcript.append(Line(leg=other, kind="hangup", text="bridged elsewhere"))
            await self.person.connected(number)
            self.note(leg, "connected", number)
            self.connected_to = number
            self.extra_seconds += BRIDGED_SECONDS
            outcome = {
                "DialCallStatus": "completed",
                "DialCallSid": leg.sid,
                "DialCallDuration": str(BRIDGED_SECONDS),
            }
            if moved := await self.phone.redirected(self.caller.sid, connected_to=number):
                return await self.moved(leg, url, verb, outcome, moved)
            break
        if action := verb.get("action"):
            return _Next(url=self.phone.url(action, base=url), method=_method(verb), form=outcome)
        return None  # without action, the next verb runs

    async def moved(
        self, leg: _Leg, url: str, verb: ET.Element, outcome: Mapping[str, str], moved: str
    ) -> _Step:
        """The caller's call given new TwiML during the conversation (a transfer): the leg
        she was bridged to is released, Twilio still calls the <Dial> action (its answer is
        not followed), and the call follows the new URL."""
        self.note(leg, "hangup", "released (the call was given new TwiML)")
        if action := verb.get("action"):
            self.exchanges.append(
                await self.send(self.caller, self.phone.url(action, base=url), outcome)
            )
        return _Next(url=self.phone.url(moved), method="POST")

    async def enqueue(self, url: str, verb: ET.Element) -> _Step:
        """Wait in the queue as Twilio keeps a caller there: its wait URL is asked again each
        time its document ends, with the queue's parameters, until the document says
        <Leave/> (the <Enqueue> action follows) or <Hangup/>. Nobody takes the caller out of
        the queue here: this phone places one call, and a referent's call that would
        (<Dial><Queue>) is another one."""
        wait_url = verb.get("waitUrl")
        if not wait_url:
            raise UnsupportedTwiml(f"{url}: <Enqueue> without waitUrl (Twilio's hold music)")
        queue = {"QueueSid": new_sid("QU"), "QueuePosition": "1", "CurrentQueueSize": "1"}
        entered = self.held_s
        while True:
            waited = str(self.held_s - entered)
            step = _Next(url=self.phone.url(wait_url, base=url),
                         method=verb.get("waitUrlMethod") or "POST",
                         form={**queue, "QueueTime": waited, "AvgQueueTime": waited})  # fmt: skip
            outcome = await self.hold(step)
            if isinstance(outcome, _Stop):
                return outcome
            if outcome:
                break
        self.note(self.caller, "say", "[sortie de la file d'attente]")
        if action := verb.get("action"):
            form = {"QueueSid": queue["QueueSid"], "QueueResult": "leave",
                    "QueueTime": str(self.held_s - entered)}  # fmt: skip
            return _Next(url=self.phone.url(action, base=url), method=_method(verb), form=form)
        return None  # without action, the next verb runs

    async def hold(self, step: _Next) -> _Stop | bool:
        """One wait document, and those its keys lead to: True once it says <Leave/>."""
        root = await self.fetch(self.caller, step)
        url = self.documents[-1][0]
        for verb in root:
            match verb.tag:
                case "Leave":
                    return True
                case "Hangup":
                    return _Stop(reason="hangup")
                case "Pause":
                    self.held_s += int(verb.get("length") or 1)
                case "Say" | "Play":
                    await self.hear(self.caller, verb)
                case "Gather":
                    pressed = await self.gather(self.caller, url, verb)
                    if pressed is None:  # no key: the gather's timeout passed in the queue
                        self.held_s += int(verb.get("timeout") or 5)
                        continue
                    if isinstance(pressed, _Stop):
                        return pressed
                    return await self.hold(pressed)  # its answer runs in the queue too
                case "Redirect":
                    target = (verb.text or "").strip()
                    return await self.hold(
                        _Next(url=self.phone.url(target, base=url), method=_method(verb))
                    )
                case _:
                    raise ApplicationError(url, f"has <{verb.tag}> in a wait document")
        return False  # the document ended: Twilio asks the wait URL again

    def referent_leg(self, number: str, caller_id: str) -> _Leg:
        return _Leg(
            name=number,
            fields={
                "AccountSid": self.phone.account_sid,
                "ApiVersion": API_VERSION,
                "CallSid": new_sid("CA"),
                "ParentCallSid": self.caller.sid,
                "CallStatus": "in-progress",
                "Direction": "outbound-dial",
                "From": caller_id,
                "To": number,
                "Caller": caller_id,
                "Called": number,
            },
        )

    async def record(self, url: str, verb: ET.Element) -> _Step:
        if verb.get("playBeep", "true").lower() != "false":
            await self.person.hear("[bip]", leg=CALLER)
            self.note(self.caller, "say", "[bip]")
        message = await self.person.message()
        self.note(self.caller, "record", message or "")
        if not message:
            return None  # silence: no request, the next verb runs
        self.message = message
        max_length = int(verb.get("maxLength") or 3600)
        seconds = min(max_length, 1 + len(message.split()) // 2)
        self.extra_seconds += seconds
        sid = new_sid("RE")
        account = self.phone.account_sid
        form = {
            "RecordingUrl": f"https://api.twilio.com/{API_VERSION}/Accounts/{account}/Recordings/{sid}",
            "RecordingSid": sid,
            "RecordingDuration": str(seconds),
            "Digits": "hangup",
        }
        if status_callback := verb.get("recordingStatusCallback"):
            self.recording_status = _Next(
                url=self.phone.url(status_callback, base=url),
                method=verb.get("recordingStatusCallbackMethod") or "POST",
                form={"RecordingSid": sid, "RecordingUrl": form["RecordingUrl"],
                      "RecordingStatus": "completed", "RecordingDuration": str(seconds),
                      "RecordingChannels": "1", "RecordingSource": "RecordVerb"},
            )  # fmt: skip
        target = self.phone.url(verb.get("action") or url, base=url)
        return _Next(url=target, method=_method(verb), form=form, caller_gone=True)


def _method(verb: ET.Element) -> str:
    return verb.get("method") or "POST"


def _keys(pressed: str | None, verb: ET.Element) -> tuple[str, str]:
    """The digits Twilio reports for what was pressed, and the finishing key if any."""
    digits = pressed or ""
    finish = verb.get("finishOnKey", "#")
    if finish and finish in digits:
        return digits[: digits.index(finish)], finish
    if num_digits := verb.get("numDigits"):
        digits = digits[: int(num_digits)]
    return digits, ""


def _numbers(url: str, verb: ET.Element) -> list[tuple[str, str | None, str]]:
    """(number, whisper URL, its method) of each number or browser a <Dial> rings at once: a
    <Client> is rung as "client:<identity>", as Twilio names its leg's `To`, and its screen
    runs on that leg as a <Number>'s does."""
    if len(verb) == 0 and (verb.text or "").strip():
        return [((verb.text or "").strip(), None, "POST")]
    numbers = []
    for noun in verb:
        if noun.tag not in ("Number", "Client"):
            raise UnsupportedTwiml(
                f"{url}: <Dial><{noun.tag}> (only <Number> and <Client> are followed)"
            )
        target = (noun.text or "").strip()
        if noun.tag == "Client":
            identity = noun.find("Identity")
            name = (identity.text or "").strip() if identity is not None else target
            target = f"client:{name}" if name else ""
        numbers.append((target, noun.get("url"), _method(noun)))
    if not numbers or not all(number for number, _, _ in numbers):
        raise ApplicationError(url, "has a <Dial> without a number to ring")
    if len(numbers) > 10:
        raise ApplicationError(url, f"has a <Dial> with {len(numbers)} numbers (at most 10)")
    return numbers
