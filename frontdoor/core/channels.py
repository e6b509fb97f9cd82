"""The channels a request comes through, and their French names (the one table the console,
the reports and the exports read).

The single number (voice), its SMS line and the secure mailbox open requests themselves; the
manual channels are what a referent enters from the console or an integrator through the API:
what did not come through the single number.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    MAIL = "mail"
    DIRECT_LINE = "direct_line"  # a call on a referent's own line
    VISIT = "visit"
    LETTER = "letter"
    MEETING = "meeting"  # a partner meeting (réunion de concertation, staff…)
    OUTGOING_CALL = "outgoing_call"  # the DAC called someone, who brought a need


MANUAL_CHANNELS = (
    Channel.DIRECT_LINE,
    Channel.VISIT,
    Channel.LETTER,
    Channel.MEETING,
    Channel.OUTGOING_CALL,
)

# Keyed by the codes the store holds (a Channel is its code).
CHANNEL_LABELS: dict[str, str] = {
    Channel.VOICE: "Téléphone",
    Channel.SMS: "SMS",
    Channel.MAIL: "Messagerie sécurisée",
    Channel.DIRECT_LINE: "Ligne directe d'un référent",
    Channel.VISIT: "Visite",
    Channel.LETTER: "Courrier",
    Channel.MEETING: "Réunion partenaire",
    Channel.OUTGOING_CALL: "Appel sortant",
}
