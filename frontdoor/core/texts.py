"""The texts departments may word their own way, and the placeholders each one may use."""

from __future__ import annotations

from string import Template

# The placeholders each text may use.
SMS_PLACEHOLDERS = {
    "acknowledgement_open": {"department"},
    "acknowledgement_closed": {"department", "reopening"},
    "acknowledgement_closed_no_reopening": {"department"},
    "help": {"department"},
    "opted_in": {"department"},
    "notification": {"department", "request"},
    "directory_later": {"department"},
    "information": {"department"},
}


def sms_text_problems(key: str, value: object) -> list[str]:
    """What is wrong with a text given for `key`: unknown key, empty, unknown placeholder."""
    if key not in SMS_PLACEHOLDERS:
        return [f"unknown SMS text (known: {', '.join(sorted(SMS_PLACEHOLDERS))})"]
    if not isinstance(value, str) or not value.strip():
        return ["expected non-empty text"]
    used = {
        match.group("named") or match.group("braced")
        for match in Template.pattern.finditer(value)
        if match.group("named") or match.group("braced")
    }
    unknown = sorted(used - SMS_PLACEHOLDERS[key])
    if unknown:
        allowed = ", ".join(f"${name}" for name in sorted(SMS_PLACEHOLDERS[key]))
        return [f"unknown placeholder {', '.join('$' + u for u in unknown)} (allowed: {allowed})"]
    return []
