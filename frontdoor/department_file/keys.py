"""Every section and key of a department file, declared once: its type, default, bounds and
one line of help. The reader refuses the keys not declared here and takes defaults and bounds
from here; `department_file_table` writes the README's table from it (tests/test_docs.py
checks that the README holds the current one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from frontdoor.core.mailbox import QUARANTINE_FOLDER
from frontdoor.core.retention import CLASS_RULES


@dataclass(kw_only=True, frozen=True)
class Key:
    name: str
    type: str  # as the README says it
    help: str
    default: str | int | bool | None = None  # None: required, or absent means "none"
    shown_default: str | None = None  # the default as the README says it, when computed
    lo: int | None = None
    hi: int | None = None
    unit: str = ""  # of a bounded number: "seconds", "days"

    def default_shown(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        if self.default is None:
            return "—"
        if isinstance(self.default, bool):
            return f"`{str(self.default).lower()}`"
        if isinstance(self.default, str):
            return f'`"{self.default}"`'
        return f"`{self.default}`"

    def type_shown(self) -> str:
        if self.lo is None or self.hi is None:
            return self.type
        return f"{self.type}, {self.lo}–{self.hi} {self.unit}".rstrip()


@dataclass(kw_only=True, frozen=True)
class Section:
    """A table (`[ringing]`), or a list of tables (`[[referents]]`, many=True)."""

    name: str
    keys: tuple[Key, ...] = ()
    many: bool = False
    # A table whose keys are not declared here (its texts, its domains): what they are.
    free: str = ""

    def __getitem__(self, name: str) -> Key:
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(f"{self.name}.{name} is not declared")

    @property
    def heading(self) -> str:
        return f"[[{self.name}]]" if self.many else f"[{self.name}]"


def _seconds(name: str, default: int, lo: int, hi: int, help: str) -> Key:
    return Key(name=name, type="integer", default=default, lo=lo, hi=hi, unit="seconds",
               help=help)  # fmt: skip


def _text(name: str, help: str, default: str | None = None) -> Key:
    return Key(name=name, type="text", default=default, help=help)


_LOCAL_TIME = 'local date and time, `"2026-12-24 14:00"`'

DEPARTMENT = Section(
    name="department",
    keys=(
        Key(name="slug", type="text", help="short id, lowercase letters, digits and dashes "
            "(`dac46`)"),
        Key(name="name", type="text", help="the name callers hear"),
        Key(name="number", type="phone number", help="the E.164 number callers dial "
            "(`+33…`); one department per number"),
        Key(name="timezone", type="text", help="IANA zone: `Europe/Paris`, `America/Cayenne`, "
            "`Indian/Reunion`…"),
        Key(name="holidays", type="text", default="FR", help="`FR` plus the département: "
            "`FR-46`; `FR-57`, `FR-67`, `FR-68` add Alsace-Moselle's Good Friday and 26 "
            "December; `FR-971`…`FR-976` the overseas days, `FR-975` Saint-Pierre-et-Miquelon, "
            "`FR-977` Saint-Barthélemy, `FR-978` Saint-Martin; an overseas one also says how "
            "numbers written without `+` are read (`0262…` in La Réunion)"),
        Key(name="territory", type="list of départements", shown_default="the one of "
            "`holidays`", help='the départements the DAC covers, e.g. `["59"]`: the '
            "directory's resources located there are its referents' and coordinators' to "
            "correct; DACs sharing a département share its resources"),
        Key(name="public_allowed", type="true/false", default=False, help="`true`: patients "
            "and carers may be put through; `false`: they are asked their postal code and "
            "hear the CLIC, MDPH and CCAS of the directory serving their commune, recorded as "
            "an orientation (when none does, `[prompts] public_not_allowed`)"),
        Key(name="medical_advice_116117", type="true/false", shown_default="`true`, `false` "
            "overseas (`holidays` FR-971 to FR-978)", help="`true`: the emergency sentence "
            "(closed line, SMS and mail acknowledgements) also names 116 117, medical advice "
            "when one's doctor is away, where the ARS answers it; 15, 112 and 114 are always "
            "named"),
        Key(name="voice", type="text", default="Polly.Lea", help="the Twilio voice that reads "
            "the prompts"),
        Key(name="retention_days", type="integer", lo=30, hi=3650, unit="days",
            shown_default="the classes' own", help="the former single retention: when set, "
            "the default of every `[retention]` class, brought within each class's bounds "
            "(voicemails at most 180)"),
    ),
)  # fmt: skip
HOURS = Section(
    name="hours",
    keys=(
        Key(name="weekly", type="list of texts", help='opening hours in local time, e.g. '
            '`["mon-fri 08:30-12:30, 13:30-18:30", "sat 09:00-12:00"]`'),
        Key(name="closures", type="list of tables", default=None, shown_default="none",
            help="exceptional closures, each `{ from, to, reason }` (below)"),
    ),
)  # fmt: skip
CLOSURES = Section(
    name="hours.closures",
    many=True,
    keys=(
        Key(name="from", type=_LOCAL_TIME, help="when the closure starts"),
        Key(name="to", type=_LOCAL_TIME, help="when it ends (after `from`)"),
        _text("reason", "why, as the console shows it", "fermeture exceptionnelle"),
    ),
)
RINGING = Section(
    name="ringing",
    keys=(
        Key(name="strategy", type="`simultaneous` \\| `sequential`", default="simultaneous",
            help="everyone on duty at once, or one after the other; then the backup list"),
        _seconds("timeout", 20, 5, 120, "how long a phone rings"),
        _seconds("accept_timeout", 6, 3, 30, "how long a referent has to press 1 after the "
                 "whisper"),
        Key(name="show_caller_number", type="true/false", default=False, help="`true` shows "
            "the caller's number to the referent instead of the department's"),
        _seconds("max_message", 120, 10, 600, "the longest voicemail"),
        _seconds("max_wait", 180, 30, 1800, "how long a caller waits in the queue while "
                 "every referent on duty is on a call, before being offered a message (`0` "
                 "on the keypad leaves one at any time)"),
    ),
)  # fmt: skip
OVERFLOW = Section(
    name="overflow",
    keys=(
        Key(name="to", type="phone number", help="a neighbouring DAC's or a regional line's "
            "number: the calls the referents on duty cannot take are put through to it, "
            "screened like a referent's leg (its whisper, then 1 to take the call; else a "
            "message and a callback, as without it)"),
        _text("label", 'that line as the caller hears it after "vers" and the console shows '
              'it, e.g. `"le DAC du Cantal"`, `"la plateforme régionale"`'),
        Key(name="when_nobody_accepts", type="true/false", default=True, help="`true`: the "
            "call overflows when every referent rung declined or did not answer (none on "
            "another call)"),
        Key(name="when_waiting", type="integer", lo=0, hi=50, unit="callers",
            shown_default="none: callers wait", help="while everyone on duty is on a call: "
            "the call overflows instead of waiting once this many callers already wait (`0`: "
            "at once)"),
        Key(name="when_wait_over", type="true/false", default=False, help="`true`: a caller "
            "who waited `[ringing] max_wait` in the queue overflows instead of being offered "
            "a message"),
    ),
)  # fmt: skip
TRANSFER = Section(
    name="transfer",
    many=True,
    keys=(
        Key(name="to", type="phone number", help="a partner's number a referent can transfer "
            "a call to from the console (besides her colleagues and the `[overflow]` line), "
            "screened as a referent's leg (who transfers, who calls, 1 to take the call)"),
        _text("label", 'that line as the caller hears it after "vers" and the console shows '
              'it, e.g. `"le service social du centre hospitalier"`'),
    ),
)  # fmt: skip
REFERENTS = Section(
    name="referents",
    many=True,
    keys=(
        _text("id", "short id the roster names them by (`amartin`), once each"),
        _text("name", "their name, as the console and the whisper say it"),
        Key(name="phone", type="phone number", help="the phone rung when they are on duty"),
    ),
)
ROSTER = Section(
    name="roster",
    keys=(
        Key(name="backup", type="list of referent ids", shown_default="`[]`", help="rung when "
            "nobody on duty takes the call"),
        Key(name="when_nobody", type='`"backup"` \\| `"message"` \\| phone number',
            shown_default='`"backup"` with a backup list, else `"message"`',
            help="what a call gets when nobody is on duty: the backup list then a message, a "
            "message, or a neighbouring DAC's number to put it through to"),
        Key(name="shifts", type="list of tables", shown_default="none", help="who is on duty "
            "when (below)"),
        Key(name="rotations", type="list of tables", shown_default="none", help="weekly "
            "patterns whose referents change week by week (below)"),
        Key(name="overrides", type="list of tables", shown_default="none", help="one-off "
            "changes that win over shifts and rotations (below)"),
        Key(name="ical_feed", type="http(s) address", shown_default="none", help="an "
            "iCalendar feed (a shared agenda): each event whose title names a referent puts "
            "them on duty for its span, or off duty when its title or categories say "
            "Absence or Congé; imported every 15 minutes"),
    ),
)  # fmt: skip
SHIFTS = Section(
    name="roster.shifts",
    many=True,
    keys=(
        _text("days", 'weekdays, e.g. `"mon-fri"`, `"mon,wed"`'),
        _text("hours", 'a range within one day, e.g. `"08:30-13:30"`'),
        Key(name="referents", type="list of referent ids", help="who is on duty then"),
    ),
)
ROTATIONS = Section(
    name="roster.rotations",
    many=True,
    keys=(
        _text("days", "weekdays, as in shifts"),
        _text("hours", "a range within one day, as in shifts"),
        Key(name="anchor", type="date", help="the first day of week 1, e.g. `2026-01-05`; weeks "
            "change on its weekday"),
        Key(name="weeks", type="list of lists of referent ids", help='who is on duty each '
            'week, cycling: `[["amartin"], ["bleroy"], ["cdurand"]]`'),
    ),
)  # fmt: skip
OVERRIDES = Section(
    name="roster.overrides",
    many=True,
    keys=(
        Key(name="from", type=_LOCAL_TIME, help="when the change starts"),
        Key(name="to", type=_LOCAL_TIME, help="when it ends (after `from`)"),
        Key(name="kind", type="`replace` \\| `add` \\| `remove`", help="`referent` instead of "
            "`instead_of`, also on duty, or not on duty (a removal always wins)"),
        _text("referent", "the referent id concerned"),
        _text("instead_of", "with `replace` only: the referent id replaced"),
        Key(name="reason", type="text", shown_default='`"remplacement"`, `"renfort"` or '
            '`"absence"`', help='why, e.g. `"arrêt maladie"`'),
    ),
)  # fmt: skip
CALLBACKS = Section(
    name="callbacks",
    keys=(
        Key(name="deadline", type="opening hours", default="4h", help='how soon a missed '
            'contact must be called back, counted in opening hours: `"1h30"`, `"45min"`, '
            "15 min to 72 h (a Friday 18:00 message is due Monday 12:30 with 08:30–12:30 "
            "mornings)"),
        Key(name="escalate_to", type="referent id or mail address, or a list of them",
            shown_default="the backup list", help="who hears about overdue callbacks: a "
            "referent by SMS, an address by mail (it also receives the morning digest), e.g. "
            '`["coordination", "coordination@dac46.mssante.fr"]`'),
        Key(name="missed_call_sms", type="true/false", default=False, help="`true`: a caller "
            "from a mobile whose call was missed, abandoned or reached the closed line is told "
            "by SMS when she will be called back (`[sms] missed_call`); never a withheld or "
            "opted-out number"),
    ),
)  # fmt: skip
PROMPTS = Section(
    name="prompts",
    free="the department's own wording of any text of `templates/voice/prompts.toml`, with "
    "the placeholders that text may use",
)
SMS = Section(
    name="sms",
    free="the department's own wording of any text of `templates/sms/texts.toml`, with the "
    "placeholders that text may use",
)
_RETENTION_HELP = {
    "recordings": "days voicemails are kept, counted from the call; fetched into the DAC's own "
    "store at once and deleted at Twilio meanwhile",
    "call_metadata": "days who contacted the DAC is kept, counted from the person's last "
    "contact: numbers and addresses become pseudonyms, callers' names and stored webhook "
    "answers go",
    "messages": "days what was written is kept, counted from the person's last contact: SMS "
    "and mail texts and addresses, attachments, referents' notes, mails to send",
    "person_files": "days a person's file keeps her identity traits after her last contact "
    "(the latest request linked to her, or the file's creation): names, birth date, INS, "
    "commune, médecin traitant go; birth year, sex and links stay for the indicators",
}
RETENTION = Section(
    name="retention",
    keys=tuple(
        Key(name=rule.data_class.value, type="integer", default=rule.default_days,
            lo=rule.min_days, hi=rule.max_days, unit="days",
            help=_RETENTION_HELP[rule.data_class.value])
        for rule in CLASS_RULES
    ),
)  # fmt: skip
MAILBOX = Section(
    name="mailbox",
    keys=(
        _text("address", "the secure mailbox's address (BAL MSSanté)"),
        _text("imap_host", "the operator's IMAP server"),
        Key(name="imap_port", type="port", shown_default="`993`, or `143` with STARTTLS",
            help="its port"),
        Key(name="imap_tls", type="`implicit` \\| `starttls`", default="implicit",
            help="how the IMAP connection is secured"),
        _text("smtp_host", "the operator's SMTP server"),
        Key(name="smtp_port", type="port", shown_default="`465`, or `587` with STARTTLS",
            help="its port"),
        Key(name="smtp_tls", type="`implicit` \\| `starttls`", default="implicit",
            help="how the SMTP connection is secured"),
        Key(name="certificate", type="path", shown_default="none", help="the client "
            "certificate (the department's certificat de personne morale)"),
        Key(name="certificate_env", type="variable name", shown_default="none", help="or the "
            "environment variable holding its path"),
        Key(name="key", type="path", shown_default="none", help="the certificate's private "
            "key"),
        Key(name="key_env", type="variable name", shown_default="none", help="or the "
            "environment variable holding its path"),
        Key(name="ca_file", type="path", shown_default="the system's", help="the authorities "
            "the servers' certificates are checked against"),
        Key(name="login", type="text", shown_default="none", help="a plain login instead of "
            "the certificate, for test servers only"),
        Key(name="password_env", type="variable name", shown_default="none", help="the "
            "environment variable holding its password"),
        _text("folder", "the folder read", "INBOX"),
        Key(name="handled", type='`"flag"` \\| `"move:Folder"`', default="flag", help="what "
            "happens to a mail taken in: marked, or moved to that folder"),
        Key(name="parked", type='`"flag"` \\| `"move:Folder"`',
            default=f"move:{QUARANTINE_FOLDER}", help="what happens to a mail that cannot be "
            "read"),
        Key(name="notify", type="`sms` \\| `mail`", default="sms", help="how the referents on "
            "duty hear of a new mail"),
        Key(name="notify_address", type="mail address", shown_default="none", help="where, "
            "with `notify = \"mail\"`"),
        Key(name="domains", type="table", shown_default="none", help='the referrer type of '
            'each sender domain, e.g. `{ "chu-toulouse.fr" = "hospital" }`'),
    ),
)  # fmt: skip
TWILIO = Section(
    name="twilio",
    keys=(
        Key(name="account_sid", type="text", help="the department's own Twilio subaccount "
            "(`AC` and 32 hex digits): its billing and numbers kept apart"),
        Key(name="auth_token_env", type="variable name", help="the environment variable "
            "holding its auth token (`frontdoor check` says when it is not set)"),
        Key(name="auth_token_file", type="path", help="or the file holding it"),
    ),
)  # fmt: skip
COORDINATION_FILE = Section(
    name="coordination_file",
    keys=(
        Key(name="fhir_base_url", type="URL", help="the FHIR R4 base of the region's "
            "coordination tool (e-parcours), where a referent hands a request over as a "
            "transaction Bundle"),
        Key(name="token_env", type="variable name", shown_default="none", help="the "
            "environment variable holding its bearer token (`frontdoor check` says when it is "
            "not set)"),
        Key(name="identifier_system", type="URI", shown_default="none", help="the identifier "
            "system the region assigned the DAC (`urn:oid:…` or a URL): each request also goes "
            "with its number under it (never shared between installations: a staging has its "
            "own). A request is always identified by its own random key"),
    ),
)  # fmt: skip

SECTIONS: tuple[Section, ...] = (
    DEPARTMENT, HOURS, CLOSURES, RINGING, OVERFLOW, TRANSFER, REFERENTS, ROSTER, SHIFTS,
    ROTATIONS, OVERRIDES,
    CALLBACKS, PROMPTS, SMS, RETENTION, MAILBOX, TWILIO, COORDINATION_FILE,
)  # fmt: skip

# The keys each table may hold ("": the file's top level).
KNOWN_KEYS: Mapping[str, frozenset[str]] = {
    "": frozenset(s.name for s in SECTIONS if "." not in s.name),
    **{s.name: frozenset(k.name for k in s.keys) for s in SECTIONS if not s.free},
}


def department_file_table() -> str:
    """The README's table of a department file's keys (Markdown), from SECTIONS."""
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for section in SECTIONS:
        if section.free:
            lines.append(f"| `{section.heading}` | table of texts | — | {section.free} |")
        for key in section.keys:
            lines.append(
                f"| `{section.heading}` `{key.name}` | {key.type_shown()} "
                f"| {key.default_shown()} | {key.help} |"
            )
    return "\n".join(lines) + "\n"
