"""Every text Frontdoor fills in — voice prompts, SMS, mails — with the placeholders its
callers fill, declared once. A text (in templates/, or a department's own wording) naming a
placeholder nobody fills, or leaving out one the text must say, is refused when it is loaded,
never found out when it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Template


@dataclass(kw_only=True, frozen=True)
class Texts:
    noun: str  # as a refusal names one of them: "SMS text"
    # The placeholders the callers fill in each text (by its key).
    fills: Mapping[str, frozenset[str]]
    # The placeholders a text must say: without them it says nothing useful (when the line
    # reopens, which key to press, the reference a reply needs).
    needs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Keys no text has any more, and why: a department file that still gives one is read
    # (an upgrade must not stop a line over a wording nobody hears), and told to remove it.
    retired: Mapping[str, str] = field(default_factory=dict)

    def problems(self, key: str, value: object) -> list[str]:
        """What is wrong with a text given for `key`: unknown key, empty, a placeholder nobody
        fills, a placeholder it must say and does not."""
        if key in self.retired:
            return []
        if key not in self.fills:
            return [f"unknown {self.noun} (known: {', '.join(sorted(self.fills))})"]
        if not isinstance(value, str) or not value.strip():
            return ["expected non-empty text"]
        used = placeholders(value)
        found = []
        unknown = sorted(used - self.fills[key])
        if unknown:
            allowed = ", ".join(f"${name}" for name in sorted(self.fills[key]))
            found.append(
                f"unknown placeholder {', '.join('$' + u for u in unknown)} (allowed: {allowed})"
            )
        missing = sorted(self.needs.get(key, frozenset()) - used)
        if missing:
            found.append(f"missing placeholder {', '.join('$' + m for m in missing)}")
        return found

    def file_problems(self, texts: Mapping[str, object]) -> list[tuple[str, str]]:
        """What is wrong with a file of these texts, by key: each one missing, each one wrong."""
        absent = [(key, "missing") for key in sorted(set(self.fills) - set(texts))]
        return absent + [
            (key, why) for key, value in texts.items() for why in self.problems(key, value)
        ]


def medical_advice(texts: Mapping[str, str], *, says_116117: bool) -> str:
    """What fills $medical_advice: the file's `medical_advice` sentence (116 117) where the
    department names it, else nothing (the text is then tidied: tidy)."""
    return texts["medical_advice"] if says_116117 else ""


def tidy(text: str) -> str:
    """A filled text without the spaces an empty placeholder left: doubled, or ending a line."""
    lines = (" ".join(word for word in line.split(" ") if word) for line in text.split("\n"))
    return "\n".join(lines).strip()


def placeholders(text: str) -> set[str]:
    """The placeholders a text names ($name or ${name})."""
    return {
        match.group("named") or match.group("braced")
        for match in Template.pattern.finditer(text)
        if match.group("named") or match.group("braced")
    }


def _each(keys: str, *also: str) -> dict[str, frozenset[str]]:
    return {key: frozenset({"department", *also}) for key in keys.split()}


# core.sms.render fills $department in each, and what each caller adds.
SMS = Texts(
    noun="SMS text",
    fills={
        **_each("acknowledgement_open help opted_in directory_later information "
                "medical_advice"),
        **_each("acknowledgement_closed_no_reopening", "medical_advice"),
        **_each("acknowledgement_closed", "reopening", "medical_advice"),
        **_each("notification voicemail_notification", "request"),
        **_each("missed_call", "callback"),
    },
    needs={"acknowledgement_closed": frozenset({"reopening"}),
           "missed_call": frozenset({"callback"}),
           "notification": frozenset({"request"}),
           "voicemail_notification": frozenset({"request"})},
)  # fmt: skip
# core.prompts.prompt fills $department in each, and what each caller adds.
PROMPTS = Texts(
    noun="prompt",
    fills={
        **_each("greeting who_menu who_menu_professionals_only profession_menu not_understood "
                "public_not_allowed public_orientation connecting nobody_available leave_message "
                "no_message message_thanks closed_no_reopening whisper_taken medical_advice "
                "callback_connecting callback_no_number forwarding goodbye "
                "directory_postal_code directory_postal_code_invalid directory_offer_sms "
                "directory_sms_sent directory_sms_impossible "
                "speech_who speech_profession speech_use_keys directory_category_speech "
                "queue_all_busy queue_first queue_second queue_message_key queue_joining "
                "transfer_unanswered transfer_warm_wait transfer_handed_over"),
        **_each("speech_confirm_caller", "caller"),
        **_each("speech_confirm_search", "search"),
        **_each("closed", "reopening"),
        **_each("emergency", "medical_advice"),
        **_each("queue_position", "ahead"),
        **_each("whisper overflow_whisper", "caller"),
        **_each("overflow_connecting transfer_connecting", "line"),
        **_each("transfer_whisper", "referent", "caller"),
        **_each("transfer_warm_connecting", "line"),
        **_each("callback_intro", "request"),
        **_each("directory_category_choice", "category", "digit"),
        **_each("directory_found directory_nothing", "category", "postal"),
        **_each("public_orientation_found", "postal"),
    },
    needs={"closed": frozenset({"reopening"}), "whisper": frozenset({"caller"}),
           "overflow_whisper": frozenset({"caller"}), "overflow_connecting": frozenset({"line"}),
           "transfer_connecting": frozenset({"line"}),
           "transfer_whisper": frozenset({"caller"}),
           "directory_category_choice": frozenset({"digit"}),
           "queue_position": frozenset({"ahead"}),
           "speech_confirm_caller": frozenset({"caller"}),
           "speech_confirm_search": frozenset({"search"})},
    retired={"directory_sms_failed": "the caller is no longer told whether Twilio took the "
             "directory's SMS: it leaves once the call's step is stored"},
)  # fmt: skip
# core.mail fills them (the console, the information texts).
_ACKNOWLEDGED = ("department", "reference", "subject")
MAIL = Texts(
    noun="mail text",
    fills={
        **_each("subject acknowledgement_open unreadable_subject", *_ACKNOWLEDGED[1:]),
        **_each("acknowledgement_closed_no_reopening", *_ACKNOWLEDGED[1:], "medical_advice"),
        **_each("acknowledgement_closed", *_ACKNOWLEDGED[1:], "reopening", "medical_advice"),
        **_each("medical_advice"),
        **_each("unreadable", *_ACKNOWLEDGED[1:], "why"),
        **_each("unreadable_too_large", *_ACKNOWLEDGED[1:], "why", "size", "limit"),
        **_each("notification", "request"),
        **_each("information_subject"),
        **_each("information", "reference"),
    },
    needs={"subject": frozenset({"reference"}), "unreadable_subject": frozenset({"reference"}),
           "acknowledgement_closed": frozenset({"reopening"})},
)  # fmt: skip
