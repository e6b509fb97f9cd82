"""Tables. Every contact becomes a Request; what happened to it is a list of RequestEvents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from frontdoor.store.types import UTCDateTime


class RequestBase(SQLModel):
    department: str = Field(index=True, max_length=40)
    channel: str = Field(max_length=20)  # "voice", later "sms", "mail"
    referrer_type: str = Field(default="unknown", max_length=40)
    # Where referrer_type came from: "menu", "known_contact", "referent" or "none".
    referrer_source: str = Field(default="none", max_length=20)
    outcome: str = Field(default="in_progress", max_length=30)
    out_of_hours: bool = False
    callback_needed: bool = Field(default=False, index=True)
    taken_by: str | None = Field(default=None, max_length=60)
    attempts: int = 0
    duration_s: int | None = None
    # Worked in the console (core.request_fields): open until a referent closes it.
    status: str = Field(default="open", max_length=20)
    assigned_to: str | None = Field(default=None, max_length=60)  # an account's login
    age_band: str | None = Field(default=None, max_length=20)


class Request(RequestBase, table=True):
    __tablename__ = "requests"
    __table_args__ = (
        # The inbox: one department's requests, newest first.
        Index("ix_requests_department_received", "department", "received_at"),
        # A search by number or address (store.request_search, store.persons).
        Index("ix_requests_department_caller_number", "department", "caller_number"),
        Index("ix_requests_department_contact_address", "department", "contact_address"),
        # A call is its department's and its CallSid, never the CallSid alone.
        UniqueConstraint("department", "call_sid", name="uq_requests_department_call_sid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str | None = Field(default=None, max_length=64)
    # Personal data: stored for callbacks, never written to logs.
    caller_number: str | None = Field(default=None, max_length=40)
    caller_name: str | None = Field(default=None, max_length=200)
    # The mail address of whoever wrote (mail channel). Personal data, like the number.
    contact_address: str | None = Field(default=None, max_length=250)
    # The voicemail at the provider, until it is fetched and deleted there (store.recordings).
    recording_url: str | None = Field(default=None, max_length=500)
    # The voicemail in the DAC's own store (frontdoor.store.recordings), once fetched.
    recording_key: str | None = Field(default=None, max_length=200)
    recording_fetched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # A call that waited in the queue (core.waiting): for how long, and whether the caller
    # hung up while waiting. None: it never waited.
    queue_wait_s: int | None = None
    queue_abandoned: bool | None = None
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # What the DAC gave, each kind once (sorted): kept by the database itself from
    # request_responses (store.response_kinds' triggers), read by the indicator tallies.
    # Empty: not yet said. Written by nothing else.
    response_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    closed_by: str | None = Field(default=None, max_length=60)
    # The earlier request of the same situation this one repeats (core.repeats): counted
    # once as a sollicitation, by the request it repeats.
    repeat_of: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("requests.id"), nullable=True, index=True),
    )
    # When retention or an erasure removed who contacted the DAC from it (the call metadata:
    # store.erasure.forget_call_metadata).
    pseudonymised_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # When what was written under it went (messages, notes, attachments: forget_contents);
    # anything written under it afterwards goes at the next retention pass.
    contents_purged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Handed to the region's coordination file (e-parcours): the id its FHIR server gave the
    # request ("ServiceRequest/…"), and when.
    coordination_file_id: str | None = Field(default=None, max_length=200)
    coordination_file_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # The request's own key in the coordination file (a random UUID, drawn at its first
    # hand-off and kept): what its FHIR identifiers are made of, so no other installation,
    # restored database or test hands a different request under the same identifier.
    coordination_file_key: str | None = Field(default=None, max_length=36, unique=True, index=True)


class RequestPublic(RequestBase):
    """What the API and a person's export show of a request (store.requests.public_request).
    Never the provider's recording URL: whether there is a recording, which the console
    plays after its access check and journals."""

    id: int
    caller_number: str | None
    caller_name: str | None
    contact_address: str | None
    has_recording: bool = False
    received_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    problems: list[str]
    response_kinds: list[str]
    closed_at: datetime | None
    closed_by: str | None
    repeat_of: int | None = None
    coordination_file_id: str | None = None
    coordination_file_at: datetime | None = None


class RequestResponse(SQLModel, table=True):
    """One response the DAC gave a request (type de réponse), core.responses. An orientation
    names the directory resource, by id and by its name then: the resource may be
    corrected or leave the directory, the response still says where the person was sent."""

    __tablename__ = "request_responses"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    kind: str = Field(max_length=30)  # core.request_fields.ResponseType
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The account that recorded it; None: given by Frontdoor itself (a directory answer), or
    # recorded before responses were listed (migration 0017).
    by: str | None = Field(default=None, max_length=60)
    resource_id: int | None = None
    resource_name: str | None = Field(default=None, max_length=300)


class RequestResponsePublic(SQLModel):
    id: int
    kind: str
    at: datetime
    by: str | None
    resource_id: int | None
    resource_name: str | None


class FollowUp(SQLModel, table=True):
    """The follow-up of an orientation (core.follow_ups): at most one per response. Not a
    callback task: it counts in no indicator. Holds no personal data (referent ids and
    account logins, days): the request's erasure and retention leave it as it is."""

    __tablename__ = "follow_ups"
    # A department's open follow-ups by due day: the referents' list.
    __table_args__ = (Index("ix_follow_ups_department_due", "department", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    request_id: int = Field(foreign_key="requests.id", index=True)
    response_id: int = Field(foreign_key="request_responses.id", unique=True)
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    assigned_to: str | None = Field(default=None, max_length=60)  # a referent id
    status: str = Field(default="open", max_length=20)  # core.follow_ups.FollowUpStatus
    outcome: str | None = Field(default=None, max_length=30)  # FollowUpOutcome, once closed
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=60)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    closed_by: str | None = Field(default=None, max_length=60)
    # Each "à relancer" that set a new day: {"due_on", "outcome", "at", "by"}, oldest first.
    earlier: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class FollowUpPublic(SQLModel):
    id: int
    due_on: date
    assigned_to: str | None
    status: str
    outcome: str | None
    created_at: datetime
    created_by: str
    closed_at: datetime | None
    closed_by: str | None
    earlier: list[dict[str, Any]]


class RequestEvent(SQLModel, table=True):
    """One thing that happened to a request, with the reasons of the decision taken."""

    __tablename__ = "request_events"
    # Who is on a call and who waits (store.waiting): a department's recent events of a kind,
    # without reading the other departments' of the same hours.
    __table_args__ = (Index("ix_request_events_department_kind_at", "department", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    # Its request's, which never changes. Set by the writers that have the request at hand;
    # the store fills it from the request when a writer leaves it out (0037's trigger).
    department: str | None = Field(default=None, max_length=40)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    kind: str = Field(max_length=40)  # "incoming", "menu", "ring", "accepted", "status"…
    referent_id: str | None = Field(default=None, max_length=60)
    attempt: int | None = None
    # Provider id of the leg concerned (a referent's CallSid), to match Dial results.
    leg_sid: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, max_length=200)
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class RequestEventPublic(SQLModel):
    at: datetime
    kind: str
    referent_id: str | None
    attempt: int | None
    detail: str | None
    reasons: list[dict[str, Any]]


class KnownContact(SQLModel, table=True):
    """A professional the department knows, by phone number and/or secure mail address: a
    call skips the menu and is named in the whisper; a mail gets its referrer type."""

    __tablename__ = "known_contacts"
    __table_args__ = (
        UniqueConstraint("department", "number"),
        UniqueConstraint("department", "address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    number: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=250)  # lower case
    name: str = Field(max_length=200)
    referrer_type: str = Field(max_length=40)
    # The professional's RPPS number (11 digits), when known: one doctor with a phone row and
    # a mail row is still one doctor in the indicators.
    rpps: str | None = Field(default=None, max_length=11, index=True)
    # From the Annuaire Santé (frontdoor.core.rpps): the extraction's profession, "rpps" as
    # where the contact comes from, and whether a coordinator edited it since (the next
    # import then leaves it as edited).
    profession: str | None = Field(default=None, max_length=200)
    imported_from: str | None = Field(default=None, max_length=20)
    edited_locally: bool = False


class WebhookReceipt(SQLModel, table=True):
    """The answer given to one provider webhook, so that a retry gets it again, unchanged."""

    __tablename__ = "webhook_receipts"

    key: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    # The call (the caller's CallSid, also on a referent's leg) or the SMS (MessageSid) it
    # answers: an erasure deletes the answers of the person's calls (a whisper names them).
    provider_sid: str | None = Field(default=None, index=True, max_length=64)
    status: int
    content_type: str = Field(max_length=60)
    body: str


class CallbackTaskRow(SQLModel, table=True):
    """A callback owed to a person: one per request that needs one (core.callbacks)."""

    __tablename__ = "callback_tasks"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", unique=True)
    department: str = Field(index=True, max_length=40)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    assignees: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default="open", index=True, max_length=20)
    outcome: str | None = Field(default=None, max_length=30)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    closed_by: str | None = Field(default=None, max_length=60)
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Click-to-call attempts placed from the DAC's number.
    calls_placed: int = 0


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for one time slot: the unique key is the lease.

    Every instance's scheduler fires; the one whose insert succeeds runs the job.
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=60)
    slot: str = Field(max_length=60)  # e.g. the minute it was due, ISO 8601 UTC
    instance: str = Field(max_length=120)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    ok: bool | None = None
    detail: str | None = Field(default=None, max_length=500)


class RosterOverrideRow(SQLModel, table=True):
    """A one-off change of duty entered after deployment (iCal import, console)."""

    __tablename__ = "roster_overrides"

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(index=True, max_length=40)
    starts: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ends: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    kind: str = Field(max_length=20)  # core.roster.OverrideKind
    referent_id: str = Field(max_length=60)
    instead_of: str | None = Field(default=None, max_length=60)
    reason: str = Field(max_length=200)
    source: str = Field(max_length=200)  # "ical:<file or feed>", "console:<account>"
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class TeamChangeRow(SQLModel, table=True):
    """A change of the team or the line made in the console (core.team): who, when, what.

    Append-only: it is both what every instance lays over the department file and the
    journal of the team's changes (``before``: the referent's name and number as they were).
    Holds staff names and work numbers, as the department file does; never a caller's."""

    __tablename__ = "team_changes"

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(index=True, max_length=40)
    kind: str = Field(max_length=20)  # core.team.TeamChangeKind
    referent_id: str | None = Field(default=None, max_length=60)
    name: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=20)
    file_said: str | None = Field(default=None, max_length=200)
    before: str | None = Field(default=None, max_length=200)
    starts: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    ends: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    reason: str | None = Field(default=None, max_length=200)
    closure_change_id: int | None = Field(default=None)
    reach: str | None = Field(default=None, max_length=10)  # core.roster.Reach
    client: str | None = Field(default=None, max_length=40)  # her browser's identity at Twilio
    created_by: str = Field(max_length=120)  # the coordinator's login
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Message(SQLModel, table=True):
    """An SMS or mail received or sent under a request. Its body is personal data."""

    __tablename__ = "messages"
    # The provider's id (Twilio MessageSid, a mail's Message-ID) is unique per department: a
    # retry, or a mail read again, is stored once; the same mail sent to two departments
    # sharing the database is taken in by each.
    __table_args__ = (
        UniqueConstraint("department", "provider_id", name="uq_messages_department_provider_id"),
        Index("ix_messages_department_address", "department", "address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    # The request's department, repeated here so that the provider's id can be unique in it.
    department: str = Field(max_length=40)
    channel: str = Field(max_length=10)  # "sms", "mail"
    direction: str = Field(max_length=3)  # "in", "out"
    provider_id: str | None = Field(default=None, max_length=250)
    # A mail's other end: who wrote it (in), who it went to (out), lower case. Personal data,
    # erased with the body; who is part of a request's conversation (core.mail.threading).
    address: str | None = Field(default=None, max_length=250)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    body: str | None = None
    # For messages sent: the referent who wrote it, or "frontdoor" for automatic answers.
    author: str | None = Field(default=None, max_length=60)
    kind: str | None = Field(default=None, max_length=30)  # "acknowledgement", "answer"…
    segments: int | None = None
    status: str | None = Field(default=None, max_length=30)


class SmsOptOut(SQLModel, table=True):
    """A number that sent STOP to a department: no SMS goes to it until START."""

    __tablename__ = "sms_opt_outs"
    __table_args__ = (UniqueConstraint("department", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    number: str = Field(max_length=40)
    opted_out_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Resource(SQLModel, table=True):
    """A service of the territory (ressource): where to send a person, and how to reach it."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)  # "finess", "hsds", "ror", "csv", "local"
    source_id: str = Field(max_length=100)  # FINESS number, HSDS or ROR id, the CSV's id
    name: str = Field(max_length=300)
    category: str = Field(index=True, max_length=30)  # core.taxonomy.Category
    finess_category: str | None = Field(default=None, max_length=10)
    # The structure's FINESS number (établissement), from FINESS or the ROR's Organization.
    finess: str | None = Field(default=None, index=True, max_length=9)
    address: str | None = Field(default=None, max_length=300)
    postal_code: str | None = Field(default=None, index=True, max_length=10)
    commune_insee: str | None = Field(default=None, index=True, max_length=10)
    commune_name: str | None = Field(default=None, max_length=150)
    departement: str | None = Field(default=None, index=True, max_length=3)  # "46", "2A", "974"
    latitude: float | None = None
    longitude: float | None = None
    phones: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    email: str | None = Field(default=None, max_length=200)  # or an MSSanté address
    website: str | None = Field(default=None, max_length=300)
    hours_text: str | None = Field(default=None, max_length=500)
    hours: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # INSEE codes of the communes it serves (a SSIAD serves a list of communes, not a radius).
    serves_communes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    audience: str = Field(default="public", max_length=20)  # "public", "professionals"
    checked_at: date | None = None
    # Edited in Frontdoor: an import does not overwrite it silently.
    edited_locally: bool = False
    # Name, category words, synonyms and commune, lower-cased without accents: what
    # full-text search reads (written by the store on every save).
    search_text: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ResourceEdit(SQLModel, table=True):
    """A resource corrected in the console: who, when, and each changed field before and after.

    The editors' journal of the directory, shown to the coordinators of the departments that
    hold the resource (frontdoor.core.access.resource_owners) on the audit page."""

    __tablename__ = "resource_edits"

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="resources.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    account: str = Field(max_length=120)  # the editor's login
    # {field: value} of the fields the edit changed, as they were and as they became.
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Account(SQLModel, table=True):
    """Someone who signs in to the console: a referent, a coordinator or an operator."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=120)  # lower case, usually a mail address
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=20)  # core.access.Role
    # One department for referents and coordinators; an operator may serve several.
    departments: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # The referent's id in the department file, to link their duty and their tasks.
    referent_id: str | None = Field(default=None, max_length=60)
    password_hash: str | None = Field(default=None, max_length=200)  # Argon2id; None: OIDC only
    disabled: bool = False
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. Only the hash of its cookie's token is stored."""

    __tablename__ = "console_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class SignInTally(SQLModel, table=True):
    """Failed sign-ins counted under one key (core.sign_in): a login and a client, or a login.
    The key is a digest: logins tried by guessers (often someone's mail address) and client
    addresses are not stored."""

    __tablename__ = "sign_in_tallies"

    key: str = Field(primary_key=True, max_length=64)
    failures: int
    first_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class SignInDevice(SQLModel, table=True):
    """A browser that signed in to an account: its cookie (only the hash is stored) makes it a
    client of its own for the sign-in throttle, and keeps it clear of the login's ceiling."""

    __tablename__ = "sign_in_devices"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_used_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class ApiToken(SQLModel, table=True):
    """A bearer token of one account for the JSON API, scoped and revocable."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    label: str = Field(max_length=120)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class AuditEvent(SQLModel, table=True):
    """Who saw or changed personal data, when, on which request: one row per access."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_department_at", "department", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    account: str = Field(max_length=120)  # the login (or "api:<token label>")
    department: str = Field(max_length=40)
    request_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=40)  # "view", "play_recording", "export", "erase"…
    detail: str | None = Field(default=None, max_length=200)


class NonOppositionRecord(SQLModel, table=True):
    """A person's stance on one of the three non-oppositions, as a referent recorded it: one
    row per change, so the latest row of a kind is the stance and the rows are its history.

    Carried by the person (person_id) and noted on the request it was recorded on. Rows from
    before persons existed have a request and no person."""

    __tablename__ = "non_oppositions"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int | None = Field(default=None, foreign_key="requests.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="persons.id", index=True)
    kind: str = Field(max_length=30)  # core.request_fields.NonOpposition
    stance: str = Field(max_length=20)  # core.request_fields.Stance
    # How the person was informed of the right to object ("oral", "document", "sms", "mail").
    informed_how: str | None = Field(default=None, max_length=30)
    recorded_by: str = Field(max_length=120)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Person(SQLModel, table=True):
    """Who requests are about (la personne concernée), most often not the caller. Identity
    traits are entered progressively; none is required. Personal data: exported and erased
    with everything that concerns the person, pseudonymised by retention."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_department_name_key", "department", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    family_name: str | None = Field(default=None, max_length=200)
    given_names: str | None = Field(default=None, max_length=200)
    # Names folded for search and suggestions (lower case, no accents): "dupont marie".
    name_key: str | None = Field(default=None, max_length=400)
    birth_date: date | None = None
    birth_year: int | None = None  # when only the year is known (or from birth_date)
    sex: str | None = Field(default=None, max_length=10)  # "female", "male", "unknown"
    commune_insee: str | None = Field(default=None, max_length=10)
    commune_name: str | None = Field(default=None, max_length=150)
    # Identifiant national de santé (matricule INS, the NIR or NIA): optional, never required.
    ins: str | None = Field(default=None, max_length=40)
    # How far her identity can be trusted (core.identity_status): the identity document
    # checked (FR Core code: CN, PA, AN, LE) and when, and when the INSi teleservice was
    # queried for her INS. Both: a qualified identity, whose INS may be shared.
    identity_document: str | None = Field(default=None, max_length=4)
    identity_checked_on: date | None = None
    insi_checked_on: date | None = None
    gp_contact_id: int | None = Field(default=None, foreign_key="known_contacts.id")
    referrer_contact_id: int | None = Field(default=None, foreign_key="known_contacts.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=120)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Merged into another person: this row stays (its history says so), its links moved.
    merged_into: int | None = Field(default=None, foreign_key="persons.id", index=True)
    pseudonymised_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class RequestPerson(SQLModel, table=True):
    """A request concerns this person (a request concerns zero or more persons)."""

    __tablename__ = "request_persons"

    request_id: int = Field(foreign_key="requests.id", primary_key=True)
    person_id: int = Field(foreign_key="persons.id", primary_key=True, index=True)
    linked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    linked_by: str = Field(max_length=120)


class PersonEvent(SQLModel, table=True):
    """What happened to a person's file: created, traits changed, linked, merged, informed of
    the DAC's action (and how: document given, SMS or mail from a template)."""

    __tablename__ = "person_events"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="persons.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="requests.id")
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    account: str = Field(max_length=120)
    kind: str = Field(max_length=30)  # "created", "changed", "linked", "merged", "informed"…
    # Names of changed traits, the template of an information sent… never the values.
    detail: str | None = Field(default=None, max_length=200)


class RequestNote(SQLModel, table=True):
    """A referent's note on a request. Personal data: purged with the request's."""

    __tablename__ = "request_notes"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="requests.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    author: str = Field(max_length=120)
    body: str | None = None


class DepartmentFigures(SQLModel, table=True):
    """What the indicators cannot compute: entered by the coordinator, per year."""

    __tablename__ = "department_figures"
    __table_args__ = (UniqueConstraint("department", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    year: int
    staff_fte: float | None = None
    # Funding by source (core.figures.FundingSource), in euros: ARS (FIR), conseil
    # départemental, assurance maladie, other; "unsplit" holds a total entered before the
    # split (0020 moved the old single figure there).
    funding_ars_fir: int | None = None
    funding_conseil_departemental: int | None = None
    funding_assurance_maladie: int | None = None
    funding_autre: int | None = None
    funding_non_reparti: int | None = None
    # General practitioners practising on the territory: the denominator of the GP share,
    # with where the count comes from ("saisie", "RPPS extraction 2026-10"), who gave it, when.
    territory_gps: int | None = None
    territory_gps_source: str | None = Field(default=None, max_length=200)
    territory_gps_by: str | None = Field(default=None, max_length=120)
    territory_gps_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_by: str | None = Field(default=None, max_length=120)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class OutboxMail(SQLModel, table=True):
    """A mail to send (an acknowledgement, a referent's answer), written in the transaction
    of what it answers. Its body is its `messages` row's (same Message-ID); whoever holds
    the claim sends it, then marks it sent (frontdoor.mailbox.outbox)."""

    __tablename__ = "outbox"
    # What the retry job reads: the queued mails due.
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    message_id: str = Field(unique=True, max_length=250)  # messages.provider_id
    recipient: str = Field(max_length=250)  # personal data
    subject: str = Field(max_length=500)  # personal data (it may quote the mail's)
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="queued", max_length=10)  # "queued", "sent", "failed"
    attempts: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    claimed_by: str | None = Field(default=None, max_length=120)  # an instance's name
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str | None = Field(default=None, max_length=300)  # no address, no content


class AutoAnswerRow(SQLModel, table=True):
    """When a department last answered a sender automatically (an acknowledgement, a notice
    that their mail could not be read): one such answer per sender and period at most
    (core.mail.AUTO_ANSWER_PERIOD), whichever instance answers, across restarts. The sender
    is a keyed pseudonym (core.retention.pseudonym), never the address."""

    __tablename__ = "auto_answers"

    department: str = Field(primary_key=True, max_length=40)
    sender: str = Field(primary_key=True, max_length=64)
    answered_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class NoticeBudgetRow(SQLModel, table=True):
    """What one recipient of a department's notices was sent lately and what was held back
    from them (core.notice_budget): one row per department and recipient, locked while a
    notice is decided, so that every instance sharing the database spends one budget. The
    recipient is a referent's id (or "notify-address"), never a number or an address; the
    row holds times and a count, nothing of any contact."""

    __tablename__ = "notice_budgets"

    department: str = Field(primary_key=True, max_length=40)
    recipient: str = Field(primary_key=True, max_length=64)
    # The notices sent within the window (ISO 8601 instants, UTC), oldest first.
    sent: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    held: int = Field(default=0)  # notices held back since the last one sent
    held_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class MailboxLogin(SQLModel, table=True):
    """The last attempt to open each department's mailbox, by any instance: what /readyz and
    frontdoor_mailbox_login_ok report. No personal data."""

    __tablename__ = "mailbox_logins"

    department: str = Field(primary_key=True, max_length=40)
    ok: bool
    failure: str | None = Field(default=None, max_length=30)  # core.mailbox.LoginFailure
    checked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The first failure of the failures in a row (None while it logs in).
    failing_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    instance: str = Field(max_length=120)


class ProviderDeletion(SQLModel, table=True):
    """One of Twilio's records (a call's, an SMS's) to delete there, queued in the transaction
    of the erasure or purge that reached its request (store.provider_deletions), deleted by
    the twilio-records-deletion job, then the row goes. Its SID, kind and department only: no
    number, no text. A deletion given up stays, for the operator."""

    __tablename__ = "provider_deletions"
    __table_args__ = (
        # One record once per department (a department's account holds it).
        UniqueConstraint("department", "sid", name="uq_provider_deletions_department_sid"),
        # What the job reads: the deletions due, not given up.
        Index("ix_provider_deletions_given_up_next_attempt", "given_up_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(max_length=40)
    kind: str = Field(max_length=10)  # core.provider_records.RecordKind
    sid: str = Field(max_length=64)
    queued_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # Twilio's HTTP status and error code, or why it was not reached; never its message.
    last_error: str | None = Field(default=None, max_length=200)
    given_up_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


# The indicators' tallies live in their own module; imported here so that every table is
# registered on SQLModel.metadata wherever the models are.
from frontdoor.store.event_models import (  # noqa: E402, F401
    EventDelivery,
    EventSubscription,
    OutgoingEvent,
)
from frontdoor.store.tally_models import RequestTally, RequestTallyChange  # noqa: E402, F401
