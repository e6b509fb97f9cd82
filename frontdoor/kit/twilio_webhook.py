"""What every Twilio webhook shares: the signature check, the time, and answering retries.

A verified webhook acts only on the departments of the account that signed it: the numbers,
calls, callback tasks and messages it names are found through the `Webhook`'s resolvers,
and its session refuses rows of any other department (frontdoor.kit.webhook_owner).

A webhook's answer is committed with the changes it made, keyed by a digest of the request:
a retry of the same request gets the same answer and changes nothing. When the store cannot
be reached or does not answer within its patience (frontdoor.kit.patience), a webhook with a
degraded answer gives it from memory and keeps the webhook in the instance's outage journal
(frontdoor.store.journal), to be written to the store later.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import NoReturn

from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.dates import DateRefused, parse_instant
from frontdoor.core.department import Department
from frontdoor.keys import CLOCK, COUNTERS, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import read_form
from frontdoor.kit.patience import STORE_WORK, patiently
from frontdoor.kit.twilio_accounts import TWILIO_ACCOUNTS
from frontdoor.kit.twilio_signature import signature_holds
from frontdoor.kit.webhook_owner import RowGuard, owned, owned_recording, refusal, signer_owns
from frontdoor.store.journal import Entry, Journal
from frontdoor.store.models import CallbackTaskRow, Message, Request
from frontdoor.store.requests import (
    StoredAnswer,
    keep_receipt,
    receipt,
    receipt_and_call,
    request_by_call_sid,
    request_by_id,
)
from frontdoor.store.sms import message_by_provider_id

log = logging.getLogger(__name__)

TWIML = "text/xml"
# How long a webhook waits for what follows its commit (a voicemail fetched from Twilio, the
# referents' SMS) before it answers; the rest goes on in the background. Each call to Twilio's
# API may take 15 s, Twilio's own limit for the webhook: its answer must not wait for them.
AFTER_COMMIT_S = 4.0
# ...and never past this much time since the webhook arrived: a slow store (up to its
# patience) leaves less of Twilio's 15 s to wait in, and nginx, the network and a busy
# machine take their share of them too.
ANSWER_WITHIN_S = 7.0
SIMULATED_AT = "SimulatedAt"
_SID_CHARS = 64  # as webhook_receipts.provider_sid holds it
# Twilio's largest forms (an SMS of 1,600 characters with ten media, a call's whole status
# with its 30-odd fields) are a few KB: a quarter of the app's limit still leaves room.
MAX_WEBHOOK_BODY = 64 * 1024
# What is done once a webhook's changes are committed.
AfterCommit = Callable[[], Awaitable[None]]
# This instance's outage journal (frontdoor.voice.replay opens it and replays it).
JOURNAL = web.AppKey("journal", Journal)


@dataclass(kw_only=True, frozen=True)
class FoundCall:
    """A department's call read before the webhook's handler ran: its request, if stored.
    Not found, it is looked for again (another step may have created it since)."""

    department: str
    call_sid: str
    request: Request | None


@dataclass(kw_only=True)
class Webhook:
    """One verified provider request, as handlers see it.

    What it names is found through its resolvers (`department_called`, `call`, `task`,
    `message`, `owned`): each answers 403 for a thing of a department the signing account
    does not own. Its session refuses such rows too, read or written (RowGuard).
    """

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    session: AsyncSession
    app: web.Application
    path: str
    # Replayed from the outage journal: the answer the provider got then (it stands).
    journaled_answer: str | None = None
    # What is done once the webhook's changes are committed (tell referents, fetch a
    # recording…), served or replayed.
    after_commit: list[AfterCommit] = field(default_factory=list)
    # The call's request as read with the webhook's receipt, if it was (_receipt_and_call).
    found_call: FoundCall | None = None
    _guard: RowGuard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._guard = RowGuard(self.session, self.owns, self._refusal)

    def owns(self, department: str) -> bool:
        return signer_owns(self.app, self.form, department)

    def owned(self, department: Department | None, *, what: str = "number") -> Department | None:
        """The department found (a number's, a referent's), if the signer owns it; else 403."""
        return owned(self.app, self.form, self.path, department, what)

    def department_called(self, number: str) -> Department | None:
        """The department that has this number (To), if any; 403 if the signer does not own it."""
        return self.owned(self.app[DEPARTMENTS].for_number(number))

    async def call(
        self, call_sid: str, department: Department
    ) -> tuple[Request, Department] | None:
        """The request of a department's call (by its CallSid or a leg's ParentCallSid), if
        stored yet: a call is its department's and its CallSid, never the CallSid alone
        (403 for a department the signer does not own)."""
        self.owned(department, what="call")
        found = self.found_call
        if (
            found
            and found.request
            and (found.department, found.call_sid) == (department.slug, call_sid)
        ):
            request: Request | None = found.request
        else:
            request = await request_by_call_sid(
                session=self.session, department=department.slug, call_sid=call_sid
            )
        if request is None:
            return None
        return request, self._department(request.department, "call")

    async def task(self, task_id: int) -> tuple[CallbackTaskRow, Request, Department] | None:
        """A callback task, its request and department (a task id in the query)."""
        row = await self.session.get(CallbackTaskRow, task_id)
        if row is None:
            return None
        department = self._department(row.department, "callback task")
        owner = await request_by_id(session=self.session, request_id=row.request_id)
        if owner is None:
            raise web.HTTPGone(text="task without its request")
        return row, owner, department

    async def message(
        self, provider_id: str, department: Department
    ) -> tuple[Message, Request] | None:
        """A message of this department stored under this provider id (MessageSid), if any,
        and its request: the same MessageSid for another department is another message."""
        self.owned(department, what="message")
        found = await message_by_provider_id(
            session=self.session, department=department.slug, provider_id=provider_id
        )
        if found is None:
            return None
        owner = await request_by_id(session=self.session, request_id=found.request_id)
        if owner is None:
            raise web.HTTPGone(text="message without its request")
        return found, owner

    def recording(self) -> str | None:
        """The RecordingUrl posted, if any: one of the signing account's recordings (403
        for another account's, 400 for what is no Twilio recording)."""
        return owned_recording(self.app, self.form, self.path)

    async def settle(self) -> None:
        """Before the answer: every row read through a request id was of an owned request."""
        await self._guard.settle(self.session)

    def _department(self, slug: str, what: str) -> Department:
        if not self.owns(slug):
            raise self._refusal(what, slug)
        department = self.app[DEPARTMENTS].for_slug(slug)
        if department is None:
            raise web.HTTPGone(text="department no longer configured")
        return department

    def _refusal(self, what: str, department: str) -> web.HTTPForbidden:
        return refusal(self.app, path=self.path, what=what, department=department)


Handler = Callable[[Webhook], Awaitable[str]]


@dataclass(kw_only=True)
class Unstored:
    """A verified request met while the store is unreachable."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    app: web.Application
    path: str
    # The call's steps already kept in this instance's journal (signed by the same account),
    # oldest first.
    earlier: Sequence[Entry] = ()

    def owned(self, department: Department | None) -> Department | None:
        """The department found from memory, if the signer owns it; else 403."""
        return owned(self.app, self.form, self.path, department, "call")


# Answers without the store, when it is unreachable: the caller must still hear something.
Degraded = Callable[[Unstored], str]


def twilio_webhook(
    *, degraded: Degraded | None = None
) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.Response]]]:
    def decorate(handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        @wraps(handler)
        async def endpoint(request: web.Request) -> web.Response:
            return await _serve(request, handler, degraded)

        return endpoint

    return decorate


@dataclass(kw_only=True, frozen=True)
class Verified:
    """A webhook whose signature holds: its form, its time, and the key of its answer."""

    form: Mapping[str, str]
    query: Mapping[str, str]
    now: datetime
    key: str
    path: str

    @property
    def account_sid(self) -> str | None:
        """The account whose token the signature was checked with (a subaccount's, if named)."""
        return self.form.get("AccountSid")


async def verify(request: web.Request) -> Verified:
    """Check a Twilio request's signature (403 otherwise) and read it."""
    app = request.app
    settings = app[SETTINGS]
    _refuse_before_reading(request)
    posted = await read_form(request)  # 400 for bytes its charset does not hold
    form = {key: value for key, value in posted.items() if isinstance(value, str)}
    # Twilio signs the URL it called: the public base plus the raw path and query as sent,
    # with the token of the account the request names (a department's subaccount, or ours).
    url = settings.public_url + request.raw_path
    accounts = app[TWILIO_ACCOUNTS]
    account_sid = form.get("AccountSid")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature_holds(accounts.token_for(account_sid), url, posted.items(), signature):
        _refused_signature(request)
    # A number belongs to one account: another department's token does not speak for it.
    for number in (form.get("To"), form.get("From")):
        department = app[DEPARTMENTS].for_number(number or "")
        if department is not None and not accounts.owns(department.slug, account_sid):
            raise refusal(app, path=request.path, what="number", department=department.slug)
    return Verified(
        form=form,
        query=dict(request.query),
        now=_now(app, form),
        key=_digest(request.raw_path, form),
        path=request.path,
    )


def _refuse_before_reading(request: web.Request) -> None:
    """What can be refused before a byte of the body is read: a request without a signature
    (403), a body that does not say its size (411: Twilio always does) or is larger than any
    Twilio sends (413). Reading, parsing and checking 256 KB took ~10 ms of the loop."""
    if not request.headers.get("X-Twilio-Signature"):
        _refused_signature(request)
    if request.content_length is None and request.body_exists:
        raise web.HTTPLengthRequired(text="Content-Length required")
    if (request.content_length or 0) > MAX_WEBHOOK_BODY:
        raise web.HTTPRequestEntityTooLarge(
            max_size=MAX_WEBHOOK_BODY, actual_size=request.content_length or 0
        )


def _refused_signature(request: web.Request) -> NoReturn:
    request.app[COUNTERS]["webhook_signature_refused"] += 1
    log.warning("refused a webhook with a missing or wrong signature on %s", request.path)
    raise web.HTTPForbidden(text="invalid signature")


def webhook_of(verified: Verified, *, session: AsyncSession, app: web.Application) -> Webhook:
    """The verified request as handlers see it, on this session (watched from now on)."""
    return Webhook(
        form=verified.form,
        query=verified.query,
        now=verified.now,
        session=session,
        app=app,
        path=verified.path,
    )


async def _serve(request: web.Request, handler: Handler, degraded: Degraded | None) -> web.Response:
    app = request.app
    clock = asyncio.get_running_loop()
    arrived = clock.time()
    verified = await verify(request)
    if degraded is not None and app[JOURNAL].holds(call_key(app, verified.form, verified.query)):
        # The call's earlier steps wait in the journal: this one joins them, in order.
        return await answer_unstored(request, verified, degraded, why="call in the journal")
    try:
        response, after_commit = await patiently(app, _write(app, verified, handler))
    except (SQLAlchemyError, OSError) as error:  # unreachable, refused, gone, too slow
        if degraded is None:
            raise
        return await answer_unstored(request, verified, degraded, why=type(error).__name__)
    if after_commit:
        wait_s = after_commit_wait(clock.time() - arrived)
        await app[STORE_WORK].awhile(wait_s, _follow_up(request.path, after_commit))
    return response


def after_commit_wait(elapsed_s: float) -> float:
    """How long a webhook that has taken `elapsed_s` so far may still wait for what follows
    its commit before answering."""
    return min(AFTER_COMMIT_S, max(ANSWER_WITHIN_S - elapsed_s, 0.0))


async def _follow_up(path: str, after_commit: Sequence[AfterCommit]) -> None:
    for afterwards in after_commit:  # as the replay does (frontdoor.voice.replay)
        try:
            await afterwards()
        except Exception:  # answered and committed: what follows must not undo it
            log.exception("webhook on %s committed; what follows its commit failed", path)


async def _write(
    app: web.Application, verified: Verified, handler: Handler
) -> tuple[web.Response, Sequence[AfterCommit]]:
    """The handler's changes committed with the answer's receipt, or the answer the same
    request got before; and what is to be done once committed."""
    key = verified.key
    async with app[SESSIONS]() as session:
        stored, found = await _receipt_and_call(app, session, verified)
        if stored is not None:
            return answer(stored.body, stored.status), ()
        hook = webhook_of(verified, session=session, app=app)
        hook.found_call = found
        body = await handler(hook)
        await hook.settle()
        try:
            await keep_receipt(session=session, key=key, received_at=verified.now,
                               provider_sid=answered_sid(verified.form), content_type=TWIML,
                               body=body)  # fmt: skip
            await session.commit()
        except IntegrityError:
            # The same request, served concurrently by another worker: give its answer.
            await session.rollback()
            stored = await receipt(session=session, key=key)
            if stored is None:
                raise
            return answer(stored.body, stored.status), ()
    return answer(body, 200), hook.after_commit


async def _receipt_and_call(
    app: web.Application, session: AsyncSession, verified: Verified
) -> tuple[StoredAnswer | None, FoundCall | None]:
    """The answer already given to this webhook, if any (a retry); for a step of a call, the
    call's request too, read in the same statement (Webhook.call takes it from there). Only
    for a department the signer owns: the row is read before the session's guard watches it."""
    call_sid = _call_of(verified.form)
    department = call_department(app, verified.form, verified.query)
    if (
        department is None
        or not signer_owns(app, verified.form, department.slug)
        or not call_sid
        or len(call_sid) > _SID_CHARS
    ):
        return await receipt(session=session, key=verified.key), None
    stored, request = await receipt_and_call(
        session=session, key=verified.key, department=department.slug, call_sid=call_sid
    )
    return stored, FoundCall(department=department.slug, call_sid=call_sid, request=request)


async def answer_unstored(
    request: web.Request, verified: Verified, degraded: Degraded, *, why: str
) -> web.Response:
    """Answer from memory and keep the webhook in the journal (on disk) before answering."""
    app = request.app
    body = degraded(
        Unstored(
            form=verified.form,
            query=verified.query,
            now=verified.now,
            app=app,
            path=verified.path,
            earlier=journaled_steps(app, verified),
        )
    )
    await keep_in_journal(app, path=request.path, verified=verified, body=body, why=why)
    return answer(body, 200)


def journaled_steps(app: web.Application, verified: Verified) -> Sequence[Entry]:
    """The steps of this webhook's call already in the journal. A call there belongs to the
    account that signed them: a step signed by another account is refused (403)."""
    key = call_key(app, verified.form, verified.query)
    earlier = app[JOURNAL].entries_of(key) if key else ()
    accounts = app[TWILIO_ACCOUNTS]
    for entry in earlier:
        if not accounts.same_account(entry.form.get("AccountSid"), verified.account_sid):
            raise refusal(app, path=verified.path, what="call", department="the journal")
    return earlier


async def keep_in_journal(
    app: web.Application, *, path: str, verified: Verified, body: str, why: str
) -> None:
    journaled_steps(app, verified)  # not joined to another account's call
    app[COUNTERS]["webhook_degraded"] += 1
    entry = Entry(
        path=path,
        query=verified.query,
        form=verified.form,
        at=verified.now,
        key=verified.key,
        answer=body,
        instance=app[SETTINGS].instance_name,
        call=call_key(app, verified.form, verified.query),
    )
    try:
        await app[JOURNAL].append(entry)
    except OSError as error:
        # The caller still gets the way forward; the contact is lost, and operators must know.
        app[COUNTERS]["journal_failed"] += 1
        log.error("%s answered from memory, NOT journaled (%s): %s", path, why, error)
        return
    log.warning("%s answered from memory and journaled (%s)", path, why)


def call_department(
    app: web.Application, form: Mapping[str, str], query: Mapping[str, str]
) -> Department | None:
    """The department a call's webhook is for: the one its action URL names (`department`,
    signed into the TwiML by Frontdoor), else the one whose number was called (the caller's
    leg), else, on a referent's leg, the one whose number it shows. Not checked for
    ownership."""
    departments = app[DEPARTMENTS]
    if slug := query.get("department"):
        return departments.for_slug(slug)
    # A referent's leg (it has a parent) shows the department's number as its caller id.
    numbers = ("To", "From") if "ParentCallSid" in form else ("To",)
    for number in numbers:
        if (department := departments.for_number(form.get(number, ""))) is not None:
            return department
    return None


def call_key(app: web.Application, form: Mapping[str, str], query: Mapping[str, str]) -> str:
    """What a call's steps are kept under in the journal: its department and its CallSid
    (the same CallSid for two departments is two calls); an SMS's is empty."""
    call_sid = _call_of(form)
    if not call_sid:
        return ""
    department = call_department(app, form, query)
    return f"{department.slug if department else '?'}/{call_sid}"


def _call_of(form: Mapping[str, str]) -> str:
    return form.get("ParentCallSid") or form.get("CallSid", "")


def answered_sid(form: Mapping[str, str]) -> str | None:
    """What a webhook's answer belongs to, as its receipt keeps it: the caller's call (a
    referent's leg names it as its parent) or the SMS; an erasure finds the answers by it."""
    sid = _call_of(form) or form.get("MessageSid", "")
    return sid[:_SID_CHARS] or None


def answer(body: str, status: int) -> web.Response:
    return web.Response(text=body, status=status, content_type=TWIML)


def _now(app: web.Application, form: Mapping[str, str]) -> datetime:
    simulated = form.get(SIMULATED_AT)
    if simulated is None or not app[SETTINGS].accepts_simulated_time:
        return app[CLOCK]()
    try:
        # Calendars, deadlines and retention add days and years to it: within 2000–2100 only.
        return parse_instant(simulated)
    except DateRefused as refused:
        raise web.HTTPBadRequest(text=f"{SIMULATED_AT} : {refused}") from None


def _digest(raw_path: str, form: Mapping[str, str]) -> str:
    """Identifies a request: the same path and form give the same key (a retry)."""
    # NUL, name, "=", value for each pair in order: one string encoded once (UTF-8 encodes
    # a concatenation as the concatenation of the encodings), not three calls a pair.
    pairs = "".join([f"\0{name}={value}" for name, value in sorted(form.items())])
    return hashlib.sha256(raw_path.encode() + pairs.encode()).hexdigest()
