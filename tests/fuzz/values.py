"""The tables the fuzz draws from: what goes wrong in the field, by kind of value."""

from __future__ import annotations

from collections.abc import Sequence

from tests.web.calls import LOT, MOSELLE, NURSE

# fmt: off
# What each kind of field holds, genuine or not.

CALL_SIDS = tuple(f"CA{n:032x}" for n in range(1, 7))  # shared: calls reuse each other's
MESSAGE_SIDS = tuple(f"SM{n:032x}" for n in range(1, 4))
ODD_SIDS = ("", " ", "CA", "CA" + "f" * 200, "../../etc/passwd", "CA\x00", "ÇA" + "0" * 32)
NUMBERS = (
    LOT, MOSELLE, NURSE, "+33612000001", "+33612000057", "sip:" + "a" * 60 + "@trunk.example.org",
    "client:" + "x" * 50,
)
BAD_NUMBERS = (
    "", "+", "+33", "0611223344", "33611223344", "+33 6 11 22 33 44", "+999999999999999999999",
    "+" + "9" * 60, "anonymous", "client:alice", "sip:alice@example.org", "+33611223344;ext=1",
    "+٣٣٦١١٢٢٣٣٤٤", "+33611223344\n", "<script>", "+0000000000",
)
CALL_TIMES = (
    "2026-05-12T10:00:00+02:00", "2026-05-14T19:05:00+02:00", "2026-05-13T15:00:00+02:00",
    "2026-05-12T08:00:00Z",
)
INSTANTS = CALL_TIMES + (
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+00:00", "2026-05-12T10:00:00", "2026-02-30T10:00:00+01:00", "2026-05-12",
    "1700000000", "", "maintenant", "2026-05-12T10:00:00+25:00",
    "2026-05-12T10:00:00.123456789+02:00", "2026-W20-2T10:00+02:00", "2100-12-31T23:59:59-12:00",
    "1999-12-31T23:59:59+14:00",
)
DIGITS = (
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "12", "999999", "", "a", "١", "1 ",
    "-1", "0" * 50,
)
STATUSES = (
    "completed", "busy", "no-answer", "failed", "canceled", "in-progress", "ringing", "queued",
    "answered", "", "COMPLETED", "nonsense",
)
IDS = (
    "0", "-1", "abc", "1.5", "1e3", "0x10", "٣", "2147483647", "2147483648", "9223372036854775807",
    "9223372036854775808", "9" * 40, "%FF", "%00", "1%20", "%2e%2e", " 1", "1_000", "+1",
)

TWILIO_FIELDS = (
    "CallSid", "AccountSid", "From", "To", "Digits", "CallStatus", "DialCallStatus", "DialCallSid",
    "ParentCallSid", "RecordingUrl", "RecordingDuration", "RecordingSid", "CallDuration",
    "MessageSid", "SmsSid", "Body", "NumMedia", "NumSegments", "SimulatedAt", "Caller", "Called",
    "Direction", "SpeechResult",
)
QUERY_KEYS = (
    "level", "try", "attempt", "task", "stage", "referent", "postal", "category", "request",
    "departement", "periode", "q", "suite", "statut", "canal", "adresseur", "attribuee", "retard",
    "rappel", "fait", "depuis", "avant", "demande", "numero", "adresse", "erreur", "code", "state",
    "limit", "commune", "postal_code", "text", "format", "v",
)
CONSOLE_FIELDS = (
    "referrer_type", "response_type", "age_band", "problems", "stance", "kind", "text", "body",
    "status", "outcome", "to", "referent", "instead_of", "from", "reason", "name", "phones",
    "checked_at", "year", "staff_fte", "funding_ars_fir", "funding_autre", "territory_gps",
    "territory_gps_source", "label", "scopes", "numero",
    "adresse", "confirmation", "login", "password", "form_token", "next", "hours", "assignee",
    "starts_date", "starts_time", "ends_date", "ends_time", "starts_iso", "ends_iso",
)
DAYS = ("2026-05-12", "9999-12-31", "0001-01-01", "2026-02-30", "12/05/2026", "9" * 40)
TIMES = ("08:30", "23:59:59", "25:00", "08:30+02:00", "9" * 40)
JSON_KEYS = ("body", "referrer_type", "outcome", "text", "to", "subject")


PLAUSIBLE: dict[str, Sequence[str]] = {
    "CallSid": CALL_SIDS,
    "DialCallSid": CALL_SIDS,
    "ParentCallSid": CALL_SIDS,
    "MessageSid": MESSAGE_SIDS,
    "SmsSid": MESSAGE_SIDS,
    "From": NUMBERS,
    "To": NUMBERS,
    "Caller": NUMBERS,
    "Called": NUMBERS,
    "Digits": DIGITS,
    "CallStatus": STATUSES,
    "DialCallStatus": STATUSES,
    "SimulatedAt": INSTANTS,
    "RecordingUrl": (
        "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        "javascript:alert(1)",
        "http://169.254.169.254/",
        "not a url",
    ),
    "RecordingDuration": ("12", "-1", "1e9", "abc"),
    "NumMedia": ("0", "1", "99", "x"),
    "referrer_type": ("gp", "specialist", "patient", "nurse", "unknown", "GP"),
    "outcome": ("reached", "message_left", "no_answer", "not_needed", "nope"),
    "periode": ("2026-10", "2026-Q3", "2026", "2026-13", "9999-Q9", "0000", "-1", "9999",
                "9999-12", "0001"),
    "checked_at": DAYS,
    "starts_date": DAYS,
    "ends_date": DAYS,
    "starts_time": TIMES,
    "ends_time": TIMES,
    "starts_iso": INSTANTS,
    "ends_iso": INSTANTS,
    "departement": ("dac46", "dac57", "dac99", ""),
    "level": ("root", "who", "x", ""),
    "year": ("2026", "0", "-5", "99999999999999999999", "9999", "0001"),
    "avant": (
        "2026-05-12T10:00:00+02:00_3",
        "2026-05-12T10:00:00_3",
        "9999-12-31T23:59:59-14:00_1",
        "2026-05-12T10:00:00+02:00_99999999999",
        "_",
    ),
    "depuis": ("0", "3", "-1", "99999999999", "²"),
    "demande": ("1", "²", "99999999999999999999"),
}


# The query strings the app writes into its own TwiML (menu levels, tries, callback tasks…).
GENUINE_QUERY = {
    "level": ("who", "profession"),
    "try": ("0", "1", "2"),
    "attempt": ("0", "1", "2"),
    "task": ("1", "2", "3"),
    "stage": ("postal", "category", "sms"),
    "referent": ("amartin", "bleroy", "dweber"),
    "postal": ("46100", "46000", "57000"),
    "category": ("ssiad", "ehpad", "clic"),
}


ENCODINGS = ("utf-8",) * 14 + (
    "latin-1 declared", "latin-1 undeclared", "raw bytes", "unknown charset", "wrong content type",
    "no content type", "multipart", "empty",
)
SIZES = (None,) * 12 + ("just under the limit", "just over the limit")
RAW_BYTES = (
    b"\xff\xfe\x00\x01", b"Body=caf\xe9", b"\x80" * 64, b"CallSid=\xc3\x28",
    b"\xef\xbb\xbfTo=%2B33", b"%ZZ=%%%", b"a=1&" * 100, b"\x00\x00\x00",
)


MULTIPART_LAST = (
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xff\xfe\r\n--fuzz--\r\n",
    b"Content-Type: text/plain; charset=klingon\r\n\r\nbonjour\r\n--fuzz--\r\n",
    b"Content-Transfer-Encoding: klingon\r\n\r\nbonjour\r\n--fuzz--\r\n",
    b"Content-Encoding: klingon\r\n\r\nbonjour\r\n--fuzz--\r\n",
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n--fuzz--\r\n",
    b"\r\nno final boundary",
)


CORE_TWILIO = ("CallSid", "AccountSid", "From", "To", "SimulatedAt", "Digits", "CallStatus")
CORE_SMS = ("MessageSid", "AccountSid", "From", "To", "Body", "SimulatedAt")
API_AUTHORIZATIONS = ("Bearer key-dac46-amartin",) * 6 + (
    "Bearer key-dac57-dweber", "", "Bearer", "Bearer fd_" + "0" * 40, "Bearer fd_", "Basic YTpi",
    "bearer key-dac46-amartin", "Bearer " + "k" * 5000,
)


# fmt: on
